"""A fast smoke test of the size protocol of ``benchmarks/dp_km_logrank.py``."""

import numpy as np

from benchmarks.dp_km_logrank import calibrated_level, clopper_pearson, size_trials
from statkit.datasets import load_lung


def test_size_trials_on_lung_gives_rates_in_range():
    lung = load_lung()
    time, event = lung.time.astype(np.float64), lung.event.astype(bool)
    tally = size_trials(time, event, 1100.0, (1.0,), 30)
    assert tally.n == 30
    rates = tally.rates(1.0)
    for key in ("bootstrap", "naive", "exact", "cp_low", "cp_high"):
        assert 0.0 <= rates[key] <= 1.0
    assert rates["cp_low"] <= rates["bootstrap"] <= rates["cp_high"]
    assert rates["exact"] <= 0.25
    assert len(tally.block_seconds(1.0)) == 1


def test_clopper_pearson_and_calibrated_level():
    assert clopper_pearson(0, 10)[0] == 0.0
    assert clopper_pearson(10, 10)[1] == 1.0
    low, high = clopper_pearson(100, 2000)
    assert low < 0.05 < high
    assert calibrated_level(0.05, 199) == 0.045
    assert calibrated_level(0.05, 999) == 0.049
