"""Text corpora: rt-polarity and the pyss3 topics."""

import hashlib

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from statkit.datasets import _base, get_data_home, load_rt_polarity, load_topics
from statkit.datasets._text import _read_lines

TOPICS = [
    "art&photography",
    "beauty&fashion",
    "business&finance",
    "food",
    "health",
    "music",
    "science&technology",
    "sports",
]


def test_read_lines(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes("a b \n\nc\u2028d\x85e\n last".encode())
    # only "\n" ends a line; empty lines, spaces and an unterminated last line are kept
    assert _read_lines(path) == ["a b ", "", "c\u2028d\x85e", " last"]
    path.write_bytes(b"one\ntwo\n")
    assert _read_lines(path) == ["one", "two"]


def test_read_lines_rejects_invalid_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9\n".encode("latin-1"))
    with pytest.raises(UnicodeDecodeError):
        _read_lines(path)


def _fake_data_home(monkeypatch, home, contents):
    """Write files into ``home`` and record their digests in the registry."""
    for relpath, content in contents.items():
        path = home / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        monkeypatch.setitem(_base._SHA256, relpath, hashlib.sha256(content).hexdigest())


def test_rt_polarity_labels_from_files(monkeypatch, tmp_path):
    _fake_data_home(
        monkeypatch,
        tmp_path,
        {
            "text/rt-polarity/rt-polarity.neg": b"bad .\ndull , tedious .\n",
            "text/rt-polarity/rt-polarity.pos": "tr\u00e8s bien .\n".encode(),
        },
    )
    rt = load_rt_polarity(data_home=tmp_path)
    assert rt.data == ["bad .", "dull , tedious .", "tr\u00e8s bien ."]
    assert_array_equal(rt.target, [0, 0, 1])
    assert rt.target_names == ["neg", "pos"]


def test_topics_labels_from_files(monkeypatch, tmp_path):
    files = _base.DATA_SETS["topics"].files
    _fake_data_home(
        monkeypatch, tmp_path, {f: f"{i} a\n{i} b".encode() for i, f in enumerate(files)}
    )
    topics = load_topics(data_home=tmp_path)
    assert topics.target_names == TOPICS
    assert len(topics.data) == 16
    # whitespace-only lines are not documents: dropped, and only they
    contents = {f: f"{i} a\n \n\t\n{i} b ".encode() for i, f in enumerate(files)}
    _fake_data_home(monkeypatch, tmp_path, contents)
    topics = load_topics(data_home=tmp_path)
    assert topics.data[:2] == ["0 a", "0 b "]
    assert len(topics.data) == 16
    assert_array_equal(topics.target, np.repeat(np.arange(8), 2))
    assert all(
        doc.startswith(str(label)) for doc, label in zip(topics.data, topics.target, strict=True)
    )


@pytest.mark.data("rt_polarity")
def test_rt_polarity():
    rt = load_rt_polarity()
    assert len(rt.data) == rt.target.shape[0] == 10662
    assert rt.target.dtype.kind == "i"
    assert_array_equal(np.bincount(rt.target), [5331, 5331])
    assert_array_equal(rt.target[:5331], 0)
    assert rt.target_names == ["neg", "pos"]
    assert all(isinstance(s, str) and "\n" not in s for s in rt.data)
    folder = get_data_home() / "text" / "rt-polarity"
    for label, suffix in enumerate(("neg", "pos")):
        with open(folder / f"rt-polarity.{suffix}", encoding="utf-8", newline="") as f:
            first = f.readline().removesuffix("\n")
        assert rt.data[label * 5331] == first
    assert rt.data[0] == "simplistic , silly and tedious . "
    # accented characters survive decoding (the file is UTF-8)
    assert any("ladr\u00f3n de orqu\u00eddeas" in s for s in rt.data[5331:])
    assert "Pang" in rt.DESCR


@pytest.mark.data("topics")
def test_topics():
    topics = load_topics()
    assert topics.target_names == TOPICS
    counts = dict(zip(TOPICS, np.bincount(topics.target, minlength=8).tolist(), strict=True))
    assert counts == {
        "art&photography": 100,
        "beauty&fashion": 100,
        "business&finance": 99,
        "food": 100,
        "health": 100,
        "music": 98,
        "science&technology": 99,
        "sports": 100,
    }
    assert len(topics.data) == 796  # 798 lines, two of music hold only " "
    assert all(doc.strip() for doc in topics.data)
    # the last line of each file has no line terminator and is kept
    art = (get_data_home() / "text" / "topics" / "art_and_photography.txt").read_text()
    assert topics.data[99] == art.split("\n")[-1]
    assert topics.data[0].startswith("indigo pink black clothing")
    assert "pyss3" in topics.DESCR
