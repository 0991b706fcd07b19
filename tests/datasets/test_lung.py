"""load_lung: the shipped NCCTG lung data equal lifelines' copy."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from statkit.datasets import load_lung

COLUMNS = [
    "inst",
    "time",
    "status",
    "age",
    "sex",
    "ph.ecog",
    "ph.karno",
    "pat.karno",
    "meal.cal",
    "wt.loss",
]


@pytest.fixture(scope="module")
def lifelines_lung():
    datasets = pytest.importorskip("lifelines.datasets")
    return datasets.load_lung()


def test_arrays():
    lung = load_lung()
    assert lung.time.shape == lung.event.shape == lung.status.shape == (228,)
    assert lung.time.dtype == np.float64
    assert lung.event.dtype == np.bool_
    assert lung.status.dtype.kind == "i"
    assert lung.data.shape == (228, 8)
    assert lung.data.dtype == np.float64
    assert lung.feature_names == [c for c in COLUMNS if c not in ("time", "status")]
    assert lung.frame is None
    # 1 = death, 0 = censored
    assert set(np.unique(lung.status)) == {0, 1}
    assert_array_equal(lung.event, lung.status == 1)
    assert int(lung.event.sum()) == 165
    assert int((~lung.event).sum()) == 63
    # NaN only in covariates
    assert np.isfinite(lung.time).all()
    assert (lung.time > 0).all()
    assert np.isnan(lung.data).sum() == 67
    assert lung.data[0].tolist()[:7] == [3.0, 74.0, 1.0, 1.0, 90.0, 100.0, 1175.0]
    assert np.isnan(lung.data[0, 7])
    assert lung.time[:3].tolist() == [306.0, 455.0, 1010.0]


def test_frame_equals_lifelines(lifelines_lung):
    import pandas as pd

    frame = load_lung(as_frame=True).frame
    assert list(frame.columns) == COLUMNS
    pd.testing.assert_frame_equal(frame, lifelines_lung)


def test_arrays_match_lifelines(lifelines_lung):
    lung = load_lung()
    assert_array_equal(lung.time, lifelines_lung["time"].to_numpy(dtype=float))
    assert_array_equal(lung.status, lifelines_lung["status"].to_numpy())
    assert_array_equal(lung.event, lifelines_lung["status"].to_numpy() == 1)
    assert_array_equal(lung.data, lifelines_lung[lung.feature_names].to_numpy(dtype=float))


def test_loads_are_independent():
    first = load_lung()
    first.data[:] = 0.0
    first.time[:] = 0.0
    second = load_lung()
    assert second.time[0] == 306.0
    assert second.data[0, 1] == 74.0


def test_descr():
    descr = load_lung().DESCR
    for words in ("NCCTG", "Loprinzi", "1994", "survival", "days", "1 = death", "0 = censored"):
        assert words in descr
    for column in COLUMNS:
        assert column in descr
