"""dp_logrank_test: the exact statistic without noise, its size under the null, its errors."""

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from statkit.datasets import load_lung
from statkit.privacy import PrivacyAccountant
from statkit.survival import (
    DPKaplanMeier,
    DPLogrankResult,
    KaplanMeier,
    _dp_logrank,
    dp_logrank_test,
    fit_grouped,
    logrank_test,
)
from statkit.survival._event_table import number_at_risk
from statkit.survival._logrank import logrank_statistic
from statkit.testing.strategies import survival_data
from tests.mutation import assert_caught

LUNG = load_lung()
SEX = LUNG.data[:, LUNG.feature_names.index("sex")]
ECOG = LUNG.data[:, LUNG.feature_names.index("ph.ecog")]
EDGES = np.arange(0.0, 1101.0, 100.0)


def _coarsened(time):
    """Each time moved to the start of its bin of EDGES (a time past the end to the last bin)."""
    index = np.clip(np.searchsorted(EDGES, time, side="right") - 1, 0, EDGES.size - 2)
    return EDGES[index]


CASES = {"sex": (SEX, [1, 2]), "ph.ecog": (ECOG, [0, 1, 2])}


def check_exact_without_noise(case="sex"):
    """With no noise the statistic is logrank_test's on the times moved to their bin's start."""
    groups, labels = CASES[case]
    keep = np.isin(groups, labels)
    time, event, groups = LUNG.time[keep], LUNG.event[keep], groups[keep]
    template = DPKaplanMeier(1e6, time_edges=EDGES, random_state=0)  # no noise at this ε
    curves = fit_grouped(template, time, event, groups=groups, labels=labels)
    result = dp_logrank_test(curves, random_state=0)
    exact = logrank_test(_coarsened(time), event, groups)
    assert result.statistic == pytest.approx(exact.statistic, rel=1e-10)
    np.testing.assert_allclose(result.observed, exact.observed)
    np.testing.assert_allclose(result.expected, exact.expected, rtol=1e-10)
    assert result.degrees_of_freedom == len(labels) - 1
    assert result.groups.tolist() == labels


@pytest.mark.parametrize("case", list(CASES))
def test_without_noise_it_is_the_log_rank_test_on_binned_times(case):
    check_exact_without_noise(case)


def test_result_fields_and_determinism():
    curves = fit_grouped(
        DPKaplanMeier(1.0, time_edges=EDGES, random_state=1),
        LUNG.time,
        LUNG.event,
        groups=SEX,
        labels=[1, 2],
    )
    first = dp_logrank_test(curves, n_resamples=99, random_state=3)
    again = dp_logrank_test(list(curves.values()), n_resamples=99, random_state=3)
    assert isinstance(first, DPLogrankResult)
    assert first.p_value == again.p_value
    assert first.null_statistics.shape == (99,)
    assert 1 / 100 <= first.p_value <= 1
    assert first.rejected == (first.p_value < first.alpha)
    assert again.groups.tolist() == [0, 1]


def test_the_test_spends_no_budget():
    accountant = PrivacyAccountant(1.0)
    template = DPKaplanMeier(1.0, time_edges=EDGES, accountant=accountant, random_state=0)
    curves = fit_grouped(template, LUNG.time, LUNG.event, groups=SEX, labels=[1, 2])
    assert accountant.spent == pytest.approx(1.0)  # the releases, by parallel composition
    ledger = list(accountant.ledger)
    dp_logrank_test(curves, n_resamples=49, random_state=0)
    assert accountant.spent == pytest.approx(1.0)
    assert list(accountant.ledger) == ledger


# ---------------------------------------------------------------------- size under the null


def null_rejection_rates(epsilon=0.5, splits=200, n_resamples=99, alpha=0.05):
    """Rejection rates of the private test and of the naive chi-square on the same releases.

    The arms are random halves of lung, so the null hypothesis holds.
    """
    rng = np.random.default_rng(20241206)
    private = naive = 0
    for seed in range(splits):
        groups = rng.permutation(LUNG.time.size) % 2
        template = DPKaplanMeier(epsilon, time_edges=EDGES, random_state=seed, n_bootstrap=0)
        curves = fit_grouped(template, LUNG.time, LUNG.event, groups=groups, labels=[0, 1])
        result = dp_logrank_test(curves, n_resamples=n_resamples, random_state=seed)
        private += result.p_value < alpha
        naive += stats.chi2.sf(result.statistic, result.degrees_of_freedom) < alpha
    return private / splits, naive / splits


def check_size(epsilon=0.5, splits=200, alpha=0.05):
    """The private test's size is at most α plus three binomial standard errors."""
    private, _ = null_rejection_rates(epsilon, splits, alpha=alpha)
    bound = alpha + 3 * math.sqrt(alpha * (1 - alpha) / splits)
    assert private <= bound, (private, bound)


def test_size_is_at_most_alpha_and_the_naive_test_is_not():
    private, naive = null_rejection_rates()
    bound = 0.05 + 3 * math.sqrt(0.05 * 0.95 / 200)
    assert private <= bound
    assert naive > bound  # the noise inflates the plug-in statistic: the negative control


def _bootstrap_without_noise():
    def exact(counts, mechanism, epsilon, rng, *, simulate=False):
        return counts

    return mock.patch.object(_dp_logrank, "noisy_counts", exact)


def _chi_square_p_value():
    original = _dp_logrank.simulate_null

    def chi_square_null(releases, n_resamples, rng):
        # The null law of the plug-in formula: chi-square, as if there were no noise.
        draws = stats.chi2.rvs(len(releases) - 1, size=n_resamples, random_state=rng)
        deaths, censored = original(releases, n_resamples, rng)
        return deaths, censored, draws

    def statistic(deaths, censored, draws=None):
        value, observed, expected = counts_statistic(deaths, censored)
        return (value if draws is None else draws), observed, expected

    counts_statistic = _dp_logrank.counts_statistic
    return _patch_all(
        (_dp_logrank, "simulate_null", chi_square_null),
        (_dp_logrank, "counts_statistic", statistic),
    )


def _patch_all(*patches):
    import contextlib

    stack = contextlib.ExitStack()
    for target, name, value in patches:
        stack.enter_context(mock.patch.object(target, name, value))
    return stack


def _censored_leave_before_deaths():
    def statistic(deaths, censored):
        at_risk = number_at_risk(deaths + censored) - censored
        return logrank_statistic(np.swapaxes(at_risk, -1, -2), np.swapaxes(deaths, -1, -2))

    return mock.patch.object(_dp_logrank, "counts_statistic", statistic)


MUTANTS = {
    "censorings leave before the deaths of their bin": (
        _censored_leave_before_deaths,
        [check_exact_without_noise],
    ),
    "bootstrap redraws the data but not the noise": (_bootstrap_without_noise, [check_size]),
    "chi-square p-value on noisy counts": (_chi_square_p_value, [check_size]),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_each_planted_bug_fails_its_check(name):
    plant, guarded_by = MUTANTS[name]
    assert_caught(plant, guarded_by)


# ---------------------------------------------------------------------------- bad input


def _two_arms(**params):
    template = DPKaplanMeier(1.0, random_state=0, **{"time_edges": EDGES, **params})
    return fit_grouped(template, LUNG.time, LUNG.event, groups=SEX, labels=[1, 2])


def test_errors():
    curves = _two_arms()
    with pytest.raises(ValueError, match="at least two arms"):
        dp_logrank_test({1: curves[1]})
    with pytest.raises(ValueError, match="other edges"):
        dp_logrank_test([curves[1], _two_arms(time_edges=EDGES[:-1])[2]])
    with pytest.raises(ValueError, match="mechanism"):
        dp_logrank_test([curves[1], _two_arms(mechanism="tree")[2]])
    with pytest.raises(TypeError, match="released DPKaplanMeier"):
        dp_logrank_test([curves[1], KaplanMeier().fit(LUNG.time, LUNG.event)])
    with pytest.raises(ValueError, match="alpha"):
        dp_logrank_test(curves, alpha=1.0)
    with pytest.raises(ValueError, match="alpha"):
        dp_logrank_test(curves, alpha=0.0)
    unfitted = DPKaplanMeier(1.0, time_edges=EDGES)
    with pytest.raises(Exception, match="not fitted"):
        dp_logrank_test([curves[1], unfitted])


def test_an_arm_without_patients_is_an_error():
    template = DPKaplanMeier(1e6, time_edges=EDGES, random_state=0)
    curves = fit_grouped(template, LUNG.time, LUNG.event, groups=SEX, labels=[1, 2, 3])
    with pytest.raises(ValueError, match="arm 3 counts no patients"):
        dp_logrank_test(curves)


# ------------------------------------------------------------------------------ properties


@settings(max_examples=30, deadline=None)
@given(survival_data(min_size=4, max_size=60, max_time=100.0), st.integers(0, 2**32 - 1))
def test_arm_order_does_not_change_the_test(data, seed):
    time, event = data
    groups = np.arange(time.size) % 2
    template = DPKaplanMeier(1.0, t_max=100.0, n_bins=6, random_state=seed, n_bootstrap=0)
    curves = fit_grouped(template, time, event, groups=groups, labels=[0, 1])
    if (
        min(
            c.noisy_deaths_.clip(0).sum() + c.noisy_censored_.clip(0).sum() for c in curves.values()
        )
        < 1
    ):
        return  # an arm whose release counts no one is an error, tested above
    forward = dp_logrank_test(curves, n_resamples=19, random_state=0)
    backward = dp_logrank_test([curves[1], curves[0]], n_resamples=19, random_state=0)
    assert forward.statistic == pytest.approx(backward.statistic, rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(forward.observed, backward.observed[::-1])
    assert forward.statistic >= 0
    assert 1 / 20 <= forward.p_value <= 1
