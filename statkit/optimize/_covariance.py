"""Stationary ARD covariance functions with their derivatives.

Written against an array namespace (NumPy by default; ``_cupy.py`` passes its
own), not numba: every operation is a dense matrix operation
(BLAS for the cross-distances, elementwise ufuncs for the rest), which numba
would not speed up; the n x n x d derivative tensor is never formed.

Inputs are in the unit cube; ``lengthscales`` has one entry per dimension.
Each function of ``r`` (the scaled distance) comes in three parts: the
covariance ``k(r)``, ``k'(r) / r`` (for gradients in x) and the factor ``g``
with ``dk / dlog(l_d) = g * (x_d - x'_d)^2 / l_d^2``.
"""

import numpy as np

KERNELS = ("matern52", "rbf")
_SQRT5 = float(np.sqrt(5.0))


def scaled_sq_distances(A, B, lengthscales, xp=np):
    """``r^2`` between the rows of A and B, shape (len(A), len(B)), in namespace ``xp``."""
    A = A / lengthscales
    B = B / lengthscales
    d2 = xp.sum(A * A, axis=1)[:, None] + xp.sum(B * B, axis=1)[None, :] - 2.0 * (A @ B.T)
    return xp.maximum(d2, 0.0)


def kernel_matrix(kernel, A, B, lengthscales, outputscale, xp=np):
    """``k(A_i, B_j)``, shape (len(A), len(B)), in namespace ``xp``."""
    return covariance(kernel, scaled_sq_distances(A, B, lengthscales, xp), outputscale, xp)


def covariance(kernel, r2, outputscale, xp=np):
    """``k(r)`` for squared scaled distances ``r2``."""
    if kernel == "rbf":
        return outputscale * xp.exp(-0.5 * r2)
    r = xp.sqrt(r2)
    return outputscale * (1.0 + _SQRT5 * r + 5.0 / 3.0 * r2) * xp.exp(-_SQRT5 * r)


def lengthscale_factor(kernel, r2, outputscale, xp=np):
    """``g(r)`` with ``dk/dlog(l_d) = g(r) (x_d - x'_d)^2 / l_d^2``; also ``-k'(r)/r``."""
    if kernel == "rbf":
        return outputscale * xp.exp(-0.5 * r2)
    r = xp.sqrt(r2)
    return outputscale * 5.0 / 3.0 * (1.0 + _SQRT5 * r) * xp.exp(-_SQRT5 * r)


def cross_covariance_gradient(kernel, x, X, lengthscales, outputscale):
    """Covariances ``k(x_j, X_i)`` and their gradients in ``x_j``.

    Parameters
    ----------
    kernel : {"matern52", "rbf"}
    x : ndarray of shape (m, d)
        Query points.
    X : ndarray of shape (n, d)
        Training points.
    lengthscales : ndarray of shape (d,)
    outputscale : float

    Returns
    -------
    k : ndarray of shape (m, n)
    dk : ndarray of shape (m, n, d)
        ``dk[j, i] = d k(x_j, X_i) / d x_j``.
    """
    r2 = scaled_sq_distances(x, X, lengthscales)
    k = covariance(kernel, r2, outputscale)
    g = lengthscale_factor(kernel, r2, outputscale)
    diff = (x[:, None, :] - X[None, :, :]) / lengthscales**2
    return k, -g[:, :, None] * diff
