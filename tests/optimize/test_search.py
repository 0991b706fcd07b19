"""BayesSearchCV: a scikit-learn search whose candidates come from Bayesian optimization."""

import pickle
from collections import Counter

import numpy as np
import pytest
from joblib import parallel_config
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, RandomizedSearchCV
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from statkit.optimize import BayesSearchCV, Categorical, Integer, Real

SVC_SPACE = {
    "C": Real(1e-3, 1e3, prior="log-uniform"),
    "gamma": (1e-4, 1e1, "log-uniform"),
    "degree": Integer(1, 4),
    "kernel": ["rbf", "poly"],
}


def _iris():
    return load_iris(return_X_y=True)


def _toy():
    return np.zeros((30, 1)), np.zeros(30)


class Bowl(RegressorMixin, BaseEstimator):
    """A model whose score depends on its parameters only: a narrow bowl on the log scale.

    The optimum, 0, is at ``a = 10**1.3``, ``b = 10**-0.7``. With ``fail_above``,
    ``fit`` raises for ``a`` above it.
    """

    def __init__(self, a=1.0, b=1.0, fail_above=None):
        self.a = a
        self.b = b
        self.fail_above = fail_above

    def fit(self, X, y):
        if self.fail_above is not None and self.a > self.fail_above:
            raise ValueError("a is too large")
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y):
        return -((np.log10(self.a) - 1.3) ** 2 + (np.log10(self.b) + 0.7) ** 2)


BOWL_SPACE = {"a": Real(1e-3, 1e3, prior="log-uniform"), "b": Real(1e-3, 1e3, prior="log-uniform")}


class FoldProbe(ClassifierMixin, BaseEstimator):
    """Scores ``a`` plus a fingerprint of the test fold (which rows it holds)."""

    def __init__(self, a=1.0):
        self.a = a

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return -((self.a - 0.3) ** 2) + 1e-6 * float(np.sum(X[:, 0]))


class Batches(BayesSearchCV):
    """Records the size of each ``evaluate_candidates`` call."""

    def _run_search(self, evaluate_candidates, **kwargs):
        self.batches_ = []

        def counted(candidates, *args, **kw):
            candidates = list(candidates)
            self.batches_.append(len(candidates))
            return evaluate_candidates(candidates, *args, **kw)

        super()._run_search(counted, **kwargs)


def test_results_best_params_and_refit():
    X, y = _iris()
    search = BayesSearchCV(SVC(), SVC_SPACE, n_iter=12, cv=3, random_state=0).fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == search.total_iterations == 12
    for name in ("C", "gamma", "degree", "kernel"):
        assert len(results[f"param_{name}"]) == 12
        assert not np.ma.getmaskarray(results[f"param_{name}"]).any()
    # Candidates are distinct, inside the space, with the dimensions' types.
    assert len({tuple(sorted(p.items())) for p in results["params"]}) == 12
    for params in [*results["params"], search.best_params_]:
        assert isinstance(params["C"], float)
        assert 1e-3 <= params["C"] <= 1e3
        assert isinstance(params["gamma"], float)
        assert 1e-4 <= params["gamma"] <= 1e1
        assert type(params["degree"]) is int
        assert 1 <= params["degree"] <= 4
        assert params["kernel"] in ("rbf", "poly")
    assert results["rank_test_score"][search.best_index_] == 1
    assert search.best_score_ == np.max(results["mean_test_score"]) > 0.9
    # The optimizer saw the same scores, maximised; its x is in sorted-name order.
    (result,) = search.optimizer_results_
    assert result.space.names == ["C", "degree", "gamma", "kernel"]
    np.testing.assert_array_equal(result.func_vals, results["mean_test_score"])
    assert result.fun == search.best_score_
    assert dict(zip(result.space.names, result.x, strict=True)) == search.best_params_
    # refit: the best candidate on all the data.
    assert search.best_estimator_.get_params()["C"] == search.best_params_["C"]
    np.testing.assert_array_equal(search.predict(X[:5]), search.best_estimator_.predict(X[:5]))
    assert search.score(X, y) > 0.9
    np.testing.assert_array_equal(search.classes_, [0, 1, 2])


def test_same_random_state_same_search_and_n_jobs_does_not_matter():
    X, y = _iris()

    def run(random_state, n_jobs=None, n_iter=6):
        search = BayesSearchCV(
            SVC(),
            SVC_SPACE,
            n_iter=n_iter,
            n_points=2,
            n_initial_points=4,
            cv=3,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        return search.fit(X, y).cv_results_

    first = run(0)  # 4 design points, then a batch of 2 from the GP
    with parallel_config(backend="threading"):
        again = run(0, n_jobs=2)
    assert again["params"] == first["params"]
    np.testing.assert_array_equal(again["mean_test_score"], first["mean_test_score"])
    assert run(1, n_iter=2)["params"] != first["params"][:2]


def test_n_points_asks_and_evaluates_candidates_in_batches():
    search = Batches(Bowl(), BOWL_SPACE, n_iter=8, n_points=3, n_initial_points=4, cv=3)
    search.set_params(random_state=0).fit(*_toy())
    assert search.batches_ == [3, 3, 2]
    params = search.cv_results_["params"]
    assert len({(p["a"], p["b"]) for p in params}) == 8
    assert len(search.optimizer_results_[0].x_iters) == 8


def test_multimetric_optimises_the_refit_metric():
    X, y = _iris()
    scoring = {"accuracy": "accuracy", "f1": "f1_macro"}
    search = BayesSearchCV(
        SVC(), SVC_SPACE, n_iter=10, cv=3, scoring=scoring, refit="f1", random_state=0
    ).fit(X, y)
    results = search.cv_results_
    assert search.multimetric_
    np.testing.assert_array_equal(search.optimizer_results_[0].func_vals, results["mean_test_f1"])
    assert search.best_index_ == np.argmax(results["mean_test_f1"])
    assert search.best_score_ == results["mean_test_f1"][search.best_index_]
    assert set(search.scorer_) == {"accuracy", "f1"}
    # Without a metric to optimise the search refuses before fitting anything.
    for refit in (True, False, "recall"):
        with pytest.raises(ValueError, match="name of the metric"):
            clone(search).set_params(refit=refit).fit(X, y)


def test_callable_scoring_returning_several_metrics():
    X, y = _iris()

    def scoring(estimator, X, y):
        accuracy = float(np.mean(estimator.predict(X) == y))
        return {"accuracy": accuracy, "error": 1 - accuracy}

    search = BayesSearchCV(SVC(), SVC_SPACE, n_iter=4, cv=3, scoring=scoring, refit="accuracy")
    search.set_params(random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        search.optimizer_results_[0].func_vals, search.cv_results_["mean_test_accuracy"]
    )
    with pytest.raises(ValueError, match="name of the metric"):
        clone(search).set_params(refit=True).fit(X, y)


def test_list_of_spaces_with_their_own_budgets():
    X, y = _iris()
    spaces = [
        ({"kernel": ["linear"], "C": Real(1e-3, 1e3, prior="log-uniform")}, 4),
        {"kernel": ["rbf"], "C": (1e-3, 1e3, "log-uniform"), "gamma": (1e-4, 1e1, "log-uniform")},
    ]
    search = BayesSearchCV(SVC(), spaces, n_iter=5, cv=3, random_state=0)
    assert search.total_iterations == 9
    search.fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 9
    assert [p["kernel"] for p in results["params"]] == ["linear"] * 4 + ["rbf"] * 5
    np.testing.assert_array_equal(
        np.ma.getmaskarray(results["param_gamma"]), [True] * 4 + [False] * 5
    )
    assert [len(r.x_iters) for r in search.optimizer_results_] == [4, 5]
    assert [r.space.names for r in search.optimizer_results_] == [["C"], ["C", "gamma"]]
    assert search.best_score_ == max(r.fun for r in search.optimizer_results_)
    # A list of dicts: n_iter each.
    assert BayesSearchCV(SVC(), [spaces[0][0], spaces[1]], n_iter=3).total_iterations == 6


def test_log_uniform_dimensions_are_searched_on_the_log_scale():
    X, y = _toy()

    def alphas(prior):
        space = {"alpha": Real(1e-6, 1e6, prior=prior)}
        search = BayesSearchCV(Ridge(), space, n_iter=8, n_initial_points=8, cv=2, random_state=0)
        return np.log10(np.asarray(search.fit(X, y).cv_results_["param_alpha"], dtype=float))

    logs = alphas("log-uniform")  # a Sobol design in log10(alpha): spread over the 12 decades
    assert np.sum(logs < 0) >= 3
    assert np.sum(logs > 0) >= 3
    assert logs.max() - logs.min() > 8
    assert np.all(alphas("uniform") > 4)  # the same design on the linear scale: all near 1e6


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
@pytest.mark.parametrize("n_points", [1, 4])
def test_failing_fits_are_failed_evaluations(n_points):
    X, y = _toy()
    search = BayesSearchCV(
        Bowl(fail_above=1.0),
        BOWL_SPACE,
        n_iter=6,
        n_points=n_points,
        n_initial_points=4,
        cv=2,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    result = search.optimizer_results_[0]
    assert len(result.failed) > 0
    assert all(a > 1.0 for a, _ in result.failed)
    assert len(result.failed) + len(result.x_iters) == 6
    scores = search.cv_results_["mean_test_score"]
    if n_points == 1:  # scikit-learn keeps no row of a call whose fits all failed
        assert len(scores) == len(result.x_iters)
        assert not np.isnan(scores).any()
    else:  # batches of 4 and 2 with some successes: the failures are NaN rows
        assert len(scores) == 6
        assert np.isnan(scores).sum() == len(result.failed)
    assert search.best_params_["a"] <= 1.0
    assert search.best_score_ == np.nanmax(scores)
    with pytest.raises(ValueError, match="too large"):
        clone(search).set_params(error_score="raise").fit(X, y)
    everything_fails = pytest.raises(ValueError, match=r"All the \d+ fits failed")
    with pytest.warns(FitFailedWarning), everything_fails:
        clone(search).set_params(estimator__fail_above=1e-4, n_iter=3).fit(X, y)


def test_beats_random_search_on_a_narrow_optimum():
    X, y = _toy()
    random_best = [
        RandomizedSearchCV(
            Bowl(),
            {"a": loguniform(1e-3, 1e3), "b": loguniform(1e-3, 1e3)},
            n_iter=12,
            cv=2,
            random_state=seed,
        )
        .fit(X, y)
        .best_score_
        for seed in range(20)
    ]
    bayes_best = [
        BayesSearchCV(Bowl(), BOWL_SPACE, n_iter=12, n_initial_points=5, cv=2, random_state=seed)
        .fit(X, y)
        .best_score_
        for seed in range(4)
    ]
    # Random search misses the optimum by a few tenths of a decade; the GP closes in on it:
    # its median over 4 seeds beats 90% of the random searches.
    assert np.mean(random_best) < -0.3
    assert np.median(bayes_best) > np.quantile(random_best, 0.9)


def test_every_candidate_is_scored_on_the_same_folds():
    X = np.arange(30.0)[:, None]
    y = np.tile([0, 1], 15)
    cv = KFold(3, shuffle=True)  # no random_state: new folds at every split() call
    search = BayesSearchCV(
        FoldProbe(), {"a": (0.0, 1.0)}, n_iter=5, n_initial_points=3, cv=cv, random_state=0
    ).fit(X, y)
    results = search.cv_results_
    a = np.asarray(results["param_a"], dtype=float)
    for split in range(3):
        fingerprint = results[f"split{split}_test_score"] + (a - 0.3) ** 2
        np.testing.assert_allclose(fingerprint, fingerprint[0], rtol=0, atol=1e-12)


def test_a_small_discrete_space_is_searched_once_per_point():
    X, y = _iris()
    space = {"kernel": ["linear", "rbf"], "degree": Integer(1, 2)}  # 4 points
    search = BayesSearchCV(SVC(), space, n_iter=6, cv=3, random_state=0)
    assert search.total_iterations == 4
    with pytest.warns(UserWarning, match="only 4 distinct candidates"):
        search.fit(X, y)
    params = search.cv_results_["params"]
    assert sorted((p["kernel"], p["degree"]) for p in params) == [
        ("linear", 1),
        ("linear", 2),
        ("rbf", 1),
        ("rbf", 2),
    ]


def test_clone_params_repr_and_pickle():
    X, y = _iris()
    search = BayesSearchCV(SVC(), SVC_SPACE, n_iter=3, cv=3, random_state=0)
    params = search.get_params()
    assert params["search_spaces"] is SVC_SPACE
    assert params["estimator__C"] == 1.0
    cloned = clone(search)
    assert cloned.get_params().keys() == params.keys()
    assert cloned.set_params(**params) is cloned
    assert repr(search).startswith("BayesSearchCV(")
    assert not hasattr(cloned, "cv_results_")
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert restored.best_params_ == search.best_params_
    assert restored.optimizer_results_[0].x == search.optimizer_results_[0].x


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_iter": 0}, InvalidParameterError, "'n_iter' parameter"),
        ({"n_iter": True}, InvalidParameterError, "'n_iter' parameter"),
        ({"n_points": 0}, InvalidParameterError, "'n_points' parameter"),
        ({"n_initial_points": 0}, InvalidParameterError, "'n_initial_points' parameter"),
        ({"acquisition": "ucb"}, InvalidParameterError, "'acquisition' parameter"),
        ({"search_spaces": "C"}, InvalidParameterError, "'search_spaces' parameter"),
        ({"search_spaces": {}}, ValueError, "search_spaces is empty"),
        ({"search_spaces": []}, ValueError, "search_spaces is empty"),
        ({"search_spaces": [{}]}, ValueError, "Search space 0 is empty"),
        ({"search_spaces": ["C"]}, ValueError, "must be a dict or a"),
        ({"search_spaces": [({"C": (0.1, 1.0)}, 0)]}, ValueError, "must be an int >= 1"),
        ({"search_spaces": [({"C": (0.1, 1.0)}, 2.5)]}, ValueError, "must be an int >= 1"),
        ({"search_spaces": {"C": ("a", "b")}}, ValueError, "parameter 'C': A dimension must"),
        ({"search_spaces": {"C": (1.0, 0.1)}}, ValueError, "parameter 'C'.*low must be < high"),
        ({"search_spaces": {"C": (0.0, 1.0, "log-uniform")}}, ValueError, "needs low > 0"),
        ({"search_spaces": {"C": Real(0.1, 1.0, name="gamma")}}, ValueError, "named 'gamma'"),
        ({"search_spaces": {1: (0.1, 1.0)}}, ValueError, "must be strings"),
        ({"search_spaces": {"kernel": ["rbf"]}}, ValueError, "nothing to search"),
        ({"search_spaces": {"nope": (0.1, 1.0)}}, ValueError, "Invalid parameter 'nope'"),
        ({"optimizer_kwargs": {"maximize": False}}, ValueError, "must not set 'maximize'"),
        ({"optimizer_kwargs": {"n_initial_points": 3}}, ValueError, "BayesSearchCV's"),
        ({"optimizer_kwargs": {"n_constraints": 1}}, ValueError, "no constraint values"),
        (
            {"optimizer_kwargs": {"acq_func": "EI"}},
            ValueError,
            r"unknown BayesianOptimizer parameters \['acq_func'\]",
        ),
    ],
)
def test_bad_parameters_are_reported(params, error, match):
    X, y = _iris()
    search = BayesSearchCV(SVC(), {"C": (0.1, 1.0)}, n_iter=2, cv=2).set_params(**params)
    with pytest.raises(error, match=match):
        search.fit(X, y)


def test_noise_reaches_the_optimizer_and_categorical_names_are_kept():
    X, y = _iris()
    space = {"kernel": Categorical(["linear", "rbf"], name="kernel"), "C": (0.1, 10.0)}
    search = BayesSearchCV(
        SVC(), space, n_iter=3, cv=2, optimizer_kwargs={"noise": 1e-3}, random_state=0
    ).fit(X, y)
    result = search.optimizer_results_[0]
    assert result.optimizer.noise == 1e-3
    assert result.optimizer.maximize
    assert result.space.names == ["C", "kernel"]


class Tasks:
    """A scikit-learn (>= 1.9) fit callback that records the tasks begun and ended."""

    def __init__(self):
        self.begun, self.ended = [], []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.begun.append(context.task_name)

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append(context.task_name)


def test_scikit_learn_callbacks_see_one_task_per_batch():
    X, y = _iris()
    search = BayesSearchCV(
        SVC(), {"C": (0.1, 10.0)}, n_iter=5, n_points=2, n_initial_points=2, cv=3, random_state=0
    )
    if not hasattr(search, "set_callbacks"):
        pytest.skip("scikit-learn < 1.9 has no fit callbacks")
    tasks = Tasks()
    search.set_callbacks(tasks).fit(X, y)
    counts = Counter(tasks.begun)
    assert counts["search"] == 1
    assert counts["bayes-iteration"] == 3
    assert counts["candidate-split-evaluation"] == 15
    assert Counter(tasks.ended) == counts


def test_an_exhausted_optimizer_ends_its_space_with_a_warning():
    class Exhausted:
        def __init__(self):
            self.calls = 0

        def ask(self):
            self.calls += 1
            if self.calls > 1:
                raise RuntimeError("Every point of the search space has been asked for already.")
            return [1.0]

    with pytest.warns(UserWarning, match="stops early"):
        assert BayesSearchCV._ask(Exhausted(), 3) == ([[1.0]], True)
    assert BayesSearchCV._ask(Exhausted(), 1) == ([[1.0]], False)
