"""Sketch-and-lift: the stratified subsample the SDP is solved on."""

import numpy as np
from sklearn.cluster import KMeans


def stratified_sample(X, size, n_clusters, rng):
    """Indices of ``size`` rows of X, stratified by a pilot k-means partition.

    The strata are the cells of k-means fitted on a uniform pilot sample of
    ``size`` rows; each stratum gives its share of the sample (largest
    remainders), so a small cluster keeps its weight in the sketch.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    size : int
        Sample size, less than n_samples.
    n_clusters : int
        Number of strata.
    rng : numpy.random.Generator

    Returns
    -------
    indices : ndarray of shape (size,)
        Sorted row indices.
    """
    n = len(X)
    pilot = X[rng.choice(n, size=size, replace=False)]
    seed = int(rng.integers(np.iinfo(np.int32).max))
    strata = KMeans(n_clusters, n_init=1, random_state=seed).fit(pilot).predict(X)
    counts = np.bincount(strata, minlength=n_clusters)
    quota = counts * size / n
    allocation = np.floor(quota).astype(int)
    remainder = size - allocation.sum()
    allocation[np.argsort(allocation - quota)[:remainder]] += 1
    chosen = [
        rng.choice(np.flatnonzero(strata == k), size=allocation[k], replace=False)
        for k in range(n_clusters)
    ]
    return np.sort(np.concatenate(chosen))
