"""joblib helpers that carry the caller's configuration into worker processes.

Use ``joblib.Parallel`` with :func:`delayed` from here: each task runs under
the statkit and scikit-learn configuration that was active where the task was
created, also on loky or Dask workers (``joblib.parallel_config(backend="dask")``),
which would otherwise start from the defaults.
"""

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
