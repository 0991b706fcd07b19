"""Exactness checks of the Bayesian-optimization family, shared by its tests and its mutants."""

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern

from statkit.optimize import GaussianProcess, Hyperparameters, _gp
from statkit.optimize._acquisition import ExpectedImprovement, SearchState

RNG_SEED = 0


def _data():
    rng = np.random.default_rng(RNG_SEED)
    X = rng.uniform(-2, 3, size=(30, 3))
    y = np.sin(X).sum(axis=1) + 0.1 * rng.normal(size=30)
    return X, y


def _fixed(kernel, hp=None):
    hp = hp or Hyperparameters(np.array([0.3, 0.5, 0.8]), 1.7, 0.01, 0.0)
    return GaussianProcess(
        kernel, bounds=[[-2, 3]] * 3, optimize_hyperparameters=False, hyperparameters=hp
    ), hp


def check_sklearn_parity(kernel="matern52"):
    """At fixed hyperparameters the posterior equals sklearn's GaussianProcessRegressor (1e-8)."""
    X, y = _data()
    gp, hp = _fixed(kernel)
    gp.fit(X, y)
    # sklearn works in the original units: lengthscales times the width of the box (5).
    base = Matern(hp.lengthscales * 5, nu=2.5) if kernel == "matern52" else RBF(hp.lengthscales * 5)
    reference = GaussianProcessRegressor(
        ConstantKernel(hp.outputscale) * base,
        alpha=hp.noise + gp.jitter,
        optimizer=None,
        normalize_y=True,
    ).fit(X, y)
    X_new = np.random.default_rng(1).uniform(-2, 3, size=(20, 3))
    mean, std = gp.predict(X_new, return_std=True)
    ref_mean, ref_std = reference.predict(X_new, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(std, ref_std, rtol=1e-8, atol=1e-8)


def check_log_posterior_gradient(kernel="matern52"):
    """The analytic gradient of the log posterior matches central differences."""
    X, y = _data()
    U = (X + 2) / 5
    z = (y - y.mean()) / y.std()
    theta = Hyperparameters(np.array([0.3, 0.5, 0.8]), 1.7, 0.01, 0.2).to_vector()
    _, grad = _gp.log_posterior(theta, U, z, kernel, 1e-6)
    numeric = np.array(
        [
            (
                _gp.log_posterior(theta + e, U, z, kernel, 1e-6)[0]
                - _gp.log_posterior(theta - e, U, z, kernel, 1e-6)[0]
            )
            / 2e-6
            for e in 1e-6 * np.eye(len(theta))
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)


def check_posterior_gradient(kernel="matern52"):
    """Gradients of the posterior mean and standard deviation match central differences."""
    X, y = _data()
    gp, _ = _fixed(kernel)
    gp.fit(X, y)
    U = np.random.default_rng(2).uniform(size=(5, 3))
    _, _, dmean, dstd = gp.posterior(U, return_gradient=True)
    steps = 1e-6 * np.eye(3)
    num_mean = np.stack(
        [(gp.posterior(U + e)[0] - gp.posterior(U - e)[0]) / 2e-6 for e in steps], axis=1
    )
    num_std = np.stack(
        [(gp.posterior(U + e)[1] - gp.posterior(U - e)[1]) / 2e-6 for e in steps], axis=1
    )
    np.testing.assert_allclose(dmean, num_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dstd, num_std, rtol=1e-5, atol=1e-6)


def check_rank_one_update():
    """condition_on equals conditioning on all points at once (same hyperparameters, scaling)."""
    X, y = _data()
    gp, hp = _fixed("matern52")
    full = _fixed("matern52", hp)[0].fit(X, y)
    partial = gp.fit(X[:20], y[:20])
    # Give the partial model the full model's output scaling, then add the last 10 points.
    partial.y_mean_, partial.y_std_ = full.y_mean_, full.y_std_
    partial._condition(partial.X_train_, (y[:20] - full.y_mean_) / full.y_std_, hp)
    partial.condition_on(X[20:], y[20:])
    X_new = np.random.default_rng(3).uniform(-2, 3, size=(10, 3))
    np.testing.assert_allclose(partial.predict(X_new), full.predict(X_new), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        partial.predict(X_new, return_std=True)[1],
        full.predict(X_new, return_std=True)[1],
        rtol=1e-7,
        atol=1e-10,
    )


def check_expected_improvement_closed_form():
    """EI equals a Monte-Carlo estimate of E[(best - f)^+] (tolerance: 5 standard errors)."""
    X, y = _data()
    gp, _ = _fixed("matern52")
    gp.fit(X, y)
    state = SearchState(gp.X_train_, gp.z_train_)
    U = np.random.default_rng(4).uniform(size=(6, 3))
    mean, std = gp.posterior(U)
    best = float(np.median(mean))  # an incumbent that leaves every point a real chance
    ei = ExpectedImprovement(gp, state, best=best)
    draws = mean + std * np.random.default_rng(5).standard_normal((400_000, 1))
    gain = np.maximum(best - draws, 0.0)
    tolerance = 5 * gain.std(axis=0) / np.sqrt(len(gain)) + 1e-12
    np.testing.assert_array_less(np.abs(ei(U) - gain.mean(axis=0)), tolerance)
