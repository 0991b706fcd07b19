"""The survival family's tour section runs quickly and reports sensible numbers."""

import math

import pytest

from statkit._tour import registered_sections, run_tour
from statkit.survival._tour import EPSILONS, SECTIONS

pytest.importorskip("matplotlib")


def test_survival_section_is_registered():
    assert [s.name for s in SECTIONS] == ["dp_km"]
    assert SECTIONS[0] in registered_sections()


def test_survival_section_runs_quickly(tmp_path):
    (outcome,) = run_tour(tmp_path, sections=SECTIONS, quick=True, random_state=0, verbose=0)
    assert outcome.error is None, outcome.error
    assert outcome.figure_files == ["dp_km-curves.png", "dp_km-arms.png"]
    for name in outcome.figure_files:
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    summary = outcome.result.summary
    assert summary["n_patients"] == 228
    assert summary["km_median_days"] == 310.0
    for eps in EPSILONS:
        # The spec's targets on lung are RMSE <= 0.04 at ε = 0.5 and <= 0.015 at ε = 10;
        # one seeded release is checked against a looser bound.
        assert 0 < summary[f"rmse_eps{eps:g}"] < 0.05
        assert math.isclose(summary[f"median_eps{eps:g}_days"], 310.0, rel_tol=0.2)
    assert 0 < summary["rmse_eps1_no_t_max"] < 0.06
    # Men and women differ (exact p = 0.0013); the private test at ε = 1 sees it too.
    assert summary["exact_logrank_p"] < 0.01
    assert 0 < summary["dp_logrank_p_eps1"] < 0.05
    assert any("add/remove-one" in note for note in outcome.result.notes)
    assert any("t_max=1100" in note for note in outcome.result.notes)


def test_survival_section_is_reproducible(tmp_path):
    first, second = (
        run_tour(tmp_path / name, sections=SECTIONS, quick=True, random_state=5, verbose=0)[0]
        for name in ("a", "b")
    )
    assert first.result.summary == second.result.summary
