"""Global configuration: compute backend, numba and progress bars.

Modelled on :func:`sklearn.get_config`: settings are thread-local, start from
process-wide defaults, and :func:`config_context` restores them on exit. Work
sent to joblib workers through :func:`statkit.utils.delayed` carries the
caller's settings along.
"""

import os
import threading
from contextlib import contextmanager

_BACKENDS = ("auto", "numpy", "cupy")
_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("0", "false", "no", "off")


def env_flag(name, default):
    """Read a boolean environment variable.

    Parameters
    ----------
    name : str
        The variable's name.
    default : bool
        The value when the variable is unset, empty or blank.

    Returns
    -------
    flag : bool
        True for 1, true, yes or on; False for 0, false, no or off (in any case).

    Raises
    ------
    ValueError
        Any other value; the message names the variable and the accepted words.

    Examples
    --------
    >>> import os
    >>> from statkit._config import env_flag
    >>> os.environ["STATKIT_EXAMPLE_FLAG"] = "Off"
    >>> env_flag("STATKIT_EXAMPLE_FLAG", True)
    False
    >>> os.environ["STATKIT_EXAMPLE_FLAG"] = "maybe"
    >>> env_flag("STATKIT_EXAMPLE_FLAG", True)
    Traceback (most recent call last):
    ...
    ValueError: The STATKIT_EXAMPLE_FLAG environment variable must be one of 1, true, yes, on ...
    >>> del os.environ["STATKIT_EXAMPLE_FLAG"]
    """
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE_WORDS:
        return True
    if value in _FALSE_WORDS:
        return False
    raise ValueError(
        f"The {name} environment variable must be one of {', '.join(_TRUE_WORDS)} (true) or "
        f"{', '.join(_FALSE_WORDS)} (false), in any case; got {os.environ[name]!r}."
    )


_global_config = {
    "backend": os.environ.get("STATKIT_BACKEND", "auto") or "auto",
    "use_numba": env_flag("STATKIT_USE_NUMBA", True),
    "show_progress": env_flag("STATKIT_SHOW_PROGRESS", True),
}
if _global_config["backend"] not in _BACKENDS:
    raise ValueError(
        f"The STATKIT_BACKEND environment variable must be one of {_BACKENDS}; "
        f"got {_global_config['backend']!r}."
    )
_threadlocal = threading.local()


def _get_threadlocal_config():
    if not hasattr(_threadlocal, "config"):
        _threadlocal.config = _global_config.copy()
    return _threadlocal.config


def get_config():
    """Return a copy of the current statkit configuration.

    Returns
    -------
    config : dict
        Keys ``backend``, ``use_numba`` and ``show_progress``; see
        :func:`set_config`.

    Examples
    --------
    >>> import statkit
    >>> statkit.get_config()["backend"]
    'auto'
    """
    return _get_threadlocal_config().copy()


def set_config(backend=None, use_numba=None, show_progress=None):
    """Change the statkit configuration for the current thread.

    Parameters
    ----------
    backend : {"auto", "numpy", "cupy"}, default=None
        Where array computations run. ``"auto"`` follows the input (CuPy
        arrays stay on the GPU, everything else runs with NumPy);
        ``"numpy"`` always computes on the CPU; ``"cupy"`` moves inputs to the
        GPU and fails clearly when CuPy or a GPU is missing. The process-wide
        default comes from the ``STATKIT_BACKEND`` environment variable.
    use_numba : bool, default=None
        Run hot loops as compiled numba kernels (True) or as plain Python
        (False, slow but easy to debug and to trace with coverage).
    show_progress : bool, default=None
        Allow progress bars for estimators with ``verbose`` set and for
        ``python -m statkit tour``.

    Examples
    --------
    >>> import statkit
    >>> statkit.set_config(show_progress=False)
    >>> statkit.get_config()["show_progress"]
    False
    >>> statkit.set_config(show_progress=True)
    """
    config = _get_threadlocal_config()
    updates = {}
    if backend is not None:
        if backend not in _BACKENDS:
            raise ValueError(f"backend must be one of {_BACKENDS}; got {backend!r}.")
        updates["backend"] = backend
    for name, value in (("use_numba", use_numba), ("show_progress", show_progress)):
        if value is not None:
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False; got {value!r}.")
            updates[name] = value
    config.update(updates)


@contextmanager
def config_context(*, backend=None, use_numba=None, show_progress=None):
    """Context manager that changes the configuration and restores it on exit.

    Parameters
    ----------
    backend : {"auto", "numpy", "cupy"}, default=None
        See :func:`set_config`; None leaves the setting unchanged.
    use_numba : bool, default=None
        See :func:`set_config`; None leaves the setting unchanged.
    show_progress : bool, default=None
        See :func:`set_config`; None leaves the setting unchanged.

    Examples
    --------
    >>> import statkit
    >>> with statkit.config_context(use_numba=False):
    ...     statkit.get_config()["use_numba"]
    False
    >>> statkit.get_config()["use_numba"]
    True
    """
    old = get_config()
    set_config(backend=backend, use_numba=use_numba, show_progress=show_progress)
    try:
        yield
    finally:
        _get_threadlocal_config().clear()
        _get_threadlocal_config().update(old)
