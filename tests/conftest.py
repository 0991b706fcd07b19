"""Test configuration shared by every family.

* Hypothesis runs with ``deadline=None``: the first example of a test pays
  numba's compilation time, which would otherwise trip the 200 ms deadline.
  ``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) derandomises the runs.
* ``@pytest.mark.data("cmapss")`` marks a test that needs a large data set
  from ``STATKIT_DATA``. Without it the test is skipped with a reason, unless
  ``STATKIT_REQUIRE_DATA`` is true (``statkit._config.env_flag``), which turns
  the skip into a failure.
* Matplotlib uses the non-interactive Agg backend.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from statkit._config import env_flag

_DATA_REQUIRED = pytest.StashKey[bool]()

settings.register_profile(
    "dev", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=50
)
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=50,
    derandomize=True,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_configure(config):
    try:
        config.stash[_DATA_REQUIRED] = env_flag("STATKIT_REQUIRE_DATA", False)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_runtest_setup(item):
    for marker in item.iter_markers(name="data"):
        if len(marker.args) != 1:
            raise pytest.UsageError(f"{item.nodeid}: use @pytest.mark.data('<data set>').")
        from statkit.datasets import data_set_missing

        missing = data_set_missing(marker.args[0])
        if missing:
            message = f"data set {marker.args[0]!r} is not available: {missing}"
            if item.config.stash[_DATA_REQUIRED]:
                pytest.fail(f"STATKIT_REQUIRE_DATA=1 but {message}", pytrace=False)
            pytest.skip(message)


@pytest.fixture
def rng():
    """A freshly seeded NumPy generator; tests that need another seed make their own."""
    import numpy as np

    return np.random.default_rng(20261127)


@pytest.fixture
def strict_xp():
    """The ``array-api-strict`` namespace: a GPU path (``_cupy.py``) runs under it in CI.

    A family's ``_cupy.py`` is written against the namespace it is given; run
    on this strict, minimal namespace on the CPU and compared with the
    NumPy/Numba path, it is tested on machines without a GPU.
    """
    return pytest.importorskip("array_api_strict")
