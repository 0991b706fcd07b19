"""Checks of the holdout mechanisms' guarantees, shared by the tests and their mutants.

Each ``check_*`` runs the public API and raises AssertionError when the
property it guards fails; ``tests/model_selection/test_mutants.py`` plants one
bug at a time and asserts that the checks guarding against it fail.
"""

import math

import numpy as np
from scipy import integrate, stats
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from statkit.datasets import make_adaptive_overfitting_experiment
from statkit.model_selection import (
    BudgetExhausted,
    Ladder,
    ReusableHoldout,
    Thresholdout,
    ThresholdoutSearchCV,
    adaptive_feature_selection,
)

# Binomial and KS tests at these levels fail a correct mechanism with negligible
# probability, and the planted bugs move the statistics far beyond them.
ALPHA = 1e-6
KS_LEVEL = 1e-4


def _laplace_cdf(x, scale):
    return 0.5 * math.exp(x / scale) if x < 0 else 1 - 0.5 * math.exp(-x / scale)


def overfit_probability(gap, threshold, sigma, noise):
    """Exact probability that a first query with ``|h - t| = gap`` is answered from the holdout."""
    if noise == "gaussian":  # gap > T + N(0, σ)
        return float(stats.norm.cdf((gap - threshold) / sigma))

    # gap > T + γ + η, γ ~ Lap(2σ), η ~ Lap(4σ): integrate the density of γ.
    def integrand(g):
        return (
            math.exp(-abs(g) / (2 * sigma))
            / (4 * sigma)
            * _laplace_cdf(gap - threshold - g, 4 * sigma)
        )

    # Beyond ±200σ the density of γ is below e^-100: the finite range loses nothing.
    limit = 200 * sigma
    value, _ = integrate.quad(integrand, -limit, limit, points=[0.0, gap - threshold], limit=200)
    return value


def check_branch_probability(noise, gap=0.05, threshold=0.04, sigma=0.01, n=20_000):
    """The fraction of holdout answers matches the exact probability (binomial test)."""
    p = overfit_probability(gap, threshold, sigma, noise)
    if noise == "gaussian":  # queries are independent: one mechanism answers them all
        mech = Thresholdout(threshold, sigma, random_state=0)
        mech.query(np.full(n, 0.5), np.full(n, 0.5 + gap))
        hits = mech.n_overfit_
    else:  # the threshold noise persists: a fresh mechanism per first query
        n = n // 4
        seeds = np.random.SeedSequence(1).spawn(n)
        hits = 0
        for seed in seeds:
            mech = Thresholdout(
                threshold, sigma, noise="laplace", random_state=np.random.default_rng(seed)
            )
            mech.query(0.5, 0.5 + gap)
            hits += mech.n_overfit_
    pvalue = stats.binomtest(hits, n, p).pvalue
    assert pvalue > ALPHA, f"{hits}/{n} holdout answers, expected probability {p:.4f}"


def check_answer_noise_law(noise, sigma=0.01, n=5_000):
    """Holdout answers minus the holdout value follow N(0, σ) or Lap(σ) (KS test)."""
    mech = Thresholdout(0.01, sigma, noise=noise, random_state=2)
    answers = mech.query(np.full(n, 0.2), np.full(n, 0.8))  # gap 0.6: always overfit
    assert mech.n_overfit_ == n
    law = stats.norm(0, sigma) if noise == "gaussian" else stats.laplace(0, sigma)
    pvalue = stats.kstest(answers - 0.8, law.cdf).pvalue
    assert pvalue > KS_LEVEL, f"answer noise is not the rule's law (KS p = {pvalue:.2e})"


def check_training_branch_exact(noise):
    """A query answered from training returns the training value bit for bit."""
    rng = np.random.default_rng(3)
    train = rng.uniform(0.3, 0.7, 2_000)
    holdout = train + rng.uniform(-0.001, 0.001, train.size)
    mech = Thresholdout(0.2, 0.01, noise=noise, random_state=3)
    answers = mech.query(train, holdout)
    from_training = ~mech.history_.overfit
    assert from_training.sum() > 1_900
    assert np.array_equal(answers[from_training], train[from_training])


def check_budget_accounting(budget=5):
    """Budget spent once per holdout answer; exhausted means no answer ever again."""
    mech = Thresholdout(0.05, 0.0, budget=budget, random_state=4)
    gaps = np.tile([0.0, 0.5], 20)
    try:
        mech.query(np.full(gaps.size, 0.25), 0.25 + gaps)
    except BudgetExhausted:
        pass
    else:
        raise AssertionError("the budget of holdout answers was not enforced")
    history = mech.history_
    assert mech.n_overfit_ == budget == int(history.overfit.sum())
    assert mech.budget_remaining_ == 0
    assert mech.n_queries_ == history.answers.size == 2 * budget  # stopped at the next query
    for _ in range(2):
        try:
            mech.query(0.5, 0.5)
        except BudgetExhausted:
            continue
        raise AssertionError("an exhausted mechanism answered")


def ci_size_gaps(repetitions=30, size=2_000, noise="gaussian"):
    """Per-k mean reported − mean fresh accuracy of the standard holdout and Thresholdout."""
    standard, thresholdout = [], []
    for seed in range(repetitions):
        data = make_adaptive_overfitting_experiment(size, size, random_state=seed)
        naive = adaptive_feature_selection(data)
        standard.append(naive.reported_accuracy - naive.fresh_accuracy)
        mech = Thresholdout(n_holdout=size, value_range=None, noise=noise, random_state=seed)
        guarded = adaptive_feature_selection(data, mech)
        thresholdout.append(guarded.reported_accuracy - guarded.fresh_accuracy)
    k = naive.k
    return k, np.mean(standard, axis=0), np.mean(thresholdout, axis=0), mech.threshold_


def check_ci_size_experiment():
    """The issue's CI-size targets: the standard holdout overfits, Thresholdout does not."""
    k, standard, thresholdout, threshold = ci_size_gaps()
    selected = k >= 10
    assert np.max(np.abs(standard[selected])) >= 0.10
    assert np.mean(np.abs(thresholdout[selected])) <= 0.035
    assert np.max(np.abs(thresholdout[selected])) <= threshold


def check_search_requery():
    """best_score_ is one fresh holdout answer for the chosen candidate, not the best noisy one."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(600, 5))
    y = (X[:, 0] + rng.normal(size=600) > 0).astype(int)
    grid = {"C": [1e-3, 1e-2, 1e-1, 1.0, 10.0]}
    search = ThresholdoutSearchCV(
        LogisticRegression(),
        grid,
        mechanism=Thresholdout(threshold=1e-9, sigma=0.05),  # every answer from the holdout
        scoring="accuracy",
        random_state=5,
    ).fit(X, y)
    history = search.holdout_.mechanism.history_
    assert history.answers.size == len(grid["C"]) + 1
    assert search.best_score_ == history.answers[-1]
    assert history.overfit[-1]  # from the holdout, one unit of budget
    assert search.holdout_budget_used_ == history.overfit.sum()
    assert search.best_score_ != np.max(search.cv_results_["mean_test_score"])


def check_cross_validated_training_value():
    """The training value of a model score is cross-validated, never resubstitution."""
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(400, 3)), rng.integers(0, 2, 400)
    holdout = ReusableHoldout(
        X[:200], y[:200], X[200:], y[200:], mechanism=Thresholdout(threshold=0.99, sigma=0.0)
    )
    answer = holdout.score(DecisionTreeClassifier(random_state=0), "accuracy")
    assert holdout.mechanism.n_overfit_ == 0  # the training value came back
    assert answer < 0.7, f"training value {answer:.3f}: a tree on noise scores 1.0 on its data"


def check_ladder_fixed_step(step=0.01, n=4_000, submissions=300):
    """The fixed-step board reports multiples of the step and moves only by more than it."""
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, n)
    board = Ladder(y, step=step)
    previous = math.inf
    for _ in range(submissions):
        prediction = rng.integers(0, 2, n)
        loss = float(np.mean(prediction != y))
        reported = board.submit(prediction)
        assert reported <= previous
        if reported != previous:
            assert loss < previous - step
            assert math.isclose(reported / step, round(reported / step), abs_tol=1e-9)
        previous = reported


def laplace_rule_answers(holdout_value, runs, seed, train_value=0.5, threshold=0.05, sigma=0.01):
    """First answers of fresh Laplace-rule mechanisms with budget 1, one per run."""
    answers = np.empty(runs)
    for i, stream in enumerate(np.random.SeedSequence(seed).spawn(runs)):
        mech = Thresholdout(
            threshold, sigma, 1, noise="laplace", random_state=np.random.default_rng(stream)
        )
        answers[i] = mech.query(train_value, holdout_value)
    return answers


def check_laplace_rule_privacy(runs=20_000, n=100, sigma=0.01):
    """The black-box audit of one Laplace-rule answer stays below ε = 2 w / (n σ).

    Neighbouring holdouts of n records move a [0, 1]-valued query's holdout
    mean by 1/n; a budget-1 run is the sparse vector step (ε = 1/(nσ)) plus one
    Laplace answer (ε = 1/(nσ)).
    """
    from statkit.privacy import audit_epsilon

    epsilon = 2 / (n * sigma)
    scores = laplace_rule_answers(0.55, runs, seed=10, sigma=sigma)
    neighbour = laplace_rule_answers(0.55 + 1 / n, runs, seed=11, sigma=sigma)
    bound = audit_epsilon(scores, neighbour, random_state=0).epsilon_lower_bound
    assert bound <= epsilon, f"audited epsilon {bound:.2f} > claimed {epsilon:.2f}"
