"""ThresholdoutSearchCV: a drop-in search whose scores are mechanism answers."""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from statkit.model_selection import (
    BudgetExhausted,
    ReusableHoldout,
    Thresholdout,
    ThresholdoutSearchCV,
)

GRID = {"C": [1e-3, 1e-2, 1e-1, 1.0]}


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + rng.normal(size=n) > 0).astype(int)
    return X, y


def _holdout(seed=0, **params):
    X, y = _data(seed=seed)
    return ReusableHoldout(
        X[:300], y[:300], X[300:], y[300:], mechanism=Thresholdout(random_state=seed, **params)
    )


def test_results_are_answers_and_the_refit_predicts():
    X, y = _data()
    search = ThresholdoutSearchCV(
        LogisticRegression(), GRID, scoring="accuracy", random_state=0
    ).fit(X, y)
    answers = search.holdout_.mechanism.history_.answers
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], answers[:-1])
    assert search.best_score_ == answers[-1]
    assert search.best_params_ == {"C": 1.0}
    assert search.cv_results_["rank_test_score"][search.best_index_] == 1
    assert list(search.cv_results_["param_C"]) == GRID["C"]
    assert search.predict(X[:5]).shape == (5,)
    assert search.predict_proba(X[:5]).shape == (5, 2)
    assert 0.5 < search.score(X, y) <= 1
    np.testing.assert_array_equal(search.classes_, [0, 1])


def test_budget_and_answers_do_not_depend_on_n_jobs():
    runs = []
    for n_jobs in (1, 2):
        holdout = _holdout(threshold=0.005, sigma=0.01)
        search = ThresholdoutSearchCV(
            LogisticRegression(), GRID, holdout=holdout, scoring="accuracy", n_jobs=n_jobs
        ).fit()
        runs.append((search.holdout_budget_used_, search.cv_results_["mean_test_score"]))
    assert runs[0][0] == runs[1][0] > 0
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_searches_share_one_holdout_and_its_budget():
    holdout = _holdout(threshold=1e-6, sigma=0.01, budget=7)
    first = ThresholdoutSearchCV(LogisticRegression(), GRID, holdout=holdout, scoring="accuracy")
    first.fit()
    assert holdout.mechanism.n_overfit_ == 5
    second = clone(first)
    assert second.holdout is holdout
    with pytest.raises(BudgetExhausted):
        second.fit()
    assert not hasattr(second, "best_score_")  # a failed fit leaves nothing fitted


def test_random_search_draws_n_iter_candidates():
    X, y = _data()
    search = ThresholdoutSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()),
        param_distributions={"logisticregression__C": loguniform(1e-3, 1e2)},
        n_iter=6,
        scoring="accuracy",
        random_state=1,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    again = clone(search).fit(X, y)
    assert again.cv_results_["params"] == search.cv_results_["params"]
    np.testing.assert_array_equal(
        again.cv_results_["mean_test_score"], search.cv_results_["mean_test_score"]
    )


def test_results_hold_no_raw_holdout_score():
    holdout = _holdout(threshold=0.5, sigma=0.01)  # every answer is the training value
    search = ThresholdoutSearchCV(
        LogisticRegression(), GRID, holdout=holdout, scoring="accuracy"
    ).fit()
    raw = [
        LogisticRegression(C=c)
        .fit(holdout.X_train, holdout.y_train)
        .score(holdout._X_holdout, holdout._y_holdout)
        for c in GRID["C"]
    ]
    reported = np.concatenate(
        [
            v
            for v in search.cv_results_.values()
            if np.ndim(v) == 1 and np.asarray(v).dtype.kind == "f"
        ]
    )
    assert not np.isin(raw, reported).any()
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], search.cv_results_["mean_train_cv_score"]
    )


@pytest.mark.parametrize(
    ("params", "fit_args", "match"),
    [
        ({"param_grid": None}, _data(), "exactly one"),
        ({"param_distributions": {"C": [1.0]}}, _data(), "exactly one"),
        ({"holdout": 1.5}, _data(), "holdout"),
        ({"holdout": _holdout()}, _data(), "without X and y"),
        ({}, (None, None), "needs data"),
        ({"holdout": _holdout(), "mechanism": Thresholdout()}, (None, None), "has its own"),
    ],
)
def test_bad_input(params, fit_args, match):
    search = ThresholdoutSearchCV(LogisticRegression(), GRID, scoring="accuracy")
    with pytest.raises(ValueError, match=match):
        search.set_params(**params).fit(*fit_args)
