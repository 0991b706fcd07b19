"""The constrained (feasibility-weighted) log EI: its formula, its gradient, value-only scoring."""

import numpy as np
from scipy.special import log_ndtr

from statkit.optimize import GaussianProcess
from statkit.optimize._acquisition import (
    FeasibilityWeighted,
    LogExpectedImprovement,
    SearchState,
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
