"""q-batch log expected improvement (statkit.optimize._batch).

Tolerances: a scrambled-Sobol estimate is unbiased over the scrambling, and
its error is estimated, as usual for randomised QMC, by the spread of the
estimates over ``R = 16`` independent scramblings (seeds); the tests allow four
of those standard deviations (combined with the standard error of a plain
Monte-Carlo reference where there is one), plus the smoothing biases: at most
``tau (log 2 + 0.1)`` per sample from the fat softplus, and a factor at most
``exp(tau_max log(q + p))`` from the log-sum-exp max.
"""

from unittest import mock

import numpy as np
import pytest
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from statkit.optimize import GaussianProcess, _batch
from statkit.optimize._acquisition import ExpectedImprovement, SearchState
from statkit.optimize._batch import QLogExpectedImprovement, greedy_batch, optimize_batch

TAU = 1e-6
SOFTPLUS_BIAS = TAU * (np.log(2.0) + 0.1)


def _function(X):
    return np.sin(5.0 * X[:, 0]) + np.cos(3.0 * X[:, 1]) + X[:, 0] ** 2


def make_gp2():
    X = np.random.default_rng(0).random((12, 2))
    with threadpool_limits(1, user_api="blas"):  # tiny matrices: threads only cost
        # A fixed noise (about what MAP gives such data) keeps the test about the batch.
        return GaussianProcess(bounds=[(0, 1)] * 2, noise=0.02, random_state=0).fit(X, _function(X))


@pytest.fixture(scope="module")
def gp2():
    return make_gp2()


@pytest.fixture(scope="module")
def gp1():
    X = np.array([[0.05], [0.3], [0.5], [0.7], [0.95]])
    y = np.sin(10.0 * X[:, 0]) + X[:, 0]
    with threadpool_limits(1, user_api="blas"):
        return GaussianProcess(bounds=[(0, 1)], noise=0.02, random_state=0).fit(X, y)


def _state(gp, pending=None, seed=0):
    pending = np.empty((0, gp.X_train_.shape[1])) if pending is None else np.asarray(pending)
    return SearchState(gp.X_train_, gp.z_train_, pending, np.random.default_rng(seed))


def _ranked_points(gp, ranks):
    """Points of a random set, by rank of their analytic EI (0 is the largest)."""
    points = np.random.default_rng(1).random((400, gp.X_train_.shape[1]))
    ei = ExpectedImprovement(gp, _state(gp))(points)
    return points[np.argsort(-ei)[list(ranks)]]


def _rqmc_sd(gp, q, batches, n, pending=None, **kwargs):
    """Standard deviation of the estimate of qEI at ``batches`` over 16 scramblings."""
    estimates = [
        np.exp(QLogExpectedImprovement(gp, _state(gp, pending, seed), q, n, **kwargs)(batches))
        for seed in range(100, 116)
    ]
    return np.std(estimates, axis=0, ddof=1)


def test_one_point_matches_analytic_ei(gp2):
    n = 4096
    state = _state(gp2)
    U = _ranked_points(gp2, [0, 3, 6, 9, 12])
    acquisition = QLogExpectedImprovement(gp2, state, 1, n_samples=n, tau=TAU)
    estimate = np.exp(acquisition(U[:, None, :]))
    analytic = ExpectedImprovement(gp2, state)(U)
    assert np.all(analytic > 0.05)
    tolerance = 4.0 * _rqmc_sd(gp2, 1, U[:, None, :], n, tau=TAU) + SOFTPLUS_BIAS
    assert np.all(np.abs(estimate - analytic) <= tolerance), (estimate, analytic, tolerance)
    # The tolerance is that of QMC, far below the plain Monte-Carlo standard error.
    mean, std = gp2.posterior(U)
    z = (acquisition.best - mean) / std
    second_moment = std**2 * ((z * z + 1.0) * norm.cdf(z) + z * norm.pdf(z))
    assert np.all(tolerance < 0.1 * np.sqrt(second_moment - analytic**2) / np.sqrt(n))


def test_two_points_match_brute_force_monte_carlo(gp2):
    n, n_brute = 4096, 1_000_000
    state = _state(gp2)
    B = _ranked_points(gp2, [0, 8])
    tau_max = 1e-4
    acquisition = QLogExpectedImprovement(gp2, state, 2, n_samples=n, tau=TAU, tau_max=tau_max)
    estimate = np.exp(acquisition(B))
    mean, _ = gp2.posterior(B)
    cov = gp2.posterior_covariance(B) + 1e-8 * np.eye(2)
    draws = (
        mean + np.random.default_rng(2).standard_normal((n_brute, 2)) @ np.linalg.cholesky(cov).T
    )
    improvement = np.maximum(acquisition.best - draws.min(axis=1), 0.0)
    brute, sd = improvement.mean(), improvement.std()
    assert cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]) > 0.2  # the correlation matters
    rqmc_sd = _rqmc_sd(gp2, 2, B, n, tau=TAU, tau_max=tau_max)
    tolerance = (
        4.0 * np.sqrt(sd**2 / n_brute + rqmc_sd**2)
        + SOFTPLUS_BIAS
        + brute * np.expm1(tau_max * np.log(2.0))
    )
    assert abs(estimate - brute) <= tolerance, (estimate, brute, tolerance)
    # More than either point alone, less than both as if independent.
    single = ExpectedImprovement(gp2, state)(B)
    assert single.max() < estimate < single.sum()


def test_duplicate_of_pending_point_adds_nothing(gp2):
    n, tau_max = 4096, 1e-4
    pending = _ranked_points(gp2, [0])
    acquisition = QLogExpectedImprovement(
        gp2, _state(gp2, pending), 1, n_samples=n, tau=TAU, tau_max=tau_max
    )
    duplicate = np.exp(acquisition(pending))
    # The same base samples give the joint draws (free point first, then pending):
    # the improvement of the pending point alone, and how far the duplicate's draw
    # strays from it (the 1e-8 jitter), which bounds what the duplicate can add.
    both = np.vstack([pending, pending])
    cov = gp2.posterior_covariance(both) + 1e-8 * np.eye(2)
    draws = gp2.posterior(both)[0] + acquisition.base_samples @ np.linalg.cholesky(cov).T
    alone = np.maximum(acquisition.best - draws[:, 1], 0.0).mean()
    slack = (
        np.abs(draws[:, 0] - draws[:, 1]).mean()
        + SOFTPLUS_BIAS
        + alone * np.expm1(tau_max * np.log(2.0))
    )
    assert abs(duplicate - alone) <= slack
    assert slack < 1e-3 * alone
    # ... which is the pending point's analytic EI, up to the QMC error.
    ei_pending = ExpectedImprovement(gp2, _state(gp2))(pending)[0]
    qmc_error = 4.0 * _rqmc_sd(gp2, 1, pending, n, pending, tau=TAU, tau_max=tau_max)
    assert abs(duplicate - ei_pending) <= qmc_error + slack
    # A repeated point within one batch (no pending points) adds nothing either.
    twice = QLogExpectedImprovement(gp2, _state(gp2), 2, n_samples=n, tau=TAU, tau_max=tau_max)
    assert abs(np.exp(twice(both)) - ei_pending) <= qmc_error + slack
    # A point with some improvement of its own, away from the pending one, adds to it.
    other = _ranked_points(gp2, [8])
    assert np.linalg.norm(other - pending) > 0.1
    assert np.exp(acquisition(other)) > alone + qmc_error + slack


@pytest.mark.parametrize(("fat", "tau"), [(True, TAU), (False, TAU), (True, 1e-3)])
def test_gradient_matches_finite_differences(gp2, fat, tau):
    pending = np.random.default_rng(3).random((2, 2))
    acquisition = QLogExpectedImprovement(gp2, _state(gp2, pending), 3, tau=tau, fat=fat)
    B = np.vstack([_ranked_points(gp2, [0, 8]), [[0.5, 0.5]]])
    value, grad = acquisition.value_and_gradient(B)
    assert grad.shape == (3, 2)
    flat_value, flat_grad = acquisition.value_and_gradient(B.ravel())
    assert flat_value == value
    assert flat_grad.shape == (6,)
    np.testing.assert_array_equal(flat_grad, grad.ravel())
    h = 1e-6
    numeric = np.empty(6)
    for i in range(6):
        step = np.zeros(6)
        step[i] = h
        numeric[i] = (acquisition(B.ravel() + step) - acquisition(B.ravel() - step)) / (2 * h)
    # The central difference errs by O(h^2 f''') plus rounding eps |f| / h.
    np.testing.assert_allclose(grad.ravel(), numeric, rtol=1e-5, atol=1e-6 * np.abs(value) + 1e-7)


def test_vectorised_evaluation_and_determinism(gp2):
    acquisition = QLogExpectedImprovement(gp2, _state(gp2, [[0.2, 0.8]]), 2)
    batches = np.random.default_rng(4).random((5, 2, 2))
    values, grads = acquisition.value_and_gradient(batches)
    assert values.shape == (5,)
    assert grads.shape == (5, 2, 2)
    for b, value, grad in zip(batches, values, grads, strict=True):
        single_value, single_grad = acquisition.value_and_gradient(b)
        np.testing.assert_allclose(single_value, value, rtol=1e-12)
        np.testing.assert_allclose(single_grad, grad, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(acquisition(batches), values)
    again = QLogExpectedImprovement(gp2, _state(gp2, [[0.2, 0.8]]), 2)
    np.testing.assert_array_equal(again(batches), values)


def test_invalid_arguments(gp2):
    with pytest.raises(ValueError, match="q must be"):
        QLogExpectedImprovement(gp2, _state(gp2), 0)
    acquisition = QLogExpectedImprovement(gp2, _state(gp2), 2)
    with pytest.raises(ValueError, match="Expected"):
        acquisition(np.zeros((3, 2)))


def _min_gap(points):
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    return distances[np.triu_indices(len(points), 1)].min()


def test_optimize_batch_spreads_out_and_avoids_pending(gp1):
    grid = np.linspace(0, 1, 1001)[:, None]
    single = grid[np.argmax(ExpectedImprovement(gp1, _state(gp1))(grid))]
    batch = optimize_batch(gp1, _state(gp1), 3, rng=0)
    assert batch.shape == (3, 1)
    assert np.all((batch >= 0) & (batch <= 1))
    # Distinct and spread around the one-point maximiser rather than piled on it
    # (the lengthscale is about 0.1).
    assert _min_gap(batch) > 0.02
    assert np.ptp(batch) > 0.05
    assert np.sum(np.abs(batch - single) < 0.01) <= 1
    # Deterministic given the seeds; better than the one-point choice repeated.
    np.testing.assert_array_equal(optimize_batch(gp1, _state(gp1), 3, rng=0), batch)
    acquisition = QLogExpectedImprovement(gp1, _state(gp1), 3)
    assert acquisition(batch) > acquisition(np.repeat(single[None], 3, axis=0)) + 0.05
    # With the maximiser pending, no point lands on it.
    for points in (
        optimize_batch(gp1, _state(gp1, single[None]), 2, rng=1),
        greedy_batch(gp1, _state(gp1, single[None]), 2, rng=1),
    ):
        assert points.shape == (2, 1)
        assert np.all(np.abs(points - single) > 0.01)
        assert _min_gap(points) > 0.01


def test_large_batches_go_sequential(gp1, monkeypatch):
    calls = []

    def fake_greedy(gp, state, q, rng, *args, **kwargs):
        calls.append(q)
        return np.zeros((q, 1))

    monkeypatch.setattr(_batch, "greedy_batch", fake_greedy)
    assert optimize_batch(gp1, _state(gp1), 9, rng=0).shape == (9, 1)
    assert calls == [9]


def test_a_transposed_batch_is_rejected(gp2):
    acquisition = QLogExpectedImprovement(gp2, _state(gp2), 3)
    with pytest.raises(ValueError, match=r"got \(2, 3\)"):
        acquisition(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"got \(4, 2, 3\)"):
        acquisition.value_and_gradient(np.zeros((4, 2, 3)))


def test_a_batch_coordinate_along_an_irrelevant_dimension_stays_off_the_bounds():
    # f depends on x0 only: x1's lengthscale is long, qLogEI grows along x1 only with the
    # distance to the data, and the local search runs x1 to a bound; the rule moves it back.
    X = np.random.default_rng(3).random((8, 2))
    gp = GaussianProcess(bounds=[(0, 1)] * 2, random_state=0).fit(X, np.sin(6 * X[:, 0]))
    assert gp.hyperparameters_.lengthscales[1] > 10

    def batch():
        state = SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(0))
        return optimize_batch(gp, state, 2, rng=0)

    def kept(acquisition, x, start, value, allowed):
        return x, value

    with mock.patch.object(_batch, "off_the_bounds", kept):
        on_the_bounds = batch()[:, 1]
    moved = batch()[:, 1]
    assert np.all((on_the_bounds == 0.0) | (on_the_bounds == 1.0))
    assert np.all((moved > 0.0) & (moved < 1.0))
