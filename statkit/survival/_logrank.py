"""The log-rank test for equal survival in two or more groups."""

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2
from sklearn.utils._param_validation import validate_params

from statkit.survival._event_table import number_at_risk
from statkit.survival._input import check_survival_data
from statkit.utils._validation import check_matching_lengths


@dataclass(frozen=True, eq=False)
class LogrankResult:
    """The result of :func:`logrank_test`.

    Parameters
    ----------
    statistic : float
        The log-rank chi-square statistic.
    p_value : float
        Its p-value under the chi-square distribution with
        ``degrees_of_freedom`` degrees of freedom.
    degrees_of_freedom : int
        The number of groups minus one.
    observed : ndarray of shape (n_groups,)
        Number (sum of weights) of observed events in each group.
    expected : ndarray of shape (n_groups,)
        Number of events expected in each group if all groups had the same
        hazard.
    groups : ndarray of shape (n_groups,)
        The group labels, sorted; ``observed`` and ``expected`` follow this
        order.
    """

    statistic: float
    p_value: float
    degrees_of_freedom: int
    observed: np.ndarray
    expected: np.ndarray
    groups: np.ndarray


def _check_groups(groups, time):
    if groups is None:
        raise TypeError("groups is required: the group label of each subject.")
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError(
            f"groups must be a 1-D array of labels; got a {groups.ndim}-D array "
            f"of shape {groups.shape}."
        )
    check_matching_lengths(time=time, groups=groups)
    if groups.dtype.kind == "f":
        missing = np.flatnonzero(np.isnan(groups))
    elif groups.dtype.kind == "O":
        missing = np.flatnonzero(
            [g is None or (isinstance(g, float) and math.isnan(g)) for g in groups]
        )
    else:
        missing = np.array([], dtype=np.int64)
    if missing.size:
        raise ValueError(
            f"groups must not contain missing values (NaN or None); found {missing.size}, "
            f"the first at index {int(missing[0])}. Drop those subjects first."
        )
    try:
        labels, codes = np.unique(groups, return_inverse=True)
    except TypeError:
        raise TypeError(
            "groups must contain labels of one sortable type (numbers or strings)."
        ) from None
    if labels.shape[0] < 2:
        raise ValueError(
            f"groups must contain at least two distinct groups; got {labels.shape[0]} "
            f"({labels.tolist()})."
        )
    return labels, codes.reshape(-1)


@validate_params(
    {
        "time": ["array-like"],
        "event": ["array-like", None],
        "groups": ["array-like", None],
        "weights": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def logrank_test(time, event=None, groups=None, *, weights=None):
    """Log-rank test that two or more groups have the same survival function.

    The statistic is ``Z' V^- Z`` over the first ``k - 1`` groups, where ``Z``
    holds the observed minus expected numbers of events per group and ``V``
    their hypergeometric covariance summed over the distinct event times; under
    the null hypothesis it follows a chi-square law with ``k - 1`` degrees of
    freedom. The values equal lifelines' ``multivariate_logrank_test`` (and,
    for two groups, ``logrank_test``) and R's ``survdiff``.

    Parameters
    ----------
    time : array-like of shape (n_samples,) or structured array
        Follow-up times (non-negative, finite). A scikit-survival structured
        array ``(event, time)`` is accepted in place of ``time`` and ``event``.
    event : array-like of shape (n_samples,), default=None
        1/True for an observed event, 0/False for a censored time; None means
        every event was observed.
    groups : array-like of shape (n_samples,)
        The group label of each subject (numbers or strings, no missing
        values); at least two distinct labels. Required.
    weights : array-like of shape (n_samples,), default=None
        Positive case weights, which multiply each subject's contribution to
        the counts (lifelines' ``weights``); None gives every subject weight 1.

    Returns
    -------
    result : LogrankResult
        ``statistic``, ``p_value``, ``degrees_of_freedom``, and per group
        (sorted labels in ``groups``) the ``observed`` and ``expected`` numbers
        of events.

    See Also
    --------
    KaplanMeier : The survival curve of one group.

    Examples
    --------
    >>> from statkit.datasets import load_lung
    >>> from statkit.survival import logrank_test
    >>> lung = load_lung()
    >>> sex = lung.data[:, lung.feature_names.index("sex")]
    >>> result = logrank_test(lung.time, lung.event, sex)
    >>> round(result.statistic, 2), round(result.p_value, 4), result.degrees_of_freedom
    (10.33, 0.0013, 1)
    >>> result.observed, result.expected.round(1)
    (array([112.,  53.]), array([91.6, 73.4]))
    """
    data = check_survival_data(time, event, weights=weights)
    labels, codes = _check_groups(groups, data.time)
    k = labels.shape[0]
    weights = np.ones(data.time.shape[0]) if data.weights is None else data.weights

    times, time_codes = np.unique(data.time, return_inverse=True)
    cells = time_codes.reshape(-1) * k + codes
    size = times.shape[0] * k
    removed = np.bincount(cells, weights=weights, minlength=size).reshape(-1, k)
    deaths = np.bincount(cells, weights=weights * data.event, minlength=size).reshape(-1, k)
    at_risk = number_at_risk(removed, axis=0)

    d = deaths.sum(axis=1)
    rows = d > 0
    at_risk, deaths, d = at_risk[rows], deaths[rows], d[rows]
    n = at_risk.sum(axis=1)
    observed = deaths.sum(axis=0)
    expected = at_risk.T @ (d / n)

    with np.errstate(divide="ignore", invalid="ignore"):
        ties = (n - d) / (n - 1)
    ties[~np.isfinite(ties)] = 1.0  # a single subject at risk: no tie correction
    factor = ties * d / n**2
    covariance = -(at_risk.T * factor) @ at_risk
    covariance[np.diag_indices(k)] += at_risk.T @ (factor * n)

    diff = (observed - expected)[:-1]
    statistic = float(diff @ np.linalg.pinv(covariance[:-1, :-1]) @ diff)
    dof = k - 1
    return LogrankResult(
        statistic=statistic,
        p_value=float(chi2.sf(statistic, dof)),
        degrees_of_freedom=dof,
        observed=observed,
        expected=expected,
        groups=labels,
    )
