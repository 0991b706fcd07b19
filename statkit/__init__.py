"""statkit: scikit-learn-compatible statistical methods.

Subpackages load on first access, so ``import statkit`` stays fast and pulls
in neither numba, CuPy, Dask nor matplotlib.

Examples
--------
>>> import statkit
>>> statkit.__version__
'0.1.0.dev0'
>>> from statkit.privacy import PrivacyAccountant
"""

import importlib
import pkgutil

from statkit._config import config_context, get_config, set_config

__version__ = "0.1.0.dev0"

# Public subpackages are the package folders whose names do not start with "_";
# a family becomes importable as ``statkit.<name>`` by adding its folder.
_SUBPACKAGES = frozenset(
    info.name
    for info in pkgutil.iter_modules(__path__)
    if info.ispkg and not info.name.startswith("_")
)

__all__ = [
    "__version__",
    "config_context",
    "get_config",
    "set_config",
    "show_versions",
    *sorted(_SUBPACKAGES),
]


def show_versions():
    """Print the versions of statkit, Python, its dependencies and backends.

    Examples
    --------
    >>> import statkit
    >>> statkit.show_versions()  # doctest: +SKIP
    """
    from statkit.utils._show_versions import show_versions as _show_versions

    _show_versions()


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"statkit.{name}")
    raise AttributeError(f"module 'statkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBPACKAGES)
