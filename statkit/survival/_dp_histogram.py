"""Private survival histograms: noisy counts on public bins, and the curve built from them.

Everything in this module except :func:`flat_release`, :func:`tree_release`,
:func:`private_horizon` and :func:`private_count` is post-processing of their
outputs, so it costs no privacy. All functions are pure and vectorised over
leading axes (bootstrap replicates).
"""

import math

import numpy as np
from sklearn.isotonic import isotonic_regression

from statkit.privacy import GeometricMechanism, exponential_mechanism
from statkit.survival._km_kernels import tv_denoise

# The public grid used when no time edges are given: 64 cells per octave on
# [2^-10, 2^30), one cell below it (including 0) and one above it. Counts on it
# are exact and additive, so ``partial_fit``/``merge`` work without edges.
FINE_PER_OCTAVE = 64
FINE_LOW, FINE_HIGH = -10, 30
N_FINE = FINE_PER_OCTAVE * (FINE_HIGH - FINE_LOW) + 2
# Candidate horizons are every 8th fine edge (1/8 octave, about 9% apart).
HORIZON_STEP = 8
# The horizon is this public multiple of the time at which k patients are still followed.
HORIZON_FACTOR = 2.0
# Share of epsilon spent on the patient count that sets the number of bins.
COUNT_SHARE = 0.02


def fine_cells(time):
    """Index of each time's cell on the public fine grid (0 .. N_FINE - 1)."""
    with np.errstate(divide="ignore"):
        position = np.floor(FINE_PER_OCTAVE * (np.log2(time) - FINE_LOW))
    return (np.clip(position, -1, N_FINE - 2) + 1).astype(np.intp)


def fine_counts(time, event):
    """Exact deaths and censorings per cell of the public fine grid."""
    cells = fine_cells(time)
    deaths = np.bincount(cells[event], minlength=N_FINE)
    censored = np.bincount(cells[~event], minlength=N_FINE)
    return deaths.astype(np.int64), censored.astype(np.int64)


def fine_lower_edges():
    """Lower edge of each fine cell (the first is 0)."""
    k = np.arange(N_FINE - 1)
    return np.r_[0.0, 2.0 ** (FINE_LOW + k / FINE_PER_OCTAVE)]


def bin_counts(time, event, edges):
    """Exact deaths and censorings per bin ``[e_j, e_j+1)`` (the last bin is closed).

    A time beyond the last edge counts as a censoring in the last bin.
    """
    n_bins = len(edges) - 1
    index = np.searchsorted(edges, time, side="right") - 1
    np.clip(index, 0, n_bins - 1, out=index)
    death = event & (time <= edges[-1])
    deaths = np.bincount(index[death], minlength=n_bins)
    censored = np.bincount(index[~death], minlength=n_bins)
    return deaths.astype(np.int64), censored.astype(np.int64)


def merge_cells(counts, cell_to_bin, n_bins):
    """Sum fine-cell counts into the bins ``cell_to_bin`` assigns them to."""
    return np.bincount(cell_to_bin, weights=counts, minlength=n_bins).astype(np.int64)


def private_count(total, epsilon, rng):
    """The number of patients with discrete Laplace noise (sensitivity 1)."""
    return int(GeometricMechanism(epsilon).randomise(np.int64(total), rng))


def private_horizon(fine_totals, epsilon, rng):
    """A private follow-up horizon from exact counts on the fine grid.

    The exponential mechanism picks a candidate ``c`` (every 1/8 octave) where
    the number of patients still followed crosses the public ``k``: with
    ``x = #{time >= c}`` and ``y = #{time >= c_prev}`` (``c_prev`` the candidate
    below), the utility ``-max(x - k, 0) - max(k - y, 0)`` is 0 exactly at the
    crossing and changes by at most 1 when a patient is added or removed. The
    crossing is unique even when many patients are censored at one time (an
    administrative end of study). ``k = ceil(2 (log(#candidates) + 6) / ε)``
    makes any candidate above all the data (utility ``-k``) less likely than
    ``exp(-6)`` in all. The horizon is ``HORIZON_FACTOR * c``, capped to the grid.
    """
    lower = fine_lower_edges()
    cuts = np.arange(1, N_FINE, HORIZON_STEP)
    beyond = np.cumsum(fine_totals[::-1])[::-1]
    at_or_beyond, before = beyond[cuts], beyond[np.r_[0, cuts[:-1]]]
    k = horizon_target(epsilon)
    utility = -np.maximum(at_or_beyond - k, 0) - np.maximum(k - before, 0)
    choice = exponential_mechanism(utility, epsilon, rng)
    return min(HORIZON_FACTOR * lower[cuts[choice]], lower[-1])


def horizon_target(epsilon):
    """The public number ``k`` of patients left beyond the private horizon's anchor."""
    n_candidates = len(range(1, N_FINE, HORIZON_STEP))
    return math.ceil(2 * (math.log(n_candidates) + 6) / epsilon)


def horizon_epsilon(n_patients, epsilon, share):
    """ε for the private horizon: ``share * ε``, raised up to ``ε / 2`` for small studies.

    The horizon is reliable when ``k = horizon_target(ε_h)`` is at most an
    eighth of the patients, i.e. ``ε_h >= 16 (log #candidates + 6) / n``. The
    share is chosen from the noisy count ``n`` (a private output), so the total
    stays ``ε`` (adaptive sequential composition).
    """
    needed = 8 * horizon_target(1.0) / max(n_patients, 1)
    return max(share * epsilon, min(0.5 * epsilon, needed))


def default_n_bins(n_patients, epsilon):
    """Public rule for the number of bins: ``clip(round(0.8 sqrt(n ε)), 4, 64)``."""
    return int(np.clip(round(0.8 * math.sqrt(max(n_patients, 1) * epsilon)), 4, 64))


def flat_release(deaths, censored, epsilon, rng):
    """Discrete Laplace noise on every count: L1 sensitivity 1 under add/remove-one."""
    mechanism = GeometricMechanism(epsilon)
    return mechanism.randomise(deaths, rng), mechanism.randomise(censored, rng)


def tree_levels(n_bins):
    """Number of levels of the binary tree over ``n_bins`` leaves (padded to a power of 2)."""
    return max(1, math.ceil(math.log2(n_bins))) + 1


def _tree_nodes(leaves):
    """All node sums of the binary tree, leaves first, as a list of arrays per level."""
    levels = [leaves]
    while levels[-1].shape[-1] > 1:
        level = levels[-1]
        levels.append(level[..., 0::2] + level[..., 1::2])
    return levels


def tree_release(deaths, censored, epsilon, rng):
    """Hierarchical release: noisy node sums of one binary tree per count vector.

    A patient lies in one leaf of one of the two trees, hence in ``L`` nodes
    (``L`` = number of levels): L1 sensitivity ``L``, so each node gets discrete
    Laplace noise of scale ``L / ε``. Returns the consistent leaf estimates
    (floats) of both trees.
    """
    n_bins = deaths.shape[-1]
    levels = tree_levels(n_bins)
    width = 2 ** (levels - 1)
    mechanism = GeometricMechanism(epsilon, sensitivity=levels)
    out = []
    for counts in (deaths, censored):
        padded = np.zeros((*counts.shape[:-1], width), dtype=np.int64)
        padded[..., :n_bins] = counts
        noisy = [mechanism.randomise(level, rng) for level in _tree_nodes(padded)]
        out.append(consistent_leaves(noisy)[..., :n_bins])
    return out[0], out[1]


def consistent_leaves(noisy_levels):
    """Least-squares consistent leaves from equally noisy binary-tree nodes.

    Hay, Rastogi, Miklau & Suciu, "Boosting the accuracy of differentially
    private histograms through consistency", VLDB 2010 (branching factor 2).
    """
    z = [noisy_levels[0].astype(float)]
    for height, level in enumerate(noisy_levels[1:], start=2):
        children = z[-1][..., 0::2] + z[-1][..., 1::2]
        a = 2.0**height
        z.append(((a - a / 2) * level + (a / 2 - 1) * children) / (a - 1))
    estimate = z[-1]
    for level in reversed(z[:-1]):
        parents = np.repeat(estimate, 2, axis=-1)
        pair_sums = np.repeat(level[..., 0::2] + level[..., 1::2], 2, axis=-1)
        estimate = level + (parents - pair_sums) / 2
    return estimate


def hazards_from_counts(deaths, censored):
    """Post-processing: noisy counts -> (risk set at each bin start, hazard per bin).

    The risk set is the suffix sum of all counts, made non-increasing and
    non-negative by isotonic regression; its noise grows towards early times,
    where the risk set is large, so the relative noise on the hazard stays
    small. The hazard is the actuarial ``d / (n - c/2)``, clipped to [0, 1].
    """
    deaths = np.maximum(deaths, 0.0)
    censored = np.maximum(censored, 0.0)
    suffix = np.cumsum((deaths + censored)[..., ::-1], axis=-1)[..., ::-1]
    rows = suffix.reshape(-1, suffix.shape[-1])
    at_risk = np.stack([isotonic_regression(row, increasing=False) for row in rows])
    at_risk = np.maximum(at_risk.reshape(suffix.shape), 0.0)
    exposed = np.maximum(at_risk - censored / 2, deaths)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(deaths > 0, deaths / exposed, 0.0)
    return at_risk, hazard


def smooth_hazards(hazard, at_risk, widths, noise_sd, method):
    """Optional post-processing of the hazards: ``"isotonic"`` or ``"tv"``.

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
