"""Discover statkit's public estimators, displays and functions.

Like :func:`sklearn.utils.discovery.all_estimators`: walk the public
subpackages and collect what their ``__all__`` exports. ``tests/test_common.py``
runs the scikit-learn checks over :func:`all_estimators`, so a new estimator
is checked as soon as its subpackage exports it.
"""

import importlib
import inspect
import pkgutil
from operator import itemgetter

_TYPE_FILTERS = ("classifier", "regressor", "transformer", "cluster")
# Test tooling (statkit.testing needs hypothesis, a test-only dependency).
_SKIPPED = frozenset({"tests", "testing"})


def _public_modules(package):
    """The package and its public subpackages (no ``_private`` ones, no test tooling)."""
    modules = [package]
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
        parts = info.name.split(".")
        if not info.ispkg or any(part.startswith("_") for part in parts[1:]):
            continue
        if parts[-1] in _SKIPPED:
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def _exported(package):
    """``(name, object)`` pairs for every name a public module lists in ``__all__``."""
    seen = {}
    for module in _public_modules(package):
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if obj is not None and not inspect.ismodule(obj):
                seen.setdefault(name, obj)
    return sorted(seen.items(), key=itemgetter(0))


def _statkit_package(package):
    if package is None:
        import statkit

        return statkit
    return package


def all_estimators(type_filter=None, *, package=None):
    """List statkit's public scikit-learn estimators.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"} or list, default=None
        Keep only estimators of these kinds; None keeps all.
    package : module, default=None
        The package to search; None means statkit.

    Returns
    -------
    estimators : list of (name, class)
        Sorted by name.

    Examples
    --------
    >>> from statkit.utils import all_estimators
    >>> all(isinstance(name, str) for name, _ in all_estimators())
    True
    """
    from sklearn.base import (
        BaseEstimator,
        ClassifierMixin,
        ClusterMixin,
        RegressorMixin,
        TransformerMixin,
    )

    mixins = {
        "classifier": ClassifierMixin,
        "regressor": RegressorMixin,
        "transformer": TransformerMixin,
        "cluster": ClusterMixin,
    }
    estimators = [
        (name, obj)
        for name, obj in _exported(_statkit_package(package))
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator) and not inspect.isabstract(obj)
    ]
    if type_filter is None:
        return estimators
    filters = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    unknown = sorted(set(filters) - set(_TYPE_FILTERS))
    if unknown:
        raise ValueError(f"type_filter must be among {_TYPE_FILTERS}; got {unknown}.")
    return [
        (name, cls)
        for name, cls in estimators
        if any(issubclass(cls, mixins[kind]) for kind in filters)
    ]


def all_displays(*, package=None):
    """List statkit's public Display classes (names ending in ``Display``).

    Parameters
    ----------
    package : module, default=None
        The package to search; None means statkit.

    Returns
    -------
    displays : list of (name, class)

    Examples
    --------
    >>> from statkit.utils import all_displays
    >>> isinstance(all_displays(), list)
    True
    """
    return [
        (name, obj)
        for name, obj in _exported(_statkit_package(package))
        if inspect.isclass(obj) and name.endswith("Display")
    ]


def all_functions(*, package=None):
    """List statkit's public functions.

    Parameters
    ----------
    package : module, default=None
        The package to search; None means statkit.

    Returns
    -------
    functions : list of (name, function)

    Examples
    --------
    >>> from statkit.utils import all_functions
    >>> "exponential_mechanism" in dict(all_functions())
    True
    """
    return [
        (name, obj) for name, obj in _exported(_statkit_package(package)) if inspect.isfunction(obj)
    ]
