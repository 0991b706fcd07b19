"""logrank_test: agreement with lifelines (and R's survdiff), and its errors."""

import dataclasses
import functools
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from statkit.datasets import load_lung
from statkit.survival import LogrankResult, logrank_test
from statkit.testing.strategies import survival_data

statistics = pytest.importorskip("lifelines.statistics")
RTOL = 1e-10


@functools.cache
def _rossi():
    from lifelines.datasets import load_rossi

    rossi = load_rossi()
    time = rossi["week"].to_numpy(dtype=float)
    event = rossi["arrest"].to_numpy().astype(bool)
    # prio (number of prior convictions) in four bins: 0, 1-2, 3-5, 6+.
    prio = np.digitize(rossi["prio"].to_numpy(), [1, 3, 6])
    return time, event, {"fin": rossi["fin"].to_numpy(), "prio": prio}


@functools.cache
def _lung():
    lung = load_lung()
    column = {name: lung.data[:, i] for i, name in enumerate(lung.feature_names)}
    return lung.time, lung.event, {"sex": column["sex"], "ph.ecog": column["ph.ecog"]}


def case(name):
    data, column = name.split(":")
    time, event, groups = (_rossi if data == "rossi" else _lung)()
    groups = groups[column]
    keep = ~np.isnan(groups) if groups.dtype.kind == "f" else np.ones(groups.shape, bool)
    return time[keep], event[keep], groups[keep]


def lifelines_multivariate(time, event, groups, weights=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return statistics.multivariate_logrank_test(time, groups, event, weights=weights)


CASES = ["rossi:fin", "rossi:prio", "lung:sex", "lung:ph.ecog"]


@pytest.mark.parametrize("name", CASES)
def test_matches_lifelines_multivariate(name):
    time, event, groups = case(name)
    result = logrank_test(time, event, groups)
    ref = lifelines_multivariate(time, event, groups)
    labels = np.unique(groups)
    assert result.degrees_of_freedom == ref.degrees_of_freedom == labels.size - 1
    assert_allclose(result.statistic, ref.test_statistic, rtol=RTOL)
    assert_allclose(result.p_value, ref.p_value, rtol=RTOL)
    assert_array_equal(result.groups, labels)
    observed = [event[groups == g].sum() for g in labels]
    assert_array_equal(result.observed, observed)
    assert_allclose(result.expected.sum(), event.sum(), rtol=1e-12)


@pytest.mark.parametrize("name", ["rossi:fin", "lung:sex"])
def test_two_groups_match_lifelines_logrank_test(name):
    time, event, groups = case(name)
    a, b = np.unique(groups)
    ref = statistics.logrank_test(
        time[groups == a], time[groups == b], event[groups == a], event[groups == b]
    )
    result = logrank_test(time, event, groups)
    assert_allclose(result.statistic, ref.test_statistic, rtol=RTOL)
    assert_allclose(result.p_value, ref.p_value, rtol=RTOL)


def test_lung_sex_matches_r_survdiff():
    # R: survdiff(Surv(time, status) ~ sex, data = lung)
    #   N Observed Expected (O-E)^2/E (O-E)^2/V; sex=1: 138 112 91.6; sex=2: 90 53 73.4
    #   Chisq= 10.3  on 1 degrees of freedom, p= 0.001
    result = logrank_test(*case("lung:sex"))
    assert_array_equal(result.observed, [112.0, 53.0])
    assert_allclose(result.expected, [91.6, 73.4], atol=0.05)
    assert round(result.statistic, 1) == 10.3
    assert round(result.p_value, 3) == 0.001


@pytest.mark.parametrize("kind", ["integer", "fractional"])
@pytest.mark.parametrize("name", ["rossi:fin", "rossi:prio"])
def test_weights_match_lifelines(name, kind):
    time, event, groups = case(name)
    rng = np.random.default_rng(5)
    if kind == "integer":
        weights = rng.integers(1, 4, time.size).astype(float)
    else:
        weights = rng.uniform(0.5, 2.0, time.size)
    result = logrank_test(time, event, groups, weights=weights)
    ref = lifelines_multivariate(time, event, groups, weights=weights)
    assert_allclose(result.statistic, ref.test_statistic, rtol=RTOL)
    assert_allclose(result.p_value, ref.p_value, rtol=RTOL)
    assert_allclose(result.observed, [weights[event & (groups == g)].sum() for g in result.groups])


def test_integer_weights_equal_repeated_rows():
    time, event, groups = case("rossi:prio")
    counts = np.random.default_rng(6).integers(1, 4, time.size)
    weighted = logrank_test(time, event, groups, weights=counts)
    repeated = logrank_test(*(np.repeat(a, counts) for a in (time, event, groups)))
    assert_allclose(weighted.statistic, repeated.statistic, rtol=1e-12)
    assert_allclose(weighted.expected, repeated.expected, rtol=1e-12)


def test_labels_of_any_kind():
    time, event, groups = case("rossi:prio")
    numeric = logrank_test(time, event, groups)
    names = np.array(["none", "few", "some", "many"])[groups]
    named = logrank_test(time, event, names.tolist())
    assert_array_equal(named.groups, ["few", "many", "none", "some"])
    assert_allclose(named.statistic, numeric.statistic, rtol=1e-12)
    # observed/expected follow the sorted labels.
    order = [1, 3, 0, 2]
    assert_allclose(named.expected, numeric.expected[order], rtol=1e-12)


def test_other_input_forms():
    time, event, groups = case("rossi:fin")
    result = logrank_test(time, event, groups)
    pd = pytest.importorskip("pandas")
    from_pandas = logrank_test(pd.Series(time), pd.Series(event), pd.Series(groups))
    surv_util = pytest.importorskip("sksurv.util")
    y = surv_util.Surv.from_arrays(event=event, time=time)
    from_structured = logrank_test(y, groups=groups)
    for other in (from_pandas, from_structured):
        assert other.statistic == result.statistic
        assert_array_equal(other.expected, result.expected)


def test_result_is_frozen():
    result = logrank_test([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1], [0, 1, 0, 1])
    assert isinstance(result, LogrankResult)
    assert isinstance(result.statistic, float)
    assert isinstance(result.p_value, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.statistic = 0.0


def test_no_events_gives_no_evidence():
    result = logrank_test([1.0, 2.0, 3.0], [0, 0, 0], ["a", "b", "a"])
    assert result.statistic == 0.0
    assert result.p_value == 1.0
    assert_array_equal(result.observed, [0.0, 0.0])


@given(survival_data(min_size=2, max_size=40), st.randoms(use_true_random=False))
def test_invariant_to_row_order(data, random):
    time, event = data
    groups = np.arange(time.size) % 3
    order = np.array(random.sample(range(time.size), time.size))
    a = logrank_test(time, event, groups)
    b = logrank_test(time[order], event[order], groups[order])
    assert_allclose(a.statistic, b.statistic, rtol=1e-9, atol=1e-12)
    assert_allclose(a.expected, b.expected, rtol=1e-12, atol=1e-12)
    assert a.statistic >= -1e-12
    assert 0.0 <= a.p_value <= 1.0


def test_groups_is_required():
    with pytest.raises(TypeError, match="groups is required"):
        logrank_test([1.0, 2.0], [1, 1])


def test_fewer_than_two_groups():
    with pytest.raises(
        ValueError, match=r"groups must contain at least two distinct groups; got 1"
    ):
        logrank_test([1.0, 2.0, 3.0], [1, 0, 1], ["a", "a", "a"])


def test_length_mismatch():
    with pytest.raises(ValueError, match="time and groups must have the same length; got 3 and 2"):
        logrank_test([1.0, 2.0, 3.0], [1, 0, 1], [0, 1])
    with pytest.raises(ValueError, match="time and event must have the same length"):
        logrank_test([1.0, 2.0, 3.0], [1, 0], [0, 1, 1])
    with pytest.raises(ValueError, match="time and weights must have the same length"):
        logrank_test([1.0, 2.0, 3.0], [1, 0, 1], [0, 1, 1], weights=[1.0, 1.0])


@pytest.mark.parametrize("groups", [[0.0, np.nan, 1.0], ["a", None, "b"]])
def test_missing_groups(groups):
    with pytest.raises(ValueError, match=r"groups must not contain missing values.*index 1"):
        logrank_test([1.0, 2.0, 3.0], [1, 0, 1], np.array(groups, dtype=object))
    if not isinstance(groups[0], str):
        with pytest.raises(ValueError, match="groups must not contain missing values"):
            logrank_test([1.0, 2.0, 3.0], [1, 0, 1], groups)


def test_bad_groups_shape_and_types():
    with pytest.raises(ValueError, match="groups must be a 1-D array"):
        logrank_test([1.0, 2.0], [1, 1], [[0, 1]])
    with pytest.raises(TypeError, match="groups must contain labels of one sortable type"):
        logrank_test([1.0, 2.0], [1, 1], np.array([1, "a"], dtype=object))


def test_bad_survival_data():
    with pytest.raises(ValueError, match="time must be non-negative"):
        logrank_test([1.0, -2.0], [1, 1], [0, 1])
    with pytest.raises(ValueError, match="event must contain only 0/1"):
        logrank_test([1.0, 2.0], [1, 2], [0, 1])
    with pytest.raises(ValueError, match="weights must be positive"):
        logrank_test([1.0, 2.0], [1, 1], [0, 1], weights=[1.0, 0.0])
