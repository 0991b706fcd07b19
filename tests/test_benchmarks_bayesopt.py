"""The Bayesian-optimization benchmark (``benchmarks/bayesopt.py``), on its tiny configuration."""

import io
import json

import numpy as np
import pytest

pytest.importorskip("skopt")
pytest.importorskip("bayes_opt")

from benchmarks import bayesopt as bench
from benchmarks.__main__ import available

TINY = bench.TINY


def test_listed():
    assert available()["bayesopt"] == bench.DESCRIPTION


def test_selected_sections(monkeypatch):
    monkeypatch.delenv(bench.SECTIONS_VARIABLE, raising=False)
    assert bench.selected_sections() == list(bench.SECTIONS)
    monkeypatch.setenv(bench.SECTIONS_VARIABLE, " noisy, quality ")
    assert bench.selected_sections() == ["quality", "noisy"]  # the module's order
    with pytest.raises(ValueError, match="unknown sections"):
        bench.selected_sections("quality,speed")


def test_initial_design_is_the_same_per_seed_and_inside_the_bounds():
    f = bench.make_function("branin")
    design = bench.initial_design(f.bounds, 3)
    assert len(design) == bench.N_DESIGN
    assert design == bench.initial_design(f.bounds, 3)
    assert design != bench.initial_design(f.bounds, 4)
    low, high = np.asarray(f.bounds).T
    assert np.all((np.asarray(design) >= low) & (np.asarray(design) <= high))


def test_hartmann6_local_minimiser():
    f = bench.make_function("hartmann6")
    local = bench._hartmann6_local_minimiser()
    assert f(local) == pytest.approx(f.local_minimum, abs=1e-4)
    assert bench.log10_regret([f(local)], f.minimum) > np.log10(bench.STUCK_REGRET)


def test_log10_regret():
    assert bench.log10_regret([3.0, 1.01, 2.0], 1.0) == pytest.approx(-2.0)
    assert bench.log10_regret([3.0, 1.01, 2.0], 1.0, t=1) == pytest.approx(np.log10(2.0))
    assert bench.log10_regret([1.0], 1.0) == np.log10(bench.REGRET_FLOOR)


def test_recorder_keeps_the_noise_free_values():
    recorder = bench.Recorder(lambda x: x[0], sigma=1.0, seed=0, sign=-1.0)
    returned = [recorder([v]) for v in (1.0, 2.0)]
    assert recorder.values == [1.0, 2.0]
    assert returned != [-1.0, -2.0]  # noisy and negated
    slow = bench.Recorder(lambda x: x[0], limit=0.0, budget=4)
    slow([0.0])
    with pytest.raises(bench.TooSlow):
        slow([0.0])


def test_every_method_uses_the_budget_and_the_design():
    for method in bench.METHODS:
        run = bench.quality_run(method, "branin", 12, 0)
        assert len(run["values"]) <= 12
        design = bench.initial_design(bench.make_function("branin").bounds, 0)
        assert np.allclose(run["points"][: len(design)], design), method
        if method != "bayes_opt":  # bayes_opt skips a point it proposes twice
            assert len(run["values"]) == 12, method


def test_quality_table():
    table = bench.quality(TINY)
    assert table.name == "bayesopt_quality"
    assert len(table.rows) == len(TINY["quality"]) * len(bench.METHODS)
    assert all(row.quality <= 1.5 for row in table.rows)
    statkit = [row for row in table.rows if row.method == bench.METHODS["statkit"]]
    assert all(row.note.startswith("not checked") for row in statkit)
    hartmann = [row for row in table.rows if row.columns["function"] == "hartmann6"]
    assert all("near local minimiser" in row.columns for row in hartmann)
    assert "| function | budget | statkit | skopt | bayes_opt | random |" in table.summary


def test_slow_anchor_is_skipped():
    config = {**TINY, "anchor_limit": 1e-3}
    runs, note = bench._runs("bayes_opt", "levy10", 20, 2, config)
    assert runs == []
    assert note.startswith("skipped: seed 0 projected")


def test_noisy_table():
    table = bench.noisy(TINY)  # the rows on seed 0, the reported ones on seeds 0-1
    names = list(bench.NOISY_ACQUISITIONS.values())
    assert [row.method for row in table.rows] == names + [f"{n}, seeds 0-1" for n in names]
    for row, acquisition in zip(table.rows[:3], bench.NOISY_ACQUISITIONS, strict=True):
        assert (row.note == "not available") != bench.acquisition_available(acquisition)
    assert table.rows[0].quality is not None
    assert table.rows[0].columns["runs that left a basin"] in (0, 1)
    assert [row.columns["seeds"] for row in table.rows] == [1, 1, 1, 2, 2, 2]
    json.dumps([row.columns for row in table.rows])  # the results file takes them
    # The target rows are the first seed of the reported runs.
    assert table.rows[3].times[0] == table.rows[0].times[0]
    assert "* kg:" in table.summary
    assert "paired bootstrap interval" in table.summary


def test_median_difference_resamples_seeds_in_pairs():
    rng = np.random.default_rng(0)
    baseline = np.arange(9.0)
    difference, low, high = bench._median_difference(baseline - 1.0, baseline, rng)
    assert difference == low == high == -1.0  # a constant shift survives every paired resample
    difference, low, high = bench._median_difference(baseline[::-1], baseline, rng)
    assert difference == 0.0
    assert low < 0.0 < high


def test_overhead_table():
    table = bench.overhead(TINY, 2)
    assert len(table.rows) == 4
    assert all(row.median > 0 and len(row.times) == 2 for row in table.rows)
    assert table.rows[1].method == "statkit ask, a basin excluded (logEI)"
    assert "not measured in this configuration" in table.summary


def test_batch_table():
    table = bench.batch(TINY)
    assert len(table.rows) == 4
    assert all(row.columns["seeds"] == 1 for row in table.rows)
    assert all(row.note.startswith(("PASS", "MISS")) for row in table.rows[1:])
    assert "not the issue's settings" in table.summary


def test_search_table():
    table = bench.search(TINY)
    statkit, anchor = table.rows
    assert statkit.method == "statkit BayesSearchCV"
    assert anchor.anchor
    assert 0.5 < statkit.quality <= 1.0
    assert statkit.note in ("PASS", "MISS")
    assert statkit.columns["runs that left a basin"] in (0, 1)


def test_gpu_table():
    from statkit.utils._array_api import gpu_available

    if gpu_available():
        pytest.skip("a GPU is present: the GPU check runs in the benchmark itself")
    table = bench.gpu(TINY)
    assert table.rows[0].note == "not measured (no GPU)"


def test_estimates():
    for section in bench.SECTIONS:
        assert bench.estimate_seconds(bench.FULL, section) > 0
    quick = sum(bench.estimate_seconds(bench.QUICK, s) for s in bench.SECTIONS)
    full = sum(bench.estimate_seconds(bench.FULL, s) for s in bench.SECTIONS)
    assert quick < full / 10
    stream = io.StringIO()
    bench.print_estimates(bench.FULL, ["quality", "gpu"], stream)
    assert "quality" in stream.getvalue()
    assert "total" in stream.getvalue()


def test_defaults_rows_and_the_shared_design_row():
    from statkit.optimize import minimize

    table = bench.defaults(TINY)
    plain, shared = table.rows
    assert plain.method == "statkit minimize (every default)"
    assert shared.method == "statkit minimize(x0=shared design)"
    assert "shared designs" in shared.note
    assert shared.columns["seeds"] == "0-0"
    # The shared row is the run from quality's design of the seed.
    f = bench.make_function("branin")
    result = minimize(f, f.bounds, n_calls=12, x0=bench.initial_design(f.bounds, 0), random_state=0)
    assert shared.quality == bench.log10_regret(list(result.func_vals), f.minimum)
    assert shared.quality != plain.quality


def test_run_sections_follows_the_variable(monkeypatch):
    monkeypatch.setenv(bench.SECTIONS_VARIABLE, "gpu")
    tables = bench.run_sections(TINY, 1)
    assert [table.name for table in tables] == ["bayesopt_gpu"]
    assert tables[0].params["section estimate seconds"] > 0
