"""The GPU path of the Gaussian process, written against the array namespace it is given.

The same formulas as ``_gp.py`` (with ``_covariance.py``'s kernels, which take
the namespace), every n x n operation in namespace ``xp`` (a CuPy namespace on
the GPU): the kernel matrix, its Cholesky factor, the inverse in the likelihood gradient and the
cross-covariances of the candidates. Only the hyperparameter vector and the
values returned to the acquisition search cross to the host. The standard
has no triangular solve, so solves go through ``xp.linalg.solve``. CI runs
this module under ``array-api-strict`` and checks it against the NumPy path.
"""

import math

import numpy as np

from statkit.optimize._covariance import (
    covariance,
    kernel_matrix,
    lengthscale_factor,
    scaled_sq_distances,
)
from statkit.optimize._gp import (
    _NOISE_PRIOR,
    _OUTPUTSCALE_PRIOR,
    Hyperparameters,
    _gaussian_log_prior,
    _lengthscale_prior,
)
from statkit.utils._array_api import to_numpy


def _kernel_matrix(X, hp, noise, kernel, jitter, xp):
    n = X.shape[0]
    r2 = scaled_sq_distances(X, X, xp.asarray(hp.lengthscales, dtype=X.dtype), xp)
    Kf = covariance(kernel, r2, hp.outputscale, xp)
    return r2, Kf, Kf + (noise + jitter) * xp.eye(n, dtype=X.dtype)


def log_posterior(theta, X, z, kernel, jitter, fixed_noise, xp):
    """Log posterior of the hyperparameters and its gradient (as ``_gp.log_posterior``).

    Parameters
    ----------
    theta : ndarray
        Log lengthscales, log outputscale, log noise, mean (host).
    X, z : array
        Unit-cube inputs and standardised outputs, in namespace ``xp``.
    kernel : str
    jitter : float
    fixed_noise : float or None
    xp : module

    Returns
    -------
    value : float
    grad : ndarray
        On the host.
    """
    n, d = X.shape
    hp = Hyperparameters.from_vector(theta)
    noise = hp.noise if fixed_noise is None else fixed_noise
    r2, Kf, K = _kernel_matrix(X, hp, noise, kernel, jitter, xp)
    try:
        L = xp.linalg.cholesky(K)
    except np.linalg.LinAlgError:  # NumPy-backed namespaces raise; CuPy returns NaN
        return -np.inf, np.zeros_like(theta)
    if not bool(xp.all(xp.isfinite(L))):
        return -np.inf, np.zeros_like(theta)
    inverse = xp.linalg.inv(K)
    residual = z - hp.mean
    alpha = xp.matmul(inverse, residual)
    logdet = float(xp.sum(xp.log(xp.linalg.diagonal(L))))
    value = -0.5 * float(xp.sum(residual * alpha)) - logdet - 0.5 * n * math.log(2 * math.pi)
    W = alpha[:, None] * alpha[None, :] - inverse
    G = lengthscale_factor(kernel, r2, hp.outputscale, xp) * W
    grad = np.empty_like(theta)
    for j in range(d):
        column = X[:, j]
        diff = column[:, None] - column[None, :]
        grad[j] = 0.5 * float(xp.sum(G * diff * diff)) / hp.lengthscales[j] ** 2
    grad[d] = 0.5 * float(xp.sum(W * Kf))
    grad[d + 1] = 0.5 * noise * float(xp.sum(xp.linalg.diagonal(W))) if fixed_noise is None else 0.0
    grad[d + 2] = float(xp.sum(alpha))
    priors = [(slice(0, d), *_lengthscale_prior(d)), (d, *_OUTPUTSCALE_PRIOR)]
    if fixed_noise is None:
        priors.append((d + 1, *_NOISE_PRIOR))
    for index, location, scale in priors:
        log_prior, dlog_prior = _gaussian_log_prior(theta[index], location, scale)
        value += float(np.sum(log_prior))
        grad[index] += dlog_prior
    return value, grad


def condition(X, z, hp, kernel, jitter, xp):
    """Cholesky factor of the kernel matrix and ``alpha = K^-1 (z - mean)``, in ``xp``."""
    _, _, K = _kernel_matrix(X, hp, hp.noise, kernel, jitter, xp)
    L = xp.linalg.cholesky(K)
    alpha = xp.linalg.solve(xp.matrix_transpose(L), xp.linalg.solve(L, (z - hp.mean)[:, None]))
    return L, alpha[:, 0]


def posterior(U, X, L, alpha, hp, kernel, xp, return_gradient=False):
    """Posterior mean and standard deviation (and their gradients) at ``U``, on the host.

    Parameters
    ----------
    U : array of shape (m, d)
        Query points in the unit cube (any namespace; moved to ``xp``).
    X, L, alpha : array
        Training inputs, Cholesky factor and weights from :func:`condition`.
    hp : Hyperparameters
    kernel : str
    xp : module
    return_gradient : bool, default=False

    Returns
    -------
    mean, std : ndarray of shape (m,)
    dmean, dstd : ndarray of shape (m, d)
        With ``return_gradient``.
    """
    U = xp.asarray(U, dtype=X.dtype)
    lengthscales = xp.asarray(hp.lengthscales, dtype=X.dtype)
    r2 = scaled_sq_distances(U, X, lengthscales, xp)
    k = covariance(kernel, r2, hp.outputscale, xp)
    mean = hp.mean + xp.matmul(k, alpha)
    v = xp.linalg.solve(L, xp.matrix_transpose(k))
    var = xp.maximum(hp.outputscale - xp.sum(v * v, axis=0), 1e-12)
    std = xp.sqrt(var)
    if not return_gradient:
        return to_numpy(mean), to_numpy(std)
    g = lengthscale_factor(kernel, r2, hp.outputscale, xp)
    w = xp.linalg.solve(xp.matrix_transpose(L), v)  # K^-1 k*, shape (n, m)
    scale = lengthscales * lengthscales
    dmean_columns, dvar_columns = [], []
    for j in range(U.shape[1]):
        diff = (U[:, j][:, None] - X[:, j][None, :]) / scale[j]  # (m, n)
        dk = -g * diff
        dmean_columns.append(xp.matmul(dk, alpha))
        dvar_columns.append(-2.0 * xp.sum(dk * xp.matrix_transpose(w), axis=1))
    dmean = xp.stack(dmean_columns, axis=1)
    dstd = xp.stack(dvar_columns, axis=1) / (2.0 * std[:, None])
    return to_numpy(mean), to_numpy(std), to_numpy(dmean), to_numpy(dstd)


def posterior_covariance(U, V, X, L, hp, kernel, xp):
    """Posterior covariance between ``U`` and ``V`` (``GaussianProcess.posterior_covariance``)."""
    lengthscales = xp.asarray(hp.lengthscales, dtype=X.dtype)
    U, V = xp.asarray(U, dtype=X.dtype), xp.asarray(V, dtype=X.dtype)

    def cov(A, B):
        return kernel_matrix(kernel, A, B, lengthscales, hp.outputscale, xp)

    left = xp.linalg.solve(L, cov(X, U))
    right = xp.linalg.solve(L, cov(X, V))
    return to_numpy(cov(U, V) - xp.matmul(xp.matrix_transpose(left), right))
