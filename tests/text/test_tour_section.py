"""The text family's tour section runs quickly on the topic corpus."""

import pytest

from statkit._tour import registered_sections, run_tour
from statkit.text._tour import MARGINS, SECTIONS

pytest.importorskip("matplotlib")


def test_text_section_is_registered():
    assert [s.name for s in SECTIONS] == ["ss3"]
    assert SECTIONS[0] in registered_sections()


@pytest.mark.data("topics")
def test_text_section_runs_and_reports(tmp_path):
    (outcome,) = run_tour(tmp_path, sections=SECTIONS, quick=True, random_state=0, verbose=0)
    assert outcome.error is None, outcome.error
    assert outcome.figure_files == ["ss3-streams.png"]
    summary = outcome.result.summary
    for margin in MARGINS:
        assert 0 <= summary[f"erde5_margin{margin:g}"] <= 1
        assert summary[f"erde50_margin{margin:g}"] <= summary[f"erde5_margin{margin:g}"]
    (fragment,) = outcome.result.html.values()
    assert 'class="ss3-word"' in fragment
    report = (tmp_path / "index.html").read_text()
    assert 'class="ss3-explanation"' in report  # the highlight is shown, not escaped
