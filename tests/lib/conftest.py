"""Shared setup for the library tests: the benchmark case set on the import path and a
fixture over the float dtypes. (Hypothesis profiles are set for the whole suite in
``tests/conftest.py``.)"""

import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

FLOATS = (np.float64, np.float32, np.float16)


@pytest.fixture(params=FLOATS, ids=lambda d: np.dtype(d).name)
def float_dtype(request):
    return np.dtype(request.param)
