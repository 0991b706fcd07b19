"""Post-processing: from noisy bin counts to a survival curve (costs no privacy).

Every function here takes released numbers only. All are pure and vectorised
over leading axes (bootstrap replicates).
"""

import math

import numpy as np
from sklearn.isotonic import isotonic_regression

from statkit.survival._event_table import number_at_risk
from statkit.survival._kernels import tv_denoise

SMOOTHINGS = ("isotonic", "tv")


def curve_from_counts(noisy, edges, noise_sd, smoothing):
    """Noisy :class:`~._dp_grid.Counts` -> (risk set at each bin start, hazard per bin)."""
    at_risk, hazard = hazards_from_counts(noisy.deaths, noisy.censored)
    hazard = smooth_hazards(hazard, at_risk, np.diff(edges), noise_sd, smoothing)
    return at_risk, hazard


def hazards_from_counts(deaths, censored):
    """Noisy counts -> (risk set at each bin start, hazard per bin).

    The risk set is the suffix sum of all counts, made non-increasing and
    non-negative by isotonic regression; its noise grows towards early times,
    where the risk set is large, so the relative noise on the hazard stays
    small. The hazard is the actuarial ``d / (n - c/2)``, clipped to [0, 1].
    """
    deaths = np.maximum(deaths, 0.0)
    censored = np.maximum(censored, 0.0)
    suffix = number_at_risk(deaths + censored)
    rows = suffix.reshape(-1, suffix.shape[-1])
    at_risk = np.stack([isotonic_regression(row, increasing=False) for row in rows])
    at_risk = np.maximum(at_risk.reshape(suffix.shape), 0.0)
    exposed = np.maximum(at_risk - censored / 2, deaths)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(deaths > 0, deaths / exposed, 0.0)
    return at_risk, hazard


def smooth_hazards(hazard, at_risk, widths, noise_sd, method):
    """Optional smoothing of the hazards: None, ``"isotonic"`` or ``"tv"``.

    Both act on the hazard rates ``-log(1 - h) / width`` weighted by their
    approximate precision ``(n w / noise_sd)^2``: ``"isotonic"`` fits the better
    of a non-decreasing and a non-increasing rate, ``"tv"`` solves the
    total-variation denoising problem with penalty 1 / (median noise sd of the
    rates), which keeps jumps larger than about one noise sd.
    """
    if method is None:
        return hazard
    rate = -np.log1p(-np.minimum(hazard, 1 - 1e-12)) / widths
    rate_sd = noise_sd / (np.maximum(at_risk, 1.0) * widths)
    precision = rate_sd**-2.0
    rows = rate.reshape(-1, rate.shape[-1])
    precisions = precision.reshape(rows.shape)
    smoothed = np.empty_like(rows)
    for i, (row, w) in enumerate(zip(rows, precisions, strict=True)):
        if method == "isotonic":
            fits = [
                isotonic_regression(row, sample_weight=w, increasing=up) for up in (True, False)
            ]
            smoothed[i] = min(fits, key=lambda fit: np.sum(w * (fit - row) ** 2))
        else:
            smoothed[i] = tv_denoise(row, w, 1.0 / np.median(w**-0.5))
    return -np.expm1(-np.maximum(smoothed.reshape(rate.shape), 0.0) * widths)


def survival_at(times, edges, hazard):
    """Survival at ``times`` from per-bin hazards, with a constant hazard rate inside a bin.

    ``hazard`` may carry leading axes (replicates); the result has shape
    ``hazard.shape[:-1] + times.shape``. Flat beyond the last edge.
    """
    n_bins = len(edges) - 1
    with np.errstate(divide="ignore"):
        log_keep = np.log1p(-np.minimum(hazard, 1.0))
    cumulative = np.concatenate([np.zeros((*hazard.shape[:-1], 1)), np.cumsum(log_keep, -1)], -1)
    index = np.clip(np.searchsorted(edges, times, side="right") - 1, 0, n_bins - 1)
    fraction = np.clip((times - edges[index]) / (edges[index + 1] - edges[index]), 0.0, 1.0)
    with np.errstate(invalid="ignore"):  # 0 * -inf at the start of a bin with hazard 1
        partial = np.where(fraction > 0, log_keep[..., index] * fraction, 0.0)
    return np.exp(cumulative[..., index] + partial)


def at_risk_at(times, edges, at_risk):
    """The risk set interpolated linearly inside a bin; 0 beyond the last edge."""
    at_edges = np.r_[at_risk, 0.0]
    return np.where(times > edges[-1], 0.0, np.interp(times, edges, at_edges))


def median_time(edges, hazard):
    """First time the curve reaches 0.5, inside the bin where it crosses (inf if never)."""
    survival = np.r_[1.0, np.cumprod(1.0 - hazard)]
    below = np.flatnonzero(survival <= 0.5)
    if below.size == 0:
        return math.inf
    j = below[0] - 1
    if hazard[j] >= 1:
        return float(edges[j])
    fraction = math.log(0.5 / survival[j]) / math.log1p(-hazard[j])
    return float(edges[j] + (edges[j + 1] - edges[j]) * fraction)
