"""SS3's exactness checks can fail: each planted bug is caught by the checks guarding it."""

from functools import partial
from unittest import mock

import numpy as np
import pytest

from statkit.text import SS3Classifier, _values
from tests.mutation import assert_caught
from tests.text import checks


def _upper_median():
    def median_and_spread(local):
        ordered = np.sort(local, axis=0)
        median = ordered[local.shape[0] // 2]
        return median, np.abs(local - median).mean(axis=0)

    return mock.patch.object(_values, "_median_and_spread", median_and_spread)


def _sanction_without_the_one():
    def sanction(significance, p):
        others = significance.sum(axis=0) - significance
        k = significance.shape[0]
        return np.clip((k - others) / ((k - 1) * np.maximum(others, 1e-12)), 0, 1) ** p

    return mock.patch.object(_values, "sanction_values", sanction)


def _merge_keeps_one_side():
    original = SS3Classifier.merge

    def merge(self, other):
        merged = original(self, other)
        merged.feature_count_ = self.feature_count_.copy()
        return merged

    return mock.patch.object(SS3Classifier, "merge", merge)


MUTANTS = {
    "noise floor at one count instead of two": (
        partial(mock.patch.object, _values, "NOISE_COUNT", 0),
        [checks.check_transcription],
    ),
    "upper median instead of pyss3's lower median": (_upper_median, [checks.check_transcription]),
    "sanction without the + 1": (_sanction_without_the_one, [checks.check_transcription]),
    "no floor on the significance width": (
        partial(mock.patch.object, _values, "MIN_SPREAD", 0.0),
        [checks.check_transcription],
    ),
    "merge keeps one model's counts": (_merge_keeps_one_side, [checks.check_merge_is_union]),
}


@pytest.mark.parametrize("mutant", MUTANTS)
def test_each_planted_bug_fails_its_checks(mutant):
    assert_caught(*MUTANTS[mutant])


@pytest.mark.data("topics")
@pytest.mark.parametrize(
    "mutant",
    ["noise floor at one count instead of two", "upper median instead of pyss3's lower median"],
)
def test_pyss3_parity_catches_value_bugs(mutant):
    plant, _ = MUTANTS[mutant]
    with plant(), pytest.raises(AssertionError):
        checks.check_pyss3_parity()
