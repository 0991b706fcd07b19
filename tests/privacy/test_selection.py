"""The exponential mechanism: its sampling law, its guarantee and its input checks."""

import numpy as np
import pytest
from scipy import stats

from statkit.privacy import exponential_mechanism


def _law(utilities, epsilon, sensitivity=1.0):
    weights = np.exp(epsilon * (utilities - utilities.max()) / (2 * sensitivity))
    return weights / weights.sum()


@pytest.mark.parametrize(("epsilon", "sensitivity"), [(0.5, 1.0), (2.0, 1.0), (1.0, 3.0)])
def test_samples_follow_exp_epsilon_u_over_2_delta(epsilon, sensitivity):
    utilities = np.array([0.0, -1.0, -2.0, -4.0, -8.0])
    rng = np.random.default_rng(0)
    draws = [
        exponential_mechanism(utilities, epsilon, rng, sensitivity=sensitivity)
        for _ in range(20_000)
    ]
    observed = np.bincount(draws, minlength=utilities.size)
    expected = _law(utilities, epsilon, sensitivity) * len(draws)
    keep = expected > 5
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3


def test_a_bad_law_is_rejected_by_the_same_test():
    """Negative control: the test above has power against ε twice too large."""
    utilities = np.array([0.0, -1.0, -2.0, -4.0, -8.0])
    rng = np.random.default_rng(0)
    draws = [exponential_mechanism(utilities, 1.0, rng) for _ in range(20_000)]
    observed = np.bincount(draws, minlength=utilities.size)
    expected = _law(utilities, 2.0) * len(draws)
    keep = expected > 5
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) < 1e-6


def test_neighbouring_utilities_change_each_probability_by_at_most_e_epsilon():
    rng = np.random.default_rng(1)
    for _ in range(200):
        utilities = rng.normal(0, 5, 7)
        neighbour = utilities + rng.uniform(-1, 1, 7)  # every utility moves by <= Δ = 1
        ratio = _law(utilities, 0.7) / _law(neighbour, 0.7)
        assert np.all(np.abs(np.log(ratio)) <= 0.7 + 1e-12)


def test_seeded_choice_is_reproducible():
    assert exponential_mechanism([1.0, 1.0, 1.0], 1.0, 5) == exponential_mechanism(
        [1.0, 1.0, 1.0], 1.0, 5
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([0.0, np.nan], 1.0, 0), {}, "utilities"),
        (([], 1.0, 0), {}, "utilities"),
        (([[0.0]], 1.0, 0), {}, "utilities"),
        (([0.0], 0.0, 0), {}, "epsilon"),
        (([0.0], np.inf, 0), {}, "epsilon"),
        (([0.0], 1.0, 0), {"sensitivity": -1.0}, "sensitivity"),
        (([0.0], True, 0), {}, "'epsilon' parameter of exponential_mechanism"),
        (([0.0], "1", 0), {}, "epsilon"),
        (([0.0], 1.0, 0), {"sensitivity": True}, "sensitivity"),
        ((1.0, 1.0, 0), {}, "utilities"),
        (([0.0], 1.0, "seed"), {}, "random_state"),
    ],
)
def test_bad_input(args, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        exponential_mechanism(*args, **kwargs)
