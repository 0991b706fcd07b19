"""Remaining useful life from a fitted ARPHMM: simulation to a threshold, or the chain alone."""

from dataclasses import dataclass

import numpy as np

from statkit.hmm._kernels import first_passage_times


@dataclass(frozen=True)
class RULPrediction:
    """Predicted remaining useful life of each unit, in steps after its last observation.

    Parameters
    ----------
    rul : ndarray of shape (n_units,)
        Point prediction (median of the simulated failure times, or the
        expected hitting time of the failure state).
    lower, upper : ndarray of shape (n_units,)
        Quantiles ``alpha/2`` and ``1 - alpha/2`` of the predicted failure time.
    """

    rul: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def simulated_rul(last, histories, params, intercept, threshold, n_paths, max_steps, alpha, rng):
    """Median and quantiles of simulated first-passage times below ``threshold``.

    ``last[i]`` is the filtered state distribution of unit ``i``'s last step:
    the first simulated step's state is drawn from ``last[i] @ transmat``.
    """
    cum_transmat = np.cumsum(params.transmat, axis=1)
    noise_sd = np.sqrt(params.noise_var)
    quantiles = [0.5, alpha / 2, 1 - alpha / 2]
    out = np.empty((3, last.shape[0]))
    for i, history in enumerate(histories):
        times = first_passage_times(
            last[i] @ params.transmat,
            cum_transmat,
            params.coef,
            noise_sd,
            np.ascontiguousarray(history, dtype=float),
            intercept,
            threshold,
            rng.random((n_paths, max_steps)),
            rng.standard_normal((n_paths, max_steps)),
        )
        out[:, i] = np.quantile(times, quantiles)
    return RULPrediction(*out)


def hitting_time_distribution(start, transmat, failure_state, max_steps):
    """P(the chain first enters ``failure_state`` at step n) for n = 1..max_steps, from ``start``.

    ``start`` is the distribution of the current state; the current step counts
    as step 0 (a unit already in the failure state has hit it at step 0, whose
    probability is ``start[failure_state]``).
    """
    absorbing = transmat.copy()
    absorbing[failure_state] = 0.0
    absorbing[failure_state, failure_state] = 1.0
    hit = np.empty(max_steps + 1)
    dist = start.copy()
    hit[0] = dist[failure_state]
    for n in range(1, max_steps + 1):
        dist = dist @ absorbing
        hit[n] = dist[failure_state]
    return np.diff(hit, prepend=0.0)


def state_rul(last, transmat, failure_state, max_steps, alpha):
    """Expected steps until the chain enters ``failure_state`` (fundamental matrix), with quantiles.

    From state ``k`` outside the failure state the expected hitting time is
    ``((I - Q)^-1 1)_k`` where ``Q`` is the transition matrix among the other
    states; averaged over the filtered distribution of the last step. Units
    that cannot reach the failure state get ``inf``.
    """
    n_states = transmat.shape[0]
    others = np.flatnonzero(np.arange(n_states) != failure_state)
    q = transmat[np.ix_(others, others)]
    expected = np.zeros(n_states)
    try:
        expected[others] = np.linalg.solve(np.eye(others.size) - q, np.ones(others.size))
    except np.linalg.LinAlgError:
        expected[others] = np.inf
    expected[(expected < 0) | ~np.isfinite(expected)] = np.inf
    with np.errstate(invalid="ignore"):
        rul = np.where(last > 0, last * expected, 0.0).sum(axis=1)
    out = np.empty((2, last.shape[0]))
    for i in range(last.shape[0]):
        cdf = np.cumsum(hitting_time_distribution(last[i], transmat, failure_state, max_steps))
        for j, q_level in enumerate((alpha / 2, 1 - alpha / 2)):
            reached = np.flatnonzero(cdf >= q_level)
            out[j, i] = reached[0] if reached.size else max_steps + 1
    return RULPrediction(rul, out[0], out[1])
