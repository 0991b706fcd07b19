"""The cost matrices of the clustering SDPs, kept in their rank-(p+2) form.

Every cost is ``W_b = (a_b 1' + 1 a_b') / 2 - F_b F_b' + c_b 1 1'``, so that
``W_b[i, j] = ||F_b' (x_i - x_j)||^2 / 2 + c_b`` when ``F_b = X L_b``:

* Peng–Wei K-means: one block, ``F = X`` (centred), ``c = 0``, trace K.
  For a partition, ``<W, Z>`` is the within-cluster sum of squares.
* LA-SDP: one block per cluster, ``F_k = X L_k`` with ``L_k L_k' = Sigma_k^{-1}``,
  ``c_k = log|Sigma_k| - 2 log pi_k``, trace 1. For a partition, the sum of
  ``<W_k, Z_k>`` is -2 times the classification log-likelihood (up to a
  constant), with the centroids profiled out.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BlockCosts:
    """The costs and traces of one clustering SDP.

    Attributes
    ----------
    a : ndarray of shape (n_blocks, n_samples)
        Row norms ``||F_b' x_i||^2``.
    factors : ndarray of shape (n_blocks, n_samples, n_features)
        The ``F_b``.
    offsets : ndarray of shape (n_blocks,)
        The constants ``c_b``.
    traces : ndarray of shape (n_blocks,)
        The trace of each block's matrix.
    """

    a: np.ndarray
    factors: np.ndarray
    offsets: np.ndarray
    traces: np.ndarray

    @property
    def n_samples(self):
        return self.a.shape[1]

    def dense(self):
        """The n x n cost matrices (for the cvxpy solver and tests; small n only)."""
        return np.stack(
            [
                0.5 * (a[:, None] + a[None, :]) - F @ F.T + c
                for a, F, c in zip(self.a, self.factors, self.offsets, strict=True)
            ]
        )

    def objective(self, U):
        """``sum_b <W_b, U_b U_b'>`` from factors ``U`` of shape (n_blocks, n, r)."""
        total = 0.0
        for a, F, c, u in zip(self.a, self.factors, self.offsets, U, strict=True):
            e = u.sum(axis=0)
            total += (a @ u) @ e - np.sum((F.T @ u) ** 2) + c * (e @ e)
        return float(total)


def kmeans_costs(X, n_clusters):
    """The Peng–Wei K-means SDP: one block of trace ``n_clusters``."""
    Xc = X - X.mean(axis=0)
    a = np.sum(Xc * Xc, axis=1)
    return BlockCosts(a[None], Xc[None], np.zeros(1), np.array([float(n_clusters)]))


def likelihood_costs(X, covariances, weights=None):
    """The LA-SDP costs for given covariances (and mixing weights, when given).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    covariances : ndarray of shape (n_clusters, n_features, n_features)
        Positive definite.
    weights : ndarray of shape (n_clusters,) or None
        Mixing weights; None leaves out the ``-2 log pi_k`` term.

    Returns
    -------
    costs : BlockCosts
    """
    Xc = X - X.mean(axis=0)
    n_clusters = len(covariances)
    a = np.empty((n_clusters, len(X)))
    factors = np.empty((n_clusters, *X.shape))
    offsets = np.empty(n_clusters)
    for k, cov in enumerate(covariances):
        chol = np.linalg.cholesky(cov)
        # F = X L with L L' = Sigma^{-1}: take L = chol^{-T}, so F = X chol^{-T}.
        factors[k] = np.linalg.solve(chol, Xc.T).T
        a[k] = np.sum(factors[k] ** 2, axis=1)
        offsets[k] = 2.0 * np.sum(np.log(np.diag(chol)))
        if weights is not None:
            offsets[k] -= 2.0 * np.log(weights[k])
    return BlockCosts(a, factors, offsets, np.ones(n_clusters))
