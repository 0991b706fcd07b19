"""Checks of the ARPHMM's exactness claims, shared by the tests and the mutation suite."""

import numpy as np
import pytest

from statkit.hmm import ARPHMM, CMAPSSHealthIndicator, SwitchingRULRegressor, rul_targets
from statkit.hmm._em import e_step, m_step
from statkit.hmm._input import check_sequences

PARAMETERS = ("startprob_", "transmat_", "intercept_", "ar_coef_", "noise_var_")


def model_with(n_states, ar_order, seed=0, **kwargs):
    """An ARPHMM with random but well-behaved parameters set by hand."""
    rng = np.random.default_rng(seed)
    model = ARPHMM(n_states, ar_order, **kwargs)
    model.startprob_ = rng.dirichlet(np.ones(n_states))
    model.transmat_ = rng.dirichlet(np.ones(n_states) * 3, size=n_states) + 3 * np.eye(n_states)
    model.transmat_ /= model.transmat_.sum(axis=1, keepdims=True)
    model.intercept_ = np.linspace(-1, 1, n_states)
    model.ar_coef_ = rng.uniform(-0.4, 0.4, size=(n_states, ar_order))
    model.noise_var_ = rng.uniform(0.1, 0.5, size=n_states)
    return model


def stacked(model, lengths, seed):
    parts = [model.sample(n, random_state=seed + i) for i, n in enumerate(lengths)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def check_hmmlearn_parity():
    """At ar_order=0 the likelihood, posteriors and Viterbi path equal hmmlearn's GaussianHMM."""
    from hmmlearn import hmm

    model = model_with(3, 0)
    lengths = [120, 80, 50]
    X, _ = stacked(model, lengths, seed=1)
    reference = hmm.GaussianHMM(3, covariance_type="diag", implementation="scaling")
    reference.startprob_, reference.transmat_ = model.startprob_, model.transmat_
    reference.means_ = model.intercept_[:, None]
    reference.covars_ = model.noise_var_[:, None]
    assert model.score(X, lengths) == pytest.approx(reference.score(X, lengths), rel=1e-12)
    np.testing.assert_allclose(
        model.predict_proba(X, lengths), reference.predict_proba(X, lengths), atol=1e-12
    )
    log_prob, states = model.decode(X, lengths)
    ref_log_prob, ref_states = reference.decode(X, lengths, algorithm="viterbi")
    assert log_prob == pytest.approx(ref_log_prob, rel=1e-12)
    np.testing.assert_array_equal(states, ref_states)


def statsmodels_params(model, names):
    """statsmodels' parameter vector (p[i->j] = P(j | i), then const, x1, x2, sigma2)."""
    values = []
    for name in names:
        kind, index = name[: name.index("[")], name[name.index("[") + 1 : -1]
        if kind == "p":
            i, j = map(int, index.split("->"))
            values.append(model.transmat_[i, j])
        elif kind == "const":
            values.append(model.intercept_[int(index)])
        elif kind == "sigma2":
            values.append(model.noise_var_[int(index)])
        else:  # x1, x2: the lag coefficients
            values.append(model.ar_coef_[int(index), int(kind[1:]) - 1])
    return np.array(values)


def check_statsmodels_parity():
    """The E-step and M-step equal statsmodels' MarkovRegression with lagged regressors."""
    import statsmodels.api as sm

    model = model_with(3, 2, seed=3)
    X, _ = model.sample(400, random_state=4)
    y = X[:, 0]
    lags = np.column_stack([y[1:-1], y[:-2]])
    reference = sm.tsa.MarkovRegression(
        y[2:], k_regimes=3, exog=lags, switching_variance=True, switching_exog=True
    )
    # statsmodels' known initial probabilities are for two steps before its first value:
    # y[0] and y[1] here, whose states start the ARPHMM's chain.
    reference.initialize_known(model.startprob_)
    params = statsmodels_params(model, reference.param_names)
    assert model.score(X) == pytest.approx(reference.loglike(params), rel=1e-12)
    smoothed = reference.smooth(params).smoothed_marginal_probabilities
    np.testing.assert_allclose(model.predict_proba(X)[2:], smoothed, atol=1e-10)

    _, em_params = reference._em_iteration(params)
    data = check_sequences(X, None, None, 3, 2, True)
    updated = m_step(
        e_step(data, model._parameters()), model._parameters(), "tav", np.ones((3, 3), bool), 0
    )
    mine = ARPHMM(3, 2)
    mine.transmat_ = updated.transmat
    mine.intercept_, mine.ar_coef_ = updated.coef[:, 0], updated.coef[:, 1:]
    mine.noise_var_ = updated.noise_var
    # statsmodels leaves out the transitions into and between y[0] and y[1].
    steps = ~np.array(["p[" in name for name in reference.param_names])
    np.testing.assert_allclose(
        statsmodels_params(mine, reference.param_names)[steps], em_params[steps], rtol=1e-8
    )


def check_plausibility_of_ones():
    """All-ones plausibilities fit exactly the plain ARHMM."""
    X, _ = model_with(2, 1).sample(500, random_state=0)
    plain = ARPHMM(2, 1, n_init=2, random_state=0).fit(X)
    ones = ARPHMM(2, 1, n_init=2, random_state=0).fit(X, plausibility=np.ones((500, 2)))
    for name in PARAMETERS:
        np.testing.assert_array_equal(getattr(plain, name), getattr(ones, name))
    assert plain.monitor_.history == ones.monitor_.history


def check_plausibility_weighting():
    """A constant plausibility c shifts the log-likelihood by n log c and nothing else."""
    model = model_with(3, 2)
    X, _ = model.sample(300, random_state=2)
    pl = np.full((300, 3), 0.25)
    assert model.score(X, plausibility=pl) == pytest.approx(
        model.score(X) + 300 * np.log(0.25), rel=1e-12
    )
    np.testing.assert_allclose(model.predict_proba(X, plausibility=pl), model.predict_proba(X))


def check_supervised_closed_form():
    """One-hot plausibilities give the supervised estimates: counts and per-state OLS."""
    truth = model_with(3, 2, seed=5)
    lengths = [300, 200, 250]
    X, states = stacked(truth, lengths, seed=6)
    fitted = ARPHMM(3, 2, n_init=1, max_iter=5, random_state=0)
    fitted.fit(X, lengths, plausibility=np.eye(3)[states])

    starts = np.cumsum(lengths) - lengths
    np.testing.assert_allclose(fitted.startprob_, np.bincount(states[starts], minlength=3) / 3)
    counts = np.zeros((3, 3))
    for a, n in zip(starts, lengths, strict=True):
        np.add.at(counts, (states[a : a + n - 1], states[a + 1 : a + n]), 1)
    np.testing.assert_allclose(fitted.transmat_, counts / counts.sum(axis=1, keepdims=True))
    y = X[:, 0]
    for k in range(3):
        rows = [
            t
            for a, n in zip(starts, lengths, strict=True)
            for t in range(a + 2, a + n)
            if states[t] == k
        ]
        design = np.column_stack(
            [np.ones(len(rows)), y[np.subtract(rows, 1)], y[np.subtract(rows, 2)]]
        )
        coef, rss, *_ = np.linalg.lstsq(design, y[rows], rcond=None)
        np.testing.assert_allclose(fitted.intercept_[k], coef[0], atol=1e-10)
        np.testing.assert_allclose(fitted.ar_coef_[k], coef[1:], atol=1e-10)
        np.testing.assert_allclose(fitted.noise_var_[k], rss[0] / len(rows), rtol=1e-8)
    # The labels are certain: nothing changes after the first M-step.
    assert fitted.monitor_.history[-1] == pytest.approx(fitted.monitor_.history[1], rel=1e-12)


def check_viterbi_follows_labels():
    """With one-hot plausibilities the Viterbi path is the labels."""
    model = model_with(3, 1, seed=7)
    X, states = model.sample(300, random_state=8)
    labels = np.roll(states, 5)  # wrong on purpose at the switches, still allowed by A
    decoded = model.predict(X, plausibility=np.eye(3)[labels])
    np.testing.assert_array_equal(decoded, labels)


def check_noise_update_with_fixed_coefficients():
    """With the AR part held (params="v"), variances come from the held coefficients' residuals."""
    truth = model_with(3, 2, seed=9)
    X, _ = truth.sample(400, random_state=10)
    model = ARPHMM(3, 2, params="v", init_params="", n_init=1, max_iter=1)
    for name in PARAMETERS:
        setattr(model, name, getattr(truth, name).copy())
    model.fit(X)
    np.testing.assert_array_equal(model.ar_coef_, truth.ar_coef_)
    weights = truth.predict_proba(X)[2:]
    y = X[2:, 0]
    means = (
        truth.intercept_
        + y[:, None] * 0
        + np.column_stack(
            [truth.ar_coef_[k, 0] * X[1:-1, 0] + truth.ar_coef_[k, 1] * X[:-2, 0] for k in range(3)]
        )
    )
    expected = (weights * (y[:, None] - means) ** 2).sum(axis=0) / weights.sum(axis=0)
    np.testing.assert_allclose(model.noise_var_, expected, rtol=1e-8)


def check_em_never_decreases():
    """The weighted log-likelihood never decreases across EM iterations (soft labels, lengths)."""
    for seed in range(3):
        truth = model_with(3, 1, seed=seed)
        lengths = [150, 90, 120]
        X, states = stacked(truth, lengths, seed=20 + seed)
        rng = np.random.default_rng(seed)
        plausibility = np.where(
            rng.random((X.shape[0], 1)) < 0.3, 0.2 + 0.8 * np.eye(3)[states], 1.0
        )
        model = ARPHMM(3, 1, n_init=1, max_iter=30, tol=0, random_state=seed)
        history = np.array(model.fit(X, lengths, plausibility).monitor_.history)
        assert np.all(np.diff(history) >= -1e-8 * np.abs(history[1:]))


def fleet(n_units=12, seed=0):
    """Units whose HI falls from about 1 to 0 along a noisy convex path, run to failure."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(80, 160, size=n_units)
    hi = np.concatenate([1 - np.linspace(0, 1, n) ** 2 for n in lengths])
    return (hi + rng.normal(0, 0.03, hi.size))[:, None], lengths


def engine_table(lengths, seed=0):
    """Units whose sensors drift with quadratic wear, in CMAPSS layout."""
    rng = np.random.default_rng(seed)
    table = np.zeros((sum(lengths), 26))
    table[:, 0] = np.repeat(np.arange(1, len(lengths) + 1), lengths)
    table[:, 1] = np.concatenate([np.arange(1, n + 1) for n in lengths])
    wear = np.concatenate([np.linspace(0, 1, n) ** 2 for n in lengths])
    table[:, 4:] = wear[:, None] * rng.normal(1, 0.3, 22) + rng.normal(0, 0.05, (wear.size, 22))
    return table


def check_rul_regression_is_causal():
    """A unit cut at step c gets the first c predictions of the full unit."""
    X, lengths = fleet()
    model = SwitchingRULRegressor(n_states=3, ar_order=2, window=4, n_init=1, random_state=0)
    model.fit(X, rul_targets(lengths), lengths)
    full = model.predict(X, lengths)
    cut = np.array([50, 3, 97])  # unit 1 keeps only ar_order + 1 steps
    starts = np.cumsum(lengths) - lengths
    pieces = [X[s : s + c] for s, c in zip(starts[:3], cut, strict=True)]
    truncated = model.predict(np.concatenate(pieces), cut)
    expected = np.concatenate([full[s : s + c] for s, c in zip(starts[:3], cut, strict=True)])
    np.testing.assert_allclose(truncated, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(
        model.predict_rul(np.concatenate(pieces), cut), expected[np.cumsum(cut) - 1]
    )


def check_health_indicator_is_causal():
    """The HI of a unit cut at cycle c is the first c values of the full unit's HI."""
    table = engine_table([120, 90, 150])
    model = CMAPSSHealthIndicator(sensors=[1, 5, 9]).fit(table)
    full = model.transform(table)
    np.testing.assert_allclose(model.transform(table[:100]), full[:100], rtol=1e-12)
    # the second unit alone starts afresh
    np.testing.assert_allclose(model.transform(table[120:170]), full[120:170], rtol=1e-12)
