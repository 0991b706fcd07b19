"""The data of the reusable-holdout experiment."""

import numpy as np
import pytest

from statkit.datasets import make_adaptive_overfitting_experiment


def test_three_independent_sets_with_signal_only_where_asked():
    data = make_adaptive_overfitting_experiment(4_000, 30, n_signal=3, shift=0.5, random_state=0)
    for part in ("train", "holdout", "fresh"):
        X, y = data[f"X_{part}"], data[f"y_{part}"]
        assert X.shape == (4_000, 30)
        assert set(np.unique(y)) == {-1, 1}
        correlation = X.T @ y / y.size
        # The mean of x_j y is the shift (0.5) on signal features, 0 elsewhere; sd 1/sqrt(n).
        np.testing.assert_allclose(correlation[:3], 0.5, atol=5 / np.sqrt(4_000))
        assert np.abs(correlation[3:]).max() < 5 / np.sqrt(4_000)
    assert not np.array_equal(data.X_train, data.X_holdout)
    np.testing.assert_array_equal(data.signal_features, [0, 1, 2])
    again = make_adaptive_overfitting_experiment(4_000, 30, n_signal=3, shift=0.5, random_state=0)
    np.testing.assert_array_equal(again.X_fresh, data.X_fresh)


def test_default_shift_and_bad_input():
    data = make_adaptive_overfitting_experiment(10_000, 1, n_signal=1, random_state=1)
    assert np.mean(data.X_train[:, 0] * data.y_train) == pytest.approx(0.06, abs=0.05)
    with pytest.raises(ValueError, match="n_signal"):
        make_adaptive_overfitting_experiment(10, 3, n_signal=4)
    with pytest.raises(ValueError, match="n_samples"):
        make_adaptive_overfitting_experiment(1, 3)
