"""Tests for PrivacyAccountant: sequential and parallel composition, refusals, inputs."""

import copy
import math
import pickle
import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import FrozenInstanceError
from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from statkit.privacy import (
    GaussianMechanism,
    GeometricMechanism,
    LaplaceMechanism,
    LedgerEntry,
    ParallelComposition,
    PrivacyAccountant,
    PrivacyBudgetError,
)


def _spent_from_ledger(ledger):
    """ε spent by the composition rules: sequential entries add up; a parallel block costs
    the largest sequential total of its groups."""
    sequential = [entry.epsilon for entry in ledger if entry.block is None]
    groups = defaultdict(list)
    for entry in ledger:
        if entry.block is not None:
            groups[entry.block, entry.group].append(entry.epsilon)
    blocks = defaultdict(list)
    for (block, _), epsilons in groups.items():
        blocks[block].append(math.fsum(epsilons))
    return math.fsum(sequential + [max(totals) for totals in blocks.values()])


def test_budget_error_is_a_runtime_error():
    assert issubclass(PrivacyBudgetError, RuntimeError)


def test_sequential_spends_add_up():
    acc = PrivacyAccountant(1.0)
    acc.spend(0.2, label="mean")
    acc.spend(0.3)
    assert acc.spent == pytest.approx(0.5)
    assert acc.remaining == pytest.approx(0.5)
    assert acc.ledger == (LedgerEntry("mean", 0.2, 0.0), LedgerEntry(None, 0.3, 0.0))
    assert (acc.spent_delta, acc.remaining_delta) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("budget", "spends"), [(1.0, [0.1] * 10), (1.0, [1 / 3] * 3), (0.3, [0.1, 0.2]), (0.7, [0.7])]
)
def test_decimal_fractions_fill_the_budget_exactly(budget, spends):
    acc = PrivacyAccountant(budget)
    for epsilon in spends:
        acc.spend(epsilon)
    assert acc.spent == pytest.approx(budget, rel=1e-15)
    assert acc.remaining == pytest.approx(0.0, abs=1e-15)
    assert not acc.can_spend(1e-6)
    with pytest.raises(PrivacyBudgetError):
        acc.spend(1e-6)


def test_the_rounding_slack_is_a_relative_1e_9():
    acc = PrivacyAccountant(2.0)
    assert acc.can_spend(2.0 * (1 + 1e-10))
    assert not acc.can_spend(2.0 * (1 + 1e-8))


def test_overspend_raises_before_recording():
    acc = PrivacyAccountant(1.0)
    acc.spend(0.8, label="first")
    ledger = acc.ledger
    expected = "Spending epsilon=0.3 would exceed the privacy budget (epsilon=1): spent "
    expected += "epsilon=0.8, remaining epsilon=0.2; nothing was released or recorded."
    with pytest.raises(PrivacyBudgetError, match=re.escape(expected)):
        acc.spend(0.3, label="second")
    assert acc.ledger == ledger
    assert acc.spent == 0.8
    acc.spend(0.2)  # what is left can still be spent
    assert acc.remaining == 0.0


def test_parallel_composition_charges_the_maximum_over_groups():
    acc = PrivacyAccountant(1.0)
    with acc.parallel(label="per arm") as block:
        assert isinstance(block, ParallelComposition)
        block.spend(0.5, group="A")
        block.spend(0.5, group="B")
        assert acc.spent == pytest.approx(0.5)
        block.spend(0.3, group="A", label="again")
        assert acc.spent == pytest.approx(0.8)
        block.spend(0.3, group="B")  # B catches up with A: no increase
        assert acc.spent == pytest.approx(0.8)
        block.spend(0.1, group="B")
    assert block.spent == pytest.approx(0.9)
    assert acc.spent == pytest.approx(0.9)
    assert acc.ledger[2] == LedgerEntry("again", 0.3, 0.0, group="A", block=0)
    assert [entry.group for entry in acc.ledger] == ["A", "B", "A", "B", "B"]


def test_parallel_blocks_compose_sequentially_with_other_releases():
    acc = PrivacyAccountant(2.0)
    acc.spend(0.1)
    first = acc.parallel()
    first.spend(0.3, group="A")
    first.spend(0.2, group="B")
    acc.spend(0.1)
    second = acc.parallel()
    second.spend(0.2, group="A")  # the same name in another block is another group
    first.spend(0.05, group="B")  # still below A in the first block
    assert acc.spent == pytest.approx(0.7)
    assert [entry.block for entry in acc.ledger] == [None, 0, 0, None, 1, 0]
    assert acc.spent == _spent_from_ledger(acc.ledger)


def test_parallel_overspend_raises_before_recording():
    acc = PrivacyAccountant(1.0)
    acc.spend(0.4)
    block = acc.parallel(label="km")
    block.spend(0.5, group="A")
    ledger = acc.ledger
    with pytest.raises(PrivacyBudgetError, match="in group 'B' of parallel block 'km'") as info:
        block.spend(0.7, group="B")
    assert "spent epsilon=0.9, remaining epsilon=0.1" in str(info.value)
    assert acc.ledger == ledger
    assert acc.spent == pytest.approx(0.9)
    assert block.spent == 0.5
    block.spend(0.5, group="B")  # B's failed release was not counted towards its total
    assert acc.spent == pytest.approx(0.9)


def test_delta_is_composed_like_epsilon():
    acc = PrivacyAccountant(1.0, delta=1e-5)
    acc.spend(0.2, 4e-6)
    block = acc.parallel()
    block.spend(0.2, group="A", delta=3e-6)
    block.spend(0.1, group="B", delta=5e-6)
    assert acc.spent == pytest.approx(0.4)
    assert acc.spent_delta == pytest.approx(9e-6)
    assert acc.remaining_delta == pytest.approx(1e-6)
    acc.spend(0.1)  # pure-ε releases need no δ
    with pytest.raises(PrivacyBudgetError, match="delta"):
        acc.spend(0.1, 2e-6)


def test_a_pure_accountant_refuses_any_delta():
    acc = PrivacyAccountant(1.0)
    assert not acc.can_spend(0.1, 1e-9)
    with pytest.raises(
        PrivacyBudgetError, match=r"delta=1e-09 would exceed .*\(epsilon=1, delta=0\)"
    ):
        GaussianMechanism(0.1, 1e-9).randomise(0.0, np.random.default_rng(0), accountant=acc)
    assert acc.ledger == ()


@pytest.mark.parametrize(
    "mech", [LaplaceMechanism(1.0), GeometricMechanism(1.0), GaussianMechanism(1.0, 1e-6)], ids=repr
)
def test_randomise_spends_before_drawing(mech):
    acc = PrivacyAccountant(1.5, delta=1e-6)
    rng = np.random.default_rng(0)
    mech.randomise([1, 2], rng, accountant=acc, label="counts")
    assert acc.ledger == (LedgerEntry("counts", *mech.privacy_cost),)
    state = rng.bit_generator.state
    with pytest.raises(PrivacyBudgetError):
        mech.randomise([1, 2], rng, accountant=acc)
    assert rng.bit_generator.state == state  # nothing was drawn, so nothing was released
    with pytest.raises(ValueError, match="value must not contain NaN"):
        mech.randomise([np.nan], rng, accountant=PrivacyAccountant(5.0, 1e-3))
    assert len(acc.ledger) == 1


def test_pickle_and_copy_keep_the_ledger_and_are_independent():
    acc = PrivacyAccountant(1.0, delta=1e-6)
    acc.spend(0.25, label="a")
    acc.parallel().spend(0.5, group="x", delta=1e-7)
    for clone in (pickle.loads(pickle.dumps(acc)), copy.deepcopy(acc), copy.copy(acc)):
        assert (clone.epsilon, clone.delta) == (1.0, 1e-6)
        assert clone.ledger == acc.ledger
        assert (clone.spent, clone.spent_delta) == (acc.spent, acc.spent_delta)
        clone.spend(0.25)
        assert clone.spent == pytest.approx(1.0)
        assert acc.spent == pytest.approx(0.75)
        with pytest.raises(PrivacyBudgetError):
            clone.spend(0.01)


def test_concurrent_spends_never_overspend():
    acc = PrivacyAccountant(1.0)

    def spend_until_refused(_):
        refused = 0
        for _ in range(50):
            try:
                acc.spend(0.01)
            except PrivacyBudgetError:
                refused += 1
        return refused

    with ThreadPoolExecutor(4) as pool:
        refused = sum(pool.map(spend_until_refused, range(4)))
    assert (len(acc.ledger), refused) == (100, 100)
    assert acc.spent == pytest.approx(1.0)


def test_ledger_entries_are_immutable_and_the_ledger_a_tuple():
    acc = PrivacyAccountant(1.0)
    acc.spend(0.1)
    assert isinstance(acc.ledger, tuple)
    with pytest.raises(FrozenInstanceError):
        acc.ledger[0].epsilon = 0.0


def test_repr():
    acc = PrivacyAccountant(1.0)
    acc.spend(0.25)
    assert repr(acc) == "PrivacyAccountant(epsilon=1, spent=0.25, releases=1)"
    assert repr(PrivacyAccountant(2.0, 1e-5)).startswith("PrivacyAccountant(epsilon=2, delta=1e-05")
    block = acc.parallel("arms")
    block.spend(0.5, group=1)
    assert repr(block) == "ParallelComposition(label='arms', spent=0.5, groups=1)"


BAD_EPSILONS = [
    (0.0, ValueError),
    (-1.0, ValueError),
    (float("nan"), ValueError),
    (math.inf, ValueError),
    ("1", TypeError),
    (True, TypeError),
    (np.bool_(True), TypeError),
    (None, TypeError),
    ([1.0], TypeError),
]
BAD_DELTAS = [
    (-1e-6, ValueError),
    (1.0, ValueError),
    (float("nan"), ValueError),
    ("0", TypeError),
    (False, TypeError),
]


@pytest.mark.parametrize(("epsilon", "error"), BAD_EPSILONS)
def test_bad_epsilon_is_rejected(epsilon, error):
    acc = PrivacyAccountant(1.0)
    for call in (
        PrivacyAccountant,
        acc.spend,
        acc.can_spend,
        lambda e: acc.parallel().spend(e, group="A"),
    ):
        with pytest.raises(error, match=r"The 'epsilon' parameter of [\w.]+ must be"):
            call(epsilon)
    assert acc.ledger == ()


@pytest.mark.parametrize(("delta", "error"), BAD_DELTAS)
def test_bad_delta_is_rejected(delta, error):
    acc = PrivacyAccountant(1.0, 0.5)
    for call in (
        lambda d: PrivacyAccountant(1.0, d),
        lambda d: acc.spend(0.1, d),
        lambda d: acc.can_spend(0.1, d),
        lambda d: acc.parallel().spend(0.1, group="A", delta=d),
    ):
        with pytest.raises(error, match=r"The 'delta' parameter of [\w.]+ must be"):
            call(delta)
    assert acc.ledger == ()


def test_numpy_scalars_are_stored_as_floats():
    acc = PrivacyAccountant(np.float32(0.5), np.int64(0))
    assert (acc.epsilon, acc.delta) == (0.5, 0.0)
    assert type(acc.epsilon) is float
    assert type(acc.delta) is float
    acc.spend(np.float64(0.25))
    assert type(acc.ledger[0].epsilon) is float


def test_a_parallel_release_needs_a_group():
    with pytest.raises(ValueError, match="group must name the disjoint group"):
        PrivacyAccountant(1.0).parallel().spend(0.1, group=None)


SPENDS = st.one_of(
    st.integers(1, 20).map(lambda k: k / 10),  # decimal fractions that hit the budget exactly
    st.floats(1e-3, 2.0),
)


@given(
    budget=st.one_of(st.sampled_from([0.5, 1.0, 3.0]), st.floats(0.1, 5.0)),
    operations=st.lists(
        st.tuples(
            st.sampled_from(["sequential", "parallel", "new block"]), SPENDS, st.sampled_from("AB")
        ),
        max_size=30,
    ),
)
def test_spends_are_refused_exactly_when_they_would_overspend(budget, operations):
    acc = PrivacyAccountant(budget)
    block, index = acc.parallel(), 0
    for kind, epsilon, group in operations:
        if kind == "new block":
            block, index = acc.parallel(), index + 1
            continue
        before = acc.ledger
        if kind == "sequential":
            entry, spend = LedgerEntry(None, epsilon, 0.0), partial(acc.spend, epsilon)
        else:
            entry = LedgerEntry(None, epsilon, 0.0, group, index)
            spend = partial(block.spend, epsilon, group=group)
        over = _spent_from_ledger((*before, entry)) > budget * (1 + 1e-9)
        if kind == "sequential":
            assert acc.can_spend(epsilon) is not over
        if over:
            with pytest.raises(PrivacyBudgetError):
                spend()
            assert acc.ledger == before
        else:
            spend()
            assert acc.ledger == (*before, entry)
        assert acc.spent == _spent_from_ledger(acc.ledger)
        assert acc.spent <= budget * (1 + 1e-9)
        assert acc.remaining >= 0.0
        assert acc.spent + acc.remaining == pytest.approx(budget, rel=1e-12)
