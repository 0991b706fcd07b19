import pytest

import statkit
from statkit.utils._progress import ConvergenceMonitor, progress_bar

pytestmark = pytest.mark.nojit


def test_monitor_converges_on_small_change():
    monitor = ConvergenceMonitor(tol=0.01, max_iter=10)
    assert not monitor.converged
    monitor.report(5.0)
    assert not monitor.converged
    monitor.report(4.0)
    assert not monitor.converged
    monitor.report(4.005)
    assert monitor.converged
    assert monitor.history == [5.0, 4.0, 4.005]
    assert monitor.iter == 3


def test_monitor_stops_at_max_iter():
    monitor = ConvergenceMonitor(tol=1e-9, max_iter=3)
    for value in (1.0, 2.0, 3.0):
        monitor.report(value)
    assert monitor.converged
    monitor.reset()
    assert monitor.history == []
    assert not monitor.converged
    assert "iter=0" in repr(monitor)


def test_monitor_verbose_prints_to_stderr(capsys):
    monitor = ConvergenceMonitor(tol=0.1, max_iter=5, verbose=1, name="log-likelihood")
    monitor.report(-10.0)
    monitor.report(-9.5)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 2
    assert "log-likelihood" in lines[1]
    assert "+0.5" in lines[1]


def test_monitor_silent_by_default(capsys):
    monitor = ConvergenceMonitor(tol=0.1, max_iter=5)
    monitor.report(1.0)
    assert capsys.readouterr().err == ""


def test_progress_bar_only_when_wanted():
    items = [1, 2, 3]
    assert progress_bar(items, verbose=0) is items
    with statkit.config_context(show_progress=False):
        assert progress_bar(items, verbose=1) is items


def test_progress_bar_uses_tqdm(capsys):
    pytest.importorskip("tqdm")
    bar = progress_bar(range(4), verbose=1, desc="fitting", tqdm_kwds={"leave": True})
    assert type(bar).__module__.startswith("tqdm")
    assert list(bar) == [0, 1, 2, 3]
    assert "fitting" in capsys.readouterr().err
