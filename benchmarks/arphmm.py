"""ARPHMM: parameter recovery, noisy partial labels, speed vs hmmlearn and statsmodels, CMAPSS RUL.

``python -m benchmarks arphmm [--quick]`` writes these tables to ``results/``
(``../shared/specs/arphmm.md`` §5 gives the anchors, §6 (a), (b) and (d) the
experiments and targets). BLAS runs on one thread throughout
(``threadpoolctl``) and numba is held to one thread
(``numba.set_num_threads(1)``, ``NUMBA_NUM_THREADS=1`` when numba is not yet
loaded; statkit's kernels are serial anyway), so every number is a
one-thread number, statsmodels' and hmmlearn's included.

``arphmm_recovery``
    Parameter recovery on synthetic switching AR(2) data (spec §6 (a)):
    K = 4 states, p = 2, T = 10,000, uniform start, transitions 0.99 on the
    diagonal and 0.01/3 elsewhere, intercepts (0, 1, −1, 0.5), AR coefficients
    ((0.5, 0.2), (−0.4, 0.1), (0.8, −0.3), (0.0, 0.5)), noise sd (0.5, 0.3,
    0.8, 0.4). One series per data seed (5 seeds; 2 with ``--quick``), drawn
    with ``ARPHMM.sample``. ``ARPHMM(4, 2, n_init=5)`` is fitted on it (other
    settings default) and its states are matched to the true ones by the
    Hungarian algorithm on the Viterbi confusion matrix; the same matching
    gives the parameter errors max |φ̂ − φ|, max |σ̂/σ − 1| and max |ĉ − c|
    (max over states, then over seeds). Beside it, on the same series: the
    true parameters (the Bayes ceiling of the state accuracy: no fit can
    decode better on average) and hmmlearn ``GaussianHMM(4,
    implementation="scaling", n_iter=100)``, best score of 5 seeds (the no-AR
    baseline and the time anchor). Accuracies are in-sample, Viterbi (MAP:
    the most probable state per step). "median s" is the fit time per seed
    (decoding time for the true parameters).

    Targets (spec §6 (a)): state accuracy ≥ 0.99, max |φ̂ − φ| ≤ 0.05 and
    |σ̂/σ − 1| ≤ 5 %. The true parameters' accuracy shows whether 0.99 is
    reachable on this design at all.

``arphmm_labels``
    The value of noisy partial labels (spec §6 (b)) on the hard 3-state
    left-right case: T = 1,500, p = 1, φ = (0.2, 0.6, 0.9), intercepts
    c_k = μ_k (1 − φ_k) so that the stationary means are μ = (0, 0.3, 0.6),
    the same innovation sd 0.3 in every state (so the states differ only in
    their dynamics; the stationary sd, 0.31, 0.38, 0.69, is at least the
    gap of 0.3 between neighbouring means), start in state 0, stay probability
    1 − 1/500 in states 0 and 1 (mean sojourn T/3), state 2 absorbing. Per
    replicate (10; 3 with ``--quick``): one training series, redrawn until
    every state covers at least 10 % of it (a series that never shows a
    state cannot teach it, with or without labels; the redraws are in the
    JSON), and five held-out series of the same
    length from the same model. The fit is ``ARPHMM(3, 1,
    transmat_mask=eye | eye(k=1), n_init=5)`` with plausibilities from
    :func:`statkit.hmm.noisy_plausibility` (Côme et al.'s generator: per-step
    error probability ~ Beta with mean ρ and sd 0.2, labelled fraction f) on
    the training series only. The five restarts are run one by one
    (``n_init=1`` on one shared generator, which is exactly what
    ``n_init=5`` does) so that every restart can be scored; the selected fit
    is the restart with the highest weighted log-likelihood, as in
    ``n_init=5``. The held-out series are decoded by Viterbi with the
    default plausibility (all ones), so only what was learnt counts; no
    state matching (the left-right chain fixes the order of the states).
    Rows: unsupervised; f ∈ {1, 0.1} × ρ ∈ {0.2, 0.5, 0.8}; uninformative
    labels (ρ = 1, f = 1: every row 1/3); two references: the true
    parameters (the Bayes ceiling) and, as a diagnostic of the
    initialisation, the unsupervised fit with the transition matrix started
    at the sojourn T/K (``init_params="sav"``, stay 1 − 3/1500) instead of
    estimated by ``fit``'s own initialisation. Columns: mean and min held-out
    accuracy over replicates (selected restart), the worst single restart,
    the sd over replicates, the mean within-replicate sd over restarts, the
    accuracy on the training series decoded *with* its plausibilities (what
    the spec's first numbers measured), and the accuracy of the noisy labels
    themselves on the labelled steps (ties of the most plausible state
    counted as a random pick) and the share of labelled steps; "restart
    loglik range" is the spread of the restarts' final weighted
    log-likelihoods (mean over replicates: 0 when all restarts agree); the
    last column counts restarts (of all replicates) that end with a state's
    noise variance at its floor (1e-6 var(y): a degenerate fit).
    "median s" is the time of the five restarts.

    Targets (spec §6 (b)): with f = 0.1 and ρ ≤ 0.5, held-out accuracy ≥ 10
    points above unsupervised and the worst restart (and replicate) ≥ 0.9;
    lower variance across restarts than unsupervised; uninformative labels
    no worse than unsupervised.

``arphmm_speed``
    Raw speed at K = 4, p = 2, T = 10,000 (the recovery design, first seed),
    one thread (spec §6 (d)): the plausibility-weighted forward-backward
    kernel ``statkit.hmm._kernels.forward_backward`` (steps/s = T / time),
    the pieces of statkit's E-step (log-densities, forward-backward,
    regression statistics) and its M-step; one EM iteration of statkit and of
    hmmlearn ``GaussianHMM(4, implementation="scaling")``, each measured as
    (fit with 100 iterations − fit with 1 iteration) / 99 on paired runs
    (statkit ``n_init=1, tol=0``; hmmlearn ``tol=-inf``, so both run every
    iteration); and the full fits with 100 iterations. hmmlearn's C
    "scaling" mode is used throughout; its default "log" mode is slower.
    Median of ``repeats`` runs after a warm-up (the E-step's pieces: of
    batches of 20 calls), all timed in round-robin sweeps (every piece and
    fit once per sweep), so that a burst of load from other processes on
    the shared machine hits one repeat of each rather than every repeat of
    one.

    Targets: forward-backward ≥ 5·10⁶ steps/s; full EM with 100 iterations
    < 0.5 s; per-iteration time below hmmlearn's.

``arphmm_speed_statsmodels``
    Against statsmodels (spec §5): ``MarkovAutoregression(y, k_regimes=4,
    order=2, switching_ar=True, switching_variance=True).fit()`` on the
    recovery series (first seed, T = 10,000), run **once** (it takes minutes;
    skipped with ``--quick``). It is Hamilton's parametrisation (the mean
    depends on the lagged regimes, K^(p+1) = 64 joint states), not the
    ARPHMM's. The exact ARPHMM equivalent ``MarkovRegression(y[p:],
    k_regimes=4, exog=lags, switching_variance=True).fit()`` runs once on the
    first 2,000 steps (1,000 with ``--quick``). statkit beside them on the
    same data: the default ``ARPHMM(4, 2)`` (``n_init=5``) and ``n_init=1``
    (median of ``repeats`` fits), and, on the MarkovRegression data, statkit's
    EM started from statsmodels' own start values (``model.start_params``,
    the values ``fit()`` starts from; ``init_params=""``, start
    probabilities at the stationary distribution of the start transition
    matrix), and from statsmodels' fitted parameters (in the summary). At
    the same parameters statkit's ``score`` equals statsmodels' ``llf`` (the
    summary shows both), so the two log-likelihoods are comparable. The
    quality column is the Hungarian-matched accuracy of the most probable
    state per step (smoothed probabilities); beside it the log-likelihood of
    y[p:] given the first p values (statsmodels' ``llf``; statkit's
    ``score``). Target: statkit ≥ 50× faster than statsmodels at
    T = 10,000 (spec's reference 250 s on 2 cores), and a log-likelihood at
    or above statsmodels' from the same start values.

``arphmm_speed_scaling``
    statkit's scaling: K ∈ {2, 4, 8, 16} × T ∈ {10³, 10⁴, 10⁵} (T ≤ 10⁴ with
    ``--quick``), p = 2, sticky chain (0.99 diagonal), intercepts
    linspace(−1, 1, K), φ₁ = linspace(−0.5, 0.8, K), φ₂ = 0.1, noise sd 0.5.
    Per configuration: one EM iteration (``e_step`` + ``m_step`` at the true
    parameters) and the forward-backward kernel alone; "steps/s" is T per
    second, "ns / (step·K²)" the kernel's time per step divided by K² (flat
    when the cost is linear in T and quadratic in K). Median of ``repeats``
    sweeps over the whole grid (after a warm-up sweep), each cell timed on
    batches of max(1, 10⁴/T) calls.

``arphmm_cmapss``, ``arphmm_look_ahead``
    Remaining useful life on CMAPSS FD001 test (needs the data home): the
    three RUL methods with and without the authors' 6-stage prior; and, in a
    cross-validation over the training engines, how much the released code's
    look-ahead window flatters the switching regression (spec §6 (c)).
    Protocols and targets in ``benchmarks/_arphmm_rul.py``. The same with
    ``--quick``.
"""

import os
import time as _time
import warnings

import numpy as np

from benchmarks._arphmm_rul import cmapss_table, look_ahead_table
from benchmarks._harness import Benchmark, time_repeats

DESCRIPTION = "ARPHMM: recovery, noisy partial labels, speed vs hmmlearn and statsmodels"

SEED = 20160705  # PHM Europe 2016 (Juesas et al.), Bilbao, 5-8 July 2016

# --------------------------------------------------------------- designs

RECOVERY = {
    "startprob": np.full(4, 0.25),
    "intercept": np.array([0.0, 1.0, -1.0, 0.5]),
    "ar_coef": np.array([[0.5, 0.2], [-0.4, 0.1], [0.8, -0.3], [0.0, 0.5]]),
    "noise_sd": np.array([0.5, 0.3, 0.8, 0.4]),
    "stay": 0.99,
}
LABELS_PHI = np.array([0.2, 0.6, 0.9])
LABELS_MEAN = np.array([0.0, 0.3, 0.6])
LABELS_SD = 0.3
LABELS_STAY = 1 - 1 / 500
# A training series must spend this share of its steps in every state (else redrawn).
MIN_OCCUPANCY = 0.1
LEFT_RIGHT = np.eye(3, dtype=bool) | np.eye(3, k=1, dtype=bool)
# (name, error_rate ρ, labelled_fraction f); ρ None = unsupervised.
LABEL_SETTINGS = (
    ("unsupervised", None, None),
    ("ρ=0.2, f=1", 0.2, 1.0),
    ("ρ=0.5, f=1", 0.5, 1.0),
    ("ρ=0.8, f=1", 0.8, 1.0),
    ("ρ=0.2, f=0.1", 0.2, 0.1),
    ("ρ=0.5, f=0.1", 0.5, 0.1),
    ("ρ=0.8, f=0.1", 0.8, 0.1),
    ("uninformative (ρ=1, f=1)", 1.0, 1.0),
)
DIAGNOSTIC = "unsupervised, transmat started at sojourn T/K (init_params='sav')"

FULL = {
    "recovery": {"T": 10_000, "seeds": 5, "n_init": 5, "hmmlearn_inits": 5},
    "labels": {"T": 1_500, "replicates": 10, "n_test": 5, "n_init": 5},
    "speed": {"T": 10_000, "kernel_calls": 20},
    "statsmodels": {"T_autoregression": 10_000, "T_regression": 2_000, "fit": {}},
    "scaling": {"Ks": (2, 4, 8, 16), "Ts": (1_000, 10_000, 100_000)},
}
QUICK = {
    "recovery": {"T": 10_000, "seeds": 2, "n_init": 5, "hmmlearn_inits": 5},
    "labels": {"T": 1_500, "replicates": 3, "n_test": 5, "n_init": 5},
    "speed": {"T": 10_000, "kernel_calls": 20},
    "statsmodels": {"T_autoregression": None, "T_regression": 1_000, "fit": {}},
    "scaling": {"Ks": (2, 4, 8, 16), "Ts": (1_000, 10_000)},
}
# For the smoke test: seconds, not minutes.
TINY = {
    "recovery": {"T": 1_000, "seeds": 1, "n_init": 2, "hmmlearn_inits": 1},
    "labels": {"T": 600, "replicates": 1, "n_test": 1, "n_init": 2},
    "speed": {"T": 1_000, "kernel_calls": 2},
    "statsmodels": {"T_autoregression": None, "T_regression": 200, "fit": {"maxiter": 5}},
    "scaling": {"Ks": (2, 4), "Ts": (1_000,)},
    "cmapss": False,
}


def sticky_transmat(n_states, stay):
    """``stay`` on the diagonal, the rest spread evenly."""
    transmat = np.full((n_states, n_states), (1 - stay) / (n_states - 1))
    np.fill_diagonal(transmat, stay)
    return transmat


def recovery_truth():
    """The true model of ``arphmm_recovery`` (K = 4, p = 2)."""
    from statkit.hmm import ARPHMM

    truth = ARPHMM(4, 2)
    truth.startprob_ = RECOVERY["startprob"].copy()
    truth.transmat_ = sticky_transmat(4, RECOVERY["stay"])
    truth.intercept_ = RECOVERY["intercept"].copy()
    truth.ar_coef_ = RECOVERY["ar_coef"].copy()
    truth.noise_var_ = RECOVERY["noise_sd"] ** 2
    return truth


def labels_truth():
    """The hard 3-state left-right model of ``arphmm_labels`` (p = 1)."""
    from statkit.hmm import ARPHMM

    truth = ARPHMM(3, 1, transmat_mask=LEFT_RIGHT)
    truth.startprob_ = np.array([1.0, 0.0, 0.0])
    transmat = np.diag([LABELS_STAY, LABELS_STAY, 1.0])
    transmat[0, 1] = transmat[1, 2] = 1 - LABELS_STAY
    truth.transmat_ = transmat
    truth.intercept_ = LABELS_MEAN * (1 - LABELS_PHI)
    truth.ar_coef_ = LABELS_PHI[:, None].copy()
    truth.noise_var_ = np.full(3, LABELS_SD**2)
    return truth


def scaling_truth(n_states):
    """A sticky K-state AR(2) model for ``arphmm_speed_scaling``."""
    from statkit.hmm import ARPHMM

    truth = ARPHMM(n_states, 2)
    truth.startprob_ = np.full(n_states, 1.0 / n_states)
    truth.transmat_ = sticky_transmat(n_states, 0.99)
    truth.intercept_ = np.linspace(-1.0, 1.0, n_states)
    truth.ar_coef_ = np.column_stack([np.linspace(-0.5, 0.8, n_states), np.full(n_states, 0.1)])
    truth.noise_var_ = np.full(n_states, 0.25)
    return truth


def matched_accuracy(truth, predicted, n_states):
    """Accuracy after the best one-to-one relabelling, and the fitted state of each true state."""
    from scipy.optimize import linear_sum_assignment

    confusion = np.zeros((n_states, n_states))
    np.add.at(confusion, (truth, predicted), 1)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    return float(confusion[rows, cols].sum() / truth.size), cols[np.argsort(rows)]


def _verdict(ok):
    return "PASS" if ok else "MISS"


def _warm_up():
    """Compile (or load from numba's cache) the kernels outside the timings."""
    truth = recovery_truth()
    X, _ = truth.sample(300, random_state=0)
    from statkit.hmm import ARPHMM

    model = ARPHMM(4, 2, n_init=1, max_iter=3, random_state=0).fit(X)
    model.predict(X)
    model.decode(X, algorithm="map")


# --------------------------------------------------------------- recovery


def recovery(config):
    """``arphmm_recovery``: fitted model, true parameters and hmmlearn on the same series."""
    from hmmlearn.hmm import GaussianHMM

    from statkit.hmm import ARPHMM

    truth = recovery_truth()
    n_states, order, T = 4, 2, config["T"]
    phi, sd, c = truth.ar_coef_, np.sqrt(truth.noise_var_), truth.intercept_
    seeds = [SEED + s for s in range(config["seeds"])]
    runs = {"fit": [], "truth": [], "hmmlearn": []}
    for seed in seeds:
        X, states = truth.sample(T, random_state=seed)
        start = _time.perf_counter()
        model = ARPHMM(n_states, order, n_init=config["n_init"], random_state=seed).fit(X)
        seconds = _time.perf_counter() - start
        accuracy, perm = matched_accuracy(states, model.predict(X), n_states)
        map_accuracy = float(
            np.mean(np.argsort(perm)[model.decode(X, algorithm="map")[1]] == states)
        )
        runs["fit"].append(
            {
                "seed": seed,
                "seconds": seconds,
                "accuracy": accuracy,
                "map": map_accuracy,
                "phi": float(np.abs(model.ar_coef_[perm] - phi).max()),
                "sigma": float(np.abs(np.sqrt(model.noise_var_[perm]) / sd - 1).max()),
                "intercept": float(np.abs(model.intercept_[perm] - c).max()),
                "iterations": model.monitor_.iter - 1,
                "loglik_gap": float(model.score(X) - truth.score(X)),
            }
        )
        start = _time.perf_counter()
        viterbi = truth.predict(X)
        seconds = _time.perf_counter() - start
        runs["truth"].append(
            {
                "seconds": seconds,
                "accuracy": float(np.mean(viterbi == states)),
                "map": float(np.mean(truth.decode(X, algorithm="map")[1] == states)),
            }
        )
        start = _time.perf_counter()
        best = None
        for r in range(config["hmmlearn_inits"]):
            hmm = GaussianHMM(
                n_states, implementation="scaling", n_iter=100, random_state=seed * 10 + r
            ).fit(X)
            score = hmm.score(X)
            if best is None or score > best[0]:
                best = score, hmm
        seconds = _time.perf_counter() - start
        hmm = best[1]
        h_accuracy, h_perm = matched_accuracy(states, hmm.predict(X), n_states)
        h_map = float(np.mean(np.argsort(h_perm)[hmm.predict_proba(X).argmax(axis=1)] == states))
        runs["hmmlearn"].append({"seconds": seconds, "accuracy": h_accuracy, "map": h_map})

    bench = Benchmark(
        "arphmm_recovery",
        quality_name="mean Viterbi state accuracy",
        quality_better="higher",
        params={
            "n_states": n_states,
            "ar_order": order,
            "T": T,
            "stay": RECOVERY["stay"],
            "intercept": c.tolist(),
            "ar_coef": phi.tolist(),
            "noise_sd": sd.tolist(),
            "n_init": config["n_init"],
            "hmmlearn_inits": config["hmmlearn_inits"],
            "data_seeds": seeds,
            "threads": 1,
        },
    )
    fit, ceiling, hmm = runs["fit"], runs["truth"], runs["hmmlearn"]

    def summary_columns(rows):
        acc = [r["accuracy"] for r in rows]
        return {
            "min accuracy": min(acc),
            "mean MAP accuracy": float(np.mean([r["map"] for r in rows])),
        }

    bench.add(
        f"statkit ARPHMM(4, 2, n_init={config['n_init']})",
        [r["seconds"] for r in fit],
        quality=float(np.mean([r["accuracy"] for r in fit])),
        columns={
            **summary_columns(fit),
            "max |φ̂−φ|": max(r["phi"] for r in fit),
            "max |σ̂/σ−1|": max(r["sigma"] for r in fit),
            "max |ĉ−c|": max(r["intercept"] for r in fit),
            "EM iterations (best restart)": "/".join(str(r["iterations"]) for r in fit),
        },
        note="fit time; Hungarian-matched states",
    )
    bench.add(
        "true parameters (Bayes ceiling)",
        [r["seconds"] for r in ceiling],
        quality=float(np.mean([r["accuracy"] for r in ceiling])),
        columns=summary_columns(ceiling),
        note="Viterbi decoding time, no fit",
    )
    bench.add(
        f"hmmlearn GaussianHMM(4, scaling), best of {config['hmmlearn_inits']}",
        [r["seconds"] for r in hmm],
        anchor=True,
        quality=float(np.mean([r["accuracy"] for r in hmm])),
        columns=summary_columns(hmm),
        note="no AR part; fit time of all its restarts",
    )

    lines = [
        "Per data seed (Viterbi accuracy; MAP in brackets):",
        "",
        "| seed | statkit fit | true parameters | hmmlearn | fit − truth | max |φ̂−φ| "
        "| max |σ̂/σ−1| | max |ĉ−c| | loglik fit − truth | fit s |",
        "|---" * 10 + "|",
    ]
    for f, t, h in zip(fit, ceiling, hmm, strict=True):
        lines.append(
            f"| {f['seed']} | {f['accuracy']:.4f} ({f['map']:.4f}) | {t['accuracy']:.4f} "
            f"({t['map']:.4f}) | {h['accuracy']:.4f} ({h['map']:.4f}) "
            f"| {f['accuracy'] - t['accuracy']:+.4f} | {f['phi']:.3f} | {f['sigma']:.3f} "
            f"| {f['intercept']:.3f} | {f['loglik_gap']:+.1f} | {f['seconds']:.2f} |"
        )
    fit_acc = [r["accuracy"] for r in fit]
    ceiling_acc = [r["accuracy"] for r in ceiling]
    worst_phi = max(r["phi"] for r in fit)
    worst_sigma = max(r["sigma"] for r in fit)
    lines += [
        "",
        "Targets (spec §6 (a)):",
        "",
        f"- state accuracy ≥ 0.99: **{_verdict(min(fit_acc) >= 0.99)}** (fit: mean "
        f"{np.mean(fit_acc):.4f}, min {min(fit_acc):.4f}). The true parameters reach only "
        f"{np.mean(ceiling_acc):.4f} on average (max {max(ceiling_acc):.4f}) on the same series: "
        f"the target is {'above' if max(ceiling_acc) < 0.99 else 'within'} the Bayes ceiling "
        "of this design. The fit is within "
        f"{max(abs(a - b) for a, b in zip(fit_acc, ceiling_acc, strict=True)):.4f} of the ceiling "
        "on every seed.",
        f"- max |φ̂ − φ| ≤ 0.05: **{_verdict(worst_phi <= 0.05)}** ({worst_phi:.3f}).",
        f"- |σ̂/σ − 1| ≤ 5 %: **{_verdict(worst_sigma <= 0.05)}** ({100 * worst_sigma:.1f} %).",
        "- no-AR baseline: hmmlearn GaussianHMM reaches "
        f"{np.mean([r['accuracy'] for r in hmm]):.4f}.",
    ]
    bench.summary = "\n".join(lines)
    return bench


# --------------------------------------------------------------- labels


def label_accuracy(plausibility, states):
    """Accuracy of the noisy labels on the labelled steps (ties: a random pick among them)."""
    labelled = plausibility.min(axis=1) < 1.0
    if not labelled.any():
        return None, 0.0
    pl = plausibility[labelled]
    top = pl == pl.max(axis=1, keepdims=True)
    hit = top[np.arange(pl.shape[0]), states[labelled]] / top.sum(axis=1)
    return float(hit.mean()), float(labelled.mean())


def make_restarts(n_init, seed, **kwargs):
    """``ARPHMM(3, 1, n_init=n_init, random_state=seed)`` split into its restarts.

    ``n_init`` single-restart estimators sharing one generator: fitted in
    order, they draw the same start values as the restarts of one
    ``n_init``-restart fit with ``random_state=np.random.default_rng(seed)``.
    """
    from statkit.hmm import ARPHMM

    rng = np.random.default_rng(seed)
    return [
        ARPHMM(3, 1, transmat_mask=LEFT_RIGHT, n_init=1, random_state=rng, **kwargs)
        for _ in range(n_init)
    ]


def fit_restarts(models, X, plausibility, attributes=None):
    """Fit the restarts in order; the index of the one ``n_init`` keeps.

    That is the first with the highest final weighted log-likelihood.
    ``attributes`` are set on each model before its fit (for ``init_params``
    that leave some to the user).
    """
    for model in models:
        for name, value in (attributes or {}).items():
            setattr(model, name, np.array(value, copy=True))
        model.fit(X, plausibility=plausibility)
    return int(np.argmax([model.monitor_.history[-1] for model in models]))


def training_series(truth, T, seed):
    """A training series of ``labels_truth`` in which every state covers ≥ MIN_OCCUPANCY of it.

    Series are drawn from ``default_rng([seed, 0, attempt])``, attempt = 0, 1, ...;
    returns the first that qualifies and the number of draws it took.
    """
    for attempt in range(1000):
        X, states = truth.sample(T, random_state=np.random.default_rng([seed, 0, attempt]))
        if np.bincount(states, minlength=3).min() >= MIN_OCCUPANCY * T:
            return X, states, attempt + 1
    raise RuntimeError("no training series visits every state")  # pragma: no cover


def labels(config):
    """``arphmm_labels``: held-out accuracy after training with noisy partial labels."""
    from statkit.hmm import noisy_plausibility

    truth = labels_truth()
    T, n_test, n_init = config["T"], config["n_test"], config["n_init"]
    stay0 = 1 - 3 / T
    diag_transmat = np.diag([stay0, stay0, 1.0])
    diag_transmat[0, 1] = diag_transmat[1, 2] = 1 - stay0
    names = [name for name, _, _ in LABEL_SETTINGS] + [DIAGNOSTIC]
    results = {
        name: {
            "selected": [],
            "restarts": [],
            "train": [],
            "labels": [],
            "labelled": [],
            "seconds": [],
            "loglik_range": [],
            "collapsed": 0,
        }
        for name in names
    }
    ceiling = {"accuracy": [], "seconds": []}
    seeds = [SEED + 1000 + r for r in range(config["replicates"])]
    occupancy, redraws = [], []
    for seed in seeds:
        X, states, attempts = training_series(truth, T, seed)
        occupancy.append(np.bincount(states, minlength=3))
        redraws.append(attempts - 1)
        tests = [
            truth.sample(T, random_state=np.random.default_rng([seed, 1, j])) for j in range(n_test)
        ]
        X_test = np.vstack([x for x, _ in tests])
        s_test = np.concatenate([s for _, s in tests])
        lengths = [T] * n_test
        start = _time.perf_counter()
        ceiling["accuracy"].append(float(np.mean(truth.predict(X_test, lengths) == s_test)))
        ceiling["seconds"].append(_time.perf_counter() - start)
        settings = [*LABEL_SETTINGS, (DIAGNOSTIC, None, None)]
        for m, (name, rho, fraction) in enumerate(settings):
            if rho is None:
                pl = None
            else:
                pl = noisy_plausibility(
                    states,
                    3,
                    error_rate=rho,
                    labelled_fraction=fraction,
                    random_state=np.random.default_rng([seed, 2, m]),
                )
            kwargs, attributes = {}, None
            if name == DIAGNOSTIC:
                kwargs, attributes = {"init_params": "sav"}, {"transmat_": diag_transmat}
            models = make_restarts(n_init, [seed, 3], **kwargs)
            start = _time.perf_counter()
            best = fit_restarts(models, X, pl, attributes)
            seconds = _time.perf_counter() - start
            accuracy = [float(np.mean(mo.predict(X_test, lengths) == s_test)) for mo in models]
            losses = [mo.monitor_.history[-1] for mo in models]
            out = results[name]
            out["selected"].append(accuracy[best])
            out["restarts"].append(accuracy)
            out["train"].append(float(np.mean(models[best].predict(X, plausibility=pl) == states)))
            if pl is not None:
                hit, labelled = label_accuracy(pl, states)
                out["labels"].append(hit)
                out["labelled"].append(labelled)
            out["seconds"].append(seconds)
            out["loglik_range"].append(max(losses) - min(losses))
            out["collapsed"] += sum("floor" in em_remark(mo, X) for mo in models)

    bench = Benchmark(
        "arphmm_labels",
        quality_name="mean held-out accuracy",
        quality_better="higher",
        params={
            "T": T,
            "n_test_series": n_test,
            "ar_order": 1,
            "phi": LABELS_PHI.tolist(),
            "stationary_mean": LABELS_MEAN.tolist(),
            "intercept": (LABELS_MEAN * (1 - LABELS_PHI)).tolist(),
            "noise_sd": LABELS_SD,
            "stay": LABELS_STAY,
            "startprob": [1.0, 0.0, 0.0],
            "transmat_mask": "eye | eye(k=1)",
            "n_init": n_init,
            "replicates": len(seeds),
            "data_seeds": seeds,
            "label_noise_sd": 0.2,
            "min_training_occupancy": MIN_OCCUPANCY,
            "training_redraws_per_replicate": redraws,
            "training_state_occupancy_per_replicate": [o.tolist() for o in occupancy],
            "threads": 1,
        },
    )
    bench.add(
        "true parameters (Bayes ceiling)",
        ceiling["seconds"],
        quality=float(np.mean(ceiling["accuracy"])),
        columns={"min over replicates": min(ceiling["accuracy"])},
        note="decoding time, no fit",
    )
    for name in names:
        out = results[name]
        restarts = np.array(out["restarts"])
        has_labels = bool(out["labels"])
        columns = {
            "min over replicates": min(out["selected"]),
            "worst restart": float(restarts.min()),
            "sd over replicates": float(np.std(out["selected"])),
            "mean sd over restarts": float(restarts.std(axis=1).mean()),
            "train accuracy with pl": float(np.mean(out["train"])),
            "noisy-label accuracy": float(np.mean(out["labels"])) if has_labels else None,
            "labelled share": float(np.mean(out["labelled"])) if has_labels else None,
            "restart loglik range": float(np.mean(out["loglik_range"])),
            "restarts with a state at the variance floor": out["collapsed"],
        }
        bench.add(
            name,
            out["seconds"],
            anchor=name == "unsupervised",
            quality=float(np.mean(out["selected"])),
            columns=columns,
            note="diagnostic: not the default initialisation" if name == DIAGNOSTIC else "",
        )

    unsup = np.mean(results["unsupervised"]["selected"])
    unsup_restart_sd = np.array(results["unsupervised"]["restarts"]).std(axis=1).mean()
    lines = [
        "Held-out accuracy per replicate (selected restart):",
        "",
        "| setting | " + " | ".join(str(s - SEED - 1000) for s in seeds) + " |",
        "|---" * (len(seeds) + 1) + "|",
        "| true parameters | " + " | ".join(f"{a:.3f}" for a in ceiling["accuracy"]) + " |",
    ]
    for name in names:
        lines.append(
            f"| {name} | " + " | ".join(f"{a:.3f}" for a in results[name]["selected"]) + " |"
        )
    lines += ["", f"Targets (spec §6 (b)), against unsupervised (mean {unsup:.3f}):", ""]
    for name in ("ρ=0.2, f=0.1", "ρ=0.5, f=0.1"):
        out = results[name]
        mean = np.mean(out["selected"])
        worst_restart = float(np.min(out["restarts"]))
        worst_rep = min(out["selected"])
        restart_sd = np.array(out["restarts"]).std(axis=1).mean()
        lines.append(
            f"- {name}: ≥ 10 points above unsupervised: **{_verdict(mean - unsup >= 0.10)}** "
            f"({100 * (mean - unsup):+.1f} points, mean {mean:.3f}); worst restart ≥ 0.9: "
            f"**{_verdict(worst_restart >= 0.9)}** ({worst_restart:.3f}; worst replicate "
            f"{worst_rep:.3f}); lower variance across restarts: "
            f"**{_verdict(restart_sd < unsup_restart_sd)}** (mean sd over restarts "
            f"{restart_sd:.4f} vs {unsup_restart_sd:.4f})."
        )
    uninformative = np.mean(results["uninformative (ρ=1, f=1)"]["selected"])
    lines.append(
        f"- uninformative labels no worse than unsupervised: "
        f"**{_verdict(uninformative >= unsup - 1e-9)}** ({uninformative:.3f} vs {unsup:.3f})."
    )
    diag = np.mean(results[DIAGNOSTIC]["selected"])
    lines.append(
        f"- diagnostic: the unsupervised fit started from a slow left-right chain (sojourn T/K) "
        f"reaches {diag:.3f} (default initialisation: {unsup:.3f}; true parameters: "
        f"{np.mean(ceiling['accuracy']):.3f})."
    )
    bench.summary = "\n".join(lines)
    return bench


# --------------------------------------------------------------- speed


def _e_step_pieces(data, params):
    """Callables for the pieces of one E-step and one M-step."""
    from statkit.hmm._em import e_step, m_step
    from statkit.hmm._emissions import RegressionStats, log_emission
    from statkit.hmm._kernels import forward_backward

    log_b = log_emission(data.y, data.design, data.observed, params.coef, params.noise_var)
    smoothed, filtered = np.empty_like(log_b), np.empty_like(log_b)
    n_states = params.startprob.shape[0]
    mask = np.ones((n_states, n_states), dtype=bool)
    stats = e_step(data, params)
    return {
        "log_emission": lambda: log_emission(
            data.y, data.design, data.observed, params.coef, params.noise_var
        ),
        "forward_backward": lambda: forward_backward(
            log_b,
            data.plausibility,
            params.startprob,
            params.transmat,
            data.starts,
            data.ends,
            smoothed,
            filtered,
        ),
        "regression": lambda: RegressionStats.from_posteriors(
            data.y, data.design, data.observed, smoothed
        ),
        "e_step": lambda: e_step(data, params),
        "m_step": lambda: m_step(stats, params, "stav", mask, 1e-6),
        "iteration": lambda: m_step(e_step(data, params), params, "stav", mask, 1e-6),
    }


def _batched(function, calls):
    def run():
        for _ in range(calls):
            function()

    return run


def round_robin(jobs, repeats):
    """Seconds per call of each job, ``repeats`` sweeps over all jobs after a warm-up sweep.

    Interleaving the jobs spreads a burst of load from other processes over
    all of them (one repeat each) instead of every repeat of one job.
    """
    times = {name: [] for name in jobs}
    for sweep in range(repeats + 1):
        for name, job in jobs.items():
            seconds = time_repeats(job, 1, warmup=0)[0]
            if sweep:
                times[name].append(seconds)
    return times


def speed(config, repeats):
    """``arphmm_speed``: the kernel, the E-step's pieces, EM iterations vs hmmlearn."""
    from hmmlearn.hmm import GaussianHMM

    from statkit.hmm import ARPHMM
    from statkit.hmm._input import check_sequences

    truth = recovery_truth()
    T, calls = config["T"], config["kernel_calls"]
    X, _ = truth.sample(T, random_state=SEED)
    data = check_sequences(X, None, None, 4, 2, True)
    params = truth._parameters()
    pieces = _e_step_pieces(data, params)
    bench = Benchmark(
        "arphmm_speed",
        quality_name="steps / s",
        quality_better="higher",
        params={"n_states": 4, "ar_order": 2, "T": T, "threads": 1, "kernel_batch": calls},
    )

    def statkit_fit(n_iter):
        return lambda: ARPHMM(4, 2, n_init=1, tol=0.0, max_iter=n_iter, random_state=0).fit(X)

    def hmmlearn_fit(n_iter):
        def fit():
            GaussianHMM(
                4, implementation="scaling", n_iter=n_iter, tol=-np.inf, random_state=0
            ).fit(X)

        return fit

    labels = {
        "forward_backward": "forward_backward kernel (pl-weighted, with ξ)",
        "log_emission": "log-densities (log_emission)",
        "regression": "regression statistics (RegressionStats)",
        "e_step": "E-step (e_step: all of the above)",
        "m_step": "M-step (m_step)",
        "iteration": "one EM iteration (e_step + m_step)",
    }
    jobs = {key: _batched(pieces[key], calls) for key in labels}
    jobs.update(
        {
            "statkit 1": statkit_fit(1),
            "statkit 100": statkit_fit(100),
            "hmmlearn 1": hmmlearn_fit(1),
            "hmmlearn 100": hmmlearn_fit(100),
        }
    )
    times = round_robin(jobs, repeats)
    for key, label in labels.items():
        per_call = [t / calls for t in times[key]]
        bench.add(label, per_call, quality=T / float(np.median(per_call)), note="one call")
    fb = float(np.median(times["forward_backward"])) / calls
    s_one, s_hundred = times["statkit 1"], times["statkit 100"]
    h_one, h_hundred = times["hmmlearn 1"], times["hmmlearn 100"]
    s_iter = [(b - a) / 99 for a, b in zip(s_one, s_hundred, strict=True)]
    h_iter = [(b - a) / 99 for a, b in zip(h_one, h_hundred, strict=True)]
    iterations = len(statkit_fit_monitor(X)) - 1
    h_check = GaussianHMM(4, implementation="scaling", n_iter=100, tol=-np.inf, random_state=0)
    h_iterations = h_check.fit(X).monitor_.iter
    bench.add(
        "statkit EM iteration, from fits",
        s_iter,
        quality=T / float(np.median(s_iter)),
        note="(fit 100 it − fit 1 it) / 99, paired runs",
    )
    bench.add(
        "hmmlearn GaussianHMM scaling EM iteration, from fits",
        h_iter,
        anchor=True,
        quality=T / float(np.median(h_iter)),
        note="(fit 100 it − fit 1 it) / 99, paired runs; no AR part",
    )
    bench.add(
        "statkit ARPHMM(4, 2, n_init=1, tol=0, max_iter=100).fit",
        s_hundred,
        note=f"full fit incl. k-means start; {iterations} M-steps run",
    )
    bench.add(
        "hmmlearn GaussianHMM(4, scaling, n_iter=100, tol=-inf).fit",
        h_hundred,
        note=f"full fit incl. k-means start; {h_iterations} iterations run",
    )
    bench.add("statkit fit, max_iter=1", s_one, note="start-up cost")
    bench.add("hmmlearn fit, n_iter=1", h_one, note="start-up cost")

    s_med, h_med = float(np.median(s_iter)), float(np.median(h_iter))
    full = float(np.median(s_hundred))
    lines = [
        "Targets (spec §6 (d)), one thread:",
        "",
        f"- forward-backward ≥ 5·10⁶ steps/s at K = 4: **{_verdict(T / fb >= 5e6)}** "
        f"({T / fb:.3g} steps/s, {1e3 * fb:.3f} ms per call at T = {T:,}).",
        f"- full EM, 100 iterations, < 0.5 s: **{_verdict(full < 0.5)}** ({full:.3f} s, "
        "k-means start included).",
        f"- per EM iteration faster than hmmlearn's scaling GaussianHMM: "
        f"**{_verdict(s_med < h_med)}** (statkit {1e3 * s_med:.3f} ms, hmmlearn "
        f"{1e3 * h_med:.3f} ms, ratio {s_med / h_med:.2f}; statkit's iteration also fits "
        "the AR regressions).",
    ]
    bench.summary = "\n".join(lines)
    return bench


def statkit_fit_monitor(X):
    """History of one ``ARPHMM(4, 2, n_init=1, tol=0, max_iter=100)`` fit."""
    from statkit.hmm import ARPHMM

    return ARPHMM(4, 2, n_init=1, tol=0.0, max_iter=100, random_state=0).fit(X).monitor_.history


def _lags(y, order):
    T = y.shape[0]
    return np.column_stack([y[order - j - 1 : T - j - 1] for j in range(order)])


def _statsmodels_start_model(model, params, order):
    """An ARPHMM holding statsmodels ``MarkovRegression`` parameters."""
    from statkit.hmm import ARPHMM

    n_states = model.k_regimes
    names = list(model.param_names)
    value = dict(zip(names, np.asarray(params), strict=True))
    transmat = model.regime_transition_matrix(params)[:, :, 0].T  # [from, to]
    transmat = transmat / transmat.sum(axis=1, keepdims=True)
    eigenvalues, eigenvectors = np.linalg.eig(transmat.T)
    stationary = np.abs(np.real(eigenvectors[:, np.argmin(np.abs(eigenvalues - 1))]))
    arphmm = ARPHMM(n_states, order, n_init=1, init_params="", random_state=0)
    arphmm.startprob_ = stationary / stationary.sum()
    arphmm.transmat_ = transmat
    arphmm.intercept_ = np.array([value[f"const[{k}]"] for k in range(n_states)])
    arphmm.ar_coef_ = np.array(
        [[value[f"x{j + 1}[{k}]"] for j in range(order)] for k in range(n_states)]
    )
    arphmm.noise_var_ = np.array([value[f"sigma2[{k}]"] for k in range(n_states)])
    return arphmm


def em_remark(model, X):
    """How a statkit fit ended: M-steps, convergence, states at the noise-variance floor."""
    history = model.monitor_.history
    steps = len(history) - 1
    text = f"{steps} M-steps"
    if steps >= model.max_iter:
        gain = history[-1] - history[-2] if steps else 0.0
        text += f", stopped at max_iter (last gain {gain:.3g})"
    floor = 1e-6 * float(np.var(np.asarray(X)[model.ar_order :, 0]))
    collapsed = np.flatnonzero(model.noise_var_ <= 1.01 * floor)
    if collapsed.size:
        text += f", state(s) {collapsed.tolist()} at the noise-variance floor"
    return text


def _run_once(function):
    """Seconds, result and the warnings' messages of one call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = _time.perf_counter()
        result = function()
        seconds = _time.perf_counter() - start
    messages = sorted({str(w.message).splitlines()[0][:70] for w in caught})
    return seconds, result, messages


def speed_statsmodels(config, repeats):
    """``arphmm_speed_statsmodels``: MarkovAutoregression and MarkovRegression vs statkit."""
    import statsmodels.api as sm

    from statkit.hmm import ARPHMM

    truth = recovery_truth()
    n_states, order = 4, 2
    bench = Benchmark(
        "arphmm_speed_statsmodels",
        quality_name="state accuracy (matched, smoothed)",
        quality_better="higher",
        params={
            "n_states": n_states,
            "ar_order": order,
            "T_autoregression": config["T_autoregression"],
            "T_regression": config["T_regression"],
            "data_seed": SEED,
            "threads": 1,
        },
    )
    T_full = config["T_autoregression"] or config["T_regression"]
    X_all, s_all = truth.sample(max(T_full, config["T_regression"]), random_state=SEED)
    lines = ["Targets (spec §5, §6 (a)):", ""]

    def statkit_rows(X, states, label_T, anchor_seconds):
        rows = {}
        for n_init in (5, 1):

            def fit(n_init=n_init):
                return ARPHMM(n_states, order, n_init=n_init, random_state=0).fit(X)

            times = time_repeats(fit, repeats)
            model = fit()
            accuracy, _ = matched_accuracy(
                states[order:], model.predict_proba(X).argmax(axis=1)[order:], n_states
            )
            median = float(np.median(times))
            columns = {
                "T": label_T,
                "loglik": float(model.score(X)),
                "anchor s / statkit s": anchor_seconds / median if anchor_seconds else None,
            }
            bench.add(
                f"statkit ARPHMM(4, 2{', n_init=1' if n_init == 1 else ''})",
                times,
                quality=accuracy,
                columns=columns,
                note=f"default settings, n_init={n_init}; median of {len(times)} fits; "
                f"best restart: {em_remark(model, X)}",
            )
            rows[n_init] = median
        return rows

    if config["T_autoregression"]:
        T = config["T_autoregression"]
        X, states = X_all[:T], s_all[:T]
        model = sm.tsa.MarkovAutoregression(
            X[:, 0],
            k_regimes=n_states,
            order=order,
            switching_ar=True,
            switching_variance=True,
        )
        seconds, result, messages = _run_once(lambda: model.fit(**config["fit"]))
        probs = np.asarray(result.smoothed_marginal_probabilities)
        accuracy, _ = matched_accuracy(states[order:], probs.argmax(axis=1), n_states)
        bench.add(
            "statsmodels MarkovAutoregression(k=4, order=2, switching AR and variance)",
            [seconds],
            anchor=True,
            quality=accuracy,
            columns={"T": T, "loglik": float(result.llf)},
            note="run once; Hamilton parametrisation; " + ("; ".join(messages) or "no warning"),
        )
        medians = statkit_rows(X, states, T, seconds)
        lines.append(
            f"- ≥ 50× faster than MarkovAutoregression at T = {T:,}: "
            f"**{_verdict(seconds / medians[5] >= 50)}** (statsmodels {seconds:.1f} s, once; "
            f"statkit default n_init=5 {medians[5]:.3f} s: {seconds / medians[5]:.0f}×; "
            f"n_init=1 {medians[1]:.3f} s: {seconds / medians[1]:.0f}×)."
        )
    else:
        lines.append(
            "- MarkovAutoregression at T = 10,000 was skipped (--quick): the ≥ 50× target is "
            "not checked here."
        )

    T = config["T_regression"]
    X, states = X_all[:T], s_all[:T]
    y = X[:, 0]
    model = sm.tsa.MarkovRegression(
        y[order:], k_regimes=n_states, exog=_lags(y, order), switching_variance=True
    )
    seconds, result, messages = _run_once(lambda: model.fit(**config["fit"]))
    probs = np.asarray(result.smoothed_marginal_probabilities)
    accuracy, _ = matched_accuracy(states[order:], probs.argmax(axis=1), n_states)
    bench.add(
        "statsmodels MarkovRegression(y[p:], k=4, exog=lags, switching variance)",
        [seconds],
        anchor=not config["T_autoregression"],
        quality=accuracy,
        columns={"T": T, "loglik": float(result.llf)},
        note="run once; the exact ARPHMM model; " + ("; ".join(messages) or "no warning"),
    )
    medians = statkit_rows(X, states, T, seconds)

    optimum_model = _statsmodels_start_model(model, result.params, order)
    at_optimum = float(optimum_model.score(X))
    optimum_model.fit(X)
    continued = float(optimum_model.score(X))
    start_model = _statsmodels_start_model(model, model.start_params, order)
    start_loglik = float(start_model.score(X))
    start_model.fit(X)
    accuracy_same, _ = matched_accuracy(
        states[order:], start_model.predict_proba(X).argmax(axis=1)[order:], n_states
    )
    same_start = float(start_model.score(X))
    times = time_repeats(
        lambda: _statsmodels_start_model(model, model.start_params, order).fit(X), repeats
    )
    bench.add(
        "statkit EM from statsmodels' start values",
        times,
        quality=accuracy_same,
        columns={
            "T": T,
            "loglik": same_start,
            "anchor s / statkit s": seconds / float(np.median(times)),
        },
        note=f"init_params=''; {em_remark(start_model, X)}; "
        f"loglik at the start values {start_loglik:.1f}",
    )
    lines.append(
        f"- MarkovRegression (the ARPHMM model) at T = {T:,}: statsmodels {seconds:.1f} s once "
        f"(llf {result.llf:.2f}); statkit default {medians[5]:.3f} s "
        f"({seconds / medians[5]:.0f}×), n_init=1 {medians[1]:.3f} s ({seconds / medians[1]:.0f}×)."
    )
    lines.append(
        f"- log-likelihood at or above statsmodels' from the same start values: "
        f"**{_verdict(same_start >= result.llf - 1e-6)}** (statkit {same_start:.2f} vs "
        f"statsmodels {result.llf:.2f}). The two log-likelihoods are on one scale: statkit's "
        f"score at statsmodels' fitted parameters is {at_optimum:.4f} (llf {result.llf:.4f}); "
        "statkit also learns the start probabilities, statsmodels holds them at the stationary "
        "distribution."
    )
    lines.append(
        f"- statkit's EM continued from statsmodels' fitted parameters: log-likelihood "
        f"{at_optimum:.2f} → {continued:.2f} ({em_remark(optimum_model, X)}; a gain means "
        "statsmodels stopped short of a maximum, unless a state collapsed onto a few steps at "
        "the variance floor, where the likelihood is unbounded)."
    )
    bench.summary = "\n".join(lines)
    return bench


def speed_scaling(config, repeats):
    """``arphmm_speed_scaling``: one EM iteration and the kernel over K × T."""
    from statkit.hmm._input import check_sequences

    bench = Benchmark(
        "arphmm_speed_scaling",
        quality_name="EM iteration steps / s",
        quality_better="higher",
        params={"Ks": list(config["Ks"]), "Ts": list(config["Ts"]), "ar_order": 2, "threads": 1},
    )
    jobs = {}
    for n_states in config["Ks"]:
        truth = scaling_truth(n_states)
        params = truth._parameters()
        X_max, _ = truth.sample(max(config["Ts"]), random_state=SEED + n_states)
        for T in config["Ts"]:
            data = check_sequences(X_max[:T], None, None, n_states, 2, True)
            pieces = _e_step_pieces(data, params)
            calls = max(1, 10_000 // T)
            jobs[n_states, T] = {
                "iteration": _batched(pieces["iteration"], calls),
                "forward_backward": _batched(pieces["forward_backward"], calls),
                "calls": calls,
            }
    # Round-robin: each repeat sweeps the whole grid (after one warm-up sweep), so a burst of
    # load from other processes costs one repeat of many cells, not every repeat of one cell.
    pieces_per_cell = ("iteration", "forward_backward")
    raw = round_robin(
        {(key, piece): job[piece] for key, job in jobs.items() for piece in pieces_per_cell},
        repeats,
    )
    times = {name: [t / jobs[name[0]]["calls"] for t in values] for name, values in raw.items()}
    grid = {}
    for n_states, T in jobs:
        iteration = times[(n_states, T), "iteration"]
        it_med = float(np.median(iteration))
        fb_med = float(np.median(times[(n_states, T), "forward_backward"]))
        grid[n_states, T] = (it_med, fb_med)
        bench.add(
            f"K={n_states}, T={T:,}",
            iteration,
            quality=T / it_med,
            columns={
                "K": n_states,
                "T": T,
                "EM iteration ms": 1e3 * it_med,
                "forward-backward ms": 1e3 * fb_med,
                "forward-backward steps/s": T / fb_med,
                "ns / (step·K²)": 1e9 * fb_med / (T * n_states**2),
            },
        )
    Ts = config["Ts"]
    lines = [
        "EM iteration ms (forward-backward ms):",
        "",
        "| K | " + " | ".join(f"T={T:,}" for T in Ts) + " |",
        "|---" * (len(Ts) + 1) + "|",
    ]
    for n_states in config["Ks"]:
        cells = [f"{1e3 * grid[n_states, T][0]:.3g} ({1e3 * grid[n_states, T][1]:.3g})" for T in Ts]
        lines.append(f"| {n_states} | " + " | ".join(cells) + " |")
    bench.summary = "\n".join(lines)
    return bench


# --------------------------------------------------------------- entry point


def run_sections(config, repeats):
    """Every table for one configuration (``FULL``, ``QUICK`` or ``TINY``), one thread."""
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    import scipy.linalg  # noqa: F401  (load every BLAS before limiting its threads)
    import sklearn.cluster  # noqa: F401
    import statsmodels.api  # noqa: F401
    from threadpoolctl import threadpool_limits

    try:
        import numba

        previous = numba.get_num_threads()
        numba.set_num_threads(1)
    except ImportError:  # pragma: no cover
        numba, previous = None, None
    from benchmarks._harness import git_state

    # statkit is imported once, here: the commit it came from (the JSON's "git" is read when
    # each table is saved, minutes later).
    at_start = git_state()
    tables = []
    try:
        with threadpool_limits(limits=1):
            _warm_up()
            sections = (
                lambda: recovery(config["recovery"]),
                lambda: labels(config["labels"]),
                lambda: speed(config["speed"], repeats),
                lambda: speed_statsmodels(config["statsmodels"], repeats),
                lambda: speed_scaling(config["scaling"], repeats),
                *([cmapss_table, look_ahead_table] if config.get("cmapss", True) else []),
            )
            for section in sections:
                start = _time.perf_counter()
                bench = section()
                bench.params["section seconds"] = round(_time.perf_counter() - start, 1)
                bench.params["git_at_start"] = at_start
                tables.append(bench)
    finally:
        if numba is not None:
            numba.set_num_threads(previous)
    return tables


def run(quick, repeats):
    """All tables; ``repeats`` sets the timing repeats of the speed tables."""
    return run_sections(QUICK if quick else FULL, repeats)
