"""Tests for the noise mechanisms: exact privacy-loss checks, goodness of fit, inputs.

Privacy is checked exactly, from the mechanisms' own (log-)densities: on
neighbouring answers (at most the sensitivity apart) the log-likelihood ratio of
every output is at most ε, and the bound is attained for Laplace and geometric
noise; for the Gaussian mechanism the exact δ(ε) is compared with a numerical
integral of its definition. The noise itself is tested against the intended
distribution with 200,000 seeded draws, with negative controls (a 10% wrong
scale) showing that the same tests reject.
"""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from statkit.privacy import (
    GaussianMechanism,
    GeometricMechanism,
    LaplaceMechanism,
    PrivacyAccountant,
    gaussian_delta,
)

EPSILONS = [0.1, 0.5, 1.0, 2.0, 10.0]
# The error of a parameter outside (0, inf); format with the parameter's name and the caller.
POSITIVE = r"The '{}' parameter of {} must be a float in the range \(0\.0, inf\)"
N_DRAWS = 200_000
COUNTS = np.array([5, 0, 12, 3])


def _vector_neighbours(sensitivity):
    """``COUNTS`` and a neighbour with one more count in each of ``sensitivity`` cells."""
    neighbour = COUNTS.copy()
    neighbour[:sensitivity] += 1
    return COUNTS, neighbour


def _assert_bounded_and_tight(llr, epsilon):
    assert np.max(np.abs(llr)) <= epsilon + 1e-9
    assert np.max(np.abs(llr)) == pytest.approx(epsilon, rel=1e-9)


# --- exact privacy loss -------------------------------------------------------------------------


@pytest.mark.parametrize("epsilon", EPSILONS)
@pytest.mark.parametrize("sensitivity", [0.5, 1.0, 3.0])
def test_laplace_log_likelihood_ratio_is_at_most_epsilon_and_tight(epsilon, sensitivity):
    mech = LaplaceMechanism(epsilon, sensitivity)
    value = 2.0
    reach = 20 * mech.scale + 2 * sensitivity
    outputs = np.linspace(value - reach, value + reach, 20_001)
    for neighbour in (value + sensitivity, value - sensitivity):
        llr = mech.log_density(outputs, value) - mech.log_density(outputs, neighbour)
        _assert_bounded_and_tight(llr, epsilon)
    closer = mech.log_density(outputs, value) - mech.log_density(outputs, value + sensitivity / 3)
    assert np.max(np.abs(closer)) == pytest.approx(epsilon / 3, rel=1e-9)


@pytest.mark.parametrize("epsilon", EPSILONS)
@pytest.mark.parametrize("sensitivity", [1, 2])
def test_laplace_vector_query_where_counts_change_by_one(epsilon, sensitivity, rng):
    mech = LaplaceMechanism(epsilon, sensitivity)
    counts, neighbour = _vector_neighbours(sensitivity)
    outputs = np.concatenate(
        [mech.randomise(np.tile(v, (5_000, 1)), rng) for v in (counts, neighbour)]
    )
    llr = mech.log_density(outputs, counts) - mech.log_density(outputs, neighbour)
    assert llr.shape == (10_000,)
    _assert_bounded_and_tight(llr, epsilon)


@pytest.mark.parametrize("epsilon", EPSILONS)
@pytest.mark.parametrize("sensitivity", [1, 2, 5])
def test_geometric_log_likelihood_ratio_is_at_most_epsilon_and_tight(epsilon, sensitivity):
    mech = GeometricMechanism(epsilon, sensitivity)
    value = 7
    outputs = np.arange(value - 2_000, value + 2_001)
    for neighbour in (value + sensitivity, value - sensitivity):
        llr = mech.log_pmf(outputs, value) - mech.log_pmf(outputs, neighbour)
        _assert_bounded_and_tight(llr, epsilon)
    llr = mech.log_pmf(outputs, value) - mech.log_pmf(outputs, value + 1)
    assert np.max(np.abs(llr)) == pytest.approx(epsilon / sensitivity, rel=1e-9)


@pytest.mark.parametrize("epsilon", EPSILONS)
@pytest.mark.parametrize("sensitivity", [1, 2])
def test_geometric_vector_query_where_counts_change_by_one(epsilon, sensitivity, rng):
    mech = GeometricMechanism(epsilon, sensitivity)
    counts, neighbour = _vector_neighbours(sensitivity)
    outputs = np.concatenate(
        [mech.randomise(np.tile(v, (5_000, 1)), rng) for v in (counts, neighbour)]
    )
    llr = mech.log_pmf(outputs, counts) - mech.log_pmf(outputs, neighbour)
    _assert_bounded_and_tight(llr, epsilon)


@pytest.mark.parametrize("sensitivity", [1, 2, 5])
def test_geometric_pmf_sums_to_one(sensitivity):
    for epsilon in EPSILONS:
        mech = GeometricMechanism(epsilon, sensitivity)
        grid = np.arange(-5_000, 5_001)
        assert math.fsum(np.exp(mech.log_pmf(grid, 0))) == pytest.approx(1.0, abs=1e-12)


def test_geometric_log_pmf_is_accurate_for_tiny_and_large_epsilon():
    # P(0) = (1 - α) / (1 + α) = tanh(t / 2), about t / 2 for tiny t = ε / sensitivity;
    # log(1 - exp(-t)) computed naively is off by about 1e-4 (relative) at t = 1e-12.
    tiny = GeometricMechanism(1e-12)
    assert tiny.log_pmf(0, 0) == pytest.approx(math.log(5e-13), rel=1e-12)
    huge = GeometricMechanism(1_000.0)
    np.testing.assert_array_equal(huge.log_pmf([0, 1, -3], 0), [0.0, -1_000.0, -3_000.0])


@pytest.mark.parametrize("epsilon", EPSILONS)
@pytest.mark.parametrize("delta", [1e-6, 1e-2])
@pytest.mark.parametrize("sensitivity", [1.0, 3.0])
def test_gaussian_calibration_matches_the_privacy_loss_integral(epsilon, delta, sensitivity):
    mech = GaussianMechanism(epsilon, delta, sensitivity)

    def delta_by_integration(sigma):
        # δ = ∫ max(0, p(o | 0) - e^ε p(o | Δ)) do; the integrand is positive left of `cut`,
        # where the privacy loss (Δ² - 2oΔ) / (2σ²) equals ε.
        def excess(o):
            log_p, log_q = stats.norm.logpdf(o, [0.0, sensitivity], sigma)
            return max(0.0, math.exp(log_p) - math.exp(epsilon + log_q))

        cut = sensitivity / 2 - epsilon * sigma**2 / sensitivity
        options = {"epsabs": 0.0, "epsrel": 1e-10, "limit": 200}
        left = integrate.quad(excess, -np.inf, cut, **options)[0]
        right = integrate.quad(excess, cut, np.inf, **options)[0]
        return left + right

    exact = gaussian_delta(epsilon, mech.sigma, sensitivity)
    assert exact <= delta
    assert exact == pytest.approx(delta, rel=1e-6)
    assert delta_by_integration(mech.sigma) == pytest.approx(exact, rel=1e-6)
    assert delta_by_integration(0.9 * mech.sigma) > 1.01 * delta


@pytest.mark.parametrize("epsilon", EPSILONS)
@pytest.mark.parametrize("delta", [1e-6, 1e-2])
@pytest.mark.parametrize("sensitivity", [1.0, 3.0])
def test_gaussian_from_sigma_inverts_the_calibration(epsilon, delta, sensitivity):
    sigma = GaussianMechanism(epsilon, delta, sensitivity).sigma
    mech = GaussianMechanism.from_sigma(sigma, delta, sensitivity)
    assert mech.sigma == sigma
    assert mech.epsilon == pytest.approx(epsilon, rel=1e-6)
    assert gaussian_delta(mech.epsilon, sigma, sensitivity) <= delta
    assert gaussian_delta(mech.epsilon * (1 - 1e-6), sigma, sensitivity) > delta  # smallest


def test_gaussian_from_sigma_with_noise_beyond_any_need():
    # δ(ε → 0) = 2Φ(Δ / 2σ) - 1 ≈ 0.004 < 0.5: every ε > 0 will do, so ε is vanishing.
    mech = GaussianMechanism.from_sigma(100.0, delta=0.5)
    assert 0 < mech.epsilon < 1e-300
    with pytest.raises(ValueError, match="sigma"):
        GaussianMechanism.from_sigma(0.0, delta=0.5)
    with pytest.raises(ValueError, match="delta"):
        GaussianMechanism.from_sigma(1.0, delta=1.0)


def test_gaussian_needs_no_epsilon_below_one():
    # The classical calibration σ = Δ sqrt(2 log(1.25 / δ)) / ε holds only for ε < 1;
    # below 1 the analytic σ is smaller, and above 1 it keeps decreasing with ε.
    classical = math.sqrt(2 * math.log(1.25 / 1e-5)) / 0.5
    assert GaussianMechanism(0.5, 1e-5).sigma < classical
    sigmas = [GaussianMechanism(eps, 1e-5).sigma for eps in (1.0, 2.0, 10.0, 100.0)]
    assert np.all(np.diff(sigmas) < 0)


@pytest.mark.parametrize(
    "mech",
    [LaplaceMechanism(0.7, 2.0), GeometricMechanism(0.7, 2), GaussianMechanism(0.7, 1e-3, 2.0)],
    ids=repr,
)
def test_log_density_of_a_vector_release_is_the_sum_over_elements(mech, rng):
    density = getattr(mech, "log_density", None) or mech.log_pmf
    outputs = mech.randomise(np.tile(COUNTS, (50, 1)), rng)
    joint = density(outputs, COUNTS)
    by_element = sum(density(outputs[:, j], COUNTS[j]) for j in range(len(COUNTS)))
    assert joint.shape == (50,)
    np.testing.assert_allclose(joint, by_element, rtol=1e-12)


def test_log_densities_agree_with_scipy():
    outputs = np.linspace(-30.0, 30.0, 601)
    laplace = LaplaceMechanism(0.4, 2.0)
    np.testing.assert_allclose(
        laplace.log_density(outputs, 1.5), stats.laplace.logpdf(outputs, 1.5, 5.0), rtol=1e-12
    )
    gauss = GaussianMechanism(0.4, 1e-4, 2.0)
    np.testing.assert_allclose(
        gauss.log_density(outputs, 1.5), stats.norm.logpdf(outputs, 1.5, gauss.sigma), rtol=1e-12
    )
    geometric = GeometricMechanism(0.4, 2)
    grid = np.arange(-30, 31)
    np.testing.assert_allclose(
        geometric.log_pmf(grid, 3), stats.dlaplace.logpmf(grid, 0.2, loc=3), rtol=1e-12
    )


# --- goodness of fit ----------------------------------------------------------------------------


def _noise(mech, seed, dtype=float):
    return mech.randomise(np.zeros(N_DRAWS, dtype=dtype), np.random.default_rng(seed))


@pytest.mark.parametrize(("epsilon", "sensitivity", "seed"), [(0.5, 1.0, 1), (2.0, 3.0, 2)])
def test_laplace_noise_fits_the_laplace_distribution(epsilon, sensitivity, seed):
    mech = LaplaceMechanism(epsilon, sensitivity)
    noise = _noise(mech, seed)
    assert stats.kstest(noise, stats.laplace(scale=mech.scale).cdf).pvalue > 1e-3
    for wrong in (0.9, 1.1):
        assert stats.kstest(noise, stats.laplace(scale=wrong * mech.scale).cdf).pvalue < 1e-6


@pytest.mark.parametrize(("epsilon", "delta", "seed"), [(0.5, 1e-5, 3), (4.0, 1e-3, 4)])
def test_gaussian_noise_fits_the_normal_distribution(epsilon, delta, seed):
    mech = GaussianMechanism(epsilon, delta, sensitivity=2.0)
    noise = _noise(mech, seed)
    assert stats.kstest(noise, stats.norm(scale=mech.sigma).cdf).pvalue > 1e-3
    for wrong in (0.9, 1.1):
        assert stats.kstest(noise, stats.norm(scale=wrong * mech.sigma).cdf).pvalue < 1e-6


def _chisquare_pvalue(noise, mech):
    """Chi-square test of integer noise against ``mech``'s pmf, pooling tails |k| >= K.

    K is the largest cut for which every expected count is at least 5.
    """
    n = len(noise)

    def expected(cut):
        interior = np.exp(mech.log_pmf(np.arange(1 - cut, cut), 0))
        tail = (1 - math.fsum(interior)) / 2  # P(k <= -K) = P(k >= K) by symmetry
        return n * np.concatenate([[tail], interior, [tail]])

    cut = 1
    while expected(cut + 1).min() >= 5:
        cut += 1
    observed = np.bincount(np.clip(noise, -cut, cut) + cut, minlength=2 * cut + 1)
    return stats.chisquare(observed, expected(cut)).pvalue


@pytest.mark.parametrize(("epsilon", "sensitivity"), [(0.1, 1), (1.0, 1), (2.0, 3), (5.0, 1)])
def test_geometric_noise_fits_the_discrete_laplace_pmf(epsilon, sensitivity):
    mech = GeometricMechanism(epsilon, sensitivity)
    noise = _noise(mech, 5, dtype=np.int64)
    assert noise.dtype == np.int64
    assert _chisquare_pvalue(noise, mech) > 1e-3
    # A 10% wrong scale sensitivity / ε.
    for wrong in (0.9, 1.1):
        assert _chisquare_pvalue(noise, GeometricMechanism(epsilon / wrong, sensitivity)) < 1e-6


@pytest.mark.parametrize(
    ("mech", "seed"),
    [
        (LaplaceMechanism(0.5), 6),
        (LaplaceMechanism(2.0, 3.0), 7),
        (GeometricMechanism(0.1), 8),
        (GeometricMechanism(1.0), 9),
        (GeometricMechanism(2.0, 3), 10),
        (GeometricMechanism(2.0), 11),
        (GaussianMechanism(0.5, 1e-5, 2.0), 12),
        (GaussianMechanism(4.0, 1e-3), 13),
    ],
    ids=repr,
)
def test_noise_std_matches_the_spread_of_the_draws(mech, seed):
    noise = _noise(mech, seed).astype(float)
    std = noise.std()
    # Standard error of a sample standard deviation: sqrt(Var(X²) / n) / (2 σ).
    fourth = np.mean((noise - noise.mean()) ** 4)
    tolerance = 5 * math.sqrt((fourth - std**4) / N_DRAWS) / (2 * std)
    assert tolerance < 0.02 * mech.noise_std  # enough draws to see a 2% error
    assert abs(std - mech.noise_std) < tolerance


def test_noise_std_formulas():
    assert LaplaceMechanism(0.5, 3.0).noise_std == pytest.approx(math.sqrt(2) * 6.0, rel=1e-15)
    for epsilon, sensitivity in [(0.1, 1), (1.0, 1), (2.0, 3), (5.0, 1)]:
        mech = GeometricMechanism(epsilon, sensitivity)
        alpha = math.exp(-epsilon / sensitivity)
        assert mech.noise_std == pytest.approx(math.sqrt(2 * alpha) / (1 - alpha), rel=1e-12)
        grid = np.arange(-5_000, 5_001)
        from_pmf = math.sqrt(math.fsum(grid**2 * np.exp(mech.log_pmf(grid, 0))))
        assert mech.noise_std == pytest.approx(from_pmf, rel=1e-12)
    tiny = GeometricMechanism(1e-12)  # sqrt(2 α) / (1 - α) without cancellation: about sqrt(2) / ε
    assert tiny.noise_std == pytest.approx(math.sqrt(2) / 1e-12, rel=1e-9)
    gauss = GaussianMechanism(1.0, 1e-5)
    assert gauss.noise_std == gauss.sigma


# --- releases and inputs ------------------------------------------------------------------------

MECHANISMS = [LaplaceMechanism(1.0), GeometricMechanism(1.0), GaussianMechanism(1.0, 1e-5)]


@pytest.mark.parametrize("mech", MECHANISMS, ids=repr)
def test_randomise_keeps_shape_and_returns_a_scalar_for_a_scalar(mech):
    scalar = mech.randomise(3, np.random.default_rng(0))
    assert np.ndim(scalar) == 0
    assert isinstance(scalar, np.generic)
    value = np.arange(6).reshape(2, 3)
    noisy = mech.randomise(value, np.random.default_rng(0))
    assert noisy.shape == (2, 3)
    np.testing.assert_array_equal(value, np.arange(6).reshape(2, 3))  # input not modified
    again = mech.randomise(value, np.random.default_rng(0))
    np.testing.assert_array_equal(noisy, again)  # all randomness comes from the generator
    assert not np.array_equal(noisy, value)


@pytest.mark.parametrize("mech", MECHANISMS, ids=repr)
def test_sample_noise_is_the_release_noise_and_charges_nothing(mech):
    # Simulations (a bootstrap of a release) draw the very law a release adds.
    accountant = PrivacyAccountant(10.0, delta=0.1)
    value = np.zeros((3, 4), dtype=np.int64)
    released = mech.randomise(value, np.random.default_rng(5), accountant=accountant)
    simulated = mech.sample_noise((3, 4), np.random.default_rng(5))
    np.testing.assert_array_equal(simulated, released)
    assert accountant.spent == mech.epsilon  # only the release was charged
    assert len(accountant.ledger) == 1


@pytest.mark.parametrize("mech", MECHANISMS, ids=repr)
@pytest.mark.parametrize(
    "rng", [np.random.RandomState(0), 0, None], ids=["RandomState", "int", "None"]
)
def test_randomise_requires_a_generator(mech, rng):
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        mech.randomise(1, rng)


def test_geometric_output_is_integer_and_input_must_be_whole():
    mech = GeometricMechanism(0.5)
    assert mech.randomise([1.0, 2.0], np.random.default_rng(0)).dtype == np.int64
    with pytest.raises(ValueError, match="value must contain whole numbers"):
        mech.randomise([1.5], np.random.default_rng(0))


def test_privacy_cost():
    assert LaplaceMechanism(0.3).privacy_cost == (0.3, 0.0)
    assert GeometricMechanism(0.3).privacy_cost == (0.3, 0.0)
    assert GaussianMechanism(0.3, 1e-6).privacy_cost == (0.3, 1e-6)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: LaplaceMechanism(0.0), ValueError, POSITIVE.format("epsilon", "LaplaceMechanism")),
        (lambda: LaplaceMechanism(-1.0), ValueError, "epsilon"),
        (lambda: LaplaceMechanism(float("nan")), ValueError, "epsilon"),
        (lambda: LaplaceMechanism(math.inf), ValueError, "epsilon"),
        (lambda: LaplaceMechanism("1"), TypeError, POSITIVE.format("epsilon", "LaplaceMechanism")),
        (lambda: LaplaceMechanism(None), TypeError, "epsilon"),
        (lambda: LaplaceMechanism([1.0]), TypeError, "epsilon"),
        (lambda: LaplaceMechanism(np.bool_(True)), TypeError, "epsilon"),
        (lambda: LaplaceMechanism(1.0, 0.0), ValueError, "sensitivity"),
        (lambda: LaplaceMechanism(1.0, True), TypeError, "sensitivity"),
        (
            lambda: GeometricMechanism(1.0, 1.5),
            TypeError,
            r"The 'sensitivity' parameter of GeometricMechanism must be an int",
        ),
        (lambda: GeometricMechanism(1.0, 3.0), TypeError, "sensitivity"),
        (lambda: GeometricMechanism(1.0, 0), ValueError, "sensitivity"),
        (lambda: GeometricMechanism(1.0, True), TypeError, "sensitivity"),
        (lambda: GeometricMechanism(True), TypeError, "epsilon"),
        (lambda: GeometricMechanism(float("nan")), ValueError, "epsilon"),
        (lambda: GeometricMechanism(math.inf), ValueError, "epsilon"),
        (
            lambda: GaussianMechanism(1.0, 0.0),
            ValueError,
            r"The 'delta' parameter of GaussianMechanism must be a float in the range "
            r"\(0\.0, 1\.0\)",
        ),
        (lambda: GaussianMechanism(1.0, 1.0), ValueError, r"'delta' .* range \(0\.0, 1\.0\)"),
        (lambda: GaussianMechanism(1.0, -1e-5), ValueError, "delta"),
        (lambda: GaussianMechanism(1.0, False), TypeError, "delta"),
        (lambda: GaussianMechanism(1.0, 1e-5, -2.0), ValueError, "sensitivity"),
        (lambda: gaussian_delta(1.0, 0.0), ValueError, "sigma"),
        (
            lambda: gaussian_delta(True, 1.0),
            TypeError,
            POSITIVE.format("epsilon", "gaussian_delta"),
        ),
        (
            lambda: LaplaceMechanism(1.0).randomise([1.0, np.nan], np.random.default_rng(0)),
            ValueError,
            "value must not contain NaN",
        ),
    ],
)
def test_bad_parameters_are_rejected_with_the_argument_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_parameters_are_stored_as_python_numbers():
    laplace = LaplaceMechanism(np.float32(0.5), np.int64(2))
    assert (laplace.epsilon, laplace.sensitivity) == (0.5, 2.0)
    assert type(laplace.epsilon) is float
    assert type(laplace.sensitivity) is float
    geometric = GeometricMechanism(np.int64(1), np.int64(3))
    assert type(geometric.epsilon) is float
    assert type(geometric.sensitivity) is int
    assert geometric.sensitivity == 3
    gauss = GaussianMechanism(1, np.float32(0.25))
    assert type(gauss.delta) is float
