"""Ladder and SparseValidate: the rules, as properties."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from statkit.model_selection import BudgetExhausted, Ladder, SparseValidate
from statkit.testing.strategies import leaderboard_submissions

pytestmark = pytest.mark.nojit


@given(leaderboard_submissions(), st.sampled_from([None, 0.05, 0.2]))
def test_ladder_only_moves_down_and_only_on_a_real_improvement(data, step):
    labels, submissions = data
    board = Ladder(labels, step=step)
    previous, changes = math.inf, 0
    for prediction in submissions:
        loss = float(np.mean(prediction != labels))
        reported = board.submit(prediction)
        assert reported <= previous
        if reported != previous:
            changes += 1
            if step is not None:
                assert loss < previous - step
                assert math.isclose(reported / step, round(reported / step), abs_tol=1e-9)
            else:
                assert reported == loss
        previous = reported
    if step is not None:
        assert changes <= 1 + 1 / step
    assert board.history_[-1] == board.score_
    if board.leader_ is not None:  # resubmitting the leader never moves the board
        assert board.submit(submissions[board.leader_]) == previous


def test_ladder_parameter_free_rule_is_a_paired_t_test():
    labels = np.array([0, 1] * 50)
    board = Ladder(labels)
    first = np.where(np.arange(100) < 40, labels, 1 - labels)  # loss 0.6
    assert board.submit(first) == pytest.approx(0.6)
    barely = first.copy()
    barely[40] = labels[40]  # loss 0.59: one example better, within s / sqrt(n)
    assert board.submit(barely) == pytest.approx(0.6)
    better = np.where(np.arange(100) < 70, labels, 1 - labels)  # loss 0.3
    assert board.submit(better) == pytest.approx(0.3)
    assert board.leader_ == 2


def test_ladder_losses_and_bad_input():
    board = Ladder([0.0, 1.0, 2.0], loss="squared", step=0.5)
    assert board.submit([0.0, 1.0, 1.0]) == pytest.approx(0.5)
    custom = Ladder([1, 2], loss=lambda y, p: np.abs(y - p) / 2)
    assert custom.submit([1, 1]) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="shape"):
        board.submit([0.0, 1.0])
    with pytest.raises(ValueError, match="step"):
        Ladder([0, 1], step=-0.1)
    with pytest.raises(ValueError, match="loss"):
        Ladder([0, 1], loss="hinge")
    with pytest.raises(ValueError, match="finite value per example"):
        Ladder([0, 1], loss=lambda y, p: np.array([1.0])).submit([0, 1])


@given(st.lists(st.booleans(), min_size=1, max_size=30), st.integers(1, 20), st.integers(1, 5))
def test_sparse_validate_answers_exactly_until_a_budget_runs_out(
    answers, max_queries, max_failures
):
    X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1])
    sv = SparseValidate(X, y, max_queries=max_queries, max_failures=max_failures)
    given_answers = []
    for answer in answers:
        try:
            given_answers.append(sv.validate(lambda X_, y_, a=answer: a and X_ is X and y_ is y))
        except BudgetExhausted:
            assert sv.n_queries_ == max_queries or sv.n_failures_ == max_failures
            break
    assert given_answers == answers[: len(given_answers)]
    assert sv.n_failures_ == sum(given_answers) <= max_failures
    assert sv.n_queries_ == len(given_answers) <= max_queries


def test_sparse_validate_level_and_bad_input():
    sv = SparseValidate([[0.0]] * 3, [0, 1, 0], max_queries=10, max_failures=2)
    assert sv.n_transcripts == 1 + 10 + 45
    assert sv.per_test_level(0.05) == pytest.approx(0.05 / 56)
    with pytest.raises(TypeError, match="bool"):
        sv.validate(lambda X, y: 0.3)
    with pytest.raises(ValueError, match="max_failures"):
        SparseValidate([[0.0]], [0], max_queries=3, max_failures=0)
    with pytest.raises(ValueError, match="same length"):
        SparseValidate([[0.0]], [0, 1], max_queries=3, max_failures=1)
