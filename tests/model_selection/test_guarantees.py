"""Statistical guarantees of the holdout mechanisms, checked by simulation with fixed seeds."""

import pytest

from tests.model_selection import checks


@pytest.mark.parametrize("noise", ["gaussian", "laplace"])
def test_branch_probability_matches_the_exact_value(noise):
    checks.check_branch_probability(noise)


@pytest.mark.parametrize("noise", ["gaussian", "laplace"])
def test_holdout_answers_carry_the_rules_noise(noise):
    checks.check_answer_noise_law(noise)


@pytest.mark.parametrize("noise", ["gaussian", "laplace"])
def test_training_answers_are_the_training_value_exactly(noise):
    checks.check_training_branch_exact(noise)


def test_budget_is_spent_once_per_holdout_answer_and_then_refuses():
    checks.check_budget_accounting()


def test_ci_size_science_experiment():
    checks.check_ci_size_experiment()


def test_search_reports_a_fresh_query_of_the_best_candidate():
    checks.check_search_requery()


def test_model_scores_use_a_cross_validated_training_value():
    checks.check_cross_validated_training_value()


def test_ladder_fixed_step_rules():
    checks.check_ladder_fixed_step()


def test_laplace_rule_passes_the_privacy_audit():
    checks.check_laplace_rule_privacy()
