"""Mis-clustering error: the share of points misplaced under the best matching of labels."""

from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils import check_consistent_length, column_or_1d


def misclustering_error(labels_true, labels_pred):
    """Share of points misclustered, minimised over matchings of the cluster labels.

    The error of the clustering literature (the ``err_rate`` of the SDP
    papers): one minus the accuracy of ``labels_pred`` under the best one-to-one
    matching of its clusters to the true ones (Hungarian algorithm). Clusters
    left unmatched count as errors.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth labels.
    labels_pred : array-like of shape (n_samples,)
        Cluster labels to evaluate.

    Returns
    -------
    error : float
        In [0, 1].

    Examples
    --------
    >>> from statkit.cluster import misclustering_error
    >>> misclustering_error([0, 0, 1, 1, 2], [1, 1, 0, 0, 0])
    0.2
    """
    labels_true = column_or_1d(labels_true)
    labels_pred = column_or_1d(labels_pred)
    check_consistent_length(labels_true, labels_pred)
    if len(labels_true) == 0:
        raise ValueError("labels_true and labels_pred must not be empty.")
    counts = contingency_matrix(labels_true, labels_pred)
    rows, columns = linear_sum_assignment(counts, maximize=True)
    n = len(labels_true)
    return float((n - counts[rows, columns].sum()) / n)
