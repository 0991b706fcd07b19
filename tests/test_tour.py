import subprocess
import sys

import pytest

from statkit import _tour
from statkit.__main__ import main
from statkit._tour import TourResult, TourSection, registered_sections, run_tour


def _figure_section(context):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    return TourResult(
        summary={"rmse": 0.0123456, "n": 228},
        figures={"curve": fig},
        text="A demonstration <with markup>.",
        notes=["CMAPSS not found; ran on the embedded synthetic default."],
    )


def _broken_section(context):
    raise RuntimeError("boom")


FIGURE = TourSection("figure", "Figure section", _figure_section)
BROKEN = TourSection("broken", "Broken section", _broken_section)


def test_run_tour_writes_report_and_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    outcomes = run_tour(tmp_path, sections=[FIGURE, BROKEN], quick=True, random_state=3)
    assert [o.error is None for o in outcomes] == [True, False]
    assert "RuntimeError: boom" in outcomes[1].error
    assert (tmp_path / "figure-curve.png").read_bytes()[:4] == b"\x89PNG"
    report = (tmp_path / "index.html").read_text()
    assert "figure-curve.png" in report
    assert "&lt;with markup&gt;" in report
    assert "embedded synthetic default" in report
    assert "RuntimeError: boom" in report
    out = capsys.readouterr().out
    assert "| Figure section | ok |" in out
    assert "rmse=0.01235, n=228" in out
    assert "| Broken section | failed |" in out
    assert "note (figure): CMAPSS not found" in out


def test_sections_receive_the_context(tmp_path):
    seen = []
    section = TourSection("ctx", "Context", lambda context: seen.append(context) or TourResult())
    run_tour(tmp_path, sections=[section], quick=True, random_state=7, data_home="/d", verbose=0)
    assert (seen[0].quick, seen[0].random_state, seen[0].data_home) == (True, 7, "/d")


def test_only_selects_sections(tmp_path):
    outcomes = run_tour(tmp_path, sections=[FIGURE, BROKEN], only=["broken"], verbose=0)
    assert [o.section.name for o in outcomes] == ["broken"]
    with pytest.raises(ValueError, match=r"Unknown tour sections \['nope'\]; registered: figure"):
        run_tour(tmp_path, sections=[FIGURE, BROKEN], only=["nope"], verbose=0)


def test_tour_with_no_sections_says_so(tmp_path, capsys):
    assert run_tour(tmp_path, sections=[]) == []
    assert "No tour sections are registered yet" in capsys.readouterr().out
    assert "No tour sections are registered yet" in (tmp_path / "index.html").read_text()


def test_registered_sections_are_tour_sections():
    sections = registered_sections()
    assert all(isinstance(s, TourSection) for s in sections)
    assert len({s.name for s in sections}) == len(sections)


def test_cli_tour_exit_code_reflects_failures(tmp_path, monkeypatch):
    monkeypatch.setattr(_tour, "registered_sections", lambda: [BROKEN])
    assert main(["tour", "--output-dir", str(tmp_path), "--quick"]) == 1
    monkeypatch.setattr(_tour, "registered_sections", lambda: [])
    assert main(["tour", "--output-dir", str(tmp_path)]) == 0


def test_cli_info():
    result = subprocess.run(
        [sys.executable, "-m", "statkit", "info"], capture_output=True, text=True, check=True
    )
    assert "Backends:" in result.stdout
    assert "numba:" in result.stdout


def test_cli_tour_runs_every_registered_section(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "statkit", "tour", "--quick", "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "index.html").exists()
    assert "Report written to" in result.stdout


def test_cli_requires_a_command(capsys):
    with pytest.raises(SystemExit):
        main([])
    assert "tour" in capsys.readouterr().err
