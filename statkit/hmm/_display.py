"""A series coloured by its hidden states (scikit-learn's Display pattern)."""

import numpy as np

from statkit.utils._plotting import BaseDisplay


class StateSequenceDisplay(BaseDisplay):
    """One series drawn as points coloured by state, e.g. a health indicator by decoded state.

    Parameters
    ----------
    values : array-like of shape (n_steps,)
        The series.
    states : array-like of int of shape (n_steps,)
        The state of each step.
    steps : array-like of shape (n_steps,), default=None
        x-coordinates (e.g. cycles); None is 0, 1, ...
    state_names : list of str, default=None
        Legend label of each state; None gives "state k".

    Attributes
    ----------
    collections_ : list of matplotlib.collections.PathCollection
        One scatter per state present.
    line_ : matplotlib.lines.Line2D
        The series as a thin grey line under the points.
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.hmm import StateSequenceDisplay
    >>> display = StateSequenceDisplay(np.sin(np.arange(50) / 5), np.arange(50) // 25)
    >>> display.plot()  # doctest: +SKIP
    """

    def __init__(self, values, states, *, steps=None, state_names=None):
        self.values = np.asarray(values, float)
        self.states = np.asarray(states, int)
        self.steps = np.arange(self.values.shape[0]) if steps is None else np.asarray(steps)
        self.state_names = state_names

    @classmethod
    def from_estimator(
        cls, estimator, X, plausibility=None, *, steps=None, state_names=None, ax=None, **kwargs
    ):
        """Decode one sequence with a fitted :class:`ARPHMM` (Viterbi) and plot it.

        Parameters
        ----------
        estimator : ARPHMM
            Fitted model.
        X : array-like of shape (n_steps, 1)
            One sequence.
        plausibility : array-like of shape (n_steps, n_states), default=None
            Plausibilities used in decoding; None is all ones.
        steps : array-like of shape (n_steps,), default=None
            x-coordinates; None is 0, 1, ...
        state_names : list of str, default=None
            Legend label of each state.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure.
        **kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : StateSequenceDisplay
        """
        states = estimator.predict(X, plausibility=plausibility)
        display = cls(np.asarray(X)[:, 0], states, steps=steps, state_names=state_names)
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, cmap="viridis", **scatter_kwargs):
        """Draw the series and its states.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None creates a figure.
        cmap : str, default="viridis"
            Colour map spread over the states present.
        **scatter_kwargs
            Passed to ``ax.scatter``.

        Returns
        -------
        self : StateSequenceDisplay
        """
        import matplotlib as mpl

        ax = self._prepare_axes(ax)
        (self.line_,) = ax.plot(self.steps, self.values, color="0.75", linewidth=0.8, zorder=1)
        present = np.unique(self.states)
        colors = mpl.colormaps[cmap](np.linspace(0, 1, max(present.size, 2)))
        self.collections_ = []
        for color, state in zip(colors, present, strict=False):
            name = self.state_names[state] if self.state_names else f"state {state}"
            at = self.states == state
            self.collections_.append(
                ax.scatter(
                    self.steps[at],
                    self.values[at],
                    s=10,
                    color=color,
                    label=name,
                    zorder=2,
                    **scatter_kwargs,
                )
            )
        ax.legend(loc="best", fontsize="small")
        return self
