"""BayesSearchCV: cross-validated hyperparameter search by Bayesian optimization."""

import dataclasses
import math
import numbers
import re
import warnings
from typing import ClassVar

import numpy as np
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import StrOptions

from statkit.optimize._optimizer import ACQUISITIONS, BayesianOptimizer
from statkit.optimize._space import Categorical, Integer, Space, as_dimension
from statkit.utils._validation import NumericInterval, check_generator

_ALL_FITS_FAILED = re.compile(r"All the \d+ fits failed")
# BayesianOptimizer parameters that BayesSearchCV sets itself (not through optimizer_kwargs).
_RESERVED = {
    "space": "it comes from search_spaces",
    "maximize": "the search always maximises the cross-validated score",
    "random_state": "use BayesSearchCV's random_state",
    "acquisition": "use BayesSearchCV's acquisition",
    "n_initial_points": "use BayesSearchCV's n_initial_points",
    "n_constraints": "the search tells no constraint values",
}


@dataclasses.dataclass(frozen=True)
class _SubSpace:
    """One search space: its dimensions (named, sorted by name), fixed values and budget."""

    space: Space
    fixed: dict
    n_iter: int

    def candidate(self, point):
        return {**dict(zip(self.space.names, point, strict=True)), **self.fixed}


class _FixedSplits:
    """A splitter that gives the same folds at every call: those of the first call.

    ``evaluate_candidates`` calls ``cv.split`` once per batch; a shuffling
    splitter without a fixed ``random_state`` would score every batch on new
    folds, adding fold-to-fold noise between the candidates that the search
    compares.
    """

    def __init__(self, cv):
        self.cv = cv
        self._splits = None

    def split(self, X, y=None, **params):
        if self._splits is None:
            self._splits = list(self.cv.split(X, y, **params))
        yield from self._splits

    def get_n_splits(self, X=None, y=None, **params):
        return self.cv.get_n_splits(X, y, **params)


def _as_pairs(search_spaces, n_iter):
    """``search_spaces`` as a list of ``(dict, n_iter)`` pairs."""
    if len(search_spaces) == 0:
        raise ValueError(
            "search_spaces is empty: give a dict {parameter name: dimension}, a list of such "
            "dicts, or a list of (dict, n_iter) pairs."
        )
    if isinstance(search_spaces, dict):
        search_spaces = [search_spaces]
    pairs = []
    for i, element in enumerate(search_spaces):
        if isinstance(element, dict):
            pairs.append((element, n_iter))
            continue
        if not (isinstance(element, tuple) and len(element) == 2 and isinstance(element[0], dict)):
            raise ValueError(
                "Each element of a list of search spaces must be a dict or a (dict, n_iter) "
                f"pair; element {i} is {element!r}."
            )
        space, count = element
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
            raise ValueError(f"The n_iter of search space {i} must be an int >= 1; got {count!r}.")
        pairs.append((space, int(count)))
    return pairs


def _subspace(params, n_iter, index):
    """Parse one dict ``{name: dimension}`` into a :class:`_SubSpace`."""
    if not params:
        raise ValueError(f"Search space {index} is empty: it needs at least one parameter.")
    dimensions, fixed = [], {}
    for name, spec in params.items():
        if not isinstance(name, str):
            raise ValueError(
                f"Search space {index}: parameter names must be strings; got {name!r}."
            )
        if isinstance(spec, list) and len(spec) == 1:
            fixed[name] = spec[0]
            continue
        try:
            dimension = as_dimension(spec)
        except ValueError as error:
            raise ValueError(f"Search space {index}, parameter {name!r}: {error}") from None
        if dimension.name is None:
            dimension = dataclasses.replace(dimension, name=name)
        elif dimension.name != name:
            raise ValueError(
                f"Search space {index}: the dimension under {name!r} is named "
                f"{dimension.name!r}; leave its name out or make it match the key."
            )
        dimensions.append(dimension)
    if not dimensions:
        raise ValueError(
            f"Search space {index} has nothing to search: every parameter has a single value "
            f"({sorted(fixed)}). Give at least one dimension with several values."
        )
    dimensions.sort(key=lambda d: d.name)
    size = _n_points(dimensions)
    if size < n_iter:
        warnings.warn(
            f"Search space {index} has only {size} distinct candidates, fewer than n_iter="
            f"{n_iter}; it is searched {size} times.",
            UserWarning,
            stacklevel=4,
        )
        n_iter = size
    return _SubSpace(Space(dimensions), fixed, n_iter)


def _n_points(dimensions):
    """Number of distinct points of a space (``inf`` with a real dimension)."""
    size = 1
    for dimension in dimensions:
        if isinstance(dimension, Categorical):
            size *= len(dimension.categories)
        elif isinstance(dimension, Integer):
            size *= int(dimension.high) - int(dimension.low) + 1
        else:
            return math.inf
    return size


class _BatchEvaluator:
    """Cross-validates batches of candidates and returns the scores the optimizer maximises.

    Keeps the folds fixed, opens one scikit-learn (>= 1.9) callback task per
    batch, and turns a batch whose fits all failed (scikit-learn raises) into
    NaN scores: failed evaluations for the optimizer.
    """

    def __init__(self, search, evaluate_candidates, callback_ctx, n_batches):
        self.search = search
        self.evaluate_candidates = evaluate_candidates
        self.cv = _FixedSplits(search._checked_cv_orig)
        self.score_key = None
        self.all_failed = None
        self.search_ctx = None
        if callback_ctx is not None:
            self.search_ctx = callback_ctx.subcontext(task_name="search", max_subtasks=n_batches)
            self.search_ctx.call_on_fit_task_begin(estimator=search)

    def __call__(self, candidates):
        search, extra = self.search, {}
        if self.search_ctx is not None:
            extra["callback_ctx"] = self.search_ctx.subcontext(
                task_name="bayes-iteration",
                max_subtasks=len(candidates) * search.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=search)
        try:
            results = self.evaluate_candidates(candidates, self.cv, **extra)
        except ValueError as error:
            if not _ALL_FITS_FAILED.search(str(error)):
                raise
            self.all_failed = error
            warnings.warn(
                f"Every fit of the candidates {candidates} failed: they count as failed "
                f"evaluations and have no row in cv_results_.{str(error).rstrip()}",
                FitFailedWarning,
                stacklevel=3,
            )
            scores = [np.nan] * len(candidates)
        else:
            self.score_key = self.score_key or search._score_key(results)
            scores = [float(s) for s in results[self.score_key][-len(candidates) :]]
        if self.search_ctx is not None:
            extra["callback_ctx"].call_on_fit_task_end(estimator=search)
        return scores

    def finish(self):
        if self.score_key is None and self.all_failed is not None:
            raise self.all_failed  # every fit of every candidate failed: scikit-learn's error
        if self.search_ctx is not None:
            self.search_ctx.call_on_fit_task_end(estimator=self.search)


class BayesSearchCV(BaseSearchCV):
    """Hyperparameter search by Bayesian optimization of the cross-validated score.

    A drop-in for :class:`~sklearn.model_selection.RandomizedSearchCV` and for
    scikit-optimize's ``BayesSearchCV``. For each search space a
    :class:`BayesianOptimizer` proposes the candidates: the first
    ``n_initial_points`` from a scrambled Sobol design, then each the maximiser
    of the acquisition under a Gaussian process fitted to the mean test scores
    so far. ``n_points`` candidates are asked for at a time (the ones not yet
    scored enter the model as fantasies, so they differ) and cross-validated
    together, so ``n_jobs`` runs up to ``n_points * n_splits`` fits at once.
    Everything else (``cv_results_``, ``best_params_``, refit, the prediction
    methods) comes from scikit-learn's search base class.

    Parameters
    ----------
    estimator : estimator object
        The model to tune; it needs ``score`` unless ``scoring`` is given.
    search_spaces : dict, list of dict or list of (dict, int) pairs
        A dict ``{parameter name: dimension}``; a dimension is a
        :class:`Real`, :class:`Integer` or :class:`Categorical`, a
        ``(low, high)`` or ``(low, high, prior)`` tuple (integer bounds give an
        :class:`Integer`; ``prior="log-uniform"`` searches on the log scale) or
        a list of categories. A list of one value fixes the parameter. A list of
        dicts is searched one after the other, ``n_iter`` candidates each; a
        ``(dict, n_iter)`` pair sets that space's own budget.
    n_iter : int, default=50
        Candidates per search space (without its own budget). A space with
        fewer distinct points is searched that many times, with a warning.
    n_points : int, default=1
        Candidates proposed and cross-validated together; the last batch of a
        space may be smaller.
    n_initial_points : int, default=10
        Size of each space's initial Sobol design.
    acquisition : {"logei", "ei"}, default="logei"
        Acquisition function (see :class:`BayesianOptimizer`).
    optimizer_kwargs : dict, default=None
        Further :class:`BayesianOptimizer` parameters (``noise``); the ones
        this class sets (``acquisition``, ``n_initial_points``,
        ``random_state``) are its own parameters.
    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, ``refit`` names the one that is optimised.
    n_jobs : int, default=None
        Parallel fits (joblib), up to ``n_points * n_splits`` at a time.
    refit : bool, str or callable, default=True
        Refit the best candidate on the whole data as ``best_estimator_``.
        With several metrics it must be the name of the metric to optimise;
        a callable picks ``best_index_`` from ``cv_results_`` (single metric).
    cv : int, cross-validation generator or iterable, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV` (None: 5 folds).
        Every candidate is scored on the folds of the first batch.
    verbose : int, default=0
        Verbosity of the fits.
    pre_dispatch : int or str, default="2*n_jobs"
        Jobs dispatched at once (joblib).
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the designs, the model fits and the acquisition searches; one
        stream per search space. An int gives the same candidates every fit.
    error_score : "raise" or float, default=np.nan
        Score of a fit that fails. A candidate whose mean test score is NaN
        counts as a failed evaluation: the optimizer keeps it in
        ``optimizer_results_[i].failed`` and leaves it out of the model
        (see Notes). A number is told to the model as the candidate's score.
    return_train_score : bool, default=False
        Include training scores in ``cv_results_``.

    Attributes
    ----------
    cv_results_ : dict of arrays
        One row per candidate, in the order evaluated: ``params``,
        ``param_<name>``, ``mean_test_<metric>``, ``rank_test_<metric>``, the
        split scores and the times, as in scikit-learn's searches.
    best_estimator_ : estimator
        The best candidate refitted on the whole data (``refit``).
    best_score_ : float
        Mean test score of the best candidate (not with a callable ``refit``).
    best_params_ : dict
        Parameters of the best candidate.
    best_index_ : int
        Row of the best candidate in ``cv_results_``.
    scorer_ : callable or dict
        The scorer(s).
    n_splits_ : int
        Number of folds.
    refit_time_ : float
        Seconds spent refitting (``refit``).
    multimetric_ : bool
        Whether several metrics were scored.
    optimizer_results_ : list of scipy.optimize.OptimizeResult
        One per search space: ``x`` (values in the order of ``space.names``,
        sorted by parameter name) and ``fun`` (the best mean test score),
        ``x_iters``, ``func_vals`` (the scores), ``failed``, ``space`` and
        ``optimizer`` (the :class:`BayesianOptimizer`).
    classes_ : ndarray
        Class labels (classifiers, ``refit``).
    n_features_in_ : int
        Number of features seen by ``fit`` (``refit``).
    feature_names_in_ : ndarray of str
        Feature names seen by ``fit``, when they are all strings (``refit``).

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Candidates drawn at random.
    BayesianOptimizer : The ask/tell optimizer behind the search.

    Notes
    -----
    The optimizer maximises the mean test score (of ``refit``'s metric with
    several metrics). Every candidate is scored on the same folds: those split
    for the first batch are reused, even from a shuffling splitter without a
    fixed ``random_state``, so the scores that the model compares differ only
    through the parameters.

    scikit-learn raises when every fit of one batch fails. The search catches
    that: the batch's candidates count as failed evaluations
    (``optimizer_results_[i].failed``, with a ``FitFailedWarning``) but have
    no row in ``cv_results_``, which then has fewer than ``n_iter`` rows. With
    ``n_points > 1`` this happens only when the whole batch fails. If every
    candidate fails, ``fit`` raises scikit-learn's error.

    Unknown parameter names are caught by the estimator's ``set_params`` at
    the first fit, before any work is spent.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from statkit.optimize import Real
    >>> from statkit.optimize import BayesSearchCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     Ridge(), {"alpha": Real(1e-4, 1e2, prior="log-uniform")},
    ...     n_iter=6, n_initial_points=4, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    6
    >>> bool(1e-4 <= search.best_params_["alpha"] <= 1e2)
    True
    >>> bool(search.best_score_ == search.optimizer_results_[0].fun)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [NumericInterval(numbers.Integral, 1, None, closed="left")],
        "n_points": [NumericInterval(numbers.Integral, 1, None, closed="left")],
        "n_initial_points": [NumericInterval(numbers.Integral, 1, None, closed="left")],
        "acquisition": [StrOptions(set(ACQUISITIONS))],
        "optimizer_kwargs": [dict, None],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        n_points=1,
        n_initial_points=10,
        acquisition="logei",
        optimizer_kwargs=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.n_points = n_points
        self.n_initial_points = n_initial_points
        self.acquisition = acquisition
        self.optimizer_kwargs = optimizer_kwargs
        self.random_state = random_state
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )

    @property
    def n_features_in_(self):
        """Number of features seen by ``fit`` (those of the best estimator, after refit)."""
        return super().n_features_in_

    @property
    def classes_(self):
        """Class labels, for classifiers (those of the best estimator, after refit)."""
        return super().classes_

    @property
    def total_iterations(self):
        """Number of candidates ``fit`` evaluates: the budgets of all search spaces.

        A space with fewer distinct points than its budget is counted at its
        size (as it is searched).

        Returns
        -------
        total : int
        """
        return sum(subspace.n_iter for subspace in self._subspaces(warn=False))

    def _subspaces(self, warn=True):
        pairs = _as_pairs(self.search_spaces, self.n_iter)
        with warnings.catch_warnings():
            if not warn:
                warnings.simplefilter("ignore", UserWarning)
            return [_subspace(params, count, i) for i, (params, count) in enumerate(pairs)]

    def _optimizer_kwargs(self):
        kwargs = dict(self.optimizer_kwargs or {})
        for key in kwargs:
            if key in _RESERVED:
                raise ValueError(f"optimizer_kwargs must not set {key!r}: {_RESERVED[key]}.")
        allowed = set(BayesianOptimizer._get_param_names()) - set(_RESERVED)
        unknown = sorted(set(kwargs) - allowed)
        if unknown:
            raise ValueError(
                f"optimizer_kwargs: unknown BayesianOptimizer parameters {unknown}; "
                f"accepted: {sorted(allowed)}."
            )
        return kwargs

    def _check_refit_for_multimetric(self, scores):
        """With several metrics, ``refit`` must name the one the search maximises."""
        if not (isinstance(self.refit, str) and self.refit in scores):
            raise ValueError(
                "With several metrics, refit must be the name of the metric that the Bayesian "
                f"optimization maximises (and refits on), one of {sorted(scores)}; "
                f"got {self.refit!r}."
            )

    def _score_key(self, results):
        """The ``cv_results_`` column the optimizer maximises."""
        names = sorted(key[len("mean_test_") :] for key in results if key.startswith("mean_test_"))
        if len(names) == 1:
            return f"mean_test_{names[0]}"
        self._check_refit_for_multimetric(names)
        return f"mean_test_{self.refit}"

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Ask ``n_points`` candidates at a time, cross-validate them, tell their scores."""
        subspaces = self._subspaces()
        kwargs = self._optimizer_kwargs()
        streams = check_generator(self.random_state).spawn(len(subspaces))
        n_batches = sum(math.ceil(s.n_iter / self.n_points) for s in subspaces)
        evaluate = _BatchEvaluator(self, evaluate_candidates, callback_ctx, n_batches)
        optimizer_results = []
        for subspace, stream in zip(subspaces, streams, strict=True):
            optimizer = BayesianOptimizer(
                subspace.space,
                acquisition=self.acquisition,
                n_initial_points=self.n_initial_points,
                maximize=True,
                random_state=stream,
                **kwargs,
            )
            remaining = subspace.n_iter
            while remaining > 0:
                points, exhausted = self._ask(optimizer, min(self.n_points, remaining))
                if points:
                    scores = evaluate([subspace.candidate(point) for point in points])
                    optimizer.tell(points, scores)
                    remaining -= len(points)
                if exhausted:
                    break
            result = optimizer.result()
            result.optimizer = optimizer
            optimizer_results.append(result)
        evaluate.finish()
        self.optimizer_results_ = optimizer_results

    @staticmethod
    def _ask(optimizer, n_points):
        """Up to ``n_points`` new candidates; ``exhausted`` once the optimizer finds none."""
        points = []
        for _ in range(n_points):
            try:
                points.append(optimizer.ask())
            except RuntimeError as error:
                if "asked for already" not in str(error):
                    raise
                warnings.warn(
                    f"The search stops early in this space: {error}", UserWarning, stacklevel=3
                )
                return points, True
        return points, False
