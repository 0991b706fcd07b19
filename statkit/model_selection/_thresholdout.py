"""Thresholdout: answer adaptively chosen queries from a reusable holdout.

The sparse-vector technique run on ``|holdout - train|``: a query whose
holdout value stays near its training value is answered with the training
value (revealing nothing new about the holdout); one that differs by more than
a noisy threshold is answered with a noisy holdout value and spends one unit
of the overfitting budget (Dwork et al., Science 2015).
"""

import contextlib
import functools
import math
import threading
import warnings
from dataclasses import dataclass
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions, validate_params

from statkit.model_selection._input import validate_values, value_range_width
from statkit.model_selection._kernels import thresholdout_answers
from statkit.privacy import GaussianMechanism, LaplaceMechanism, PrivacyBudgetError
from statkit.utils._validation import (
    OPEN_UNIT_INTERVAL,
    POSITIVE_FINITE,
    NumericInterval,
    check_generator,
)

# Noise of each rule, in units of sigma, per query: (comparison, answer, threshold redraw),
# and the noise of the first threshold.
_NOISE_SCALES = {
    # The Science supplement's rule: fresh N(0, σ) on the threshold of every query, N(0, σ)
    # on a holdout answer, no persistent threshold noise.
    "gaussian": ((1.0, 1.0, 0.0), 0.0),
    # The algorithm box (AboveThreshold): T + Lap(2σ), redrawn after each holdout answer;
    # Lap(4σ) on each comparison; Lap(σ) on a holdout answer.
    "laplace": ((4.0, 1.0, 2.0), 2.0),
}


class BudgetExhausted(PrivacyBudgetError):
    """The holdout mechanism's budget is spent: it answers no further query, ever."""


@dataclass(frozen=True)
class QueryHistory:
    """What a holdout mechanism has released, in order: never a raw holdout value.

    Parameters
    ----------
    answers : ndarray of float
        The released answers.
    overfit : ndarray of bool
        Whether each answer came from the holdout (and spent budget).
    """

    answers: np.ndarray
    overfit: np.ndarray


@functools.cache
def _unit_noise(noise):
    """The privacy mechanism whose noise, in units of sigma, a rule adds."""
    if noise == "laplace":
        return LaplaceMechanism(epsilon=1.0)  # scale 1
    return GaussianMechanism.from_sigma(1.0, delta=0.5)  # standard normal noise


class Thresholdout(BaseEstimator):
    """The Thresholdout mechanism: numbers in, (noisy) numbers out.

    ``query(train_value, holdout_value)`` answers a statistical query (the mean
    of a function of the data, a model's score) computed on the training set
    and on the holdout. It returns the training value when the two agree up to
    a noisy threshold, and otherwise the holdout value plus noise, spending one
    unit of the overfitting ``budget``.

    Two rules:

    * ``noise="gaussian"`` (default), the rule of the authors' experiment
      (Science 2015 supplement): compare ``|h - t|`` with ``T + N(0, σ)``,
      answer ``h + N(0, σ)``. It has no formal guarantee, and it is the rule
      that works in practice at the sample sizes people have.
    * ``noise="laplace"``, the algorithm box with a formal guarantee when a
      finite ``budget`` is set: threshold ``T + Lap(2σ)`` (redrawn after each
      holdout answer), comparison noise ``Lap(4σ)``, answer ``h + Lap(σ)``.
      For queries with values in a range of width ``w`` on ``n`` holdout
      records it is ε-differentially private with ``ε = 2 B w / (n σ)`` for a
      budget ``B`` (sparse vector plus a Laplace release per holdout answer).

    Parameters
    ----------
    threshold : float, default=None
        The threshold T, > 0. Default ``4 w / sqrt(n_holdout)``.
    sigma : float, default=None
        The noise scale σ, >= 0 (0 gives the deterministic rule). Default
        ``w / sqrt(n_holdout)``.
    budget : int, default=None
        How many holdout answers may be given; None for no limit. Once it is
        spent every query raises :class:`BudgetExhausted` (or returns NaN).
    noise : {"gaussian", "laplace"}, default="gaussian"
        The rule, above.
    n_holdout : int, default=None
        The size of the holdout, from which the default threshold and sigma
        are derived; :class:`ReusableHoldout` sets it.
    value_range : tuple of float or None, default=(0.0, 1.0)
        The range the query values can take (width ``w``); a value outside it
        is an error. None allows any finite value, with ``w = 1``.
    clip : bool, default=False
        Clip holdout answers to ``value_range``; off by default, so the noise
        law (and the mean of the answers) is exactly the rule's.
    on_exhausted : {"raise", "nan"}, default="raise"
        What a query after the budget is spent does.
    random_state : None, int or numpy.random.Generator, default=None
        Source of the noise. A fixed seed is for reproducible demonstrations
        only: whoever knows it can subtract the noise.

    Attributes
    ----------
    threshold_, sigma_ : float
        The threshold and noise scale in use.
    n_queries_ : int
        Queries answered.
    n_overfit_ : int
        Queries answered from the holdout.
    budget_remaining_ : float
        Holdout answers left (``inf`` without a budget).
    history_ : QueryHistory
        The released answers and which came from the holdout.

    References
    ----------
    Dwork, Feldman, Hardt, Pitassi, Reingold & Roth, "The reusable holdout:
    Preserving validity in adaptive data analysis", Science 349 (2015), and
    "Generalization in adaptive data analysis and holdout reuse", NIPS 2015.

    Examples
    --------
    >>> from statkit.model_selection import Thresholdout
    >>> mech = Thresholdout(threshold=0.04, sigma=0.0, budget=1)
    >>> mech.query(0.80, 0.79)  # close to the training value: the training value
    0.8
    >>> mech.query(0.95, 0.70)  # overfit: the holdout value (sigma=0: no noise)
    0.7
    >>> mech.n_overfit_, mech.budget_remaining_
    (1, 0.0)
    """

    _parameter_constraints: ClassVar[dict] = {
        "threshold": [POSITIVE_FINITE, None],
        "sigma": [NumericInterval(Real, 0, math.inf, closed="left"), None],
        "budget": [NumericInterval(Integral, 0, None, closed="left"), None],
        "noise": [StrOptions({"gaussian", "laplace"})],
        "n_holdout": [NumericInterval(Integral, 1, None, closed="left"), None],
        "value_range": [tuple, None],
        "clip": ["boolean"],
        "on_exhausted": [StrOptions({"raise", "nan"})],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        threshold=None,
        sigma=None,
        budget=None,
        *,
        noise="gaussian",
        n_holdout=None,
        value_range=(0.0, 1.0),
        clip=False,
        on_exhausted="raise",
        random_state=None,
    ):
        self.threshold = threshold
        self.sigma = sigma
        self.budget = budget
        self.noise = noise
        self.n_holdout = n_holdout
        self.value_range = value_range
        self.clip = clip
        self.on_exhausted = on_exhausted
        self.random_state = random_state

    @classmethod
    @validate_params(
        {
            "tau": [OPEN_UNIT_INTERVAL],
            "beta": [OPEN_UNIT_INTERVAL],
            "n_queries": [NumericInterval(Integral, 1, None, closed="left")],
            "n_holdout": [NumericInterval(Integral, 1, None, closed="left")],
            "budget": [NumericInterval(Integral, 1, None, closed="left"), None],
        },
        prefer_skip_nested_validation=True,
    )
    def from_guarantee(cls, tau, beta, n_queries, n_holdout, budget=None, **params):
        """The Laplace rule with the constants of the accuracy theorem.

        Dwork et al. (NIPS 2015) show that with ``T = 3τ/4`` and
        ``σ = τ / (96 ln(4m/β))``, every answer among ``m`` queries is within
        ``τ`` of the truth with probability at least ``1 - β``, until ``budget``
        (B) holdout answers are spent, once ``n ≥ n₀ = C ln(m/β)/τ² ·
        min(B, sqrt(B ln(ln(m/β)/τ)))``. A warning is issued when
        ``n_holdout`` is below that bound with ``C = 1``, which is necessary
        but not sufficient (the theorem's constant is larger).

        Parameters
        ----------
        tau : float
            Accuracy τ, in (0, 1), for queries with values in [0, 1].
        beta : float
            Failure probability β, in (0, 1).
        n_queries : int
            The number m of queries to be asked.
        n_holdout : int
            The size of the holdout.
        budget : int, default=None
            The budget B; defaults to ``n_queries``.
        **params
            Other parameters of :class:`Thresholdout` (``random_state``, ...).

        Returns
        -------
        mechanism : Thresholdout

        Examples
        --------
        >>> from statkit.model_selection import Thresholdout
        >>> mech = Thresholdout.from_guarantee(
        ...     0.1, 0.05, n_queries=100, n_holdout=50_000, budget=10)
        >>> round(mech.threshold, 3), round(mech.sigma, 6), mech.noise, mech.budget
        (0.075, 0.000116, 'laplace', 10)
        """
        budget = n_queries if budget is None else budget
        log_term = math.log(n_queries / beta)
        n0 = log_term / tau**2 * min(budget, math.sqrt(budget * max(math.log(log_term / tau), 1)))
        if n_holdout < n0:
            warnings.warn(
                f"n_holdout={n_holdout} is below {math.ceil(n0)}, the sample size the guarantee "
                f"needs for tau={tau:g}, beta={beta:g}, {n_queries} queries and budget {budget} "
                "even with constant 1: the answers are not guaranteed to be tau-accurate.",
                UserWarning,
                stacklevel=3,
            )
        return cls(
            threshold=0.75 * tau,
            sigma=tau / (96 * math.log(4 * n_queries / beta)),
            budget=budget,
            noise="laplace",
            n_holdout=n_holdout,
            **params,
        )

    def _start(self):
        """Validate the parameters and set up the state at the first query."""
        self._validate_params()
        pair = self.value_range
        if pair is not None and not (
            len(pair) == 2 and all(isinstance(v, Real) for v in pair) and pair[0] < pair[1]
        ):
            raise ValueError(
                "value_range must be a pair (low, high) of numbers with low < high, or "
                f"None; got {self.value_range!r}."
            )
        if (self.threshold is None or self.sigma is None) and self.n_holdout is None:
            raise ValueError(
                "Thresholdout needs threshold and sigma, or n_holdout to derive them "
                "(4 w / sqrt(n_holdout) and w / sqrt(n_holdout)); ReusableHoldout sets "
                "n_holdout itself."
            )
        width = value_range_width(self.value_range)
        root = None if self.n_holdout is None else math.sqrt(self.n_holdout)
        threshold = 4 * width / root if self.threshold is None else float(self.threshold)
        sigma = width / root if self.sigma is None else float(self.sigma)
        rng = check_generator(self.random_state)
        scales, first = _NOISE_SCALES[self.noise]
        unit = _unit_noise(self.noise)
        first_noise = first * sigma * float(unit.sample_noise((), rng))
        self.threshold_, self.sigma_ = threshold, sigma
        self.n_queries_, self.n_overfit_ = 0, 0
        self.budget_remaining_ = math.inf if self.budget is None else float(self.budget)
        self._rng, self._noise_scales = rng, sigma * np.asarray(scales)
        self._noisy_threshold = threshold + first_noise
        self._answers, self._overfit = [], []

    @contextlib.contextmanager
    def _state(self):
        """Hold the lock over the state, set up at the first query."""
        if not hasattr(self, "_lock"):
            self._lock = threading.Lock()
        with self._lock:
            if not hasattr(self, "n_queries_"):
                self._start()
            yield

    def query(self, train_value, holdout_value):
        """Answer queries, in order, from their training and holdout values.

        Parameters
        ----------
        train_value, holdout_value : float or array-like of shape (m,)
            The query values on the training set and on the holdout; several
            queries are answered in order, as if asked one by one.

        Returns
        -------
        answer : float or ndarray of shape (m,)

        Raises
        ------
        BudgetExhausted
            The budget is spent (``on_exhausted="raise"``). Answers given
            before it ran out in the same call are in ``history_``.
        ValueError
            NaN or infinite values, values outside ``value_range``, or values
            of different shapes.
        """
        with self._state():
            train = validate_values(train_value, "train_value", self.value_range)
            holdout = validate_values(holdout_value, "holdout_value", self.value_range)
            if train.shape != holdout.shape:
                raise ValueError(
                    "train_value and holdout_value must have the same shape; got "
                    f"{train.shape} and {holdout.shape}."
                )
            answers = self._answer(np.atleast_1d(train), np.atleast_1d(holdout))
        return float(answers[0]) if train.ndim == 0 else answers

    def answer_from_holdout(self, holdout_value):
        """Answer from the holdout, with the rule's noise, spending one unit of budget per value.

        The estimate to report at the end of an adaptive analysis (the score
        of the model finally chosen): :meth:`query` may answer with a training
        value that the analysis has adapted to, within the threshold of the
        holdout value; this answer's error is the rule's noise alone. With the
        Laplace rule it costs ``w / (n σ)`` of privacy, half of what one unit
        of budget accounts for.

        Parameters
        ----------
        holdout_value : float or array-like of shape (m,)
            The values on the holdout.

        Returns
        -------
        answer : float or ndarray of shape (m,)

        Raises
        ------
        BudgetExhausted
            The budget is spent (``on_exhausted="raise"``).

        Examples
        --------
        >>> from statkit.model_selection import Thresholdout
        >>> mech = Thresholdout(threshold=0.04, sigma=0.0, budget=3)
        >>> mech.answer_from_holdout(0.71), mech.budget_remaining_
        (0.71, 2.0)
        """
        with self._state():
            holdout = validate_values(holdout_value, "holdout_value", self.value_range)
            answers = self._answer(
                np.atleast_1d(holdout), np.atleast_1d(holdout), from_holdout=True
            )
        return float(answers[0]) if holdout.ndim == 0 else answers

    def _answer(self, train, holdout, from_holdout=False):
        if self.budget_remaining_ < 1:
            return self._exhausted(np.full(train.shape, np.nan))
        # One (m, 3) block of unit noise from the privacy mechanism, scaled per column, so that
        # a batch answers exactly as the same queries asked one by one.
        unit = _unit_noise(self.noise).sample_noise((train.size, 3), self._rng)
        answers, overfit, n_answered, noisy_threshold, budget_left = thresholdout_answers(
            train,
            holdout,
            self.threshold_,
            unit * self._noise_scales,
            self._noisy_threshold,
            self.budget_remaining_,
            from_holdout,
        )
        if self.clip and self.value_range is not None:
            answers[overfit] = np.clip(answers[overfit], *self.value_range)
        self._noisy_threshold, self.budget_remaining_ = noisy_threshold, budget_left
        self.n_queries_ += n_answered
        self.n_overfit_ += int(overfit.sum())
        self._answers.extend(answers[:n_answered].tolist())
        self._overfit.extend(overfit[:n_answered].tolist())
        if n_answered < train.size:
            return self._exhausted(answers)
        return answers

    def _exhausted(self, answers):
        if self.on_exhausted == "raise":
            raise BudgetExhausted(
                f"the Thresholdout budget of {self.budget} holdout answers is spent: the "
                "mechanism answers no further query. A fresh holdout is needed."
            )
        return answers

    @property
    def history_(self):
        """QueryHistory : The released answers, and which came from the holdout."""
        if not hasattr(self, "n_queries_"):
            raise AttributeError("history_ exists once a query has been answered.")
        return QueryHistory(np.array(self._answers, dtype=float), np.array(self._overfit, bool))

    def _get_state(self):
        """The mechanism's state as JSON-serialisable data (for the ledger)."""
        return {
            "n_queries": self.n_queries_,
            "n_overfit": self.n_overfit_,
            "budget_remaining": None
            if math.isinf(self.budget_remaining_)
            else self.budget_remaining_,
            "noisy_threshold": self._noisy_threshold,
            "rng": _bit_generator_state(self._rng),
            "answers": list(self._answers),
            "overfit": list(self._overfit),
        }

    def _set_state(self, state):
        """Continue from a state saved by ``_get_state``."""
        self._start()
        self.n_queries_, self.n_overfit_ = state["n_queries"], state["n_overfit"]
        remaining = state["budget_remaining"]
        self.budget_remaining_ = math.inf if remaining is None else float(remaining)
        self._noisy_threshold = state["noisy_threshold"]
        self._rng.bit_generator.state = state["rng"]
        self._answers, self._overfit = list(state["answers"]), list(state["overfit"])

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_lock", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags._skip_test = True  # numbers in, numbers out: API checks in tests/test_common.py
        return tags


def _bit_generator_state(rng):
    """The generator's state with arrays as lists, so it can be written as JSON."""
    state = rng.bit_generator.state

    def plain(value):
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.integer):
            return int(value)
        return value

    return plain(state)
