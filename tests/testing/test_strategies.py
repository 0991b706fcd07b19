import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from statkit.testing.strategies import finite_float_matrices, label_vectors, survival_data

pytestmark = pytest.mark.nojit


@given(
    finite_float_matrices(
        min_rows=2, max_rows=6, min_cols=3, max_cols=4, min_value=-10.0, max_value=10.0
    )
)
def test_matrices_respect_bounds(X):
    assert X.dtype == np.float64
    assert 2 <= X.shape[0] <= 6
    assert 3 <= X.shape[1] <= 4
    assert np.isfinite(X).all()
    assert (np.abs(X) <= 10.0).all()


@given(survival_data(min_size=3, max_size=30, max_time=50.0))
def test_survival_data_is_valid(data):
    time, event = data
    assert time.shape == event.shape
    assert 3 <= time.size <= 30
    assert event.dtype == bool
    assert ((time >= 0) & (time <= 50.0)).all()


@given(survival_data(integer_times=True, censoring=False))
def test_integer_times_without_censoring(data):
    time, event = data
    assert event.all()
    np.testing.assert_array_equal(time, np.round(time))


def test_survival_data_can_produce_ties_and_censoring():
    def tied_and_censored(data):
        return len(np.unique(data[0])) < data[0].size and not data[1].all()

    time, event = find(survival_data(integer_times=True), tied_and_censored)
    assert len(np.unique(time)) < time.size
    assert not event.all()


@given(st.data())
def test_label_vectors_contain_every_class(data):
    k_max = data.draw(st.integers(2, 6))
    y = data.draw(label_vectors(max_size=20, max_classes=k_max))
    classes = np.unique(y)
    assert 2 <= classes.size <= k_max
    np.testing.assert_array_equal(classes, np.arange(classes.size))


@given(label_vectors(dtype=str, min_classes=3, max_classes=3))
def test_string_labels(y):
    assert set(y) == {"class_0", "class_1", "class_2"}


@pytest.mark.parametrize(
    ("strategy", "kwargs", "message"),
    [
        (finite_float_matrices, {"min_rows": 0}, "min_rows must be >= 1"),
        (finite_float_matrices, {"min_cols": 3, "max_cols": 2}, "max_cols must be >= min_cols"),
        (survival_data, {"max_time": 0}, "max_time must be > 0"),
        (label_vectors, {"min_classes": 4, "max_size": 3}, "max_size"),
        (label_vectors, {"dtype": float}, "dtype must be int or str"),
    ],
)
def test_strategies_reject_bad_arguments(strategy, kwargs, message):
    with pytest.raises(ValueError, match=message):
        find(strategy(**kwargs), lambda value: True)
