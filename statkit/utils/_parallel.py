"""joblib helpers that carry the caller's configuration into worker processes.

Use ``joblib.Parallel`` with :func:`delayed` from here: each task runs under
the statkit and scikit-learn configuration that was active where the task was
created, also on loky or Dask workers (``joblib.parallel_config(backend="dask")``),
which would otherwise start from the defaults. Loops that create each task
from the results so far submit them to :func:`joblib_executor` instead.
"""

import contextlib
import functools

import joblib


class _ConfiguredCall:
    """A picklable callable that runs ``function`` under saved configurations."""

    def __init__(self, function, statkit_config, sklearn_config):
        self.function = function
        self.statkit_config = statkit_config
        self.sklearn_config = sklearn_config
        functools.update_wrapper(self, function)

    def __call__(self, *args, **kwargs):
        import sklearn

        from statkit._config import config_context

        with config_context(**self.statkit_config), sklearn.config_context(**self.sklearn_config):
            return self.function(*args, **kwargs)


def delayed(function):
    """Like :func:`joblib.delayed`, but the task keeps the caller's configuration.

    Parameters
    ----------
    function : callable
        The task; it and its arguments must be picklable for process backends.

    Returns
    -------
    delayed_function : callable
        Returns ``(callable, args, kwargs)`` tuples for :class:`joblib.Parallel`.

    Examples
    --------
    >>> import statkit
    >>> from joblib import Parallel
    >>> from statkit.utils import delayed
    >>> def use_numba(_):
    ...     return statkit.get_config()["use_numba"]
    >>> with statkit.config_context(use_numba=False):
    ...     Parallel(n_jobs=2, backend="threading")(delayed(use_numba)(i) for i in range(2))
    [False, False]
    """

    @functools.wraps(function)
    def delayed_function(*args, **kwargs):
        import sklearn

        from statkit._config import get_config

        call = _ConfiguredCall(function, get_config(), sklearn.get_config())
        return joblib.delayed(call)(*args, **kwargs)

    return delayed_function


@contextlib.contextmanager
def joblib_executor(n_jobs):
    """A :class:`concurrent.futures.Executor` on joblib's active backend.

    For loops that submit one task at a time as results come back (asynchronous
    Bayesian optimization): ``joblib.Parallel`` pulls ``n_jobs`` tasks from its
    iterator at once, so tasks created lazily through it are created in bursts,
    each blind to the results that arrive meanwhile. The backend is the one
    ``joblib.parallel_config`` selects: loky processes (joblib's default, its
    reusable pool), threads, multiprocessing, or a Dask cluster (the backend's
    client). Submit :func:`delayed` tasks to keep the caller's configuration.

    Parameters
    ----------
    n_jobs : int
        Workers (a negative value counts from the number of CPUs, as in joblib).

    Yields
    ------
    executor : concurrent.futures.Executor

    Examples
    --------
    >>> from joblib import parallel_config
    >>> from statkit.utils._parallel import joblib_executor
    >>> with parallel_config(backend="threading"), joblib_executor(2) as executor:
    ...     executor.submit(pow, 2, 10).result()
    1024
    """
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from joblib._parallel_backends import LokyBackend, MultiprocessingBackend, SequentialBackend
    from joblib.externals.loky import get_reusable_executor
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    n_jobs = 1 if isinstance(backend, SequentialBackend) else joblib.effective_n_jobs(n_jobs)
    if hasattr(backend, "client"):  # joblib's Dask backend
        yield backend.client.get_executor(pure=False)
    elif isinstance(backend, LokyBackend):
        # Not shut down: joblib reuses the same pool.
        yield get_reusable_executor(max_workers=n_jobs)
    elif isinstance(backend, MultiprocessingBackend | SequentialBackend) or backend.uses_threads:
        processes = isinstance(backend, MultiprocessingBackend)
        executor = (ProcessPoolExecutor if processes else ThreadPoolExecutor)(n_jobs)
        try:
            yield executor
        finally:  # after an error, do not wait for the tasks still running
            executor.shutdown(wait=False, cancel_futures=True)
    else:
        raise ValueError(
            "Asynchronous tasks run on joblib's loky, threading, multiprocessing, "
            f"sequential or dask backend; the active backend is {type(backend).__name__}."
        )
