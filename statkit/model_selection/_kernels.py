"""Numba kernels of the holdout mechanisms: pure functions on NumPy arrays."""

import numpy as np

from statkit.utils._numba import njit


@njit
def thresholdout_answers(
    train, holdout, threshold, noise, noisy_threshold, budget_left, from_holdout=False
):
    """Answer a sequence of Thresholdout queries in order, with pre-drawn noise.

    Query ``i`` is answered from the holdout ("overfit") when
    ``|holdout[i] - train[i]| > noisy_threshold + noise[i, 0]``: the answer is
    ``holdout[i] + noise[i, 1]``, one unit of budget is spent and the noisy
    threshold becomes ``threshold + noise[i, 2]``. Otherwise the answer is
    ``train[i]`` exactly. Answering stops before the first query met with
    less than one unit of budget left.

    Parameters
    ----------
    train, holdout : ndarray of shape (m,)
        The query values on the training and holdout sets.
    threshold : float
        The threshold T.
    noise : ndarray of shape (m, 3)
        Per query: comparison noise, answer noise, and the threshold noise
        drawn if the query overfits.
    noisy_threshold : float
        The threshold with its current noise, ``T + γ``.
    budget_left : float
        Overfitting budget left (``inf`` for none).
    from_holdout : bool, default=False
        Answer every query from the holdout, without the comparison.

    Returns
    -------
    answers : ndarray of shape (m,)
        The answers; entries from ``n_answered`` on are NaN.
    overfit : ndarray of bool of shape (m,)
    n_answered : int
    noisy_threshold, budget_left : float
        The state after the last answered query.
    """
    m = train.shape[0]
    answers = np.full(m, np.nan)
    overfit = np.zeros(m, dtype=np.bool_)
    for i in range(m):
        if budget_left < 1.0:
            return answers, overfit, i, noisy_threshold, budget_left
        if from_holdout or abs(holdout[i] - train[i]) > noisy_threshold + noise[i, 0]:
            answers[i] = holdout[i] + noise[i, 1]
            overfit[i] = True
            budget_left -= 1.0
            noisy_threshold = threshold + noise[i, 2]
        else:
            answers[i] = train[i]
    return answers, overfit, m, noisy_threshold, budget_left
