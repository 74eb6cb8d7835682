"""Hypothesis profiles for the whole suite (numeric pins for kernels: the root conftest.py).

``ci`` (selected when the environment has ``CI=true``): derandomized, no example
database, so runs are reproducible. ``dev`` (the default): random, also without a database on
disk. Both keep ``max_examples`` modest so the whole suite stays fast; pick another with
``HYPOTHESIS_PROFILE=<name>``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", derandomize=True, database=None, max_examples=60, **_COMMON)
settings.register_profile("dev", database=None, max_examples=40, **_COMMON)
settings.register_profile("thorough", database=None, max_examples=1000, **_COMMON)

_default = "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))
