"""Noisy EI and the knowledge gradient: the envelope algorithm and both acquisitions against
Monte-Carlo of their definitions, the noise-free limit (EI), gradients and the protocol.

Monte-Carlo checks use fixed seeds and a tolerance of ``_Z`` standard errors of the
estimate (the sample standard deviation over the square root of the number of draws).
"""

import copy
import itertools

import numpy as np
import pytest

from statkit.optimize import GaussianProcess
from statkit.optimize._acquisition import ExpectedImprovement, SearchState, maximize
from statkit.optimize._kernels import expected_max_gain_rows
from statkit.optimize._noisy import (
    KnowledgeGradient,
    NoisyExpectedImprovement,
    _Factor,
    _OneStepUpdate,
    expected_max_gain,
)

# Each MC comparison fails by chance with probability ~6e-5 at 4 standard errors.
_Z = 4.0


def _mc_mean(sample_gains, n_draws, seed, chunk=20_000):
    """Mean and standard error of ``sample_gains(Z)`` over ``n_draws`` normal draws."""
    rng = np.random.default_rng(seed)
    total = total_sq = 0.0
    for start in range(0, n_draws, chunk):
        gains = sample_gains(rng.standard_normal(min(chunk, n_draws - start)))
        total += gains.sum()
        total_sq += (gains * gains).sum()
    mean = total / n_draws
    var = max(total_sq / n_draws - mean * mean, 0.0)
    return mean, np.sqrt(var / (n_draws - 1))


def _assert_mc(exact, mc, se):
    assert abs(exact - mc) <= _Z * se + 1e-12, (exact, mc, se)


# -- the envelope ----------------------------------------------------------------------


def _lines(case):
    rng = np.random.default_rng(case)
    if case == 0:  # generic
        return rng.normal(size=8), rng.normal(size=8)
    if case == 1:  # ties in slope (with different and equal intercepts), repeated lines
        a = np.array([0.0, 0.3, -0.2, 0.3, 0.1, 0.1, 0.5, -0.1])
        b = np.array([1.0, 1.0, -0.5, 1.0, 0.0, 0.0, 3.0, 0.0])
        return a, b
    if case == 2:  # dominated lines: far below, and below the chord of two others
        a = np.array([0.0, 0.0, -0.2, -5.0, -40.0, 0.2])
        b = np.array([-1.0, 1.0, 0.0, 0.3, 30.0, 0.1])
        return a, b
    if case == 3:  # a line on top only for huge |z| (pruned) next to small slopes
        a = np.array([0.0, -400.0, 0.05, -0.1])
        b = np.array([0.01, 10.0, -0.02, 0.3])
        return a, b
    if case == 4:  # nearly concurrent: a line below the envelope by 1e-4 at its best
        a = np.array([0.0, 1.0, 0.4999, -3.0])
        b = np.array([0.0, 1.0, 0.5, -1.0])
        return a, b
    # many lines, as in a GP with many alternatives
    return 0.3 * rng.normal(size=60), rng.uniform(-1.0, 1.0, 60)


@pytest.mark.parametrize("case", range(6))
def test_expected_max_gain_matches_monte_carlo(case):
    a, b = _lines(case)
    exact = expected_max_gain(a, b)

    def gains(z):
        return np.max(a[None, :] + b[None, :] * z[:, None], axis=1) - np.max(a)

    mc, se = _mc_mean(gains, 1_000_000, seed=case)
    assert exact >= 0.0
    _assert_mc(exact, mc, se)


def _brute_force_expected_max(a, b):
    """E[max_i (a_i + b_i Z)] by exact integration between all pairwise crossings."""
    from scipy.stats import norm

    crossings = [
        (a[j] - a[i]) / (b[i] - b[j]) for i in range(len(a)) for j in range(i) if b[i] != b[j]
    ]
    edges = np.r_[-np.inf, np.unique(crossings), np.inf]
    total = 0.0
    for low, high in itertools.pairwise(edges):
        if np.isinf(low) and np.isinf(high):
            inside = 0.0
        elif np.isinf(low):
            inside = high - 1.0
        elif np.isinf(high):
            inside = low + 1.0
        else:
            inside = 0.5 * (low + high)
        i = int(np.argmax(a + b * inside))
        total += a[i] * (norm.cdf(high) - norm.cdf(low)) + b[i] * (norm.pdf(low) - norm.pdf(high))
    return total


@pytest.mark.nojit
@pytest.mark.parametrize("case", range(6))
def test_expected_max_gain_matches_brute_force(case):
    a, b = _lines(case)
    np.testing.assert_allclose(
        expected_max_gain(a, b) + np.max(a), _brute_force_expected_max(a, b), rtol=0, atol=1e-12
    )
    # Row by row in the batch kernel, with lines permuted (the result cannot depend on order).
    rng = np.random.default_rng(case)
    orders = [rng.permutation(len(a)) for _ in range(4)]
    empty = np.empty((0, 0))
    rows = expected_max_gain_rows(
        np.array([a[o] for o in orders]), np.array([b[o] for o in orders]), False, empty, empty
    )
    np.testing.assert_allclose(rows, expected_max_gain(a, b), rtol=1e-12, atol=1e-15)


@pytest.mark.nojit
def test_expected_max_gain_simple_cases():
    # One line, or equal slopes: the maximum is deterministic.
    assert expected_max_gain([1.0], [2.0]) == 0.0
    assert expected_max_gain([1.0, 0.0, 3.0], [0.5, 0.5, 0.5]) == 0.0
    # max(Z, -Z) = |Z|; max(0, Z) = Z^+; shifting all intercepts changes nothing.
    np.testing.assert_allclose(expected_max_gain([0.0, 0.0], [1.0, -1.0]), np.sqrt(2 / np.pi))
    np.testing.assert_allclose(expected_max_gain([5.0, 5.0], [0.0, 1.0]), 1 / np.sqrt(2 * np.pi))
    # Two lines: E[(c + sZ)^+] - c^+ in closed form.
    c, s = -0.7, 1.3
    from scipy.stats import norm

    closed = c * norm.cdf(c / s) + s * norm.pdf(c / s)
    np.testing.assert_allclose(expected_max_gain([0.0, c], [0.0, s]), closed, rtol=1e-13)
    with pytest.raises(ValueError, match="equal length"):
        expected_max_gain([0.0, 1.0], [1.0])


@pytest.mark.parametrize("case", range(6))
def test_envelope_gradient(case):
    """Envelope-theorem derivatives against central differences of the exact value."""
    a, b = _lines(case)
    a2, b2 = a[None].copy(), b[None].copy()
    grad_a, grad_b = np.empty_like(a2), np.empty_like(b2)
    expected_max_gain_rows(a2, b2, True, grad_a, grad_b)
    assert np.isclose(grad_a.sum(), 1.0)  # probabilities of being on top
    h = 1e-6

    def e_max(a_, b_):
        return expected_max_gain(a_, b_) + np.max(a_)

    for i in range(len(a)):
        step = np.zeros(len(a))
        step[i] = h
        if np.any((b == b[i]) & (np.arange(len(a)) != i)):
            continue  # a kink: the derivative in a tied slope is one-sided
        fd_a = (e_max(a + step, b) - e_max(a - step, b)) / (2 * h)
        fd_b = (e_max(a, b + step) - e_max(a, b - step)) / (2 * h)
        np.testing.assert_allclose(grad_a[0, i], fd_a, atol=1e-8)
        np.testing.assert_allclose(grad_b[0, i], fd_b, atol=1e-8)


# -- GP fixtures -----------------------------------------------------------------------


def _noisy_gp(n=14, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    y = np.sin(3 * X).sum(axis=1) + 0.3 * (X[:, 0] - 0.4) ** 2 + 0.15 * rng.normal(size=n)
    gp = GaussianProcess(bounds=[[0.0, 1.0]] * d, random_state=0).fit(X, y)
    assert gp.hyperparameters_.noise > 1e-3  # really noisy
    return gp


def _state(gp, seed=1):
    return SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(seed))


def _one_step(gp, A, x):
    """mu_n on A, and sigma~_n(A, x), sigma~_n(x, x), from the public GP methods only."""
    lam2 = gp.hyperparameters_.noise + gp.jitter
    mean_A, _ = gp.posterior(A)
    mean_x, std_x = gp.posterior(x[None])
    s = np.sqrt(std_x[0] ** 2 + lam2)
    tilde_A = gp.posterior_covariance(A, x[None])[:, 0] / s
    return mean_A, tilde_A, mean_x[0], std_x[0] ** 2 / s, s


def _top_candidates(acquisition, d, k, seed=3):
    U = np.random.default_rng(seed).random((512, d))
    values = acquisition(U)
    return U[np.argsort(-values)[:k]]


@pytest.fixture(scope="module")
def noisy():
    gp = _noisy_gp()
    return gp, _state(gp)


# -- noisy EI ------------------------------------------------------------------------------


def test_one_step_update_is_condition_on(noisy):
    """mu_{n+1} = mu_n + sigma~ Z is exactly the mean of the GP conditioned on y(x)."""
    gp, _ = noisy
    x = np.array([0.37, 0.81])
    A = np.random.default_rng(0).random((20, 2))
    mean_A, tilde_A, mean_x, _, s = _one_step(gp, A, x)
    for z in (-1.5, 0.4, 2.0):
        y = gp.y_mean_ + gp.y_std_ * (mean_x + s * z)  # original units, as condition_on wants
        updated = copy.deepcopy(gp).condition_on(x[None], [y])
        np.testing.assert_allclose(updated.posterior(A)[0], mean_A + tilde_A * z, atol=1e-9)


def test_update_matches_the_gp_after_condition_on(noisy):
    """The acquisitions' own factor reproduces the GP's posterior, also with fantasies added."""
    gp, state = noisy
    gp = copy.deepcopy(gp)
    pending = np.array([[0.2, 0.7], [0.9, 0.9]])
    gp.condition_on(pending, gp.predict(pending))
    A = np.random.default_rng(8).random((30, 2))
    update = _OneStepUpdate(_Factor(gp), A)
    U = np.random.default_rng(9).random((7, 2))
    mean, var, cross, dmean, dvar, _ = update(U, True)
    ref_mean, ref_std, ref_dmean, ref_dstd = gp.posterior(U, return_gradient=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(var, ref_std**2, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(dmean, ref_dmean, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dvar, 2 * ref_std[:, None] * ref_dstd, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cross, gp.posterior_covariance(U, A), rtol=1e-8, atol=1e-12)
    nei = NoisyExpectedImprovement(gp, state)  # evaluated points only as alternatives
    np.testing.assert_allclose(nei.best_mean, np.min(gp.posterior(state.X)[0]), rtol=1e-12)


def test_noisy_ei_matches_monte_carlo(noisy):
    gp, state = noisy
    nei = NoisyExpectedImprovement(gp, state)
    E = state.X
    candidates = np.vstack([_top_candidates(nei, 2, 3), [[0.5, 0.5]]])
    exact = nei(candidates)
    assert exact[0] > 1e-3
    for x, value in zip(candidates, exact, strict=True):
        mean_E, tilde_E, mean_x, tilde_x, _ = _one_step(gp, E, x)

        def gains(z, mean_E=mean_E, tilde_E=tilde_E, mean_x=mean_x, tilde_x=tilde_x):
            after = np.minimum(
                np.min(mean_E[None] + tilde_E[None] * z[:, None], axis=1), mean_x + tilde_x * z
            )
            return np.min(mean_E) - after

        mc, se = _mc_mean(gains, 200_000, seed=7)
        _assert_mc(value, mc, se)


def test_noisy_ei_reduces_to_ei_without_noise():
    rng = np.random.default_rng(5)
    X = rng.random((10, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    U = rng.random((500, 2))
    U[:5] = X[:5] + 1e-3  # next to evaluated points too
    differences = []
    for noise in (1e-4, 1e-7, 1e-10):
        gp = GaussianProcess(bounds=[[0, 1]] * 2, noise=noise, jitter=1e-10, random_state=0)
        gp.fit(X, y)
        state = _state(gp)
        nei = NoisyExpectedImprovement(gp, state)
        ei = ExpectedImprovement(gp, state)
        ei.best = nei.best_mean
        differences.append(np.max(np.abs(nei(U) - ei(U))))
        if noise == 1e-10:
            assert abs(nei.best_mean - np.min(state.z)) < 1e-6
            np.testing.assert_allclose(nei(U), ei(U), rtol=0, atol=1e-6)
    assert differences[0] > differences[1] > differences[2]


def test_noisy_ei_gradient(noisy):
    gp, state = noisy
    nei = NoisyExpectedImprovement(gp, state)
    U = _top_candidates(nei, 2, 5)
    value, grad = nei.value_and_gradient(U)
    np.testing.assert_allclose(value, nei(U), rtol=1e-12)
    h = 1e-6
    fd = np.column_stack([(nei(U + h * e) - nei(U - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-9)


def test_noisy_ei_shapes_and_errors(noisy):
    gp, state = noisy
    nei = NoisyExpectedImprovement(gp, state)
    assert nei(np.empty((0, 2))).shape == (0,)
    assert nei(np.array([0.2, 0.3])).shape == (1,)
    with pytest.raises(ValueError, match="evaluated point"):
        NoisyExpectedImprovement(gp, SearchState(np.empty((0, 2)), np.empty(0)))


# -- knowledge gradient -------------------------------------------------------------------


def test_discrete_kg_matches_monte_carlo(noisy):
    gp, state = noisy
    kg = KnowledgeGradient(gp, state, n_discrete=256)
    assert kg.A_.shape == (len(state.X) + 256, 2)
    candidates = np.vstack([_top_candidates(kg, 2, 2), [[0.9, 0.1]]])
    exact = kg(candidates)
    assert exact[0] > 1e-3
    for x, value in zip(candidates, exact, strict=True):
        A = np.vstack([kg.A_, x[None]])
        mean_A, tilde_A, _, _, _ = _one_step(gp, A, x)

        def gains(z, mean_A=mean_A, tilde_A=tilde_A):
            return np.min(mean_A) - np.min(mean_A[None] + tilde_A[None] * z[:, None], axis=1)

        mc, se = _mc_mean(gains, 200_000, seed=11)
        _assert_mc(value, mc, se)


def test_kg_nonnegative_and_versus_noisy_ei(noisy):
    gp, state = noisy
    kg = KnowledgeGradient(gp, state, n_discrete=256)
    nei = NoisyExpectedImprovement(gp, state)
    U = np.vstack([np.random.default_rng(2).random((400, 2)), state.X])
    value_kg, value_nei = kg(U), nei(U)
    assert np.all(value_kg >= 0.0)
    # KG's set contains the evaluated points and x, so E[min over it] is lower; the two
    # subtract different current minima: min over A and x, and min over the evaluated points.
    mean_U, _ = gp.posterior(U)
    min_A = np.minimum(np.min(gp.posterior(kg.A_)[0]), mean_U)
    shift = nei.best_mean - min_A  # >= 0
    assert np.all(value_kg + 1e-12 >= value_nei - shift)
    # Where the smallest mean over A and x is at an evaluated point, KG >= noisy EI.
    same = shift <= 0.0
    assert same.sum() > 50
    assert np.all(value_kg[same] + 1e-12 >= value_nei[same])


def test_discrete_kg_gradient(noisy):
    gp, state = noisy
    kg = KnowledgeGradient(gp, state, n_discrete=128)
    U = _top_candidates(kg, 2, 5)
    value, grad = kg.value_and_gradient(U)
    np.testing.assert_allclose(value, kg(U), rtol=1e-12)
    h = 1e-6
    fd = np.column_stack([(kg(U + h * e) - kg(U - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-9)


def test_one_shot_kg_is_the_sample_average_of_the_continuous_minimum():
    """In 1-D a dense grid gives each fantasy's minimum over [0, 1] to ~1e-9."""
    rng = np.random.default_rng(4)
    X = rng.random((7, 1))
    y = np.sin(6 * X[:, 0]) + 0.2 * rng.normal(size=7)
    gp = GaussianProcess(bounds=[[0.0, 1.0]], random_state=0).fit(X, y)
    state = _state(gp)
    kg = KnowledgeGradient(gp, state, method="one-shot", n_discrete=64, n_fantasies=16)
    z = kg.base_samples_
    assert len(z) == 16
    assert abs(np.sum(z)) < 1e-12  # antithetic
    grid = np.linspace(0.0, 1.0, 20_001)[:, None]
    mean_grid, _ = gp.posterior(grid)
    assert kg.min_mean_ <= np.min(mean_grid) + 1e-12
    candidates = np.array([[0.05], [0.33], [0.71], [0.98]])
    values = kg(candidates)
    assert np.all(values >= 0.0)
    for x, value in zip(candidates, values, strict=True):
        mean_A, tilde_A, _, _, _ = _one_step(gp, grid, x)
        minima = np.min(mean_A[None] + tilde_A[None] * z[:, None], axis=1)
        reference = np.min(mean_grid) - np.mean(minima)
        np.testing.assert_allclose(value, reference, rtol=0, atol=1e-7)
    # The envelope-theorem gradient against central differences.
    value, grad = kg.value_and_gradient(candidates[1:3])
    h = 1e-5
    fd = (kg(candidates[1:3] + h) - kg(candidates[1:3] - h)) / (2 * h)
    np.testing.assert_allclose(grad[:, 0], fd, rtol=1e-3, atol=1e-7)
    np.testing.assert_allclose(value, values[1:3], rtol=1e-12)


def test_kg_validation(noisy):
    gp, state = noisy
    with pytest.raises(ValueError, match="method"):
        KnowledgeGradient(gp, state, method="continuous")
    with pytest.raises(ValueError, match="n_discrete"):
        KnowledgeGradient(gp, state, n_discrete=-1)
    with pytest.raises(ValueError, match="n_fantasies"):
        KnowledgeGradient(gp, state, method="one-shot", n_fantasies=0)
    odd = KnowledgeGradient(gp, state, method="one-shot", n_discrete=16, n_fantasies=5)
    assert odd.base_samples_.shape == (5,)
    assert 0.0 in odd.base_samples_
    # Same state.rng seed, same Sobol set.
    np.testing.assert_array_equal(
        KnowledgeGradient(gp, _state(gp, 9), n_discrete=32).A_,
        KnowledgeGradient(gp, _state(gp, 9), n_discrete=32).A_,
    )


@pytest.mark.parametrize("make", [NoisyExpectedImprovement, KnowledgeGradient])
def test_protocol_maximize(noisy, make):
    gp, state = noisy
    acquisition = make(gp, state)
    u, value = maximize(acquisition, 2, np.random.default_rng(0), n_candidates=256, n_starts=3)
    assert u.shape == (2,)
    assert np.all((u >= 0) & (u <= 1))
    U = np.random.default_rng(1).random((256, 2))
    assert value >= np.max(acquisition(U)) - 1e-12
