"""Scores of remaining-useful-life (RUL) predictions, as used on CMAPSS.

Each compares one predicted RUL per unit with the true RUL through the error
``d = rul_pred - rul_true``: negative ``d`` is an early prediction (the unit
is serviced too soon), positive ``d`` a late one (it fails first).
"""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import validate_params

from statkit.utils._validation import NumericInterval, check_matching_lengths, validate_array

_RUL_PARAMS = {"rul_true": ["array-like"], "rul_pred": ["array-like"]}


def _rul_error(rul_true, rul_pred):
    rul_true = validate_array(rul_true, "rul_true", ndim=1)
    rul_pred = validate_array(rul_pred, "rul_pred", ndim=1)
    check_matching_lengths(rul_true=rul_true, rul_pred=rul_pred)
    return rul_pred - rul_true


@validate_params(_RUL_PARAMS, prefer_skip_nested_validation=True)
def rul_rmse(rul_true, rul_pred):
    """Root mean square error of RUL predictions.

    Parameters
    ----------
    rul_true : array-like of shape (n_units,)
        The true remaining useful lives.
    rul_pred : array-like of shape (n_units,)
        The predicted ones.

    Returns
    -------
    rmse : float

    Examples
    --------
    >>> from statkit.hmm import rul_rmse
    >>> rul_rmse([10, 20, 30], [5, 20, 42])
    7.505553499465135
    """
    return float(np.sqrt(np.mean(_rul_error(rul_true, rul_pred) ** 2)))


@validate_params(_RUL_PARAMS, prefer_skip_nested_validation=True)
def phm08_score(rul_true, rul_pred):
    """The PHM 2008 challenge score, which penalises late predictions more.

    ``s = sum_i (exp(-d_i / 13) - 1 if d_i < 0 else exp(d_i / 10) - 1)``
    with ``d = rul_pred - rul_true`` (Saxena et al., PHM 2008). Lower is
    better; 0 is a perfect prediction.

    Parameters
    ----------
    rul_true : array-like of shape (n_units,)
        The true remaining useful lives.
    rul_pred : array-like of shape (n_units,)
        The predicted ones.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from statkit.hmm import phm08_score
    >>> round(phm08_score([10, 20, 30], [5, 20, 40]), 4)
    2.1873
    """
    d = _rul_error(rul_true, rul_pred)
    return float(np.sum(np.expm1(np.where(d < 0, -d / 13.0, d / 10.0))))


@validate_params(
    {
        **_RUL_PARAMS,
        "early": [NumericInterval(Real, 0, None, closed="left")],
        "late": [NumericInterval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def rul_accuracy(rul_true, rul_pred, *, early=10, late=13):
    """Share of units whose RUL error lies in ``[-early, late]``.

    The default interval ``[-10, 13]`` is the one of Ramasso & Saxena's
    review of CMAPSS methods (IJPHM 2014).

    Parameters
    ----------
    rul_true : array-like of shape (n_units,)
        The true remaining useful lives.
    rul_pred : array-like of shape (n_units,)
        The predicted ones.
    early : float, default=10
        How far below the true RUL a prediction may fall (inclusive).
    late : float, default=13
        How far above the true RUL a prediction may fall (inclusive).

    Returns
    -------
    accuracy : float
        Between 0 and 1.

    Examples
    --------
    >>> from statkit.hmm import rul_accuracy
    >>> rul_accuracy([50, 50, 50, 50], [40, 63, 39, 64])
    0.5
    """
    d = _rul_error(rul_true, rul_pred)
    return float(np.mean((d >= -early) & (d <= late)))
