"""Shared machinery: array dispatch, parallelism and discovery.

The helpers that statkit's families share (input validation, numba kernels,
progress bars) live in the private modules of this package.
Nothing here imports numba, CuPy, Dask, tqdm or matplotlib until it is used.
"""

from statkit.utils._array_api import get_namespace
from statkit.utils._parallel import delayed
from statkit.utils.discovery import all_displays, all_estimators, all_functions

__all__ = [
    "all_displays",
    "all_estimators",
    "all_functions",
    "delayed",
    "get_namespace",
]
