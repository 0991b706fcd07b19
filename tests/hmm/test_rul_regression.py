"""The causal switching regression of the RUL and its countdown target."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import InvalidParameterError

from statkit.hmm._labels import life_fraction_labels
from statkit.hmm._rul_regression import SwitchingRULRegressor, causal_windows, rul_targets
from tests.hmm import checks
from tests.hmm.checks import fleet


def test_rul_targets_countdown():
    assert_array_equal(rul_targets([3, 1, 2]), [2, 1, 0, 0, 1, 0])
    with pytest.raises(ValueError, match="lengths must be positive"):
        rul_targets([2, 0])


def test_causal_windows_pad_with_first_value():
    values = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
    design = causal_windows(values, np.array([0, 3]), np.array([3, 5]), 3)
    assert_array_equal(
        design,
        [[1, 1, 1, 1], [1, 2, 1, 1], [1, 3, 2, 1], [1, 10, 10, 10], [1, 20, 10, 10]],
    )


def test_one_state_is_ordinary_least_squares():
    X, lengths = fleet()
    y = rul_targets(lengths)
    model = SwitchingRULRegressor(n_states=1, window=5, max_rul=60, alpha=0, random_state=0)
    model.fit(X, y, lengths)
    design = causal_windows(X[:, 0], np.cumsum(lengths) - lengths, np.cumsum(lengths), 5)[:, 1:]
    ols = LinearRegression().fit(design, np.minimum(y, 60))
    assert_allclose(model.coef_[0], np.r_[ols.intercept_, ols.coef_], rtol=1e-8, atol=1e-8)
    assert_allclose(model.predict(X, lengths), np.clip(ols.predict(design), 0, 60), atol=1e-8)


def test_predictions_are_causal():
    checks.check_rul_regression_is_causal()


def test_fit_on_synthetic_fleet():
    X, lengths = fleet(n_units=20, seed=1)
    y = rul_targets(lengths)
    labels = life_fraction_labels(lengths, boundaries=[0.4, 0.75])
    prior = np.eye(3)[labels]
    model = SwitchingRULRegressor(n_states=3, window=5, max_rul=100, random_state=0)
    model.fit(X, y, lengths, prior)
    assert model.coef_.shape == (3, 6)
    assert model.hmm_.n_states == 3
    assert_array_equal(model.hmm_.transmat_ > 0, np.eye(3, dtype=bool) | np.eye(3, k=1, dtype=bool))
    test_X, test_lengths = fleet(n_units=10, seed=2)
    predicted = model.predict(test_X, test_lengths)
    assert predicted.min() >= 0
    assert predicted.max() <= 100
    truth = np.minimum(rul_targets(test_lengths), 100)
    assert np.sqrt(np.mean((predicted - truth) ** 2)) < 15
    # a prior of all ones is the unsupervised fit
    ones = clone(model).fit(X, y, lengths, np.ones_like(prior))
    unsupervised = clone(model).fit(X, y, lengths)
    assert_allclose(ones.coef_, unsupervised.coef_)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"X": np.zeros((10, 2))}, "X must have one feature"),
        ({"y": np.zeros(9)}, "X and y must have the same length"),
        ({"y": np.full(10, np.nan)}, "y"),
        ({"lengths": [4, 5]}, "lengths must sum to the number of samples of X, 10"),
        ({"lengths": [9, 1]}, "at least ar_order \\+ 1 = 2 samples"),
        ({"plausibility": np.ones((10, 3))}, "plausibility must have shape"),
    ],
)
def test_bad_inputs(kwargs, match):
    args = {"X": np.linspace(1, 0, 10)[:, None], "y": np.arange(10.0)[::-1], "lengths": None}
    args.update(kwargs)
    model = SwitchingRULRegressor(n_states=2, n_init=1)
    with pytest.raises(ValueError, match=match):
        model.fit(**args)
    assert not hasattr(model, "coef_")
    assert not hasattr(model, "hmm_")


@pytest.mark.parametrize(
    "params", [{"window": 0}, {"max_rul": 0}, {"alpha": -1.0}, {"transmat_mask": "banded"}]
)
def test_bad_parameters(params):
    with pytest.raises(InvalidParameterError):
        SwitchingRULRegressor(**params).fit(np.zeros((5, 1)), np.zeros(5))


def test_predict_before_fit_and_wrong_lengths():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SwitchingRULRegressor().predict(np.zeros((5, 1)))
    X, lengths = fleet(n_units=3)
    model = SwitchingRULRegressor(n_states=2, n_init=1, random_state=0)
    model.fit(X, rul_targets(lengths), lengths)
    with pytest.raises(ValueError, match="lengths must sum"):
        model.predict_rul(X, [5])


def test_score_is_r2_of_the_step_predictions():
    from sklearn.metrics import r2_score

    X, lengths = fleet(n_units=6, seed=3)
    y = rul_targets(lengths)
    model = SwitchingRULRegressor(n_states=2, window=5, n_init=1, random_state=0)
    model.fit(X, y, lengths=lengths)
    assert model.score(X, y, lengths) == r2_score(y, model.predict(X, lengths))
