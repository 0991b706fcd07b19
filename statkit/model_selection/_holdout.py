"""ReusableHoldout: a holdout that answers queries only through a mechanism.

The analyst keeps the training split and asks questions; the holdout answers
them through :class:`Thresholdout` and never hands out its raw values. Model
scores use a cross-validated training value (never resubstitution, which makes
every flexible model look overfit) and are fitted once on the training split.
"""

import os
import time
from typing import NamedTuple

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv, cross_val_score
from sklearn.utils import indexable
from sklearn.utils._param_validation import validate_params
from sklearn.utils.validation import _num_samples

from statkit.model_selection._input import validate_values
from statkit.model_selection._ledger import (
    fingerprint,
    mechanism_signature,
    read_entry,
    write_entry,
)
from statkit.model_selection._thresholdout import Thresholdout
from statkit.utils._validation import check_matching_lengths


class Evaluation(NamedTuple):
    """A candidate model's values on the two splits. SENSITIVE: holds a raw holdout value.

    Only the mechanism may read ``holdout_value``; nothing public keeps it.
    """

    train_value: float
    holdout_value: float
    fit_time: float


def training_value(estimator, scorer, X_train, y_train, cv):
    """The mean ``cv`` score of ``estimator`` on the training split (never resubstitution)."""
    return float(np.mean(cross_val_score(estimator, X_train, y_train, cv=cv, scoring=scorer)))


def evaluate(estimator, scorer, X_train, y_train, X_holdout, y_holdout, cv):
    """Cross-validated training score and holdout score of one model.

    The training value is the mean score over ``cv`` folds of the training
    split; the holdout value is the score of the model refitted on the whole
    training split.

    Returns
    -------
    evaluation : Evaluation
    """
    start = time.perf_counter()
    train_value = training_value(estimator, scorer, X_train, y_train, cv)
    fitted = clone(estimator).fit(X_train, y_train)
    holdout_value = float(scorer(fitted, X_holdout, y_holdout))
    return Evaluation(train_value, holdout_value, time.perf_counter() - start)


def _row_keys(X, y):
    """Hashable keys of the (row, label) pairs of numeric data; None where that is not cheap."""
    try:
        X = np.asarray(X)
        y = np.asarray(y)
    except (TypeError, ValueError):
        return None
    if X.dtype.kind not in "biuf" or y.dtype.kind not in "biuf" or X.ndim != 2:
        return None
    X = np.ascontiguousarray(X)
    return {(row.tobytes(), label.tobytes()) for row, label in zip(X, y, strict=True)}


class ReusableHoldout:
    """A holdout set that answers adaptively chosen queries through Thresholdout.

    It owns the holdout: statistical queries (:meth:`mean`) and model scores
    (:meth:`score`) are computed on both splits, and only the mechanism's
    answer comes back. The budget it spends can be kept in a ledger file keyed
    by the holdout's fingerprint, so a restarted analysis continues the count.

    Copies (``copy.deepcopy``, :func:`sklearn.base.clone` of a search that
    holds it) are the object itself: a holdout has one budget.

    Parameters
    ----------
    X_train, y_train : array-like
        The training split, the analyst's to use freely.
    X_holdout, y_holdout : array-like
        The holdout, only reached through the mechanism.
    mechanism : Thresholdout, default=None
        The mechanism; default ``Thresholdout()`` (the Gaussian rule with
        ``T = 4/sqrt(n)`` and ``σ = 1/sqrt(n)``). A mechanism without
        ``n_holdout`` is given the holdout's size (``set_params``).
    cv : int or cross-validation generator, default=5
        How :meth:`score` computes the training value.
    ledger : str or path, default=None
        A JSON file in which the mechanism's state is kept under the holdout's
        fingerprint after every answer, and read back on construction.
    check_overlap : bool, default=True
        Refuse a holdout sharing a (row, label) pair with the training split
        (checked for numeric arrays). Turn off for data with legitimately
        repeated rows.

    Attributes
    ----------
    fingerprint : str
        The holdout's hash.
    n_holdout : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from statkit.model_selection import ReusableHoldout, Thresholdout
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(400, 5)), rng.integers(0, 2, 400)
    >>> holdout = ReusableHoldout(X[:200], y[:200], X[200:], y[200:],
    ...                           mechanism=Thresholdout(random_state=0))
    >>> answer = holdout.score(LogisticRegression(), "accuracy")
    >>> 0.3 < answer < 0.7, holdout.mechanism.n_queries_
    (True, 1)
    """

    def __init__(
        self,
        X_train,
        y_train,
        X_holdout,
        y_holdout,
        *,
        mechanism=None,
        cv=5,
        ledger=None,
        check_overlap=True,
    ):
        check_matching_lengths(X_train=X_train, y_train=y_train)
        check_matching_lengths(X_holdout=X_holdout, y_holdout=y_holdout)
        X_train, y_train = indexable(X_train, y_train)
        X_holdout, y_holdout = indexable(X_holdout, y_holdout)
        n_holdout = _num_samples(X_holdout)
        if mechanism is None:
            mechanism = Thresholdout(n_holdout=n_holdout)
        elif not isinstance(mechanism, Thresholdout):
            raise TypeError(f"mechanism must be a Thresholdout; got {type(mechanism).__name__}.")
        elif mechanism.n_holdout not in (None, n_holdout):
            raise ValueError(
                f"mechanism.n_holdout={mechanism.n_holdout} but the holdout has {n_holdout} rows."
            )
        if check_overlap:
            train_keys = _row_keys(X_train, y_train)
            holdout_keys = _row_keys(X_holdout, y_holdout)
            if train_keys is not None and holdout_keys is not None:
                shared = len(train_keys & holdout_keys)
                if shared:
                    raise ValueError(
                        f"X_holdout shares {shared} (row, label) pair(s) with X_train: a holdout "
                        "must be disjoint from the training data. Pass check_overlap=False if "
                        "the data legitimately repeat rows."
                    )
        if mechanism.n_holdout is None:  # after every check: a refused holdout changes nothing
            mechanism.set_params(n_holdout=n_holdout)
        self.X_train, self.y_train = X_train, y_train
        self._X_holdout, self._y_holdout = X_holdout, y_holdout
        self.mechanism, self.cv, self.ledger = mechanism, cv, ledger
        self.n_holdout = n_holdout
        self.fingerprint = fingerprint(X_holdout, y_holdout)
        if ledger is not None:
            self._resume()

    def _resume(self):
        entry = read_entry(self.ledger, self.fingerprint)
        if entry is None:
            return
        if entry["mechanism"] != mechanism_signature(self.mechanism):
            raise ValueError(
                f"the ledger {str(self.ledger)!r} records this holdout under another mechanism "
                f"({entry['mechanism']}); changing the mechanism would reset the budget count."
            )
        self.mechanism._set_state(entry["state"])

    def _record(self):
        if self.ledger is not None:
            write_entry(
                self.ledger,
                self.fingerprint,
                {
                    "mechanism": mechanism_signature(self.mechanism),
                    "state": self.mechanism._get_state(),
                },
            )

    def _query(self, train_value, holdout_value, *, from_holdout=False):
        """Pass values through the mechanism and record its state, even when it runs out."""
        try:
            if from_holdout:
                return self.mechanism.answer_from_holdout(holdout_value)
            return self.mechanism.query(train_value, holdout_value)
        finally:
            if hasattr(self.mechanism, "n_queries_"):
                self._record()

    def mean(self, phi):
        """Answer the statistical query ``E[phi(x, y)]``.

        Parameters
        ----------
        phi : callable
            ``phi(X, y)`` returns one value per sample, within the mechanism's
            ``value_range``.

        Returns
        -------
        answer : float

        Examples
        --------
        >>> import numpy as np
        >>> from statkit.model_selection import ReusableHoldout, Thresholdout
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(2000, 3)), rng.integers(0, 2, 2000)
        >>> holdout = ReusableHoldout(X[:1000], y[:1000], X[1000:], y[1000:],
        ...                           mechanism=Thresholdout(random_state=0))
        >>> round(holdout.mean(lambda X, y: X[:, 0] > 0), 2)
        0.45
        """
        values = []
        for split, (X, y) in (
            ("train", (self.X_train, self.y_train)),
            ("holdout", (self._X_holdout, self._y_holdout)),
        ):
            result = np.asarray(phi(X, y), dtype=float)
            if result.shape != (_num_samples(X),):
                raise ValueError(
                    f"phi must return one value per sample, shape ({_num_samples(X)},) on the "
                    f"{split} split; got shape {result.shape}."
                )
            values.append(
                float(np.mean(validate_values(result, "phi(X, y)", self.mechanism.value_range)))
            )
        return self._query(*values)

    def score(self, estimator, scoring=None):
        """Answer a model's score on the holdout.

        The training value is the ``cv`` score on the training split; the
        holdout value is the score of ``estimator`` refitted on the whole
        training split.

        Parameters
        ----------
        estimator : estimator
            An unfitted scikit-learn estimator (it is cloned).
        scoring : str or callable, default=None
            A scikit-learn scoring (None: the estimator's ``score``).

        Returns
        -------
        answer : float
        """
        scorer = check_scoring(estimator, scoring=scoring)
        evaluation = evaluate(
            clone(estimator),
            scorer,
            self.X_train,
            self.y_train,
            self._X_holdout,
            self._y_holdout,
            self._cv(estimator),
        )
        return self._query(evaluation.train_value, evaluation.holdout_value)

    def final_score(self, estimator, scoring=None):
        """The score to report for the model an adaptive analysis has chosen.

        A noisy holdout score (the rule's noise, one unit of budget) of
        ``estimator`` fitted on the training split. :meth:`score` answers with
        the cross-validated training value whenever it is within the threshold
        of the holdout value, and a search that picks the best of many
        candidates adapts to those training values; the final estimate is the
        one number whose error should not be as large as the threshold.

        Parameters
        ----------
        estimator : estimator
            An unfitted scikit-learn estimator (it is cloned).
        scoring : str or callable, default=None
            A scikit-learn scoring (None: the estimator's ``score``).

        Returns
        -------
        answer : float
        """
        scorer = check_scoring(estimator, scoring=scoring)
        fitted = clone(estimator).fit(self.X_train, self.y_train)
        return self._query(None, self._holdout_value(fitted, scorer), from_holdout=True)

    def _cv(self, estimator):
        """The folds of the training split that give a model's training value."""
        return check_cv(self.cv, self.y_train, classifier=is_classifier(estimator))

    def _holdout_value(self, fitted, scorer):
        """SENSITIVE: a fitted model's raw score on the holdout, for the mechanism only."""
        return float(scorer(fitted, self._X_holdout, self._y_holdout))

    def search_cv(self):
        """A ``cv`` for scikit-learn's searches that fits each candidate once on the training split.

        Use with :func:`make_thresholdout_scorer`, which replaces the test
        fold by the holdout: ``GridSearchCV(est, grid, scoring=scorer,
        cv=holdout.search_cv(), n_jobs=1).fit(holdout.X_train, holdout.y_train)``.

        Returns
        -------
        cv : list of one (train, test) pair of index arrays
        """
        everything = np.arange(_num_samples(self.X_train))
        return [(everything, everything)]

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self

    def __repr__(self):
        return (
            f"ReusableHoldout(n_train={_num_samples(self.X_train)}, n_holdout={self.n_holdout}, "
            f"mechanism={self.mechanism!r})"
        )


class ThresholdoutScorer:
    """A scikit-learn scorer that answers through a :class:`ReusableHoldout`.

    Made by :func:`make_thresholdout_scorer`; see there.

    Parameters
    ----------
    holdout : ReusableHoldout
        The holdout that answers.
    scoring : str or callable, default=None
        A scikit-learn scoring (None: the estimator's ``score``).
    """

    def __init__(self, holdout, scoring=None):
        self.holdout, self.scoring = holdout, scoring
        self._pid = os.getpid()

    def __call__(self, estimator, X, y=None):
        if os.getpid() != self._pid:
            raise RuntimeError(
                "a Thresholdout scorer must be used sequentially in the process that made it "
                "(n_jobs=1): a copy in a worker would answer from a copy of the budget."
            )
        if _num_samples(X) != _num_samples(self.holdout.X_train):
            raise ValueError(
                "the Thresholdout scorer scores on the holdout and takes the training split as "
                f"its X; got {_num_samples(X)} rows, the training split has "
                f"{_num_samples(self.holdout.X_train)}. Use cv=holdout.search_cv()."
            )
        scorer = check_scoring(estimator, scoring=self.scoring)
        holdout = self.holdout
        train_value = training_value(
            clone(estimator), scorer, holdout.X_train, holdout.y_train, holdout._cv(estimator)
        )
        holdout_value = holdout._holdout_value(estimator, scorer)
        return holdout._query(train_value, holdout_value)


@validate_params(
    {"holdout": [ReusableHoldout], "scoring": [str, callable, None]},
    prefer_skip_nested_validation=True,
)
def make_thresholdout_scorer(holdout, scoring=None):
    """A scorer for existing search loops that answers through a reusable holdout.

    Called as ``scorer(fitted_estimator, X_train, y_train)``, it computes the
    training value by cross-validation on the holdout's training split and the
    holdout value of the fitted estimator, and returns the mechanism's answer.
    Use it sequentially (``n_jobs=1``): a copy in a worker process refuses to
    answer rather than spend a copy of the budget.

    Parameters
    ----------
    holdout : ReusableHoldout
        The holdout that answers, and whose budget is spent.
    scoring : str or callable, default=None
        A scikit-learn scoring (None: the estimator's ``score``).

    Returns
    -------
    scorer : ThresholdoutScorer
        Called as ``scorer(estimator, X_train, y_train)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from statkit.model_selection import ReusableHoldout, Thresholdout, make_thresholdout_scorer
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(400, 5)), rng.integers(0, 2, 400)
    >>> holdout = ReusableHoldout(X[:200], y[:200], X[200:], y[200:],
    ...                           mechanism=Thresholdout(random_state=0))
    >>> search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]}, cv=holdout.search_cv(),
    ...                       scoring=make_thresholdout_scorer(holdout, "accuracy"))
    >>> search = search.fit(holdout.X_train, holdout.y_train)
    >>> holdout.mechanism.n_queries_
    2
    """
    return ThresholdoutScorer(holdout, scoring)
