"""Remaining useful life by a causal Markov-switching regression on a window of the series."""

import numbers
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from statkit.hmm._arphmm import ARPHMM
from statkit.hmm._input import check_lengths, check_series
from statkit.utils._validation import (
    NumericInterval,
    check_matching_lengths,
    validate_array,
)


@validate_params({"lengths": ["array-like"]}, prefer_skip_nested_validation=True)
def rul_targets(lengths):
    """Remaining useful life of every step of run-to-failure sequences.

    A sequence of length ``L`` that ends at failure has ``L - 1, L - 2, ..., 0``
    steps left after each of its steps (the last observed step is the failure).

    Parameters
    ----------
    lengths : array-like of int of shape (n_sequences,)
        Length of each sequence (positive), in the order they are stacked.

    Returns
    -------
    rul : ndarray of shape (sum(lengths),), dtype float64

    Examples
    --------
    >>> from statkit.hmm import rul_targets
    >>> rul_targets([3, 2])
    array([2., 1., 0., 1., 0.])
    """
    lengths = validate_array(lengths, "lengths", ndim=1, dtype="integer")
    if (lengths < 1).any():
        raise ValueError(f"lengths must be positive; got {int(lengths.min())}.")
    ends = np.repeat(np.cumsum(lengths), lengths)
    return (ends - 1 - np.arange(lengths.sum())).astype(float)


def causal_windows(values, starts, ends, window):
    """Rows ``[1, h_t, h_{t-1}, ..., h_{t-window+1}]``, padded with each sequence's first value."""
    lengths = ends - starts
    first = np.repeat(starts, lengths)
    steps = np.arange(values.shape[0])
    index = np.maximum(steps[:, None] - np.arange(window), first[:, None])
    return np.column_stack([np.ones(values.shape[0]), values[index]])


def per_state_ridge(design, target, weights, alpha):
    """Coefficients of one weighted (ridge) least squares per column of ``weights``.

    ``alpha`` penalises every coefficient but the first (the intercept); with
    ``alpha=0`` a rank-deficient problem gets the minimum-norm solution.
    """
    coef = np.zeros((weights.shape[1], design.shape[1]))
    penalty = alpha * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    for k in range(weights.shape[1]):
        root = np.sqrt(weights[:, k])
        scaled = design * root[:, None]
        if alpha > 0:
            gram = scaled.T @ scaled + penalty
            coef[k] = np.linalg.lstsq(gram, scaled.T @ (target * root), rcond=None)[0]
        else:
            coef[k] = np.linalg.lstsq(scaled, target * root, rcond=None)[0]
    return coef


class SwitchingRULRegressor(RegressorMixin, BaseEstimator):
    """Remaining useful life from the degradation state and a causal window of a health indicator.

    The switching regression of the ARPHMM authors' RUL code (Juesas,
    Ramasso et al. 2021), made causal. ``fit``:

    1. fits an :class:`ARPHMM` with ``n_states`` states and ``ar_order`` lags
       to the health-indicator series ``X``, with the given state
       plausibilities (the prior on the degradation states; None is
       unsupervised);
    2. regresses the RUL target ``y``, capped at ``max_rul``, on the window
       ``z_t = [1, h_t, h_{t-1}, ..., h_{t-window+1}]`` of the series (before
       the start of a sequence the window repeats its first value) by one
       weighted least squares per state, the weights being the smoothed
       state probabilities of the training steps (plausibilities included).

    ``predict`` mixes the states' regressions with the *filtered* state
    probabilities ``P(S_t = k | h_1..h_t)`` (plausibility all ones)::

        rul_t = clip(sum_k P(S_t = k | h_1..h_t) * coef_[k] @ z_t, 0, max_rul)

    so the prediction at step ``t`` uses steps ``1..t`` of its sequence only:
    a sequence cut at step ``c`` gets the first ``c`` predictions of the full
    one. (The released code pairs target ``t`` with the values up to
    ``t + window - 2`` and smooths the states over the whole sequence; both
    look ahead.)

    Capping the target at ``max_rul`` is the usual piecewise-linear RUL of
    CMAPSS studies: early in life the degradation is invisible, so the model
    learns "at least ``max_rul``" there; predictions never exceed it.

    Parameters
    ----------
    n_states : int, default=6
        Number of degradation states (6 in the authors' CMAPSS prior).
    ar_order : int, default=1
        Autoregressive order of the HMM's emissions.
    window : int, default=15
        Number of values of the series in each regression window. The
        authors used 7; 15 did slightly better in a 5-fold cross-validation
        over the CMAPSS FD001 training units.
    max_rul : float, default=125
        Cap of the RUL target and of the predictions.
    transmat_mask : array-like of bool of shape (n_states, n_states), "left-right" or None, \
default="left-right"
        Allowed transitions of the HMM; "left-right" lets each state persist
        or move to the next one (ordered degradation states, as in a
        life-fraction prior); None allows all.
    alpha : float, default=1e-6
        Ridge penalty of the regression coefficients (not the intercepts),
        which keeps a state with little weight well posed.
    n_init : int, default=3
        Restarts of the HMM's EM (see :class:`ARPHMM`).
    max_iter : int, default=100
        Maximum EM iterations per restart.
    tol : float, default=1e-2
        EM tolerance on the weighted log-likelihood.
    random_state : int, Generator or None, default=None
        Seeds the HMM's restarts.

    Attributes
    ----------
    hmm_ : ARPHMM
        The fitted HMM of the series.
    coef_ : ndarray of shape (n_states, window + 1)
        Each state's intercept (column 0) and window coefficients (column
        ``j + 1`` multiplies ``h_{t-j}``).
    n_features_in_ : int
        Always 1.

    See Also
    --------
    ARPHMM : the HMM; its ``predict_rul`` forecasts the series or the chain instead.
    rul_targets : the RUL target of run-to-failure sequences.

    References
    ----------
    P. Juesas, E. Ramasso, S. Drujont, V. Placet, "Autoregressive hidden Markov
    models with partial knowledge on latent space applied to aero-engines
    prognostics", PHM Europe 2016 (arXiv:2105.00211).

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.hmm import SwitchingRULRegressor, rul_targets
    >>> rng = np.random.default_rng(0)
    >>> lengths = rng.integers(150, 250, size=20)
    >>> hi = np.concatenate([1 - np.linspace(0, 1, n) ** 2 for n in lengths])
    >>> X = (hi + rng.normal(0, 0.02, hi.size))[:, None]
    >>> model = SwitchingRULRegressor(n_states=3, random_state=0)
    >>> model = model.fit(X, rul_targets(lengths), lengths=lengths)
    >>> rul = model.predict_rul(X, lengths)
    >>> rul.shape, bool(rul.max() <= 125)
    ((20,), True)
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_states": [Interval(numbers.Integral, 1, None, closed="left")],
        "ar_order": [Interval(numbers.Integral, 0, None, closed="left")],
        "window": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_rul": [NumericInterval(numbers.Real, 0, None, closed="neither")],
        "transmat_mask": ["array-like", StrOptions({"left-right"}), None],
        "alpha": [NumericInterval(numbers.Real, 0, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "tol": [NumericInterval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        n_states=6,
        ar_order=1,
        *,
        window=15,
        max_rul=125,
        transmat_mask="left-right",
        alpha=1e-6,
        n_init=3,
        max_iter=100,
        tol=1e-2,
        random_state=None,
    ):
        self.n_states = n_states
        self.ar_order = ar_order
        self.window = window
        self.max_rul = max_rul
        self.transmat_mask = transmat_mask
        self.alpha = alpha
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # X is one univariate series (with lengths), not any feature matrix.
        tags._skip_test = True
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, lengths=None, plausibility=None):
        """Fit the HMM of the series, then the per-state regressions of the RUL.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Health indicator, several sequences (units) stacked.
        y : array-like of shape (n_samples,)
            RUL target of each step (for run-to-failure units,
            :func:`rul_targets`); capped at ``max_rul``.
        lengths : array-like of int of shape (n_sequences,), default=None
            Length of each sequence (each at least ``ar_order + 1``); None is
            one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Prior plausibility of each state at each step, in [0, 1]; None
            (all ones) is unsupervised.

        Returns
        -------
        self : SwitchingRULRegressor
        """
        values = check_series(X)
        target = validate_array(y, "y", ndim=1)
        check_matching_lengths(X=values, y=target)
        starts, ends = check_lengths(lengths, values.shape[0], self.ar_order + 1)
        hmm = ARPHMM(
            self.n_states,
            self.ar_order,
            transmat_mask=self.transmat_mask,
            n_init=self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
        ).fit(X, lengths, plausibility)
        weights = hmm.predict_proba(X, lengths, plausibility)
        design = causal_windows(values, starts, ends, self.window)
        coef = per_state_ridge(design, np.minimum(target, self.max_rul), weights, self.alpha)
        self.hmm_, self.coef_, self.n_features_in_ = hmm, coef, 1
        return self

    def predict(self, X, lengths=None):
        """Predicted RUL of every step, from that step and the ones before it.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Health indicator, several sequences stacked (complete or truncated).
        lengths : array-like of int of shape (n_sequences,), default=None
            Length of each sequence; None is one sequence.

        Returns
        -------
        rul : ndarray of shape (n_samples,)
            In ``[0, max_rul]``.
        """
        check_is_fitted(self)
        values = check_series(X)
        starts, ends = check_lengths(lengths, values.shape[0], self.ar_order + 1)
        filtered = self.hmm_.filter(X, lengths)
        design = causal_windows(values, starts, ends, self.window)
        per_state = design @ self.coef_.T
        return np.clip((filtered * per_state).sum(axis=1), 0.0, self.max_rul)

    def score(self, X, y, lengths=None):
        """Coefficient of determination R² of the per-step predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Health indicator, several sequences stacked.
        y : array-like of shape (n_samples,)
            True RUL of each step (not capped).
        lengths : array-like of int of shape (n_sequences,), default=None
            Length of each sequence; None is one sequence.

        Returns
        -------
        score : float
            :func:`sklearn.metrics.r2_score` of :meth:`predict` against ``y``.
        """
        from sklearn.metrics import r2_score

        return r2_score(y, self.predict(X, lengths))

    def predict_rul(self, X, lengths=None):
        """Predicted RUL after the last step of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Health indicator, several sequences stacked.
        lengths : array-like of int of shape (n_sequences,), default=None
            Length of each sequence; None is one sequence.

        Returns
        -------
        rul : ndarray of shape (n_sequences,)
        """
        check_is_fitted(self)
        ends = check_lengths(lengths, check_series(X).shape[0], self.ar_order + 1)[1]
        return self.predict(X, lengths)[ends - 1]
