"""SurvivalCurveDisplay: what it draws for KaplanMeier and DPKaplanMeier, and its errors."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression

from statkit.datasets import load_lung
from statkit.survival import DPKaplanMeier, KaplanMeier, SurvivalCurveDisplay

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LUNG = load_lung()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def km():
    return KaplanMeier().fit(LUNG.time, LUNG.event)


@pytest.fixture(scope="module")
def dp():
    return DPKaplanMeier(t_max=1100, random_state=0).fit(LUNG.time, LUNG.event)


def _band_y(band):
    return np.concatenate([path.vertices[:, 1] for path in band.get_paths()])


def _band_x(band):
    return np.concatenate([path.vertices[:, 0] for path in band.get_paths()])


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


# ------------------------------------------------------------------ KaplanMeier


def test_kaplan_meier_curve_is_a_step_function_from_one(km):
    display = SurvivalCurveDisplay.from_estimator(km)
    line = display.line_
    assert line.get_drawstyle() == "steps-post"
    np.testing.assert_array_equal(line.get_xdata(), np.r_[0.0, km.timeline_])
    np.testing.assert_array_equal(line.get_ydata(), np.r_[1.0, km.survival_function_])
    assert display.ax_ is line.axes
    assert display.figure_ is display.ax_.figure
    assert _legend_texts(display.ax_) == ["KaplanMeier"]


def test_kaplan_meier_band_is_the_greenwood_interval(km):
    display = SurvivalCurveDisplay.from_estimator(km, alpha=0.1)
    lower, upper = km.confidence_interval(display.times, alpha=0.1)
    np.testing.assert_array_equal(display.lower, lower)
    np.testing.assert_array_equal(display.upper, upper)
    assert np.all(display.lower <= display.survival)
    assert np.all(display.survival <= display.upper)
    y = _band_y(display.band_)
    # Every vertex of the band is a bound, and the band reaches both extremes.
    assert np.isin(y, np.r_[lower, upper]).all()
    assert y.min() == lower.min()
    assert y.max() == upper.max()
    assert _band_x(display.band_).max() == km.timeline_[-1]
    assert display.band_.get_facecolor()[0][:3] == pytest.approx(
        mpl.colors.to_rgb(display.line_.get_color())
    )


def test_kaplan_meier_censor_marks(km):
    display = SurvivalCurveDisplay.from_estimator(km)
    censored = km.n_censored_ > 0
    marks = display.censor_markers_
    assert marks.get_marker() == "+"
    assert marks.get_linestyle() == "None"
    np.testing.assert_array_equal(marks.get_xdata(), km.timeline_[censored])
    np.testing.assert_array_equal(marks.get_ydata(), km.survival_function_[censored])
    # One mark per distinct censored time, computed independently of KaplanMeier.
    np.testing.assert_array_equal(marks.get_xdata(), np.unique(LUNG.time[~LUNG.event]))


def test_kaplan_meier_without_band_and_censors(km):
    display = SurvivalCurveDisplay.from_estimator(km, ci=False, show_censors=False)
    assert display.band_ is None
    assert display.censor_markers_ is None
    assert list(display.ax_.collections) == []
    assert list(display.ax_.lines) == [display.line_]
    assert display.at_risk_texts_ == []
    assert display.at_risk_label_ is None


def test_kaplan_meier_at_risk_counts_at_the_ticks(km):
    display = SurvivalCurveDisplay.from_estimator(km, at_risk_counts=True)
    ticks = display.at_risk_times
    np.testing.assert_array_equal(ticks, [0, 200, 400, 600, 800, 1000])
    np.testing.assert_array_equal(display.ax_.get_xticks(), ticks)
    np.testing.assert_array_equal(display.at_risk_counts, km.at_risk(ticks))
    texts = display.at_risk_texts_
    assert [text.get_text() for text in texts] == ["228", "144", "57", "24", "8", "2"]
    assert [text.get_position()[0] for text in texts] == list(ticks)
    assert all(text in display.ax_.texts for text in texts)
    assert display.at_risk_label_.get_text() == "at risk"
    # The row is below the axes (and the x label below the row).
    display.figure_.canvas.draw()
    bottom = display.ax_.get_window_extent().y0
    assert all(text.get_window_extent().y1 < bottom for text in texts)
    assert display.ax_.xaxis.label.get_window_extent().y1 <= min(
        text.get_window_extent().y0 for text in texts
    )


def test_weighted_counts_are_not_rounded():
    km = KaplanMeier().fit([1.0, 2.0, 3.0], [1, 0, 1], weights=[0.5, 1.0, 2.0])
    display = SurvivalCurveDisplay(
        times=np.r_[0.0, km.timeline_],
        survival=np.r_[1.0, km.survival_function_],
        at_risk_times=[0.5, 2.0],
        at_risk_counts=km.at_risk([0.5, 2.0]),
    ).plot()
    assert [text.get_text() for text in display.at_risk_texts_] == ["3.5", "3"]


# --------------------------------------------------------------- DPKaplanMeier


def test_dp_curve_is_drawn_on_a_dense_grid(dp):
    display = SurvivalCurveDisplay.from_estimator(dp)
    x, y = display.line_.get_xdata(), display.line_.get_ydata()
    assert display.line_.get_drawstyle() == "default"
    assert x[0] == 0
    assert x[-1] == dp.time_edges_[-1]
    assert x.size >= 512
    assert np.isin(dp.time_edges_, x).all()
    np.testing.assert_array_equal(y, dp.predict(x))
    assert _legend_texts(display.ax_) == ["DPKaplanMeier (ε = 1)"]


def test_dp_band_is_the_bootstrap_interval(dp):
    display = SurvivalCurveDisplay.from_estimator(dp)
    lower, upper = dp.confidence_interval(display.times, alpha=0.05)
    np.testing.assert_array_equal(display.lower, lower)
    np.testing.assert_array_equal(display.upper, upper)
    y = _band_y(display.band_)
    assert np.isin(y, np.r_[lower, upper]).all()
    assert y.min() == lower.min()
    assert y.max() == upper.max()


def test_dp_never_shows_censor_marks(dp):
    display = SurvivalCurveDisplay.from_estimator(dp, show_censors=True)
    assert display.censor_markers_ is None
    assert display.censor_times is None
    assert list(display.ax_.lines) == [display.line_]
    assert all(line.get_marker() in ("None", None, "") for line in display.ax_.lines)


def test_dp_at_risk_counts_are_rounded_noisy_estimates(dp):
    display = SurvivalCurveDisplay.from_estimator(dp, at_risk_counts=True)
    ticks = display.at_risk_times
    assert ticks[0] == 0
    assert ticks[-1] <= dp.time_edges_[-1]
    np.testing.assert_array_equal(display.at_risk_counts, np.rint(dp.at_risk(ticks)))
    expected = [str(int(c)) for c in np.rint(dp.at_risk(ticks))]
    assert [text.get_text() for text in display.at_risk_texts_] == expected
    assert display.at_risk_label_.get_text() == "at risk (noisy)"


def test_dp_without_bootstrap_needs_ci_false():
    dp = DPKaplanMeier(t_max=1100, n_bootstrap=0, random_state=0).fit(LUNG.time, LUNG.event)
    with pytest.raises(ValueError, match="ci=False"):
        SurvivalCurveDisplay.from_estimator(dp)
    assert SurvivalCurveDisplay.from_estimator(dp, ci=False).band_ is None


# ------------------------------------------------------------ axes and names


def test_curves_share_axes_with_names_and_stacked_at_risk_rows(km, dp):
    fig, ax = plt.subplots()
    first = SurvivalCurveDisplay.from_estimator(km, ax=ax, name="exact", at_risk_counts=True)
    second = SurvivalCurveDisplay.from_estimator(
        dp, ax=ax, name="private", at_risk_counts=True, color="C3", linestyle="--"
    )
    assert first.ax_ is ax
    assert second.ax_ is ax
    assert second.figure_ is fig
    assert ax.lines[:1] + ax.lines[-1:] == [first.line_, second.line_]
    assert _legend_texts(ax) == ["exact", "private"]
    assert second.line_.get_linestyle() == "--"
    assert mpl.colors.same_color(second.line_.get_color(), "C3")
    assert all(mpl.colors.same_color(t.get_color(), "C3") for t in second.at_risk_texts_)
    # The second row reuses the first row's ticks and lies below it.
    np.testing.assert_array_equal(second.at_risk_times, first.at_risk_times)
    fig.canvas.draw()
    assert (
        second.at_risk_texts_[0].get_window_extent().y1
        <= first.at_risk_texts_[0].get_window_extent().y0
    )


def test_plot_redraws_with_another_name(km):
    display = SurvivalCurveDisplay.from_estimator(km, name="lung")
    _fig, ax = plt.subplots()
    assert display.plot(ax=ax, name="again") is display
    assert display.ax_ is ax
    assert _legend_texts(ax) == ["again"]


def test_plot_from_arrays():
    display = SurvivalCurveDisplay(
        times=[0, 1, 2],
        survival=[1.0, 0.5, 0.25],
        lower=[1.0, 0.3, 0.1],
        upper=[1.0, 0.7, 0.4],
        step=False,
    ).plot()
    assert display.line_.get_drawstyle() == "default"
    assert display.ax_.get_legend() is None
    assert display.ax_.get_xlabel() == "time"
    assert display.ax_.get_ylabel() == "survival probability"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lower": [1.0, 0.5]}, "lower must have the shape of times"),
        ({"censor_times": [1.0]}, "censor_times and censor_survival must be given together"),
        ({"at_risk_times": [0.0]}, "at_risk_times and at_risk_counts must be given together"),
        ({"at_risk_times": [0.0], "at_risk_counts": [3, 2]}, "at_risk_counts must have the"),
        ({"survival": [[1.0, 0.5, 0.2]]}, "survival must be 1-D"),
    ],
)
def test_plot_rejects_inconsistent_data(kwargs, message):
    data = {"times": [0.0, 1.0, 2.0], "survival": [1.0, 0.5, 0.2], **kwargs}
    with pytest.raises(ValueError, match=message):
        SurvivalCurveDisplay(**data).plot()


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "estimator",
    [KaplanMeier(), DPKaplanMeier(t_max=1100), DPKaplanMeier(t_max=1100).partial_fit([1.0, 2.0])],
    ids=["KaplanMeier", "DPKaplanMeier", "DPKaplanMeier-partial_fit-only"],
)
def test_unfitted_estimator_raises_not_fitted(estimator):
    with pytest.raises(NotFittedError):
        SurvivalCurveDisplay.from_estimator(estimator)


@pytest.mark.parametrize(
    "estimator", [LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]), "KaplanMeier", None]
)
def test_not_a_survival_estimator_raises_type_error(estimator):
    with pytest.raises(TypeError, match="must be a fitted KaplanMeier or DPKaplanMeier"):
        SurvivalCurveDisplay.from_estimator(estimator)
    assert plt.get_fignums() == []  # nothing was drawn


def test_matplotlib_is_imported_lazily():
    code = (
        "import sys, statkit.survival\n"
        "assert 'matplotlib' not in sys.modules, 'statkit.survival imported matplotlib'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
