"""The SDP solvers: agreement of Burer–Monteiro with cvxpy, the cost, the kernels, the GPU twin."""

import numpy as np
import pytest

from statkit.cluster import _kernels
from statkit.cluster._cost import kmeans_costs
from statkit.cluster._solvers import resolve_solver, solve_bm, warm_start
from tests.cluster import checks


def test_bm_matches_cvxpy_on_the_la_sdp():
    checks.check_bm_matches_cvxpy()


def test_bm_matches_cvxpy_on_the_peng_wei_sdp():
    checks.check_peng_wei_matches_cvxpy()


@pytest.mark.nojit
def test_cost_of_a_partition_is_the_profiled_likelihood():
    checks.check_cost_of_partition()


@pytest.mark.nojit
def test_lagrangian_gradient_matches_finite_differences():
    checks.check_lagrangian_gradient()


@pytest.mark.nojit
def test_projection_onto_the_nonnegative_sphere():
    U = np.array([[[3.0, -1.0], [-2.0, 4.0]], [[-1.0, -3.0], [-0.5, -2.0]]])
    _kernels.project(U, np.array([1.0, 4.0]))
    np.testing.assert_allclose(U[0], np.array([[3.0, 0.0], [0.0, 4.0]]) / 5.0)
    # No positive entry: the closest point of the set is the largest entry at sqrt(trace).
    np.testing.assert_allclose(U[1], [[0.0, 0.0], [2.0, 0.0]])


def test_warm_start_of_a_partition_is_feasible():
    labels = np.array([0, 0, 1, 2, 2, 2])
    costs = kmeans_costs(np.arange(12.0).reshape(6, 2), 3)
    U = warm_start(labels, 3, costs, 6, np.random.default_rng(0))
    Z = U[0] @ U[0].T
    np.testing.assert_allclose(Z.sum(axis=1), 1.0, atol=0.05)
    np.testing.assert_allclose(np.trace(Z), 3.0, atol=0.05)


def test_auto_takes_cvxpy_only_for_small_problems():
    assert resolve_solver("auto", 40) == "cvxpy"
    assert resolve_solver("auto", 41) == "bm"
    assert resolve_solver("cvxpy", 5000) == "cvxpy"


def test_constant_data_is_rejected():
    costs = kmeans_costs(np.ones((10, 2)), 2)
    with pytest.raises(ValueError, match="no spread"):
        solve_bm(costs, np.ones((1, 10, 4)))


def test_strict_namespace_solves_like_numba(strict_xp):
    """The GPU twin (_cupy.py) under array-api-strict: same labels, same value to 1e-4.

    The two paths add in different orders, so they take different numbers of
    steps and stop at different points whose row sums are each within
    ``feasibility_tol`` = 1e-4 of 1; that moves the objective by up to about
    that relative amount (measured: 1.4e-5, 1074 against 1333 steps).
    """
    _, labels, costs = checks.agreement_problem(0)
    start = warm_start(labels, 3, costs, 2, np.random.default_rng(0))
    cpu = solve_bm(costs, start)
    strict = solve_bm(costs, start, xp=strict_xp)
    np.testing.assert_array_equal(strict.membership.argmax(1), cpu.membership.argmax(1))
    np.testing.assert_allclose(strict.objective, cpu.objective, rtol=1e-4)
    np.testing.assert_allclose(strict.membership, cpu.membership, atol=1e-3)
    assert strict.converged
    assert strict.violation < 1e-4


def test_strict_namespace_projects_an_all_negative_block(strict_xp):
    from statkit.cluster._cupy import _project

    U = strict_xp.asarray([[[-1.0, -3.0], [-0.5, -2.0]]])
    projected = _project(U, strict_xp.asarray([4.0]), strict_xp)
    np.testing.assert_allclose(np.asarray(projected)[0], [[0.0, 0.0], [2.0, 0.0]])
