"""The Ladder: a leaderboard that reports a new best score only for a real improvement."""

import math

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_parameter_constraints

from statkit.utils._validation import POSITIVE_FINITE, validate_array

_LOSSES = {
    "zero_one": lambda y_true, y_pred: (y_true != y_pred).astype(float),
    "squared": lambda y_true, y_pred: (y_true - y_pred) ** 2,
    "absolute": lambda y_true, y_pred: np.abs(y_true - y_pred),
}


class Ladder:
    """A leaderboard that resists adaptive overfitting of its holdout (Blum & Hardt, 2015).

    Each submission's holdout loss is compared with the current best reported
    score ``R``. With a fixed ``step`` η, the board moves only when the loss
    is below ``R - η``, and then reports the loss rounded to a multiple of η.
    With ``step=None`` (the parameter-free Ladder) it moves only when a one-sided
    paired t-test against the current leader's per-example losses says so:
    loss below ``R - s / sqrt(n)``, with ``s`` the standard deviation of the
    per-example loss differences; it then reports the loss itself. Otherwise
    the reported score is unchanged, so an attacker learns little from it.

    Parameters
    ----------
    y_holdout : array-like of shape (n,)
        The holdout labels or targets.
    loss : {"zero_one", "squared", "absolute"} or callable, default="zero_one"
        Per-example loss; a callable ``loss(y_true, y_pred)`` returns an array
        of shape (n,).
    step : float, default=None
        The step η > 0; None for the parameter-free rule.

    Attributes
    ----------
    score_ : float
        The reported (best) loss; ``inf`` before the first submission.
    leader_ : int or None
        Index of the submission that set ``score_``.
    history_ : list of float
        The reported score after each submission.

    References
    ----------
    Blum & Hardt, "The Ladder: A reliable leaderboard for machine learning
    competitions", ICML 2015.

    Examples
    --------
    >>> from statkit.model_selection import Ladder
    >>> board = Ladder([0, 1, 1, 0, 1, 0, 0, 1], step=0.1)
    >>> board.submit([0, 1, 1, 0, 1, 0, 1, 0])  # loss 0.25, rounded to a multiple of 0.1
    0.2
    >>> board.submit([0, 1, 1, 0, 1, 0, 0, 0])  # loss 0.125: not 0.1 better, board unchanged
    0.2
    >>> board.leader_, len(board.history_)
    (0, 2)
    """

    def __init__(self, y_holdout, loss="zero_one", step=None):
        validate_parameter_constraints(
            {"loss": [StrOptions(set(_LOSSES)), callable], "step": [POSITIVE_FINITE, None]},
            {"loss": loss, "step": step},
            caller_name="Ladder",
        )
        self._y = validate_array(y_holdout, "y_holdout", ndim=1, dtype="numeric")
        self.loss, self.step = loss, step
        self.score_, self.leader_, self.history_ = math.inf, None, []
        self._leader_losses = None

    def _losses(self, y_pred):
        y_pred = validate_array(y_pred, "y_pred", ndim=1, dtype="numeric")
        if y_pred.shape != self._y.shape:
            raise ValueError(
                f"y_pred must have one prediction per holdout example, shape {self._y.shape}; "
                f"got {y_pred.shape}."
            )
        function = _LOSSES[self.loss] if isinstance(self.loss, str) else self.loss
        losses = np.asarray(function(self._y, y_pred), dtype=float)
        if losses.shape != self._y.shape or not np.all(np.isfinite(losses)):
            raise ValueError(
                f"loss must return one finite value per example, shape {self._y.shape}."
            )
        return losses

    def submit(self, y_pred):
        """Score a submission and return the leaderboard's reported loss.

        Parameters
        ----------
        y_pred : array-like of shape (n,)
            Predictions for the holdout examples.

        Returns
        -------
        score : float
            The reported best loss after this submission.
        """
        losses = self._losses(y_pred)
        loss = float(np.mean(losses))
        if self.step is not None:
            if loss < self.score_ - self.step:
                self._lead(round(loss / self.step) * self.step, losses)
        else:
            reference = losses if self._leader_losses is None else losses - self._leader_losses
            spread = float(np.std(reference, ddof=1)) if reference.size > 1 else 0.0
            if loss < self.score_ - spread / math.sqrt(losses.size):
                self._lead(loss, losses)
        self.history_.append(self.score_)
        return self.score_

    def _lead(self, score, losses):
        self.score_, self.leader_, self._leader_losses = score, len(self.history_), losses
