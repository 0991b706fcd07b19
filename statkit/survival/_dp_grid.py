"""Public time grids and the exact counts of deaths and censorings on them.

The counts here are exact, hence sensitive: they feed a privacy mechanism and
are never released themselves. Without public edges, patients are counted on a
public fine grid (64 cells per octave on ``[2^-10, 2^30)``, one cell below it,
including 0, and one above it); counts on it are additive, so shards merge
exactly, and learned edges are unions of its cells.
"""

from typing import NamedTuple

import numpy as np

FINE_PER_OCTAVE = 64
FINE_LOW, FINE_HIGH = -10, 30
N_FINE = FINE_PER_OCTAVE * (FINE_HIGH - FINE_LOW) + 2


class Counts(NamedTuple):
    """Deaths and censorings per bin (exact or noisy, say the names that hold them)."""

    deaths: np.ndarray
    censored: np.ndarray

    def __add__(self, other):
        """Element-wise sum of two count vectors (not tuple concatenation)."""
        return Counts(self.deaths + other.deaths, self.censored + other.censored)

    @property
    def total(self):
        """Patients per bin."""
        return self.deaths + self.censored


class ExactCounts(NamedTuple):
    """SENSITIVE: the exact counts of a ``DPKaplanMeier`` accumulator, never to be published.

    ``edges`` is None when the counts are on the public fine grid.
    """

    edges: np.ndarray | None
    counts: Counts


def empty_counts(edges):
    """Zero counts on ``edges``, or on the fine grid when ``edges`` is None."""
    size = N_FINE if edges is None else edges.size - 1
    return ExactCounts(edges, Counts(np.zeros(size, np.int64), np.zeros(size, np.int64)))


def count_patients(data, edges):
    """Exact :class:`ExactCounts` of validated survival data on ``edges`` (None: fine grid)."""
    if edges is None:
        counts = fine_counts(data.time, data.event)
    else:
        counts = bin_counts(data.time, data.event, edges)
    return ExactCounts(edges, counts)


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
    return Counts(deaths.astype(np.int64), censored.astype(np.int64))


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
    return Counts(deaths.astype(np.int64), censored.astype(np.int64))


def snap_edges(horizon, n_bins):
    """``n_bins`` equal bins on ``[0, horizon]``, each edge moved to the nearest fine edge."""
    lower = fine_lower_edges()
    target = np.linspace(0.0, horizon, n_bins + 1)
    edges = np.unique(lower[np.abs(lower[:, None] - target).argmin(axis=0)])
    return edges if edges.size >= 2 else lower[:2]


def coarsen(fine, edges):
    """Fine-grid counts summed into the bins of snapped ``edges``.

    Cells at or past the last edge count as censored in the last bin, as
    :func:`bin_counts` counts times beyond the last edge.
    """
    lower = fine_lower_edges()
    beyond = lower >= edges[-1]
    cell_to_bin = np.clip(np.searchsorted(edges, lower, side="right") - 1, 0, edges.size - 2)

    def merge(cells):
        return np.bincount(cell_to_bin, weights=cells, minlength=edges.size - 1).astype(np.int64)

    deaths = np.where(beyond, 0, fine.deaths)
    censored = fine.censored + np.where(beyond, fine.deaths, 0)
    return Counts(merge(deaths), merge(censored))
