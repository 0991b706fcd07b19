"""The Kaplan–Meier estimator of a survival function, with its event table.

Everything is computed from the event table (:mod:`._event_table`) on the
sorted distinct times. The conventions are lifelines' (see
:class:`KaplanMeier`), so its results agree with ``KaplanMeierFitter``,
scikit-survival's ``kaplan_meier_estimator(conf_type="log-log")`` and
statsmodels' ``SurvfuncRight`` to rounding error.
"""

import numpy as np
from scipy.special import digamma, ndtri
from sklearn.base import _fit_context
from sklearn.utils import Bunch
from sklearn.utils.validation import check_is_fitted

from statkit.survival._base import BaseSurvivalCurve, CurvePlotData
from statkit.survival._event_table import event_table
from statkit.survival._input import check_survival_data, check_times

# Relative tolerance for "S(t) <= 0.5" when reading off the median (as R's
# survival package does), so that a curve that reaches 0.5 exactly is not
# pushed past it by rounding in the running product.
_QUANTILE_RTOL = float(np.sqrt(np.finfo(np.float64).eps))


def _check_risk_sets(timeline, at_risk, events):
    over = np.flatnonzero(events > at_risk * (1 + 1e-9))
    if over.size:
        j = int(over[0])
        raise ValueError(
            f"At time {float(timeline[j])!r} there are {events[j]:g} events but only "
            f"{at_risk[j]:g} subjects at risk: a subject whose entry equals its event time is "
            "not at risk at that time (unless it enters at the earliest entry time). Check "
            "entry and time."
        )


def _nelson_aalen_increments(at_risk, events):
    """Nelson–Aalen hazard increments with lifelines' default tie correction.

    ``d`` tied events among ``n`` at risk add ``1/n + 1/(n-1) + ... + 1/(n-d+1)``
    (lifelines' ``NelsonAalenFitter(nelson_aalen_smoothing=True)``), which is
    ``digamma(n + 1) - digamma(n - d + 1)`` for weighted (non-integer) counts.
    """
    increments = np.divide(events, at_risk, out=np.zeros_like(at_risk), where=at_risk > 0)
    # d / n is exact for d in {0, 1}; ties and fractional weights need the sum.
    tied = np.flatnonzero((events != 0) & (events != 1) & (at_risk > 0))
    if tied.size:
        n, d = at_risk[tied], np.minimum(events[tied], at_risk[tied])
        # Sum term by term where d is a small whole number (exact; digamma's
        # difference loses ~eps * log(n) to cancellation), within a memory budget.
        exact = (d == np.round(d)) & (d <= 64)
        if d[exact].sum() > 4 * at_risk.shape[0] + 2**20:
            exact[:] = False
        if exact.any():
            dw = d[exact].astype(np.int64)
            firsts = np.cumsum(dw) - dw
            offsets = np.arange(dw.sum()) - np.repeat(firsts, dw)
            terms = 1.0 / (np.repeat(n[exact], dw) - offsets)
            increments[tied[exact]] = np.add.reduceat(terms, firsts)
        if not exact.all():
            n, d = n[~exact], d[~exact]
            increments[tied[~exact]] = digamma(n + 1.0) - digamma(n - d + 1.0)
    return increments


def _first_at_or_below(curve, q, start=0, stop=None):
    """Index of the first ``curve[i] <= q`` (up to rounding) in ``[start, stop)``, or None.

    ``curve`` is an array or a function of a slice giving that part of the curve;
    it is evaluated in chunks of doubling size, so that a crossing near
    ``start`` costs little.
    """
    stop = len(curve) if stop is None else stop
    threshold = q * (1 + _QUANTILE_RTOL)
    size = 1024
    while start < stop:
        part = slice(start, min(start + size, stop))
        values = curve[part] if isinstance(curve, np.ndarray) else curve(part)
        below = np.flatnonzero(values <= threshold)
        if below.size:
            return start + int(below[0])
        start, size = part.stop, 2 * size
    return None


def _median_and_interval(timeline, survival, log_variance, alpha):
    """The median time and the first times the pointwise bounds reach 0.5.

    The lower bound lies below S and the upper bound above it, so the lower
    bound reaches 0.5 at or before the median and the upper bound at or after
    it: only those stretches of the bounds are computed.
    """
    n_times = timeline.shape[0]

    def bound(row):
        return lambda part: _loglog_interval(survival[part], log_variance[part], alpha)[row]

    median = _first_at_or_below(survival, 0.5)
    lower = _first_at_or_below(bound(0), 0.5, 0, n_times if median is None else median + 1)
    upper = None if median is None else _first_at_or_below(bound(1), 0.5, median, n_times)
    return tuple(np.inf if i is None else float(timeline[i]) for i in (median, lower, upper))


def _loglog_interval(survival, log_variance, alpha):
    """Greenwood log(-log) ("exponential Greenwood") bounds, rows (lower, upper).

    Written as lifelines writes it, so that the two agree to the last bit where
    they can: 1 where S = 1 (no variance), 0 where S = 0.
    """
    z = ndtri(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log(survival)
        log_minus_v = np.log(-v)
        half_width = z * np.sqrt(log_variance) / v
        bounds = np.stack(
            [np.exp(-np.exp(log_minus_v - half_width)), np.exp(-np.exp(log_minus_v + half_width))]
        )
    bounds[np.isnan(bounds)] = 1.0
    return bounds


class KaplanMeier(BaseSurvivalCurve):
    """Kaplan–Meier estimator of a survival function, with Greenwood confidence intervals.

    Fits the product-limit estimate S(t) = prod over event times t_i <= t of
    (1 - d_i / n_i) from right-censored, optionally left-truncated (delayed
    entry) and weighted data, together with the Nelson–Aalen cumulative hazard
    and the event table. Results match lifelines' ``KaplanMeierFitter`` and
    ``NelsonAalenFitter``, scikit-survival's ``kaplan_meier_estimator`` with
    ``conf_type="log-log"`` and statsmodels' ``SurvfuncRight``.

    Conventions (those of lifelines):

    * the curve is a right-continuous step function: ``predict(t)`` at an event
      time already includes the drop at ``t``; S = 1 before the first time and
      stays at its last value after the last one;
    * a subject is at risk at ``t`` when ``entry < t <= time``; subjects that
      enter at the earliest entry time (time 0 without ``entry``) are at risk
      from that time on;
    * confidence intervals are pointwise, on the log(-log S) scale with
      Greenwood's variance ("exponential Greenwood"); with weights, the counts in
      Greenwood's formula are weighted counts;
    * tied events in the Nelson–Aalen estimate count as events one after the
      other (``d`` events among ``n`` at risk add 1/n + ... + 1/(n-d+1)), as in
      lifelines' default ``nelson_aalen_smoothing=True``;
    * the median is the first time at which S(t) <= 0.5, and its confidence
      interval the first times at which the lower and the upper bound of the
      pointwise interval reach 0.5 (inf where they never do).

    Parameters
    ----------
    alpha : float, default=0.05
        Confidence intervals have level ``1 - alpha``.

    Attributes
    ----------
    timeline_ : ndarray of shape (n_times,)
        The sorted distinct times (events and censorings), and the delayed-entry
        times other than 0.
    survival_function_ : ndarray of shape (n_times,)
        S(t) at each time of ``timeline_``.
    cumulative_hazard_ : ndarray of shape (n_times,)
        The Nelson–Aalen cumulative hazard H(t) at each time of ``timeline_``.
    survival_variance_ : ndarray of shape (n_times,)
        Greenwood's estimate of the variance of S(t): ``S(t)**2 *
        log_survival_variance_``.
    log_survival_variance_ : ndarray of shape (n_times,)
        Greenwood's estimate of the variance of log S(t), the sum of
        ``d / (n * (n - d))`` over event times up to t (terms with ``n == d``
        count as 0, as in lifelines).
    n_at_risk_ : ndarray of shape (n_times,)
        Number (sum of weights) at risk at each time, as used by the estimate.
        Subjects entering at that very time are not included; lifelines'
        ``event_table["at_risk"]`` includes them.
    n_events_ : ndarray of shape (n_times,)
        Number (sum of weights) of observed events at each time.
    n_censored_ : ndarray of shape (n_times,)
        Number (sum of weights) of censored times at each time.
    n_entered_ : ndarray of shape (n_times,)
        Number (sum of weights) of subjects entering the risk set at each time
        (delayed entry); entries at time 0 are not counted, so this is all
        zeros without ``entry``.
    median_survival_time_ : float
        The first time at which S(t) <= 0.5; inf if S stays above 0.5.
    median_confidence_interval_ : ndarray of shape (2,)
        Lower and upper confidence bound of the median, from the pointwise
        interval with level ``1 - alpha``; inf where a bound stays above 0.5.
    n_samples_ : int
        Number of subjects (rows) seen in ``fit``.

    See Also
    --------
    logrank_test : Compare the survival of two or more groups.

    Notes
    -----
    Everything is computed from the event table, built with one sort of the
    times (or by counting, for whole-number times such as days), so fitting
    10^6 subjects takes a fraction of a second.

    Examples
    --------
    >>> from statkit.survival import KaplanMeier
    >>> km = KaplanMeier().fit([3, 5, 5, 8, 12], [1, 1, 0, 1, 0])
    >>> km.timeline_
    array([ 3.,  5.,  8., 12.])
    >>> km.n_at_risk_
    array([5., 4., 2., 1.])
    >>> km.survival_function_.round(3)
    array([0.8, 0.6, 0.3, 0.3])
    >>> km.predict([0, 4.9, 5, 100]).round(3)
    array([1. , 0.8, 0.6, 0.3])
    >>> km.median_survival_time_
    8.0
    >>> km.confidence_interval([5]).round(3)
    array([[0.126],
           [0.882]])
    """

    def __init__(self, *, alpha=0.05):
        self.alpha = alpha

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, time, event=None, *, entry=None, weights=None):
        """Fit the Kaplan–Meier estimate.

        Parameters
        ----------
        time : array-like of shape (n_samples,) or structured array
            Follow-up times (non-negative, finite). A scikit-survival structured
            array ``(event, time)`` is accepted in place of ``time`` and ``event``.
        event : array-like of shape (n_samples,), default=None
            1/True for an observed event, 0/False for a censored time; None
            means every event was observed.
        entry : array-like of shape (n_samples,), default=None
            Delayed-entry (left-truncation) times, ``0 <= entry <= time``; None
            means every subject is followed from time 0.
        weights : array-like of shape (n_samples,), default=None
            Positive case weights (frequency weights when they are whole
            numbers); None gives every subject weight 1.

        Returns
        -------
        self : KaplanMeier
            The fitted estimator.
        """
        data = check_survival_data(time, event, entry=entry, weights=weights)
        timeline, at_risk, events, censored, entered, first_entry = event_table(data)
        _check_risk_sets(timeline, at_risk, events)

        remaining = np.maximum(at_risk - events, 0.0)
        # 1 - d/n, with no factor where nobody is at risk; 0 where everyone fails.
        factors = np.divide(remaining, at_risk, out=np.ones_like(at_risk), where=at_risk > 0)
        survival = np.cumprod(factors)
        # Greenwood: sum of d / (n (n - d)), a term 0 where n == d (as in lifelines).
        greenwood = np.multiply(at_risk, remaining)
        np.divide(events, greenwood, out=greenwood, where=remaining > 0)
        greenwood[remaining <= 0] = 0.0
        log_variance = np.cumsum(greenwood)
        median, lower, upper = _median_and_interval(timeline, survival, log_variance, self.alpha)

        fitted = {
            "timeline_": timeline,
            "survival_function_": survival,
            "cumulative_hazard_": np.cumsum(_nelson_aalen_increments(at_risk, events)),
            "survival_variance_": survival**2 * log_variance,
            "log_survival_variance_": log_variance,
            "n_at_risk_": at_risk,
            "n_events_": events,
            "n_censored_": censored,
            "n_entered_": entered,
            "median_survival_time_": median,
            "median_confidence_interval_": np.array([lower, upper]),
            "n_samples_": int(data.time.shape[0]),
            "_first_entry": first_entry,
        }
        for name, value in fitted.items():
            setattr(self, name, value)
        return self

    def _step(self, values, times, before):
        """Evaluate the right-continuous step function ``values`` on the timeline."""
        index = np.searchsorted(self.timeline_, times, side="right") - 1
        out = values[np.maximum(index, 0)]
        out[index < 0] = before
        return out

    def _survival_at(self, times):
        return self._step(self.survival_function_, times, 1.0)

    def _interval_at(self, times, alpha):
        survival = self._step(self.survival_function_, times, 1.0)
        log_variance = self._step(self.log_survival_variance_, times, 0.0)
        return _loglog_interval(survival, log_variance, alpha)

    def _at_risk_at(self, times):
        index = np.searchsorted(self.timeline_, times, side="left")
        inside = (index < self.timeline_.shape[0]) & (times >= self._first_entry)
        out = np.zeros(times.shape, dtype=np.float64)
        out[inside] = self.n_at_risk_[index[inside]]
        return out

    def _plot_data(self, ci, alpha, show_censors):
        times = np.r_[0.0, self.timeline_]
        lower, upper = self.confidence_interval(times, alpha=alpha) if ci else (None, None)
        censored = self.n_censored_ > 0
        return CurvePlotData(
            times=times,
            survival=np.r_[1.0, self.survival_function_],
            lower=lower,
            upper=upper,
            censor_times=self.timeline_[censored] if show_censors else None,
            censor_survival=self.survival_function_[censored] if show_censors else None,
            step=True,
            name=type(self).__name__,
            at_risk=self.at_risk,
            at_risk_label="at risk",
        )

    def cumulative_hazard(self, times):
        """Nelson–Aalen cumulative hazard H(t) at the given times.

        Parameters
        ----------
        times : float or array-like of shape (n_times,)
            Times at which to evaluate H (0 before the first time).

        Returns
        -------
        cumulative_hazard : ndarray of shape (n_times,)
            The right-continuous step function H(t).
        """
        check_is_fitted(self)
        return self._step(self.cumulative_hazard_, check_times(times), 0.0)

    def event_table(self, as_frame=False):
        """The event table: counts at each time of ``timeline_``.

        Parameters
        ----------
        as_frame : bool, default=False
            Return a pandas DataFrame indexed by time (needs pandas) instead of
            a Bunch of arrays.

        Returns
        -------
        table : sklearn.utils.Bunch or pandas.DataFrame
            ``time``, ``at_risk``, ``events``, ``censored`` and ``entered``
            (copies of ``timeline_``, ``n_at_risk_``, ``n_events_``,
            ``n_censored_`` and ``n_entered_``). The DataFrame has the four
            counts as columns and ``time`` as its index.
        """
        check_is_fitted(self)
        table = Bunch(
            time=self.timeline_.copy(),
            at_risk=self.n_at_risk_.copy(),
            events=self.n_events_.copy(),
            censored=self.n_censored_.copy(),
            entered=self.n_entered_.copy(),
        )
        if not as_frame:
            return table
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError(
                "event_table(as_frame=True) needs pandas; install it (pip install pandas) "
                "or use as_frame=False."
            ) from error
        index = pd.Index(table.pop("time"), name="time")
        return pd.DataFrame(dict(table), index=index)
