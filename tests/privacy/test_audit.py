"""Tests for the black-box privacy audit: validity, power, Clopper–Pearson bounds, inputs.

Validity: on the Laplace and geometric mechanisms, which are exactly ε-DP
(and tight), the lower bound stays at or below ε, and an audit repeated on
many independent small samples exceeds ε in far fewer than 5% of them. Power:
with a few thousand runs the bound reaches at least half of ε, and a mechanism
with ten times too little noise is caught.
"""

import math
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from scipy.stats import binomtest

from statkit.privacy import AuditResult, GeometricMechanism, LaplaceMechanism, audit_epsilon
from statkit.privacy._audit import _clopper_pearson_lower, _clopper_pearson_upper

EPSILONS = [0.5, 1.0, 2.0]
RUNS = 4000
COUNT = 10


def _runs(mechanism, runs, seed):
    """The mechanism's releases on a count and on its neighbour (one person more)."""
    rng = np.random.default_rng(seed)
    on_d = mechanism.randomise(np.full(runs, COUNT), rng)
    on_neighbour = mechanism.randomise(np.full(runs, COUNT + 1), rng)
    return on_d, on_neighbour


@pytest.mark.parametrize("mechanism", [LaplaceMechanism, GeometricMechanism])
@pytest.mark.parametrize("epsilon", EPSILONS)
def test_bound_is_valid_and_not_vacuous_on_exact_mechanisms(mechanism, epsilon):
    on_d, on_neighbour = _runs(mechanism(epsilon), RUNS, seed=int(10 * epsilon))
    result = audit_epsilon(on_d, on_neighbour, random_state=1)
    assert 0.5 * epsilon <= result.epsilon_lower_bound <= epsilon
    # The neighbour has the larger count: its upper tail is the telling region.
    assert (result.direction, result.positive) == (">=", "scores_neighbour")
    assert result.n_runs == (RUNS, RUNS)
    assert result.n_evaluation == (RUNS - RUNS // 2, RUNS - RUNS // 2)


@pytest.mark.parametrize("mechanism", [LaplaceMechanism, GeometricMechanism])
@pytest.mark.parametrize("epsilon", EPSILONS)
def test_ten_times_too_little_noise_is_detected(mechanism, epsilon):
    on_d, on_neighbour = _runs(mechanism(10 * epsilon), RUNS, seed=7)
    assert audit_epsilon(on_d, on_neighbour, random_state=2).epsilon_lower_bound > epsilon


def test_lower_tail_and_either_order_are_found():
    on_d, on_neighbour = _runs(GeometricMechanism(1.0), RUNS, seed=3)
    swapped = audit_epsilon(on_neighbour, on_d, random_state=1)
    assert (swapped.direction, swapped.positive) == (">=", "scores")
    negated = audit_epsilon(-on_d, -on_neighbour, random_state=1)
    # The region and its complement (with the sides swapped) are the same test.
    assert (negated.direction, negated.positive) in {("<=", "scores_neighbour"), (">=", "scores")}
    assert 0.5 <= negated.epsilon_lower_bound <= 1.0


def test_coverage_over_many_small_audits():
    # An ε-DP mechanism may exceed ε with probability at most 1 - confidence.
    mech, epsilon = GeometricMechanism(1.0), 1.0
    bounds = [
        audit_epsilon(*_runs(mech, 200, seed), random_state=seed).epsilon_lower_bound
        for seed in range(300)
    ]
    assert np.mean(np.array(bounds) > epsilon) <= 0.05


def test_identical_distributions_give_zero():
    rng = np.random.default_rng(5)
    result = audit_epsilon(rng.normal(size=RUNS), rng.normal(size=RUNS), random_state=0)
    assert result.epsilon_lower_bound == 0.0


def test_bound_matches_clopper_pearson_from_scipy():
    on_d, on_neighbour = _runs(LaplaceMechanism(1.0), 1001, seed=11)
    result = audit_epsilon(on_d, on_neighbour, confidence=0.9, random_state=4)
    n_pos, n_neg = result.n_evaluation[::-1]  # the neighbour's runs are the positives
    assert result.n_evaluation == (501, 501)
    k_pos = round(result.true_positive_rate * n_pos)
    k_neg = round(result.false_positive_rate * n_neg)
    level = 1 - 0.1 / 4  # four one-sided bounds hold jointly at 90%

    def lower(k, n):
        return binomtest(k, n, alternative="greater").proportion_ci(level, method="exact").low

    def upper(k, n):
        return binomtest(k, n, alternative="less").proportion_ci(level, method="exact").high

    expected = max(
        math.log(lower(k_pos, n_pos) / upper(k_neg, n_neg)),
        math.log(lower(n_neg - k_neg, n_neg) / upper(n_pos - k_pos, n_pos)),
        0.0,
    )
    assert result.epsilon_lower_bound == pytest.approx(expected, rel=1e-9)
    tpr, fpr = k_pos / n_pos, k_neg / n_neg
    assert result.epsilon_empirical == pytest.approx(
        max(math.log(tpr / fpr), math.log((1 - fpr) / (1 - tpr)))
    )


@pytest.mark.parametrize("n", [1, 7, 500])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.9875])
def test_clopper_pearson_against_scipy_binomtest(n, level):
    for k in sorted({0, 1, n // 2, n - 1, n}):
        low = binomtest(k, n, alternative="greater").proportion_ci(level, method="exact").low
        high = binomtest(k, n, alternative="less").proportion_ci(level, method="exact").high
        assert _clopper_pearson_lower(k, n, level) == pytest.approx(low, abs=1e-12)
        assert _clopper_pearson_upper(k, n, level) == pytest.approx(high, abs=1e-12)


def test_clopper_pearson_by_hand():
    # No successes: the upper bound solves (1 - p)^n = 1 - level; all successes: p^n = 1 - level.
    assert _clopper_pearson_upper(0, 10, 0.95) == pytest.approx(1 - 0.05 ** (1 / 10))
    assert _clopper_pearson_lower(10, 10, 0.95) == pytest.approx(0.05 ** (1 / 10))
    assert _clopper_pearson_lower(0, 10, 0.95) == 0.0
    assert _clopper_pearson_upper(10, 10, 0.95) == 1.0


def test_reproducible_and_frozen():
    on_d, on_neighbour = _runs(GeometricMechanism(2.0), 500, seed=0)
    first = audit_epsilon(on_d, on_neighbour, random_state=3)
    assert first == audit_epsilon(on_d, on_neighbour, random_state=np.random.default_rng(3))
    assert isinstance(first, AuditResult)
    with pytest.raises(FrozenInstanceError):
        first.epsilon_lower_bound = 0.0
    # Unequal numbers of runs and integer scores are fine.
    result = audit_epsilon(on_d[:300], on_neighbour, random_state=3)
    assert result.n_runs == (300, 500)
    assert result.n_evaluation == (150, 250)


@pytest.mark.parametrize(
    ("scores", "match"),
    [
        ([], "must not be empty"),
        ([1.0], "at least 2 runs"),
        ([1.0, np.nan, 2.0], "NaN or infinite"),
        ([1.0, np.inf], "NaN or infinite"),
        ([[1.0, 2.0], [3.0, 4.0]], "1-D"),
    ],
)
def test_bad_scores(scores, match):
    with pytest.raises(ValueError, match=match):
        audit_epsilon(scores, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=match.replace("scores", "scores_neighbour")):
        audit_epsilon([1.0, 2.0, 3.0], scores)


def test_non_numeric_scores():
    with pytest.raises(TypeError, match="scores"):
        audit_epsilon(["a", "b"], [1.0, 2.0])


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 1.5, math.nan])
def test_confidence_outside_unit_interval(confidence):
    message = (
        r"The 'confidence' parameter of audit_epsilon must be a float in the range \(0\.0, 1\.0\)"
    )
    with pytest.raises(ValueError, match=message):
        audit_epsilon([1.0, 2.0], [1.0, 2.0], confidence=confidence)


@pytest.mark.parametrize("confidence", ["0.95", True, np.bool_(True), None])
def test_confidence_not_a_number(confidence):
    with pytest.raises(TypeError, match="confidence"):
        audit_epsilon([1.0, 2.0], [1.0, 2.0], confidence=confidence)
