"""The reusable-holdout tour section runs quickly and shows the standard holdout overfitting."""

import pytest

from statkit._tour import registered_sections, run_tour
from statkit.model_selection._tour import SECTIONS

pytest.importorskip("matplotlib")


def test_holdout_section_is_registered():
    assert [s.name for s in SECTIONS] == ["holdout"]
    assert SECTIONS[0] in registered_sections()


def test_holdout_section_runs_quickly_and_is_reproducible(tmp_path):
    first, second = (
        run_tour(tmp_path / name, sections=SECTIONS, quick=True, random_state=3, verbose=0)[0]
        for name in ("a", "b")
    )
    assert first.error is None, first.error
    assert first.figure_files == ["holdout-science.png"]
    assert (tmp_path / "a" / "holdout-science.png").read_bytes()[:4] == b"\x89PNG"
    summary = first.result.summary
    # n = 1,000 and 4 repetitions: the standard holdout's bias is about 0.13, far above the
    # sampling sd of a mean gap (about 0.01); Thresholdout stays below its threshold 4/√n.
    assert summary["standard_max_gap"] > 0.08
    assert summary["thresholdout_max_gap"] < summary["threshold"]
    assert first.result.summary == second.result.summary
