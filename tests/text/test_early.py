"""Early decisions over streams, and ERDE."""

import math

import numpy as np
import pytest

from statkit.text import MarginPolicy, SS3Classifier, early_decisions, erde_score


def test_erde_by_hand():
    # TP after 5 writings (o = 5: cost 1/2), FN (1), FP (c_fp), TN (0); c_fp = 2/4 positives.
    assert erde_score([1, 1, 0, 0], [1, 0, 1, 0], [5, 9, 2, 9], o=5) == pytest.approx(0.5)
    late = 1 / (1 + math.exp(5 - 60))
    assert erde_score([1], [1], [60], o=5, c_fp=0.1) == pytest.approx(late)
    assert erde_score(["r", "c"], ["c", "r"], [3, 3], c_fp=0.2, positive_label="r") == 0.6
    assert erde_score([1, 0], [1, 0], [1, 1], o=50) == pytest.approx(1 / (1 + math.exp(49)) / 2)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([1, 0], [1], [1, 1]), "same length"),
        (([1, 0], [1, 0], [0, 1]), "delays"),
        (([], [], []), "empty"),
    ],
)
def test_erde_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        erde_score(*args)


def test_running_confidence_equals_rereading_the_history():
    rng = np.random.default_rng(0)
    X = rng.poisson(0.4, size=(200, 30))
    y = rng.integers(0, 2, 200)
    model = SS3Classifier().fit(X, y)
    stream = rng.poisson(0.4, size=(12, 30))
    decisions = early_decisions(model, [stream], MarginPolicy(1, margin=1e9), negative_class=0)
    history = np.cumsum(stream, axis=0)  # the subject's writings read so far, as one document
    np.testing.assert_allclose(decisions.running[0], model.confidence_vectors(history))
    assert decisions.y_pred.tolist() == [0]
    assert decisions.delays.tolist() == [12]


def test_margin_policy_alerts_at_the_first_writing_past_the_margin():
    running = np.array([[0.0, 1.0], [0.5, 2.0], [0.5, 3.0], [0.5, 4.0]])
    assert MarginPolicy(1, margin=0.9).decide(running, np.array([0, 1])) == 1
    assert MarginPolicy(1, margin=1.0).decide(running, np.array([0, 1])) == 2
    assert MarginPolicy(1, margin=1.0, min_writings=3).decide(running, np.array([0, 1])) == 3
    assert MarginPolicy(0).decide(running, np.array([0, 1])) == 0
    with pytest.raises(ValueError, match="positive_class"):
        MarginPolicy(5).decide(running, np.array([0, 1]))
    with pytest.raises(ValueError, match="margin"):
        MarginPolicy(1, margin=-1)
    with pytest.raises(ValueError, match="min_writings"):
        MarginPolicy(1, min_writings=0)
