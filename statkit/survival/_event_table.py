"""The event table: counts of events, censorings, entries and the number at risk.

Everything the exact estimators need is counted on the sorted distinct times
with one sort and run-length counts (or, for whole-number times such as days,
with ``np.bincount``). :func:`number_at_risk` is the one place where a risk
set is computed from the numbers removed from follow-up; the Kaplan–Meier
curve, the log-rank test and the private curve all use it.
"""

from typing import NamedTuple

import numpy as np


class EventTable(NamedTuple):
    """Counts on the timeline (numbers, or sums of weights)."""

    timeline: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    censored: np.ndarray
    entered: np.ndarray
    first_entry: float


def number_at_risk(removed, axis=-1):
    """Number still followed at the start of each cell: the sum of ``removed`` from it on.

    Parameters
    ----------
    removed : ndarray
        Subjects leaving follow-up (events and censorings) in each cell, cells
        in time order along ``axis``.
    axis : int, default=-1
        The time axis.

    Returns
    -------
    at_risk : ndarray
        The suffix sums of ``removed`` along ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.survival._event_table import number_at_risk
    >>> number_at_risk(np.array([2, 0, 1, 3]))
    array([6, 4, 4, 3])
    """
    return np.flip(np.cumsum(np.flip(removed, axis), axis=axis), axis)


def _run_starts(sorted_values):
    """Index of the first element of each run of equal values in a sorted array."""
    flag = np.empty(sorted_values.shape[0], dtype=bool)
    flag[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=flag[1:])
    return np.flatnonzero(flag)


def _run_lengths(starts, size):
    return np.diff(np.append(starts, size)).astype(np.float64)


def _unique_counts(values, weights):
    """Sorted unique values and the (weighted) number of times each occurs."""
    if weights is None:
        values = np.sort(values)
        starts = _run_starts(values)
        return values[starts], _run_lengths(starts, values.shape[0])
    order = np.argsort(values, kind="stable")
    values = values[order]
    starts = _run_starts(values)
    return values[starts], np.add.reduceat(weights[order], starts)


def _integer_time_counts(time, event, weights):
    """``(timeline, removed, events)`` by counting, for whole-number times in a short range.

    Returns None unless every time is a whole number of at most ``4 * n + 1024``
    (which bounds the memory used by the counts).
    """
    head = time[:256]
    if time.max() > 4 * time.shape[0] + 1024 or not np.array_equal(head, np.floor(head)):
        return None
    whole = time.astype(np.int64)
    if not np.array_equal(whole, time):
        return None
    removed = np.bincount(whole, weights=weights)
    events = np.bincount(
        whole[event], weights=None if weights is None else weights[event], minlength=removed.size
    )
    seen = np.flatnonzero(removed)
    return (
        seen.astype(np.float64),
        removed[seen].astype(np.float64),
        events[seen].astype(np.float64),
    )


def _time_counts(time, event, weights):
    """The sorted distinct times, and the number of subjects and of events at each.

    One sort does it: for non-negative floats the bit pattern read as an
    unsigned integer orders like the value, which leaves room for the event
    flag in the lowest bit of a 64-bit key.
    """
    counted = _integer_time_counts(time, event, weights)
    if counted is not None:
        return counted
    # + 0.0 turns -0.0 (whose sign bit would sort it last) into 0.0.
    keys = np.add(time, 0.0).view(np.uint64) << np.uint64(1)
    keys |= event
    if weights is not None:
        order = np.argsort(keys)
        keys, weights = keys[order], weights[order]
    else:
        keys.sort()
    flags = keys & np.uint64(1)
    keys >>= np.uint64(1)
    starts = _run_starts(keys)
    timeline = keys[starts].view(np.float64)
    if weights is None:
        removed = _run_lengths(starts, keys.shape[0])
        events = np.add.reduceat(flags, starts).astype(np.float64)
    else:
        removed = np.add.reduceat(weights, starts)
        events = np.add.reduceat(np.where(flags, weights, 0.0), starts)
    return timeline, removed, events


def _exclusive_cumsum(values):
    out = np.zeros_like(values)
    np.cumsum(values[:-1], out=out[1:])
    return out


def event_table(data):
    """The :class:`EventTable` of validated survival data.

    The timeline holds every distinct time, and every entry time after the
    earliest one (and the earliest one too when it is > 0). A subject is at
    risk at ``t`` when ``entry < t <= time``; subjects entering at the earliest
    entry time count as at risk from that time on (lifelines' convention, so
    that without ``entry``, where everyone enters at 0, nobody is left out).
    """
    time, event, entry, weights = data
    timeline, removed, events = _time_counts(time, event, weights)
    if entry is None:
        first_entry = 0.0
        # The number at risk is the number still in follow-up: a reversed
        # cumulative sum, exact for counts and accurate for weights.
        at_risk = number_at_risk(removed)
        entered = np.zeros_like(removed)
    else:
        first_entry = float(entry.min())
        early = entry == first_entry
        late = ~early
        initial = float(early.sum()) if weights is None else float(weights[early].sum())
        late_times, late_counts = _unique_counts(
            entry[late], None if weights is None else weights[late]
        )
        points = late_times if first_entry == 0 else np.append(first_entry, late_times)
        if points.size:
            merged = np.union1d(timeline, points)
            where = np.searchsorted(merged, timeline)
            removed, events = (_scatter(merged.shape, where, a) for a in (removed, events))
            timeline = merged
        late_entered = _scatter(timeline.shape, np.searchsorted(timeline, late_times), late_counts)
        at_risk = initial + _exclusive_cumsum(late_entered) - _exclusive_cumsum(removed)
        if weights is not None:
            # A difference of two running sums of weights: snap rounding residue.
            atol = 1e-12 * (initial + late_counts.sum())
            at_risk[np.abs(at_risk) <= atol] = 0.0
            close = (events > 0) & (np.abs(at_risk - events) <= atol)
            at_risk[close] = events[close]
        entered = late_entered
        if first_entry > 0:
            entered[0] += initial
    censored = removed - events
    return EventTable(timeline, at_risk, events, censored, entered, first_entry)


def _scatter(shape, where, values):
    out = np.zeros(shape, dtype=np.float64)
    out[where] = values
    return out
