"""The ``data`` marker of tests/conftest.py: skip without the data, fail when it is required."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).parent / "conftest.py").read_text()

TEST_FILE = """
import pytest

@pytest.mark.data("cmapss")
def test_needs_cmapss():
    pass
"""


@pytest.fixture
def suite(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\nmarkers =\n    data(name): needs a data set\n")
    pytester.makepyfile(TEST_FILE)
    return pytester


def test_missing_data_skips_with_a_reason(suite, monkeypatch, tmp_path):
    monkeypatch.setenv("STATKIT_DATA", str(tmp_path / "empty"))
    monkeypatch.delenv("STATKIT_REQUIRE_DATA", raising=False)
    result = suite.runpytest_subprocess("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*data set 'cmapss' is not available*train_FD001.txt*"])


def test_missing_data_fails_when_required(suite, monkeypatch, tmp_path):
    monkeypatch.setenv("STATKIT_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("STATKIT_REQUIRE_DATA", "1")
    result = suite.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*STATKIT_REQUIRE_DATA=1 but data set 'cmapss'*"])


@pytest.mark.data("cmapss")
def test_present_data_runs(suite, monkeypatch):
    monkeypatch.delenv("STATKIT_REQUIRE_DATA", raising=False)
    suite.runpytest_subprocess().assert_outcomes(passed=1)


def test_a_bad_require_data_value_stops_the_run(suite, monkeypatch):
    monkeypatch.setenv("STATKIT_REQUIRE_DATA", "sometimes")
    result = suite.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*STATKIT_REQUIRE_DATA environment variable must be one of*"])
