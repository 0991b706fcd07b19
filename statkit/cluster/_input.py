"""Checks of the clustering estimators' input."""

import numpy as np

from statkit.utils._array_api import is_cupy_array, to_numpy


def check_n_clusters(X, n_clusters):
    """``n_clusters`` must be at most the number of distinct points of X."""
    n_samples = X.shape[0]
    if n_clusters > n_samples:
        raise ValueError(f"n_clusters={n_clusters} must be at most n_samples = {n_samples}.")
    n_distinct = len(np.unique(X, axis=0))
    if n_clusters > n_distinct:
        raise ValueError(
            f"X has {n_distinct} distinct points (the rest are duplicates), fewer than "
            f"n_clusters={n_clusters}: there is no partition into {n_clusters} non-empty clusters "
            "of distinct points."
        )


def to_host(X):
    """A CuPy X copied to the host; anything else as given (for ``validate_data``)."""
    return to_numpy(X) if is_cupy_array(X) else X
