"""Expectation-maximisation for the plausibility-weighted AR hidden Markov model.

Pure functions: the E-step turns sequences and parameters into additive
sufficient statistics (so shards of sequences can run on joblib or Dask
workers and be summed), the M-step turns statistics into parameters in closed
form, :func:`initial_parameters` starts a restart and :func:`run_em` iterates.
Each EM iteration does not decrease the weighted log-likelihood
``log sum_S prod_t pl_t(S_t) p(S, y)`` (Ramasso & Denoeux 2014).
"""

import itertools
import warnings
from dataclasses import dataclass, replace

import numpy as np
from joblib import Parallel, effective_n_jobs
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

from statkit.hmm._emissions import RegressionStats, log_emission, weighted_least_squares
from statkit.hmm._kernels import forward_backward
from statkit.utils._parallel import delayed
from statkit.utils._progress import ConvergenceMonitor


@dataclass(frozen=True)
class Parameters:
    """Parameters of the model.

    Parameters
    ----------
    startprob : ndarray of shape (n_states,)
    transmat : ndarray of shape (n_states, n_states)
    coef : ndarray of shape (n_states, intercept + ar_order)
        Row ``k`` is ``(c_k, phi_k1, ..., phi_kp)``.
    noise_var : ndarray of shape (n_states,)
    """

    startprob: np.ndarray
    transmat: np.ndarray
    coef: np.ndarray
    noise_var: np.ndarray


@dataclass(frozen=True)
class Sequences:
    """Validated data of one fit or prediction, with its lagged design.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    design : ndarray of shape (n_samples, intercept + ar_order)
    observed : ndarray of bool, shape (n_samples,)
    plausibility : ndarray of shape (n_samples, n_states)
    starts, ends : ndarray of int, shape (n_sequences,)
    """

    y: np.ndarray
    design: np.ndarray
    observed: np.ndarray
    plausibility: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def shard(self, first, last):
        """The sequences ``first .. last - 1``, with row offsets starting at 0."""
        lo, hi = self.starts[first], self.ends[last - 1]
        rows = slice(lo, hi)
        return Sequences(
            self.y[rows],
            self.design[rows],
            self.observed[rows],
            self.plausibility[rows],
            self.starts[first:last] - lo,
            self.ends[first:last] - lo,
        )


@dataclass(frozen=True)
class Statistics:
    """Additive E-step output.

    Parameters
    ----------
    log_likelihood : float
    start : ndarray of shape (n_states,)
    transitions : ndarray of shape (n_states, n_states)
    regression : RegressionStats
    """

    log_likelihood: float
    start: np.ndarray
    transitions: np.ndarray
    regression: RegressionStats

    def __add__(self, other):
        return Statistics(
            self.log_likelihood + other.log_likelihood,
            self.start + other.start,
            self.transitions + other.transitions,
            self.regression + other.regression,
        )


def posteriors(data, params):
    """Smoothed and filtered state probabilities and the log weighted likelihood.

    Returns
    -------
    log_likelihood : float
    smoothed, filtered : ndarrays of shape (n_samples, n_states)
    start, transitions : ndarrays
        Expected first states and transition counts.
    """
    log_b = log_emission(data.y, data.design, data.observed, params.coef, params.noise_var)
    smoothed, filtered = np.empty_like(log_b), np.empty_like(log_b)
    log_likelihood, start, transitions = forward_backward(
        log_b,
        data.plausibility,
        params.startprob,
        params.transmat,
        data.starts,
        data.ends,
        smoothed,
        filtered,
    )
    if log_likelihood == -np.inf:
        raise ValueError(
            "The data have probability zero under the model: some steps' plausibilities "
            "rule out every state the transition matrix allows. Check plausibility against "
            "transmat_mask (a left-right mask cannot go back to an earlier state)."
        )
    return log_likelihood, smoothed, filtered, start, transitions


def shard_statistics(data, params):
    """E-step statistics of one shard of sequences."""
    log_likelihood, smoothed, _, start, transitions = posteriors(data, params)
    regression = RegressionStats.from_posteriors(data.y, data.design, data.observed, smoothed)
    return Statistics(log_likelihood, start, transitions, regression)


def e_step(data, params, n_jobs=None):
    """Statistics of all sequences; with ``n_jobs``, shards run through joblib."""
    n_sequences = data.starts.shape[0]
    n_shards = _effective_jobs(n_jobs, n_sequences)
    if n_shards == 1:
        return shard_statistics(data, params)
    bounds = np.linspace(0, n_sequences, n_shards + 1).round().astype(int)
    shards = [data.shard(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    results = Parallel(n_jobs=n_jobs)(delayed(shard_statistics)(s, params) for s in shards)
    total = results[0]
    for result in results[1:]:
        total = total + result
    return total


def _effective_jobs(n_jobs, n_sequences):
    if n_jobs is None or n_jobs == 1 or n_sequences < 2:
        return 1
    return min(effective_n_jobs(n_jobs), n_sequences)


def m_step(stats, params, update, transmat_mask, min_noise_var):
    """Closed-form maximisation of the parameters named in ``update`` ("s", "t", "a", "v").

    Rows of the start or transition counts with no mass keep their values.
    """
    startprob, transmat = params.startprob, params.transmat
    if "s" in update and stats.start.sum() > 0:
        startprob = stats.start / stats.start.sum()
    if "t" in update:
        counts = np.where(transmat_mask, stats.transitions, 0.0)
        totals = counts.sum(axis=1, keepdims=True)
        transmat = np.where(totals > 0, counts / np.where(totals > 0, totals, 1.0), transmat)
    coef, noise_var = params.coef, params.noise_var
    if "a" in update or "v" in update:
        coef, fitted_var = weighted_least_squares(
            stats.regression, coef, noise_var, min_noise_var, fit_coef="a" in update
        )
        if "v" in update:
            noise_var = fitted_var
    return Parameters(startprob, transmat, coef, noise_var)


def initial_parameters(data, n_states, transmat_mask, init, given, min_noise_var, rng, window=25):
    """Starting parameters of one restart.

    The letters of ``init`` are estimated, the others taken from ``given``.
    States are first guessed per step:

    * with a left-right ``transmat_mask`` (no transition back), each sequence
      is cut into ``n_states`` consecutive segments of random lengths, near
      equal (the uniform segmentation that starts left-right HMMs in speech
      recognition, jittered so that restarts differ);
    * otherwise by k-means on the AR fits of short windows
      (:func:`_window_clusters`); where plausibilities say something, the
      clusters are matched to the states they point to.

    The responsibilities ``pl_t(k) (1[k = guess_t] + 1/K)`` (normalised) give
    the AR parameters by one M-step, so one-hot plausibilities start from the
    supervised estimate; the transitions are counted on the most responsible
    state of each step (soft responsibilities would make every state look
    short-lived), plus one per allowed transition.
    """
    pl = data.plausibility
    if not np.tril(transmat_mask, -1).any():
        guess = _ordered_segments(data, n_states, rng)
    else:
        guess = _window_clusters(data, n_states, window, rng)
        informative = 1.0 - pl.min(axis=1) / pl.max(axis=1)
        if informative.any():
            overlap = np.zeros((n_states, n_states))
            np.add.at(overlap, guess[data.observed], (informative[:, None] * pl)[data.observed])
            rows, cols = linear_sum_assignment(overlap, maximize=True)
            guess = cols[rows.argsort()][guess]
    resp = pl * (np.eye(n_states)[guess] + 1.0 / n_states)
    resp /= resp.sum(axis=1, keepdims=True)
    likely = np.eye(n_states)[resp.argmax(axis=1)]
    regression = RegressionStats.from_posteriors(data.y, data.design, data.observed, resp)
    transitions = np.zeros((n_states, n_states))
    for a, b in zip(data.starts, data.ends, strict=True):
        transitions += likely[a : b - 1].T @ likely[a + 1 : b]
    start = resp[data.starts].sum(axis=0)
    stats = Statistics(0.0, start, transitions + transmat_mask, regression)
    uniform = Parameters(
        np.full(n_states, 1.0 / n_states),
        transmat_mask / transmat_mask.sum(axis=1, keepdims=True),
        np.zeros((n_states, data.design.shape[1])),
        np.full(n_states, max(float(np.var(data.y[data.observed])), min_noise_var)),
    )
    estimated = m_step(stats, uniform, "tav", transmat_mask, min_noise_var)
    estimated = replace(estimated, startprob=uniform.startprob)
    return Parameters(
        **{
            field: getattr(estimated if letter in init else given, field)
            for letter, field in zip(
                "stav", ("startprob", "transmat", "coef", "noise_var"), strict=True
            )
        }
    )


def _ordered_segments(data, n_states, rng):
    """State ``k`` for the ``k``-th of ``n_states`` consecutive segments of each sequence.

    The segments' shares of each sequence are drawn from a Dirichlet(2, ..., 2)
    law: around equal shares, but spread enough that restarts explore.
    """
    guess = np.empty(data.y.shape[0], dtype=np.int64)
    for a, b in zip(data.starts, data.ends, strict=True):
        shares = rng.dirichlet([2.0] * n_states)
        cuts = np.cumsum(shares)[:-1] * (b - a)
        guess[a:b] = np.searchsorted(cuts, np.arange(b - a) + 0.5)
    return guess


def _window_clusters(data, n_states, window, rng):
    """Guess each step's state by k-means on the AR fits of short windows.

    Each sequence's scored steps are cut into windows of ``window`` steps (at a
    random offset); each window gets its own least-squares autoregression, and
    k-means on (coefficients, log residual scale) groups windows that behave
    alike. A window's label is given to all its steps.
    """
    rows = np.flatnonzero(data.observed)
    offset = int(rng.integers(window))
    # Window index of each scored step: windows restart at every sequence.
    sequence = np.searchsorted(data.ends, rows, side="right")
    position = rows - data.starts[sequence] + offset
    key = sequence * (data.y.shape[0] + window) + position // window
    _, window_of = np.unique(key, return_inverse=True)
    n_windows = window_of.max() + 1
    z, y = data.design[rows], data.y[rows]
    d = z.shape[1]
    gram = np.zeros((n_windows, d, d))
    np.add.at(gram, window_of, z[:, :, None] * z[:, None, :])
    moment = np.zeros((n_windows, d))
    np.add.at(moment, window_of, z * y[:, None])
    count = np.bincount(window_of, minlength=n_windows)
    ridge = 1e-6 * (np.trace(gram, axis1=1, axis2=2) / d + 1.0)
    coef = np.linalg.solve(gram + ridge[:, None, None] * np.eye(d), moment[:, :, None])[:, :, 0]
    residual = y - np.einsum("ti,ti->t", z, coef[window_of])
    scale = np.sqrt(np.bincount(window_of, residual**2, minlength=n_windows) / count)
    features = np.column_stack([coef, np.log(scale + 1e-12 + 1e-6 * scale.mean())])
    features = (features - features.mean(axis=0)) / np.maximum(features.std(axis=0), 1e-12)
    n_clusters = min(n_states, n_windows)
    seed = int(rng.integers(np.iinfo(np.int32).max))
    with warnings.catch_warnings():
        # Identical windows (a constant stretch) leave fewer distinct clusters than
        # states; the restart then starts with some states sharing a cluster.
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(n_clusters=n_clusters, n_init=1, random_state=seed).fit(
            features, sample_weight=count
        )
    clusters = np.zeros(data.y.shape[0], dtype=np.int64)
    clusters[rows] = km.labels_[window_of]
    return clusters


def run_em(data, params, update, transmat_mask, min_noise_var, max_iter, tol, verbose, n_jobs):
    """Iterate E- and M-steps until the weighted log-likelihood gains less than ``tol``.

    Returns
    -------
    params : Parameters
        The last parameters (those the last reported log-likelihood was computed with).
    monitor : ConvergenceMonitor
        The log-likelihood of each iteration.
    """
    # One report per E-step: the starting parameters and each of up to max_iter M-steps.
    monitor = ConvergenceMonitor(tol, max_iter + 1, verbose, name="log-likelihood")
    while True:
        stats = e_step(data, params, n_jobs)
        monitor.report(stats.log_likelihood)
        if monitor.converged:
            return params, monitor
        params = m_step(stats, params, update, transmat_mask, min_noise_var)
