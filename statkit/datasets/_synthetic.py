"""Synthetic data sets generated from a seed."""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, validate_params

from statkit.utils._validation import NumericInterval, check_generator


@validate_params(
    {
        "n_samples": [NumericInterval(Integral, 2, None, closed="left")],
        "n_features": [NumericInterval(Integral, 1, None, closed="left")],
        "n_signal": [NumericInterval(Integral, 0, None, closed="left")],
        "shift": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def make_adaptive_overfitting_experiment(
    n_samples=10_000, n_features=10_000, n_signal=0, shift=None, random_state=None
):
    """Data of the reusable-holdout experiment (Dwork et al., Science 2015).

    Training, holdout and fresh sets of ``n_samples`` each: features i.i.d.
    N(0, 1) (float32), labels ±1 with equal probability. The first ``n_signal``
    features are shifted by ``y * shift`` (default ``6 / sqrt(n_samples)``, the
    paper's 0.06 at n = 10,000); with ``n_signal=0`` no feature says anything
    about the label and every classifier's true accuracy is 0.5.

    Parameters
    ----------
    n_samples : int, default=10_000
        Rows in each of the three sets.
    n_features : int, default=10_000
        Features per row.
    n_signal : int, default=0
        Features carrying signal (the paper: 0 or 20).
    shift : float, default=None
        Their mean shift.
    random_state : None, int or numpy.random.Generator, default=None
        Source of the data.

    Returns
    -------
    data : Bunch
        ``X_train, y_train, X_holdout, y_holdout, X_fresh, y_fresh`` and
        ``signal_features`` (their indices).

    Examples
    --------
    >>> from statkit.datasets import make_adaptive_overfitting_experiment
    >>> data = make_adaptive_overfitting_experiment(100, 50, n_signal=5, random_state=0)
    >>> data.X_train.shape, data.X_train.dtype, sorted(set(data.y_train.tolist()))
    ((100, 50), dtype('float32'), [-1, 1])
    """
    if n_signal > n_features:
        raise ValueError(f"n_signal must be <= n_features; got {n_signal} > {n_features}.")
    shift = 6 / math.sqrt(n_samples) if shift is None else float(shift)
    rng = check_generator(random_state)
    data = Bunch(signal_features=np.arange(n_signal))
    for part in ("train", "holdout", "fresh"):
        X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
        y = rng.choice(np.array([-1, 1]), size=n_samples)
        X[:, :n_signal] += (shift * y[:, None]).astype(np.float32)
        data[f"X_{part}"], data[f"y_{part}"] = X, y
    return data
