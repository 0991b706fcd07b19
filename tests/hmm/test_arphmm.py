"""ARPHMM: parity with hmmlearn and statsmodels, the plausibility weighting, EM, inputs."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import linear_sum_assignment

from statkit.hmm import ARPHMM
from statkit.testing.strategies import state_sequences
from tests.hmm import checks
from tests.hmm.checks import PARAMETERS, model_with, stacked


@pytest.mark.nojit
@pytest.mark.parametrize(
    "check",
    [
        checks.check_hmmlearn_parity,
        checks.check_statsmodels_parity,
        checks.check_plausibility_of_ones,
        checks.check_plausibility_weighting,
        checks.check_supervised_closed_form,
        checks.check_viterbi_follows_labels,
        checks.check_noise_update_with_fixed_coefficients,
        checks.check_em_never_decreases,
    ],
    ids=lambda check: check.__name__,
)
def test_exactness(check):
    check()


@settings(max_examples=30)
@given(state_sequences(n_states=2, max_length=30))
def test_em_never_decreases_the_weighted_log_likelihood(data):
    X, lengths, plausibility, ar_order = data
    model = ARPHMM(2, ar_order, n_init=1, max_iter=15, tol=0, random_state=0)
    model.fit(X, lengths, plausibility)
    history = np.array(model.monitor_.history)
    assert np.all(np.diff(history) >= -1e-8 * np.abs(history[1:]) - 1e-10)


def test_recovers_a_two_state_model_and_its_states():
    truth = model_with(2, 2, seed=1)
    truth.transmat_ = np.array([[0.98, 0.02], [0.03, 0.97]])
    truth.intercept_ = np.array([0.0, 2.0])
    X, states = truth.sample(4000, random_state=3)
    fitted = ARPHMM(2, 2, random_state=0).fit(X)
    confusion = np.zeros((2, 2))
    np.add.at(confusion, (states, fitted.predict(X)), 1)
    rows, cols = linear_sum_assignment(-confusion)
    assert confusion[rows, cols].sum() / 4000 > 0.97
    # Standard errors at n ~ 2000 steps per state are ~0.02 for phi: 0.1 is 5 of them.
    np.testing.assert_allclose(fitted.ar_coef_[cols], truth.ar_coef_, atol=0.1)
    np.testing.assert_allclose(fitted.noise_var_[cols], truth.noise_var_, rtol=0.15)
    assert fitted.score(X) >= truth.score(X)


def test_transmat_mask_zeros_stay_zero_and_left_right_is_accepted():
    X, _ = model_with(3, 1).sample(400, random_state=0)
    fitted = ARPHMM(3, 1, transmat_mask="left-right", n_init=1, random_state=0).fit(X)
    assert np.all(fitted.transmat_[np.tril_indices(3, -1)] == 0)
    assert np.all(fitted.transmat_[0, 2] == 0)
    np.testing.assert_allclose(fitted.transmat_.sum(axis=1), 1)


def test_a_mask_that_cuts_off_a_state_is_reported():
    X, _ = model_with(3, 1).sample(200, random_state=0)
    model = ARPHMM(3, 1, transmat_mask="left-right", init_params="tav", n_init=1)
    model.startprob_ = np.array([1.0, 0.0, 0.0])
    model.transmat_mask = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1]], dtype=bool)
    with pytest.raises(ValueError, match=r"State\(s\) \[1, 2\] can never be reached"):
        model.fit(X)
    with pytest.raises(ValueError, match="no transition out of state 1"):
        ARPHMM(3, 1, transmat_mask=np.array([[1, 1, 0], [0, 0, 0], [0, 0, 1]])).fit(X)


def test_init_params_leave_user_parameters_alone():
    truth = model_with(2, 1)
    X, _ = truth.sample(300, random_state=0)
    model = ARPHMM(2, 1, params="", init_params="", n_init=1)
    for name in PARAMETERS:
        setattr(model, name, getattr(truth, name))
    model.fit(X)
    for name in PARAMETERS:
        np.testing.assert_allclose(getattr(model, name), getattr(truth, name))
    with pytest.raises(ValueError, match=r"leaves \['startprob_'\] to the user"):
        ARPHMM(2, 1, init_params="tav").fit(X)


@pytest.mark.nojit
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lengths": [10, 10]}, "lengths must sum to the number of samples of X, 50"),
        ({"lengths": [48, 2]}, r"at least ar_order \+ 1 = 3 samples; sequence 1 has 2"),
        ({"plausibility": np.ones((50, 3))}, r"shape \(n_samples, n_states\) = \(50, 2\)"),
        ({"plausibility": np.full((50, 2), 1.5)}, r"plausibility must lie in \[0, 1\]"),
        ({"plausibility": np.eye(2)[np.zeros(50, int)] * 0}, "row 0 is all zero"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    X = np.random.default_rng(0).normal(size=(50, 1))
    with pytest.raises(ValueError, match=message):
        ARPHMM(2, 2).fit(X, **kwargs)


def test_bad_series_and_failed_fit_leaves_the_model_unchanged():
    X = np.random.default_rng(0).normal(size=(60, 1))
    model = ARPHMM(2, 1, n_init=1, random_state=0).fit(X)
    before = {name: getattr(model, name).copy() for name in PARAMETERS}
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(np.arange(60)[:, None] == 3, np.nan, X))
    with pytest.raises(ValueError, match="X must have one feature"):
        model.fit(np.ones((60, 2)))
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        model.fit(X[:, 0])
    for name in PARAMETERS:
        np.testing.assert_array_equal(getattr(model, name), before[name])


def test_plausibilities_that_no_path_meets_are_an_error():
    X = np.random.default_rng(0).normal(size=(40, 1))
    model = model_with(2, 1)
    model.transmat_ = np.array([[1.0, 0.0], [0.0, 1.0]])
    labels = np.eye(2)[np.r_[np.zeros(20, int), np.ones(20, int)]]
    with pytest.raises(ValueError, match="probability zero"):
        model.score(X, plausibility=labels)


def test_information_criteria_count_free_parameters():
    model = model_with(2, 1)
    X, _ = model.sample(100, random_state=0)
    n_params = 1 + 2 + 2 * 2 + 2
    log_likelihood = model.score(X)
    assert model.aic(X) == pytest.approx(-2 * log_likelihood + 2 * n_params)
    assert model.bic(X) == pytest.approx(-2 * log_likelihood + np.log(99) * n_params)


def test_filter_is_causal():
    model = model_with(3, 2)
    X, _ = model.sample(200, random_state=0)
    np.testing.assert_allclose(model.filter(X[:120]), model.filter(X)[:120], atol=1e-12)


def test_state_rul_is_the_sum_of_expected_sojourns_on_a_left_right_chain():
    model = model_with(3, 0, transmat_mask="left-right")
    model.transmat_ = np.array([[0.9, 0.1, 0], [0, 0.8, 0.2], [0, 0, 1.0]])
    model.intercept_ = np.array([1.0, 0.5, 0.0])
    model.noise_var_ = np.full(3, 1e-4)
    X = np.full((5, 1), 1.0)  # certainly in state 0
    prediction = model.predict_rul(X, method="state")
    assert prediction.rul[0] == pytest.approx(1 / 0.1 + 1 / 0.2)
    assert prediction.lower[0] <= prediction.rul[0] <= prediction.upper[0]


def test_simulated_rul_of_a_deterministic_decline():
    model = model_with(1, 1)
    model.startprob_, model.transmat_ = np.ones(1), np.ones((1, 1))
    model.intercept_, model.ar_coef_ = np.array([-0.1]), np.array([[1.0]])
    model.noise_var_ = np.array([1e-12])
    X = np.array([[1.0], [0.9], [0.8]])
    prediction = model.predict_rul(X, threshold=0.05, n_simulations=50, random_state=0)
    # 0.8 -> 0.7 ... -> 0.0: the value first falls below 0.05 on the eighth step.
    np.testing.assert_array_equal([prediction.rul, prediction.lower, prediction.upper], [[8]] * 3)


def test_sample_pickle_and_dask_give_the_same_fit():
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    truth = model_with(2, 1)
    lengths = [150] * 4
    X, _ = stacked(truth, lengths, seed=0)
    serial = ARPHMM(2, 1, n_init=2, random_state=0).fit(X, lengths)
    restored = pickle.loads(pickle.dumps(serial))
    np.testing.assert_array_equal(restored.predict(X, lengths), serial.predict(X, lengths))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        spread = ARPHMM(2, 1, n_init=2, random_state=0, n_jobs=2).fit(X, lengths)
    for name in PARAMETERS:
        np.testing.assert_allclose(getattr(spread, name), getattr(serial, name), rtol=1e-10)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("startprob_", np.array([0.5, 0.5, 0.0]), r"startprob_ must have shape \(2,\)"),
        ("transmat_", np.array([[0.5, 0.6], [0.5, 0.5]]), "transmat_ must be non-negative"),
        ("ar_coef_", np.zeros((2, 2)), r"ar_coef_ must have shape \(n_states, ar_order\)"),
        ("noise_var_", np.array([0.1, 0.0]), "noise_var_ must be positive"),
    ],
)
def test_parameters_set_by_hand_are_checked(name, value, message):
    model = model_with(2, 1)
    X, _ = model.sample(50, random_state=0)
    setattr(model, name, value)
    with pytest.raises(ValueError, match=message):
        model.score(X)
    with pytest.raises(ValueError, match=message):
        model.set_params(init_params="").fit(X)
