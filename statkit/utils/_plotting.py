"""The base of statkit's Display objects (scikit-learn's Display pattern).

A Display holds only the data to draw. ``plot(ax=None, ...)`` draws it and
stores ``ax_`` and ``figure_``; ``from_estimator(...)`` classmethods build the
display from a fitted estimator and call ``plot``. Matplotlib is imported only
when something is drawn.
"""


def check_matplotlib_support(caller_name):
    """Raise a clear ImportError when matplotlib is missing.

    Parameters
    ----------
    caller_name : str
        Who needs matplotlib, for the message (e.g. ``"SurvivalCurveDisplay.plot"``).

    Examples
    --------
    >>> from statkit.utils._plotting import check_matplotlib_support
    >>> check_matplotlib_support("MyDisplay.plot")  # doctest: +SKIP
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. Install it with "
            "`pip install statkit[plot]` (or `pip install matplotlib`)."
        ) from exc


class BaseDisplay:
    """Base class for statkit Displays: lazy matplotlib and axes handling.

    Subclasses store their data in ``__init__`` and draw in ``plot``, which
    starts with ``ax = self._prepare_axes(ax)``.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        The axes drawn on (set by ``plot``).
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``.
    """

    def _prepare_axes(self, ax=None):
        """Return ``ax``, or new axes when None, and remember them as ``ax_``/``figure_``."""
        check_matplotlib_support(f"{type(self).__name__}.plot")
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()
        self.ax_ = ax
        self.figure_ = ax.figure
        return ax
