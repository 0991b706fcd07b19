"""The benchmark harness (the benchmarks themselves run outside CI)."""

import json

import pytest

from benchmarks.__main__ import available, main
from benchmarks._harness import Benchmark, time_repeats


def test_time_repeats_counts_calls():
    calls = []
    times = time_repeats(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(times) == 4
    assert len(calls) == 6
    assert all(t >= 0 for t in times)


def test_ratios_markdown_and_json(tmp_path):
    bench = Benchmark("demo", quality_name="rmse", params={"n": 10})
    bench.add("statkit", [1.0, 3.0, 2.0], quality=0.01)
    bench.add("slow anchor", [8.0, 8.0, 8.0], anchor=True, quality=0.02)
    bench.add("fast anchor", [4.0, 4.0, 5.0], anchor=True, quality=0.03, note="n/a")
    assert bench.best_anchor().method == "fast anchor"
    assert bench.ratio(bench.rows[0]) == pytest.approx(0.5)
    table = bench.markdown().splitlines()
    assert table[0].startswith("| method | anchor | rmse (lower is better) | median s |")
    assert table[2] == "| statkit |  | 0.01 | 2 | 3 | 0.500 |  |"
    path = bench.save(tmp_path)
    saved = json.loads(path.read_text())
    assert saved["rows"][0]["ratio_to_best_anchor"] == pytest.approx(0.5)
    assert saved["params"] == {"n": 10}
    assert (tmp_path / "demo.md").read_text().startswith("| method")


def test_measure_evaluates_quality_after_timing():
    bench = Benchmark("demo")
    state = {"n": 0}

    def work():
        state["n"] += 1

    bench.measure("statkit", work, repeats=3, quality=lambda: state["n"])
    assert bench.rows[0].quality == 4
    assert bench.ratio(bench.rows[0]) is None


def test_cli_lists_benchmarks(capsys):
    assert "import_time" in available()
    assert main([]) == 0
    assert "import_time" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["no_such_benchmark"])
