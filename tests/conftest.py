"""Suite-wide settings: reproducible numerics for notebook kernels and Hypothesis profiles.

Kernels started by nbval inherit this process's environment; numpy and OpenBLAS read these
variables when they load, so setting them here (before any kernel starts) pins the AVX2 and
Haswell kernels whose last bits the committed outputs record. See the Makefile.

Hypothesis: ``ci`` (selected when the environment has ``CI=true``): derandomized, no example
database, so runs are reproducible. ``dev`` (the default): random, also without a database on
disk. Both keep ``max_examples`` modest so the whole suite stays fast; pick another with
``HYPOTHESIS_PROFILE=<name>``.
"""

from __future__ import annotations

import os

import numpy  # noqa: F401  (loaded first: this process keeps its own kernels; only kernels started later read the pins)
from hypothesis import HealthCheck, settings

os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", derandomize=True, database=None, max_examples=60, **_COMMON)
settings.register_profile("dev", database=None, max_examples=40, **_COMMON)
settings.register_profile("thorough", database=None, max_examples=1000, **_COMMON)

_default = "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))
