"""Accuracy of a survival curve against a reference."""

import numpy as np


def survival_rmse(survival, reference):
    """Root mean square difference between survival probabilities and a reference.

    Parameters
    ----------
    survival : array-like of shape (..., n_times)
        Survival probabilities at ``n_times`` times, for one curve or several
        (leading axes).
    reference : array-like of shape (n_times,)
        The reference at the same times (e.g. the exact Kaplan–Meier curve).

    Returns
    -------
    rmse : float or ndarray of shape (...)
        One number per curve.

    Examples
    --------
    >>> from statkit.datasets import load_lung
    >>> from statkit.survival import DPKaplanMeier, KaplanMeier, survival_rmse
    >>> lung = load_lung()
    >>> km = KaplanMeier().fit(lung.time, lung.event)
    >>> times = km.timeline_[km.n_events_ > 0]
    >>> dp = DPKaplanMeier(10.0, t_max=1100, random_state=0).fit(lung.time, lung.event)
    >>> bool(survival_rmse(dp.predict(times), km.predict(times)) < 0.05)
    True
    """
    survival, reference = np.asarray(survival, float), np.asarray(reference, float)
    if survival.shape[-1:] != reference.shape:
        raise ValueError(
            f"survival must end with the shape of reference, {reference.shape}; "
            f"got {survival.shape}."
        )
    rmse = np.sqrt(np.mean((survival - reference) ** 2, axis=-1))
    return float(rmse) if rmse.ndim == 0 else rmse
