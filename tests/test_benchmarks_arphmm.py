"""The ARPHMM benchmark (``benchmarks/arphmm.py``), on its tiny configuration."""

import numpy as np
import pytest

pytest.importorskip("hmmlearn")
pytest.importorskip("statsmodels")

from benchmarks import arphmm as bench

TINY = bench.TINY


def test_matched_accuracy_and_label_accuracy():
    truth = np.array([0, 0, 1, 1, 2, 2])
    accuracy, perm = bench.matched_accuracy(truth, np.array([2, 2, 0, 0, 1, 0]), 3)
    assert accuracy == pytest.approx(5 / 6)
    assert perm.tolist() == [2, 0, 1]  # true state k is fitted state perm[k]
    pl = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    hit, labelled = bench.label_accuracy(pl, np.array([0, 1, 2, 1]))
    assert hit == pytest.approx((1 + 0.5 + 0) / 3)  # the all-ones row is unlabelled
    assert labelled == pytest.approx(0.75)
    assert bench.label_accuracy(np.ones((2, 3)), np.array([0, 1])) == (None, 0.0)


def test_restarts_one_by_one_are_n_init():
    from statkit.hmm import ARPHMM

    truth = bench.labels_truth()
    X, _, _ = bench.training_series(truth, 600, 3)
    models = bench.make_restarts(3, [7, 3])
    best = bench.fit_restarts(models, X, None)
    whole = ARPHMM(
        3, 1, transmat_mask=bench.LEFT_RIGHT, n_init=3, random_state=np.random.default_rng([7, 3])
    ).fit(X)
    np.testing.assert_allclose(models[best].ar_coef_, whole.ar_coef_)
    np.testing.assert_allclose(models[best].transmat_, whole.transmat_)
    assert models[best].monitor_.history == whole.monitor_.history


def test_training_series_visits_every_state():
    X, states, attempts = bench.training_series(bench.labels_truth(), 600, 0)
    assert X.shape == (600, 1)
    assert attempts >= 1
    assert np.bincount(states, minlength=3).min() >= bench.MIN_OCCUPANCY * 600


def test_statsmodels_parameters_give_statsmodels_loglik():
    import statsmodels.api as sm

    X, _ = bench.recovery_truth().sample(150, random_state=0)
    y = X[:, 0]
    model = sm.tsa.MarkovRegression(
        y[2:], k_regimes=4, exog=bench._lags(y, 2), switching_variance=True
    )
    arphmm = bench._statsmodels_start_model(model, model.start_params, 2)
    assert arphmm.score(X) == pytest.approx(model.loglike(model.start_params), rel=1e-9)


def test_recovery_table():
    table = bench.recovery(TINY["recovery"])
    assert table.name == "arphmm_recovery"
    assert len(table.rows) == 3
    assert all(0.0 <= row.quality <= 1.0 for row in table.rows)
    assert table.rows[1].quality > 0.9  # the true parameters decode this design well
    assert table.rows[0].columns["max |φ̂−φ|"] >= 0
    assert "Bayes ceiling" in table.summary


def test_labels_table():
    table = bench.labels(TINY["labels"])
    rows = {row.method: row for row in table.rows}
    assert len(rows) == 2 + len(bench.LABEL_SETTINGS)
    assert all(0.0 <= row.quality <= 1.0 for row in table.rows)
    # All-1/3 plausibilities scale the likelihood by a constant: the unsupervised fit.
    assert rows["uninformative (ρ=1, f=1)"].quality == pytest.approx(
        rows["unsupervised"].quality, abs=0.01
    )
    assert rows["ρ=0.2, f=1"].columns["labelled share"] == 1.0
    assert "worst restart ≥ 0.9" in table.summary


def test_speed_tables():
    speed = bench.speed(TINY["speed"], 1)
    assert speed.rows[0].quality > 0
    assert "100 M-steps run" in speed.rows[8].note
    assert "100 iterations run" in speed.rows[9].note
    scaling = bench.speed_scaling(TINY["scaling"], 1)
    assert [row.columns["K"] for row in scaling.rows] == [2, 4]
    statsmodels = bench.speed_statsmodels(TINY["statsmodels"], 1)
    assert [row.anchor for row in statsmodels.rows] == [True, False, False, False]
    assert "skipped" in statsmodels.summary


@pytest.mark.data("cmapss")
def test_cmapss_table():
    from benchmarks._arphmm_rul import cmapss_table

    table = cmapss_table()
    assert len(table.rows) == 8
    assert {row.columns["prior"] for row in table.rows} >= {"prior", "none"}
    assert "target ≤ 20" in table.summary


def test_look_ahead_windows_reach_ahead_and_stay_in_the_unit():
    from benchmarks._arphmm_rul import _look_ahead_windows

    values = np.arange(10.0)
    rows = _look_ahead_windows(values, np.array([0, 6]), np.array([6, 10]), 3)
    np.testing.assert_array_equal(rows[0], [1, 0, 0, 1])  # h_{t-1} clipped to the start
    np.testing.assert_array_equal(rows[3], [1, 2, 3, 4])
    np.testing.assert_array_equal(rows[5], [1, 4, 5, 5])  # clipped to the unit's end
    np.testing.assert_array_equal(rows[6], [1, 6, 6, 7])


@pytest.mark.data("cmapss")
def test_look_ahead_table():
    from benchmarks._arphmm_rul import look_ahead_table

    table = look_ahead_table(n_folds=2)
    causal, ahead = (row.quality for row in table.rows)
    assert ahead < causal  # seeing the future helps
