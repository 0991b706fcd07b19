"""Privacy budget accounting: sequential and parallel composition of (ε, δ) costs.

The accountant keeps one cost per sequential release and one per parallel block
(the maximum over its groups), and compares their :func:`math.fsum` with the
budget. Totals within a relative ``1e-9`` of the budget count as within it, so
that a budget split into decimal fractions (ten spends of 0.1 against 1.0) adds
up; the slack is far below any meaningful difference in privacy.
"""

import math
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from numbers import Real

from sklearn.utils._param_validation import validate_parameter_constraints

from statkit.utils._validation import POSITIVE_FINITE, NumericInterval

_RTOL = 1e-9
_COST_CONSTRAINTS = {
    "epsilon": [POSITIVE_FINITE],
    "delta": [NumericInterval(Real, 0, 1, closed="left")],
}


class PrivacyBudgetError(RuntimeError):
    """A release would spend more privacy budget than is left.

    The base class of every budget error in statkit; it is raised before
    anything is released or recorded.
    """


@dataclass(frozen=True)
class LedgerEntry:
    """One release recorded by a :class:`PrivacyAccountant`.

    Parameters
    ----------
    label : str or None
        What was released, as given by the caller.
    epsilon, delta : float
        The privacy cost of the release itself.
    group : hashable or None
        The disjoint group of a release inside a parallel block; None for a
        sequential release.
    block : int or None
        The index of that parallel block, in the order the accountant opened
        them; None for a sequential release.
    """

    label: str | None
    epsilon: float
    delta: float
    group: Hashable | None = None
    block: int | None = None


def _check_cost(epsilon, delta, caller):
    """Check an (ε, δ) cost, ε finite and > 0 and δ in [0, 1); return it as floats."""
    validate_parameter_constraints(
        _COST_CONSTRAINTS, {"epsilon": epsilon, "delta": delta}, caller_name=caller
    )
    return float(epsilon), float(delta)


def _describe(epsilon, delta, with_delta):
    return f"epsilon={epsilon:.6g}" + (f", delta={delta:.6g}" if with_delta else "")


class PrivacyAccountant:
    """Track the (ε, δ) privacy budget spent by a sequence of releases.

    Releases made one after the other on the same data compose sequentially:
    their costs add up. Releases on disjoint groups of records (one Kaplan–Meier
    curve per treatment arm, say) compose in parallel: a block of them costs the
    maximum over groups of each group's sequential total (see :meth:`parallel`).
    A release that would overspend raises :class:`PrivacyBudgetError` before
    anything is recorded. The accountant is thread-safe and can be pickled.

    Parameters
    ----------
    epsilon : float
        The total ε budget, finite and > 0.
    delta : float, default=0.0
        The total δ budget, in [0, 1); 0 allows only pure-ε releases.

    Attributes
    ----------
    epsilon, delta : float
        The budget.

    Examples
    --------
    >>> from statkit.privacy import PrivacyAccountant
    >>> acc = PrivacyAccountant(1.0)
    >>> acc.spend(0.25, label="counts")
    >>> with acc.parallel(label="per arm") as block:
    ...     block.spend(0.5, group="treatment")
    ...     block.spend(0.5, group="control")
    >>> acc.spent, acc.remaining
    (0.75, 0.25)
    >>> acc.spend(0.5)
    Traceback (most recent call last):
    ...
    statkit.privacy._accountant.PrivacyBudgetError: Spending epsilon=0.5 would exceed ...
    """

    def __init__(self, epsilon, delta=0.0):
        self.epsilon, self.delta = _check_cost(epsilon, delta, "PrivacyAccountant")
        self._costs = []  # [epsilon, delta] of each sequential release or parallel block
        self._ledger = []
        self._n_blocks = 0
        self._lock = threading.Lock()

    @property
    def spent(self):
        """float : The ε spent so far."""
        return math.fsum(eps for eps, _ in self._costs)

    @property
    def spent_delta(self):
        """float : The δ spent so far."""
        return math.fsum(delta for _, delta in self._costs)

    @property
    def remaining(self):
        """float : The ε left, never negative."""
        return max(0.0, self.epsilon - self.spent)

    @property
    def remaining_delta(self):
        """float : The δ left, never negative."""
        return max(0.0, self.delta - self.spent_delta)

    @property
    def ledger(self):
        """tuple of LedgerEntry : Every release, in the order it was made."""
        return tuple(self._ledger)

    def spend(self, epsilon, delta=0.0, *, label=None):
        """Charge one release by sequential composition.

        Parameters
        ----------
        epsilon : float
            The release's ε, finite and > 0.
        delta : float, default=0.0
            The release's δ, in [0, 1).
        label : str, default=None
            What is released, kept in the :attr:`ledger`.

        Raises
        ------
        PrivacyBudgetError
            The release would exceed the budget; nothing is recorded.
        """
        epsilon, delta = _check_cost(epsilon, delta, "PrivacyAccountant.spend")
        with self._lock:
            self._charge(
                len(self._costs),
                [epsilon, delta],
                LedgerEntry(label, epsilon, delta),
                f"Spending {_describe(epsilon, delta, delta > 0)}",
            )

    def can_spend(self, epsilon, delta=0.0):
        """Whether a sequential release of (``epsilon``, ``delta``) fits the budget.

        Parameters
        ----------
        epsilon : float
            The release's ε, finite and > 0.
        delta : float, default=0.0
            The release's δ, in [0, 1).

        Returns
        -------
        fits : bool
        """
        epsilon, delta = _check_cost(epsilon, delta, "PrivacyAccountant.can_spend")
        return self._fits([*self._costs, [epsilon, delta]])

    def parallel(self, label=None):
        """Open a block of releases on disjoint groups (parallel composition).

        Parameters
        ----------
        label : str, default=None
            A name for the block, used in error messages.

        Returns
        -------
        block : ParallelComposition
            Also a context manager that returns itself.
        """
        with self._lock:
            block = ParallelComposition(self, label, self._n_blocks, len(self._costs))
            self._costs.append([0.0, 0.0])
            self._n_blocks += 1
        return block

    def _fits(self, costs):
        epsilon = math.fsum(eps for eps, _ in costs)
        delta = math.fsum(d for _, d in costs)
        return epsilon <= self.epsilon * (1 + _RTOL) and delta <= self.delta * (1 + _RTOL)

    def _charge(self, slot, cost, entry, request):
        """Set the cost in ``slot`` (appending one past the end) and record ``entry``.

        The caller holds the lock. Raises, changing nothing, if over budget.
        """
        costs = [*self._costs[:slot], cost, *self._costs[slot + 1 :]]
        if not self._fits(costs):
            with_delta = self.delta > 0 or cost[1] > 0
            raise PrivacyBudgetError(
                f"{request} would exceed the privacy budget "
                f"({_describe(self.epsilon, self.delta, with_delta)}): spent "
                f"{_describe(self.spent, self.spent_delta, with_delta)}, remaining "
                f"{_describe(self.remaining, self.remaining_delta, with_delta)}; "
                "nothing was released or recorded."
            )
        self._costs = costs
        self._ledger.append(entry)

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self):
        budget = _describe(self.epsilon, self.delta, self.delta > 0)
        return f"PrivacyAccountant({budget}, spent={self.spent:.6g}, releases={len(self._ledger)})"


class ParallelComposition:
    """A block of releases on disjoint groups, from :meth:`PrivacyAccountant.parallel`.

    Each person's records lie in one group, so the block costs the maximum over
    groups of each group's sequential total (for ε and for δ). Every
    :meth:`spend` charges the accountant only by the increase of that maximum,
    checking the budget before the release.

    Parameters
    ----------
    accountant : PrivacyAccountant
        The accountant charged.
    label : str or None
        The block's name, used in error messages.
    index : int
        The block's number among the accountant's blocks (``LedgerEntry.block``).
    slot : int
        The position of the block's cost in the accountant's list of costs.

    Examples
    --------
    >>> from statkit.privacy import PrivacyAccountant
    >>> acc = PrivacyAccountant(1.0)
    >>> block = acc.parallel()
    >>> block.spend(0.5, group="A")
    >>> block.spend(0.5, group="B")
    >>> block.spend(0.25, group="A")
    >>> block.spent, acc.spent
    (0.75, 0.75)
    """

    def __init__(self, accountant, label, index, slot):
        self._accountant = accountant
        self.label = label
        self._index = index
        self._slot = slot
        self._groups = {}  # group -> list of [epsilon, delta]

    @property
    def spent(self):
        """float : The block's ε cost, the largest sequential total of a group."""
        return self._accountant._costs[self._slot][0]

    def spend(self, epsilon, *, group, delta=0.0, label=None):
        """Charge one release on the records of ``group``.

        Parameters
        ----------
        epsilon : float
            The release's ε, finite and > 0.
        group : hashable
            The disjoint group the release reads; not None.
        delta : float, default=0.0
            The release's δ, in [0, 1).
        label : str, default=None
            What is released, kept in the accountant's ledger.

        Raises
        ------
        PrivacyBudgetError
            The block's increase would exceed the budget; nothing is recorded.
        """
        epsilon, delta = _check_cost(epsilon, delta, "ParallelComposition.spend")
        if group is None:
            raise ValueError("group must name the disjoint group the release reads; got None.")
        acc = self._accountant
        with acc._lock:
            history = [*self._groups.get(group, []), [epsilon, delta]]
            totals = [self._total(history), *map(self._total, self._groups.values())]
            cost = [max(eps for eps, _ in totals), max(d for _, d in totals)]
            block = f" {self.label!r}" if self.label is not None else ""
            acc._charge(
                self._slot,
                cost,
                LedgerEntry(label, epsilon, delta, group, self._index),
                f"Spending {_describe(epsilon, delta, delta > 0)} in group {group!r} of "
                f"parallel block{block} (raising its cost to epsilon={cost[0]:.6g})",
            )
            self._groups[group] = history

    @staticmethod
    def _total(history):
        return [math.fsum(eps for eps, _ in history), math.fsum(d for _, d in history)]

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    def __repr__(self):
        return (
            f"ParallelComposition(label={self.label!r}, spent={self.spent:.6g}, "
            f"groups={len(self._groups)})"
        )
