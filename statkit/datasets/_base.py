"""Data home, the SHA-256 registry and file verification shared by every loader.

Every file a loader reads goes through :func:`_verified_path` (files in the data
home) or :func:`_packaged_path` (files shipped inside the package). Both check
the file's SHA-256 against the digest recorded *here*, in the package, never
against a checksum file in the data folder, so a corrupt, truncated or
different version of a file is rejected with an error that names it.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

DATA_HOME_ENV = "STATKIT_DATA"
DEFAULT_DATA_HOME = "~/statkit_data"

# Files shipped inside the package, in statkit/datasets/data/.
_PACKAGE_DATA = Path(__file__).parent / "data"
_PACKAGE_SHA256 = {
    "lung.csv": "16ebd02c38bbb5708186d600cff80ad84d0764974619436f83ba4a605e77eb44",
}

# Files read from the data home, by path relative to it. These digests are the
# recorded truth (copied from the reference data folder's SHA256SUMS).
_SHA256 = {
    "cmapss/RUL_FD001.txt": "a19c8ec94931949d0485bdc35118206e9c81c4547b422efb9cf86f4ceddbceca",
    "cmapss/readme.txt": "4f5270554b775c67e73aff383c5436fd329d6e4cc3d3a116913276fae511269b",
    "cmapss/test_FD001.txt": "3cda7109ce17bafb5443f2ac926cfcf88154b941b8c4cf95eb55d1ddd6f52851",
    "cmapss/train_FD001.txt": "963b5e22825b34d8b21c69e1aeb4af3e647050eb672ee8834ba4b5d91d2de0f8",
    "cmapss/arphmm_prior/data_train_filtered2.mat": (
        "28193f4cfe39c32871b13b0e925b03eda542ce09f19c344659eb686f42c9e932"
    ),
    "cmapss/arphmm_prior/dataset1_etats_pl.mat": (
        "0ad2a06b3b20beffdabec4ce0c62c1dfda5213ce4987f4add458745cc116852a"
    ),
    "text/rt-polarity/rt-polarity.neg": (
        "2d11cfbc790f1cd96d78339f41ce53ced1efa83cd22d37d6788fa3fe3d17e2fd"
    ),
    "text/rt-polarity/rt-polarity.pos": (
        "4134882974a28d0c7b5151256f0e33a6169984ee7372c279e673f1114f475d58"
    ),
    "text/topics/art_and_photography.txt": (
        "072152195af6b713ecac2208950d43699e6428fb27d5524d473ca0cab1310433"
    ),
    "text/topics/beauty_and_fashion.txt": (
        "2767c110eb3d14d25658ca11b3d262f6f159517f1558dff1c71b67aa564da7f8"
    ),
    "text/topics/business_and_finance.txt": (
        "5bef70d7cbd844eb7c501b4123b67619f9c88b70712905091719a1072a9fb412"
    ),
    "text/topics/food.txt": "9ed7e997cda9f1334daa8c489d985ae04687458982ed1734add8cb2b03fa0103",
    "text/topics/health.txt": "6816a4c52a65a9021f798034ad7550b0919c4ab4c904549cdcee7508a2312281",
    "text/topics/music.txt": "6bd974e51d1e791e520722f64ac12a02aa4660400ed267eefce77dd0d60efa13",
    "text/topics/science_and_technology.txt": (
        "21fae837f3d061b32681d222eed767d197b868addddb6a73a8e8b0614358d8d4"
    ),
    "text/topics/sports.txt": "88d4e514544a89fe6295ac46b0961d66a7f1fab1f6894f4d05d42d2f05c4a09e",
}


@dataclass(frozen=True)
class _DataSet:
    """Files of a named data set in the data home and where to get them."""

    files: tuple[str, ...]
    source: str
    optional: tuple[str, ...] = ()  # registered and verified when read, never required


DATA_SETS = {
    "cmapss": _DataSet(
        files=("cmapss/train_FD001.txt", "cmapss/test_FD001.txt", "cmapss/RUL_FD001.txt"),
        optional=("cmapss/readme.txt",),
        source=(
            "the NASA C-MAPSS turbofan data (Saxena et al., PHM 2008), 'CMAPSS Jet Engine "
            "Simulated Data' from the NASA Prognostics Center of Excellence data set repository, "
            "https://www.nasa.gov/intelligent-systems-division/discovery-and-systems-health/pcoe/"
            "pcoe-data-set-repository/ ; unzip the FD001 files into <data home>/cmapss/"
        ),
    ),
    "arphmm_prior": _DataSet(
        files=(
            "cmapss/arphmm_prior/data_train_filtered2.mat",
            "cmapss/arphmm_prior/dataset1_etats_pl.mat",
        ),
        source=(
            "the ARPHMM authors' MATLAB files from "
            "https://github.com/emmanuelramasso/ARPHMM_RULpred ; put them in "
            "<data home>/cmapss/arphmm_prior/"
        ),
    ),
    "rt_polarity": _DataSet(
        files=("text/rt-polarity/rt-polarity.neg", "text/rt-polarity/rt-polarity.pos"),
        source=(
            "Pang & Lee's sentence polarity data v1.0, "
            "https://www.cs.cornell.edu/people/pabo/movie-review-data/ (rt-polaritydata), "
            "as UTF-8 text; put rt-polarity.neg and rt-polarity.pos in "
            "<data home>/text/rt-polarity/"
        ),
    ),
    "topics": _DataSet(
        files=tuple(sorted(p for p in _SHA256 if p.startswith("text/topics/"))),
        source=(
            "the pyss3 project's test data, https://github.com/sergioburdisso/pyss3 "
            "(tests/dataset/*.txt), with '&' in the file names written as '_and_'; put the "
            "8 files in <data home>/text/topics/"
        ),
    ),
}


class DataNotFoundError(FileNotFoundError):
    """A data file is not where statkit looks for it.

    The message names the file, the full path that was tried, the data home and
    how to provide the file.
    """


class ChecksumMismatchError(ValueError):
    """A data file's SHA-256 differs from the digest recorded in statkit.

    The message names the file and both digests.
    """


def get_data_home(data_home=None):
    """Return the folder that statkit reads the larger data sets from.

    The folder is not created: loaders only read from it, and a missing file
    raises an error that says where to put it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use. When None, the ``STATKIT_DATA`` environment variable
        is used if it is set and not empty, else ``~/statkit_data``.

    Returns
    -------
    data_home : pathlib.Path
        An absolute path, with ``~`` expanded.

    Examples
    --------
    >>> from statkit.datasets import get_data_home
    >>> get_data_home("/srv/statkit_data").as_posix()
    '/srv/statkit_data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV, "").strip() or DEFAULT_DATA_HOME
    return Path(os.path.abspath(os.path.expanduser(os.fspath(data_home))))


def _check_name(name):
    if name not in DATA_SETS:
        raise ValueError(f"Unknown data set {name!r}; known data sets are {sorted(DATA_SETS)}.")
    return DATA_SETS[name]


def data_set_missing(name, data_home=None):
    """Say whether the files of a data set are in the data home.

    Only the presence of the files is checked here; their checksums are
    verified when a loader reads them.

    Parameters
    ----------
    name : {"cmapss", "arphmm_prior", "rt_polarity", "topics"}
        The data set.
    data_home : str or path-like, default=None
        See :func:`get_data_home`.

    Returns
    -------
    reason : str or None
        None when every file of the data set is present, otherwise a one-line
        reason naming the missing files and the data home.

    Raises
    ------
    ValueError
        If ``name`` is not a known data set.

    Examples
    --------
    >>> from statkit.datasets import data_set_missing
    >>> data_set_missing("rt_polarity", data_home="/nonexistent")  # doctest: +ELLIPSIS
    '2 of 2 files missing from the data home /nonexistent: text/rt-polarity/rt-polarity.neg, ...'
    """
    files = _check_name(name).files
    home = get_data_home(data_home)
    missing = [f for f in files if not (home / f).is_file()]
    if not missing:
        return None
    return (
        f"{len(missing)} of {len(files)} files missing from the data home {home}: "
        f"{', '.join(missing)} (set {DATA_HOME_ENV} or pass data_home)"
    )


# Digests already computed, by (path, size, modification time in ns).
_DIGEST_CACHE = {}


def _sha256(path):
    """The SHA-256 hex digest of a file, read in chunks."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _file_digest(path):
    """:func:`_sha256`, remembered while the file's size and mtime stay the same."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGEST_CACHE:
        _DIGEST_CACHE[key] = _sha256(path)
    return _DIGEST_CACHE[key]


def _check_digest(path, label, expected, remedy):
    actual = _file_digest(path)
    if actual != expected:
        raise ChecksumMismatchError(
            f"{label} at {path} has SHA-256 {actual}, but statkit records {expected} for it: "
            f"the file is corrupt, truncated or a different version. {remedy}"
        )
    return path


def _owner(relpath):
    return next(
        ((name, s) for name, s in DATA_SETS.items() if relpath in s.files + s.optional),
        (None, None),
    )


def _verified_path(relpath, data_home=None):
    """Return the path of a registered data-home file after checking its SHA-256.

    Parameters
    ----------
    relpath : str
        A key of the registry, relative to the data home (``"cmapss/RUL_FD001.txt"``).
    data_home : str or path-like, default=None
        See :func:`get_data_home`.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    DataNotFoundError
        If the file is not in the data home.
    ChecksumMismatchError
        If its SHA-256 differs from the recorded one.
    """
    expected = _SHA256[relpath]  # a KeyError here is a bug in a loader
    home = get_data_home(data_home)
    path = home / relpath
    name, data_set = _owner(relpath)
    source = data_set.source.replace("<data home>", str(home)) if data_set else "its source"
    if not path.is_file():
        needs = f" Data set {name!r} needs {', '.join(data_set.files)}." if data_set else ""
        raise DataNotFoundError(
            f"{relpath} was not found: expected it at {path}. statkit reads the larger data sets "
            f"from the data home {home} (the data_home argument, else the {DATA_HOME_ENV} "
            f"environment variable, else {DEFAULT_DATA_HOME}).{needs} Get it from {source}, "
            f"or point {DATA_HOME_ENV} at a folder that holds {relpath} "
            f"(export {DATA_HOME_ENV}=/path/to/data)."
        )
    return _check_digest(path, relpath, expected, f"Get a fresh copy from {source}.")


def _packaged_path(filename):
    """Return the path of a file shipped in ``statkit/datasets/data`` after checking it."""
    path = _PACKAGE_DATA / filename
    label = f"statkit/datasets/data/{filename}"
    if not path.is_file():
        raise DataNotFoundError(
            f"{label} is missing from the statkit installation (expected at {path}); "
            "reinstall statkit."
        )
    return _check_digest(path, label, _PACKAGE_SHA256[filename], "Reinstall statkit.")


def _read_descr(filename):
    """The text of a description file shipped in ``statkit/datasets/data``."""
    return (_PACKAGE_DATA / filename).read_text(encoding="utf-8")


def _to_frame(values, columns, integer_columns=()):
    """A pandas DataFrame of ``values``; pandas is imported only here."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            "as_frame=True needs pandas, which is not installed; install it with "
            "`pip install pandas`, or use as_frame=False to get NumPy arrays."
        ) from exc
    frame = pd.DataFrame(values, columns=list(columns))
    return frame.astype(dict.fromkeys(integer_columns, "int64"))
