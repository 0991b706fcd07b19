"""Plot a survival curve with its confidence band, censor marks and at-risk counts."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from statkit.utils._plotting import BaseDisplay

# Layout of the at-risk table below the x-axis, in points.
_ROW_TOP = 20.0
_ROW_HEIGHT = 11.0
_AT_RISK_GID = "statkit-at-risk-row-"


def _as_1d(values, name):
    if values is None:
        return None
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {values.shape}.")
    return values


def _check_same_length(reference, reference_name, **arrays):
    for name, values in arrays.items():
        if values is not None and values.shape != reference.shape:
            raise ValueError(
                f"{name} must have the shape of {reference_name}, {reference.shape}; "
                f"got {values.shape}."
            )


def _format_count(count):
    count = float(count)
    return str(int(count)) if count.is_integer() else f"{count:.1f}"


class SurvivalCurveDisplay(BaseDisplay):
    """Survival curve visualization, for :class:`KaplanMeier` and :class:`DPKaplanMeier`.

    Holds the data of one curve: the survival function, optionally a pointwise
    confidence band, censor marks and a row of numbers at risk drawn under the
    x-axis, as lifelines' ``plot_survival_function`` and ``add_at_risk_counts``
    do. Build it with :meth:`from_estimator` or :meth:`from_curve`, or pass the
    arrays and call :meth:`plot`.

    Parameters
    ----------
    times : array-like of shape (n_times,)
        Times of the curve, increasing.
    survival : array-like of shape (n_times,)
        Survival probability at ``times``.
    lower, upper : array-like of shape (n_times,), default=None
        Lower and upper bounds of a pointwise confidence band at ``times``;
        no band unless both are given.
    censor_times : array-like of shape (n_censor,), default=None
        Times of censored observations, marked with "+" on the curve.
    censor_survival : array-like of shape (n_censor,), default=None
        Height of the censor marks (the survival at ``censor_times``).
    at_risk_times : array-like of shape (n_ticks,), default=None
        Times at which the numbers at risk are shown; they become the x-axis'
        major ticks.
    at_risk_counts : array-like of shape (n_ticks,), default=None
        Numbers at risk at ``at_risk_times``, shown as a row of numbers under
        the x-axis.
    step : bool, default=True
        Draw the curve as a right-continuous step function (steps-post); False
        joins the points by straight lines (a curve given on a dense grid).
    name : str, default=None
        Label of the curve in the legend; None shows no legend entry.
    at_risk_label : str, default="at risk"
        Label of the row of numbers at risk, left of the axes.

    Attributes
    ----------
    line_ : matplotlib.lines.Line2D
        The survival curve.
    band_ : matplotlib.collections.PolyCollection or None
        The confidence band, None without one.
    censor_markers_ : matplotlib.lines.Line2D or None
        The censor marks, None without them.
    at_risk_texts_ : list of matplotlib.text.Text
        The numbers at risk, one per time of ``at_risk_times`` (empty without them).
    at_risk_label_ : matplotlib.text.Text or None
        The label of the row of numbers at risk, None without them.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``.

    See Also
    --------
    KaplanMeier : The exact estimator.
    DPKaplanMeier : The ε-differentially-private estimator.

    Notes
    -----
    The at-risk row lies outside the axes, below the tick labels; the x-axis
    label is moved below it. Save figures with ``bbox_inches="tight"`` or use a
    constrained layout so that it is not cut off (a figure created by
    :meth:`plot` gets a constrained layout when it shows the row).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statkit.datasets import load_lung
    >>> from statkit.survival import KaplanMeier, SurvivalCurveDisplay
    >>> lung = load_lung()
    >>> km = KaplanMeier().fit(lung.time, lung.event)
    >>> display = SurvivalCurveDisplay.from_estimator(km, at_risk_counts=True)
    >>> display.at_risk_counts[:3]
    array([228., 144.,  57.])
    """

    def __init__(
        self,
        *,
        times,
        survival,
        lower=None,
        upper=None,
        censor_times=None,
        censor_survival=None,
        at_risk_times=None,
        at_risk_counts=None,
        step=True,
        name=None,
        at_risk_label="at risk",
    ):
        self.times = times
        self.survival = survival
        self.lower = lower
        self.upper = upper
        self.censor_times = censor_times
        self.censor_survival = censor_survival
        self.at_risk_times = at_risk_times
        self.at_risk_counts = at_risk_counts
        self.step = step
        self.name = name
        self.at_risk_label = at_risk_label

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ci=True,
        alpha=0.05,
        show_censors=True,
        at_risk_counts=False,
        ax=None,
        name=None,
        **kwargs,
    ):
        """Plot the survival curve of a fitted survival estimator.

        The estimator says what to draw: a :class:`KaplanMeier` curve is a
        step function on its timeline, starting at S(0) = 1, with its
        Greenwood log(-log) band and "+" marks at the censored times; a
        :class:`DPKaplanMeier` curve is drawn on a dense grid (its hazard is
        constant inside a bin) with its bootstrap band, which includes the
        privacy noise, no censor marks (censoring times are private), and its
        rounded noisy numbers at risk, labelled "at risk (noisy)".

        Parameters
        ----------
        estimator : KaplanMeier or DPKaplanMeier
            A fitted survival curve.
        ci : bool, default=True
            Draw the pointwise confidence band.
        alpha : float, default=0.05
            The band has level ``1 - alpha``.
        show_censors : bool, default=True
            Mark censored times with "+" where the estimator shows them.
        at_risk_counts : bool, default=False
            Show the numbers at risk at the major ticks under the x-axis.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure and axes.
        name : str, default=None
            Label of the curve in the legend; None uses the estimator's class
            name (with its ε for :class:`DPKaplanMeier`).
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            the curve (e.g. ``color``, ``linestyle``).

        Returns
        -------
        display : SurvivalCurveDisplay
            The display, with the figure and axes in ``figure_`` and ``ax_``.

        Raises
        ------
        TypeError
            If ``estimator`` is not a survival curve.
        sklearn.exceptions.NotFittedError
            If ``estimator`` has not been fitted.
        ValueError
            If ``ci=True`` for a :class:`DPKaplanMeier` fitted with
            ``n_bootstrap=0``.
        """
        from statkit.survival._base import BaseSurvivalCurve

        if not isinstance(estimator, BaseSurvivalCurve):
            raise TypeError(
                "estimator must be a fitted KaplanMeier or DPKaplanMeier (a survival curve); "
                f"got {type(estimator).__name__}."
            )
        check_is_fitted(estimator, "survival_function_")
        curve = estimator._plot_data(ci=ci, alpha=alpha, show_censors=show_censors)._asdict()
        if not at_risk_counts:
            curve["at_risk"] = None
        if name is not None:
            curve["name"] = name
        return cls.from_curve(**curve, ax=ax, **kwargs)

    @classmethod
    def from_curve(
        cls,
        times,
        survival,
        *,
        lower=None,
        upper=None,
        censor_times=None,
        censor_survival=None,
        at_risk=None,
        at_risk_label="at risk",
        step=True,
        name=None,
        ax=None,
        **kwargs,
    ):
        """Plot a survival curve given as data.

        Parameters
        ----------
        times, survival : array-like of shape (n_times,)
            The curve.
        lower, upper : array-like of shape (n_times,), default=None
            A pointwise band.
        censor_times, censor_survival : array-like of shape (n_censor,), default=None
            Censor marks.
        at_risk : callable, default=None
            Numbers at risk at given times; when given, they are shown at the
            major ticks under the x-axis.
        at_risk_label : str, default="at risk"
            Label of the row of numbers at risk.
        step : bool, default=True
            Draw a step function (False: straight lines between the points).
        name : str, default=None
            Label of the curve in the legend.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure and axes.
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : SurvivalCurveDisplay
        """
        display = cls(
            times=times,
            survival=survival,
            lower=lower,
            upper=upper,
            censor_times=censor_times,
            censor_survival=censor_survival,
            step=step,
            name=name,
            at_risk_label=at_risk_label,
        )
        display.plot(ax=ax, **kwargs)
        if at_risk is not None:
            ticks = display._ticks_in_range()
            display.at_risk_times, display.at_risk_counts = ticks, np.asarray(at_risk(ticks))
            display._plot_at_risk(created=ax is None)
        return display

    def plot(self, ax=None, *, name=None, **kwargs):
        """Plot the survival curve.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure and axes.
        name : str, default=None
            Label of the curve in the legend; None uses ``self.name``.
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            the curve (e.g. ``color``, ``linestyle``).

        Returns
        -------
        display : SurvivalCurveDisplay
            The object itself, with ``line_``, ``ax_`` and ``figure_`` set.
        """
        times = _as_1d(self.times, "times")
        survival = _as_1d(self.survival, "survival")
        lower, upper = _as_1d(self.lower, "lower"), _as_1d(self.upper, "upper")
        _check_same_length(times, "times", survival=survival, lower=lower, upper=upper)
        censor_times = _as_1d(self.censor_times, "censor_times")
        censor_survival = _as_1d(self.censor_survival, "censor_survival")
        if (censor_times is None) != (censor_survival is None):
            raise ValueError("censor_times and censor_survival must be given together.")
        if censor_times is not None:
            _check_same_length(censor_times, "censor_times", censor_survival=censor_survival)

        created = ax is None
        ax = self._prepare_axes(ax)
        name = self.name if name is None else name
        line_kwargs = {"drawstyle": "steps-post" if self.step else "default"}
        if name is not None:
            line_kwargs["label"] = name
        line_kwargs.update(kwargs)
        (self.line_,) = ax.plot(times, survival, **line_kwargs)
        color = self.line_.get_color()

        self.band_ = None
        if lower is not None and upper is not None:
            self.band_ = ax.fill_between(
                times,
                lower,
                upper,
                step="post" if self.step else None,
                color=color,
                alpha=0.25,
                linewidth=0,
            )
        self.censor_markers_ = None
        if censor_times is not None and censor_times.size:
            (self.censor_markers_,) = ax.plot(
                censor_times,
                censor_survival,
                linestyle="none",
                marker="+",
                markersize=7,
                color=color,
            )
        if not ax.get_xlabel():
            ax.set_xlabel("time")
        if not ax.get_ylabel():
            ax.set_ylabel("survival probability")
        if name is not None:
            ax.legend()
        self.at_risk_texts_, self.at_risk_label_ = [], None
        if self.at_risk_times is not None or self.at_risk_counts is not None:
            self._plot_at_risk(created=created)
        return self

    def _ticks_in_range(self):
        """The major ticks of ``ax_`` inside the curve's time range."""
        times = _as_1d(self.times, "times")
        ticks = np.asarray(self.ax_.get_xticks(), dtype=np.float64)
        low, high = self.ax_.get_xlim()
        keep = (ticks >= max(low, times[0])) & (ticks <= min(high, times[-1]))
        return ticks[keep]

    def _plot_at_risk(self, created):
        """Draw the row of numbers at risk under the x-axis of ``ax_``."""
        import matplotlib.transforms as mtransforms

        at_times = _as_1d(self.at_risk_times, "at_risk_times")
        counts = _as_1d(self.at_risk_counts, "at_risk_counts")
        if at_times is None or counts is None:
            raise ValueError("at_risk_times and at_risk_counts must be given together.")
        _check_same_length(at_times, "at_risk_times", at_risk_counts=counts)
        ax, figure = self.ax_, self.figure_
        rows = {text.get_gid() for text in ax.texts if str(text.get_gid()).startswith(_AT_RISK_GID)}
        row = len(rows)
        gid = f"{_AT_RISK_GID}{row}"
        # Fix the ticks where the numbers are, so that later curves keep them.
        ax.set_xticks(np.union1d(at_times, ax.get_xticks()) if row else at_times)
        offset = -(_ROW_TOP + _ROW_HEIGHT * row)
        color = self.line_.get_color()
        transform = mtransforms.offset_copy(
            ax.get_xaxis_transform(), fig=figure, y=offset, units="points"
        )
        self.at_risk_texts_ = [
            ax.text(
                t,
                0.0,
                _format_count(count),
                transform=transform,
                ha="center",
                va="top",
                fontsize="small",
                color=color,
                clip_on=False,
                gid=gid,
            )
            for t, count in zip(at_times, counts, strict=True)
        ]
        label_transform = mtransforms.offset_copy(
            ax.transAxes, fig=figure, x=-6.0, y=offset, units="points"
        )
        self.at_risk_label_ = ax.text(
            0.0,
            0.0,
            self.at_risk_label,
            transform=label_transform,
            ha="right",
            va="top",
            fontsize="small",
            color=color,
            clip_on=False,
            gid=gid,
        )
        ax.xaxis.labelpad = _ROW_HEIGHT * (row + 1) + 4.0
        if created:
            figure.set_layout_engine("constrained")
        return self
