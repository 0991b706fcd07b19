"""Early risk detection over streams of writings, and the ERDE metric of eRisk.

SS3's confidence is a sum over terms, so the confidence of a subject's
writings read so far is a running sum: after each new writing it grows by that
writing's confidence vector, exactly as if the history were re-read. A
decision policy reads this running vector and decides when to raise an alert.
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from statkit.utils._validation import NumericInterval, check_matching_lengths


@dataclass(frozen=True)
class MarginPolicy:
    """Alert when the positive class leads every other class by a margin.

    After each writing, the running confidence vector ``d`` is compared:
    alert (predict the positive class, with the number of writings read as the
    delay) at the first writing where ``d[positive] - max(d[other]) > margin``
    and at least ``min_writings`` writings have been read. A subject never
    alerted on is predicted negative after all its writings. A larger margin
    gives fewer, later and surer alerts: the trade-off ERDE measures.

    Parameters
    ----------
    positive_class : label
        The class to alert on.
    margin : float, default=0.0
        How far the positive confidence must lead, >= 0.
    min_writings : int, default=1
        Writings to read before any alert.
    """

    positive_class: object
    margin: float = 0.0
    min_writings: int = 1

    def __post_init__(self):
        if not (isinstance(self.margin, Real) and self.margin >= 0):
            raise ValueError(f"margin must be a number >= 0; got {self.margin!r}.")
        if not (isinstance(self.min_writings, Integral) and self.min_writings >= 1):
            raise ValueError(f"min_writings must be an integer >= 1; got {self.min_writings!r}.")

    def decide(self, running, classes):
        """The writing (1-based) that triggers the alert, or 0 for none.

        Parameters
        ----------
        running : ndarray of shape (n_writings, n_classes)
            The running confidence vector after each writing.
        classes : ndarray of shape (n_classes,)
            The classes, in the order of the columns.

        Returns
        -------
        alert_at : int
        """
        column = np.flatnonzero(np.asarray(classes) == self.positive_class)
        if column.size == 0:
            raise ValueError(
                f"positive_class {self.positive_class!r} is not one of the classes {list(classes)}."
            )
        others = np.delete(running, column[0], axis=1)
        lead = running[:, column[0]] - others.max(axis=1)
        fired = np.flatnonzero(lead > self.margin)
        fired = fired[fired + 1 >= self.min_writings]
        return int(fired[0]) + 1 if fired.size else 0


@dataclass(frozen=True)
class EarlyDecisions:
    """What an early-detection run decided for each subject.

    Parameters
    ----------
    y_pred : ndarray of shape (n_subjects,)
        The positive class for an alert, else ``negative_class``.
    delays : ndarray of int of shape (n_subjects,)
        Writings read when the decision was taken (all of them without alert).
    running : list of ndarray
        Each subject's running confidence vector after each writing.
    """

    y_pred: np.ndarray
    delays: np.ndarray
    running: list


def early_decisions(model, streams, policy, *, negative_class):
    """Classify growing streams of writings, one decision per subject.

    Parameters
    ----------
    model : SS3Classifier or Pipeline
        A fitted SS3 model: a classifier on counts (streams of count matrices)
        or a pipeline ending in one (streams of raw writings).
    streams : list
        One entry per subject: its writings in order (a list of strings for a
        pipeline, a count matrix with one row per writing for a classifier).
    policy : MarginPolicy
        When to alert.
    negative_class : label
        The prediction for a subject never alerted on.

    Returns
    -------
    decisions : EarlyDecisions

    Examples
    --------
    >>> from statkit.text import MarginPolicy, early_decisions, make_ss3_pipeline
    >>> model = make_ss3_pipeline().fit(
    ...     ["sad and tired", "tired, sad, alone", "happy day", "fun day out"],
    ...     ["risk", "risk", "control", "control"])
    >>> streams = [["nice day", "so tired", "sad again", "alone and sad"], ["fun", "happy"]]
    >>> decisions = early_decisions(model, streams, MarginPolicy("risk", margin=1.0),
    ...                             negative_class="control")
    >>> decisions.y_pred.tolist(), decisions.delays.tolist()
    (['risk', 'control'], [4, 2])
    """
    if not hasattr(model, "steps"):
        classifier, transform = model, None
    else:
        classifier, transform = model[-1], model[:-1]
    check_is_fitted(classifier)
    y_pred, delays, paths = [], [], []
    for stream in streams:
        X = stream if transform is None else transform.transform(stream)
        if X.shape[0] == 0:
            raise ValueError("every subject's stream must hold at least one writing.")
        running = np.cumsum(classifier.confidence_vectors(X), axis=0)
        alert_at = policy.decide(running, classifier.classes_)
        y_pred.append(policy.positive_class if alert_at else negative_class)
        delays.append(alert_at or X.shape[0])
        paths.append(running)
    return EarlyDecisions(np.array(y_pred), np.array(delays, dtype=np.int64), paths)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "delays": ["array-like"],
        "o": [Interval(Real, 0, None, closed="neither")],
        "c_fp": [NumericInterval(Real, 0, None, closed="left"), None],
        "positive_label": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def erde_score(y_true, y_pred, delays, *, o=5, c_fp=None, positive_label=1):
    """Early risk detection error (ERDE_o) of Losada & Crestani (2016), as in eRisk.

    Each subject costs ``c_fp`` for a false alert, ``c_fn = 1`` for a missed
    positive, ``lc_o(k) = 1 - 1 / (1 + e^(k - o))`` for a positive caught
    after ``k`` writings, and 0 for a true negative; ERDE is the mean cost
    (eRisk reports it in %). Lower is better: a late alert costs almost as much
    as a miss.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_subjects,)
        True and decided labels.
    delays : array-like of shape (n_subjects,)
        Writings read before each decision (>= 1).
    o : float, default=5
        The deadline parameter (5 or 50 in eRisk).
    c_fp : float, default=None
        The cost of a false positive; default the proportion of positive
        subjects in ``y_true``, as in eRisk.
    positive_label : label, default=1
        The positive (at-risk) class.

    Returns
    -------
    erde : float
        In [0, 1].

    Examples
    --------
    >>> from statkit.text import erde_score
    >>> y_true = [1, 1, 0, 0]
    >>> round(erde_score(y_true, [1, 0, 1, 0], delays=[5, 10, 3, 10], o=5), 4)
    0.5
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    delays = np.asarray(delays)
    check_matching_lengths(y_true=y_true, y_pred=y_pred, delays=delays)
    if y_true.size == 0:
        raise ValueError("y_true must not be empty.")
    if delays.dtype.kind not in "iuf" or np.any(delays < 1) or not np.all(np.isfinite(delays)):
        raise ValueError("delays must be numbers of writings, >= 1.")
    positive, alerted = y_true == positive_label, y_pred == positive_label
    if c_fp is None:
        c_fp = float(positive.mean())
    latency = expit(delays - o)  # 1 - 1 / (1 + e^(k - o)), without overflow

    cost = np.where(alerted & ~positive, c_fp, 0.0)
    cost = np.where(~alerted & positive, 1.0, cost)
    cost = np.where(alerted & positive, latency, cost)
    return float(cost.mean())
