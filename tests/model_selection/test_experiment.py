"""The Science experiment's analyst."""

import numpy as np
import pytest

from statkit.datasets import make_adaptive_overfitting_experiment
from statkit.model_selection import Thresholdout, adaptive_feature_selection


def test_signal_is_found_and_reported_through_thresholdout():
    data = make_adaptive_overfitting_experiment(2_000, 500, n_signal=20, shift=0.1, random_state=0)
    mechanism = Thresholdout(n_holdout=2_000, value_range=None, random_state=0)
    result = adaptive_feature_selection(data, mechanism, ks=(10, 20, 100))
    # The vote of the 20 real features has mean 20 · 0.1 y and sd sqrt(20): its accuracy is
    # Φ(2 / sqrt(20)) = 0.673 (sampling sd on 2,000 fresh rows about 0.01).
    assert result.fresh_accuracy[1] > 0.64
    # A training answer is within T of the holdout value, itself near fresh data; with k = 20
    # the signal is found: the overfit vote at k = 100 is reported far below training.
    gaps = np.abs(result.reported_accuracy - result.fresh_accuracy)
    assert gaps.max() < mechanism.threshold_
    assert result.train_accuracy[2] - result.reported_accuracy[2] > 0.1
    assert result.n_holdout_answers == mechanism.n_overfit_
    assert np.array_equal(result.k, [10, 20, 100])


def test_bad_ks_and_unbounded_queries():
    data = make_adaptive_overfitting_experiment(100, 20, random_state=0)
    with pytest.raises(ValueError, match="increasing"):
        adaptive_feature_selection(data, ks=(10, 5))
    with pytest.raises(ValueError, match="value_range"):
        adaptive_feature_selection(data, Thresholdout(n_holdout=100))
