"""A Gaussian-process regressor for Bayesian optimization: ARD kernel, MAP hyperparameters."""

import numbers
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.linalg import cho_solve, cholesky, lapack, solve_triangular
from scipy.optimize import minimize as scipy_minimize
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from statkit.optimize import _covariance
from statkit.utils import get_namespace
from statkit.utils._array_api import to_numpy
from statkit.utils._validation import NumericInterval, check_generator

_LOG_2PI = np.log(2.0 * np.pi)
# Priors on the log-hyperparameters (y standardised, inputs in the unit cube): the
# dimension-scaled lengthscale prior of BoTorch >= 0.12, LogNormal(sqrt(2) + log(d) / 2, sqrt(3));
# the outputscale around 1; the noise variance LogNormal(-6, 2), low and wide enough that a
# noise-free objective is interpolated. Measured on 6 seeds: BoTorch's LogNormal(-4, 1) leaves
# Branin at a median log10 regret of -3.7 after 50 evaluations (-4.2 here); LogNormal(-4, 3)
# reaches -4.7 but lets tiny noise overfit the 12-evaluation BayesSearchCV test (2 of 6 seeds
# lost two decades).
_OUTPUTSCALE_PRIOR = (0.0, 1.0)
_NOISE_PRIOR = (-6.0, 2.0)
_LOG_NOISE_BOUNDS = (np.log(1e-8), np.log(1.0))
_SMALLEST_NOISE = 1e-300
_LOG_LENGTHSCALE_BOUNDS = (np.log(1e-3), np.log(1e3))
_LOG_OUTPUTSCALE_BOUNDS = (np.log(1e-3), np.log(1e3))


@dataclass(frozen=True)
class Hyperparameters:
    """Kernel and likelihood hyperparameters, in standardised output units.

    Parameters
    ----------
    lengthscales : ndarray of shape (n_features,)
        In unit-cube input units.
    outputscale : float
        Prior variance of f.
    noise : float
        Noise variance.
    mean : float
        Constant prior mean.
    """

    lengthscales: np.ndarray
    outputscale: float
    noise: float
    mean: float

    def to_vector(self):
        # A noise of exactly 0 (a noise-free model) is kept as the smallest positive double.
        return np.r_[
            np.log(self.lengthscales),
            np.log(self.outputscale),
            np.log(max(self.noise, _SMALLEST_NOISE)),
            self.mean,
        ]

    @classmethod
    def from_vector(cls, theta):
        return cls(
            np.exp(theta[:-3]), float(np.exp(theta[-3])), float(np.exp(theta[-2])), float(theta[-1])
        )


def _lengthscale_prior(d):
    return np.sqrt(2.0) + 0.5 * np.log(d), np.sqrt(3.0)


def _gaussian_log_prior(value, location, scale):
    z = (value - location) / scale
    return -0.5 * z * z, -z / scale


def log_posterior(theta, X, y, kernel, jitter, fixed_noise=None):
    """Log marginal likelihood plus log prior at ``theta``, and its gradient.

    ``theta`` holds log lengthscales, log outputscale, log noise variance and
    the constant mean. The gradient of the likelihood is
    ``0.5 tr((alpha alpha' - K^-1) dK)`` (Rasmussen & Williams, eq. 5.9).
    """
    n, d = X.shape
    hp = Hyperparameters.from_vector(theta)
    noise = hp.noise if fixed_noise is None else fixed_noise
    r2 = _covariance.scaled_sq_distances(X, X, hp.lengthscales)
    Kf = _covariance.covariance(kernel, r2, hp.outputscale)
    K = Kf + (noise + jitter) * np.eye(n)
    try:
        L = cholesky(K, lower=True)
    except np.linalg.LinAlgError:
        return -np.inf, np.zeros_like(theta)
    residual = y - hp.mean
    alpha = cho_solve((L, True), residual)
    value = -0.5 * residual @ alpha - np.sum(np.log(np.diag(L))) - 0.5 * n * _LOG_2PI
    inverse = lapack.dpotri(L, lower=1)[0]  # K^-1 from the factor, half the cost of cho_solve(I)
    inverse = np.tril(inverse) + np.tril(inverse, -1).T
    W = np.outer(alpha, alpha) - inverse
    grad = np.empty_like(theta)
    G = _covariance.lengthscale_factor(kernel, r2, hp.outputscale) * W
    for j in range(d):
        diff = X[:, j][:, None] - X[:, j][None, :]
        grad[j] = 0.5 * np.sum(G * diff * diff) / hp.lengthscales[j] ** 2
    grad[d] = 0.5 * np.sum(W * Kf)
    grad[d + 1] = 0.5 * noise * np.trace(W) if fixed_noise is None else 0.0
    grad[d + 2] = np.sum(alpha)
    priors = [(theta[:d], *_lengthscale_prior(d)), (theta[d], *_OUTPUTSCALE_PRIOR)]
    if fixed_noise is None:
        priors.append((theta[d + 1], *_NOISE_PRIOR))
    for index, (value_, location, scale) in zip((slice(0, d), d, d + 1), priors, strict=False):
        log_prior, dlog_prior = _gaussian_log_prior(value_, location, scale)
        value += np.sum(log_prior)
        grad[index] += dlog_prior
    return value, grad


def append_to_cholesky(L, k, diagonal):
    """The Cholesky factor of ``[[K, k], [k', diagonal]]`` from the factor ``L`` of K, in O(n^2)."""
    ell = solve_triangular(L, k, lower=True)
    corner = np.sqrt(max(diagonal - ell @ ell, 1e-12))
    return np.block([[L, np.zeros((len(L), 1))], [ell[None], np.array([[corner]])]])


class GaussianProcess(RegressorMixin, BaseEstimator):
    """Gaussian-process regression with an ARD kernel and MAP hyperparameters.

    The surrogate of Bayesian optimization (Frazier's tutorial, §3): inputs
    are scaled to the unit cube (by ``bounds``, or the training range),
    outputs standardised; a Matérn-5/2 (or squared-exponential) kernel with
    one lengthscale per dimension, an outputscale, a constant mean and a
    Gaussian noise variance, all fitted by maximum a posteriori with analytic
    gradients (L-BFGS-B from ``hyperparameters`` (the previous fit, in Bayesian
    optimization) or the prior medians, and from ``n_restarts`` random draws
    from the priors as starts).

    Parameters
    ----------
    kernel : {"matern52", "rbf"}, default="matern52"
        Covariance function.
    bounds : array-like of shape (n_features, 2), default=None
        Lower and upper bound of each input, mapped to [0, 1]; None uses the
        range of the training inputs.
    noise : float or None, default=None
        Fixed noise variance in standardised output units; None learns it.
    n_restarts : int, default=2
        Random starts of the hyperparameter search, besides ``hyperparameters``
        (or the prior medians on the first fit).
    optimize_hyperparameters : bool, default=True
        Fit the hyperparameters; False keeps ``hyperparameters`` as given.
    hyperparameters : Hyperparameters or None, default=None
        Starting (or, with ``optimize_hyperparameters=False``, fixed)
        hyperparameters.
    jitter : float, default=1e-8
        Added to the kernel diagonal for numerical stability. It bounds the
        precision of a noise-free search: with 1e-6, values closer than
        about 1e-3 standard deviations look alike to the model, and
        :func:`minimize` ended a decade further from the minimum of Branin
        and Hartmann6.
    random_state : int, Generator or None, default=None
        Seeds the restarts.

    Attributes
    ----------
    hyperparameters_ : Hyperparameters
        The fitted hyperparameters.
    log_marginal_likelihood_ : float
        Log posterior (likelihood plus prior) at the fitted hyperparameters.
    X_train_ : ndarray of shape (n_samples, n_features)
        Training inputs, in the unit cube.
    z_train_ : ndarray of shape (n_samples,)
        Training outputs, standardised.
    y_mean_, y_std_ : float
        The output standardisation.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.optimize import GaussianProcess
    >>> X = np.linspace(0, 1, 8)[:, None]
    >>> gp = GaussianProcess(random_state=0).fit(X, np.sin(6 * X[:, 0]))
    >>> mean, std = gp.predict([[0.5]], return_std=True)
    >>> bool(abs(mean[0] - np.sin(3)) < 0.05)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "kernel": [StrOptions(set(_covariance.KERNELS))],
        "bounds": ["array-like", None],
        "noise": [NumericInterval(numbers.Real, 0, None, closed="left"), None],
        "n_restarts": [Interval(numbers.Integral, 0, None, closed="left")],
        "optimize_hyperparameters": ["boolean"],
        "hyperparameters": [Hyperparameters, None],
        "jitter": [NumericInterval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        kernel="matern52",
        *,
        bounds=None,
        noise=None,
        n_restarts=2,
        optimize_hyperparameters=True,
        hyperparameters=None,
        jitter=1e-8,
        random_state=None,
    ):
        self.kernel = kernel
        self.bounds = bounds
        self.noise = noise
        self.n_restarts = n_restarts
        self.optimize_hyperparameters = optimize_hyperparameters
        self.hyperparameters = hyperparameters
        self.jitter = jitter
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the hyperparameters (MAP) and condition on the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,)
            Observed values.

        Returns
        -------
        self : GaussianProcess
        """
        xp, on_gpu = get_namespace(X)
        X, y = validate_data(
            self, to_numpy(X) if on_gpu else X, to_numpy(y), dtype=np.float64, y_numeric=True
        )
        lower, width = self._input_scaling(X)
        U = (X - lower) / width
        y_mean = float(np.mean(y))
        y_std = float(np.std(y))
        y_std = y_std if y_std > 0 else 1.0
        z = (y - y_mean) / y_std
        d = X.shape[1]
        start = self.hyperparameters
        if start is None or len(start.lengthscales) != d:
            start = Hyperparameters(
                np.full(d, np.exp(_lengthscale_prior(d)[0])), 1.0, np.exp(_NOISE_PRIOR[0]), 0.0
            )
        if self.noise is not None:
            start = Hyperparameters(
                start.lengthscales, start.outputscale, float(self.noise), start.mean
            )
        hp = start
        device = (xp, xp.asarray(U), xp.asarray(z)) if on_gpu else None
        objective = self._objective(U, z, device)
        if self.optimize_hyperparameters:
            hp, value = self._map(objective, U.shape[1], start, check_generator(self.random_state))
        else:
            value, _ = objective(hp.to_vector())
        self._device = device
        self._condition(U, z, hp)
        self._lower, self._width = lower, width
        self.y_mean_, self.y_std_ = y_mean, y_std
        self.hyperparameters_ = hp
        self.log_marginal_likelihood_ = float(value)
        return self

    def _input_scaling(self, X):
        if self.bounds is None:
            lower, upper = X.min(axis=0), X.max(axis=0)
        else:
            bounds = np.asarray(self.bounds, dtype=float)
            if bounds.shape != (X.shape[1], 2) or np.any(bounds[:, 0] >= bounds[:, 1]):
                raise ValueError(
                    f"bounds must have shape (n_features, 2) = ({X.shape[1]}, 2) with "
                    "lower < upper in every row."
                )
            lower, upper = bounds[:, 0], bounds[:, 1]
        width = np.where(upper > lower, upper - lower, 1.0)
        return lower, width

    def _objective(self, U, z, device):
        """The log posterior of the hyperparameters, on the host or on the device."""
        if device is None:
            return lambda theta: log_posterior(theta, U, z, self.kernel, self.jitter, self.noise)
        from statkit.optimize import _cupy

        xp, Ud, zd = device
        return lambda theta: _cupy.log_posterior(
            theta, Ud, zd, self.kernel, self.jitter, self.noise, xp
        )

    def _map(self, log_post, d, start, rng):
        bounds = [_LOG_LENGTHSCALE_BOUNDS] * d + [
            _LOG_OUTPUTSCALE_BOUNDS,
            _LOG_NOISE_BOUNDS,
            (None, None),
        ]
        if self.noise is not None:
            bounds[d + 1] = (np.log(max(self.noise, _SMALLEST_NOISE)),) * 2
        location, scale = _lengthscale_prior(d)
        starts = [start.to_vector()]
        for _ in range(self.n_restarts):
            theta = starts[0].copy()
            theta[:d] = np.clip(rng.normal(location, scale, d), *_LOG_LENGTHSCALE_BOUNDS)
            theta[d] = np.clip(rng.normal(*_OUTPUTSCALE_PRIOR), *_LOG_OUTPUTSCALE_BOUNDS)
            if self.noise is None:
                theta[d + 1] = np.clip(rng.normal(*_NOISE_PRIOR), *_LOG_NOISE_BOUNDS)
            starts.append(theta)

        def objective(theta):
            value, grad = log_post(theta)
            return (-value, -grad) if np.isfinite(value) else (1e25, np.zeros_like(grad))

        best = None
        for theta in starts:
            theta = np.clip(
                theta,
                [b[0] if b[0] is not None else -np.inf for b in bounds],
                [b[1] if b[1] is not None else np.inf for b in bounds],
            )
            result = scipy_minimize(objective, theta, jac=True, method="L-BFGS-B", bounds=bounds)
            if best is None or result.fun < best.fun:
                best = result
        return Hyperparameters.from_vector(best.x), -float(best.fun)

    def _condition(self, U, z, hp):
        self.X_train_, self.z_train_ = U, z
        if self._device is not None:
            from statkit.optimize import _cupy

            xp = self._device[0]
            Ud, zd = xp.asarray(U), xp.asarray(z)
            L, alpha = _cupy.condition(Ud, zd, hp, self.kernel, self.jitter, xp)
            self._device = (xp, Ud, zd)
            self._device_factor = (L, alpha)
            self._L = self._alpha = None
            return
        noise = hp.noise
        K = _covariance.kernel_matrix(self.kernel, U, U, hp.lengthscales, hp.outputscale) + (
            noise + self.jitter
        ) * np.eye(len(U))
        self._L = cholesky(K, lower=True)
        self._alpha = cho_solve((self._L, True), z - hp.mean)

    def training_factor(self):
        """The Cholesky factor ``L`` of the training kernel matrix and ``K^-1 (z - mean)``.

        On the host (copied from the GPU when the model lives there), for the
        acquisitions that need more than :meth:`posterior`.

        Returns
        -------
        L : ndarray of shape (n_samples, n_samples)
            Lower triangular, ``L L' = k(X, X) + (noise + jitter) I``.
        alpha : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        if self._device is not None:
            L, alpha = self._device_factor
            return to_numpy(L), to_numpy(alpha)
        return self._L, self._alpha

    def _to_unit(self, X):
        return (np.asarray(X, dtype=float) - self._lower) / self._width

    def condition_on(self, X, y):
        """Add observations without refitting the hyperparameters (rank-one Cholesky updates).

        Costs O(n^2) per new point instead of O(n^3) for a refit; the output
        standardisation stays that of the last ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_new, n_features)
            New inputs.
        y : array-like of shape (n_new,)
            Their values.

        Returns
        -------
        self : GaussianProcess
        """
        check_is_fitted(self)
        X, y = validate_data(self, X, y, dtype=np.float64, reset=False, y_numeric=True)
        hp = self.hyperparameters_
        U_new = self._to_unit(X)
        z_new = (y - self.y_mean_) / self.y_std_
        if self._device is not None:
            # On the GPU a full refactorisation is cheap next to the transfers of an update.
            self._condition(np.vstack([self.X_train_, U_new]), np.r_[self.z_train_, z_new], hp)
            return self
        L, U, z = self._L, self.X_train_, self.z_train_
        for u, value in zip(U_new, z_new, strict=True):
            k = _covariance.kernel_matrix(self.kernel, u[None], U, hp.lengthscales, hp.outputscale)[
                0
            ]
            L = append_to_cholesky(L, k, hp.outputscale + hp.noise + self.jitter)
            U = np.vstack([U, u])
            z = np.r_[z, value]
        self._L, self.X_train_, self.z_train_ = L, U, z
        self._alpha = cho_solve((L, True), z - hp.mean)
        return self

    def posterior(self, X, *, return_gradient=False):
        """Posterior mean and standard deviation of f in standardised units.

        Parameters
        ----------
        X : ndarray of shape (m, n_features)
            Points in the unit cube.
        return_gradient : bool, default=False
            Also return the gradients of the mean and of the standard
            deviation with respect to the points.

        Returns
        -------
        mean, std : ndarray of shape (m,)
        dmean, dstd : ndarray of shape (m, n_features)
            With ``return_gradient``.
        """
        hp = self.hyperparameters_
        if self._device is not None:
            from statkit.optimize import _cupy

            xp, Ud, _ = self._device
            L, alpha = self._device_factor
            return _cupy.posterior(X, Ud, L, alpha, hp, self.kernel, xp, return_gradient)
        if return_gradient:
            k, dk = _covariance.cross_covariance_gradient(
                self.kernel, X, self.X_train_, hp.lengthscales, hp.outputscale
            )
        else:  # the (m, n, d) gradient tensor costs 3-5 times the covariances
            k = _covariance.kernel_matrix(
                self.kernel, X, self.X_train_, hp.lengthscales, hp.outputscale
            )
        mean = hp.mean + k @ self._alpha
        v = solve_triangular(self._L, k.T, lower=True)
        var = np.maximum(hp.outputscale - np.sum(v * v, axis=0), 1e-12)
        std = np.sqrt(var)
        if not return_gradient:
            return mean, std
        dmean = np.einsum("mnd,n->md", dk, self._alpha)
        w = solve_triangular(self._L, v, lower=True, trans="T")  # K^-1 k*, shape (n, m)
        dvar = -2.0 * np.einsum("mnd,nm->md", dk, w)
        return mean, std, dmean, dvar / (2.0 * std[:, None])

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 of the posterior mean on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,)
            True values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights.

        Returns
        -------
        score : float
        """
        return super().score(X, y, sample_weight)

    def predict(self, X, return_std=False, return_cov=False):
        """Posterior mean (and standard deviation or covariance) of f at X.

        Parameters
        ----------
        X : array-like of shape (m, n_features)
            Query points, in the original input units.
        return_std : bool, default=False
            Also return the posterior standard deviation.
        return_cov : bool, default=False
            Also return the posterior covariance matrix.

        Returns
        -------
        mean : ndarray of shape (m,)
        std : ndarray of shape (m,)
            With ``return_std``.
        cov : ndarray of shape (m, m)
            With ``return_cov``.
        """
        check_is_fitted(self)
        if return_std and return_cov:
            raise ValueError("Ask for at most one of return_std and return_cov.")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        U = self._to_unit(X)
        mean, std = self.posterior(U)
        mean = self.y_mean_ + self.y_std_ * mean
        if return_std:
            return mean, self.y_std_ * std
        if return_cov:
            return mean, self.y_std_**2 * self.posterior_covariance(U)
        return mean

    def posterior_covariance(self, U, V=None):
        """Posterior covariance of f between unit-cube points ``U`` and ``V`` (standardised units).

        Parameters
        ----------
        U : ndarray of shape (m, n_features)
            Points in the unit cube.
        V : ndarray of shape (l, n_features), default=None
            Points in the unit cube; None means ``U``.

        Returns
        -------
        cov : ndarray of shape (m, l)
        """
        V = U if V is None else V
        hp = self.hyperparameters_
        if self._device is not None:
            from statkit.optimize import _cupy

            xp, Ud, _ = self._device
            return _cupy.posterior_covariance(U, V, Ud, self._device_factor[0], hp, self.kernel, xp)

        def kernel(A, B):
            return _covariance.kernel_matrix(self.kernel, A, B, hp.lengthscales, hp.outputscale)

        left = solve_triangular(self._L, kernel(self.X_train_, U), lower=True)
        right = left if V is U else solve_triangular(self._L, kernel(self.X_train_, V), lower=True)
        return kernel(U, V) - left.T @ right
