"""Parametric bootstrap of a private curve: data drawn from the released model, noised again.

Post-processing only: the replicates are computed from released numbers and
a random stream of their own, so a band costs no privacy.
"""

import numpy as np

from statkit.survival._dp_curve import curve_from_counts
from statkit.survival._dp_grid import Counts
from statkit.survival._dp_noise import count_noise_std, noisy_counts


def bootstrap_hazards(
    edges, at_risk, hazard, noisy_censored, *, mechanism, epsilon, smoothing, n_replicates, rng
):
    """Hazards of ``n_replicates`` data sets drawn from a released curve, each noised again.

    Parameters
    ----------
    edges, at_risk, hazard, noisy_censored : ndarray
        The release: bin edges, risk set, hazards and noisy censoring counts.
    mechanism : {"flat", "tree"}
        The release's counts mechanism.
    epsilon : float
        The ε of the release's counts.
    smoothing : {None, "isotonic", "tv"}
        The release's smoothing.
    n_replicates : int
        Number of replicates.
    rng : numpy.random.Generator
        The bootstrap's own stream.

    Returns
    -------
    hazards : ndarray of shape (n_replicates, n_bins)
    """
    n_bins = hazard.size
    if n_replicates == 0:
        return np.empty((0, n_bins))
    start = np.full(n_replicates, max(round(at_risk[0]), 0), dtype=np.int64)
    censored = np.maximum(noisy_censored, 0.0)
    leave = np.minimum(censored / np.maximum(at_risk - censored / 2, 1.0), 1.0)
    simulated = simulate_cohorts(start, hazard, leave, rng)
    noisy = noisy_counts(simulated, mechanism, epsilon, rng, simulate=True)
    noise_sd = count_noise_std(mechanism, n_bins, epsilon)
    return curve_from_counts(noisy, edges, noise_sd, smoothing)[1]


def simulate_cohorts(start, hazard, leave, rng):
    """Deaths and censorings of cohorts followed bin by bin (the parametric bootstrap's data).

    In each bin, deaths are binomial with probability ``hazard`` among those
    alive, then censorings binomial with probability ``leave`` among the
    survivors; whoever is left at the last bin is censored there (a time beyond
    the last edge counts as censored in the last bin).

    Parameters
    ----------
    start : ndarray of int
        The size of each cohort (any shape).
    hazard, leave : ndarray of shape (..., n_bins)
        Per-bin probabilities, broadcastable to ``start.shape + (n_bins,)``.
    rng : numpy.random.Generator
        The simulation's stream.

    Returns
    -------
    Counts
        Integer deaths and censorings of shape ``start.shape + (n_bins,)``.
    """
    n_bins = hazard.shape[-1]
    shape = (*start.shape, n_bins)
    hazard, leave = np.broadcast_to(hazard, shape), np.broadcast_to(leave, shape)
    deaths, censored = np.empty(shape, np.int64), np.empty(shape, np.int64)
    alive = start
    for j in range(n_bins):
        deaths[..., j] = rng.binomial(alive, hazard[..., j])
        survivors = alive - deaths[..., j]
        last = j == n_bins - 1
        censored[..., j] = survivors if last else rng.binomial(survivors, leave[..., j])
        alive = survivors - censored[..., j]
    return Counts(deaths, censored)
