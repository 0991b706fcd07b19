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


def test_heterogeneous_blobs_setting_a():
    from statkit.datasets import make_heterogeneous_blobs

    X, y = make_heterogeneous_blobs([2000, 2000, 2000], shuffle=False, random_state=0)
    assert X.shape == (6000, 10)
    np.testing.assert_array_equal(np.bincount(y), [2000, 2000, 2000])
    # Means 0, 3 e1, 12 e1; covariances I, diag(0.1, 2, ..., 2), I (binomial-free tolerances:
    # the standard error of a mean is 1/sqrt(2000) ~ 0.022, of a variance ~ 0.032 * variance).
    means = np.stack([X[y == k].mean(0) for k in range(3)])
    np.testing.assert_allclose(means[:, 0], [0.0, 3.0, 12.0], atol=0.1)
    np.testing.assert_allclose(means[:, 1:], 0.0, atol=0.15)
    variances = np.stack([X[y == k].var(0) for k in range(3)])
    np.testing.assert_allclose(variances[1], [0.1] + [2.0] * 9, rtol=0.15)
    np.testing.assert_allclose(variances[[0, 2]], 1.0, rtol=0.15)


def test_heterogeneous_blobs_line_and_custom_parameters():
    from statkit.datasets import make_heterogeneous_blobs

    X, y = make_heterogeneous_blobs(103, setting="line", n_features=3, random_state=0)
    assert X.shape == (103, 3)
    np.testing.assert_array_equal(np.bincount(y), [21, 21, 21, 20, 20])
    X, y = make_heterogeneous_blobs(
        [5, 7], means=[[0.0], [10.0]], covariances=[[[1.0]], [[4.0]]], random_state=0
    )
    assert X.shape == (12, 1)
    with pytest.raises(ValueError, match="both means and covariances"):
        make_heterogeneous_blobs(means=[[0.0]])
    with pytest.raises(ValueError, match="covariances must have shape"):
        make_heterogeneous_blobs(means=[[0.0, 1.0]], covariances=[[[1.0]]])
    with pytest.raises(ValueError, match="one per cluster"):
        make_heterogeneous_blobs([5, 5])
