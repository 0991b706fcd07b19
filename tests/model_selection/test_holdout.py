"""ReusableHoldout: queries, the persistent ledger, overlap detection, the scorer."""

import copy
import json

import numpy as np
import pytest
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from statkit.model_selection import ReusableHoldout, Thresholdout, make_thresholdout_scorer


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + rng.normal(size=n) > 0).astype(int)
    return X[: n // 2], y[: n // 2], X[n // 2 :], y[n // 2 :]


def test_mean_answers_the_training_mean_when_the_splits_agree():
    X_train, y_train, X_holdout, y_holdout = _data()
    holdout = ReusableHoldout(
        X_train, y_train, X_holdout, y_holdout, mechanism=Thresholdout(0.5, 0.0)
    )
    answer = holdout.mean(lambda X, y: y)
    assert answer == np.mean(y_train)
    assert holdout.mechanism.n_holdout == 200  # bound to the holdout's size


def test_mean_and_score_go_through_the_mechanism():
    X_train, y_train, X_holdout, y_holdout = _data()
    holdout = ReusableHoldout(
        X_train, y_train, X_holdout, y_holdout, mechanism=Thresholdout(1e-9, 0.0)
    )
    assert holdout.mean(lambda X, y: X[:, 0] > 0) == np.mean(X_holdout[:, 0] > 0)
    model = LogisticRegression().fit(X_train, y_train)
    assert holdout.score(LogisticRegression(), "accuracy") == model.score(X_holdout, y_holdout)
    assert holdout.mechanism.n_queries_ == 2


def test_ledger_continues_the_count_and_the_noise(tmp_path):
    ledger = tmp_path / "ledger.json"
    split = _data()

    def analysis(holdout, n):
        return [holdout.mean(lambda X, y, j=j: X[:, j % 4] > 0) for j in range(n)]

    straight = analysis(ReusableHoldout(*split, mechanism=Thresholdout(random_state=0)), 6)
    first = ReusableHoldout(*split, mechanism=Thresholdout(random_state=0), ledger=ledger)
    before = analysis(first, 3)
    restarted = ReusableHoldout(*split, mechanism=Thresholdout(random_state=0), ledger=ledger)
    assert restarted.mechanism.n_queries_ == 3
    after = [restarted.mean(lambda X, y, j=j: X[:, j % 4] > 0) for j in range(3, 6)]
    assert before + after == straight
    entry = json.loads(ledger.read_text())[restarted.fingerprint]
    assert entry["state"]["n_queries"] == 6
    other = ReusableHoldout(*_data(seed=1), mechanism=Thresholdout(random_state=0), ledger=ledger)
    assert not hasattr(other.mechanism, "n_queries_")  # another holdout starts afresh


def test_ledger_refuses_another_mechanism_for_the_same_holdout(tmp_path):
    ledger = tmp_path / "ledger.json"
    ReusableHoldout(*_data(), ledger=ledger).mean(lambda X, y: y)
    with pytest.raises(ValueError, match="another mechanism"):
        ReusableHoldout(*_data(), mechanism=Thresholdout(budget=5), ledger=ledger)


def test_overlapping_holdout_is_refused():
    X_train, y_train, X_holdout, y_holdout = _data()
    X_leaky = np.vstack([X_holdout[:-2], X_train[:2]])
    y_leaky = np.concatenate([y_holdout[:-2], y_train[:2]])
    mechanism = Thresholdout()
    with pytest.raises(ValueError, match="shares 2"):
        ReusableHoldout(X_train, y_train, X_leaky, y_leaky, mechanism=mechanism)
    assert mechanism.n_holdout is None  # a refused holdout leaves the mechanism as it was
    ReusableHoldout(X_train, y_train, X_leaky, y_leaky, check_overlap=False)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda a: (a[0], a[1][:-1], a[2], a[3]), "X_train and y_train"),
        (lambda a: (a[0], a[1], a[2][:-1], a[3]), "X_holdout and y_holdout"),
    ],
)
def test_mismatched_lengths(change, match):
    with pytest.raises(ValueError, match=match):
        ReusableHoldout(*change(_data()))


def test_phi_must_return_one_value_in_range_per_sample():
    holdout = ReusableHoldout(*_data())
    with pytest.raises(ValueError, match="one value per sample"):
        holdout.mean(lambda X, y: X)
    with pytest.raises(ValueError, match="value_range"):
        holdout.mean(lambda X, y: X[:, 0])
    with pytest.raises(ValueError, match="NaN"):
        holdout.mean(lambda X, y: np.full(len(y), np.nan))
    with pytest.raises(ValueError, match="n_holdout=7"):
        ReusableHoldout(*_data(), mechanism=Thresholdout(n_holdout=7))


def test_copies_share_the_budget():
    holdout = ReusableHoldout(*_data())
    assert copy.deepcopy(holdout) is holdout
    assert copy.copy(holdout) is holdout


def test_scorer_in_grid_search_spends_one_query_per_candidate():
    holdout = ReusableHoldout(*_data(), mechanism=Thresholdout(random_state=0))
    scorer = make_thresholdout_scorer(holdout, "accuracy")
    grid = GridSearchCV(
        LogisticRegression(), {"C": [0.01, 0.1, 1.0]}, scoring=scorer, cv=holdout.search_cv()
    ).fit(holdout.X_train, holdout.y_train)
    assert holdout.mechanism.n_queries_ == 3
    np.testing.assert_array_equal(
        grid.cv_results_["mean_test_score"], holdout.mechanism.history_.answers
    )


def test_scorer_refuses_to_answer_in_a_worker_process():
    holdout = ReusableHoldout(*_data(), mechanism=Thresholdout(random_state=0))
    scorer = make_thresholdout_scorer(holdout, "accuracy")
    model = LogisticRegression().fit(holdout.X_train, holdout.y_train)
    with pytest.raises(RuntimeError, match="sequentially"):
        Parallel(n_jobs=2, backend="loky")(
            delayed(scorer)(model, holdout.X_train, holdout.y_train) for _ in range(2)
        )
    with pytest.raises(ValueError, match="training split"):
        scorer(model, holdout.X_train[:10], holdout.y_train[:10])
    with pytest.raises(ValueError, match="ReusableHoldout"):
        make_thresholdout_scorer(Thresholdout(), "accuracy")


def test_final_score_is_a_holdout_answer():
    X_train, y_train, X_holdout, y_holdout = _data()
    holdout = ReusableHoldout(
        X_train, y_train, X_holdout, y_holdout, mechanism=Thresholdout(0.9, 0.0, budget=2)
    )
    model = LogisticRegression().fit(X_train, y_train)
    assert holdout.score(LogisticRegression(), "accuracy") != model.score(X_holdout, y_holdout)
    assert holdout.final_score(LogisticRegression(), "accuracy") == model.score(
        X_holdout, y_holdout
    )
    assert holdout.mechanism.budget_remaining_ == 1
