"""The constrained (feasibility-weighted) log EI, and the maximisation of an acquisition."""

import numpy as np
import pytest
from scipy.special import log_ndtr

from statkit.optimize import GaussianProcess
from statkit.optimize._acquisition import (
    FeasibilityWeighted,
    LogExpectedImprovement,
    SearchState,
    maximize,
)


def _fitted(values, seed):
    X = np.random.default_rng(seed).random((9, 2))
    return GaussianProcess(bounds=[(0, 1)] * 2, random_state=0).fit(X, values(X))


def test_constrained_log_ei_formula_and_gradient():
    gp = _fitted(lambda X: np.sin(4 * X).sum(axis=1), 0)
    state = SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(0))
    constraint = _fitted(lambda X: 1.0 - X.sum(axis=1), 0)
    threshold = (0.0 - constraint.y_mean_) / constraint.y_std_
    base = LogExpectedImprovement(gp, state)
    acquisition = FeasibilityWeighted(base, [(constraint, threshold)])
    # Near the data, where log EI is of order one (far away it is of order -1e4, and so
    # are its slopes, beyond what finite differences resolve).
    U = np.clip(gp.X_train_[:6] + np.random.default_rng(1).normal(scale=0.05, size=(6, 2)), 0, 1)
    mean, std = constraint.posterior(U)
    expected = base(U) + log_ndtr((mean - threshold) / std)
    np.testing.assert_allclose(acquisition(U), expected, rtol=1e-12)
    value, grad = acquisition.value_and_gradient(U)
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    h = 1e-6
    for j in range(2):
        step = np.zeros(2)
        step[j] = h
        fd = (acquisition(U + step) - acquisition(U - step)) / (2 * h)
        np.testing.assert_allclose(grad[:, j], fd, rtol=1e-5, atol=1e-7)
    # Before any feasible point: the probability of feasibility alone.
    alone = FeasibilityWeighted(None, [(constraint, threshold)])
    np.testing.assert_allclose(alone(U), log_ndtr((mean - threshold) / std), rtol=1e-12)


class _Bowl:
    """A log-scale test acquisition: a bowl in x0 around 0.3, rising by ``slope`` along x1."""

    log_scale = True

    def __init__(self, slope):
        self.slope = slope

    def value_and_gradient(self, U):
        value = -((U[:, 0] - 0.3) ** 2) + self.slope * U[:, 1]
        grad = np.column_stack([-2.0 * (U[:, 0] - 0.3), np.full(len(U), self.slope)])
        return value, grad

    def __call__(self, U):
        return self.value_and_gradient(U)[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_coordinate_the_acquisition_barely_prefers_on_a_bound_stays_inside(seed):
    # Along x1 the bowl gains 1e-4 over the whole cube, less than the 0.01 a coordinate may
    # give up: L-BFGS-B runs x1 to 1, and the point keeps x1 where its start had it.
    x, value = maximize(_Bowl(1e-4), 2, np.random.default_rng(seed), n_candidates=64)
    assert x[0] == pytest.approx(0.3, abs=1e-4)
    assert 0.0 < x[1] < 1.0
    assert value == pytest.approx(_Bowl(1e-4)(x[None])[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_bound_that_gains_more_than_the_tolerance_is_kept(seed):
    # x1 gains up to 0.5 on the way to its bound, so the point stays there (to L-BFGS-B's
    # precision), wherever its start was.
    x, _ = maximize(_Bowl(0.5), 2, np.random.default_rng(seed), n_candidates=64)
    assert x[0] == pytest.approx(0.3, abs=1e-4)
    assert x[1] > 0.999
