"""KaplanMeier: agreement with lifelines, scikit-survival and statsmodels, and invariants."""

import functools
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from statkit.datasets import load_lung
from statkit.survival import KaplanMeier, _event_table
from statkit.survival import _kaplan_meier as km_module
from statkit.testing.strategies import survival_data

lifelines = pytest.importorskip("lifelines")
from lifelines import KaplanMeierFitter, NelsonAalenFitter  # noqa: E402
from lifelines.utils import median_survival_times  # noqa: E402

ATOL = 1e-12
DATASETS = ["lung", "rossi", "gbsg2"]
# Days (whole numbers: the counting path) and weeks (fractions: the sorting path).
SCALES = {"days": 1.0, "weeks": 1 / 7}


@functools.cache
def _dataset(name):
    if name == "lung":
        lung = load_lung()
        return lung.time, lung.event
    from lifelines import datasets

    frame, time, event = {
        "rossi": (datasets.load_rossi, "week", "arrest"),
        "gbsg2": (datasets.load_gbsg2, "time", "cens"),
    }[name]
    df = frame()
    return df[time].to_numpy(dtype=float), df[event].to_numpy().astype(bool)


def dataset(name, scale="days"):
    time, event = _dataset(name)
    return time * SCALES[scale], event.copy()


def delayed_entry(time, seed=0):
    """Entry times strictly before each time (whole numbers for whole-number times)."""
    rng = np.random.default_rng(seed)
    entry = rng.uniform(0, 0.6, time.shape[0]) * time
    return np.floor(entry) if np.array_equal(time, np.round(time)) else entry


def lifelines_km(time, event, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' StatisticalWarning for fractional weights
        return KaplanMeierFitter(alpha=kwargs.pop("alpha", 0.05)).fit(time, event, **kwargs)


def lifelines_population(table):
    """The risk set lifelines' estimate uses: at_risk less those entering then (not at row 0)."""
    entering = table["entrance"].to_numpy().astype(float)
    entering[0] = 0.0
    return table["at_risk"].to_numpy() - entering


def assert_matches_lifelines(km, ref, *, ci=True):
    timeline = km.timeline_
    # lifelines' table also has a row at 0 (everyone entering) that is no event time.
    extra = np.setdiff1d(ref.event_table.index.to_numpy(), timeline)
    assert set(extra) <= {0.0}
    table = ref.event_table.loc[timeline]
    assert_allclose(
        ref.survival_function_.loc[timeline].to_numpy().ravel(),
        km.survival_function_,
        rtol=0,
        atol=ATOL,
    )
    if ci:
        assert_allclose(
            ref.confidence_interval_.loc[timeline].to_numpy().T,
            km.confidence_interval(timeline),
            rtol=0,
            atol=ATOL,
        )
        ref_median_ci = median_survival_times(ref.confidence_interval_).to_numpy().ravel()
        assert_array_equal(km.median_confidence_interval_, ref_median_ci)
    assert km.median_survival_time_ == ref.median_survival_time_
    assert_allclose(km.n_events_, table["observed"], rtol=1e-12, atol=0)
    assert_allclose(km.n_events_ + km.n_censored_, table["removed"], rtol=1e-12, atol=0)
    population = lifelines_population(ref.event_table)
    assert_allclose(km.n_at_risk_, population[np.isin(ref.event_table.index, timeline)], 1e-12)
    # And anywhere in between, S is the same step function.
    # lifelines' curve starts at its first row (0, or the earliest entry time).
    grid = np.linspace(ref.event_table.index[0], timeline[-1] + 1.0, 301)
    assert_allclose(km.predict(grid), ref.survival_function_at_times(grid), rtol=0, atol=ATOL)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", DATASETS)
def test_matches_lifelines(name, scale):
    time, event = dataset(name, scale)
    km = KaplanMeier().fit(time, event)
    ref = lifelines_km(time, event)
    assert_matches_lifelines(km, ref)
    table = ref.event_table.loc[km.timeline_]
    assert_array_equal(km.n_censored_, table["censored"])
    assert_array_equal(km.n_at_risk_, table["at_risk"])
    assert_array_equal(km.n_entered_, np.zeros_like(km.timeline_))
    assert_array_equal(km.timeline_, np.unique(time))
    assert km.n_samples_ == time.shape[0]


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", DATASETS)
def test_cumulative_hazard_matches_lifelines_nelson_aalen(name, scale):
    time, event = dataset(name, scale)
    km = KaplanMeier().fit(time, event)
    ref = NelsonAalenFitter().fit(time, event)
    assert_allclose(
        km.cumulative_hazard_,
        ref.cumulative_hazard_.loc[km.timeline_].to_numpy().ravel(),
        rtol=1e-12,
        atol=ATOL,
    )
    grid = np.linspace(0.0, km.timeline_[-1] + 1.0, 301)
    assert_allclose(km.cumulative_hazard(grid), ref.cumulative_hazard_at_times(grid), atol=ATOL)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.32])
def test_alpha_matches_lifelines(alpha):
    time, event = dataset("lung")
    km = KaplanMeier(alpha=alpha).fit(time, event)
    assert_matches_lifelines(km, lifelines_km(time, event, alpha=alpha))
    # confidence_interval(alpha=...) overrides the estimator's alpha.
    other = KaplanMeier().fit(time, event)
    assert_allclose(
        other.confidence_interval(km.timeline_, alpha=alpha), km.confidence_interval(km.timeline_)
    )


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", DATASETS)
def test_matches_scikit_survival(name, scale):
    nonparametric = pytest.importorskip("sksurv.nonparametric")
    time, event = dataset(name, scale)
    km = KaplanMeier().fit(time, event)
    grid, prob, conf_int = nonparametric.kaplan_meier_estimator(event, time, conf_type="log-log")
    assert_array_equal(km.timeline_, grid)
    assert_allclose(km.survival_function_, prob, rtol=0, atol=ATOL)
    assert_allclose(km.confidence_interval(grid), conf_int, rtol=0, atol=ATOL)

    # The estimator class, on a structured array, at arbitrary times.
    surv_util = pytest.importorskip("sksurv.util")
    y = surv_util.Surv.from_arrays(event=event, time=time)
    ref = nonparametric.SurvivalFunctionEstimator(conf_type="log-log").fit(y)
    times = np.linspace(time.min(), time.max(), 97)
    prob, conf_int = ref.predict_proba(times, return_conf_int=True)
    ours = KaplanMeier().fit(y)
    assert_allclose(ours.predict(times), prob, rtol=0, atol=ATOL)
    assert_allclose(ours.confidence_interval(times), conf_int, rtol=0, atol=ATOL)


def assert_matches_statsmodels(km, ref, *, standard_error=True):
    times = ref.surv_times
    index = np.searchsorted(km.timeline_, times)
    assert_array_equal(km.timeline_[index], times)
    assert_allclose(km.survival_function_[index], ref.surv_prob, rtol=0, atol=ATOL)
    assert_allclose(km.predict(times), ref.surv_prob, rtol=0, atol=ATOL)
    assert_allclose(km.n_at_risk_[index], ref.n_risk, rtol=1e-12)
    assert_allclose(km.at_risk(times), ref.n_risk, rtol=1e-12)
    assert_allclose(km.n_events_[index], ref.n_events, rtol=1e-12)
    if not standard_error:
        return
    finite = np.isfinite(ref.surv_prob_se)  # statsmodels gives NaN where S = 0
    assert finite[:-1].all()
    assert_allclose(
        np.sqrt(km.survival_variance_[index])[finite], ref.surv_prob_se[finite], atol=ATOL
    )


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", DATASETS)
def test_matches_statsmodels(name, scale):
    survfunc = pytest.importorskip("statsmodels.duration.survfunc")
    time, event = dataset(name, scale)
    km = KaplanMeier().fit(time, event)
    assert_matches_statsmodels(km, survfunc.SurvfuncRight(time, event.astype(float)))


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", DATASETS)
def test_delayed_entry_matches_lifelines(name, scale):
    time, event = dataset(name, scale)
    entry = delayed_entry(time)
    km = KaplanMeier().fit(time, event, entry=entry)
    ref = lifelines_km(time, event, entry=entry)
    assert_matches_lifelines(km, ref)
    table = ref.event_table
    rows = table.index > 0
    assert_array_equal(km.timeline_, table.index[rows])
    assert_array_equal(km.n_entered_, table["entrance"][rows])
    assert_array_equal(km.n_censored_, table["censored"][rows])
    na = NelsonAalenFitter().fit(time, event, entry=entry)
    assert_allclose(
        km.cumulative_hazard_,
        na.cumulative_hazard_.loc[km.timeline_].to_numpy().ravel(),
        rtol=1e-12,
        atol=ATOL,
    )


@pytest.mark.parametrize("name", DATASETS)
def test_delayed_entry_matches_statsmodels(name):
    survfunc = pytest.importorskip("statsmodels.duration.survfunc")
    time, event = dataset(name)
    entry = delayed_entry(time, seed=1)
    km = KaplanMeier().fit(time, event, entry=entry)
    ref = survfunc.SurvfuncRight(time, event.astype(float), entry=entry)
    assert_matches_statsmodels(km, ref)


def test_entry_at_the_earliest_entry_time_counts_as_at_risk():
    # Three subjects enter at 2, one of whom dies at 2: lifelines counts all three at
    # risk at 2. The subject entering at 3 is at risk only after 3.
    time, event, entry = [2.0, 5.0, 6.0, 7.0], [1, 1, 0, 1], [2.0, 2.0, 2.0, 3.0]
    km = KaplanMeier().fit(time, event, entry=entry)
    assert_array_equal(km.timeline_, [2.0, 3.0, 5.0, 6.0, 7.0])
    assert_array_equal(km.n_entered_, [3.0, 1.0, 0.0, 0.0, 0.0])
    assert_array_equal(km.n_at_risk_, [3.0, 2.0, 3.0, 2.0, 1.0])
    assert_array_equal(km.at_risk([1.9, 2.0, 2.5, 3.0, 3.5, 7.0, 7.5]), [0, 3, 2, 2, 3, 1, 0])
    assert_allclose(km.survival_function_, np.cumprod([2 / 3, 1, 2 / 3, 1, 0]), atol=1e-15)
    assert_matches_lifelines(km, lifelines_km(time, event, entry=entry))


def test_entry_none_equals_entry_zero():
    time, event = dataset("lung")
    plain = KaplanMeier().fit(time, event)
    zero = KaplanMeier().fit(time, event, entry=np.zeros_like(time))
    for name in (
        "timeline_",
        "survival_function_",
        "n_at_risk_",
        "n_entered_",
        "cumulative_hazard_",
    ):
        assert_allclose(getattr(zero, name), getattr(plain, name), rtol=1e-15, err_msg=name)


def weights_for(time, kind, seed=2):
    rng = np.random.default_rng(seed)
    if kind == "integer":
        return rng.integers(1, 5, time.shape[0]).astype(float)
    return rng.uniform(0.2, 3.0, time.shape[0])


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", DATASETS)
def test_integer_weights_match_lifelines_and_statsmodels(name, scale):
    time, event = dataset(name, scale)
    weights = weights_for(time, "integer")
    km = KaplanMeier().fit(time, event, weights=weights)
    assert_matches_lifelines(km, lifelines_km(time, event, weights=weights))
    na = NelsonAalenFitter().fit(time, event, weights=weights)
    assert_allclose(
        km.cumulative_hazard_,
        na.cumulative_hazard_.loc[km.timeline_].to_numpy().ravel(),
        rtol=1e-12,
        atol=ATOL,
    )
    survfunc = pytest.importorskip("statsmodels.duration.survfunc")
    ref = survfunc.SurvfuncRight(time, event.astype(float), freq_weights=weights)
    # With weights statsmodels reports Tsiatis' standard error of log S, not Greenwood's.
    assert_matches_statsmodels(km, ref, standard_error=False)
    n, d = km.n_at_risk_, km.n_events_
    tsiatis = np.sqrt(np.cumsum(d / n**2))[np.searchsorted(km.timeline_, ref.surv_times)]
    assert_allclose(tsiatis, ref.surv_prob_se, rtol=1e-12)


@pytest.mark.parametrize("name", DATASETS)
def test_weights_with_delayed_entry_match_lifelines(name):
    time, event = dataset(name)
    entry = delayed_entry(time, seed=3)
    weights = weights_for(time, "integer", seed=4)
    km = KaplanMeier().fit(time, event, entry=entry, weights=weights)
    assert_matches_lifelines(km, lifelines_km(time, event, entry=entry, weights=weights))


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", DATASETS)
def test_fractional_weights_match_lifelines(name, scale):
    time, event = dataset(name, scale)
    weights = weights_for(time, "fractional")
    km = KaplanMeier().fit(time, event, weights=weights)
    ref = lifelines_km(time, event, weights=weights)
    assert_matches_lifelines(km, ref, ci=False)
    # lifelines truncates the number at risk to an integer in Greenwood's sum
    # (population.astype("uint64")); with that one change the intervals agree.
    n = np.floor(km.n_at_risk_)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = km.n_events_ / (n * (n - km.n_events_))
    terms[np.isinf(terms)] = 0.0
    truncated = np.cumsum(terms)
    kept = np.isfinite(truncated) & (np.minimum.accumulate(n - km.n_events_ > 0))
    expected = km_module._loglog_interval(km.survival_function_, truncated, 0.05)
    reference = ref.confidence_interval_.loc[km.timeline_].to_numpy().T
    assert_allclose(expected[:, kept], reference[:, kept], rtol=0, atol=ATOL)


@settings(max_examples=40)
@given(survival_data(max_size=40), st.data())
def test_integer_weights_equal_repeated_rows(data, draw):
    time, event = data
    counts = draw.draw(st.lists(st.integers(1, 3), min_size=time.size, max_size=time.size))
    counts = np.array(counts)
    weighted = KaplanMeier().fit(time, event, weights=counts)
    repeated = KaplanMeier().fit(np.repeat(time, counts), np.repeat(event, counts))
    for name in (
        "timeline_",
        "survival_function_",
        "cumulative_hazard_",
        "log_survival_variance_",
        "n_at_risk_",
        "n_events_",
        "n_censored_",
    ):
        assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=1e-12, err_msg=name)
    assert weighted.median_survival_time_ == repeated.median_survival_time_
    assert_array_equal(weighted.median_confidence_interval_, repeated.median_confidence_interval_)


def small_example():
    return KaplanMeier().fit([3.0, 5.0, 5.0, 8.0, 12.0], [1, 1, 0, 1, 0])


def test_hand_computed_example():
    km = small_example()
    assert_array_equal(km.timeline_, [3.0, 5.0, 8.0, 12.0])
    assert_array_equal(km.n_at_risk_, [5.0, 4.0, 2.0, 1.0])
    assert_array_equal(km.n_events_, [1.0, 1.0, 1.0, 0.0])
    assert_array_equal(km.n_censored_, [0.0, 1.0, 0.0, 1.0])
    assert_allclose(km.survival_function_, [4 / 5, 3 / 5, 3 / 10, 3 / 10], rtol=1e-15)
    assert_allclose(km.cumulative_hazard_, np.cumsum([1 / 5, 1 / 4, 1 / 2, 0]), rtol=1e-15)
    greenwood = np.cumsum([1 / (5 * 4), 1 / (4 * 3), 1 / (2 * 1), 0])
    assert_allclose(km.log_survival_variance_, greenwood, rtol=1e-15)
    assert_allclose(km.survival_variance_, km.survival_function_**2 * greenwood, rtol=1e-15)
    assert km.median_survival_time_ == 8.0


def test_predict_is_right_continuous():
    km = small_example()
    eps = 1e-9
    assert_allclose(
        km.predict([-1.0, 0.0, 3.0 - eps, 3.0, 5.0 - eps, 5.0, 8.0 - eps, 8.0, 12.0, 1e9]),
        [1.0, 1.0, 1.0, 0.8, 0.8, 0.6, 0.6, 0.3, 0.3, 0.3],
        rtol=1e-15,
    )
    assert_allclose(km.cumulative_hazard([2.0, 3.0, 4.9, 5.0]), [0.0, 0.2, 0.2, 0.45], rtol=1e-15)
    # Before the first event the interval is [1, 1]; it changes at event times only.
    interval = km.confidence_interval([0.0, 3.0, 4.0, 5.0 - eps, 5.0])
    assert_array_equal(interval[:, 0], [1.0, 1.0])
    assert_array_equal(interval[:, 1], interval[:, 2])
    assert_array_equal(interval[:, 1], interval[:, 3])
    assert (interval[:, 4] != interval[:, 3]).all()
    assert_array_equal(km.at_risk([-1.0, 0.0, 3.0, 3.5, 5.0, 12.0, 12.5]), [0, 5, 5, 4, 4, 1, 0])


def test_scalar_times_give_one_element():
    km = small_example()
    assert km.predict(5.0).shape == (1,)
    assert km.confidence_interval(5.0).shape == (2, 1)
    assert km.at_risk(np.float64(3.0)).tolist() == [5.0]


def test_survival_reaching_zero():
    km = KaplanMeier().fit([1.0, 2.0, 3.0, 3.0], [1, 0, 1, 1])
    assert_allclose(km.survival_function_, [0.75, 0.75, 0.0])
    assert_array_equal(km.confidence_interval([3.0, 10.0]), np.zeros((2, 2)))
    assert km.median_survival_time_ == 3.0
    assert_matches_lifelines(km, lifelines_km([1.0, 2.0, 3.0, 3.0], [1, 0, 1, 1]))


def test_exact_half_is_the_median():
    # With 24 deaths S reaches 1/2 exactly at the 12th, but the running product of
    # 23/24, 22/23, ... rounds to 0.5000000000000001 there: the median is still 12.
    km = KaplanMeier().fit(np.arange(1.0, 25.0))
    assert km.survival_function_[11] == 0.5 + 2**-53
    assert km.median_survival_time_ == 12.0
    assert KaplanMeier().fit(np.arange(1.0, 11.0)).median_survival_time_ == 5.0


def test_event_table():
    time, event = dataset("lung")
    km = KaplanMeier().fit(time, event)
    table = km.event_table()
    assert list(table) == ["time", "at_risk", "events", "censored", "entered"]
    assert_array_equal(table.time, km.timeline_)
    assert_array_equal(table.at_risk, km.n_at_risk_)
    table.at_risk[:] = 0  # a copy: the fitted state is untouched
    assert km.n_at_risk_[0] == 228

    pytest.importorskip("pandas")
    frame = km.event_table(as_frame=True)
    assert list(frame.columns) == ["at_risk", "events", "censored", "entered"]
    assert frame.index.name == "time"
    ref = lifelines_km(time, event).event_table.loc[km.timeline_]
    assert_array_equal(frame.index, ref.index)
    assert_array_equal(frame["at_risk"], ref["at_risk"])
    assert_array_equal(frame["events"], ref["observed"])
    assert_array_equal(frame["censored"], ref["censored"])


def test_inputs_in_other_forms_give_the_same_fit():
    time, event = dataset("lung")
    km = KaplanMeier().fit(time, event)
    pd = pytest.importorskip("pandas")
    from_series = KaplanMeier().fit(pd.Series(time), pd.Series(event.astype(int)))
    surv_util = pytest.importorskip("sksurv.util")
    from_structured = KaplanMeier().fit(surv_util.Surv.from_arrays(event=event, time=time))
    for other in (from_series, from_structured):
        assert_array_equal(other.survival_function_, km.survival_function_)
        assert_array_equal(other.n_at_risk_, km.n_at_risk_)
    all_observed = KaplanMeier().fit(time)
    assert_array_equal(all_observed.n_events_ + all_observed.n_censored_, all_observed.n_events_)


def fitted_attributes(km):
    return {name: value for name, value in vars(km).items() if name.endswith("_")}


def test_failed_fit_keeps_the_previous_fit():
    km = small_example()
    before = {name: np.copy(value) for name, value in fitted_attributes(km).items()}
    with pytest.raises(ValueError, match="time must be non-negative"):
        km.fit([1.0, -1.0])
    # Validation passes, then the risk sets are found inconsistent: still nothing changes.
    with pytest.raises(ValueError, match="subjects at risk"):
        km.fit([1.0, 2.0], [1, 1], entry=[0.0, 2.0])
    after = fitted_attributes(km)
    assert after.keys() == before.keys()
    for name, value in before.items():
        assert_array_equal(after[name], value, err_msg=name)


def test_events_outside_the_risk_set_are_an_error():
    # The second subject enters at 2 and dies at 2: not at risk then, and nobody else is.
    with pytest.raises(ValueError, match=r"At time 2.0 there are 1 events but only 0 subjects"):
        KaplanMeier().fit([1.0, 2.0], [1, 1], entry=[0.0, 2.0])


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, "0.05"])
def test_bad_alpha(alpha):
    with pytest.raises((ValueError, TypeError), match="alpha"):
        KaplanMeier(alpha=alpha).fit([1.0, 2.0])
    km = small_example()
    with pytest.raises(ValueError, match=r"'alpha' parameter .* in the range \(0.0, 1.0\)"):
        km.confidence_interval([1.0], alpha=alpha)


def test_bad_times_to_evaluate():
    km = small_example()
    with pytest.raises(ValueError, match="times must not contain NaN; found one at index 1"):
        km.predict([1.0, np.nan])
    with pytest.raises(ValueError, match="times must be a 0-D or 1-D array"):
        km.cumulative_hazard([[1.0]])
    with pytest.raises(TypeError, match="times must contain real numbers"):
        km.at_risk(["a"])
    assert_allclose(km.predict([np.inf, -np.inf]), [0.3, 1.0], rtol=1e-15)


@pytest.mark.parametrize(
    "method", ["predict", "cumulative_hazard", "confidence_interval", "at_risk", "event_table"]
)
def test_not_fitted(method):
    args = () if method == "event_table" else ([1.0],)
    with pytest.raises(NotFittedError):
        getattr(KaplanMeier(), method)(*args)


def test_estimator_api():
    km = KaplanMeier(alpha=0.1)
    assert km.get_params() == {"alpha": 0.1}
    assert clone(km).alpha == 0.1
    assert repr(km) == "KaplanMeier(alpha=0.1)"
    time, event = dataset("rossi")
    km.fit(time, event)
    restored = pickle.loads(pickle.dumps(km))
    assert_array_equal(restored.predict([10.0, 30.0]), km.predict([10.0, 30.0]))
    assert_array_equal(restored.at_risk([0.0, 52.0]), km.at_risk([0.0, 52.0]))


# ----------------------------------------------------------------------------------------------
# Properties


@given(survival_data(max_size=60))
def test_curves_are_monotone_and_bounded(data):
    time, event = data
    km = KaplanMeier().fit(time, event)
    s, h = km.survival_function_, km.cumulative_hazard_
    assert ((s >= 0) & (s <= 1)).all()
    assert (np.diff(s) <= 0).all()
    assert (h >= 0).all()
    assert (np.diff(h) >= 0).all()
    lower, upper = km.confidence_interval(km.timeline_)
    assert ((lower >= 0) & (upper <= 1)).all()
    assert (lower <= s + 1e-12).all()
    assert (s <= upper + 1e-12).all()
    assert (np.diff(km.n_at_risk_) <= 0).all()
    assert km.n_at_risk_[0] == time.size
    assert km.n_events_.sum() == event.sum()
    assert km.n_censored_.sum() == (~event).sum()
    low, high = km.median_confidence_interval_
    assert low <= km.median_survival_time_ <= high


@given(survival_data(max_size=60, censoring=False))
def test_without_censoring_survival_is_one_minus_the_ecdf(data):
    time, _ = data
    km = KaplanMeier().fit(time)
    ecdf = np.searchsorted(np.sort(time), km.timeline_, side="right") / time.size
    assert_allclose(km.survival_function_, 1 - ecdf, rtol=0, atol=1e-12)
    # The median is the first time with at most half the subjects still alive.
    assert km.median_survival_time_ == np.sort(time)[(time.size + 1) // 2 - 1]


@given(survival_data(max_size=60), st.randoms(use_true_random=False))
def test_invariant_to_row_order(data, random):
    time, event = data
    order = np.array(random.sample(range(time.size), time.size))
    km = KaplanMeier().fit(time, event)
    permuted = KaplanMeier().fit(time[order], event[order])
    for name, value in fitted_attributes(km).items():
        assert_array_equal(getattr(permuted, name), value, err_msg=name)


@given(survival_data(max_size=60))
def test_at_risk_counts_the_subjects_still_followed(data):
    time, event = data
    km = KaplanMeier().fit(time, event)
    queries = np.concatenate([km.timeline_, km.timeline_ + 0.5, [-1.0, time.max() + 1]])
    expected = [(time >= t).sum() if t >= 0 else 0 for t in queries]
    assert_array_equal(km.at_risk(queries), expected)
    assert_array_equal(km.predict(km.timeline_), km.survival_function_)


def entries_before(time, fractions):
    """``time * fractions``, kept strictly below each positive time despite rounding."""
    entry = time * np.asarray(fractions)
    return np.where((entry < time) | (time == 0), entry, np.nextafter(time, 0))


@given(survival_data(max_size=60), st.data())
def test_delayed_entry_against_a_direct_computation(data, draw):
    time, event = data
    fractions = draw.draw(st.lists(st.floats(0, 0.99), min_size=time.size, max_size=time.size))
    entry = entries_before(time, fractions)
    km = KaplanMeier().fit(time, event, entry=entry)
    first = entry.min()
    # Subjects entering at the earliest entry time are at risk from then on.
    for j, t in enumerate(km.timeline_):
        at_risk = (time >= t) & ((entry < t) | ((entry == first) & (t == first)))
        assert km.n_at_risk_[j] == at_risk.sum()
    expected = np.cumprod(1 - km.n_events_ / np.where(km.n_at_risk_ > 0, km.n_at_risk_, 1))
    assert_allclose(km.survival_function_, expected, rtol=0, atol=1e-12)
    assert_array_equal(np.sort(np.unique(np.concatenate([time, entry[entry > 0]]))), km.timeline_)


@given(survival_data(max_size=60, integer_times=True), st.booleans())
def test_counting_and_sorting_paths_agree(data, weighted):
    time, event = data
    weights = np.linspace(0.5, 2.0, time.size) if weighted else None
    data = km_module.check_survival_data(time, event, weights=weights)
    counted = _event_table._integer_time_counts(data.time, data.event, data.weights)
    assert counted is not None
    sorted_ = _event_table._time_counts(data.time + 0.25, data.event, data.weights)
    assert_array_equal(counted[0] + 0.25, sorted_[0])
    for a, b in zip(counted[1:], sorted_[1:], strict=True):
        assert_allclose(a, b, rtol=1e-12)


def test_times_far_apart_use_the_sorting_path():
    time = np.array([0.0, 1e9, 3.0, 1e9, -0.0])
    km = KaplanMeier().fit(time, [1, 0, 1, 1, 0])
    assert_array_equal(km.timeline_, [0.0, 3.0, 1e9])
    assert_array_equal(km.n_events_, [1.0, 1.0, 1.0])
    assert_array_equal(km.n_censored_, [1.0, 0.0, 1.0])


@given(survival_data(max_size=50), st.data())
def test_fractional_weights_with_delayed_entry_against_a_direct_computation(data, draw):
    time, event = data
    size = time.size
    fractions = np.array(draw.draw(st.lists(st.floats(0, 0.99), min_size=size, max_size=size)))
    weights = np.array(draw.draw(st.lists(st.floats(0.1, 10), min_size=size, max_size=size)))
    entry = entries_before(time, fractions)
    km = KaplanMeier().fit(time, event, entry=entry, weights=weights)
    first = entry.min()
    for j, t in enumerate(km.timeline_):
        at_risk = (time >= t) & ((entry < t) | ((entry == first) & (t == first)))
        assert_allclose(km.n_at_risk_[j], weights[at_risk].sum(), rtol=1e-12, atol=1e-12)
        assert_allclose(km.n_events_[j], weights[event & (time == t)].sum(), rtol=1e-12)
    assert ((km.survival_function_ >= 0) & (km.survival_function_ <= 1)).all()
    assert (np.diff(km.survival_function_) <= 0).all()


def test_nelson_aalen_tie_correction():
    at_risk = np.array([10.0, 5.5, 4.0, 3.0, 2.0])
    events = np.array([3.0, 2.5, 1.0, 0.0, 2.0])
    increments = km_module._nelson_aalen_increments(at_risk, events)
    expected = [
        1 / 10 + 1 / 9 + 1 / 8,
        km_module.digamma(6.5) - km_module.digamma(4.0),
        1 / 4,
        0.0,
        1 / 2 + 1,
    ]
    assert_allclose(increments, expected, rtol=1e-14)
    # The weighted (digamma) form is continuous in the number of events.
    near = km_module._nelson_aalen_increments(np.array([10.0]), np.array([3.0 - 1e-9]))
    assert_allclose(near, expected[0], rtol=1e-8)


def test_large_weights_use_bounded_memory():
    # Weights of 10^9 mean 10^9 tied events at a time: the tie correction must not
    # sum them term by term.
    time, event = dataset("rossi")
    km = KaplanMeier().fit(time, event, weights=np.full(time.shape, 1e9))
    unit = KaplanMeier().fit(time, event)
    assert_allclose(km.survival_function_, unit.survival_function_, rtol=1e-12)
    n, d = km.n_at_risk_, km.n_events_
    expected = np.cumsum(
        np.where(d > 0, km_module.digamma(n + 1) - km_module.digamma(n - d + 1), 0)
    )
    assert_allclose(km.cumulative_hazard_, expected, rtol=1e-12)
