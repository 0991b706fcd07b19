"""What every survival curve offers: S(t), its interval, the number at risk, the median.

:class:`BaseSurvivalCurve` holds the public outputs once, so the exact and the
private estimator cannot drift apart; a subclass supplies three hooks that
evaluate its own fitted state, and :meth:`~BaseSurvivalCurve._plot_data` for
:class:`~statkit.survival.SurvivalCurveDisplay`.
"""

from collections.abc import Callable
from typing import ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from statkit.survival._input import check_times
from statkit.utils._validation import OPEN_UNIT_INTERVAL


class CurvePlotData(NamedTuple):
    """What :class:`~statkit.survival.SurvivalCurveDisplay` draws for one fitted curve."""

    times: np.ndarray
    survival: np.ndarray
    lower: np.ndarray | None
    upper: np.ndarray | None
    censor_times: np.ndarray | None
    censor_survival: np.ndarray | None
    step: bool
    name: str
    at_risk: Callable[[np.ndarray], np.ndarray]
    at_risk_label: str


class BaseSurvivalCurve(BaseEstimator):
    """Base class of fitted survival curves (``fit(time, event)``, not ``fit(X, y)``).

    Subclasses implement ``_survival_at(times)``, ``_interval_at(times,
    alpha)``, ``_at_risk_at(times)`` and ``_plot_data(ci, alpha,
    show_censors)``, set ``survival_function_`` and ``median_survival_time_``
    in ``fit``, and have an ``alpha`` parameter.
    """

    _parameter_constraints: ClassVar[dict] = {"alpha": [OPEN_UNIT_INTERVAL]}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # fit(time, event) is not fit(X, y): tested in tests/test_common.py's API_CASES.
        tags._skip_test = True
        return tags

    def predict(self, times):
        """Survival probability S(t) at the given times.

        Parameters
        ----------
        times : float or array-like of shape (n_times,)
            Times at which to evaluate S (1 before the first time, flat after
            the last one).

        Returns
        -------
        survival : ndarray of shape (n_times,)
        """
        check_is_fitted(self, "survival_function_")
        return self._survival_at(check_times(times))

    def confidence_interval(self, times, alpha=None):
        """Pointwise confidence interval of S(t).

        Parameters
        ----------
        times : float or array-like of shape (n_times,)
            Times at which to evaluate the interval.
        alpha : float, default=None
            The interval has level ``1 - alpha``; None uses the estimator's
            ``alpha``.

        Returns
        -------
        interval : ndarray of shape (2, n_times)
            Row 0 holds the lower bounds, row 1 the upper bounds.
        """
        check_is_fitted(self, "survival_function_")
        alpha = self.alpha if alpha is None else alpha
        validate_parameter_constraints(
            {"alpha": [OPEN_UNIT_INTERVAL]},
            {"alpha": alpha},
            caller_name=f"{type(self).__name__}.confidence_interval",
        )
        return self._interval_at(check_times(times), float(alpha))

    def at_risk(self, times):
        """Number at risk at the given times.

        Parameters
        ----------
        times : float or array-like of shape (n_times,)
            Times at which to count the risk set.

        Returns
        -------
        at_risk : ndarray of shape (n_times,)
        """
        check_is_fitted(self, "survival_function_")
        return self._at_risk_at(check_times(times))
