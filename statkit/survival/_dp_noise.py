"""The private step: discrete Laplace noise on bin counts, flat or on a binary tree.

:func:`noisy_counts` is the only place where the exact bin counts meet the
privacy noise. Each patient lies in one bin of one of the two count vectors.
``"flat"`` adds noise to every count (L1 sensitivity 1); ``"tree"`` adds it to
every node of a binary tree of partial sums (sensitivity = number of levels)
and returns least-squares consistent leaves. With ``simulate=True`` the same
noise law is drawn for a bootstrap replicate: that is simulation, not a
release, and goes through no mechanism's ``randomise``.
"""

import math

import numpy as np

from statkit.privacy import GeometricMechanism
from statkit.survival._dp_grid import Counts

MECHANISMS = ("flat", "tree")


def noisy_counts(counts, mechanism, epsilon, rng, *, simulate=False):
    """Release ``counts`` (a :class:`Counts`, with leading replicate axes allowed) under ε-DP.

    Parameters
    ----------
    counts : Counts
        Exact integer counts per bin.
    mechanism : {"flat", "tree"}
        How the noise is added.
    epsilon : float
        Privacy loss of the release.
    rng : numpy.random.Generator
        The noise stream.
    simulate : bool, default=False
        Draw the noise for a simulated replicate instead of releasing.

    Returns
    -------
    Counts
        Noisy counts: int64 for ``"flat"``, consistent floats for ``"tree"``.
    """
    levels = tree_levels(counts.deaths.shape[-1]) if mechanism == "tree" else 1
    noise = GeometricMechanism(epsilon, sensitivity=levels)

    def perturb(values):
        if simulate:
            return values + noise.sample_noise(values.shape, rng)
        return noise.randomise(values, rng)

    if mechanism == "flat":
        return Counts(perturb(counts.deaths), perturb(counts.censored))
    return Counts(*(_tree_release(values, perturb) for values in counts))


def count_noise_std(mechanism, n_bins, epsilon):
    """Approximate noise standard deviation of one released bin count.

    A tree leaf is averaged from log-many nodes, so its sd is about that of one node.
    """
    levels = tree_levels(n_bins) if mechanism == "tree" else 1
    return GeometricMechanism(epsilon, sensitivity=levels).noise_std


def tree_levels(n_bins):
    """Number of levels of the binary tree over ``n_bins`` leaves (padded to a power of 2)."""
    return max(1, math.ceil(math.log2(n_bins))) + 1


def tree_nodes(leaves):
    """All node sums of the binary tree, leaves first, as a list of arrays per level."""
    levels = [leaves]
    while levels[-1].shape[-1] > 1:
        level = levels[-1]
        levels.append(level[..., 0::2] + level[..., 1::2])
    return levels


def _tree_release(values, perturb):
    n_bins = values.shape[-1]
    width = 2 ** (tree_levels(n_bins) - 1)
    padded = np.zeros((*values.shape[:-1], width), dtype=np.int64)
    padded[..., :n_bins] = values
    noisy = [perturb(level) for level in tree_nodes(padded)]
    return consistent_leaves(noisy)[..., :n_bins]


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
