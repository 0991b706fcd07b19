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


def logrank_statistic(at_risk, deaths):
    """The k-sample log-rank chi-square from risk sets and deaths per time and group.

    Parameters
    ----------
    at_risk, deaths : ndarray of shape (..., n_times, n_groups)
        Numbers at risk and deaths (or sums of weights) in each group at each
        time; leading axes (e.g. bootstrap replicates) are kept. Times with no
        death contribute nothing.

    Returns
    -------
    statistic : ndarray of shape (...)
        ``Z' V^- Z`` over the first ``n_groups - 1`` groups (pseudo-inverse).
    observed, expected : ndarray of shape (..., n_groups)
        Observed and expected numbers of deaths per group.
    """
    d = deaths.sum(axis=-1)
    n = at_risk.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, d / n, 0.0)
        ties = np.where(n > 1, (n - d) / (n - 1), 1.0)  # one subject at risk: no correction
        factor = np.where(n > 0, ties * d / n**2, 0.0)
    observed = deaths.sum(axis=-2)
    expected = np.einsum("...tg,...t->...g", at_risk, share)
    weighted = at_risk * factor[..., None]
    covariance = -np.einsum("...tg,...th->...gh", weighted, at_risk)
    diagonal = np.einsum("...tg,...t->...g", weighted, n)
    k = at_risk.shape[-1]
    covariance[..., np.arange(k), np.arange(k)] += diagonal
    diff = (observed - expected)[..., :-1]
    inverse = np.linalg.pinv(covariance[..., :-1, :-1])
    statistic = np.einsum("...g,...gh,...h->...", diff, inverse, diff)
    return statistic, observed, expected


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

    statistic, observed, expected = logrank_statistic(at_risk, deaths)
    statistic = float(statistic)
    dof = k - 1
    return LogrankResult(
        statistic=statistic,
        p_value=float(chi2.sf(statistic, dof)),
        degrees_of_freedom=dof,
        observed=observed,
        expected=expected,
        groups=labels,
    )
