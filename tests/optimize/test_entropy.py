"""Max-value entropy search: the entropy formula, the min-value sampler, sign and monotonicity,
gradients, and a small seeded search."""

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import log_ndtr
from scipy.stats import qmc

from statkit.optimize import GaussianProcess
from statkit.optimize._acquisition import SearchState, maximize
from statkit.optimize._entropy import MaxValueEntropySearch, _entropy_reduction

_Z = 4.0  # Monte-Carlo tolerance, in standard errors


class _Moments:
    """Stands in for a GP: fixed posterior means and standard deviations."""

    def __init__(self, mean, std):
        self.mean, self.std = np.asarray(mean, float), np.asarray(std, float)

    def posterior(self, U, return_gradient=False):
        return self.mean, self.std


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.random((10, 2))
    y = np.sin(3 * X).sum(axis=1) + 0.5 * X[:, 0] ** 2
    return GaussianProcess(bounds=[[0.0, 1.0]] * 2, random_state=0).fit(X, y)


def _state(gp, seed=1):
    return SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(seed))


def _truncated_entropy(gamma):
    """Entropy of N(0, 1) given Z >= -gamma, by quadrature of -p log p."""

    def integrand(z):
        log_p = -0.5 * z * z - 0.5 * np.log(2 * np.pi) - log_ndtr(gamma)
        return -np.exp(log_p) * log_p

    value, _ = quad(integrand, -gamma, -gamma + 40.0, epsabs=1e-13, epsrel=1e-12, limit=200)
    return value


def test_entropy_reduction_is_that_of_the_truncated_normal():
    """f(x) ~ N(mu, sigma^2) given f(x) >= y*: a normal truncated below at -gamma (standardised)."""
    gamma = np.r_[np.linspace(-6.0, 8.0, 57), -30.0, 25.0]
    value, derivative = _entropy_reduction(gamma)
    reference = 0.5 * np.log(2 * np.pi * np.e) - np.array([_truncated_entropy(g) for g in gamma])
    np.testing.assert_allclose(value[:-2], reference[:-2], rtol=1e-9, atol=1e-12)
    assert np.all(value >= 0.0)
    assert np.all(np.isfinite(value))
    assert np.all(np.diff(value[:-2]) < 0)  # decreasing in gamma
    h = 1e-6
    fd = (_entropy_reduction(gamma + h)[0] - _entropy_reduction(gamma - h)[0]) / (2 * h)
    np.testing.assert_allclose(derivative[:-2], fd[:-2], rtol=1e-6, atol=1e-10)


def _check_min_samples_against_numpy(gp, n_grid):
    """The sampler against numpy's own multivariate normal (two-sample test on the mean)."""
    state = _state(gp)
    mes = MaxValueEntropySearch(gp, state, n_samples=20_000, n_grid=n_grid)
    assert mes.grid_.shape == (n_grid + len(state.X), 2)
    mean, _ = gp.posterior(mes.grid_)
    cov = gp.posterior_covariance(mes.grid_)
    draws = np.random.default_rng(3).multivariate_normal(mean, cov, size=20_000, method="eigh")
    reference = draws.min(axis=1)
    ours = mes.min_samples_
    se = np.sqrt(ours.var() / len(ours) + reference.var() / len(reference))
    assert abs(ours.mean() - reference.mean()) <= _Z * se
    assert abs(ours.std() - reference.std()) <= 0.05 * reference.std()
    # The minimum is below the smallest mean (Jensen), and below the smallest observation
    # of a nearly noise-free GP only by the posterior spread.
    assert ours.mean() < mean.min()


def test_min_value_samples_are_joint_posterior_minima(fitted):
    _check_min_samples_against_numpy(fitted, 16)


def make_noisy():
    """Noisy data: no evaluated point pins the minimum, so the correlation matters."""
    rng = np.random.default_rng(0)
    X = rng.random((10, 2))
    y = np.sin(3 * X).sum(axis=1) + 0.5 * X[:, 0] ** 2
    return GaussianProcess(bounds=[[0.0, 1.0]] * 2, noise=0.3, random_state=0).fit(X, y)


def test_min_value_samples_keep_the_correlation_of_a_noisy_posterior():
    _check_min_samples_against_numpy(make_noisy(), 64)


def test_mes_nonnegative_and_favours_low_means_and_large_sigma(fitted):
    gp, state = fitted, _state(fitted)
    mes = MaxValueEntropySearch(gp, state, n_samples=16, n_grid=256)
    U = np.vstack([np.random.default_rng(5).random((2000, 2)), state.X])
    values = mes(U)
    assert np.all(values >= 0.0)
    assert np.all(np.isfinite(values))
    # Near-zero at the evaluated points (sigma ~ 0, mean above the sampled minima) ...
    mean_X, _ = gp.posterior(state.X)
    above = mean_X > mes.min_samples_.max() + 0.05
    assert above.any()
    assert np.all(values[-len(state.X) :][above] < 1e-3)
    # ... and the largest values where f may be lowest.
    y_star = mes.min_samples_
    stub = MaxValueEntropySearch.__new__(MaxValueEntropySearch)
    stub.min_samples_ = y_star
    sigma = np.linspace(0.05, 2.0, 40)
    stub.gp = _Moments(np.full(40, y_star.max() + 0.3), sigma)
    # Equal mean above y*: more sigma, more value.
    assert np.all(np.diff(stub(np.zeros((40, 2)))) > 0)
    stub.gp = _Moments(np.linspace(y_star.max() + 1, y_star.min() - 1, 40), np.full(40, 0.5))
    # Equal sigma: lower mean, more value.
    assert np.all(np.diff(stub(np.zeros((40, 2)))) > 0)
    # (Below every sampled minimum the value falls as sigma grows: gamma -> 0 from below.)
    stub.gp = _Moments(np.full(40, y_star.min() - 0.3), sigma)
    assert np.all(np.diff(stub(np.zeros((40, 2)))) < 0)


def test_mes_gradient(fitted):
    gp, state = fitted, _state(fitted)
    mes = MaxValueEntropySearch(gp, state, n_grid=256)
    U = np.random.default_rng(6).random((8, 2))
    value, grad = mes.value_and_gradient(U)
    np.testing.assert_allclose(value, mes(U), rtol=1e-12)
    h = 1e-6
    fd = np.column_stack([(mes(U + h * e) - mes(U - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-9)


def test_mes_validation_and_seeding(fitted):
    gp, state = fitted, _state(fitted)
    with pytest.raises(ValueError, match="n_samples"):
        MaxValueEntropySearch(gp, state, n_samples=0)
    with pytest.raises(ValueError, match="n_grid"):
        MaxValueEntropySearch(gp, state, n_grid=0)
    first = MaxValueEntropySearch(gp, _state(gp, 7), n_grid=64).min_samples_
    again = MaxValueEntropySearch(gp, _state(gp, 7), n_grid=64).min_samples_
    np.testing.assert_array_equal(first, again)


def _forrester(x):
    return (6 * x - 2) ** 2 * np.sin(12 * x - 4)  # min -6.0207 at 0.7572; local min at 0.1426


def test_mes_search_finds_the_minimum_region():
    """Eight Sobol points, then six MES steps: the global minimum to 5e-3 (all of seeds 0-9 do;
    with the sign of gamma flipped this seed stays at its initial best, x = 0.734)."""
    rng = np.random.default_rng(1)
    X = qmc.Sobol(1, scramble=True, seed=rng).random_base2(3)
    y = _forrester(X[:, 0])
    initial_best = y.min()
    for _ in range(6):
        gp = GaussianProcess(bounds=[[0.0, 1.0]], random_state=rng).fit(X, y)
        state = SearchState(gp.X_train_, gp.z_train_, rng=rng)
        mes = MaxValueEntropySearch(gp, state, n_grid=256)
        u, _ = maximize(mes, 1, rng, n_candidates=256, n_starts=4, anchors=X[np.argsort(y)[:2]])
        X = np.vstack([X, u])
        y = np.r_[y, _forrester(u[0])]
    best = X[np.argmin(y), 0]
    assert y.min() < initial_best - 0.1
    assert abs(best - 0.7572) < 5e-3, (best, y.min())
    assert y.min() < -6.0
