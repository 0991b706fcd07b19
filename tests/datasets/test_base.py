"""Data home, the checksum registry, verification errors and the digest cache."""

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from statkit.datasets import (
    ChecksumMismatchError,
    DataNotFoundError,
    _base,
    data_set_missing,
    fetch_cmapss,
    get_data_home,
    load_lung,
    load_rt_polarity,
)

# ---------------------------------------------------------------- get_data_home


def test_get_data_home_argument_wins_over_env(monkeypatch, tmp_path):
    monkeypatch.setenv("STATKIT_DATA", str(tmp_path / "from_env"))
    assert get_data_home(tmp_path / "from_arg") == tmp_path / "from_arg"
    assert get_data_home(str(tmp_path / "from_arg")) == tmp_path / "from_arg"


def test_get_data_home_env_wins_over_default(monkeypatch, tmp_path):
    monkeypatch.setenv("STATKIT_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == tmp_path / "from_env"


@pytest.mark.parametrize("env", [None, "", "  "])
def test_get_data_home_default(monkeypatch, tmp_path, env):
    monkeypatch.setenv("HOME", str(tmp_path))
    if env is None:
        monkeypatch.delenv("STATKIT_DATA", raising=False)
    else:
        monkeypatch.setenv("STATKIT_DATA", env)
    assert get_data_home() == tmp_path / "statkit_data"
    assert not (tmp_path / "statkit_data").exists()  # never created implicitly


def test_get_data_home_expands_user_and_makes_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert get_data_home("~/data") == tmp_path / "data"
    assert get_data_home("rel/../data") == tmp_path / "data"
    monkeypatch.setenv("STATKIT_DATA", "~/other")
    assert get_data_home() == tmp_path / "other"


# --------------------------------------------------------------------- registry


def test_registry_is_complete_and_well_formed():
    for relpath, digest in {**_base._SHA256, **_base._PACKAGE_SHA256}.items():
        assert re.fullmatch(r"[0-9a-f]{64}", digest), relpath
    for name, data_set in _base.DATA_SETS.items():
        assert data_set.files, name
        for relpath in data_set.files + data_set.optional:
            assert relpath in _base._SHA256, (name, relpath)
    registered = {f for s in _base.DATA_SETS.values() for f in s.files + s.optional}
    assert registered == set(_base._SHA256)
    assert len(_base.DATA_SETS["topics"].files) == 8


def test_shipped_lung_matches_recorded_digest():
    path = _base._PACKAGE_DATA / "lung.csv"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == _base._PACKAGE_SHA256["lung.csv"]


@pytest.mark.parametrize(
    "name",
    [pytest.param(name, marks=pytest.mark.data(name)) for name in sorted(_base.DATA_SETS)],
)
def test_recorded_digests_match_the_data(name):
    for relpath in _base.DATA_SETS[name].files:
        assert _base._verified_path(relpath).is_file()


# ------------------------------------------------------------- data_set_missing


def _touch(home, relpaths):
    for relpath in relpaths:
        path = home / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


@pytest.mark.parametrize("name", sorted(_base.DATA_SETS))
def test_data_set_missing_present(tmp_path, name):
    _touch(tmp_path, _base.DATA_SETS[name].files)
    assert data_set_missing(name, data_home=tmp_path) is None


def test_data_set_missing_reports_missing_files_and_data_home(tmp_path):
    files = _base.DATA_SETS["cmapss"].files
    _touch(tmp_path, files[:1])
    reason = data_set_missing("cmapss", data_home=tmp_path)
    assert "\n" not in reason
    assert str(tmp_path) in reason
    assert files[0] not in reason
    for relpath in files[1:]:
        assert relpath in reason
    assert "STATKIT_DATA" in reason


def test_data_set_missing_optional_file_not_required(tmp_path):
    _touch(tmp_path, _base.DATA_SETS["cmapss"].files)
    assert not (tmp_path / "cmapss" / "readme.txt").exists()
    assert data_set_missing("cmapss", data_home=tmp_path) is None


def test_data_set_missing_uses_env(monkeypatch, tmp_path):
    monkeypatch.setenv("STATKIT_DATA", str(tmp_path))
    assert str(tmp_path) in data_set_missing("topics")
    _touch(tmp_path, _base.DATA_SETS["topics"].files)
    assert data_set_missing("topics") is None


def test_data_set_missing_unknown_name():
    with pytest.raises(ValueError, match="Unknown data set 'lung'") as info:
        data_set_missing("lung")
    for name in _base.DATA_SETS:
        assert repr(name) in str(info.value)


# ---------------------------------------------------------- verification errors


def test_missing_file_error_says_where_to_put_it(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        fetch_cmapss(data_home=tmp_path)
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    expected = tmp_path / "cmapss" / "train_FD001.txt"
    assert str(expected) in message
    assert f"data home {tmp_path}" in message
    assert "STATKIT_DATA" in message
    assert "~/statkit_data" in message
    assert "NASA" in message  # where the data come from


def test_missing_file_error_from_env_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("STATKIT_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match=re.escape(str(tmp_path / "text"))):
        load_rt_polarity()


def _write(home, relpath, content):
    path = home / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_checksum_mismatch_names_file_and_digests(tmp_path):
    relpath = "text/rt-polarity/rt-polarity.neg"
    _write(tmp_path, relpath, b"not the real file\n")
    with pytest.raises(ChecksumMismatchError) as info:
        load_rt_polarity(data_home=tmp_path)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert relpath in message
    assert str(tmp_path / relpath) in message
    assert _base._SHA256[relpath] in message
    assert hashlib.sha256(b"not the real file\n").hexdigest() in message


@pytest.mark.data("cmapss")
def test_checksum_mismatch_one_altered_byte(tmp_path):
    source = get_data_home()
    for relpath in _base.DATA_SETS["cmapss"].files:
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relpath, tmp_path / relpath)
    altered = tmp_path / "cmapss" / "test_FD001.txt"
    content = bytearray(altered.read_bytes())
    content[1000] = ord("7") if content[1000] != ord("7") else ord("8")
    altered.write_bytes(bytes(content))
    with pytest.raises(ChecksumMismatchError, match=r"cmapss/test_FD001\.txt"):
        fetch_cmapss(data_home=tmp_path)


def test_shipped_file_is_verified(monkeypatch):
    monkeypatch.setitem(_base._PACKAGE_SHA256, "lung.csv", "0" * 64)
    with pytest.raises(ChecksumMismatchError, match=r"statkit/datasets/data/lung\.csv"):
        load_lung()


def test_missing_shipped_file(monkeypatch, tmp_path):
    monkeypatch.setattr(_base, "_PACKAGE_DATA", tmp_path)
    with pytest.raises(DataNotFoundError, match="reinstall statkit"):
        load_lung()


# ------------------------------------------------------------------ digest cache


def test_digest_is_cached_per_path_size_and_mtime(monkeypatch, tmp_path):
    calls = []

    def counting_sha256(path):
        calls.append(path)
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    monkeypatch.setattr(_base, "_sha256", counting_sha256)
    monkeypatch.setattr(_base, "_DIGEST_CACHE", {})
    path = tmp_path / "file.txt"
    path.write_bytes(b"abc")
    digest = hashlib.sha256(b"abc").hexdigest()
    assert _base._file_digest(path) == digest
    assert _base._file_digest(path) == digest
    assert len(calls) == 1
    path.write_bytes(b"abcd")  # new size
    assert _base._file_digest(path) == hashlib.sha256(b"abcd").hexdigest()
    assert len(calls) == 2
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # new mtime only
    _base._file_digest(path)
    assert len(calls) == 3


def test_repeated_loads_hash_once(monkeypatch):
    calls = []
    real_sha256 = _base._sha256

    def counting_sha256(path):
        calls.append(path)
        return real_sha256(path)

    monkeypatch.setattr(_base, "_sha256", counting_sha256)
    monkeypatch.setattr(_base, "_DIGEST_CACHE", {})
    load_lung()
    load_lung(as_frame=True)
    assert len(calls) == 1


def test_sha256_of_a_multi_chunk_file(tmp_path):
    content = os.urandom(3 * 2**20 + 17)
    path = tmp_path / "big.bin"
    path.write_bytes(content)
    assert _base._sha256(path) == hashlib.sha256(content).hexdigest()


# ------------------------------------------------------------------------ pandas


def test_as_frame_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match=r"as_frame=True needs pandas"):
        load_lung(as_frame=True)
    assert load_lung().frame is None
