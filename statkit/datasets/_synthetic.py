"""Synthetic data sets generated from a seed."""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from statkit.utils._validation import NumericInterval, check_generator


@validate_params(
    {
        "n_samples": [NumericInterval(Integral, 2, None, closed="left")],
        "n_features": [NumericInterval(Integral, 1, None, closed="left")],
        "n_signal": [NumericInterval(Integral, 0, None, closed="left")],
        "shift": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def make_adaptive_overfitting_experiment(
    n_samples=10_000, n_features=10_000, n_signal=0, shift=None, random_state=None
):
    """Data of the reusable-holdout experiment (Dwork et al., Science 2015).

    Training, holdout and fresh sets of ``n_samples`` each: features i.i.d.
    N(0, 1) (float32), labels ±1 with equal probability. The first ``n_signal``
    features are shifted by ``y * shift`` (default ``6 / sqrt(n_samples)``, the
    paper's 0.06 at n = 10,000); with ``n_signal=0`` no feature says anything
    about the label and every classifier's true accuracy is 0.5.

    Parameters
    ----------
    n_samples : int, default=10_000
        Rows in each of the three sets.
    n_features : int, default=10_000
        Features per row.
    n_signal : int, default=0
        Features carrying signal (the paper: 0 or 20).
    shift : float, default=None
        Their mean shift.
    random_state : None, int or numpy.random.Generator, default=None
        Source of the data.

    Returns
    -------
    data : Bunch
        ``X_train, y_train, X_holdout, y_holdout, X_fresh, y_fresh`` and
        ``signal_features`` (their indices).

    Examples
    --------
    >>> from statkit.datasets import make_adaptive_overfitting_experiment
    >>> data = make_adaptive_overfitting_experiment(100, 50, n_signal=5, random_state=0)
    >>> data.X_train.shape, data.X_train.dtype, sorted(set(data.y_train.tolist()))
    ((100, 50), dtype('float32'), [-1, 1])
    """
    if n_signal > n_features:
        raise ValueError(f"n_signal must be <= n_features; got {n_signal} > {n_features}.")
    shift = 6 / math.sqrt(n_samples) if shift is None else float(shift)
    rng = check_generator(random_state)
    data = Bunch(signal_features=np.arange(n_signal))
    for part in ("train", "holdout", "fresh"):
        X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
        y = rng.choice(np.array([-1, 1]), size=n_samples)
        X[:, :n_signal] += (shift * y[:, None]).astype(np.float32)
        data[f"X_{part}"], data[f"y_{part}"] = X, y
    return data


def _setting_parameters(setting, n_features):
    """Means and covariances of the named settings of :func:`make_heterogeneous_blobs`."""
    e1 = np.eye(n_features)[0]
    identity = np.eye(n_features)
    thin = np.diag(np.r_[0.1, np.full(n_features - 1, 2.0)])
    if setting == "A":
        return np.stack([0 * e1, 3 * e1, 12 * e1]), np.stack([identity, thin, identity])
    e2 = np.eye(n_features)[1]
    wide = np.diag(np.r_[2.0, np.full(n_features - 1, 0.5)])
    means = np.stack([0 * e1, 3 * e1, 6 * e1, 20 * e1, 20 * e2])
    return means, np.stack([identity, thin, wide, identity, 0.5 * identity])


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "setting": [StrOptions({"A", "line"})],
        "n_features": [Interval(Integral, 2, None, closed="left")],
        "means": ["array-like", None],
        "covariances": ["array-like", None],
        "shuffle": ["boolean"],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def make_heterogeneous_blobs(
    n_samples=120,
    *,
    setting="A",
    n_features=10,
    means=None,
    covariances=None,
    shuffle=True,
    random_state=None,
):
    """Gaussian clusters with different covariances: the iLA-SDP benchmark settings.

    Setting ``"A"`` (Zhuang, Chen and Yang's adversarial, heterogeneous case):
    K = 3, means 0, 3 e1 and 12 e1 (two close clusters and a far one),
    covariances I, diag(0.1, 2, ..., 2) and I. EM from random starts tends to
    merge the close pair and split the far cluster.

    Setting ``"line"``: K = 5, three clusters in a line (means 0, 3 e1, 6 e1;
    covariances I, diag(0.1, 2, ..., 2), diag(2, 0.5, ..., 0.5)) and two far
    ones (20 e1 with I, 20 e2 with 0.5 I).

    Parameters
    ----------
    n_samples : int or array-like of int, default=120
        Total number of points, split as evenly as possible between the
        clusters, or the number in each cluster.
    setting : {"A", "line"}, default="A"
        Named configuration; ignored when ``means`` and ``covariances`` are given.
    n_features : int, default=10
        Dimension of the named settings (at least 2).
    means : array-like of shape (n_clusters, n_features), default=None
        Cluster means, instead of a named setting (give ``covariances`` too).
    covariances : array-like of shape (n_clusters, n_features, n_features), default=None
        Positive definite cluster covariances, with ``means``.
    shuffle : bool, default=True
        Shuffle the points; otherwise they come cluster by cluster.
    random_state : int, Generator or None, default=None
        Seed of the draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        The cluster of each point.

    Examples
    --------
    >>> from statkit.datasets import make_heterogeneous_blobs
    >>> X, y = make_heterogeneous_blobs(n_samples=[40, 40, 40], random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((120, 10), [0, 1, 2])
    """
    if (means is None) != (covariances is None):
        raise ValueError("Give both means and covariances, or neither (for a named setting).")
    if means is None:
        means, covariances = _setting_parameters(setting, n_features)
    else:
        means = np.atleast_2d(np.asarray(means, dtype=float))
        covariances = np.asarray(covariances, dtype=float)
        if covariances.shape != (len(means), means.shape[1], means.shape[1]):
            raise ValueError(
                f"covariances must have shape (n_clusters, n_features, n_features) = "
                f"({len(means)}, {means.shape[1]}, {means.shape[1]}); got {covariances.shape}."
            )
    n_clusters = len(means)
    if isinstance(n_samples, Integral):
        counts = np.full(n_clusters, n_samples // n_clusters)
        counts[: n_samples % n_clusters] += 1
    else:
        counts = np.asarray(n_samples)
        if counts.shape != (n_clusters,) or not np.issubdtype(counts.dtype, np.integer):
            raise ValueError(
                f"n_samples must be an int or {n_clusters} integers, one per cluster; got {counts}."
            )
        if (counts < 0).any():
            raise ValueError("n_samples per cluster must be non-negative.")
    rng = check_generator(random_state)
    X = np.concatenate(
        [
            rng.multivariate_normal(mean, cov, size=count, method="cholesky")
            for mean, cov, count in zip(means, covariances, counts, strict=True)
        ]
    )
    y = np.repeat(np.arange(n_clusters), counts)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X, y
