"""Shared machinery: validation, array dispatch, numba, progress, discovery, parallelism.

Nothing here imports numba, CuPy, Dask, tqdm or matplotlib until it is used.
"""

from statkit.utils._array_api import (
    get_namespace,
    gpu_available,
    is_cupy_array,
    to_namespace,
    to_numpy,
)
from statkit.utils._numba import numba_available
from statkit.utils._parallel import delayed
from statkit.utils._progress import ConvergenceMonitor, progress_bar
from statkit.utils._validation import (
    check_consistent_length,
    check_generator,
    check_positive_scalar,
    validate_array,
    validate_binary,
)
from statkit.utils.discovery import all_displays, all_estimators, all_functions

__all__ = [
    "ConvergenceMonitor",
    "all_displays",
    "all_estimators",
    "all_functions",
    "check_consistent_length",
    "check_generator",
    "check_positive_scalar",
    "delayed",
    "get_namespace",
    "gpu_available",
    "is_cupy_array",
    "numba_available",
    "progress_bar",
    "to_namespace",
    "to_numpy",
    "validate_array",
    "validate_binary",
]
