"""Thresholdout: the deterministic limit, budget invariants, reproducibility, bad input."""

import itertools
import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from statkit.model_selection import BudgetExhausted, Thresholdout
from statkit.privacy import PrivacyBudgetError
from statkit.testing.strategies import holdout_queries

pytestmark = pytest.mark.nojit


@given(holdout_queries(), st.floats(0.01, 0.99))
def test_sigma_zero_is_the_deterministic_rule(queries, threshold):
    train, holdout = queries
    mech = Thresholdout(threshold, 0.0, random_state=0)
    answers = mech.query(train, holdout)
    overfit = np.abs(holdout - train) > threshold
    np.testing.assert_array_equal(answers, np.where(overfit, holdout, train))
    np.testing.assert_array_equal(mech.history_.overfit, overfit)
    assert mech.n_overfit_ == overfit.sum()


@given(holdout_queries(max_size=40), st.integers(0, 10), st.sampled_from(["gaussian", "laplace"]))
def test_budget_invariants(queries, budget, noise):
    train, holdout = queries
    mech = Thresholdout(0.05, 0.02, budget, noise=noise, on_exhausted="nan", random_state=1)
    remaining = [math.inf]
    for t, h in zip(train, holdout, strict=True):
        exhausted = getattr(mech, "budget_remaining_", budget) < 1
        answer = mech.query(t, h)
        assert math.isnan(answer) == exhausted
        remaining.append(mech.budget_remaining_)
        assert mech.n_overfit_ <= budget
    assert all(a >= b for a, b in itertools.pairwise(remaining))
    assert mech.n_queries_ == len(mech.history_.answers)
    assert mech.budget_remaining_ == budget - mech.n_overfit_


@given(holdout_queries(max_size=30), st.sampled_from(["gaussian", "laplace"]))
def test_a_batch_answers_as_queries_one_by_one(queries, noise):
    train, holdout = queries
    batch = Thresholdout(0.05, 0.02, noise=noise, random_state=2).query(train, holdout)
    single = Thresholdout(0.05, 0.02, noise=noise, random_state=2)
    one_by_one = [single.query(t, h) for t, h in zip(train, holdout, strict=True)]
    np.testing.assert_array_equal(batch, one_by_one)


def test_exhausted_mechanism_never_looks_at_the_holdout():
    mech = Thresholdout(0.01, 0.0, budget=1, on_exhausted="nan", random_state=0)
    assert mech.query(0.2, 0.9) == 0.9
    answers = mech.query([0.5, 0.5], [0.5, 0.5])
    assert np.isnan(answers).all()
    assert mech.n_queries_ == 1
    raising = Thresholdout(0.01, 0.0, budget=0)
    with pytest.raises(BudgetExhausted, match="budget of 0"):
        raising.query(0.5, 0.5)
    assert issubclass(BudgetExhausted, PrivacyBudgetError)


def test_pickle_continues_identically():
    mech = Thresholdout(0.05, 0.02, noise="laplace", random_state=3)
    mech.query(np.linspace(0, 1, 20), np.linspace(1, 0, 20))
    copy = pickle.loads(pickle.dumps(mech))
    np.testing.assert_array_equal(
        mech.query([0.1, 0.9, 0.4], [0.9, 0.1, 0.4]), copy.query([0.1, 0.9, 0.4], [0.9, 0.1, 0.4])
    )


def test_defaults_follow_the_holdout_size_and_value_range():
    mech = Thresholdout(n_holdout=10_000)
    mech.query(0.5, 0.5)
    assert (mech.threshold_, mech.sigma_) == pytest.approx((0.04, 0.01))
    wide = Thresholdout(n_holdout=10_000, value_range=(-1.0, 1.0))
    wide.query(0.0, 0.0)
    assert (wide.threshold_, wide.sigma_) == pytest.approx((0.08, 0.02))
    assert math.isinf(mech.budget_remaining_)


def test_clip_keeps_holdout_answers_in_range():
    mech = Thresholdout(0.01, 0.5, clip=True, random_state=0)
    answers = mech.query(np.zeros(200), np.ones(200))
    assert answers.min() >= 0
    assert answers.max() <= 1
    unclipped = Thresholdout(0.01, 0.5, random_state=0).query(np.zeros(200), np.ones(200))
    assert unclipped.max() > 1


def test_history_never_holds_a_raw_holdout_value():
    mech = Thresholdout(0.01, 0.01, random_state=0)
    holdout = np.array([0.9, 0.8, 0.7])
    mech.query([0.1, 0.1, 0.1], holdout)
    assert not np.isin(holdout, mech.history_.answers).any()
    state = pickle.dumps(mech)
    assert all(np.float64(value).tobytes() not in state for value in holdout)


def test_from_guarantee_uses_the_theorem_constants_and_warns_when_small():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mech = Thresholdout.from_guarantee(0.1, 0.05, n_queries=100, n_holdout=50_000, budget=10)
    assert mech.threshold == pytest.approx(0.075)
    assert mech.sigma == pytest.approx(0.1 / (96 * math.log(4 * 100 / 0.05)))
    assert (mech.noise, mech.budget, mech.n_holdout) == ("laplace", 10, 50_000)
    with pytest.warns(UserWarning, match="below"):
        Thresholdout.from_guarantee(0.05, 0.05, n_queries=1000, n_holdout=1000)


def test_clone_keeps_parameters_and_drops_state():
    mech = Thresholdout(0.05, 0.01, 7, noise="laplace", random_state=0)
    mech.query(0.1, 0.9)
    fresh = clone(mech)
    assert fresh.get_params() == mech.get_params()
    assert not hasattr(fresh, "n_queries_")


@pytest.mark.parametrize(
    ("params", "query", "match"),
    [
        ({"threshold": 0.0, "sigma": 0.1}, (0.5, 0.5), "threshold"),
        ({"threshold": -1.0, "sigma": 0.1}, (0.5, 0.5), "threshold"),
        ({"threshold": 0.1, "sigma": -0.1}, (0.5, 0.5), "sigma"),
        ({"threshold": 0.1, "sigma": 0.1, "budget": -1}, (0.5, 0.5), "budget"),
        ({"threshold": 0.1, "sigma": 0.1, "noise": "cauchy"}, (0.5, 0.5), "noise"),
        ({}, (0.5, 0.5), "n_holdout"),
        ({"threshold": 0.1, "sigma": 0.1}, (1.5, 0.5), "train_value must lie in"),
        ({"threshold": 0.1, "sigma": 0.1}, (0.5, -0.1), "holdout_value must lie in"),
        ({"threshold": 0.1, "sigma": 0.1}, (float("nan"), 0.5), "train_value must not contain"),
        ({"threshold": 0.1, "sigma": 0.1}, ([0.5, 0.5], [0.5]), "same shape"),
        ({"threshold": 0.1, "sigma": 0.1, "value_range": (1.0, 0.0)}, (0.5, 0.5), "low < high"),
    ],
)
def test_bad_input_is_a_clear_error(params, query, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Thresholdout(**params).query(*query)


def test_answer_from_holdout_spends_budget_and_skips_the_comparison():
    mech = Thresholdout(0.5, 0.0, budget=3, random_state=0)
    assert mech.query(0.6, 0.61) == 0.6  # within the threshold: the training value
    np.testing.assert_array_equal(mech.answer_from_holdout([0.61, 0.2]), [0.61, 0.2])
    assert (mech.n_queries_, mech.n_overfit_, mech.budget_remaining_) == (3, 2, 1.0)
    np.testing.assert_array_equal(mech.history_.overfit, [False, True, True])
    mech.answer_from_holdout(0.3)
    with pytest.raises(BudgetExhausted):
        mech.answer_from_holdout(0.3)
    noisy = Thresholdout(0.5, 0.01, random_state=1).answer_from_holdout(np.full(2_000, 0.4))
    assert abs(noisy.std() - 0.01) < 0.001  # N(0, σ) answer noise; sd of the sd ≈ 0.00016
    with pytest.raises(ValueError, match="value_range"):
        Thresholdout(0.5, 0.01).answer_from_holdout(1.2)
