"""fetch_cmapss: NASA C-MAPSS FD001 from the data home."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from statkit.datasets import DataNotFoundError, fetch_cmapss, get_data_home

FEATURES = [
    "unit",
    "cycle",
    "setting_1",
    "setting_2",
    "setting_3",
    *(f"sensor_{i}" for i in range(1, 22)),
]


@pytest.fixture(scope="module")
def cmapss():
    return fetch_cmapss("FD001")


def _check_units(table, n_units):
    units, cycles = table[:, 0], table[:, 1]
    assert_array_equal(np.unique(units), np.arange(1, n_units + 1))
    # each unit is one contiguous block, in order, with cycles 1..n
    assert (np.diff(units) >= 0).all()
    for unit in range(1, n_units + 1):
        assert_array_equal(cycles[units == unit], np.arange(1, (units == unit).sum() + 1))


@pytest.mark.data("cmapss")
def test_shapes_and_counts(cmapss):
    assert cmapss.feature_names == FEATURES
    assert cmapss.train.shape == (20631, 26)
    assert cmapss.test.shape == (13096, 26)
    assert cmapss.train.dtype == cmapss.test.dtype == np.float64
    _check_units(cmapss.train, 100)
    _check_units(cmapss.test, 100)
    assert cmapss.rul.shape == (100,)
    assert cmapss.rul.dtype.kind == "i"
    assert (cmapss.rul > 0).all()
    assert cmapss.rul[:3].tolist() == [112, 98, 69]
    assert "FD001" in cmapss.DESCR
    assert "Saxena" in cmapss.DESCR


@pytest.mark.data("cmapss")
def test_rows_match_the_files(cmapss):
    folder = get_data_home() / "cmapss"
    for name, table in (("train", cmapss.train), ("test", cmapss.test)):
        with open(folder / f"{name}_FD001.txt") as f:
            first = [float(v) for v in f.readline().split()]
        assert len(first) == 26
        assert table[0].tolist() == first
    assert cmapss.train[0, :5].tolist() == [1.0, 1.0, -0.0007, -0.0004, 100.0]
    last_rul = (folder / "RUL_FD001.txt").read_text().split()[-1]
    assert cmapss.rul[-1] == int(last_rul)


@pytest.mark.data("cmapss")
def test_as_frame(cmapss):
    frames = fetch_cmapss(as_frame=True)
    for name in ("train", "test"):
        frame = frames[name]
        assert list(frame.columns) == FEATURES
        assert frame["unit"].dtype == frame["cycle"].dtype == np.int64
        assert frame["sensor_1"].dtype == np.float64
        assert_array_equal(frame.to_numpy(dtype=float), cmapss[name])
    assert_array_equal(frames.rul, cmapss.rul)


@pytest.mark.parametrize("subset", ["FD002", "FD004", "fd001", 1])
def test_unsupported_subset(subset, tmp_path):
    with pytest.raises(ValueError, match=r"subset must be one of \['FD001'\]"):
        fetch_cmapss(subset, data_home=tmp_path)


def test_missing_files(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"cmapss/train_FD001\.txt") as info:
        fetch_cmapss(data_home=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "cmapss" / "train_FD001.txt") in message
    assert "STATKIT_DATA" in message
    assert "cmapss/RUL_FD001.txt" in message  # the whole data set is listed
