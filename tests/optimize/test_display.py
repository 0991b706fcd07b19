"""ConvergenceDisplay: one run, several runs, several methods, and bad input."""

import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import OptimizeResult

from statkit.optimize import BayesianOptimizer, ConvergenceDisplay, minimize
from statkit.optimize._display import REGRET_FLOOR, best_so_far
from statkit.utils import all_displays

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _band_y(band):
    return np.concatenate([path.vertices[:, 1] for path in band.get_paths()])


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_best_so_far_is_the_running_minimum_or_maximum():
    values = [np.nan, 3.0, 4.0, 1.0, np.nan, 2.0]
    np.testing.assert_array_equal(best_so_far(values), [np.nan, 3, 3, 1, 1, 1])
    np.testing.assert_array_equal(best_so_far(values, maximize=True), [np.nan, 3, 4, 4, 4, 4])
    assert best_so_far([]).shape == (0,)


def test_one_result_is_its_running_minimum():
    result = OptimizeResult(func_vals=np.array([5.0, 7.0, 2.0, 3.0]), maximize=False)
    display = ConvergenceDisplay.from_result(result)
    line = display.lines_[None]
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(line.get_ydata(), [5, 5, 2, 2])
    assert display.bands_[None] is None  # one run: no band
    assert display.ax_ is line.axes
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_legend() is None  # no name, no legend
    assert display.ax_.get_xlabel() == "number of evaluations"
    assert display.ax_.get_ylabel() == "best value so far"


def test_log_regret_and_its_floor():
    values = np.array([2.0, 1.1, 1.001, 1.0])
    display = ConvergenceDisplay.from_result(values, true_minimum=1.0, name="run")
    np.testing.assert_allclose(
        display.lines_["run"].get_ydata(), [0.0, -1.0, -3.0, np.log10(REGRET_FLOOR)]
    )
    assert display.ax_.get_ylabel() == "log10 regret"
    assert _legend_texts(display.ax_) == ["run"]
    linear = ConvergenceDisplay.from_result(values, true_minimum=1.0, log_regret=False)
    np.testing.assert_allclose(linear.lines_[None].get_ydata(), [1.0, 0.1, 0.001, 0.0])
    assert linear.ax_.get_ylabel() == "regret"


def test_several_runs_give_the_median_and_the_interquartile_band():
    rng = np.random.default_rng(0)
    runs = [rng.normal(size=15) for _ in range(5)]
    display = ConvergenceDisplay.from_results(runs, name="random")
    curves = np.array([np.minimum.accumulate(run) for run in runs])
    np.testing.assert_allclose(display.lines_["random"].get_ydata(), np.median(curves, axis=0))
    band = _band_y(display.bands_["random"])
    lower, upper = np.quantile(curves, [0.25, 0.75], axis=0)
    assert np.isclose(band.min(), lower.min())
    assert np.isclose(band.max(), upper.max())
    assert display.bands_["random"].get_facecolor()[0][:3] == pytest.approx(
        mpl.colors.to_rgb(display.lines_["random"].get_color())
    )
    assert ConvergenceDisplay.from_results(runs, band=False).bands_[None] is None


def test_a_dict_gives_one_curve_per_method_on_the_given_axes():
    fig, ax = plt.subplots()
    results = {"a": [[3.0, 2.0], [4.0, 1.0]], "b": [np.array([5.0, 6.0, 0.5])]}
    display = ConvergenceDisplay.from_results(results, ax=ax, linewidth=3)
    assert display.ax_ is ax
    assert display.figure_ is fig
    assert _legend_texts(ax) == ["a", "b"]
    np.testing.assert_allclose(display.lines_["a"].get_ydata(), [3.5, 1.5])
    np.testing.assert_allclose(display.lines_["b"].get_ydata(), [5.0, 5.0, 0.5])
    assert display.lines_["a"].get_linewidth() == 3
    assert display.lines_["a"].get_color() != display.lines_["b"].get_color()


def test_runs_of_different_lengths_use_the_runs_that_reached_each_evaluation():
    display = ConvergenceDisplay.from_results([[4.0, 3.0, 2.0, 1.0], [6.0, 5.0]])
    np.testing.assert_allclose(display.lines_[None].get_ydata(), [5.0, 4.0, 2.0, 1.0])


def test_maximisation_results_use_the_running_maximum():
    opt = BayesianOptimizer([(0.0, 1.0)], maximize=True, n_initial_points=5, random_state=0)
    for x, y in zip([0.1, 0.2, 0.3, 0.4], [1.0, 3.0, 2.0, 4.0], strict=True):
        opt.tell([x], y)
    display = ConvergenceDisplay.from_result(opt.result(), true_minimum=5.0, log_regret=False)
    assert display.maximize
    np.testing.assert_allclose(display.lines_[None].get_ydata(), [4.0, 2.0, 2.0, 1.0])


def test_arrays_of_maximised_values_join_maximisation_results():
    scores = OptimizeResult(func_vals=np.array([0.5, 0.7, 0.6]), maximize=True)
    display = ConvergenceDisplay.from_results({"bayes": [scores], "random": [[0.6, 0.55, 0.8]]})
    assert display.maximize
    np.testing.assert_allclose(display.lines_["random"].get_ydata(), [0.6, 0.6, 0.8])
    alone = ConvergenceDisplay.from_result([0.6, 0.55, 0.8], maximize=True)
    np.testing.assert_allclose(alone.lines_[None].get_ydata(), [0.6, 0.6, 0.8])


def test_infeasible_results_never_improve_the_best():
    result = OptimizeResult(
        func_vals=np.array([3.0, 0.0, 2.0]),
        constraints=np.array([[1.0], [-1.0], [0.5]]),
        maximize=False,
    )
    display = ConvergenceDisplay.from_result(result)
    np.testing.assert_array_equal(display.lines_[None].get_ydata(), [3.0, 3.0, 2.0])


def test_results_of_minimize():
    branin = [(-5.0, 10.0), (0.0, 15.0)]

    def f(x):
        return (x[0] - 1.0) ** 2 + (x[1] - 2.0) ** 2

    # The initial design only: no model fit, cheap.
    runs = [
        minimize(f, branin, n_calls=6, n_initial_points=6, random_state=seed) for seed in (0, 1)
    ]
    display = ConvergenceDisplay.from_results({"design": runs}, true_minimum=0.0)
    curves = np.array([np.minimum.accumulate(run.func_vals) for run in runs])
    np.testing.assert_allclose(
        display.lines_["design"].get_ydata(), np.median(np.log10(curves), axis=0)
    )


@pytest.mark.parametrize(
    ("results", "kwargs", "error", "message"),
    [
        ([], {}, ValueError, "at least one run"),
        ({}, {}, ValueError, "at least one series"),
        ([[1.0, 2.0], [[1.0]]], {}, ValueError, r"run 1 has shape \(1, 1\)"),
        ([object()], {}, TypeError, "run 0 is a object"),
        (
            [OptimizeResult(func_vals=np.ones(2), maximize=True), OptimizeResult(func_vals=[1.0])],
            {},
            ValueError,
            "mix minimisation and maximisation",
        ),
        (
            {
                "a": [OptimizeResult(func_vals=np.ones(2), maximize=True)],
                "b": [OptimizeResult(func_vals=np.ones(2), maximize=False)],
            },
            {},
            ValueError,
            "mix minimisation and maximisation",
        ),
        (
            [OptimizeResult(func_vals=np.ones(2), maximize=True)],
            {"maximize": False},
            ValueError,
            "contradict maximize=False",
        ),
        ([[1.0, 2.0]], {"true_minimum": np.inf}, ValueError, "true_minimum must be finite"),
    ],
)
def test_bad_input(results, kwargs, error, message):
    with pytest.raises(error, match=message):
        ConvergenceDisplay.from_results(results, **kwargs)
    assert plt.get_fignums() == []  # nothing was drawn


def test_the_display_is_discovered():
    assert ("ConvergenceDisplay", ConvergenceDisplay) in all_displays()


def test_matplotlib_is_imported_lazily():
    code = (
        "import sys, statkit.optimize\n"
        "assert 'matplotlib' not in sys.modules, 'statkit.optimize imported matplotlib'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
