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
    n = np.full(n_replicates, max(round(at_risk[0]), 0), dtype=np.int64)
    censored = np.maximum(noisy_censored, 0.0)
    leave = np.minimum(censored / np.maximum(at_risk - censored / 2, 1.0), 1.0)
    deaths_b = np.empty((n_replicates, n_bins), np.int64)
    censored_b = np.empty_like(deaths_b)
    for j in range(n_bins):
        deaths_b[:, j] = rng.binomial(n, hazard[j])
        if j == n_bins - 1:
            censored_b[:, j] = n - deaths_b[:, j]
        else:
            censored_b[:, j] = rng.binomial(n - deaths_b[:, j], leave[j])
        n = n - deaths_b[:, j] - censored_b[:, j]
    simulated = Counts(deaths_b, censored_b)
    noisy = noisy_counts(simulated, mechanism, epsilon, rng, simulate=True)
    noise_sd = count_noise_std(mechanism, n_bins, epsilon)
    return curve_from_counts(noisy, edges, noise_sd, smoothing)[1]
