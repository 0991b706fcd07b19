"""ThresholdoutSearchCV: grid or random search scored through a reusable holdout."""

import copy
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from joblib import Parallel
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterGrid, ParameterSampler, train_test_split
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from statkit.model_selection._holdout import ReusableHoldout, evaluate
from statkit.model_selection._thresholdout import Thresholdout
from statkit.utils import delayed
from statkit.utils._validation import NumericInterval, check_generator


def _best_estimator_has(name):
    def check(self):
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, name)
        return hasattr(self.estimator, name)

    return check


class ThresholdoutSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Grid or randomized search whose scores come from a reusable holdout.

    A drop-in for :class:`~sklearn.model_selection.GridSearchCV` and
    :class:`~sklearn.model_selection.RandomizedSearchCV` for a holdout that is
    reused across many searches. Each candidate gets a training value
    (cross-validation on the training split) and a holdout value (the model
    fitted on the training split, scored on the holdout); the reported score is
    the mechanism's answer. Fits run in parallel through joblib; the answers
    are asked in candidate order in this process, so the budget used does not
    depend on ``n_jobs``. ``best_score_`` is a fresh answer from the holdout
    for the chosen model (one unit of budget): not the maximum of noisy answers,
    which is biased upwards, nor the chosen model's training value, which the
    search has adapted to.

    Parameters
    ----------
    estimator : estimator
        The model to tune.
    param_grid : dict or list of dict, default=None
        A grid, as for ``GridSearchCV``. Give this or ``param_distributions``.
    param_distributions : dict or list of dict, default=None
        Distributions or lists, as for ``RandomizedSearchCV``.
    holdout : ReusableHoldout or float, default=0.3
        A reusable holdout (share one between searches to share its budget;
        then call ``fit()`` without data), or the fraction of ``X`` held out
        by ``fit(X, y)`` (stratified for classifiers).
    mechanism : Thresholdout, default=None
        The mechanism of a holdout made by ``fit`` (a float ``holdout``);
        default ``Thresholdout()``. Not used with a ReusableHoldout.
    scoring : str or callable, default=None
        A scikit-learn scoring (None: the estimator's ``score``).
    n_iter : int, default=10
        Candidates drawn from ``param_distributions``.
    cv : int or cross-validation generator, default=5
        Folds of the training split that give the training value (with a
        ReusableHoldout, its own ``cv``).
    refit : bool, default=True
        Refit the best candidate on the training split as ``best_estimator_``.
    n_jobs : int, default=None
        Parallel fits (joblib).
    random_state : None, int or numpy.random.Generator, default=None
        Drives the split, the candidate draws and the noise of a holdout made
        by ``fit``.
    verbose : int, default=0
        joblib verbosity.

    Attributes
    ----------
    cv_results_ : dict of arrays
        ``params``, ``mean_test_score`` (the mechanism's answers only),
        ``rank_test_score``, ``answered_from_holdout``, ``mean_train_cv_score``
        (the training-split cross-validation score) and ``mean_fit_time``.
    best_index_ : int
    best_params_ : dict
    best_score_ : float
        A fresh answer from the holdout for the best candidate
        (:meth:`Thresholdout.answer_from_holdout`).
    best_estimator_ : estimator
        Fitted on the training split (``refit=True``).
    holdout_ : ReusableHoldout
    holdout_budget_used_ : int
        Holdout answers this search spent (the re-query included).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from statkit.model_selection import ThresholdoutSearchCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 4))
    >>> y = (X[:, 0] + rng.normal(size=600) > 0).astype(int)
    >>> search = ThresholdoutSearchCV(LogisticRegression(), {"C": [0.001, 1.0]},
    ...                               scoring="accuracy", random_state=0).fit(X, y)
    >>> search.best_params_
    {'C': 1.0}
    >>> len(search.cv_results_["mean_test_score"])
    2
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit"])],
        "param_grid": [dict, list, None],
        "param_distributions": [dict, list, None],
        "holdout": [ReusableHoldout, NumericInterval(Real, 0, 1, closed="neither")],
        "mechanism": [Thresholdout, None],
        "scoring": [str, callable, None],
        "n_iter": [NumericInterval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "refit": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state", np.random.Generator],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        param_grid=None,
        param_distributions=None,
        *,
        holdout=0.3,
        mechanism=None,
        scoring=None,
        n_iter=10,
        cv=5,
        refit=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.param_grid = param_grid
        self.param_distributions = param_distributions
        self.holdout = holdout
        self.mechanism = mechanism
        self.scoring = scoring
        self.n_iter = n_iter
        self.cv = cv
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _candidates(self, seed):
        if (self.param_grid is None) == (self.param_distributions is None):
            raise ValueError("give exactly one of param_grid and param_distributions.")
        if self.param_grid is not None:
            return list(ParameterGrid(self.param_grid))
        return list(ParameterSampler(self.param_distributions, self.n_iter, random_state=seed))

    def _make_holdout(self, X, y, split_seed, noise_stream):
        if isinstance(self.holdout, ReusableHoldout):
            if X is not None or y is not None:
                raise ValueError(
                    "with a ReusableHoldout the data are its own: call fit() without X and y."
                )
            if self.mechanism is not None:
                raise ValueError(
                    "mechanism is for a holdout made by fit; a ReusableHoldout has its own."
                )
            return self.holdout
        if X is None:
            raise ValueError("fit(X, y) needs data when holdout is a fraction.")
        stratify = None
        if is_classifier(self.estimator):
            check_classification_targets(y)
            stratify = y
        X_train, X_holdout, y_train, y_holdout = train_test_split(
            X, y, test_size=self.holdout, random_state=split_seed, stratify=stratify
        )
        mechanism = Thresholdout() if self.mechanism is None else clone(self.mechanism)
        if mechanism.random_state is None:
            mechanism.set_params(random_state=noise_stream)
        return ReusableHoldout(
            X_train,
            y_train,
            X_holdout,
            y_holdout,
            mechanism=mechanism,
            cv=self.cv,
            check_overlap=False,
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X=None, y=None, **fit_params):
        """Run the search.

        Parameters
        ----------
        X : array-like, default=None
            The data to split into training and holdout (a float ``holdout``);
            None with a ReusableHoldout.
        y : array-like, default=None
            The targets.
        **fit_params
            Not supported; raises if given.

        Returns
        -------
        self : ThresholdoutSearchCV

        Raises
        ------
        BudgetExhausted
            The holdout's budget ran out during the search; nothing is fitted.
        """
        if fit_params:
            raise TypeError(f"fit parameters are not supported; got {sorted(fit_params)}.")
        split_seed, candidate_seed, noise_stream = (
            int(s.integers(2**31 - 1)) for s in check_generator(self.random_state).spawn(3)
        )
        candidates = self._candidates(candidate_seed)
        holdout = self._make_holdout(X, y, split_seed, np.random.default_rng(noise_stream))
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        cv = holdout._cv(self.estimator)
        evaluations = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(evaluate)(
                clone(self.estimator).set_params(**params),
                scorer,
                holdout.X_train,
                holdout.y_train,
                holdout._X_holdout,
                holdout._y_holdout,
                cv,
            )
            for params in candidates
        )
        started = hasattr(holdout.mechanism, "n_queries_")
        queries_before = holdout.mechanism.n_queries_ if started else 0
        overfit_before = holdout.mechanism.n_overfit_ if started else 0
        # Sequential, in candidate order, in this process: the same budget use for any n_jobs.
        answers = np.asarray(
            holdout._query(
                np.array([e.train_value for e in evaluations]),
                np.array([e.holdout_value for e in evaluations]),
            )
        )
        answered_from_holdout = np.zeros(len(candidates), dtype=bool)
        overfit = holdout.mechanism.history_.overfit[queries_before:]
        answered_from_holdout[: overfit.size] = overfit
        if np.all(np.isnan(answers)):
            raise ValueError("no candidate got an answer: the holdout's budget is spent.")
        best_index = int(np.nanargmax(answers))
        best = evaluations[best_index]
        best_score = requery(holdout, best)
        results = {
            "params": candidates,
            "mean_test_score": answers,
            "rank_test_score": _rank(answers),
            "answered_from_holdout": answered_from_holdout,
            "mean_train_cv_score": np.array([e.train_value for e in evaluations]),
            "mean_fit_time": np.array([e.fit_time for e in evaluations]),
        }
        names = sorted({name for params in candidates for name in params})
        for name in names:
            results[f"param_{name}"] = np.ma.masked_array(
                [params.get(name) for params in candidates],
                mask=[name not in params for params in candidates],
                dtype=object,
            )
        fitted = {}
        if self.refit:
            fitted["best_estimator_"] = (
                clone(self.estimator)
                .set_params(**candidates[best_index])
                .fit(holdout.X_train, holdout.y_train)
            )
        fitted.update(
            cv_results_=results,
            best_index_=best_index,
            best_params_=candidates[best_index],
            best_score_=best_score,
            holdout_=holdout,
            holdout_budget_used_=holdout.mechanism.n_overfit_ - overfit_before,
            n_splits_=cv.get_n_splits(holdout.X_train, holdout.y_train),
        )
        for name in ("classes_", "n_features_in_", "feature_names_in_"):
            if hasattr(fitted.get("best_estimator_"), name):
                fitted[name] = getattr(fitted["best_estimator_"], name)
        for name, value in fitted.items():
            setattr(self, name, value)
        return self

    def _check_refitted(self):
        check_is_fitted(self)
        if not self.refit:
            raise AttributeError("refit=False: no best_estimator_ to delegate to.")

    @available_if(_best_estimator_has("predict"))
    def predict(self, X):
        """Predict with ``best_estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.

        Returns
        -------
        y_pred : ndarray
        """
        self._check_refitted()
        return self.best_estimator_.predict(X)

    @available_if(_best_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from ``best_estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        self._check_refitted()
        return self.best_estimator_.predict_proba(X)

    @available_if(_best_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of ``best_estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.

        Returns
        -------
        scores : ndarray
        """
        self._check_refitted()
        return self.best_estimator_.decision_function(X)

    @available_if(_best_estimator_has("transform"))
    def transform(self, X):
        """Transform with ``best_estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.

        Returns
        -------
        X_new : ndarray
        """
        self._check_refitted()
        return self.best_estimator_.transform(X)

    def score(self, X, y=None):
        """Score ``best_estimator_`` on new data with ``scoring`` (not through the holdout).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.
        y : array-like of shape (n_samples,), default=None
            The targets.

        Returns
        -------
        score : float
        """
        self._check_refitted()
        return check_scoring(self.best_estimator_, scoring=self.scoring)(self.best_estimator_, X, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.pairwise = inner.input_tags.pairwise
        return tags


def requery(holdout, evaluation):
    """A fresh answer from the holdout for the chosen candidate.

    Not the best of the noisy answers (biased upwards), nor its training value
    (which the search has adapted to, within the threshold).
    """
    return float(holdout._query(None, evaluation.holdout_value, from_holdout=True))


def _rank(scores):
    """Rank 1 for the best answer, ties sharing the lowest rank, NaN answers last."""
    return rankdata(-np.nan_to_num(scores, nan=-np.inf), method="min").astype(np.int32)
