"""The NCCTG lung cancer data, shipped inside the package."""

import math

import numpy as np
from sklearn.utils import Bunch

from statkit.datasets._base import _packaged_path, _read_descr, _to_frame
from statkit.utils._validation import validate_array, validate_binary

_COLUMNS = (
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
)
# Columns without missing values, stored as whole numbers (as in lifelines).
_INTEGER_COLUMNS = ("time", "status", "age", "sex")
_FEATURES = tuple(c for c in _COLUMNS if c not in ("time", "status"))


def _float_or_nan(field):
    return float(field) if field else math.nan


def load_lung(*, as_frame=False):
    """Load the NCCTG lung cancer survival data (228 patients).

    Survival of patients with advanced lung cancer from the North Central
    Cancer Treatment Group (Loprinzi et al. 1994), as in R's ``survival``
    package and ``lifelines.datasets.load_lung``. The data ship inside statkit
    and are verified against a recorded SHA-256 when loaded.

    Parameters
    ----------
    as_frame : bool, default=False
        Also return the data as a pandas DataFrame in ``frame`` (needs pandas).

    Returns
    -------
    data : sklearn.utils.Bunch
        Dictionary-like object with attributes:

        time : ndarray of shape (228,), float
            Survival or censoring time in days.
        event : ndarray of shape (228,), bool
            True where the patient died, False where the time is censored.
        status : ndarray of shape (228,), int
            The same as 0/1: 1 = death, 0 = censored.
        data : ndarray of shape (228, 8), float
            The covariates, NaN where missing.
        feature_names : list of str
            The names of the columns of ``data``: ``inst``, ``age``, ``sex``,
            ``ph.ecog``, ``ph.karno``, ``pat.karno``, ``meal.cal``, ``wt.loss``.
        frame : pandas.DataFrame of shape (228, 10) or None
            All ten columns exactly as in lifelines when ``as_frame=True``.
        DESCR : str
            Description of the data set: source, columns and units.

    Raises
    ------
    ChecksumMismatchError
        If the shipped file was altered.

    Examples
    --------
    >>> from statkit.datasets import load_lung
    >>> lung = load_lung()
    >>> lung.data.shape
    (228, 8)
    >>> int(lung.event.sum()), int((~lung.event).sum())
    (165, 63)
    >>> lung.feature_names[:3]
    ['inst', 'age', 'sex']
    """
    path = _packaged_path("lung.csv")
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    if tuple(header) != _COLUMNS:  # cannot happen with the recorded file
        raise ValueError(f"{path} has columns {header}; expected {list(_COLUMNS)}.")
    values = np.loadtxt(path, delimiter=",", skiprows=1, converters=_float_or_nan, ndmin=2)
    column = dict(zip(_COLUMNS, values.T, strict=True))
    time = validate_array(column["time"], "time", ndim=1)
    event = validate_binary(column["status"], "status")
    frame = _to_frame(values, _COLUMNS, _INTEGER_COLUMNS) if as_frame else None
    return Bunch(
        time=time,
        event=event,
        status=event.astype(np.int64),
        data=values[:, [_COLUMNS.index(c) for c in _FEATURES]],
        feature_names=list(_FEATURES),
        frame=frame,
        DESCR=_read_descr("lung.rst"),
    )
