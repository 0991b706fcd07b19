"""Private bin edges: what the default rule learns from the data, and what it pays.

When the edges are not public, a release first buys a noisy patient count
(:func:`private_count`). With a public horizon ``t_max`` that count sets the
number of equal bins. Without one, a private partition of the public fine grid
(:func:`private_partition`, PrivTree) chooses the bins itself: many where the
patients are, one wide bin where there are none, with no horizon and no depth
to choose. :func:`private_grid` returns the edges, the exact counts on them for
the counts mechanism, and the :class:`EpsilonSplit` of the release; the shares
add up to ε (adaptive sequential composition).
"""

import math
from typing import NamedTuple

import numpy as np

from statkit.privacy import GeometricMechanism, LaplaceMechanism
from statkit.survival._dp_grid import (
    N_FINE,
    Counts,
    coarsen,
    fine_lower_edges,
    snap_edges,
)

# Share of epsilon spent on the patient count that sets the number of bins.
COUNT_SHARE = 0.02
# partition_share="auto": clip(PARTITION_SCALE / sqrt(n ε), *PARTITION_SHARES), a larger
# share for small studies, whose partition is otherwise too coarse.
PARTITION_SCALE = 3.2
PARTITION_SHARES = (0.2, 0.35)
# A partition's bins should hold about LEAF_SCALE * sqrt(n / eps_counts) patients,
# as the equal bins of the public-horizon rule do (n / (0.8 sqrt(n eps))).
LEAF_SCALE = 1.25
# Nodes spanning at most this ratio of times (two octaves) are halved in time,
# wider ones in log-time: survival curves are drawn on a linear time axis.
LINEAR_SPAN = 4.0
# PrivTree's decay per level, in units of its noise scale λ (their δ = λ ln β, here
# β = 4), and the noise scale it implies: λ = (1 + 1 / (1 - e^-DECAY)) / ε = 7 / (3 ε).
# β = 4 rather than the paper's 2 (measured on the benchmark's five data sets): empty
# regions are split by chance with probability e^-DECAY / 2 = 1/8 instead of 1/4, so
# fewer empty bins add their noise to the risk sets.
DECAY = math.log(4)
NOISE_FACTOR = 1 + 1 / (1 - math.exp(-DECAY))


class EpsilonSplit(NamedTuple):
    """How one release divides its ε: noisy patient count, private partition, bin counts."""

    patient_count: float
    partition: float
    counts: float


class PrivateGrid(NamedTuple):
    """The edges of one release, the exact counts on them, and what they cost.

    ``exact`` is sensitive: it goes to the counts mechanism and nowhere else.
    """

    edges: np.ndarray
    exact: Counts
    split: EpsilonSplit
    noisy_n_patients: int | None


def private_grid(counts, epsilon, *, t_max, n_bins, partition_share, rng):
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
        A public number of bins (used with ``t_max``).
    partition_share : float or "auto"
        Share of ε for the private partition when ``t_max`` is None
        (:func:`auto_partition_share` for ``"auto"``).
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
    if t_max is not None:
        partition_epsilon = 0.0
    elif partition_share == "auto":
        partition_epsilon = auto_partition_share(n_hat, epsilon) * epsilon
    else:
        partition_epsilon = partition_share * epsilon
    counts_eps = epsilon - count_epsilon - partition_epsilon
    if t_max is not None:
        edges = snap_edges(float(t_max), n_bins or default_n_bins(n_hat, counts_eps))
    else:
        theta = LEAF_SCALE * math.sqrt(max(n_hat, 1) / counts_eps)
        leaves = private_partition(fine.total, partition_epsilon, theta, rng)
        edges = partition_edges(leaves)
    split = EpsilonSplit(count_epsilon, partition_epsilon, counts_eps)
    return PrivateGrid(edges, coarsen(fine, edges), split, n_hat)


def auto_partition_share(n_patients, epsilon):
    """The default share of ε for the partition: ``clip(3.2 / sqrt(n ε), 0.2, 0.35)``.

    ``n`` is the noisy patient count (a private output), so the total stays ε.
    """
    share = PARTITION_SCALE / math.sqrt(max(n_patients, 1) * epsilon)
    return min(max(share, PARTITION_SHARES[0]), PARTITION_SHARES[1])


def private_count(total, epsilon, rng):
    """The number of patients with discrete Laplace noise (sensitivity 1)."""
    return int(GeometricMechanism(epsilon).randomise(np.int64(total), rng))


def private_partition(fine_totals, epsilon, theta, rng):
    """PrivTree over the public fine grid: the cell ranges of its leaves, in time order.

    Zhang, Xiao & Xie, "PrivTree: a differentially private algorithm for
    hierarchical decompositions", SIGMOD 2016 (Algorithm 2, fanout 2). A node
    of depth ``d`` holding ``c`` patients is split when
    ``max(c - d δ, θ - δ) + Lap(λ) > θ``, with ``δ = λ ln 4`` and
    ``λ = 7 / (3 ε)``; a patient changes ``c`` by 1 on one root-to-leaf path, and
    the decay ``δ`` makes the privacy losses along that path sum to at most
    ``ε`` whatever the depth (their Theorem 3.2: ``ε = (2β - 1) / ((β - 1) λ)``
    with ``β = e^(δ/λ)``). A single fine cell is not
    split (a public cap: post-processing). Nodes wider than two octaves are
    halved in log-time, narrower ones in time.

    Parameters
    ----------
    fine_totals : ndarray of shape (N_FINE,)
        SENSITIVE exact numbers of patients in each fine cell.
    epsilon : float
        The partition's ε.
    theta : float
        The public split threshold (about the number of patients of a bin).
    rng : numpy.random.Generator
        The privacy noise stream.

    Returns
    -------
    leaves : list of (first cell, end cell)
    """
    # Not an L1 sensitivity: each score on the path moves by 1, and the decay
    # bounds the sum of the losses by epsilon.
    noise = LaplaceMechanism(epsilon, sensitivity=NOISE_FACTOR)
    decay = DECAY * noise.scale
    prefix = np.r_[0, np.cumsum(fine_totals)]
    leaves, stack = [], [(0, N_FINE, 0)]
    while stack:
        first, end, depth = stack.pop()
        score = max(prefix[end] - prefix[first] - depth * decay, theta - decay)
        if end - first > 1 and noise.randomise(score, rng) > theta:
            middle = split_cell(first, end)
            stack += [(middle, end, depth + 1), (first, middle, depth + 1)]
        else:
            leaves.append((first, end))
    return sorted(leaves)


def split_cell(first, end):
    """Where a node of fine cells ``[first, end)`` is halved (public: depends on the node)."""
    lower = fine_lower_edges()
    low, high = lower[first], (lower[end] if end < N_FINE else math.inf)
    if low > 0 and high / low <= LINEAR_SPAN:
        middle = np.searchsorted(lower, (low + high) / 2)
        return int(np.clip(middle, first + 1, end - 1))
    return (first + end) // 2


def partition_edges(leaves):
    """Bin edges from a partition's leaves: each leaf narrower than two octaves is halved.

    Halving is public post-processing of the tree: a leaf that narrow lies
    where the partition found patients, and the equal-bin rule shows that two
    bins there beat one wide bin.
    """
    lower = fine_lower_edges()
    starts = []
    for first, end in leaves:
        starts.append(first)
        narrow = end < N_FINE and lower[first] > 0 and lower[end] / lower[first] <= LINEAR_SPAN
        if narrow and end - first > 1:
            starts.append(split_cell(first, end))
    return np.r_[lower[np.unique(starts)], lower[-1]]


def default_n_bins(n_patients, epsilon):
    """Public rule for the number of bins: ``clip(round(0.8 sqrt(n ε)), 4, 64)``."""
    return int(np.clip(round(0.8 * math.sqrt(max(n_patients, 1) * epsilon)), 4, 64))
