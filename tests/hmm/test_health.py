"""CMAPSSHealthIndicator: quality on FD001, causality, table checks."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError

from statkit.datasets import fetch_cmapss
from statkit.hmm._health import CMAPSSHealthIndicator, sequence_lengths
from tests.hmm import checks
from tests.hmm.checks import engine_table


@pytest.fixture(scope="module")
def cmapss():
    return fetch_cmapss("FD001")


@pytest.fixture(scope="module")
def fitted(cmapss):
    return CMAPSSHealthIndicator().fit(cmapss.train)


@pytest.mark.data("cmapss")
def test_hi_is_one_when_healthy_and_zero_at_failure(cmapss, fitted):
    hi = fitted.transform(cmapss.train)
    lengths = sequence_lengths(cmapss.train)
    assert hi.shape == (20631,)
    assert lengths.shape == (100,)
    assert lengths.sum() == 20631
    starts, ends = np.cumsum(lengths) - lengths, np.cumsum(lengths)
    first = np.concatenate([hi[start : start + 10] for start in starts])
    last = np.concatenate([hi[end - 10 : end] for end in ends])
    assert first.mean() > 0.8
    assert last.mean() < 0.2
    assert fitted.coef_.shape == fitted.mean_.shape == fitted.scale_.shape == (10,)
    assert_array_equal(fitted.sensors_, [2, 3, 4, 7, 11, 12, 15, 17, 20, 21])


@pytest.mark.data("cmapss")
def test_hi_of_a_truncated_unit_is_a_prefix(cmapss, fitted):
    full = fitted.transform(cmapss.test)
    unit = cmapss.test[:, 0] == 7
    for cycle in (1, 5, 40):
        truncated = cmapss.test[unit][:cycle]
        assert_allclose(fitted.transform(truncated), full[unit][:cycle], rtol=1e-12)


def test_causal_on_synthetic_units():
    checks.check_health_indicator_is_causal()
    table = engine_table([120, 90, 150])
    full = CMAPSSHealthIndicator(sensors=[1, 5, 9]).fit(table).transform(table)
    assert full[:10].mean() > 0.8
    assert full[110:120].mean() < 0.2


def test_smoothing_one_is_the_linear_prediction():
    table = engine_table([80, 70])
    model = CMAPSSHealthIndicator(healthy_cycles=20, failure_cycles=20, smoothing=1).fit(table)
    readings = (table[:, 4 + model.sensors_] - model.mean_) / model.scale_
    assert_allclose(model.transform(table), readings @ model.coef_ + model.intercept_)


def test_sequence_lengths_in_order_of_appearance():
    table = engine_table([5, 3, 4])
    table[:, 0] = np.repeat([9, 2, 5], [5, 3, 4])
    assert_array_equal(sequence_lengths(table), [5, 3, 4])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda t: t[:, :25], r"table must have 26 columns"),
        (lambda t: t[:, 0], "table must be a 2-D array"),
        (lambda t: t[[0, 1, 70, 2, *range(3, 70), *range(71, 150)]], "a unit is split"),
        (lambda t: t[[1, 0, *range(2, 150)]], "sorted by cycle"),
        (lambda t: np.where(np.arange(26) == 7, np.nan, t), "table must not contain NaN"),
    ],
)
def test_bad_tables(edit, match):
    table = engine_table([70, 80])
    with pytest.raises(ValueError, match=match):
        CMAPSSHealthIndicator().fit(edit(table))
    with pytest.raises(ValueError, match=match):
        sequence_lengths(edit(table))


def test_bad_parameters_and_unfitted_use():
    table = engine_table([50, 80])
    with pytest.raises(ValueError, match=r"healthy_cycles \+ failure_cycles = 60"):
        CMAPSSHealthIndicator().fit(table)
    with pytest.raises(ValueError, match=r"sensors must be distinct numbers in 1\.\.21"):
        CMAPSSHealthIndicator(sensors=[2, 22]).fit(table)
    with pytest.raises(ValueError, match="'smoothing'"):
        CMAPSSHealthIndicator(smoothing=0.5).fit(table)
    with pytest.raises(NotFittedError):
        CMAPSSHealthIndicator().transform(table)
    model = CMAPSSHealthIndicator(healthy_cycles=10, failure_cycles=10).fit(table)
    with pytest.raises(ValueError, match="table must have 26 columns"):
        model.transform(table[:, 1:])
