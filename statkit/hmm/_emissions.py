"""Autoregressive Gaussian emissions: lagged design, log-densities, weighted least squares.

In state ``k`` the value at step ``t`` is ``y_t = c_k + phi_k . z_t + e_t`` with
``z_t = (y_{t-1}, ..., y_{t-p})`` and ``e_t ~ N(0, sigma_k^2)``. The first
``p`` values of each sequence only serve as lags: they carry no emission (the
likelihood is conditional on them), so every step of a sequence is in the
chain but only steps ``t >= p`` are scored.

All parameters of one state sit in one row ``coef[k] = (c_k, phi_k1, ...,
phi_kp)`` (without ``c_k`` when there is no intercept), so that the mean of
every step and state is ``design @ coef.T``.
"""

from dataclasses import dataclass

import numpy as np

from statkit.hmm._kernels import ar_log_emission, regression_statistics


def lagged_design(y, starts, ends, ar_order, intercept):
    """Regressors of every step, and which steps carry an emission.

    Returns
    -------
    design : ndarray of shape (n_samples, intercept + ar_order)
        Row ``t`` is ``(1, y_{t-1}, ..., y_{t-p})`` (zeros in the lags that would
        reach before the start of its sequence).
    observed : ndarray of bool, shape (n_samples,)
        True from the ``ar_order``-th step of each sequence on.
    """
    n = y.shape[0]
    offset = int(intercept)
    design = np.zeros((n, offset + ar_order))
    if intercept:
        design[:, 0] = 1.0
    position = np.arange(n) - np.repeat(starts, ends - starts)
    for lag in range(1, ar_order + 1):
        inside = position >= lag
        design[inside, offset + lag - 1] = y[np.flatnonzero(inside) - lag]
    return design, position >= ar_order


def log_emission(y, design, observed, coef, noise_var):
    """Log-density of each step in each state, shape (n_samples, n_states); 0 where unobserved."""
    out = np.empty((y.shape[0], coef.shape[0]))
    ar_log_emission(y, design, observed, coef, noise_var, out)
    return out


@dataclass(frozen=True)
class RegressionStats:
    """Posterior-weighted sufficient statistics of the per-state regressions.

    Additive over sequences, so shards of sequences can be reduced by a sum.

    Parameters
    ----------
    weight : ndarray of shape (n_states,)
        Sum of the posterior weights of the observed steps.
    gram : ndarray of shape (n_states, n_coef, n_coef)
        ``sum_t w_tk z_t z_t^T``.
    moment : ndarray of shape (n_states, n_coef)
        ``sum_t w_tk z_t y_t``.
    square : ndarray of shape (n_states,)
        ``sum_t w_tk y_t^2``.
    """

    weight: np.ndarray
    gram: np.ndarray
    moment: np.ndarray
    square: np.ndarray

    @classmethod
    def from_posteriors(cls, y, design, observed, posteriors):
        return cls(*regression_statistics(y, design, observed, posteriors))

    def __add__(self, other):
        return RegressionStats(
            self.weight + other.weight,
            self.gram + other.gram,
            self.moment + other.moment,
            self.square + other.square,
        )


def weighted_least_squares(stats, coef, noise_var, min_noise_var, fit_coef=True):
    """Per-state weighted least squares (minimum-norm solution) from the statistics.

    With ``fit_coef=False`` the coefficients stay as given and only the noise
    variances are re-estimated, from the residuals of those coefficients.
    States with no weight keep their ``coef`` and ``noise_var``; variances are
    floored at ``min_noise_var``.
    """
    coef, noise_var = coef.copy(), noise_var.copy()
    for k in np.flatnonzero(stats.weight > 0):
        if fit_coef:
            coef[k] = np.linalg.lstsq(stats.gram[k], stats.moment[k], rcond=None)[0]
        beta = coef[k]
        # sum_t w (y - z.beta)^2, from the sums of w y^2, w z y and w z z^T.
        rss = stats.square[k] - 2 * beta @ stats.moment[k] + beta @ stats.gram[k] @ beta
        noise_var[k] = max(rss / stats.weight[k], min_noise_var)
    return coef, noise_var
