"""Progress reporting: a convergence monitor with history, and optional tqdm bars.

Iterative estimators keep a :class:`ConvergenceMonitor` as ``monitor_``
(hmmlearn's convention): it records the objective at each iteration, decides
convergence and, with ``verbose`` set, prints one line per iteration to
stderr. Long loops wrap their iterator in :func:`progress_bar`.
"""

import math
import sys


class ConvergenceMonitor:
    """Track an iterative fit's objective and decide when it has converged.

    Parameters
    ----------
    tol : float
        Convergence threshold on the absolute change of the objective between
        two iterations.
    max_iter : int
        Maximum number of iterations.
    verbose : int, default=0
        Print one line per iteration to stderr when > 0.
    name : str, default="objective"
        What the monitored value is called in messages.

    Attributes
    ----------
    history : list of float
        Every reported value, in order.
    iter : int
        Number of values reported.

    Examples
    --------
    >>> from statkit.utils._progress import ConvergenceMonitor
    >>> monitor = ConvergenceMonitor(tol=1e-3, max_iter=100)
    >>> for value in [1.0, 0.5, 0.4999]:
    ...     monitor.report(value)
    >>> monitor.converged
    True
    >>> monitor.history
    [1.0, 0.5, 0.4999]
    """

    def __init__(self, tol, max_iter, verbose=0, name="objective"):
        self.tol = tol
        self.max_iter = max_iter
        self.verbose = verbose
        self.name = name
        self.history = []

    @property
    def iter(self):
        return len(self.history)

    def report(self, value):
        """Record the objective of one more iteration (and print it if verbose).

        Parameters
        ----------
        value : float
            The objective after this iteration.
        """
        value = float(value)
        if self.verbose:
            delta = value - self.history[-1] if self.history else math.nan
            print(
                f"{self.iter + 1:>10d} {self.name} {value:>16.8g} change {delta:>+16.8g}",
                file=sys.stderr,
            )
        self.history.append(value)

    @property
    def converged(self):
        """True after ``max_iter`` iterations or once the change drops below ``tol``."""
        if self.iter >= self.max_iter:
            return True
        return len(self.history) >= 2 and abs(self.history[-1] - self.history[-2]) < self.tol

    def reset(self):
        """Forget the history, for a new fit."""
        self.history = []

    def __repr__(self):
        return (
            f"ConvergenceMonitor(tol={self.tol!r}, max_iter={self.max_iter!r}, "
            f"iter={self.iter}, converged={self.converged})"
        )


def progress_bar(iterable, *, verbose=1, total=None, desc=None, tqdm_kwds=None):
    """Wrap ``iterable`` in a tqdm progress bar when that is wanted and possible.

    A bar appears only when ``verbose`` is truthy, the configuration has
    ``show_progress=True`` and tqdm is installed; otherwise ``iterable`` is
    returned unchanged, so callers need no branches.

    Parameters
    ----------
    iterable : iterable
        What to loop over.
    verbose : int, default=1
        The caller's verbosity; 0 means no bar.
    total : int, optional
        Length, when ``iterable`` has none.
    desc : str, optional
        Label shown before the bar.
    tqdm_kwds : dict, optional
        Further arguments for ``tqdm.auto.tqdm`` (they override the defaults).

    Examples
    --------
    >>> from statkit.utils._progress import progress_bar
    >>> sum(progress_bar(range(3), verbose=0))
    3
    """
    from statkit._config import _get_threadlocal_config

    if not verbose or not _get_threadlocal_config()["show_progress"]:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    options = {"total": total, "desc": desc, "file": sys.stderr, "leave": False}
    options.update(tqdm_kwds or {})
    return tqdm(iterable, **options)
