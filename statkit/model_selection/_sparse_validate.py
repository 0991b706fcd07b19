"""SparseValidate: arbitrary yes/no tests on a holdout, with a budget of "yes" answers."""

import math
from numbers import Integral

import numpy as np
from sklearn.utils import indexable
from sklearn.utils._param_validation import validate_parameter_constraints

from statkit.model_selection._thresholdout import BudgetExhausted
from statkit.utils._validation import NumericInterval, check_matching_lengths


class SparseValidate:
    """Answer any boolean validation of a holdout, until too many come back True.

    The analyst submits tests ``test(X, y) -> bool`` ("does this model reach
    p < 0.05?", "is this AUC above 0.8?") and gets ``test(X_holdout,
    y_holdout)`` exactly. The mechanism stops after ``max_queries`` tests or
    ``max_failures`` True answers. Every transcript is then fixed by where at
    most ``max_failures`` Trues fall among ``max_queries`` answers, so a test
    with false-positive probability β on fresh data has probability at most
    ``β × n_transcripts`` on the reused holdout (Dwork et al., NIPS 2015):
    run each test at :meth:`per_test_level` to keep the overall level.

    Parameters
    ----------
    X_holdout, y_holdout : array-like
        The holdout.
    max_queries : int
        Tests answered at most (m).
    max_failures : int
        True answers given at most (B).

    Attributes
    ----------
    n_queries_ : int
    n_failures_ : int
        True answers given.
    history_ : list of bool

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.model_selection import SparseValidate
    >>> y = np.array([0, 1, 1, 0, 1])
    >>> sv = SparseValidate(np.zeros((5, 1)), y, max_queries=10, max_failures=2)
    >>> sv.validate(lambda X, y: y.mean() > 0.5)
    True
    >>> sv.n_transcripts, round(sv.per_test_level(0.05), 6)
    (56, 0.000893)
    """

    def __init__(self, X_holdout, y_holdout, *, max_queries, max_failures):
        validate_parameter_constraints(
            {
                "max_queries": [NumericInterval(Integral, 1, None, closed="left")],
                "max_failures": [NumericInterval(Integral, 1, None, closed="left")],
            },
            {"max_queries": max_queries, "max_failures": max_failures},
            caller_name="SparseValidate",
        )
        check_matching_lengths(X_holdout=X_holdout, y_holdout=y_holdout)
        X_holdout, y_holdout = indexable(X_holdout, y_holdout)
        self._X, self._y = X_holdout, y_holdout
        self.max_queries, self.max_failures = int(max_queries), int(max_failures)
        self.n_queries_, self.n_failures_, self.history_ = 0, 0, []

    @property
    def n_transcripts(self):
        """int : The number of answer sequences the mechanism can produce, Σ_{b≤B} C(m, b)."""
        return sum(math.comb(self.max_queries, b) for b in range(self.max_failures + 1))

    def per_test_level(self, alpha):
        """The level at which to run each test so that any of them errs with probability ≤ alpha.

        Parameters
        ----------
        alpha : float
            The overall false-positive probability wanted.

        Returns
        -------
        level : float
            ``alpha / n_transcripts``.
        """
        return alpha / self.n_transcripts

    def validate(self, test):
        """Run ``test(X_holdout, y_holdout)`` and return its boolean answer.

        Parameters
        ----------
        test : callable
            ``test(X, y)`` returns a bool: True counts against ``max_failures``.

        Returns
        -------
        answer : bool

        Raises
        ------
        BudgetExhausted
            ``max_queries`` tests or ``max_failures`` True answers were given.
        TypeError
            The test did not return a boolean.
        """
        if self.n_queries_ >= self.max_queries or self.n_failures_ >= self.max_failures:
            raise BudgetExhausted(
                f"SparseValidate has answered {self.n_queries_} of {self.max_queries} tests with "
                f"{self.n_failures_} of {self.max_failures} True answers: it answers no more."
            )
        answer = test(self._X, self._y)
        if not isinstance(answer, bool | np.bool_):
            raise TypeError(f"test must return a bool; got {type(answer).__name__}.")
        answer = bool(answer)
        self.n_queries_ += 1
        self.n_failures_ += answer
        self.history_.append(answer)
        return answer
