"""Real data sets: small ones shipped inside statkit, larger ones read from a data home.

Every file is verified against a SHA-256 digest recorded in statkit before it
is read. Larger data sets are read from :func:`get_data_home` (the
``STATKIT_DATA`` environment variable, default ``~/statkit_data``); nothing is
downloaded, and a missing file raises :class:`DataNotFoundError` saying where
to put it.
"""

from statkit.datasets._base import (
    ChecksumMismatchError,
    DataNotFoundError,
    data_set_missing,
    get_data_home,
)
from statkit.datasets._cmapss import fetch_cmapss
from statkit.datasets._lung import load_lung
from statkit.datasets._synthetic import (
    make_adaptive_overfitting_experiment,
    make_heterogeneous_blobs,
)
from statkit.datasets._text import load_rt_polarity, load_topics

__all__ = [
    "ChecksumMismatchError",
    "DataNotFoundError",
    "data_set_missing",
    "fetch_cmapss",
    "get_data_home",
    "load_lung",
    "load_rt_polarity",
    "load_topics",
    "make_adaptive_overfitting_experiment",
    "make_heterogeneous_blobs",
]
