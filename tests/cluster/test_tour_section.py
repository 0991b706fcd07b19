"""The cluster family's tour section runs quickly and shows EM from random starts trapped."""

import pytest

from statkit._tour import registered_sections, run_tour
from statkit.cluster._tour import SECTIONS

pytest.importorskip("matplotlib")


def test_cluster_section_is_registered():
    assert [s.name for s in SECTIONS] == ["ila_sdp"]
    assert SECTIONS[0] in registered_sections()


def test_cluster_section_runs_quickly_and_is_reproducible(tmp_path):
    first, second = (
        run_tour(tmp_path / name, sections=SECTIONS, quick=True, random_state=0, verbose=0)[0]
        for name in ("a", "b")
    )
    assert first.error is None, first.error
    assert first.figure_files == ["ila_sdp-clusters.png"]
    assert (tmp_path / "a" / "ila_sdp-clusters.png").read_bytes()[:4] == b"\x89PNG"
    summary = first.result.summary
    assert (summary["n_samples"], summary["n_data_sets"]) == (120, 2)
    # Setting A, 3 x 40 points: iLA-SDP's error is about 0.02 (the notes' anchor), while EM from
    # 10 random starts is trapped on 9 of 10 data sets (error about 0.35); the mean over the two
    # data sets is checked with a wide margin.
    assert summary["error_ila_sdp"] < 0.06
    assert summary["error_em_random"] > summary["error_ila_sdp"] + 0.15
    assert summary["em_random_trapped"] >= 1
    assert any("misclustering_error" in note for note in first.result.notes)
    assert first.result.summary == second.result.summary
