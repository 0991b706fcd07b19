"""NASA C-MAPSS turbofan engine degradation data, read from the data home."""

import numpy as np
from sklearn.utils import Bunch

from statkit.datasets._base import _to_frame, _verified_path
from statkit.utils._validation import validate_array

_FEATURES = (
    "unit",
    "cycle",
    *(f"setting_{i}" for i in range(1, 4)),
    *(f"sensor_{i}" for i in range(1, 22)),
)
# Only these subsets have digests recorded in statkit.datasets._base.
_SUBSETS = ("FD001",)

_DESCR = """\
.. _cmapss_dataset:

NASA C-MAPSS turbofan engine degradation data, subset {subset}
-----------------------------------------------------------

Simulated run-to-failure trajectories of a fleet of turbofan engines of the
same type (Saxena et al. 2008). Each engine starts with a different, unknown
amount of wear and develops a fault during the series. FD001: one operating
condition (sea level), one fault mode (HPC degradation).

- ``train``: 100 engines run to failure, 20,631 cycles in all.
- ``test``: 100 engines whose series stop some time before failure.
- ``rul``: the true remaining useful life (in cycles) of each test engine after
  its last recorded cycle, in the order of the units 1..100.

Each row of ``train`` and ``test`` is one operating cycle of one engine, with
26 columns: ``unit`` (engine number), ``cycle`` (time in cycles, from 1),
``setting_1`` .. ``setting_3`` (operational settings) and ``sensor_1`` ..
``sensor_21`` (sensor measurements, with noise).

Source: NASA Prognostics Center of Excellence data set repository, "CMAPSS Jet
Engine Simulated Data" (files ``train_FD001.txt``, ``test_FD001.txt``,
``RUL_FD001.txt``; ``readme.txt`` describes them).

Reference: A. Saxena, K. Goebel, D. Simon and N. Eklund, "Damage propagation
modeling for aircraft engine run-to-failure simulation", Proceedings of the 1st
International Conference on Prognostics and Health Management (PHM08), Denver
CO, October 2008.
"""


def fetch_cmapss(subset="FD001", *, data_home=None, as_frame=False):
    """Load a subset of the NASA C-MAPSS turbofan degradation data from the data home.

    Reads ``cmapss/train_<subset>.txt``, ``cmapss/test_<subset>.txt`` and
    ``cmapss/RUL_<subset>.txt`` from the data home and verifies each against
    the SHA-256 recorded in statkit. Nothing is downloaded.

    Parameters
    ----------
    subset : {"FD001"}, default="FD001"
        The subset; only FD001 has recorded digests.
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    as_frame : bool, default=False
        Return ``train`` and ``test`` as pandas DataFrames (``unit`` and
        ``cycle`` as integers) instead of float arrays.

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with attributes:

        train : ndarray of shape (20631, 26) or DataFrame
            One row per engine and cycle: unit, cycle, 3 settings, 21 sensors.
        test : ndarray of shape (13096, 26) or DataFrame
            The test engines, with the same columns.
        rul : ndarray of shape (100,), int
            True remaining useful life of test units 1..100 after their last cycle.
        feature_names : list of str
            ``unit``, ``cycle``, ``setting_1`` .. ``setting_3``,
            ``sensor_1`` .. ``sensor_21``.
        DESCR : str
            Description of the data set.

    Raises
    ------
    ValueError
        If ``subset`` is not supported.
    DataNotFoundError
        If a file is missing; the message says where to put it.
    ChecksumMismatchError
        If a file's SHA-256 differs from the recorded one.

    Examples
    --------
    >>> from statkit.datasets import fetch_cmapss
    >>> cmapss = fetch_cmapss("FD001")  # doctest: +SKIP
    >>> cmapss.train.shape, cmapss.test.shape, cmapss.rul.shape  # doctest: +SKIP
    ((20631, 26), (13096, 26), (100,))
    """
    if subset not in _SUBSETS:
        raise ValueError(
            f"subset must be one of {list(_SUBSETS)} (the subsets whose checksums statkit "
            f"records); got {subset!r}."
        )
    paths = {
        part: _verified_path(f"cmapss/{part}_{subset}.txt", data_home)
        for part in ("train", "test", "RUL")
    }
    tables = {
        part: validate_array(np.loadtxt(paths[part], ndmin=2), part, ndim=2)
        for part in ("train", "test")
    }
    for part, table in tables.items():
        if table.shape[1] != len(_FEATURES):  # cannot happen with the recorded files
            raise ValueError(f"{paths[part]} has {table.shape[1]} columns; expected 26.")
    if as_frame:
        tables = {
            part: _to_frame(table, _FEATURES, ("unit", "cycle")) for part, table in tables.items()
        }
    rul = validate_array(np.loadtxt(paths["RUL"], ndmin=1), "rul", ndim=1, dtype="integer")
    return Bunch(
        train=tables["train"],
        test=tables["test"],
        rul=rul,
        feature_names=list(_FEATURES),
        DESCR=_DESCR.format(subset=subset),
    )
