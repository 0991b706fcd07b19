"""Array-namespace dispatch between NumPy (CPU) and CuPy (GPU).

Numba kernels take NumPy arrays only, so estimators pick a path at their
boundary::

    xp, on_gpu = get_namespace(X)
    if on_gpu:
        ...  # vectorised xp code (statkit.<family>._cupy)
    else:
        ...  # numba kernels

CuPy is imported only when a CuPy array arrives or ``backend="cupy"`` is set,
so CPU users never pay for it. The namespaces are the standard-conforming
wrappers from ``array-api-compat``.
"""

import functools

import array_api_compat
import numpy as np

from statkit._config import _get_threadlocal_config


def is_cupy_array(x):
    """Whether ``x`` is a CuPy array, decided without importing CuPy.

    Parameters
    ----------
    x : object
        Any value.

    Returns
    -------
    is_cupy : bool

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.utils._array_api import is_cupy_array
    >>> is_cupy_array(np.zeros(3))
    False
    """
    return type(x).__module__.partition(".")[0] == "cupy"


@functools.cache
def _cupy_namespace():
    try:
        import cupy
    except ImportError as exc:
        raise ImportError(
            "backend='cupy' needs CuPy: install it with `pip install statkit[gpu]` "
            "(the cupy-cuda12x wheel) on a machine with an NVIDIA GPU."
        ) from exc
    if cupy.cuda.runtime.getDeviceCount() < 1:
        raise RuntimeError("backend='cupy' was requested but CuPy sees no GPU.")
    return array_api_compat.array_namespace(cupy.empty(0))


def gpu_available():
    """Whether CuPy is installed and sees at least one GPU.

    Examples
    --------
    >>> from statkit.utils._array_api import gpu_available
    >>> gpu_available() in (True, False)
    True
    """
    try:
        _cupy_namespace()
    except Exception:  # noqa: BLE001 - any failure (no CuPy, no driver, no GPU) means "no"
        return False
    return True


def get_namespace(*arrays):
    """The array namespace to compute in, following ``config["backend"]``.

    Parameters
    ----------
    *arrays : array-like or None
        The inputs; ``None`` entries are ignored.

    Returns
    -------
    xp : module
        The array-api-compat namespace (NumPy or CuPy).
    on_gpu : bool
        True when ``xp`` is CuPy.

    Raises
    ------
    TypeError
        Under ``backend="auto"`` when CuPy and CPU arrays are mixed.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.utils import get_namespace
    >>> xp, on_gpu = get_namespace(np.ones(2))
    >>> on_gpu
    False
    """
    backend = _get_threadlocal_config()["backend"]
    if backend == "cupy":
        return _cupy_namespace(), True
    if backend == "auto":
        present = [a for a in arrays if a is not None]
        on_device = [is_cupy_array(a) for a in present]
        if any(on_device):
            if not all(on_device):
                raise TypeError(
                    "Inputs mix CuPy (GPU) and CPU arrays; move them to one device, or "
                    "set statkit.set_config(backend='numpy') or backend='cupy'."
                )
            return array_api_compat.array_namespace(*present), True
    return array_api_compat.array_namespace(np.empty(0)), False


def to_namespace(x, xp):
    """Move ``x`` into namespace ``xp`` (host to device or back); a no-op when it is there.

    Parameters
    ----------
    x : array-like
        The data to move.
    xp : module
        A namespace from :func:`get_namespace`.

    Returns
    -------
    array : ndarray or cupy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.utils import get_namespace
    >>> from statkit.utils._array_api import to_namespace
    >>> xp, _ = get_namespace()
    >>> to_namespace([1.0, 2.0], xp)
    array([1., 2.])
    """
    if array_api_compat.is_cupy_namespace(xp):
        return xp.asarray(x)
    return to_numpy(x)


def to_numpy(x):
    """A NumPy array holding ``x`` (copied from the GPU when ``x`` is a CuPy array).

    Parameters
    ----------
    x : array-like
        The data, on the CPU or the GPU.

    Returns
    -------
    array : ndarray

    Examples
    --------
    >>> from statkit.utils._array_api import to_numpy
    >>> to_numpy([1, 2])
    array([1, 2])
    """
    if is_cupy_array(x):
        return x.get()
    return np.asarray(x)
