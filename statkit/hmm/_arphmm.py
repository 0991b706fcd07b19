"""The autoregressive partially-hidden Markov model (ARPHMM) estimator."""

import numbers
from dataclasses import replace
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from statkit.hmm._em import Parameters, initial_parameters, posteriors, run_em
from statkit.hmm._emissions import log_emission
from statkit.hmm._input import (
    check_parameters,
    check_reachable,
    check_sequences,
    check_transmat_mask,
)
from statkit.hmm._kernels import simulate_path, viterbi
from statkit.hmm._rul import simulated_rul, state_rul
from statkit.utils._validation import NumericInterval, check_generator

_LETTERS = {"s": "startprob_", "t": "transmat_", "a": "ar_coef_", "v": "noise_var_"}


class _Letters(StrOptions):
    """Any combination of the letters s, t, a, v (including the empty string)."""

    def __init__(self):
        super().__init__(set())

    def is_satisfied_by(self, val):
        return isinstance(val, str) and set(val) <= set(_LETTERS)

    def __str__(self):
        return "a str of the letters 's', 't', 'a', 'v'"


class ARPHMM(BaseEstimator):
    """Autoregressive partially-hidden Markov model with soft state labels.

    A hidden Markov chain ``S_t`` (start probabilities ``startprob_``,
    transitions ``transmat_``) switches between ``n_states`` Gaussian
    autoregressions of a univariate series::

        y_t = intercept_[k] + sum_j ar_coef_[k, j] * y_{t-1-j} + e_t,  e_t ~ N(0, noise_var_[k])

    when ``S_t = k``. Prior knowledge about the states enters as per-step
    plausibilities ``pl_t(k)`` in [0, 1] (Ramasso & Denoeux 2014; Juesas,
    Ramasso et al. 2021): every emission density is multiplied by its
    plausibility, so all ones is the plain ARHMM, one-hot rows are hard
    labels and anything in between is a soft or noisy label. EM maximises the
    weighted likelihood ``sum_S prod_t pl_t(S_t) p(S, y)``, which never
    decreases; decoding uses the same plausibilities (default: all ones).

    Several sequences are passed stacked, with their ``lengths`` (hmmlearn's
    convention). The first ``ar_order`` values of each sequence are the lags
    of the next ones: they are steps of the chain but carry no emission, so
    the likelihood is conditional on them.

    Parameters
    ----------
    n_states : int, default=2
        Number of hidden states.
    ar_order : int, default=1
        Order ``p`` of each state's autoregression (0 gives a Gaussian HMM).
    intercept : bool, default=True
        Whether each state has its own intercept (its level).
    transmat_mask : array-like of bool of shape (n_states, n_states), "left-right" or None
        Allowed transitions; the others stay zero through EM. "left-right"
        allows staying and moving to the next state. A mask that leaves a
        state unreachable from the start states is an error.
    n_init : int, default=5
        Number of restarts; the one with the highest weighted log-likelihood
        is kept. Each starts from a guess of the states: consecutive segments
        of each sequence (random, near-equal lengths) under a left-right mask,
        otherwise k-means on the AR fits of short windows (a seed per restart).
    max_iter : int, default=100
        Maximum number of EM iterations (M-steps) per restart.
    tol : float, default=1e-2
        Stop when the weighted log-likelihood gains less than ``tol``.
    params : str, default="stav"
        What EM updates: "s" start probabilities, "t" transitions,
        "a" intercepts and AR coefficients, "v" noise variances.
    init_params : str, default="stav"
        What is initialised in ``fit``; the others must be set as attributes
        before fitting (hmmlearn's convention).
    random_state : int, Generator or None, default=None
        Seeds the restarts' k-means and :meth:`sample`.
    verbose : int, default=0
        Print the log-likelihood of each iteration to stderr.
    n_jobs : int or None, default=None
        Sequences are split into this many shards whose E-steps run through
        joblib (so ``joblib.parallel_config(backend="dask")`` spreads a fleet of
        series over a cluster); None runs serially.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_states,)
    transmat_ : ndarray of shape (n_states, n_states)
    intercept_ : ndarray of shape (n_states,)
        Zeros when ``intercept=False``.
    ar_coef_ : ndarray of shape (n_states, ar_order)
    noise_var_ : ndarray of shape (n_states,)
        Floored at ``1e-6`` times the variance of the series.
    monitor_ : ConvergenceMonitor
        Weighted log-likelihood of each iteration of the best restart.
    n_features_in_ : int
        Always 1.

    See Also
    --------
    SwitchingRULRegressor : remaining useful life from the states and a window of values.

    References
    ----------
    P. Juesas, E. Ramasso, S. Drujont, V. Placet, "Autoregressive hidden Markov
    models with partial knowledge on latent space applied to aero-engines
    prognostics", PHM Europe 2016 (arXiv:2105.00211).
    E. Ramasso, T. Denoeux, "Making use of partial knowledge about hidden states
    in HMMs: an approach based on belief functions", IEEE TFS 22(2), 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.hmm import ARPHMM
    >>> truth = ARPHMM(2, ar_order=1)
    >>> truth.startprob_ = np.array([0.5, 0.5])
    >>> truth.transmat_ = np.array([[0.98, 0.02], [0.02, 0.98]])
    >>> truth.intercept_ = np.array([0.0, 2.0])
    >>> truth.ar_coef_ = np.array([[0.5], [-0.3]])
    >>> truth.noise_var_ = np.array([0.1, 0.1])
    >>> X, states = truth.sample(2000, random_state=0)
    >>> model = ARPHMM(2, ar_order=1, random_state=0).fit(X)
    >>> accuracy = np.mean(model.predict(X) == states)
    >>> bool(max(accuracy, 1 - accuracy) > 0.95)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_states": [Interval(numbers.Integral, 1, None, closed="left")],
        "ar_order": [Interval(numbers.Integral, 0, None, closed="left")],
        "intercept": ["boolean"],
        "transmat_mask": ["array-like", StrOptions({"left-right"}), None],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "tol": [NumericInterval(numbers.Real, 0, None, closed="left")],
        "params": [_Letters()],
        "init_params": [_Letters()],
        "random_state": ["random_state", np.random.Generator],
        "verbose": ["verbose"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        n_states=2,
        ar_order=1,
        *,
        intercept=True,
        transmat_mask=None,
        n_init=5,
        max_iter=100,
        tol=1e-2,
        params="stav",
        init_params="stav",
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.n_states = n_states
        self.ar_order = ar_order
        self.intercept = intercept
        self.transmat_mask = transmat_mask
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.params = params
        self.init_params = init_params
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # fit(X, lengths, plausibility) is not fit(X, y): tested in tests/test_common.py's
        # API_CASES and in tests/hmm.
        tags._skip_test = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, lengths=None, plausibility=None):
        """Estimate the parameters by EM, keeping the best of ``n_init`` restarts.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int of shape (n_sequences,), default=None
            Length of each sequence (each at least ``ar_order + 1``); None is
            one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1], no row all
            zero; None (all ones) is unsupervised.

        Returns
        -------
        self : ARPHMM
        """
        data = check_sequences(
            X, lengths, plausibility, self.n_states, self.ar_order, self.intercept
        )
        mask = check_transmat_mask(self.transmat_mask, self.n_states)
        given = self._given_parameters(mask)
        variance = float(np.var(data.y[data.observed]))
        min_noise_var = 1e-6 * variance if variance > 0 else 1e-12
        rng = check_generator(self.random_state)
        best = None
        for _ in range(self.n_init):
            start = initial_parameters(
                data, self.n_states, mask, self.init_params, given, min_noise_var, rng
            )
            check_reachable(start.startprob, mask)
            fitted, monitor = run_em(
                data,
                start,
                self.params,
                mask,
                min_noise_var,
                self.max_iter,
                self.tol,
                self.verbose,
                self.n_jobs,
            )
            if best is None or monitor.history[-1] > best[1].history[-1]:
                best = fitted, monitor
        self._set_parameters(best[0])
        self.monitor_ = best[1]
        self.n_features_in_ = 1
        return self

    def _given_parameters(self, mask):
        """Parameters set by the user for the letters missing from ``init_params``."""
        missing = [a for letter, a in _LETTERS.items() if letter not in self.init_params]
        if "ar_coef_" in missing and self.intercept:
            missing.append("intercept_")
        absent = [a for a in missing if not hasattr(self, a)]
        if absent:
            raise ValueError(
                f"init_params={self.init_params!r} leaves {absent} to the user: set them "
                "before fit, or add their letters to init_params."
            )
        n, d = self.n_states, int(self.intercept) + self.ar_order
        given = Parameters(
            np.asarray(getattr(self, "startprob_", np.full(n, 1.0 / n)), float),
            np.asarray(getattr(self, "transmat_", mask / mask.sum(1, keepdims=True)), float),
            self._coef() if "ar_coef_" in missing else np.zeros((n, d)),
            np.asarray(getattr(self, "noise_var_", np.ones(n)), float),
        )
        check_parameters(given, n, d)
        if "transmat_" in missing and (given.transmat[~mask] > 0).any():
            raise ValueError("transmat_ allows transitions that transmat_mask forbids.")
        return replace(given, transmat=np.where(mask, given.transmat, 0.0))

    def _coef(self):
        ar = np.asarray(self.ar_coef_, float)
        if ar.shape != (self.n_states, self.ar_order):
            raise ValueError(
                f"ar_coef_ must have shape (n_states, ar_order) = "
                f"({self.n_states}, {self.ar_order}); got {ar.shape}."
            )
        if self.intercept:
            return np.column_stack([np.asarray(self.intercept_, float).reshape(-1), ar])
        return ar

    def _set_parameters(self, params):
        self.startprob_ = params.startprob
        self.transmat_ = params.transmat
        offset = int(self.intercept)
        self.intercept_ = params.coef[:, 0].copy() if self.intercept else np.zeros(self.n_states)
        self.ar_coef_ = params.coef[:, offset:].copy()
        self.noise_var_ = params.noise_var

    def _parameters(self):
        check_is_fitted(self, ["startprob_", "transmat_", "ar_coef_", "noise_var_"])
        params = Parameters(
            np.asarray(self.startprob_, float),
            np.asarray(self.transmat_, float),
            self._coef(),
            np.asarray(self.noise_var_, float),
        )
        return check_parameters(params, self.n_states, int(self.intercept) + self.ar_order)

    def _posteriors(self, X, lengths, plausibility):
        params = self._parameters()
        data = check_sequences(
            X, lengths, plausibility, self.n_states, self.ar_order, self.intercept
        )
        return data, params, posteriors(data, params)

    def score_samples(self, X, lengths=None, plausibility=None):
        """Log weighted likelihood and smoothed state probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1]; None is all ones.

        Returns
        -------
        log_likelihood : float
            ``log sum_S prod_t pl_t(S_t) p(S, y)``, summed over sequences; with
            the default plausibility the log-likelihood of ``X``.
        posteriors : ndarray of shape (n_samples, n_states)
            P(S_t = k | X), including the plausibilities.
        """
        _, _, (log_likelihood, smoothed, *_) = self._posteriors(X, lengths, plausibility)
        return log_likelihood, smoothed

    def score(self, X, lengths=None, plausibility=None):
        """Log weighted likelihood of ``X`` (see :meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1]; None is all ones.

        Returns
        -------
        log_likelihood : float
        """
        return self.score_samples(X, lengths, plausibility)[0]

    def predict_proba(self, X, lengths=None, plausibility=None):
        """Smoothed state probabilities P(S_t = k | X) (forward-backward).

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1]; None is all ones.

        Returns
        -------
        posteriors : ndarray of shape (n_samples, n_states)
        """
        return self.score_samples(X, lengths, plausibility)[1]

    def filter(self, X, lengths=None, plausibility=None):
        """Filtered state probabilities P(S_t = k | X_1..t): causal, for online use.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1]; None is all ones.

        Returns
        -------
        filtered : ndarray of shape (n_samples, n_states)
        """
        return self._posteriors(X, lengths, plausibility)[2][2]

    def decode(self, X, lengths=None, plausibility=None, algorithm="viterbi"):
        """Most likely states.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1]; None is all ones.
        algorithm : {"viterbi", "map"}, default="viterbi"
            The best joint path, or the most probable state of each step.

        Returns
        -------
        log_prob : float
            Log weighted probability of the Viterbi paths, or the log weighted
            likelihood for "map".
        states : ndarray of int of shape (n_samples,)
        """
        if algorithm not in ("viterbi", "map"):
            raise ValueError(f"algorithm must be 'viterbi' or 'map'; got {algorithm!r}.")
        data, params, (log_likelihood, smoothed, *_) = self._posteriors(X, lengths, plausibility)
        if algorithm == "map":
            return log_likelihood, smoothed.argmax(axis=1)
        states = np.empty(data.y.shape[0], dtype=np.int64)
        with np.errstate(divide="ignore"):
            log_prob = viterbi(
                log_emission(data.y, data.design, data.observed, params.coef, params.noise_var),
                np.log(data.plausibility),
                np.log(params.startprob),
                np.log(params.transmat),
                data.starts,
                data.ends,
                states,
            )
        return log_prob, states

    def predict(self, X, lengths=None, plausibility=None):
        """Viterbi path of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1]; None is all ones.

        Returns
        -------
        states : ndarray of int of shape (n_samples,)
        """
        return self.decode(X, lengths, plausibility)[1]

    def sample(self, n_samples=1, random_state=None):
        """Draw one sequence from the model.

        The ``ar_order`` lags before the first value are the start
        distribution's mean of the states' stationary levels.

        Parameters
        ----------
        n_samples : int, default=1
            Length of the sequence.
        random_state : int, Generator or None, default=None
            None uses the estimator's ``random_state``.

        Returns
        -------
        X : ndarray of shape (n_samples, 1)
        states : ndarray of int of shape (n_samples,)
        """
        params = self._parameters()
        rng = check_generator(self.random_state if random_state is None else random_state)
        values = np.empty(n_samples)
        states = np.empty(n_samples, dtype=np.int64)
        simulate_path(
            np.cumsum(params.startprob),
            np.cumsum(params.transmat, axis=1),
            params.coef,
            np.sqrt(params.noise_var),
            np.full(self.ar_order, params.startprob @ self._levels()),
            self.intercept,
            -np.inf,
            rng.random(n_samples),
            rng.standard_normal(n_samples),
            values,
            states,
        )
        return values[:, None], states

    def _levels(self):
        """Each state's stationary mean (its intercept where the AR part has a unit root)."""
        persistence = 1.0 - np.asarray(self.ar_coef_).sum(axis=1)
        safe = np.abs(persistence) > 1e-8
        return np.where(safe, self.intercept_ / np.where(safe, persistence, 1.0), self.intercept_)

    def _n_parameters(self):
        mask = self.transmat_ > 0
        counts = {
            "s": self.n_states - 1,
            "t": int((mask.sum(axis=1) - 1).sum()),
            "a": self.n_states * (int(self.intercept) + self.ar_order),
            "v": self.n_states,
        }
        return sum(counts[letter] for letter in set(self.params))

    def _information_criterion(self, X, lengths, penalty):
        data, _, (log_likelihood, *_) = self._posteriors(X, lengths, None)
        return -2 * log_likelihood + penalty(int(data.observed.sum())) * self._n_parameters()

    def aic(self, X, lengths=None):
        """Akaike information criterion (lower is better).

        Counts the parameters that EM updates (``params``), with transitions
        that ``transmat_`` holds at zero not counted.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.

        Returns
        -------
        aic : float
        """
        return self._information_criterion(X, lengths, lambda n: 2.0)

    def bic(self, X, lengths=None):
        """Bayesian information criterion (lower is better), with n the number of scored steps.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            The series, several sequences stacked.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.

        Returns
        -------
        bic : float
        """
        return self._information_criterion(X, lengths, np.log)

    def predict_rul(
        self,
        X,
        lengths=None,
        plausibility=None,
        *,
        method="simulate",
        threshold=0.0,
        failure_state=None,
        n_simulations=1000,
        max_steps=1000,
        alpha=0.1,
        random_state=None,
    ):
        """Remaining useful life after the last step of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Health indicator series, one sequence per unit.
        lengths : array-like of int, default=None
            Length of each sequence; None is one sequence.
        plausibility : array-like of shape (n_samples, n_states), default=None
            Plausibility of each state at each step, in [0, 1]; None is all ones.
        method : {"simulate", "state"}, default="simulate"
            "simulate": draw ``n_simulations`` paths of the fitted model from
            the filtered state of the last step and the last values, and
            report the median and the ``(alpha/2, 1 - alpha/2)`` quantiles of
            the steps until the series first falls to ``threshold`` or below.
            "state": the expected number of steps until the chain enters
            ``failure_state`` from the filtered state (for a left-right chain
            the sum of the expected sojourns 1/(1 - A_jj) still ahead), with
            quantiles of that hitting time.
        threshold : float, default=0.0
            Failure level of the series (method "simulate").
        failure_state : int, default=None
            The failed state (method "state"); None is the last state.
        n_simulations : int, default=1000
            Number of simulated paths per unit (method "simulate").
        max_steps : int, default=1000
            Horizon; a unit not failed by then gets ``max_steps + 1``.
        alpha : float, default=0.1
            One minus the coverage of the interval.
        random_state : int, Generator or None, default=None
            None uses the estimator's ``random_state``.

        Returns
        -------
        RULPrediction
            ``rul``, ``lower`` and ``upper``, one value per sequence.
        """
        if method not in ("simulate", "state"):
            raise ValueError(f"method must be 'simulate' or 'state'; got {method!r}.")
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
        data, params, (_, _, filtered, *_) = self._posteriors(X, lengths, plausibility)
        last = filtered[data.ends - 1]
        if method == "state":
            state = self.n_states - 1 if failure_state is None else failure_state
            if not 0 <= state < self.n_states:
                raise ValueError(
                    f"failure_state must be in [0, {self.n_states}); got {failure_state!r}."
                )
            return state_rul(last, params.transmat, state, max_steps, alpha)
        rng = check_generator(self.random_state if random_state is None else random_state)
        histories = [data.y[end - self.ar_order : end] for end in data.ends]
        return simulated_rul(
            last, histories, params, self.intercept, threshold, n_simulations, max_steps, alpha, rng
        )
