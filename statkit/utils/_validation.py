"""Input validation whose error messages name the argument and what was expected.

For ``X``/``y`` of a scikit-learn estimator use
:func:`sklearn.utils.validation.validate_data`; these helpers cover the
other inputs (survival times, event indicators, random state). Scalar
parameters go through scikit-learn's parameter constraints
(:func:`sklearn.utils._param_validation.validate_params`), with
:class:`NumericInterval` where a boolean must not pass for a number.
"""

import math
import numbers

import array_api_compat
import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _num_samples

from statkit.utils._array_api import is_cupy_array, to_numpy

_DTYPES = ("float", "numeric", "integer")
# Boolean, signed and unsigned integer, and floating dtypes count as real numbers.
_REAL_KINDS = "biuf"


def validate_array(x, name, *, ndim=None, dtype="float", allow_empty=False, ensure_finite=True):
    """Validate an array argument and return it as an array.

    Parameters
    ----------
    x : array-like
        The value given by the user (lists, NumPy, pandas, CuPy).
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, default=None
        Allowed numbers of dimensions; None allows any.
    dtype : {"float", "numeric", "integer"}, default="float"
        ``"float"`` converts to float64; ``"numeric"`` keeps integer, boolean
        or float dtype; ``"integer"`` requires whole numbers and returns int64.
    allow_empty : bool, default=False
        Whether an array with no elements is acceptable.
    ensure_finite : bool, default=True
        Reject NaN and infinite values.

    Returns
    -------
    array : ndarray
        A NumPy array, or a CuPy array when ``x`` is one (it stays on the GPU).

    Raises
    ------
    TypeError
        Non-numeric values (strings, objects, complex numbers).
    ValueError
        Wrong number of dimensions, empty input, NaN or infinite values, or
        non-integral values where integers are expected.

    Examples
    --------
    >>> from statkit.utils._validation import validate_array
    >>> validate_array([1, 2, 3], "time", ndim=1)
    array([1., 2., 3.])
    >>> validate_array([1.0, float("nan")], "time")
    Traceback (most recent call last):
    ...
    ValueError: time must not contain NaN or infinite values; found 1 at index 1.
    """
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}; got {dtype!r}.")
    # A CuPy array is checked where it lives; everything else becomes NumPy.
    on_gpu = is_cupy_array(x)
    xp = array_api_compat.array_namespace(x) if on_gpu else np
    array = x if on_gpu else np.asarray(x)
    kind = array.dtype.kind
    if kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must contain numbers; got non-numeric values.") from None
        kind = "f"
    if kind not in _REAL_KINDS:
        raise TypeError(f"{name} must contain real numbers; got dtype {array.dtype}.")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be a {wanted} array; got a {array.ndim}-D array "
                f"of shape {tuple(array.shape)}."
            )
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {tuple(array.shape)}.")
    if dtype == "float" and kind != "f":
        array = array.astype(np.float64)
    if ensure_finite and array.dtype.kind == "f":
        bad = ~xp.isfinite(array)
        if bool(xp.any(bad)):
            first = np.argwhere(to_numpy(bad))[0]
            where = int(first[0]) if array.ndim == 1 else tuple(int(i) for i in first)
            raise ValueError(
                f"{name} must not contain NaN or infinite values; "
                f"found {int(xp.sum(bad))} at index {where}."
            )
    if dtype == "integer" and array.dtype.kind != "i":
        if array.dtype.kind == "f" and not bool(xp.all(array == xp.round(array))):
            raise ValueError(f"{name} must contain whole numbers; got fractional values.")
        array = array.astype(np.int64)
    return array


def validate_binary(x, name, *, allow_empty=False):
    """Validate a 0/1 (or boolean) indicator and return it as a boolean array.

    Parameters
    ----------
    x : array-like of shape (n,)
        The indicator given by the user.
    name : str
        The argument's name, used in error messages.
    allow_empty : bool, default=False
        Whether an empty indicator is acceptable.

    Returns
    -------
    indicator : ndarray of bool

    Examples
    --------
    >>> from statkit.utils._validation import validate_binary
    >>> validate_binary([1, 0, True], "event")
    array([ True, False,  True])
    >>> validate_binary([0, 2], "event")
    Traceback (most recent call last):
    ...
    ValueError: event must contain only 0/1 or True/False; got 2 at index 1.
    """
    array = validate_array(x, name, ndim=1, dtype="numeric", allow_empty=allow_empty)
    if array.dtype.kind == "b":
        return array
    bad = (array != 0) & (array != 1)
    if bool(bad.any()):
        index = int(np.flatnonzero(to_numpy(bad))[0])
        value = array[index].item()
        raise ValueError(
            f"{name} must contain only 0/1 or True/False; got {value!r} at index {index}."
        )
    return array == 1


def check_matching_lengths(**arrays):
    """Check that the named arrays have the same number of samples (first dimension).

    Samples are counted as scikit-learn counts them, so sparse matrices and
    data frames are accepted.

    Parameters
    ----------
    **arrays : array-like, sparse matrix or None
        Arrays keyed by argument name; ``None`` values are ignored.

    Examples
    --------
    >>> from statkit.utils._validation import check_matching_lengths
    >>> check_matching_lengths(time=[1, 2], event=[1])
    Traceback (most recent call last):
    ...
    ValueError: time and event must have the same length; got 2 and 1.
    """
    lengths = {name: _num_samples(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        names = " and ".join(lengths)
        values = " and ".join(str(n) for n in lengths.values())
        raise ValueError(f"{names} must have the same length; got {values}.")


class NumericInterval(Interval):
    """:class:`sklearn.utils._param_validation.Interval` that also rejects booleans.

    Python counts ``True`` and ``False`` as integers, so scikit-learn's
    ``Interval`` accepts them; a privacy budget or a sensitivity given as a
    boolean is a mistake.

    Examples
    --------
    >>> from numbers import Real
    >>> from sklearn.utils._param_validation import validate_parameter_constraints
    >>> from statkit.utils._validation import NumericInterval
    >>> positive = NumericInterval(Real, 0, None, closed="neither")
    >>> validate_parameter_constraints({"epsilon": [positive]}, {"epsilon": True}, "f")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'epsilon' parameter of f ...
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)


# A finite number > 0 (an epsilon, a sensitivity, a horizon), booleans rejected.
POSITIVE_FINITE = NumericInterval(numbers.Real, 0, math.inf, closed="neither")
# A probability strictly between 0 and 1 (a significance level), booleans rejected.
OPEN_UNIT_INTERVAL = NumericInterval(numbers.Real, 0, 1, closed="neither")


def check_generator(random_state):
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    random_state : None, int, SeedSequence, Generator or RandomState
        None gives fresh OS entropy; an int or SeedSequence seeds a new
        generator; a Generator is returned as is (and advanced by its users);
        a legacy RandomState seeds a new generator from one draw, so it too
        yields reproducible results.

    Returns
    -------
    rng : numpy.random.Generator

    Examples
    --------
    >>> from statkit.utils._validation import check_generator
    >>> bool(check_generator(0).integers(10) == check_generator(0).integers(10))
    True
    """
    if random_state is None or isinstance(random_state, numbers.Integral | np.random.SeedSequence):
        if isinstance(random_state, bool | np.bool_):
            raise TypeError("random_state must be None, an int or a Generator; got a bool.")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        "random_state must be None, an int, a numpy SeedSequence, Generator or RandomState; "
        f"got {random_state!r}."
    )
