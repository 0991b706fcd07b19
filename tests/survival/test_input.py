"""check_survival_data: what it accepts and the errors it gives."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from statkit.survival._input import SurvivalData, check_survival_data


def test_plain_lists():
    data = check_survival_data([3, 1.5, 2], [1, 0, 1])
    assert isinstance(data, SurvivalData)
    assert data.time.dtype == np.float64
    assert_array_equal(data.time, [3.0, 1.5, 2.0])
    assert data.event.dtype == np.bool_
    assert_array_equal(data.event, [True, False, True])
    assert data.entry is None
    assert data.weights is None


def test_event_defaults_to_all_observed():
    data = check_survival_data([1, 2, 3])
    assert data.event.dtype == np.bool_
    assert data.event.all()


@pytest.mark.parametrize("event", [[True, False, True], np.array([1.0, 0.0, 1.0])])
def test_booleans_and_float_indicators(event):
    assert_array_equal(check_survival_data([1, 2, 3], event).event, [True, False, True])


def test_integer_times_become_float():
    data = check_survival_data(np.array([1, 2, 3], dtype=np.int32), [1, 1, 0])
    assert data.time.dtype == np.float64


def test_zero_times_are_allowed():
    data = check_survival_data([0.0, 0.0, 1.0], [1, 0, 1], entry=[0, 0, 0])
    assert_array_equal(data.time, [0.0, 0.0, 1.0])


def test_entry_and_weights_are_float():
    data = check_survival_data([3, 4], [1, 0], entry=[0, 4], weights=[1, 2])
    assert data.entry.dtype == data.weights.dtype == np.float64
    assert_array_equal(data.entry, [0.0, 4.0])
    assert_array_equal(data.weights, [1.0, 2.0])


def test_structured_array():
    surv_util = pytest.importorskip("sksurv.util")
    y = surv_util.Surv.from_arrays(event=[True, False, True], time=[5.0, 6.0, 7.0])
    data = check_survival_data(y)
    assert_array_equal(data.time, [5.0, 6.0, 7.0])
    assert_array_equal(data.event, [True, False, True])


def test_structured_array_with_integer_time_field():
    y = np.array([(True, 5), (False, 6)], dtype=[("status", "?"), ("days", "<i8")])
    data = check_survival_data(y, entry=[0, 1])
    assert_array_equal(data.time, [5.0, 6.0])
    assert_array_equal(data.event, [True, False])


def test_pandas_series():
    pd = pytest.importorskip("pandas")
    time = pd.Series([4.0, 2.0, 9.0], index=[10, 20, 30], name="week")
    event = pd.Series([1, 0, 1], index=[10, 20, 30])
    data = check_survival_data(
        time, event, entry=pd.Series([0, 1, 2]), weights=pd.Series([1, 1, 2])
    )
    assert isinstance(data.time, np.ndarray)
    assert_array_equal(data.time, [4.0, 2.0, 9.0])
    assert_array_equal(data.event, [True, False, True])
    assert_array_equal(data.weights, [1.0, 1.0, 2.0])


def test_pandas_boolean_series():
    pd = pytest.importorskip("pandas")
    data = check_survival_data(pd.Series([1.0, 2.0]), pd.Series([True, False]))
    assert_array_equal(data.event, [True, False])


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ([1.0, -1.0], r"time must be non-negative; got -1.0 at index 1"),
        ([1.0, np.nan], r"time must not contain NaN or infinite values; found 1 at index 1"),
        ([np.inf, 1.0], r"time must not contain NaN or infinite values; found 1 at index 0"),
        ([], r"time must not be empty"),
        ([[1.0, 2.0]], r"time must be a 1-D array"),
    ],
)
def test_bad_times(time, message):
    with pytest.raises(ValueError, match=message):
        check_survival_data(time)


def test_non_numeric_times():
    with pytest.raises(TypeError, match="time must contain numbers"):
        check_survival_data(np.array(["a", "b"], dtype=object))
    with pytest.raises(TypeError, match="time must contain real numbers"):
        check_survival_data(["1", "2"])


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ([1, 2], r"event must contain only 0/1 or True/False; got 2 at index 1"),
        ([-1, 0], r"event must contain only 0/1 or True/False; got -1 at index 0"),
        ([0.5, 1.0], r"event must contain only 0/1 or True/False; got 0.5 at index 0"),
        ([1.0, np.nan], r"event must not contain NaN"),
    ],
)
def test_bad_events(event, message):
    with pytest.raises(ValueError, match=message):
        check_survival_data([1.0, 2.0], event)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event": [1, 0, 1]}, r"time and event must have the same length; got 2 and 3"),
        ({"entry": [0.0]}, r"time and entry must have the same length; got 2 and 1"),
        ({"weights": [1.0, 1.0, 1.0]}, r"time and weights must have the same length; got 2 and 3"),
    ],
)
def test_length_mismatch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_survival_data([1.0, 2.0], **kwargs)


def test_entry_after_time():
    with pytest.raises(ValueError, match=r"entry must not exceed time; got entry=3.0 > time=2.0"):
        check_survival_data([1.0, 2.0], entry=[0.0, 3.0])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ([-1.0, 0.0], r"entry must be non-negative; got -1.0 at index 0"),
        ([0.0, np.nan], r"entry must not contain NaN"),
    ],
)
def test_bad_entry(entry, message):
    with pytest.raises(ValueError, match=message):
        check_survival_data([1.0, 2.0], entry=entry)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1.0, 0.0], r"weights must be positive; got 0.0 at index 1"),
        ([-2.0, 1.0], r"weights must be positive; got -2.0 at index 0"),
        ([1.0, np.inf], r"weights must not contain NaN or infinite values"),
    ],
)
def test_bad_weights(weights, message):
    with pytest.raises(ValueError, match=message):
        check_survival_data([1.0, 2.0], weights=weights)


def test_structured_array_with_event_too():
    y = np.array([(True, 5.0), (False, 6.0)], dtype=[("event", "?"), ("time", "<f8")])
    with pytest.raises(TypeError, match="event must be None when time is a structured"):
        check_survival_data(y, [1, 0])


@pytest.mark.parametrize(
    ("dtype", "message"),
    [
        ([("time", "<f8"), ("event", "?")], "boolean event field first"),
        ([("event", "?"), ("time", "<f8"), ("x", "<f8")], "two fields"),
    ],
)
def test_malformed_structured_array(dtype, message):
    y = np.zeros(2, dtype=dtype)
    with pytest.raises(ValueError, match=message):
        check_survival_data(y)
