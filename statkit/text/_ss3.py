"""SS3Classifier: the SS3 text classifier as a scikit-learn classifier on term counts."""

from numbers import Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_is_fitted,
    check_non_negative,
    column_or_1d,
    validate_data,
)

from statkit.text._kernels import two_means_top
from statkit.text._values import term_values
from statkit.utils import get_namespace
from statkit.utils._array_api import to_namespace, to_numpy


class _ValuesCache:
    """A one-entry cache of a model's term values, keyed by its hyperparameters."""

    def __init__(self):
        self.key, self.values = None, None


def _class_indicator(y, classes, multilabel):
    """One column per class; a multi-label target adds a last column for unlabelled documents."""
    if multilabel:
        indicator = np.asarray(y, dtype=np.float64)
        unlabelled = indicator.sum(axis=1) == 0
        return np.hstack([indicator, unlabelled[:, None].astype(np.float64)])
    positions = np.searchsorted(classes, y)
    known = (positions < classes.size) & (classes[np.minimum(positions, classes.size - 1)] == y)
    if not np.all(known):
        unseen = sorted(set(np.asarray(y)[~known].tolist()))
        raise ValueError(f"y holds labels that are not in classes: {unseen}.")
    return np.eye(classes.size)[positions]


def _class_term_counts(X, indicator):
    """How often each class's documents hold each term: ``indicator.T @ X``."""
    return np.asarray((X.T @ indicator).T)


class SS3Classifier(ClassifierMixin, BaseEstimator):
    """The SS3 classifier (Burdisso et al., 2019) on a document-term count matrix.

    SS3 learns nothing but how often each class's documents use each term. From
    these counts it derives a confidence value ``cv(t, c)`` for every term and
    class (see :mod:`statkit.text`), and scores a document by summing the
    confidence vectors of its terms: ``decision = X @ cv.T``, a non-negative
    linear model whose weights are readable. The label is the class with the
    largest confidence; a document with no known term gets the class with the
    most training tokens (``default_class``).

    Hyperparameters change the values, never the counts: ``set_params(s=...)``
    followed by ``predict`` recomputes the values from the stored counts, on
    first use (as after ``partial_fit``, which only adds counts).
    ``partial_fit`` adds counts, and :meth:`merge` adds two models' counts, so
    models fitted on shards of a corpus (with one vocabulary or a
    ``HashingVectorizer``) merge into the model of the whole corpus.

    Parameters
    ----------
    s : float, default=0.45
        Smoothness σ: the exponent of the local value, in (0, ∞).
    l : float, default=0.5
        Significance λ, > 0.
    p : float, default=1.0
        Sanction ρ, >= 0.
    a : float, default=0.0
        Confidence values at or below ``a`` are ignored when scoring.
    significance : {"xai", "vanilla"}, default="xai"
        pyss3's default significance, with a floor on the spread and a
        stop-word filter, or the paper's.
    confidence : {"norm_gv", "gv"}, default="norm_gv"
        The global value divided by its maximum in the class (pyss3's
        default), or the global value itself (the paper's).
    default_class : label, default=None
        The prediction for a document with no known term; None for the class
        with the most training tokens (pyss3's ``"most-probable"``).
    multilabel_threshold : "2-means" or float, default="2-means"
        Multi-label targets only. ``"2-means"`` (pyss3): split each document's
        confidences into a high and a low group by 2-means and predict the high
        group. A float in (0, 1]: predict the labels whose confidence is at
        least this fraction of the document's largest.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (``arange(n_labels)`` for a multi-label target).
    feature_count_ : ndarray of shape (n_classes, n_features)
        How often each class's documents hold each term: the whole learned state
        (with ``class_token_count_``). For a multi-label target a last row holds
        the documents without any label (pyss3's hidden ``[others]`` class).
    n_features_in_ : int
    confidence_values_ : ndarray of shape (n_classes, n_features)
        ``cv(t, c)`` under the current hyperparameters.

    References
    ----------
    Burdisso, Errecalde & Montes-y-Gómez, "A text classification framework for
    simple and effective early depression detection over social media streams",
    Expert Systems with Applications 133 (2019).

    Examples
    --------
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from statkit.text import SS3Classifier
    >>> docs = ["the cat sat on the mat with the cat", "cats and a cat purr",
    ...         "dogs bark at dogs", "the dog chased the dogs away"]
    >>> model = make_pipeline(CountVectorizer(), SS3Classifier()).fit(
    ...     docs, ["cat", "cat", "dog", "dog"])
    >>> model.predict(["a cat on a mat", "dogs and the dog"]).tolist()
    ['cat', 'dog']
    """

    _parameter_constraints: ClassVar[dict] = {
        "s": [Interval(Real, 0, None, closed="neither")],
        "l": [Interval(Real, 0, None, closed="neither")],
        "p": [Interval(Real, 0, None, closed="left")],
        "a": [Interval(Real, 0, None, closed="left")],
        "significance": [StrOptions({"xai", "vanilla"})],
        "confidence": [StrOptions({"norm_gv", "gv"})],
        "default_class": "no_validation",
        "multilabel_threshold": [
            StrOptions({"2-means"}),
            Interval(Real, 0, 1, closed="right"),
        ],
    }

    def __init__(
        self,
        s=0.45,
        l=0.5,  # noqa: E741 (the paper's λ, named as in pyss3)
        p=1.0,
        a=0.0,
        *,
        significance="xai",
        confidence="norm_gv",
        default_class=None,
        multilabel_threshold="2-means",
    ):
        self.s = s
        self.l = l
        self.p = p
        self.a = a
        self.significance = significance
        self.confidence = confidence
        self.default_class = default_class
        self.multilabel_threshold = multilabel_threshold

    # -- learning: counts only -------------------------------------------------------------

    def _validate_counts(self, X, reset, y="no_validation"):
        if isinstance(y, str) and y == "no_validation":
            X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=np.float64, reset=reset)
        else:
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=("csr", "csc"),
                dtype=np.float64,
                multi_output=True,
                reset=reset,
            )
        check_non_negative(X, f"{type(self).__name__} (input X: term counts)")
        return X if isinstance(y, str) else (X, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Count how often each class's documents hold each term.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Term counts (non-negative; non-integer weights such as TF-IDF are
            accepted and used as counts).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multi-label indicator matrix.

        Returns
        -------
        self : SS3Classifier
        """
        X, y = self._validate_counts(X, reset=True, y=y)
        return self._learn(X, y, classes=None, reset=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Add a batch of documents to the counts (incremental learning).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Term counts.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multi-label indicator matrix.
        classes : array-like of shape (n_classes,), default=None
            Every class label; required on the first call with single labels.

        Returns
        -------
        self : SS3Classifier
        """
        first = not hasattr(self, "feature_count_")
        if first and classes is None and type_of_target(np.asarray(y)) != "multilabel-indicator":
            raise ValueError("classes must be given on the first call of partial_fit.")
        X, y = self._validate_counts(X, reset=first, y=y)
        return self._learn(X, y, classes=classes, reset=first)

    def _learn(self, X, y, *, classes, reset):
        multilabel = type_of_target(y, input_name="y") == "multilabel-indicator"
        if not multilabel:
            y = column_or_1d(y, warn=True)
            check_classification_targets(y)
        if not reset:
            if multilabel != self._multilabel:
                raise ValueError("y must be of one kind (single- or multi-label) in every call.")
            classes = self.classes_
        elif multilabel:
            classes = np.arange(y.shape[1])
        else:
            classes = np.unique(y if classes is None else np.asarray(classes))
        if classes.size < 2:
            raise ValueError(
                f"SS3Classifier needs at least 2 classes; got 1 class: {classes.tolist()}."
            )
        indicator = _class_indicator(y, classes, multilabel)
        counts = _class_term_counts(X, indicator)
        tokens = np.asarray(X.sum(axis=1)).ravel() @ indicator
        if not reset:
            counts, tokens = self.feature_count_ + counts, self.class_token_count_ + tokens
        # Everything checked and computed: only now is the state replaced.
        self._multilabel, self.classes_ = multilabel, classes
        self.feature_count_, self.class_token_count_ = counts, tokens
        self._values_cache = _ValuesCache()
        return self

    def merge(self, other):
        """The model of the union of two models' training documents.

        Parameters
        ----------
        other : SS3Classifier
            Fitted on the same features (one vocabulary or a
            ``HashingVectorizer``) with the same classes.

        Returns
        -------
        merged : SS3Classifier
            A new estimator with this one's hyperparameters and the summed counts.
        """
        check_is_fitted(self)
        check_is_fitted(other)
        if not isinstance(other, SS3Classifier):
            raise TypeError(f"other must be an SS3Classifier; got {type(other).__name__}.")
        if other.n_features_in_ != self.n_features_in_:
            raise ValueError(
                f"other has {other.n_features_in_} features and this model "
                f"{self.n_features_in_}: merged models must share one feature space."
            )
        if other._multilabel != self._multilabel or not np.array_equal(
            other.classes_, self.classes_
        ):
            raise ValueError("merged models must have the same classes (and kind of target).")
        merged = type(self)(**self.get_params())
        merged.classes_ = self.classes_
        merged.n_features_in_ = self.n_features_in_
        if hasattr(self, "feature_names_in_"):
            merged.feature_names_in_ = self.feature_names_in_
        merged._multilabel = self._multilabel
        merged.feature_count_ = self.feature_count_ + other.feature_count_
        merged.class_token_count_ = self.class_token_count_ + other.class_token_count_
        merged._values_cache = _ValuesCache()
        return merged

    # -- values: a function of the counts and the hyperparameters --------------------------

    def _term_values(self):
        """The term values under the current hyperparameters, computed on first use.

        Learning (``fit``, ``partial_fit``, ``merge``) starts an empty one-entry
        cache; the values are computed from the counts when first needed and
        kept until the hyperparameters change. Adding a batch of counts therefore
        costs no recomputation, and predicting changes no attribute.
        """
        check_is_fitted(self)
        key = (self.s, self.l, self.p, self.significance, self.confidence)
        if self._values_cache.key != key:
            self._validate_params()
            values = term_values(
                self.feature_count_,
                self.s,
                self.l,
                self.p,
                significance=self.significance,
                confidence=self.confidence,
            )
            self._values_cache.key, self._values_cache.values = key, values
        return self._values_cache.values

    @property
    def confidence_values_(self):
        """ndarray of shape (n_classes, n_features) : ``cv(t, c)`` under the hyperparameters."""
        values = self._term_values().confidence
        return values[:-1] if self._multilabel else values

    def _scoring_weights(self):
        """The confidence values used for scoring: those at or below ``a`` are zeroed."""
        cv = self._term_values().confidence
        return np.where(cv > self.a, cv, 0.0) if self.a > 0 else cv

    def _confidence(self, X):
        """The SS3 confidence vectors, one row per document (all classes, hidden ones too)."""
        check_is_fitted(self)
        xp, on_gpu = get_namespace(X)
        if on_gpu:
            from statkit.text._cupy import confidence_scores

            return to_numpy(confidence_scores(to_namespace(X, xp), self._scoring_weights(), xp))
        X = self._validate_counts(X, reset=False)
        return np.asarray(X @ self._scoring_weights().T)

    def confidence_vectors(self, X):
        """The SS3 confidence vector of each document: one column per class.

        ``X @ cv.T`` with the confidence values at or below ``a`` ignored.
        Unlike :meth:`decision_function` it has a column for each class even
        with two classes. A dense CuPy array is scored on the GPU.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Term counts.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes)
        """
        scores = self._confidence(X)
        return scores[:, :-1] if self._multilabel else scores

    def _default_index(self):
        if self.default_class is None:
            tokens = self.class_token_count_[: self.classes_.size]
            # pyss3 sorts the classes by token count and takes the last: ties go to the later one.
            return tokens.size - 1 - int(np.argmax(tokens[::-1]))
        matches = np.flatnonzero(self.classes_ == self.default_class)
        if matches.size == 0:
            raise ValueError(
                f"default_class={self.default_class!r} is not one of the classes "
                f"{self.classes_.tolist()}."
            )
        return int(matches[0])

    # -- predictions -----------------------------------------------------------------------

    def decision_function(self, X):
        """The SS3 confidence vector of each document.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Term counts.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            ``X @ cv.T``; with two classes (single-label), the second class's
            confidence minus the first's, as scikit-learn expects.
        """
        scores = self._confidence(X)
        if self._multilabel:
            return scores[:, :-1]
        if self.classes_.size == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict_proba(self, X):
        """The normalised confidence vector: rows sum to 1. Not calibrated.

        SS3's confidences are sums of term values, not probabilities; wrap the
        model in :class:`sklearn.calibration.CalibratedClassifierCV` for
        probabilities. A document with no known term gets probability 1 for
        the default class (the one :meth:`predict` returns); with a
        multi-label target its probabilities are uniform.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Term counts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        scores = self.confidence_vectors(X)
        if self._multilabel:  # no default label: an unknown document is uniform
            fallback = np.full(scores.shape[1], 1.0 / scores.shape[1])
        else:
            fallback = np.eye(scores.shape[1])[self._default_index()]
        total = scores.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, scores / total, fallback)

    def predict(self, X):
        """The class of largest confidence (the default class for a document with none).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Term counts.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a multi-label indicator matrix.
        """
        scores = self._confidence(X)
        if self._multilabel:
            return self._predict_labels(scores)
        labels = np.argmax(scores, axis=1)
        labels[scores.sum(axis=1) == 0] = self._default_index()
        return self.classes_[labels]

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` (subset accuracy for a multi-label target).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Term counts.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        return super().score(X, y, sample_weight=sample_weight)

    def _predict_labels(self, scores):
        """Multi-label decisions; the hidden "no label" class is never predicted."""
        if self.multilabel_threshold == "2-means":
            chosen = two_means_top(scores)
        else:
            top = scores.max(axis=1, keepdims=True)
            chosen = (scores >= self.multilabel_threshold * top) & (top > 0)
        return chosen[:, :-1].astype(np.int64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.classifier_tags.multi_label = True
        return tags
