"""Numba shim: lazy compilation, a switch back to plain Python, a safe cache.

Kernels are plain functions on NumPy arrays decorated with :func:`njit`::

    from statkit.utils._numba import njit, prange

    @njit
    def weighted_sum(x, w):
        total = 0.0
        for i in range(x.shape[0]):
            total += x[i] * w[i]
        return total

What the decorator adds to ``numba.njit``:

* nothing is imported or compiled until the first call, so importing an
  estimator module stays cheap;
* ``statkit.set_config(use_numba=False)`` runs the kernel, and every kernel it
  calls, as plain Python (numba's own ``NUMBA_DISABLE_JIT=1`` works too);
* kernels can call each other: numba sees a kernel as its compiled dispatcher;
* ``cache=True`` by default (never with ``parallel=True``, which numba cannot
  cache reliably); ``STATKIT_NUMBA_CACHE=0`` turns caching off, and when the
  installed package folder is read-only and ``NUMBA_CACHE_DIR`` is unset, the
  cache goes to a writable per-user folder instead of failing;
* without numba installed the kernels still run, as Python, with a warning.
"""

import functools
import os
import tempfile
import threading
import warnings

from statkit._config import _get_threadlocal_config, env_flag

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_numba = None
_numba_import_failed = False
# Held while a dispatcher is created: _compile sets numba's global CACHE_DIR for
# that moment, and two threads must not both create one for the same kernel.
_compile_lock = threading.Lock()


def _import_numba():
    """Import numba once; return the module, or None when it is not installed."""
    global _numba, _numba_import_failed
    if _numba is None and not _numba_import_failed:
        try:
            import numba
        except ImportError:
            _numba_import_failed = True
            warnings.warn(
                "numba is not installed, so statkit runs its kernels as plain Python, "
                "which is much slower. Install numba (pip install numba) to compile them.",
                RuntimeWarning,
                stacklevel=3,
            )
        else:
            _register_kernel_type(numba)
            _numba = numba
    return _numba


def _register_kernel_type(numba):
    # A compiled kernel that calls another kernel looks the callee up as a global;
    # telling numba's type system that a Kernel is its dispatcher makes that work.
    from numba.core.typing.typeof import typeof_impl

    @typeof_impl.register(Kernel)
    def _typeof_kernel(kernel, context):
        return typeof_impl(kernel.dispatcher, context)


def numba_available():
    """Whether kernels are compiled: numba imports and ``NUMBA_DISABLE_JIT`` is off.

    Examples
    --------
    >>> from statkit.utils._numba import numba_available
    >>> numba_available() in (True, False)
    True
    """
    numba = _import_numba()
    return numba is not None and not numba.config.DISABLE_JIT


def _is_writable_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)


def _package_cache_writable():
    # Numba's default cache lives in __pycache__ beside each source file.
    return _is_writable_dir(os.path.join(_PACKAGE_DIR, "__pycache__")) and os.access(
        _PACKAGE_DIR, os.W_OK
    )


def _fallback_cache_dir():
    """A writable folder for the numba cache when the package folder is read-only."""
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for candidate in (
        os.path.join(xdg, "statkit", "numba"),
        os.path.join(tempfile.gettempdir(), f"statkit-numba-{os.getuid()}"),
    ):
        if _is_writable_dir(candidate):
            return candidate
    return None


@functools.cache
def cache_location():
    """Where compiled kernels are cached.

    Returns
    -------
    location : str or None
        ``"in-tree"`` for numba's default (``__pycache__`` beside the
        sources), a folder path when statkit had to fall back to one or
        ``NUMBA_CACHE_DIR`` names one, or None when caching is off
        (``STATKIT_NUMBA_CACHE=0``, or nothing writable was found).
    """
    if not env_flag("STATKIT_NUMBA_CACHE", True):
        return None
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    if _package_cache_writable():
        return "in-tree"
    return _fallback_cache_dir()


class Kernel:
    """A numba kernel compiled on first call; see :func:`njit`."""

    def __init__(self, py_func, options):
        functools.update_wrapper(self, py_func)
        self.py_func = py_func
        self.options = options
        self._dispatcher = None

    @property
    def dispatcher(self):
        """The numba dispatcher (the plain function when numba is unavailable)."""
        if self._dispatcher is None:
            with _compile_lock:
                if self._dispatcher is None:
                    numba = _import_numba()
                    if numba is None:
                        self._dispatcher = self.py_func
                    else:
                        self._dispatcher = _compile(numba, self.py_func, self.options)
        return self._dispatcher

    def __call__(self, *args, **kwargs):
        if _get_threadlocal_config()["use_numba"]:
            return self.dispatcher(*args, **kwargs)
        return self.py_func(*args, **kwargs)

    def __reduce__(self):
        # Pickle by reference, like a function: workers import the module.
        return self.__qualname__

    def __repr__(self):
        return f"<statkit kernel {self.__module__}.{self.__qualname__}>"


def _compile(numba, py_func, options):
    options = dict(options)
    location = cache_location() if options.pop("cache") else None
    if location is None:
        return numba.njit(cache=False, **options)(py_func)
    previous = numba.config.CACHE_DIR
    if location != "in-tree":
        # Numba reads CACHE_DIR when the dispatcher picks its cache locator, so
        # point it at the writable folder for this one dispatcher only.
        numba.config.CACHE_DIR = location
    try:
        return numba.njit(cache=True, **options)(py_func)
    except RuntimeError:
        # "no locator available": the source has no file (a notebook cell,
        # exec'd code), so there is nothing to key a cache on.
        return numba.njit(cache=False, **options)(py_func)
    finally:
        numba.config.CACHE_DIR = previous


def njit(func=None, *, cache=None, parallel=False, fastmath=False, **options):
    """Decorate a kernel for lazy numba compilation (``nopython`` mode).

    Parameters
    ----------
    func : callable, optional
        The kernel; the decorator also works as ``@njit(...)``.
    cache : bool, default=None
        Cache the compiled code on disk; defaults to True, or False with
        ``parallel=True``.
    parallel, fastmath : bool, default=False
        Passed to ``numba.njit``.
    **options
        Other ``numba.njit`` options.

    Returns
    -------
    kernel : Kernel
        Callable like ``func``; compiles on first call.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.utils._numba import njit
    >>> @njit
    ... def total(x):
    ...     s = 0.0
    ...     for v in x:
    ...         s += v
    ...     return s
    >>> float(total(np.arange(4.0)))
    6.0
    """
    if cache is None:
        cache = not parallel
    if cache and parallel:
        raise ValueError("cache=True cannot be combined with parallel=True.")
    options = dict(options, cache=cache, parallel=parallel, fastmath=fastmath)

    def decorate(py_func):
        return Kernel(py_func, options)

    return decorate if func is None else decorate(func)


def __getattr__(name):
    # ``from statkit.utils._numba import prange`` imports numba only then.
    if name == "prange":
        numba = _import_numba()
        return range if numba is None else numba.prange
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
