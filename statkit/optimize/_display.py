"""Convergence plots of Bayesian-optimization runs (scikit-learn's Display pattern)."""

import warnings
from collections.abc import Mapping

import numpy as np

from statkit.utils._plotting import BaseDisplay

# log10 regret is drawn at no less than this: a run that hit the optimum exactly (regret 0), or
# a noisy value below the noise-free optimum, stays on the plot.
REGRET_FLOOR = 1e-12
_QUANTILES = (0.25, 0.5, 0.75)


def _run_values(run, index):
    """The told values of one run and whether it maximised (None: not said).

    A run is a result of :func:`minimize` (anything with ``func_vals``,
    attribute or key) or a 1-D array-like of objective values.
    Infeasible results of a constrained search count as missing (NaN).
    """
    values = getattr(run, "func_vals", None)
    if values is None and isinstance(run, Mapping):
        values = run.get("func_vals")
    if values is None:
        values, maximize, constraints = run, None, None
    else:
        maximize = bool(_get(run, "maximize", False))
        constraints = _get(run, "constraints", None)
    try:
        values = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "Each run must be an optimization result (with func_vals, as minimize returns) or "
            f"a 1-D array of objective values; run {index} is a {type(run).__name__}."
        ) from exc
    if values.ndim != 1:
        raise ValueError(
            f"Each run must hold a 1-D sequence of values; run {index} has shape {values.shape}."
        )
    if constraints is not None and len(constraints):
        feasible = np.all(np.asarray(constraints, dtype=float) >= 0, axis=1)
        values = np.where(feasible, values, np.nan)
    return values, maximize


def _get(run, key, default):
    if isinstance(run, Mapping):
        return run.get(key, default)
    return getattr(run, key, default)


def best_so_far(values, maximize=False):
    """The running best of ``values`` (minimum, or maximum), ignoring NaN.

    Parameters
    ----------
    values : array-like of shape (n_evaluations,)
        Objective values in the order evaluated; NaN (a failed or infeasible
        evaluation) never improves the best.
    maximize : bool, default=False
        Running maximum instead of minimum.

    Returns
    -------
    best : ndarray of shape (n_evaluations,)
        NaN until the first non-NaN value.

    Examples
    --------
    >>> from statkit.optimize._display import best_so_far
    >>> best_so_far([3.0, float("nan"), 1.0, 2.0])
    array([3., 3., 1., 1.])
    """
    values = np.asarray(values, dtype=float)
    signed = -values if maximize else values
    best = np.minimum.accumulate(np.where(np.isnan(signed), np.inf, signed))
    best[best == np.inf] = np.nan
    return -best if maximize else best


def _is_result(obj):
    return hasattr(obj, "func_vals") or (isinstance(obj, Mapping) and "func_vals" in obj)


def _parse_series(runs):
    """The values of each run of one series, and the runs' own maximise flags."""
    if _is_result(runs) or (isinstance(runs, np.ndarray) and runs.ndim == 1):
        runs = [runs]
    runs = list(runs)
    if not runs:
        raise ValueError("Each series needs at least one run; got an empty list.")
    parsed = [_run_values(run, i) for i, run in enumerate(runs)]
    return [values for values, _ in parsed], {flag for _, flag in parsed if flag is not None}


def _stack(runs, maximize):
    """Best-so-far curves of runs (arrays of values), NaN-padded: (n_runs, n_evaluations)."""
    curves = np.full((len(runs), max(values.size for values in runs)), np.nan)
    for row, values in enumerate(runs):
        curves[row, : values.size] = best_so_far(values, maximize)
    return curves


class ConvergenceDisplay(BaseDisplay):
    """Convergence plot: the best value so far (or the regret) against the evaluation number.

    One curve per series; a series of several runs (seeds) is drawn as the
    median over the runs with an interquartile band, the usual way to compare
    Bayesian-optimization methods (Frazier's tutorial; the LogEI and BoTorch
    papers). With the optimal value ``true_minimum`` the curve is the simple
    regret ``r_t = min_{i <= t} f(x_i) - f*``, by default on a log10 scale.
    Build it with :meth:`from_result` or :meth:`from_results`, or pass the
    best-so-far curves and call :meth:`plot`.

    Parameters
    ----------
    curves : dict of str to array-like of shape (n_runs, n_evaluations)
        For each series (its legend label), the best value so far of each run
        after each evaluation (NaN where a run is shorter, or before its first
        finite value). A label None draws no legend entry.
    true_minimum : float, default=None
        The optimal value (the maximum for ``maximize=True``); when given the
        regret is drawn instead of the best value.
    log_regret : bool, default=True
        Draw ``log10`` of the regret (with ``true_minimum`` only).
    maximize : bool, default=False
        The curves are running maxima (results of ``maximize=True``); the
        regret is then ``true_minimum - best``.

    Attributes
    ----------
    lines_ : dict of str to matplotlib.lines.Line2D
        The median curve of each series.
    bands_ : dict of str to matplotlib.collections.PolyCollection or None
        The interquartile band of each series; None for a single run.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``.

    See Also
    --------
    minimize : Returns the results drawn here.

    Notes
    -----
    The x-axis counts the told results with a finite value (``func_vals``),
    including warm-start values ``y0``; failed evaluations
    (``result.failed``) are not among them. Infeasible results of a
    constrained search never improve the best. At evaluations that only some
    runs reached, the median and quartiles are over those runs. On the log
    scale, a regret below ``1e-12`` (zero, or negative for a noisy value
    below the noise-free optimum) is drawn at ``1e-12``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from statkit.optimize import ConvergenceDisplay, minimize
    >>> from statkit.optimize.benchmarks import branin
    >>> runs = [minimize(branin, branin.bounds, n_calls=12, random_state=s) for s in range(2)]
    >>> display = ConvergenceDisplay.from_results({"logEI": runs}, true_minimum=branin.minimum)
    >>> display.lines_["logEI"].get_xdata()[[0, -1]]
    array([ 1, 12])
    """

    def __init__(self, curves, *, true_minimum=None, log_regret=True, maximize=False):
        self.curves = curves
        self.true_minimum = true_minimum
        self.log_regret = log_regret
        self.maximize = maximize

    @classmethod
    def from_result(
        cls,
        result,
        *,
        true_minimum=None,
        log_regret=True,
        maximize=None,
        ax=None,
        name=None,
        **kwargs,
    ):
        """Plot the convergence of one optimization run.

        Parameters
        ----------
        result : OptimizeResult or array-like of shape (n_evaluations,)
            A result of :func:`minimize` (or of
            :meth:`BayesianOptimizer.result`; ``maximize`` is read from it),
            or the objective values in the order evaluated (minimised).
        true_minimum : float, default=None
            The optimal value; when given the regret is drawn.
        log_regret : bool, default=True
            Draw ``log10`` of the regret (with ``true_minimum`` only).
        maximize : bool, default=None
            Whether the values were maximised; None reads ``result.maximize``
            (minimisation for an array of values).
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure and axes.
        name : str, default=None
            Label of the curve in the legend; None shows no legend entry.
        **kwargs : dict
            Keyword arguments passed to :meth:`plot`.

        Returns
        -------
        display : ConvergenceDisplay
            The display, with the figure and axes in ``figure_`` and ``ax_``.
        """
        return cls.from_results(
            [result],
            true_minimum=true_minimum,
            log_regret=log_regret,
            maximize=maximize,
            ax=ax,
            name=name,
            **kwargs,
        )

    @classmethod
    def from_results(
        cls,
        results,
        *,
        true_minimum=None,
        log_regret=True,
        maximize=None,
        ax=None,
        name=None,
        **kwargs,
    ):
        """Plot the median convergence of several runs, with an interquartile band.

        Parameters
        ----------
        results : list or dict of str to list
            The runs of one method (results of :func:`minimize`, or 1-D arrays
            of objective values in the order evaluated), or a dict from a
            method's name to its runs, one curve per method. Runs may differ in
            length (a callback stopped them).
        true_minimum : float, default=None
            The optimal value (the maximum for maximised runs); when given the
            regret is drawn.
        log_regret : bool, default=True
            Draw ``log10`` of the regret (with ``true_minimum`` only).
        maximize : bool, default=None
            Whether the runs maximised; None reads it from the results
            (``result.maximize``; arrays of values are minimised).
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure and axes.
        name : str, default=None
            Legend label when ``results`` is a list; None shows no legend entry.
        **kwargs : dict
            Keyword arguments passed to :meth:`plot`.

        Returns
        -------
        display : ConvergenceDisplay
            The display, with the figure and axes in ``figure_`` and ``ax_``.

        Raises
        ------
        ValueError
            If a series has no run, if the runs mix minimisation and
            maximisation results (or contradict ``maximize``), or if one holds
            no 1-D values.
        TypeError
            If a run is neither a result nor an array of values.
        """
        if isinstance(results, Mapping) and not _is_result(results):
            series = dict(results)
        else:
            series = {name: results}
        if not series:
            raise ValueError("results must hold at least one series; got an empty dict.")
        parsed, flags = {}, set() if maximize is None else {bool(maximize)}
        for label, runs in series.items():
            parsed[label], own = _parse_series(runs)
            flags |= own
        if len(flags) > 1:
            raise ValueError(
                "The runs mix minimisation and maximisation results"
                + ("." if maximize is None else f", or contradict maximize={maximize}.")
            )
        maximize = flags.pop() if flags else False  # arrays of values alone: minimised
        curves = {label: _stack(runs, maximize) for label, runs in parsed.items()}
        display = cls(curves, true_minimum=true_minimum, log_regret=log_regret, maximize=maximize)
        return display.plot(ax=ax, **kwargs)

    def _heights(self, curves):
        """What is drawn for best-so-far ``curves``: the values, the regret or its log10."""
        curves = np.asarray(curves, dtype=float)
        if curves.ndim == 1:
            curves = curves[None, :]
        if curves.ndim != 2:
            raise ValueError(
                "Each curve must be an array of shape (n_runs, n_evaluations); "
                f"got shape {curves.shape}."
            )
        if self.true_minimum is None:
            return curves
        if not np.isfinite(self.true_minimum):
            raise ValueError(f"true_minimum must be finite; got {self.true_minimum}.")
        regret = self.true_minimum - curves if self.maximize else curves - self.true_minimum
        if self.log_regret:
            with np.errstate(invalid="ignore"):
                return np.log10(np.fmax(regret, REGRET_FLOOR))
        return regret

    def _ylabel(self):
        if self.true_minimum is None:
            return "best value so far"
        return "log10 regret" if self.log_regret else "regret"

    def plot(self, ax=None, *, band=True, **kwargs):
        """Draw the median curve of each series and its interquartile band.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure and axes.
        band : bool, default=True
            Shade the interquartile range over the runs (series of two runs
            or more).
        **kwargs : dict
            Keyword arguments passed to :meth:`matplotlib.axes.Axes.plot` for
            every median curve (e.g. ``linewidth``).

        Returns
        -------
        display : ConvergenceDisplay
            The object itself, with ``lines_``, ``bands_``, ``ax_`` and
            ``figure_`` set.
        """
        from matplotlib.ticker import MaxNLocator

        heights = {label: self._heights(curve) for label, curve in self.curves.items()}
        ax = self._prepare_axes(ax)
        self.lines_, self.bands_ = {}, {}
        for label, values in heights.items():
            steps = np.arange(1, values.shape[1] + 1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: a gap
                lower, median, upper = np.nanquantile(values, _QUANTILES, axis=0)
            line_kwargs = {} if label is None else {"label": label}
            line_kwargs.update(kwargs)
            (self.lines_[label],) = ax.plot(steps, median, **line_kwargs)
            self.bands_[label] = None
            if band and values.shape[0] > 1:
                self.bands_[label] = ax.fill_between(
                    steps,
                    lower,
                    upper,
                    color=self.lines_[label].get_color(),
                    alpha=0.2,
                    linewidth=0,
                )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not ax.get_xlabel():
            ax.set_xlabel("number of evaluations")
        if not ax.get_ylabel():
            ax.set_ylabel(self._ylabel())
        if any(label is not None for label in heights):
            ax.legend()
        return self
