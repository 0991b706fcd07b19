"""``statkit.show_versions()`` and ``python -m statkit info``."""

import importlib
import importlib.metadata
import platform
import sys

_REQUIRED = (
    "numpy",
    "scipy",
    "scikit-learn",
    "numba",
    "cvxpy",
    "scs",
    "joblib",
    "array-api-compat",
)
_OPTIONAL = (
    "cupy-cuda12x",
    "cupy-cuda13x",
    "cupy",
    "dask",
    "distributed",
    "matplotlib",
    "tqdm",
    "pandas",
    "statsmodels",
    "lifelines",
    "hypothesis",
)


def _version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def dependency_versions():
    """Installed versions of statkit's required and optional dependencies (None if missing)."""
    return {name: _version(name) for name in (*_REQUIRED, *_OPTIONAL)}


def backend_status():
    """Which compute and scale-out backends work here, each with a one-line reason."""
    from statkit.utils._array_api import _cupy_namespace
    from statkit.utils._numba import _import_numba, cache_location

    status = {}
    numba = _import_numba()
    if numba is None:
        status["numba"] = (False, "numba is not installed: kernels run as plain Python")
    elif numba.config.DISABLE_JIT:
        status["numba"] = (False, "NUMBA_DISABLE_JIT=1: kernels run as plain Python")
    else:
        cache = cache_location()
        where = "off" if cache is None else cache
        status["numba"] = (True, f"numba {numba.__version__}, cache: {where}")
    try:
        xp = _cupy_namespace()
    except Exception as exc:  # noqa: BLE001 - report why the GPU is unusable, whatever it is
        status["cupy"] = (False, f"{type(exc).__name__}: {exc}".splitlines()[0])
    else:
        import cupy

        device = cupy.cuda.runtime.getDeviceProperties(0)["name"]
        name = device.decode() if isinstance(device, bytes) else device
        status["cupy"] = (True, f"CuPy {cupy.__version__} on {name} ({xp.__name__})")
    try:
        import distributed
    except ImportError:
        status["dask"] = (False, "dask.distributed is not installed (pip install statkit[dask])")
    else:
        status["dask"] = (True, f"distributed {distributed.__version__}: joblib backend 'dask'")
    return status


def show_versions():
    """Print platform, dependency versions and usable backends."""
    import statkit

    lines = [
        "System:",
        f"    python: {sys.version.splitlines()[0]}",
        f"  platform: {platform.platform()}",
        "",
        "statkit:",
        f"   statkit: {statkit.__version__}",
        "",
        "Dependencies:",
    ]
    for name, version in dependency_versions().items():
        lines.append(f"{name:>18}: {version or 'not installed'}")
    lines += ["", "Backends:"]
    for name, (usable, detail) in backend_status().items():
        lines.append(f"{name:>10}: {'yes' if usable else 'no '}  {detail}")
    print("\n".join(lines))
