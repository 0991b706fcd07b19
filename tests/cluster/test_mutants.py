"""The clustering checks can fail: each planted bug is caught by the checks guarding it."""

import contextlib
from unittest import mock

import numpy as np
import pytest

from statkit.cluster import _cost, _gaussian, _ila_sdp, _kernels, _solvers
from tests.cluster import checks
from tests.mutation import assert_caught


@contextlib.contextmanager
def _patched_costs(likelihood_costs):
    """Replace ``likelihood_costs`` where it is defined and where iLA-SDP calls it."""
    with (
        mock.patch.object(_cost, "likelihood_costs", likelihood_costs),
        mock.patch.object(_ila_sdp, "likelihood_costs", likelihood_costs),
    ):
        yield


def _offsets_dropped():
    original = _cost.likelihood_costs

    def likelihood_costs(X, covariances, weights=None):
        costs = original(X, covariances, weights)
        return _cost.BlockCosts(costs.a, costs.factors, 0 * costs.offsets, costs.traces)

    return _patched_costs(likelihood_costs)


def _covariances_ignored_in_the_cost():
    original = _cost.likelihood_costs

    def likelihood_costs(X, covariances, weights=None):
        return original(X, np.broadcast_to(np.eye(X.shape[1]), covariances.shape), weights)

    return _patched_costs(likelihood_costs)


def _no_penalty_on_the_row_sums():
    return mock.patch.object(_solvers, "_INITIAL_PENALTY", 0.0)


def _trace_doubled():
    original = _kernels.burer_monteiro

    def burer_monteiro(a, F, c, traces, *args):
        return original(a, F, c, 2 * traces, *args)

    return mock.patch.object(_solvers._kernels, "burer_monteiro", burer_monteiro)


def _gradient_sign_flipped():
    original = _kernels.lagrangian

    def lagrangian(U, a, F, c, y, beta, G, v):
        value = original(U, a, F, c, y, beta, G, v)
        G[:] = -G
        return value

    return mock.patch.object(_kernels, "lagrangian", lagrangian)


def _covariances_not_reestimated():
    original = _gaussian.fit_components

    def fit_components(X, labels, n_clusters, ridge):
        fitted = original(X, labels, n_clusters, ridge)
        spherical = np.broadcast_to(np.eye(X.shape[1]), fitted.covariances.shape)
        return _gaussian.GaussianComponents(fitted.means, spherical, fitted.weights)

    return mock.patch.object(_ila_sdp, "fit_components", fit_components)


def _posterior_without_weights():
    original = _gaussian.GaussianComponents.log_joint

    def log_joint(self, X, use_weights=True):
        return original(self, X, use_weights=False)

    return mock.patch.object(_gaussian.GaussianComponents, "log_joint", log_joint)


MUTANTS = {
    "log-determinant and weight offsets left out of the LA-SDP cost": (
        _offsets_dropped,
        [checks.check_cost_of_partition],
    ),
    "covariances ignored in the LA-SDP cost": (
        _covariances_ignored_in_the_cost,
        [checks.check_cost_of_partition, checks.check_beats_kmeans_on_setting_a],
    ),
    "no penalty on the row-sum constraints": (
        _no_penalty_on_the_row_sums,
        [checks.check_bm_matches_cvxpy, checks.check_peng_wei_matches_cvxpy],
    ),
    "trace constraint doubled in the BM solver": (
        _trace_doubled,
        [checks.check_bm_matches_cvxpy, checks.check_peng_wei_matches_cvxpy],
    ),
    "gradient of the augmented Lagrangian with the wrong sign": (
        _gradient_sign_flipped,
        [checks.check_lagrangian_gradient],
    ),
    "covariances not re-estimated between rounds": (
        _covariances_not_reestimated,
        [checks.check_beats_kmeans_on_setting_a],
    ),
    "posterior probabilities without the mixing weights": (
        _posterior_without_weights,
        [checks.check_posterior_matches_gaussian_mixture],
    ),
}


@pytest.mark.parametrize("mutant", MUTANTS)
def test_each_planted_bug_fails_its_checks(mutant):
    assert_caught(*MUTANTS[mutant])
