"""Input validation shared by the holdout mechanisms."""

import numpy as np

from statkit.utils._validation import validate_array


def validate_values(values, name, value_range, *, ndim=(0, 1)):
    """Check query values: finite numbers inside the declared range.

    Parameters
    ----------
    values : float or array-like
        Values given by the analyst or computed by a query.
    name : str
        The argument's name, used in error messages.
    value_range : tuple of float or None
        ``(low, high)``; None allows any finite value.
    ndim : int or tuple of int, default=(0, 1)
        Allowed numbers of dimensions.

    Returns
    -------
    values : ndarray of float64
    """
    values = validate_array(values, name, ndim=ndim)
    if value_range is not None:
        low, high = value_range
        outside = (values < low) | (values > high)
        if np.any(outside):
            raise ValueError(
                f"{name} must lie in the declared value_range [{low:g}, {high:g}]; "
                f"{int(np.sum(outside))} value(s) fall outside. Declare the range the "
                "values can take (value_range=None for unbounded queries)."
            )
    return values


def value_range_width(value_range):
    """The width of ``value_range``, 1 when it is None (unit-scale per-record values)."""
    return 1.0 if value_range is None else float(value_range[1] - value_range[0])
