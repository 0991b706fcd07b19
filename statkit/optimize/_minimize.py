"""``minimize``: the Bayesian-optimization loop, sequential or with parallel evaluations."""

import threading
import time

import numpy as np
from joblib import Parallel

from statkit.optimize._optimizer import BayesianOptimizer
from statkit.utils import delayed


def _evaluate(func, point):
    try:
        return point, func(point)
    except Exception as exc:
        exc.add_note(f"statkit.optimize.minimize: the objective raised at x = {point!r}")
        raise


class DeadlineStopper:
    """Stop once ``total_time`` seconds have passed since the first call.

    Parameters
    ----------
    total_time : float
        Seconds.

    Examples
    --------
    >>> from statkit.optimize import DeadlineStopper
    >>> stop = DeadlineStopper(60.0)
    >>> stop(None)
    False
    """

    def __init__(self, total_time):
        self.total_time = total_time
        self._start = None

    def __call__(self, result):
        if self._start is None:
            self._start = time.monotonic()
        return time.monotonic() - self._start > self.total_time


class DeltaYStopper:
    """Stop when the ``n_best`` best values are within ``delta`` of each other.

    Parameters
    ----------
    delta : float
        Spread of the best values below which to stop.
    n_best : int, default=5
        How many of the best values to compare.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import OptimizeResult
    >>> from statkit.optimize import DeltaYStopper
    >>> DeltaYStopper(0.01)(OptimizeResult(func_vals=np.array([3.0, 1.0, 1.001, 1.002, 1.0, 1.0])))
    True
    """

    def __init__(self, delta, n_best=5):
        self.delta = delta
        self.n_best = n_best

    def __call__(self, result):
        values = np.sort(result.func_vals)
        if result.get("maximize", False):
            values = values[::-1]
        if len(values) < self.n_best:
            return False
        return bool(abs(values[self.n_best - 1] - values[0]) <= self.delta)


def minimize(
    func,
    dimensions,
    *,
    n_calls=100,
    n_initial_points=10,
    acquisition="logei",
    x0=None,
    y0=None,
    maximize=False,
    noise=None,
    callback=None,
    n_jobs=1,
    random_state=None,
):
    """Minimise ``func`` over ``dimensions`` by Bayesian optimization.

    Parameters
    ----------
    func : callable
        Takes a point (a list, one value per dimension) and returns a float.
        A NaN or infinite value counts as a failed evaluation (recorded in
        ``result.failed``, left out of the model); an exception stops the
        search and is raised with a note naming the point, and with the
        search so far as ``exc.partial_result`` (its ``optimizer`` can go on).
    dimensions : Space or list
        The search space: :class:`Real`, :class:`Integer`, :class:`Categorical`,
        ``(low, high)`` tuples or lists of categories.
    n_calls : int, default=100
        Number of evaluations of ``func`` (including ``n_initial_points``,
        excluding ``y0``).
    n_initial_points : int, default=10
        Size of the initial Sobol design.
    acquisition : str, default="logei"
        See :class:`BayesianOptimizer`.
    x0, y0 : list, default=None
        Points already evaluated (with ``y0``) or to evaluate first.
    maximize : bool, default=False
        Maximise ``func`` instead.
    noise : float or None, default=None
        Noise variance (standardised units); None learns it.
    callback : callable or list of callable, default=None
        Called with the current result after each evaluation; returning True
        stops the search (:class:`DeadlineStopper`, :class:`DeltaYStopper`).
    n_jobs : int, default=1
        Evaluations in flight at once. With more than one, evaluations run
        asynchronously through joblib: when one finishes, its result is told
        and one new point is asked for, the others pending, so
        ``joblib.parallel_config(backend="dask")`` runs them on a Dask cluster.
    random_state : int, Generator or None, default=None
        Seeds the search.

    Returns
    -------
    result : OptimizeResult
        ``x``, ``fun``, ``x_iters``, ``func_vals``, ``failed``, ``space`` and
        ``optimizer`` (the :class:`BayesianOptimizer`, to continue the search).

    Examples
    --------
    >>> from statkit.optimize import minimize
    >>> from statkit.optimize.benchmarks import branin
    >>> result = minimize(branin, [(-5.0, 10.0), (0.0, 15.0)], n_calls=25, random_state=0)
    >>> bool(result.fun < 0.6)
    True
    """
    optimizer = BayesianOptimizer(
        dimensions,
        acquisition=acquisition,
        n_initial_points=n_initial_points,
        maximize=maximize,
        noise=noise,
        random_state=random_state,
    )
    callbacks = (
        [] if callback is None else list(callback) if isinstance(callback, list) else [callback]
    )
    x0 = [] if x0 is None else [list(p) for p in (x0 if np.ndim(x0[0]) else [x0])]
    if y0 is not None:
        optimizer.tell(x0, list(np.ravel(y0)))
        x0 = []
    try:
        if n_jobs == 1:
            _run_sequential(func, optimizer, n_calls, x0, callbacks)
        else:
            _run_parallel(func, optimizer, n_calls, x0, callbacks, n_jobs)
    except Exception as exc:
        exc.partial_result = _result(optimizer)
        raise
    return _result(optimizer)


def _result(optimizer):
    result = optimizer.result()
    result.optimizer = optimizer
    return result


def _stop(callbacks, optimizer):
    result = optimizer.result()
    result.optimizer = optimizer
    stops = [bool(callback(result)) for callback in callbacks]  # every callback sees each result
    return any(stops)


def _run_sequential(func, optimizer, n_calls, x0, callbacks):
    for i in range(n_calls):
        point = x0[i] if i < len(x0) else optimizer.ask()
        if i < len(x0):
            optimizer.pending.append(point)
        try:
            _, value = _evaluate(func, point)
        except Exception:
            optimizer.forget_pending(point)
            raise
        optimizer.tell(point, value)
        if _stop(callbacks, optimizer):
            break


def _run_parallel(func, optimizer, n_calls, x0, callbacks, n_jobs):
    """Keep ``n_jobs`` evaluations in flight; ask for one point whenever one finishes.

    joblib consumes the task generator lazily (``pre_dispatch=n_jobs``) and
    yields results as they complete, so each ``ask`` sees every result told so
    far and the points still running as pending. A lock keeps ``ask`` (run by
    joblib's dispatch) and ``tell`` (this thread) apart.
    """
    lock = threading.Lock()
    stopped = threading.Event()

    def tasks():
        for i in range(n_calls):
            if stopped.is_set():
                return
            with lock:
                if i < len(x0):
                    point = x0[i]
                    optimizer.pending.append(point)
                else:
                    point = optimizer.ask()
            yield delayed(_evaluate)(func, point)

    parallel = Parallel(n_jobs=n_jobs, pre_dispatch="n_jobs", return_as="generator_unordered")
    try:
        for point, value in parallel(tasks()):
            with lock:
                optimizer.tell(point, value)
                if _stop(callbacks, optimizer):
                    stopped.set()
    except Exception:
        # The evaluations still in flight are abandoned: they are no longer pending.
        with lock:
            for point in list(optimizer.pending):
                optimizer.forget_pending(point)
        raise
