"""RUL scores against hand-computed values."""

import math

import pytest

from statkit.hmm._metrics import phm08_score, rul_accuracy, rul_rmse

TRUE, PRED = [10, 20, 30], [5, 20, 42]  # errors -5, 0, 12


def test_rul_rmse():
    assert rul_rmse(TRUE, PRED) == pytest.approx(math.sqrt((25 + 0 + 144) / 3))
    assert rul_rmse(TRUE, TRUE) == 0.0


def test_phm08_score_penalises_late_more():
    expected = (math.exp(5 / 13) - 1) + 0 + (math.exp(12 / 10) - 1)
    assert phm08_score(TRUE, PRED) == pytest.approx(expected)
    assert phm08_score([50], [40]) < phm08_score([50], [60])


def test_rul_accuracy_interval_is_inclusive():
    # errors -11, -10, 0, 13, 14: the middle three are in [-10, 13]
    assert rul_accuracy([50] * 5, [39, 40, 50, 63, 64]) == pytest.approx(3 / 5)
    assert rul_accuracy([50] * 5, [39, 40, 50, 63, 64], early=11, late=0) == pytest.approx(3 / 5)


@pytest.mark.parametrize("metric", [rul_rmse, phm08_score, rul_accuracy])
@pytest.mark.parametrize(
    ("rul_true", "rul_pred", "match"),
    [
        ([1, 2], [1], "rul_true and rul_pred must have the same length"),
        ([], [], "rul_true must not be empty"),
        ([1, float("nan")], [1, 2], "rul_true must not contain NaN"),
        ([1, 2], [1, float("inf")], "rul_pred must not contain NaN"),
        ([[1, 2]], [[1, 2]], "rul_true must be a 1-D array"),
    ],
)
def test_bad_inputs(metric, rul_true, rul_pred, match):
    with pytest.raises(ValueError, match=match):
        metric(rul_true, rul_pred)


def test_bad_interval():
    with pytest.raises(ValueError, match="'early'"):
        rul_accuracy([1], [1], early=-1)
