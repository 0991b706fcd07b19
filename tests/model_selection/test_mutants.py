"""The guarantee checks can fail: each planted bug is caught by the checks that guard against it.

Every mutant is a bug planted once by hand; it lives here so that a later
change that blinds a check turns CI red.
"""

from functools import partial
from unittest import mock

import numpy as np
import pytest

from statkit.model_selection import Ladder, _holdout, _search, _thresholdout
from tests.model_selection import checks
from tests.mutation import assert_caught


def _noise_scales(comparison=1.0, answer=1.0):
    scaled = {
        rule: ((c * comparison, a * answer, g), first)
        for rule, ((c, a, g), first) in _thresholdout._NOISE_SCALES.items()
    }
    return mock.patch.dict(_thresholdout._NOISE_SCALES, scaled)


def _kernel(*, leak=False, spend=True):
    """The Thresholdout kernel with a planted bug, in plain Python."""

    def answers_of(
        train, holdout, threshold, noise, noisy_threshold, budget_left, from_holdout=False
    ):
        answers = np.full(train.size, np.nan)
        overfit = np.zeros(train.size, dtype=bool)
        for i in range(train.size):
            if budget_left < 1:
                return answers, overfit, i, noisy_threshold, budget_left
            if from_holdout or abs(holdout[i] - train[i]) > noisy_threshold + noise[i, 0]:
                answers[i], overfit[i] = holdout[i] + noise[i, 1], True
                budget_left -= 1.0 if spend else 0.0
                noisy_threshold = threshold + noise[i, 2]
            else:
                answers[i] = holdout[i] if leak else train[i]
        return answers, overfit, train.size, noisy_threshold, budget_left

    return mock.patch.object(_thresholdout, "thresholdout_answers", answers_of)


def _running_max_reported():
    def best_noisy_answer(holdout, evaluation):
        return float(np.nanmax(holdout.mechanism.history_.answers))

    return mock.patch.object(_search, "requery", best_noisy_answer)


def _resubstitution():
    def resubstitution(estimator, scorer, X_train, y_train, cv):
        return float(scorer(estimator.fit(X_train, y_train), X_train, y_train))

    return mock.patch.object(_holdout, "training_value", resubstitution)


def _ladder_reports_raw_loss():
    def lead(self, score, losses):
        self.score_, self.leader_ = float(np.mean(losses)), len(self.history_)
        self._leader_losses = losses

    return mock.patch.object(Ladder, "_lead", lead)


MUTANTS = {
    "answer noise at half scale": (
        partial(_noise_scales, answer=0.5),
        [
            partial(checks.check_answer_noise_law, "gaussian"),
            partial(checks.check_answer_noise_law, "laplace"),
        ],
    ),
    "answer noise at twice the scale": (
        partial(_noise_scales, answer=2.0),
        [partial(checks.check_answer_noise_law, "gaussian")],
    ),
    "answer noise at a quarter of the scale": (
        partial(_noise_scales, answer=0.25),
        [checks.check_laplace_rule_privacy],
    ),
    "no noise on the comparison": (
        partial(_noise_scales, comparison=0.0),
        [
            partial(checks.check_branch_probability, "gaussian"),
            partial(checks.check_branch_probability, "laplace"),
        ],
    ),
    "holdout value leaked on the training branch": (
        partial(_kernel, leak=True),
        [
            partial(checks.check_training_branch_exact, "gaussian"),
            checks.check_ci_size_experiment,
        ],
    ),
    "budget never spent": (partial(_kernel, spend=False), [checks.check_budget_accounting]),
    "best_score_ is the best noisy answer": (
        _running_max_reported,
        [checks.check_search_requery],
    ),
    "resubstitution training value": (
        _resubstitution,
        [checks.check_cross_validated_training_value],
    ),
    "Ladder reports unrounded losses": (_ladder_reports_raw_loss, [checks.check_ladder_fixed_step]),
}


@pytest.mark.parametrize("mutant", MUTANTS)
def test_each_planted_bug_fails_its_checks(mutant):
    assert_caught(*MUTANTS[mutant])
