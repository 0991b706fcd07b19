"""Validation of right-censored survival data, shared by every survival estimator."""

from typing import NamedTuple

import numpy as np

from statkit.utils._validation import check_matching_lengths, validate_array, validate_binary


class SurvivalData(NamedTuple):
    """Validated survival data: float64 times, boolean events, optional entry and weights."""

    time: np.ndarray
    event: np.ndarray
    entry: np.ndarray | None = None
    weights: np.ndarray | None = None


def _split_structured(y):
    """``(event, time)`` from a scikit-survival structured array (one bool field, one real)."""
    fields = y.dtype.names
    if y.ndim != 1 or len(fields) != 2:
        raise ValueError(
            "time given as a structured array must be 1-D with two fields (event: bool, "
            f"time: float), as made by sksurv.util.Surv.from_arrays; got fields {fields}."
        )
    kinds = [y.dtype[name].kind for name in fields]
    if kinds[0] != "b" or kinds[1] not in "iuf":
        raise ValueError(
            "time given as a structured array must have a boolean event field first and a "
            f"numeric time field second; got dtypes {[str(y.dtype[f]) for f in fields]}."
        )
    return y[fields[0]], y[fields[1]]


def check_survival_data(time, event=None, *, entry=None, weights=None, allow_empty=False):
    """Validate right-censored survival data.

    Parameters
    ----------
    time : array-like of shape (n_samples,) or structured array
        Follow-up times (non-negative, finite). A scikit-survival structured
        array ``(event, time)`` is accepted in place of ``time`` and ``event``.
    event : array-like of shape (n_samples,), default=None
        1/True for an observed event, 0/False for a censored time. ``None``
        means every event was observed.
    entry : array-like of shape (n_samples,), default=None
        Delayed-entry (left-truncation) times, ``0 <= entry <= time``.
    weights : array-like of shape (n_samples,), default=None
        Positive case weights.
    allow_empty : bool, default=False
        Accept data with no subject (a shard of a larger data set).

    Returns
    -------
    SurvivalData
        ``time`` (float64), ``event`` (bool), ``entry`` and ``weights`` (float64 or None).

    Examples
    --------
    >>> from statkit.survival._input import check_survival_data
    >>> check_survival_data([3, 1.5], [1, 0]).event
    array([ True, False])
    >>> check_survival_data([3, -1])
    Traceback (most recent call last):
    ...
    ValueError: time must be non-negative; got -1.0 at index 1.
    """
    raw = np.asarray(time)
    if raw.dtype.names is not None:
        if event is not None:
            raise TypeError(
                "event must be None when time is a structured (event, time) array; "
                "the events are read from its first field."
            )
        event, time = _split_structured(raw)
    time = validate_array(time, "time", ndim=1, allow_empty=allow_empty)
    time = time.astype(np.float64, copy=False)
    _check_non_negative(time, "time")
    if event is None:
        event = np.ones(time.size, dtype=bool)
    else:
        event = validate_binary(event, "event", allow_empty=allow_empty)
    check_matching_lengths(time=time, event=event)
    if entry is not None:
        entry = validate_array(entry, "entry", ndim=1).astype(np.float64, copy=False)
        check_matching_lengths(time=time, entry=entry)
        _check_non_negative(entry, "entry")
        late = np.flatnonzero(entry > time)
        if late.size:
            i = int(late[0])
            raise ValueError(
                f"entry must not exceed time; got entry={float(entry[i])!r} > "
                f"time={float(time[i])!r} at index {i}."
            )
    if weights is not None:
        weights = validate_array(weights, "weights", ndim=1).astype(np.float64, copy=False)
        check_matching_lengths(time=time, weights=weights)
        bad = np.flatnonzero(weights <= 0)
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"weights must be positive; got {float(weights[i])!r} at index {i}.")
    return SurvivalData(time, event, entry, weights)


def _check_non_negative(values, name):
    bad = np.flatnonzero(values < 0)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{name} must be non-negative; got {float(values[i])!r} at index {i}.")


def check_times(times):
    """Validate the times at which a fitted curve is evaluated: 1-D, no NaN (inf allowed).

    Parameters
    ----------
    times : float or array-like of shape (n_times,)
        The evaluation times.

    Returns
    -------
    times : ndarray of shape (n_times,)
    """
    times = validate_array(times, "times", ndim=(0, 1), ensure_finite=False)
    if np.isnan(times).any():
        index = int(np.flatnonzero(np.isnan(np.atleast_1d(times)))[0])
        raise ValueError(f"times must not contain NaN; found one at index {index}.")
    return np.atleast_1d(times)


def check_time_edges(time_edges):
    """Validate public bin edges: finite, non-negative, strictly increasing; 0 is prepended.

    Parameters
    ----------
    time_edges : array-like of shape (n_edges,)
        The edges given by the user.

    Returns
    -------
    edges : ndarray of shape (n_bins + 1,)
        Float64 edges starting at 0.
    """
    edges = validate_array(time_edges, "time_edges", ndim=1)
    if edges[0] < 0:
        raise ValueError(f"time_edges must be non-negative; got {float(edges[0])!r} first.")
    if edges[0] > 0:
        edges = np.r_[0.0, edges]
    if edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("time_edges must be strictly increasing with at least one bin.")
    return edges.astype(np.float64)
