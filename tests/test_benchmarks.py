"""The benchmark harness (the benchmarks themselves run outside CI)."""

import json
import shutil
import subprocess
import sys

import pytest

from benchmarks.__main__ import available, main
from benchmarks._harness import ROOT, Benchmark, git_state, time_repeats


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


def test_extra_columns_and_summary(tmp_path):
    bench = Benchmark("demo", quality_name="rmse", summary="| pivot |\n|---|")
    bench.add("a", [1.0], quality=0.5, columns={"epsilon": 0.5, "dp": "yes"})
    bench.add("b", [2.0], anchor=True, quality=0.25, columns={"epsilon": 1.0})
    assert bench.column_names() == ["epsilon", "dp"]
    table = bench.markdown().splitlines()
    assert table[0] == (
        "| method | anchor | rmse (lower is better) | epsilon | dp | median s | runs "
        "| ratio to best anchor | note |"
    )
    assert table[2] == "| a |  | 0.5 | 0.5 | yes | 1 | 1 | 0.500 |  |"
    assert table[3] == "| b | yes | 0.25 | 1 |  | 2 | 1 | 1.000 |  |"
    assert table[-2:] == ["| pivot |", "|---|"]
    saved = json.loads(bench.save(tmp_path).read_text())
    assert saved["rows"][0]["columns"] == {"epsilon": 0.5, "dp": "yes"}
    assert saved["summary"].startswith("| pivot |")


def test_cli_saves_every_table_of_a_multi_table_benchmark(monkeypatch, tmp_path, capsys):
    import types

    import benchmarks.__main__ as cli
    from benchmarks import _harness as harness

    def run(quick, repeats):
        tables = [Benchmark("multi_one"), Benchmark("multi_two")]
        for bench in tables:
            bench.add("statkit", [float(repeats)])
        return tables

    module = types.SimpleNamespace(DESCRIPTION="two tables", run=run)
    monkeypatch.setitem(sys.modules, "benchmarks.multi", module)
    monkeypatch.setattr(cli, "available", lambda: {"multi": "two tables"})
    monkeypatch.setattr(harness, "RESULTS", tmp_path)
    assert main(["multi", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "## multi_one" in out
    assert "## multi_two" in out
    assert json.loads((tmp_path / "multi_two.json").read_text())["rows"][0]["times"] == [3.0]
    assert (tmp_path / "multi_one.md").exists()


def test_json_records_the_git_commit(tmp_path):
    saved = json.loads(Benchmark("demo").save(tmp_path).read_text())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if shutil.which("git") is None or head.returncode != 0:
        assert saved["git"] == {"commit": None, "dirty": None}
    else:
        assert saved["git"]["commit"] == head.stdout.strip()
        assert saved["git"]["dirty"] in (True, False)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_state_of_a_checkout(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("add", "code.py")
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    git(*identity, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "one")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_state(tmp_path) == {"commit": head, "dirty": False}
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "benchmarks" / "results" / "demo.json").write_text("{}\n")
    assert git_state(tmp_path) == {"commit": head, "dirty": False}
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_state(tmp_path) == {"commit": head, "dirty": True}


def test_git_state_without_git_or_outside_a_checkout(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert git_state(tmp_path) == {"commit": None, "dirty": None}
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert git_state(ROOT) == {"commit": None, "dirty": None}
