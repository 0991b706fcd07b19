"""Private bin edges: what the default rule learns from the data, and what it pays.

When the edges are not public, a release first buys a noisy patient count
(:func:`private_count`), which sets the number of bins, and, without a public
horizon, a private horizon (:func:`private_horizon`), with a share of ε chosen
from that noisy count (:func:`horizon_epsilon`). :func:`private_grid` returns
the edges, the exact counts on them for the counts mechanism, and the
:class:`EpsilonSplit` of the release; the shares add up to ε (adaptive
sequential composition).
"""

import math
import warnings
from typing import NamedTuple

import numpy as np

from statkit.privacy import GeometricMechanism, exponential_mechanism
from statkit.survival._dp_grid import (
    N_FINE,
    Counts,
    coarsen,
    fine_lower_edges,
    snap_edges,
)
from statkit.survival._event_table import number_at_risk

# Candidate horizons are every 8th fine edge (1/8 octave, about 9% apart).
HORIZON_STEP = 8
# The horizon is this public multiple of the time at which k patients are still followed.
HORIZON_FACTOR = 2.0
# Share of epsilon spent on the patient count that sets the number of bins.
COUNT_SHARE = 0.02


class EpsilonSplit(NamedTuple):
    """How one release divides its ε: noisy patient count, private horizon, bin counts."""

    patient_count: float
    horizon: float
    counts: float


class PrivateGrid(NamedTuple):
    """The edges of one release, the exact counts on them, and what they cost.

    ``exact`` is sensitive: it goes to the counts mechanism and nowhere else.
    """

    edges: np.ndarray
    exact: Counts
    split: EpsilonSplit
    noisy_n_patients: int | None


def private_grid(counts, epsilon, *, t_max, n_bins, horizon_share, rng):
    """Edges for one release: public ones as they are, else learned privately.

    Parameters
    ----------
    counts : ExactCounts
        The exact counts, on public edges or on the fine grid.
    epsilon : float
        The ε of the whole release.
    t_max : float or None
        A public horizon.
    n_bins : int or None
        A public number of bins.
    horizon_share : float
        Least share of ε for the private horizon.
    rng : numpy.random.Generator
        The privacy noise stream.

    Returns
    -------
    PrivateGrid
    """
    if counts.edges is not None:
        return PrivateGrid(counts.edges, counts.counts, EpsilonSplit(0.0, 0.0, epsilon), None)
    fine = counts.counts
    count_epsilon = COUNT_SHARE * epsilon
    n_hat = private_count(int(fine.total.sum()), count_epsilon, rng)
    horizon, horizon_eps = t_max, 0.0
    if t_max is None:
        horizon_eps = horizon_epsilon(n_hat, epsilon, horizon_share)
        if horizon_target(horizon_eps) > n_hat / 2:
            warnings.warn(
                f"The private horizon is unreliable with about {max(n_hat, 0)} patients at "
                f"epsilon={epsilon}: pass a public t_max (the study's follow-up).",
                UserWarning,
                stacklevel=6,
            )
        horizon = private_horizon(fine.total, horizon_eps, rng)
    counts_eps = epsilon - count_epsilon - horizon_eps
    edges = snap_edges(float(horizon), n_bins or default_n_bins(n_hat, counts_eps))
    split = EpsilonSplit(count_epsilon, horizon_eps, counts_eps)
    return PrivateGrid(edges, coarsen(fine, edges), split, n_hat)


def private_count(total, epsilon, rng):
    """The number of patients with discrete Laplace noise (sensitivity 1)."""
    return int(GeometricMechanism(epsilon).randomise(np.int64(total), rng))


def private_horizon(fine_totals, epsilon, rng):
    """A private follow-up horizon from exact patient counts on the fine grid.

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
    cuts = horizon_candidates()
    beyond = number_at_risk(fine_totals)
    at_or_beyond, before = beyond[cuts], beyond[np.r_[0, cuts[:-1]]]
    k = horizon_target(epsilon)
    utility = -np.maximum(at_or_beyond - k, 0) - np.maximum(k - before, 0)
    choice = exponential_mechanism(utility, epsilon, rng)
    return min(HORIZON_FACTOR * lower[cuts[choice]], lower[-1])


def horizon_candidates():
    """Fine-grid indices of the candidate horizon anchors."""
    return np.arange(1, N_FINE, HORIZON_STEP)


def horizon_target(epsilon):
    """The public number ``k`` of patients left beyond the private horizon's anchor."""
    return math.ceil(2 * (math.log(horizon_candidates().size) + 6) / epsilon)


def horizon_epsilon(n_patients, epsilon, share):
    """ε for the private horizon: ``share * ε``, raised up to ``ε / 2`` for small studies.

    The horizon is reliable when ``k = horizon_target(ε_h)`` is at most an
    eighth of the patients, i.e. ``ε_h >= 16 (log #candidates + 6) / n``. The
    share is chosen from the noisy count ``n`` (a private output), so the total
    stays ``ε`` (adaptive sequential composition). ``share`` is at most 1/2.
    """
    needed = 8 * horizon_target(1.0) / max(n_patients, 1)
    return max(share * epsilon, min(0.5 * epsilon, needed))


def default_n_bins(n_patients, epsilon):
    """Public rule for the number of bins: ``clip(round(0.8 sqrt(n ε)), 4, 64)``."""
    return int(np.clip(round(0.8 * math.sqrt(max(n_patients, 1) * epsilon)), 4, 64))
