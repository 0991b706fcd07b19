"""A health indicator for CMAPSS engines: sensors regressed onto healthy (1) and failed (0)."""

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy.signal import lfilter
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import validate_params
from sklearn.utils.validation import check_is_fitted

from statkit.utils._validation import NumericInterval, validate_array

# unit, cycle, 3 operational settings, sensors 1..21 (sensor s is column 4 + s).
_N_COLUMNS = 26
_N_SENSORS = 21


def _check_table(table):
    """The table as a float array and its units' lengths, after checking its layout."""
    table = validate_array(table, "table", ndim=2)
    if table.shape[1] != _N_COLUMNS:
        raise ValueError(
            f"table must have {_N_COLUMNS} columns (unit, cycle, 3 settings, 21 sensors), "
            f"as fetch_cmapss returns; got shape {table.shape}."
        )
    unit, cycle = table[:, 0], table[:, 1]
    new_unit = np.r_[True, unit[1:] != unit[:-1]]
    starts = np.flatnonzero(new_unit)
    if np.unique(unit[starts]).size != starts.size:
        raise ValueError("table must hold the rows of each unit in one block; a unit is split.")
    if (np.diff(cycle)[~new_unit[1:]] <= 0).any():
        raise ValueError("table must be sorted by cycle within each unit.")
    return table, np.diff(np.r_[starts, unit.shape[0]])


@validate_params({"table": ["array-like"]}, prefer_skip_nested_validation=True)
def sequence_lengths(table):
    """Number of cycles of each unit of a CMAPSS table, in order of appearance.

    This is the ``lengths`` argument of the HMMs for the table's rows.

    Parameters
    ----------
    table : array-like of shape (n_cycles, 26)
        Rows grouped by unit and sorted by cycle, as :func:`~statkit.datasets.fetch_cmapss`
        returns them.

    Returns
    -------
    lengths : ndarray of shape (n_units,), dtype int64

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.hmm import sequence_lengths
    >>> table = np.zeros((5, 26))
    >>> table[:, 0], table[:, 1] = [7, 7, 7, 3, 3], [1, 2, 3, 1, 2]
    >>> sequence_lengths(table)
    array([3, 2])
    """
    return _check_table(table)[1]


def _causal_ema(values, lengths, span):
    """Exponential moving average restarted at each unit, weighted over the cycles so far."""
    decay = 1.0 - 2.0 / (span + 1.0)
    smoothed = []
    for unit in np.split(values, np.cumsum(lengths)[:-1]):
        # Like pandas' ewm(span, adjust=True): the weights of past cycles are renormalised.
        total = lfilter([1.0], [1.0, -decay], unit)
        smoothed.append(total / lfilter([1.0], [1.0, -decay], np.ones_like(unit)))
    return np.concatenate(smoothed)


class CMAPSSHealthIndicator(TransformerMixin, BaseEstimator):
    """Health indicator (HI) of CMAPSS engines, about 1 when healthy and 0 at failure.

    ``fit`` standardises the chosen sensors over the training table and fits
    a linear regression with target 1 on each unit's first
    ``healthy_cycles`` cycles and 0 on its last ``failure_cycles`` (the HI of
    the ARPHMM study; Juesas et al. 2021, after Ramasso's RULCLIPPER work).
    ``transform`` applies it to every cycle and smooths it per unit with an
    exponential moving average that uses past cycles only, so the HI of a
    unit observed up to cycle ``c`` is the first ``c`` values of its full HI.

    Parameters
    ----------
    sensors : array-like of int, default=(2, 3, 4, 7, 11, 12, 15, 17, 20, 21)
        Sensor numbers (1..21) to use; the default drops the sensors that
        are constant or carry no trend on FD001.
    healthy_cycles : int, default=30
        First cycles of each training unit taken as healthy (target 1).
    failure_cycles : int, default=30
        Last cycles of each training unit taken as failed (target 0).
    smoothing : float, default=30
        Span of the moving average (decay ``1 - 2 / (span + 1)``); 1 turns
        smoothing off. On FD001 train the default gives a mean HI of 0.92
        over the first 10 cycles and 0.14 over the last 10 (span 10: 0.00;
        a longer average lags behind the decline). Span 30 was chosen by a
        5-fold cross-validation over the training units of the RUL error of
        :class:`SwitchingRULRegressor` (RMSE 19.1, 17.1, 16.4 and 16.2 for
        spans 10, 20, 30 and 40).

    Attributes
    ----------
    sensors_ : ndarray of shape (n_sensors,)
        The sensor numbers used.
    mean_ : ndarray of shape (n_sensors,)
        Their means over the training table.
    scale_ : ndarray of shape (n_sensors,)
        Their standard deviations (1 for a constant sensor).
    coef_ : ndarray of shape (n_sensors,)
        Regression coefficients of the standardised sensors.
    intercept_ : float
        Regression intercept.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.hmm import CMAPSSHealthIndicator
    >>> rng = np.random.default_rng(0)
    >>> lengths = [150, 200, 180]
    >>> table = np.zeros((sum(lengths), 26))
    >>> table[:, 0] = np.repeat([1, 2, 3], lengths)
    >>> table[:, 1] = np.concatenate([np.arange(1, n + 1) for n in lengths])
    >>> wear = np.concatenate([np.linspace(0, 1, n) ** 2 for n in lengths])
    >>> table[:, 4:] = wear[:, None] + rng.normal(0, 0.05, (len(wear), 22))
    >>> hi = CMAPSSHealthIndicator().fit(table).transform(table)
    >>> bool(hi[:10].mean() > 0.9 and hi[140:150].mean() < 0.1)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "sensors": ["array-like"],
        "healthy_cycles": [NumericInterval(Integral, 1, None, closed="left")],
        "failure_cycles": [NumericInterval(Integral, 1, None, closed="left")],
        "smoothing": [NumericInterval(Real, 1, None, closed="left")],
    }

    def __init__(
        self,
        sensors=(2, 3, 4, 7, 11, 12, 15, 17, 20, 21),
        healthy_cycles=30,
        failure_cycles=30,
        smoothing=30,
    ):
        self.sensors = sensors
        self.healthy_cycles = healthy_cycles
        self.failure_cycles = failure_cycles
        self.smoothing = smoothing

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # fit takes a CMAPSS table, not any X: tested in tests/test_common.py's API_CASES.
        tags._skip_test = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, table, y=None):
        """Learn the standardisation and the regression from run-to-failure units.

        Parameters
        ----------
        table : array-like of shape (n_cycles, 26)
            Training units, run to failure, rows grouped by unit and sorted by
            cycle; each unit needs ``healthy_cycles + failure_cycles`` cycles.
        y : None
            Ignored.

        Returns
        -------
        self : CMAPSSHealthIndicator
        """
        sensors = validate_array(self.sensors, "sensors", ndim=1, dtype="integer")
        if ((sensors < 1) | (sensors > _N_SENSORS)).any() or np.unique(sensors).size < sensors.size:
            raise ValueError(f"sensors must be distinct numbers in 1..21; got {sensors.tolist()}.")
        table, lengths = _check_table(table)
        needed = self.healthy_cycles + self.failure_cycles
        if lengths.min() < needed:
            raise ValueError(
                f"table: every unit needs healthy_cycles + failure_cycles = {needed} cycles; "
                f"the shortest has {lengths.min()}."
            )
        readings = table[:, 4 + sensors]
        mean, scale = readings.mean(axis=0), readings.std(axis=0)
        scale[scale == 0] = 1.0
        step = np.arange(table.shape[0]) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        healthy = step < self.healthy_cycles
        failed = np.repeat(lengths, lengths) - step <= self.failure_cycles
        rows = healthy | failed
        target = healthy[rows].astype(float)
        regression = LinearRegression().fit((readings[rows] - mean) / scale, target)
        self.sensors_, self.mean_, self.scale_ = sensors, mean, scale
        self.coef_, self.intercept_ = regression.coef_, float(regression.intercept_)
        return self

    def transform(self, table):
        """The smoothed HI of every cycle.

        Parameters
        ----------
        table : array-like of shape (n_cycles, 26)
            Units (complete or truncated), rows grouped by unit and sorted by cycle.

        Returns
        -------
        hi : ndarray of shape (n_cycles,)
        """
        check_is_fitted(self)
        table, lengths = _check_table(table)
        raw = (table[:, 4 + self.sensors_] - self.mean_) / self.scale_ @ self.coef_
        return _causal_ema(raw + self.intercept_, lengths, self.smoothing)
