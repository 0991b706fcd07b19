"""The analyst of the reusable-holdout experiment: adaptive feature selection.

Dwork et al. (Science 2015): correlations of each feature with the label are
computed on the training set and on the holdout (through the mechanism, or
directly for a standard holdout); features whose two correlations are both
large and agree in sign are ranked by training correlation, and the top k vote
by the sign of their correlation. The holdout is reused for both the selection
and the reported accuracy, which is what makes a standard holdout overfit.
"""

import math
from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import validate_params

from statkit.model_selection._thresholdout import Thresholdout

DEFAULT_KS = (0, 10, 20, 30, 45, 70, 100, 150, 200, 250, 300, 400, 500)


@dataclass(frozen=True)
class FeatureSelectionResult:
    """Accuracies of the selected classifier for each number of features.

    Parameters
    ----------
    k : ndarray of int
        The numbers of selected features.
    train_accuracy, reported_accuracy, fresh_accuracy : ndarray of float
        On the training set, as reported by the holdout (or the mechanism),
        and on fresh data (the truth).
    n_holdout_answers : int
        Queries the mechanism answered from the holdout (0 for a standard holdout).
    """

    k: np.ndarray
    train_accuracy: np.ndarray
    reported_accuracy: np.ndarray
    fresh_accuracy: np.ndarray
    n_holdout_answers: int


def _accuracy(score, y):
    """Accuracy of sign(score) against labels ±1, a zero score predicting +1."""
    return float(np.mean(np.where(score >= 0, 1, -1) == y))


@validate_params(
    {"data": [dict], "mechanism": [Thresholdout, None], "ks": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def adaptive_feature_selection(data, mechanism=None, ks=DEFAULT_KS):
    """Run the Science experiment's analyst on one data set.

    Parameters
    ----------
    data : Bunch
        From :func:`statkit.datasets.make_adaptive_overfitting_experiment`.
    mechanism : Thresholdout, default=None
        Answers the holdout correlations and accuracies; None uses the holdout
        directly (the standard holdout). Correlations are unbounded, so its
        ``value_range`` must be None.
    ks : sequence of int, default=(0, 10, ..., 500)
        Numbers of selected features, increasing; a k above the number of
        features kept uses all of them.

    Returns
    -------
    result : FeatureSelectionResult

    Examples
    --------
    >>> from statkit.datasets import make_adaptive_overfitting_experiment
    >>> from statkit.model_selection import adaptive_feature_selection
    >>> data = make_adaptive_overfitting_experiment(500, 500, random_state=0)
    >>> result = adaptive_feature_selection(data, ks=(10, 50))
    >>> bool(result.reported_accuracy[-1] > result.fresh_accuracy[-1])
    True
    """
    ks = np.asarray(ks, dtype=int)
    if ks.ndim != 1 or np.any(np.diff(ks) <= 0) or ks[0] < 0:
        raise ValueError("ks must be increasing non-negative integers.")
    n = data.X_train.shape[0]
    train_corr = data.X_train.T @ data.y_train.astype(np.float32) / n
    holdout_corr = data.X_holdout.T @ data.y_holdout.astype(np.float32) / n
    overfit_before = getattr(mechanism, "n_overfit_", 0)
    if mechanism is not None:
        holdout_corr = mechanism.query(train_corr.astype(float), holdout_corr.astype(float))
    cutoff = 1 / math.sqrt(n)
    kept = np.flatnonzero(
        (np.abs(train_corr) > cutoff)
        & (np.abs(holdout_corr) > cutoff)
        & (np.sign(train_corr) == np.sign(holdout_corr))
    )
    ranked = kept[np.argsort(-np.abs(train_corr[kept]), kind="stable")]
    signs = np.sign(train_corr[ranked]).astype(np.float32)
    scores = {part: np.zeros(n, dtype=np.float32) for part in ("train", "holdout", "fresh")}
    accuracies = {part: [] for part in ("train", "reported", "fresh")}
    previous = 0
    for k in ks:
        k = min(k, ranked.size)  # fewer features kept than asked: all of them
        chosen, weights = ranked[previous:k], signs[previous:k]
        for part in scores:
            scores[part] += getattr(data, f"X_{part}")[:, chosen] @ weights
        previous = k
        train = _accuracy(scores["train"], data.y_train)
        holdout = _accuracy(scores["holdout"], data.y_holdout)
        reported = holdout if mechanism is None else float(mechanism.query(train, holdout))
        accuracies["train"].append(train)
        accuracies["reported"].append(reported)
        accuracies["fresh"].append(_accuracy(scores["fresh"], data.y_fresh))
    return FeatureSelectionResult(
        ks,
        np.array(accuracies["train"]),
        np.array(accuracies["reported"]),
        np.array(accuracies["fresh"]),
        0 if mechanism is None else mechanism.n_overfit_ - overfit_before,
    )
