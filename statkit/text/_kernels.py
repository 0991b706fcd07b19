"""Numba kernels of the text family: pure functions on NumPy arrays."""

import numpy as np

from statkit.utils._numba import njit


@njit
def two_means_top(scores):
    """pyss3's multi-label split: the classes in the high group of a 2-means of each row.

    Each row's values are clustered in two by 2-means started at the row's
    maximum and minimum; a value closer to the low centroid than to the high
    one goes to the low group (ties go high). A row whose maximum equals its
    minimum (all zero, say) selects nothing.

    Parameters
    ----------
    scores : ndarray of shape (n_samples, n_classes)

    Returns
    -------
    chosen : ndarray of bool of shape (n_samples, n_classes)
    """
    n_samples, n_classes = scores.shape
    chosen = np.zeros((n_samples, n_classes), dtype=np.bool_)
    for i in range(n_samples):
        row = scores[i]
        high, low = row.max(), row.min()
        if high == low:
            continue
        old_high, old_low = np.nan, np.nan
        while high != old_high or low != old_low:
            old_high, old_low = high, low
            sum_high, n_high, sum_low, n_low = 0.0, 0, 0.0, 0
            for j in range(n_classes):
                if abs(old_low - row[j]) < abs(old_high - row[j]):
                    sum_low += row[j]
                    n_low += 1
                else:
                    sum_high += row[j]
                    n_high += 1
            if n_low > 0:
                low = sum_low / n_low
            if n_high > 0:
                high = sum_high / n_high
        for j in range(n_classes):
            chosen[i, j] = not abs(old_low - row[j]) < abs(old_high - row[j])
    return chosen
