"""Checks every public statkit estimator must pass.

* Estimators with a scikit-learn ``fit(X, y)`` interface (clusterers,
  classifiers, regressors, HMMs with optional ``lengths``) run scikit-learn's
  ``parametrize_with_checks``; a check that cannot pass is listed in
  ``EXPECTED_FAILED_CHECKS`` with its reason.
* Classes with another interface (survival curves ``fit(time, event)``,
  holdout mechanisms, optimizers) set the ``_skip_test`` tag and get the API
  checks below instead: clone, ``get_params``/``set_params``, repr, and a
  pickle round trip after fitting that gives identical predictions. Each such
  class needs an entry in ``API_CASES``; a test fails when one is missing.

A family adding an estimator adds, where needed, a constructor in
``INSTANCES``, entries in ``EXPECTED_FAILED_CHECKS`` and an ``API_CASES`` entry.
"""

import importlib
import pickle
import pkgutil
import sys
import textwrap

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, ClusterMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

import statkit
from statkit.utils import all_estimators

# Class name -> callable making the instance to test (default: the class with no arguments).
INSTANCES = {}

# Class name -> {check name: reason it is expected to fail}.
EXPECTED_FAILED_CHECKS = {
    "SS3Classifier": {
        "check_classifiers_train": (
            "SS3 scores terms that distinguish classes; the check's data have 2 dense "
            "features that every class uses heavily, which SS3 treats as stop words: "
            "accuracy 0.33 with the default significance, 0.64 with 'vanilla', below 0.83"
        ),
        "check_decision_proba_consistency": (
            "the check passes negative values; term counts must be non-negative"
        ),
    },
}

# Class name -> (fit(estimator) -> estimator, predict(fitted estimator) -> array) for the
# classes outside scikit-learn's checks (``_skip_test`` tag).
API_CASES = {
    "ARPHMM": (
        lambda est: est.set_params(n_states=2, ar_order=1, n_init=1, random_state=0).fit(
            *_series()
        ),
        lambda est: est.predict_proba(*_series()),
    ),
    "SwitchingRULRegressor": (
        lambda est: est.set_params(n_states=2, window=3, n_init=1, random_state=0).fit(
            _series()[0], _countdown(_series()[1]), _series()[1]
        ),
        lambda est: est.predict(*_series()),
    ),
    "CMAPSSHealthIndicator": (
        lambda est: est.set_params(healthy_cycles=5, failure_cycles=5).fit(_engines()),
        lambda est: est.transform(_engines()),
    ),
    # An optimizer is "fitted" by the results told; the next proposal must survive pickling.
    "BayesianOptimizer": (
        lambda est: _told(est),
        lambda est: est.ask(),
    ),
    "DPKaplanMeier": (
        lambda est: est.set_params(t_max=1100, random_state=0).fit(*_lung()),
        lambda est: est.predict([0.0, 100.0, 365.0, 1000.0]),
    ),
    "KaplanMeier": (
        lambda est: est.fit(*_lung()),
        lambda est: est.predict([0.0, 100.0, 310.0, 1000.0]),
    ),
    # A mechanism is "fitted" by its first queries; the next answers must survive pickling.
    "Thresholdout": (
        lambda est: _queried(est.set_params(n_holdout=400, random_state=0)),
        lambda est: est.query([0.1, 0.5, 0.9], [0.9, 0.5, 0.1]),
    ),
}

INSTANCES["ThresholdoutSearchCV"] = lambda: _search_instance()
INSTANCES["BayesSearchCV"] = lambda: _bayes_search_instance()
INSTANCES["BayesianOptimizer"] = lambda: _bayes_optimizer_instance()


def _bayes_search_instance():
    from sklearn.linear_model import LogisticRegression

    from statkit.optimize import BayesSearchCV

    return BayesSearchCV(
        LogisticRegression(),
        {"C": (1e-3, 1e3, "log-uniform")},
        n_iter=2,
        n_initial_points=2,
        cv=2,
        random_state=0,
    )


def _bayes_optimizer_instance():
    from statkit.optimize import BayesianOptimizer

    return BayesianOptimizer([(-1.0, 1.0), (0.0, 2.0)], n_initial_points=3, random_state=0)


def _told(optimizer):
    for _ in range(4):
        x = optimizer.ask()
        optimizer.tell(x, (x[0] - 0.5) ** 2 + x[1])
    return optimizer


def _search_instance():
    from sklearn.linear_model import LogisticRegression

    from statkit.model_selection import ThresholdoutSearchCV

    # cv=2: scikit-learn's checks fit on a few dozen rows, 70% of which form the training split.
    return ThresholdoutSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2)


def _queried(mechanism):
    mechanism.query([0.2, 0.4], [0.6, 0.4])
    return mechanism


def _series():
    """Two sequences of a random walk, with their lengths."""
    X = np.cumsum(np.random.default_rng(0).normal(size=(80, 1)), axis=0)
    return X, [50, 30]


def _countdown(lengths):
    from statkit.hmm import rul_targets

    return rul_targets(lengths)


def _engines():
    """A small CMAPSS-shaped table: 3 units of 20 cycles with drifting sensors."""
    rng = np.random.default_rng(0)
    units = np.repeat([1.0, 2.0, 3.0], 20)
    cycles = np.tile(np.arange(1.0, 21.0), 3)
    sensors = cycles[:, None] * rng.uniform(0.5, 1.5, 24) + rng.normal(size=(60, 24))
    return np.column_stack([units, cycles, sensors])


def _lung():
    from statkit.datasets import load_lung

    lung = load_lung()
    return lung.time, lung.event


def _instance(name, cls):
    return INSTANCES.get(name, cls)()


def _instances():
    return [_instance(name, cls) for name, cls in all_estimators()]


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _exported_estimator_classes():
    """Independently of ``all_estimators``: what the public subpackages export."""
    found = {}
    for info in pkgutil.iter_modules(statkit.__path__):
        if not info.ispkg or info.name.startswith("_") or info.name == "testing":
            continue
        module = importlib.import_module(f"statkit.{info.name}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, BaseEstimator):
                found[name] = obj
    return found


def test_every_exported_estimator_is_discovered():
    discovered = dict(all_estimators())
    assert discovered == _exported_estimator_classes()


def test_discovery_finds_estimators_in_a_package(tmp_path, monkeypatch):
    """all_estimators really walks subpackages: an empty result cannot pass silently."""
    package = tmp_path / "fakekit"
    (package / "cluster").mkdir(parents=True)
    (package / "_private").mkdir()
    (package / "__init__.py").write_text("")
    (package / "cluster" / "__init__.py").write_text(
        textwrap.dedent(
            """
            from sklearn.base import BaseEstimator, ClassifierMixin, ClusterMixin

            class Grouper(ClusterMixin, BaseEstimator):
                pass

            class Labeler(ClassifierMixin, BaseEstimator):
                pass

            def helper():
                pass

            __all__ = ["Grouper", "Labeler", "helper"]
            """
        )
    )
    (package / "_private" / "__init__.py").write_text(
        "from sklearn.base import BaseEstimator\n"
        "class Hidden(BaseEstimator):\n    pass\n__all__ = ['Hidden']\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "fakekit", raising=False)
    fakekit = importlib.import_module("fakekit")

    found = all_estimators(package=fakekit)
    assert [name for name, _ in found] == ["Grouper", "Labeler"]
    assert issubclass(dict(found)["Grouper"], ClusterMixin)
    assert [name for name, _ in all_estimators("classifier", package=fakekit)] == ["Labeler"]
    assert issubclass(dict(found)["Labeler"], ClassifierMixin)
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators("regresor", package=fakekit)


def _api_classes():
    return [
        (name, cls) for name, cls in all_estimators() if get_tags(_instance(name, cls))._skip_test
    ]


def test_every_class_outside_sklearn_checks_has_an_api_case():
    missing = sorted(name for name, _ in _api_classes() if name not in API_CASES)
    assert not missing, f"add API_CASES entries in tests/test_common.py for {missing}"


@pytest.mark.parametrize(("name", "cls"), _api_classes(), ids=lambda v: getattr(v, "__name__", v))
def test_api_of_classes_outside_sklearn_checks(name, cls):
    fit, predict = API_CASES[name]
    estimator = _instance(name, cls)
    params = estimator.get_params()
    cloned = clone(estimator)
    assert cloned.get_params().keys() == params.keys()
    assert cloned.set_params(**params) is cloned
    assert repr(estimator).startswith(cls.__name__)
    fitted = fit(estimator)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(predict(restored), predict(fitted))
