"""The iLA-SDP benchmark (``benchmarks/ila_sdp.py``), on its tiny configuration."""

import numpy as np
import pytest

pytest.importorskip("cvxpy")

from benchmarks import ila_sdp as bench
from benchmarks.__main__ import available

TINY = bench.TINY


def test_listed():
    assert available()["ila_sdp"] == bench.DESCRIPTION


@pytest.mark.parametrize("setting", ["B", "C"])
def test_overlapping_settings(setting):
    means, covariances = bench.overlapping_parameters(setting)
    p = {"B": 10, "C": 20}[setting]
    assert means.shape == (3, p)
    assert covariances.shape == (3, p, p)
    assert all(np.linalg.eigvalsh(cov).min() > 0 for cov in covariances)
    X, y = bench.make_setting(setting, 7, 0)
    assert X.shape == (21, p)
    assert np.bincount(y).tolist() == [7, 7, 7]


def test_setting_a_verdict():
    mean = {"ila": 0.02, "ila_km": 0.5, "pw": 0.03, "km": 0.03, "gmm": 0.016, "gmm_random": 0.3}
    assert bench.setting_a_verdict(mean) == "PASS"
    mean.update(gmm=0.01, km=0.02)  # a tie is not "below"
    assert bench.setting_a_verdict(mean) == "MISS (not below KMeans, GMM + 0.005)"


def test_fresh_process_stops_at_the_timeout():
    job = {"kind": "fit", "n": 300, "repeats": 1, "sketch_size": None, "warm_up": False}
    assert bench.in_fresh_process(job, timeout=0.5) is None


def test_accuracy_table():
    table = bench.accuracy(TINY)
    assert table.name == "ila_sdp_accuracy"
    assert len(table.rows) == len(TINY["accuracy"]) * len(bench.METHODS)
    assert all(0.0 <= row.quality <= 1.0 for row in table.rows)
    assert all(-1.0 <= row.columns["mean ARI"] <= 1.0 for row in table.rows)
    notes = [row.note for row in table.rows if row.method == "ILASDP"]
    assert notes[0].startswith(("PASS", "MISS"))  # setting A carries the target
    assert notes[1:] == ["report"] * (len(TINY["accuracy"]) - 1)
    assert "| setting | K | n_k | seeds | ila |" in table.summary


def test_speed_table():
    table = bench.speed(TINY, 1)
    rows = {row.method + f" n={row.columns['n']}": row for row in table.rows}
    assert "numba cache off" in table.rows[0].method
    assert all(row.columns["peak RSS MiB"] > 0 for row in table.rows[:5])
    assert rows["ILASDP n=600"].note.startswith(("PASS", "MISS"))
    assert rows["ILASDP(sketch_size=300) n=3000"].quality < 0.1
    for sdp in ("Peng–Wei SDP", "LA-SDP (true covariances)"):
        assert rows[f"{sdp}, cvxpy n=45"].median > 0
        assert abs(rows[f"{sdp}, BM n=45"].columns["objective gap to cvxpy"]) < 1e-2
        assert rows[f"{sdp}, cvxpy n=900"].note.startswith("skipped")
    assert "log-log slope" in table.summary
    assert "error gap sketched − full" in table.summary
