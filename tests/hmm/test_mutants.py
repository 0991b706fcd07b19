"""The ARPHMM's exactness checks can fail: each planted bug is caught by the checks guarding it."""

from unittest import mock

import numpy as np
import pytest

from statkit.hmm import _arphmm, _em, _emissions, _health
from tests.hmm import checks
from tests.mutation import assert_caught


def _plausibility_ignored():
    original = _em.forward_backward

    def forward_backward(log_b, plausibility, *args):
        return original(log_b, np.ones_like(plausibility), *args)

    return mock.patch.object(_em, "forward_backward", forward_backward)


def _ar_sign_flipped():
    original = _em.log_emission

    def log_emission(y, design, observed, coef, noise_var):
        flipped = coef.copy()
        flipped[:, 1:] *= -1
        return original(y, design, observed, flipped, noise_var)

    return mock.patch.object(_em, "log_emission", log_emission)


def _unweighted_regression():
    original = _emissions.RegressionStats.from_posteriors.__func__

    def from_posteriors(cls, y, design, observed, posteriors):
        return original(cls, y, design, observed, np.ones_like(posteriors))

    return mock.patch.object(
        _emissions.RegressionStats, "from_posteriors", classmethod(from_posteriors)
    )


def _variance_from_refitted_coefficients():
    original = _em.weighted_least_squares

    def weighted_least_squares(stats, coef, noise_var, floor, fit_coef=True):
        _, noise_var = original(stats, coef, noise_var, floor, fit_coef=True)
        return coef, noise_var

    return mock.patch.object(_em, "weighted_least_squares", weighted_least_squares)


def _transitions_transposed():
    original = _em.forward_backward

    def forward_backward(*args):
        log_likelihood, start, transitions = original(*args)
        return log_likelihood, start, transitions.T.copy()

    return mock.patch.object(_em, "forward_backward", forward_backward)


def _rul_from_smoothed_states():
    return mock.patch.object(_arphmm.ARPHMM, "filter", _arphmm.ARPHMM.predict_proba)


def _centred_smoothing():
    def smooth(values, lengths, span):
        parts = np.split(values, np.cumsum(lengths)[:-1])
        width = int(span)
        kernel = np.ones(width) / width
        return np.concatenate([np.convolve(part, kernel, mode="same") for part in parts])

    return mock.patch.object(_health, "_causal_ema", smooth)


def _viterbi_without_labels():
    original = _arphmm.viterbi

    def viterbi(log_b, log_pl, *args):
        return original(log_b, np.zeros_like(log_pl), *args)

    return mock.patch.object(_arphmm, "viterbi", viterbi)


def _variance_without_weights():
    original = _em.weighted_least_squares

    def weighted_least_squares(stats, coef, noise_var, floor, fit_coef=True):
        coef, noise_var = original(stats, coef, noise_var, floor, fit_coef)
        return coef, noise_var * stats.weight / stats.weight.sum()

    return mock.patch.object(_em, "weighted_least_squares", weighted_least_squares)


MUTANTS = {
    "plausibilities ignored in forward-backward": (
        _plausibility_ignored,
        [checks.check_plausibility_weighting, checks.check_supervised_closed_form],
    ),
    "AR coefficients with the wrong sign in the emission": (
        _ar_sign_flipped,
        [checks.check_statsmodels_parity],
    ),
    "M-step regressions not weighted by the posteriors": (
        _unweighted_regression,
        [checks.check_statsmodels_parity, checks.check_supervised_closed_form],
    ),
    "noise variance divided by all steps instead of the state's weight": (
        _variance_without_weights,
        [checks.check_statsmodels_parity, checks.check_supervised_closed_form],
    ),
    "noise variances from refitted coefficients when the AR part is held": (
        _variance_from_refitted_coefficients,
        [checks.check_noise_update_with_fixed_coefficients],
    ),
    "expected transition counts transposed": (
        _transitions_transposed,
        [checks.check_em_never_decreases, checks.check_supervised_closed_form],
    ),
    "RUL regression mixes smoothed (two-sided) states": (
        _rul_from_smoothed_states,
        [checks.check_rul_regression_is_causal],
    ),
    "health indicator smoothed over past and future cycles": (
        _centred_smoothing,
        [checks.check_health_indicator_is_causal],
    ),
    "Viterbi ignores the plausibilities": (
        _viterbi_without_labels,
        [checks.check_viterbi_follows_labels],
    ),
}


@pytest.mark.parametrize("mutant", MUTANTS)
def test_each_planted_bug_fails_its_checks(mutant):
    assert_caught(*MUTANTS[mutant])
