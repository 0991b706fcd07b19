"""The privacy checks can fail: each planted bug is caught by the checks that guard against it.

Every mutant is a bug a reviewer planted once by hand; it lives here so that a
later change that blinds a check turns CI red.
"""

import math
from functools import partial
from unittest import mock

import numpy as np
import pytest

from statkit.privacy import GeometricMechanism
from statkit.survival import (
    DPKaplanMeier,
    _dp_edges,
    _dp_grid,
    _dp_kaplan_meier,
    _dp_noise,
)
from statkit.survival._event_table import number_at_risk
from tests.mutation import assert_caught
from tests.survival import privacy_checks as checks

S = checks.SETTINGS


def _noise_removed():
    original = _dp_kaplan_meier.noisy_counts

    def exact(counts, mechanism, epsilon, rng, *, simulate=False):
        if simulate:
            return original(counts, mechanism, epsilon, rng, simulate=True)
        return counts

    return mock.patch.object(_dp_kaplan_meier, "noisy_counts", exact)


def _noise_at_half_scale():
    def half(self, rng, shape):
        p = -math.expm1(-2 * self.epsilon / self.sensitivity)
        return rng.geometric(p, size=shape) - rng.geometric(p, size=shape)

    return mock.patch.object(GeometricMechanism, "_noise", half)


def _tree_sensitivity_one():
    def mechanism(epsilon, sensitivity=1):
        return GeometricMechanism(epsilon)

    return mock.patch.object(_dp_noise, "GeometricMechanism", mechanism)


def _scaled(module, name, factor):
    original = getattr(module, name)

    def scaled(values, epsilon, *args):
        return original(values, factor * epsilon, *args)

    return mock.patch.object(module, name, scaled)


def _leaky_release(leak):
    original = DPKaplanMeier._draw_release

    def draw(self, exact, noise_rng, band_rng):
        fitted = original(self, exact, noise_rng, band_rng)
        counts = exact.counts
        if exact.edges is None:
            counts = _dp_grid.coarsen(counts, fitted["time_edges_"])
        leak(fitted, counts)
        return fitted

    return mock.patch.object(DPKaplanMeier, "_draw_release", draw)


def _exact_risk_set(fitted, counts):
    fitted["n_at_risk_"] = number_at_risk(counts.total).astype(np.float64)


def _bootstrap_seeded_with_exact_count(fitted, counts):
    fitted["_band_seed"] = int(counts.total.sum())


def _exact_counts_kept(fitted, counts):
    fitted["_exact_counts"] = counts


def _band(transform):
    original = DPKaplanMeier._interval_at

    def interval(self, times, alpha):
        lower, upper = original(self, times, alpha)
        return transform(lower, upper)

    return mock.patch.object(DPKaplanMeier, "_interval_at", interval)


def _full(lower, upper):
    return np.stack([np.zeros_like(lower), np.ones_like(upper)])


def _scaled_width(factor):
    def transform(lower, upper):
        middle, half = (lower + upper) / 2, factor * (upper - lower) / 2
        return np.clip(np.stack([middle - half, middle + half]), 0, 1)

    return transform


def _partition_ends_at_the_last_patient():
    original = _dp_edges.private_partition

    def leaky(fine_totals, epsilon, theta, rng):
        # A bin edge at the exact last patient's cell: data-dependent, never paid for.
        leaves = original(fine_totals, epsilon, theta, rng)
        last = int(np.flatnonzero(fine_totals)[-1]) + 1
        return sorted({(a, b) for a, b in leaves if not a < last < b} | _cut(leaves, last))

    def _cut(leaves, cell):
        return {pair for a, b in leaves if a < cell < b for pair in ((a, cell), (cell, b))}

    return mock.patch.object(_dp_edges, "private_partition", leaky)


def _grouped_counts_at_full_epsilon():
    original = DPKaplanMeier._learn_grid

    def full(self, exact, rng):
        grid = original(self, exact, rng)
        return grid._replace(split=grid.split._replace(counts=self.epsilon))

    return mock.patch.object(DPKaplanMeier, "_learn_grid", full)


MUTANTS = {
    "partition cut at the exact last patient": (
        _partition_ends_at_the_last_patient,
        [partial(checks.check_post_processing, S["default rule"])],
    ),
    "fit_grouped releases each group's counts at all of epsilon": (
        _grouped_counts_at_full_epsilon,
        [checks.check_grouped_ledger],
    ),
    "noise removed": (
        _noise_removed,
        [
            partial(checks.check_ledger, S["public edges"]),
            partial(checks.check_post_processing, S["public edges"]),
        ],
    ),
    "noise at half scale": (
        _noise_at_half_scale,
        [
            partial(checks.check_count_noise_law, S["public edges"]),
            partial(checks.check_count_noise_law, S["default rule, t_max"]),
        ],
    ),
    "tree sensitivity 1 instead of its levels": (
        _tree_sensitivity_one,
        [partial(checks.check_sensitivity, S["tree"]), checks.check_tree_noise_variance],
    ),
    "patient count spends all of epsilon": (
        partial(_scaled, _dp_edges, "private_count", 1 / _dp_edges.COUNT_SHARE),
        [
            partial(checks.check_ledger, S["default rule, t_max"]),
            partial(checks.check_patient_count_noise_law, S["default rule, t_max"]),
        ],
    ),
    "partition noise at half scale": (
        lambda: mock.patch.object(_dp_edges, "NOISE_FACTOR", _dp_edges.NOISE_FACTOR / 2),
        [checks.check_partition_law],
    ),
    "partition scores without decay": (
        lambda: mock.patch.object(_dp_edges, "DECAY", 0.0),
        [checks.check_partition_loss_at_threshold],
    ),
    "partition spends twice its share": (
        partial(_scaled, _dp_edges, "private_partition", 2.0),
        [partial(checks.check_ledger, S["default rule"]), checks.check_partition_law],
    ),
    "exact risk set published as n_at_risk_": (
        partial(_leaky_release, _exact_risk_set),
        [
            partial(checks.check_post_processing, S["public edges"]),
            partial(checks.check_post_processing, S["default rule"]),
        ],
    ),
    "bootstrap seeded with the exact patient count": (
        partial(_leaky_release, _bootstrap_seeded_with_exact_count),
        [partial(checks.check_post_processing, S["default rule, t_max"])],
    ),
    "exact counts kept in the release": (
        partial(_leaky_release, _exact_counts_kept),
        [
            partial(checks.check_post_processing, S["public edges"]),
            checks.check_no_exact_count_in_pickle,
        ],
    ),
    "band of [0, 1]": (partial(_band, _full), [checks.check_band_coverage]),
    "band twice as wide": (partial(_band, _scaled_width(2.0)), [checks.check_band_coverage]),
    "band half as wide": (partial(_band, _scaled_width(0.5)), [checks.check_band_coverage]),
}


@pytest.mark.parametrize("mutant", MUTANTS)
def test_each_planted_bug_fails_its_checks(mutant):
    assert_caught(*MUTANTS[mutant])
