"""The optimize checks can fail: each planted bug is caught by the checks guarding it."""

import functools
from unittest import mock

import numpy as np
import pytest

from statkit.optimize import (
    _acquisition,
    _batch,
    _covariance,
    _entropy,
    _gp,
    _minimize,
    _noisy,
    _optimizer,
)
from tests.mutation import assert_caught
from tests.optimize import (
    checks,
    test_acquisition,
    test_batch,
    test_entropy,
    test_gp,
    test_minimize,
    test_noisy_kg,
    test_optimizer,
)


def _lengthscale_derivative_sign_flipped():
    original = _covariance.lengthscale_factor

    def lengthscale_factor(kernel, r2, outputscale):
        return -original(kernel, r2, outputscale)

    return mock.patch.object(_covariance, "lengthscale_factor", lengthscale_factor)


def _improvement_of_the_wrong_sign():
    original = _acquisition.log_h
    return mock.patch.object(_acquisition, "log_h", lambda z: original(-np.asarray(z)))


def _inputs_scaled_by_the_data_range():
    original = _gp.GaussianProcess._input_scaling

    def input_scaling(self, X):
        with mock.patch.object(self, "bounds", None):
            return original(self, X)

    return mock.patch.object(_gp.GaussianProcess, "_input_scaling", input_scaling)


def _rank_one_update_drops_the_cross_covariance():
    original = _gp.append_to_cholesky

    def append_to_cholesky(L, k, diagonal):
        return original(L, 0 * k, diagonal)

    return mock.patch.object(_gp, "append_to_cholesky", append_to_cholesky)


def _envelope_gain_at_half_scale():
    original = _noisy.expected_max_gain_rows

    def expected_max_gain_rows(*args):
        return 0.5 * original(*args)

    return mock.patch.object(_noisy, "expected_max_gain_rows", expected_max_gain_rows)


def _batch_draws_without_correlation():
    """qLogEI's joint draws from the diagonal of the covariance: the points drawn independently."""

    def batched_cholesky(S):
        return np.sqrt(np.diagonal(S, axis1=-2, axis2=-1))[..., None] * np.eye(S.shape[-1])

    return mock.patch.object(_batch, "_batched_cholesky", batched_cholesky)


def _min_values_from_independent_draws():
    """MES's minimum values from independent draws at the grid points, not joint ones."""
    original = _entropy._joint_minima

    def joint_minima(gp, points, n_samples, rng, max_tries=8):
        with mock.patch.object(
            gp, "posterior_covariance", lambda P: np.diag(gp.posterior(P)[1] ** 2)
        ):
            return original(gp, points, n_samples, rng, max_tries)

    return mock.patch.object(_entropy, "_joint_minima", joint_minima)


def _constraints_left_out_of_candidate_scoring():
    """The value-only path of the constrained log EI forgets the probability of feasibility."""
    return mock.patch.object(
        _acquisition.FeasibilityWeighted,
        "__call__",
        lambda self, U: self.base(U) if self.base is not None else np.zeros(len(U)),
    )


def _parallel_rounds_wait_for_the_slowest():
    from concurrent.futures import ALL_COMPLETED

    return mock.patch.object(_minimize, "FIRST_COMPLETED", ALL_COMPLETED)


def _jitter_back_at_one_in_a_million():
    return mock.patch.dict(_gp.GaussianProcess.__init__.__kwdefaults__, {"jitter": 1e-6})


def _converged_basins_never_excluded():
    return mock.patch.object(_optimizer, "_CONVERGED_DISTANCE", 0.0)


def _bound_tolerance_zero():
    # Only a coordinate that loses nothing at all leaves its bound: the rule is blind.
    return mock.patch.object(_acquisition, "_BOUND_TOLERANCE", -1e-300)


def _search_not_kept_out_of_excluded_basins():
    original = _acquisition._scores
    return mock.patch.object(
        _acquisition, "_scores", lambda acquisition, U, allowed: original(acquisition, U, None)
    )


_GP2 = test_batch.make_gp2()

MUTANTS = {
    "the GP's default jitter back at 1e-6": (
        _jitter_back_at_one_in_a_million,
        [test_gp.test_a_noise_free_model_interpolates_to_the_precision_the_jitter_allows],
    ),
    "converged basins never excluded": (
        _converged_basins_never_excluded,
        [
            test_optimizer.test_after_convergence_the_model_and_the_search_leave_the_basin,
            test_optimizer.test_a_converged_basin_is_left_for_a_deeper_one,
        ],
    ),
    "the search not kept out of the excluded basins": (
        _search_not_kept_out_of_excluded_basins,
        [test_optimizer.test_after_convergence_the_model_and_the_search_leave_the_basin],
    ),
    "coordinates kept on the bounds whatever they gain (no bound tolerance)": (
        _bound_tolerance_zero,
        [
            functools.partial(
                test_acquisition.test_a_coordinate_the_acquisition_barely_prefers_on_a_bound_stays_inside,
                0,
            ),
            test_batch.test_a_batch_coordinate_along_an_irrelevant_dimension_stays_off_the_bounds,
        ],
    ),
    "constrained log EI scored without the constraints": (
        _constraints_left_out_of_candidate_scoring,
        [test_acquisition.test_constrained_log_ei_formula_and_gradient],
    ),
    "q-batch log EI drawn without the correlation between points": (
        _batch_draws_without_correlation,
        [
            functools.partial(test_batch.test_two_points_match_brute_force_monte_carlo, _GP2),
            functools.partial(test_batch.test_duplicate_of_pending_point_adds_nothing, _GP2),
        ],
    ),
    "max-value entropy search with independent minimum-value draws": (
        _min_values_from_independent_draws,
        [test_entropy.test_min_value_samples_keep_the_correlation_of_a_noisy_posterior],
    ),
    "parallel evaluations in rounds that wait for the slowest": (
        _parallel_rounds_wait_for_the_slowest,
        [test_minimize.test_a_slow_evaluation_does_not_hold_up_the_others],
    ),
    "noisy EI / KG envelope gain at half scale": (
        _envelope_gain_at_half_scale,
        [
            test_noisy_kg.test_noisy_ei_reduces_to_ei_without_noise,
            test_noisy_kg.test_expected_max_gain_simple_cases,
        ],
    ),
    "lengthscale derivative of the kernel with the wrong sign": (
        _lengthscale_derivative_sign_flipped,
        [checks.check_log_posterior_gradient, checks.check_posterior_gradient],
    ),
    "expected improvement of best - f taken as f - best": (
        _improvement_of_the_wrong_sign,
        [checks.check_expected_improvement_closed_form],
    ),
    "inputs scaled by the data range instead of the given bounds": (
        _inputs_scaled_by_the_data_range,
        [checks.check_sklearn_parity],
    ),
    "rank-one update without the new point's cross-covariances": (
        _rank_one_update_drops_the_cross_covariance,
        [checks.check_rank_one_update],
    ),
}


@pytest.mark.parametrize("mutant", MUTANTS)
def test_each_planted_bug_fails_its_checks(mutant):
    assert_caught(*MUTANTS[mutant])
