from numbers import Integral, Real

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.utils._param_validation import validate_parameter_constraints

from statkit.testing.strategies import finite_float_matrices
from statkit.utils._validation import (
    NumericInterval,
    check_generator,
    check_matching_lengths,
    validate_array,
    validate_binary,
)

pytestmark = pytest.mark.nojit


def test_validate_array_converts_to_float():
    out = validate_array([1, 2, 3], "time", ndim=1)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])


def test_validate_array_accepts_pandas_and_object_numbers():
    pd = pytest.importorskip("pandas")
    np.testing.assert_array_equal(validate_array(pd.Series([1, 2]), "time"), [1.0, 2.0])
    np.testing.assert_array_equal(validate_array(np.array([1, 2.5], dtype=object), "x"), [1, 2.5])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_validate_array_rejects_non_finite(bad):
    with pytest.raises(ValueError, match=r"time must not contain NaN or infinite values.*index 2"):
        validate_array([1.0, 2.0, bad], "time")
    kept = validate_array([1.0, 2.0, bad], "time", ensure_finite=False)
    np.testing.assert_array_equal(kept, [1.0, 2.0, bad])


def test_validate_array_reports_position_in_a_matrix():
    with pytest.raises(ValueError, match=r"found 1 at index \(1, 0\)"):
        validate_array([[1.0, 2.0], [np.nan, 3.0]], "X", ndim=2)


def test_validate_array_rejects_wrong_dimensions():
    with pytest.raises(ValueError, match=r"X must be a 2-D array; got a 1-D array of shape \(3,\)"):
        validate_array([1, 2, 3], "X", ndim=2)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        validate_array(np.zeros((1, 1, 1)), "X", ndim=(1, 2))


def test_validate_array_rejects_empty_unless_allowed():
    with pytest.raises(ValueError, match="time must not be empty"):
        validate_array([], "time")
    assert validate_array([], "time", allow_empty=True).shape == (0,)


@pytest.mark.parametrize("bad", [["a", "b"], [1 + 2j], np.array([object(), 1], dtype=object)])
def test_validate_array_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="counts must contain"):
        validate_array(bad, "counts")


def test_validate_array_integer_mode():
    out = validate_array([1.0, 2.0], "counts", dtype="integer")
    assert out.dtype == np.int64
    with pytest.raises(ValueError, match="counts must contain whole numbers"):
        validate_array([1.5], "counts", dtype="integer")


def test_validate_array_numeric_keeps_dtype():
    assert validate_array([True, False], "event", dtype="numeric").dtype == bool
    with pytest.raises(ValueError, match="dtype must be one of"):
        validate_array([1], "x", dtype="complex")


@given(finite_float_matrices())
def test_validate_array_is_identity_on_finite_matrices(X):
    out = validate_array(X, "X", ndim=2)
    np.testing.assert_array_equal(out, X)


def test_validate_binary():
    np.testing.assert_array_equal(validate_binary([1, 0, 1.0], "event"), [True, False, True])
    np.testing.assert_array_equal(validate_binary([True, False], "event"), [True, False])
    with pytest.raises(ValueError, match=r"event must contain only 0/1 or True/False; got -1"):
        validate_binary([0, -1], "event")
    with pytest.raises(ValueError, match="event must be a 1-D array"):
        validate_binary([[0, 1]], "event")


def test_check_matching_lengths():
    check_matching_lengths(time=[1, 2], event=[0, 1], weights=None)
    with pytest.raises(ValueError, match="time and event must have the same length; got 2 and 3"):
        check_matching_lengths(time=[1, 2], event=[0, 1, 1])


@pytest.mark.parametrize("kind", [Real, Integral])
@pytest.mark.parametrize("value", [True, False])
def test_numeric_interval_rejects_booleans(kind, value):
    constraint = NumericInterval(kind, 0, None, closed="left")
    assert not constraint.is_satisfied_by(value)
    with pytest.raises((TypeError, ValueError), match="The 'n_bins' parameter of f must be"):
        validate_parameter_constraints({"n_bins": [constraint]}, {"n_bins": value}, "f")


@pytest.mark.parametrize("value", [0, 2, np.int64(3), 0.5, np.float32(0.5)])
def test_numeric_interval_accepts_numbers_in_range(value):
    constraint = NumericInterval(Real, 0, 4, closed="left")
    assert constraint.is_satisfied_by(value)
    assert not constraint.is_satisfied_by(value + 4)
    assert str(constraint) == "a float in the range [0.0, 4.0)"


@given(st.integers(0, 2**32 - 1))
def test_check_generator_is_reproducible(seed):
    a, b = check_generator(seed), check_generator(seed)
    np.testing.assert_array_equal(a.random(3), b.random(3))


def test_check_generator_inputs():
    generator = np.random.default_rng(1)
    assert check_generator(generator) is generator
    assert isinstance(check_generator(None), np.random.Generator)
    assert isinstance(check_generator(np.random.SeedSequence(3)), np.random.Generator)
    legacy_a, legacy_b = np.random.RandomState(5), np.random.RandomState(5)
    np.testing.assert_array_equal(
        check_generator(legacy_a).random(2), check_generator(legacy_b).random(2)
    )
    for bad in ("seed", 1.5, True):
        with pytest.raises(TypeError, match="random_state must be"):
            check_generator(bad)
