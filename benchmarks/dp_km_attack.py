"""Membership inference against the DP Kaplan–Meier curve: a LiRA-style attack on lung.

``python -m benchmarks dp_km_attack [--quick]`` writes ``results/dp_km_attack.{json,md}``
and, without ``--quick``, the figure ``docs/user_guide/images/dp_km_attack.png``.

Protocol
--------
Data
    lung (:func:`statkit.datasets.load_lung`: 228 patients, 165 deaths, ``time``
    and ``event``). Every released curve is read on the same **public** grid
    ``np.linspace(0, 1100, 111)`` (lung's distinct event times are not public),
    for every method, the paper reconstruction included (its ``grid=``).

Game, per patient ``i``
    All 228 patients (``--quick``: a public random subsample of 64, drawn with
    the seed). ``D`` is all of lung, ``D∖i`` is lung without patient ``i``. The
    challenger releases either ``M(D)`` (``i`` is a *member*) or ``M(D∖i)``
    (a *non-member*). The attacker knows everything but which one, as in the
    threat model of differential privacy (add/remove one patient).

Attack (likelihood ratio with shadow releases, after LiRA)
    The attacker draws ``n_shadow`` releases of ``M(D)`` and of ``M(D∖i)``
    (fresh noise each; 64 per side, 16 with ``--quick``) and projects every
    curve ``S`` (survival on the grid) onto ``w = mean_in - mean_out`` (the
    means of the shadow curves): ``s = w · S``. It fits a Gaussian to the
    projected shadow scores of each side and scores a release by
    ``log N(s; μ_in, σ_in) - log N(s; μ_out, σ_out)``. When a side's ``σ`` is 0
    (a deterministic release: the non-private curve, or a DP release whose
    discrete noise was zero in every shadow) the likelihood ratio is
    degenerate, and the score is the projection itself, centred and scaled so
    that it is comparable across patients:
    ``(s - (μ_in + μ_out) / 2) / |μ_in - μ_out|`` (+1/2 on ``M(D)``'s mean,
    -1/2 on ``M(D∖i)``'s; 0 for every release when ``w = 0``). The number of
    patients scored this way is in each row's note.

    A second attack ("whitened", columns suffixed ``(whitened)``) scores the
    *same* releases with the direction divided point by point by the pooled
    shadow variance plus ``RIDGE = 1e-8``: ``w_j = (mean_in - mean_out)_j /
    ((var_in + var_out)_j / 2 + RIDGE)`` (diagonal LDA), and otherwise the same
    likelihood ratio. The plain difference of means is dominated by the
    late grid points, where the curves are noisiest and one patient changes
    them least; whitening weighs each point by its signal-to-noise ratio. It
    costs no extra release, and it is the attack that catches the
    reconstruction (the mean-difference attack does not, at any ε here).

Evaluation
    On fresh target releases, independent of the shadows: 100 of ``M(D)`` and
    100 of ``M(D∖i)`` per patient (20 with ``--quick``). The scores are pooled
    over patients: member scores against non-member scores. Reported: the AUC
    (:func:`sklearn.metrics.roc_auc_score`); the TPR at FPR = 1%, read off
    :func:`sklearn.metrics.roc_curve` (``drop_intermediate=False``) at the
    operating point with the highest TPR among those with measured FPR ≤ 1%,
    the lowest FPR among ties (a plain threshold on the score, no
    interpolation: ties and discrete scores can leave the measured FPR below
    1%, which only makes the TPR smaller); the measured FPR of that point;
    one-sided 95% Clopper–Pearson bounds (:mod:`scipy.stats.beta`): a *lower*
    bound on the TPR and an *upper* bound on the FPR.

Why pooling is valid
    Given the shadows (drawn independently of the targets), the score of
    patient ``i`` is a fixed function of the release, so "score > τ" is a test
    between ``M(D)`` and ``M(D∖i)``, which are neighbours: ε-DP gives
    ``TPR_i(τ) ≤ e^ε · FPR_i(τ)`` for every patient and threshold. The pooled
    TPR and FPR at a common threshold are averages of the ``TPR_i`` and
    ``FPR_i`` (each patient has the same number of targets per side), so
    ``TPR ≤ e^ε · FPR`` holds for the pool too. (The threshold is chosen on
    the non-member scores it is evaluated on; with 22,800 of them the
    selection effect is far below the binomial error.)

Verdict
    For a DP method: **PASS** when the 95% CP lower bound of the TPR does not
    exceed ``e^ε`` times the 95% CP upper bound of the measured FPR (the
    column "bound e^ε·FPR_upper"), **FAIL** otherwise. For the reconstruction
    of Veeraragavan et al. (``benchmarks/_paper_dp_km.py``, variant A: ε per
    grid point, noise scaled by the local sensitivity ``1/n_at_risk``; NOT
    DP): **"exceeds the ε-DP bound"** under the same comparison, otherwise
    "within the bound (not caught)"; it is the negative control, expected to
    be caught at least at some ε. The non-private curve has ε = ∞ and no bound.
    Each attack has its own verdict. For ε ≥ 5, ``e^ε · 1% > 1``: the bound
    cannot be exceeded at FPR = 1%, and these rows test nothing (they show
    how much the curve leaks in practice).

Methods (one row per method × ε, ε in {0.5, 1, 2, 5, 10})
    * ``DPKaplanMeier(ε, t_max=1100, n_bootstrap=0)``: the public horizon.
      The exact counts are taken once per data set (``partial_fit`` on an
      estimator seeded with ``np.random.default_rng(seed)``); each
      ``release()`` draws fresh noise.
    * ``DPKaplanMeier(ε, n_bootstrap=0)``: the default rule (no horizon; the
      edges are learned privately, out of ε, in every release; a small-data
      UserWarning, if any, is silenced and counted in the note). Exact counts
      and releases as above.
    * ``KaplanMeier`` (not private, deterministic; one row, ε = ∞): expected to
      be caught with TPR ≈ 1 at FPR = 1%.
    * the paper reconstruction, variant A (NOT DP), at the same ε.

Seeds: every (method, ε, patient, side) has its own stream,
``np.random.default_rng([SEED, method, ε index, patient, side])``; the quick
subsample comes from ``np.random.default_rng(SEED)``. A run is reproducible.

Cost: 228 patients × 2 sides × (64 + 100) releases ≈ 75,000 releases per DP
row; a release takes about 1.2 ms with ``t_max`` and 1.7 ms (ε = 0.5) to
4 ms (ε = 10) with the default rule (which chooses its partition in every
release). The rows run one after another on one core, and the two attacks
share the releases: a full run took 17 minutes on a 2-core machine (the
five default-rule rows 11 of them; 27 minutes with another job on the other
core); ``--quick`` about a minute.
"""

import time as _time
import warnings
from pathlib import Path

import numpy as np

from benchmarks._harness import ROOT, Benchmark
from benchmarks._paper_dp_km import paper_dp_km

DESCRIPTION = "DP Kaplan–Meier: LiRA membership inference on lung (TPR at FPR=1% vs e^ε)"

SEED = 20241207
EPSILONS = (0.5, 1.0, 2.0, 5.0, 10.0)
T_MAX = 1100.0
GRID = np.linspace(0.0, T_MAX, 111)
FPR_TARGET = 0.01
CONFIDENCE = 0.95
FULL = {"n_patients": None, "n_shadow": 64, "n_target": 100}
QUICK = {"n_patients": 64, "n_shadow": 16, "n_target": 20}
FIGURE = ROOT / "docs" / "user_guide" / "images" / "dp_km_attack.png"
# The attacks, scored on the same releases: name -> whether the direction is whitened.
MEAN_DIFFERENCE, WHITENED = "mean difference", "whitened"
ATTACKS = {MEAN_DIFFERENCE: False, WHITENED: True}
# Added to the pooled per-point shadow variance of the whitened direction (sd 1e-4).
RIDGE = 1e-8

T_MAX_LABEL = f"DPKaplanMeier, public t_max={T_MAX:g}"
DEFAULT_LABEL = "DPKaplanMeier, default rule (no horizon)"
KM_LABEL = "KaplanMeier (not private)"
PAPER_LABEL = "paper reconstruction A (NOT DP)"
# label -> (DP status, whether it has a row per ε)
METHODS = {
    T_MAX_LABEL: ("yes", True),
    DEFAULT_LABEL: ("yes", True),
    KM_LABEL: ("no (ε = ∞)", False),
    PAPER_LABEL: ("NOT DP", True),
}


# ---------------------------------------------------------------------------- data


def load_data():
    """lung as (time float64, event bool)."""
    from statkit.datasets import load_lung

    lung = load_lung()
    return np.asarray(lung.time, dtype=np.float64), np.asarray(lung.event).astype(bool)


def attacked_patients(n_total, n_patients, seed=SEED):
    """The attacked patients: all of them, or a public random subsample (sorted)."""
    if n_patients is None or n_patients >= n_total:
        return np.arange(n_total)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_total, size=n_patients, replace=False))


# ---------------------------------------------------------------------- mechanisms


class Releases:
    """Draws releases of one method on one data set, read on ``grid``.

    ``draw(time, event, n, rng)`` returns ``n`` released curves, shape
    ``(n, grid.size)``; ``warnings`` counts the UserWarnings silenced.
    """

    def __init__(self, label, epsilon, grid=GRID):
        self.label, self.epsilon, self.grid = label, epsilon, grid
        self.warnings = 0

    def draw(self, time, event, n, rng):
        if self.label == KM_LABEL:
            from statkit.survival import KaplanMeier

            curve = KaplanMeier().fit(time, event).predict(self.grid)
            return np.repeat(curve[None, :], n, axis=0)
        if self.label == PAPER_LABEL:
            release = paper_dp_km(
                time,
                event,
                self.epsilon,
                variant="A",
                grid=self.grid,
                n_repeats=n,
                random_state=rng,
            )
            return release.predict(self.grid)
        from statkit.survival import DPKaplanMeier

        params = {"t_max": T_MAX} if self.label == T_MAX_LABEL else {}
        curves = np.empty((n, self.grid.size))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            accumulator = DPKaplanMeier(
                self.epsilon, n_bootstrap=0, random_state=rng, **params
            ).partial_fit(time, event)
            for r in range(n):
                curves[r] = accumulator.release().predict(self.grid)
        self.warnings += sum(issubclass(w.category, UserWarning) for w in caught)
        return curves


# -------------------------------------------------------------------------- attack


def direction(shadow_in, shadow_out, whiten=False):
    """The projection direction from the shadow curves (rows are releases).

    ``mean_in - mean_out``; with ``whiten``, divided coordinate-wise by the
    pooled shadow variance plus :data:`RIDGE` (the diagonal LDA direction).
    """
    w = shadow_in.mean(axis=0) - shadow_out.mean(axis=0)
    if whiten:
        pooled = 0.5 * (shadow_in.var(axis=0, ddof=1) + shadow_out.var(axis=0, ddof=1))
        w = w / (pooled + RIDGE)
    return w


def lira_scores(shadow_in, shadow_out, targets, whiten=False):
    """LiRA scores of the ``targets`` curves from the shadow curves of each side.

    Projects every curve on :func:`direction` and returns
    ``log N(s; μ_in, σ_in) - log N(s; μ_out, σ_out)`` for each target, or,
    when a side's σ is 0, the centred projection
    ``(s - (μ_in + μ_out) / 2) / |μ_in - μ_out|`` (0 when the means agree).

    Returns
    -------
    scores : ndarray of shape (n_targets,)
    degenerate : bool
        Whether the centred projection replaced the likelihood ratio.
    """
    from scipy.stats import norm

    w = direction(shadow_in, shadow_out, whiten)
    s_in, s_out, s = shadow_in @ w, shadow_out @ w, targets @ w
    mu_in, mu_out = s_in.mean(), s_out.mean()
    sd_in, sd_out = s_in.std(ddof=1), s_out.std(ddof=1)
    gap = abs(mu_in - mu_out)
    if min(sd_in, sd_out) <= 1e-12 * max(gap, 1e-300):
        if gap == 0:
            return np.zeros(s.shape), True
        return (s - (mu_in + mu_out) / 2) / gap, True
    return norm.logpdf(s, mu_in, sd_in) - norm.logpdf(s, mu_out, sd_out), False


def attack(releases, time, event, patients, n_shadow, n_target, seed):
    """Play the game for each patient; pooled member and non-member scores per attack.

    ``seed`` is a sequence of ints (e.g. ``[SEED, method, ε index]``); patient
    ``i`` and side ``s`` (0 = member, 1 = non-member) draw from
    ``np.random.default_rng([*seed, i, s])``. Both attacks of :data:`ATTACKS`
    score the same releases.

    Returns
    -------
    results : dict
        Attack name -> ``(members, non_members, n_degenerate)``: the pooled
        scores, each of shape ``(len(patients) * n_target,)``, and the number
        of patients scored by the centred projection instead of the
        likelihood ratio.
    """
    scores = {name: ([], [], 0) for name in ATTACKS}
    for i in patients:
        keep = np.ones(time.size, dtype=bool)
        keep[i] = False
        curves = {}
        for side, (t, e) in enumerate(((time, event), (time[keep], event[keep]))):
            rng = np.random.default_rng([*seed, int(i), side])
            curves[side] = releases.draw(t, e, n_shadow + n_target, rng)
        shadow_in, target_in = curves[0][:n_shadow], curves[0][n_shadow:]
        shadow_out, target_out = curves[1][:n_shadow], curves[1][n_shadow:]
        targets = np.r_[target_in, target_out]
        for name, whiten in ATTACKS.items():
            values, degenerate = lira_scores(shadow_in, shadow_out, targets, whiten)
            members, non_members, n_degenerate = scores[name]
            members.append(values[:n_target])
            non_members.append(values[n_target:])
            scores[name] = (members, non_members, n_degenerate + degenerate)
    return {
        name: (np.concatenate(members), np.concatenate(non_members), n_degenerate)
        for name, (members, non_members, n_degenerate) in scores.items()
    }


def clopper_pearson(successes, trials, confidence=CONFIDENCE):
    """One-sided Clopper–Pearson (lower, upper) bounds, each at ``confidence``.

    Each is an end of the two-sided interval at ``2 confidence - 1``.
    """
    from statsmodels.stats.proportion import proportion_confint

    alpha = 2 * (1.0 - confidence)
    lower, upper = proportion_confint(int(successes), int(trials), alpha=alpha, method="beta")
    return float(lower), float(upper)


def attack_metrics(members, non_members, epsilon=None, fpr_target=FPR_TARGET):
    """AUC, the best TPR at a measured FPR ≤ ``fpr_target``, CP bounds, DP bound.

    Returns a dict with ``auc``, ``tpr``, ``fpr``, ``tpr_lower`` (CP lower bound),
    ``fpr_upper`` (CP upper bound), ``bound`` (``e^ε · fpr_upper``; inf without
    ε) and ``within`` (``tpr_lower <= bound``).
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    labels = np.r_[np.ones(members.size), np.zeros(non_members.size)]
    scores = np.r_[members, non_members]
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    # The operating points with FPR <= target (fpr[0] = 0 always qualifies): the highest
    # TPR, and of those the lowest FPR (when the TPR is flat, e.g. already 1).
    allowed = np.flatnonzero(fpr <= fpr_target)
    best = allowed[tpr[allowed] == tpr[allowed].max()]
    point = best[np.argmin(fpr[best])]
    true_positives = round(tpr[point] * members.size)
    false_positives = round(fpr[point] * non_members.size)
    tpr_lower, _ = clopper_pearson(true_positives, members.size)
    _, fpr_upper = clopper_pearson(false_positives, non_members.size)
    bound = np.inf if epsilon is None else float(np.exp(epsilon) * fpr_upper)
    return {
        "auc": float(roc_auc_score(labels, scores)),
        "tpr": true_positives / members.size,
        "fpr": false_positives / non_members.size,
        "tpr_lower": tpr_lower,
        "fpr_upper": fpr_upper,
        "bound": bound,
        "within": tpr_lower <= bound,
    }


def verdict(private, within, epsilon):
    """The verdict of one row (see the module docstring)."""
    if epsilon is None:
        return "not private (no bound)"
    if private == "yes":
        return "PASS" if within else "FAIL"
    return "within the bound (not caught)" if within else "exceeds the ε-DP bound"


# --------------------------------------------------------------------------- tables


def _pivot(table, attack):
    lines = [
        f"TPR at FPR = 1% / AUC, {attack} attack:",
        "",
        "| method | " + " | ".join(f"ε={eps:g}" for eps in EPSILONS) + " | ε=∞ |",
        "|---|" + "---|" * (len(EPSILONS) + 1),
    ]
    for label in METHODS:
        cells = []
        for eps in [*EPSILONS, None]:
            result = table.get((label, eps, attack))
            cells.append("" if result is None else f"{result['tpr']:.3f} / {result['auc']:.3f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure(table, path=FIGURE):
    """TPR at FPR = 1% against ε (log y) per method and attack, with the line e^ε·1%."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    floor = 1e-3
    eps = np.array(EPSILONS)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    dense = np.geomspace(eps.min(), eps.max(), 200)
    ax.plot(
        dense,
        np.minimum(np.exp(dense) * FPR_TARGET, 1.0),
        "k-",
        lw=2.5,
        alpha=0.35,
        label="ε-DP bound e^ε·1% (capped at 1)",
    )
    styles = {MEAN_DIFFERENCE: "-", WHITENED: "--"}
    for label, color, marker in (
        (T_MAX_LABEL, "tab:blue", "o"),
        (DEFAULT_LABEL, "tab:green", "s"),
        (PAPER_LABEL, "tab:orange", "^"),
    ):
        for attack, style in styles.items():
            values = [max(table[label, e, attack]["tpr"], floor) for e in EPSILONS]
            ax.plot(
                eps, values, style, color=color, marker=marker, ms=4, label=f"{label}, {attack}"
            )
    if (KM_LABEL, None, MEAN_DIFFERENCE) in table:
        tpr = max(table[KM_LABEL, None, MEAN_DIFFERENCE]["tpr"], floor)
        ax.axhline(tpr, color="tab:red", ls=":", label=f"{KM_LABEL} (ε = ∞)")
    ax.axhline(FPR_TARGET, color="grey", lw=0.8, label="FPR = 1% (chance)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(eps, [f"{e:g}" for e in eps])
    ax.minorticks_off()
    ax.set_ylim(floor * 0.8, 1.5)
    ax.set_xlabel("ε")
    ax.set_ylabel("TPR at FPR = 1%")
    ax.set_title("LiRA membership inference on lung, pooled over patients", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run(quick, repeats):
    """The attack table; ``repeats`` is unused (each row is one seeded run)."""
    config = QUICK if quick else FULL
    time, event = load_data()
    patients = attacked_patients(time.size, config["n_patients"])
    n_shadow, n_target = config["n_shadow"], config["n_target"]
    bench = Benchmark(
        "dp_km_attack",
        quality_name="TPR at FPR=1%",
        quality_better="≤ e^ε·FPR for DP",
        params={
            "data": "lung",
            "n_patients": int(time.size),
            "n_attacked": int(patients.size),
            "n_shadow_per_side": n_shadow,
            "n_target_per_side": n_target,
            "grid": "np.linspace(0, 1100, 111)",
            "t_max": T_MAX,
            "epsilons": list(EPSILONS),
            "attacks": list(ATTACKS),
            "whitening_ridge": RIDGE,
            "fpr_target": FPR_TARGET,
            "confidence": CONFIDENCE,
            "seed": SEED,
            "quick": bool(quick),
        },
    )
    table = {}
    for m, (label, (private, per_epsilon)) in enumerate(METHODS.items()):
        for k, eps in enumerate(EPSILONS if per_epsilon else [None]):
            releases = Releases(label, eps)
            start = _time.perf_counter()
            scores = attack(releases, time, event, patients, n_shadow, n_target, [SEED, m, k])
            seconds = _time.perf_counter() - start
            columns = {"epsilon": "∞" if eps is None else float(eps), "DP": private}
            notes = []
            for name, (members, non_members, n_degenerate) in scores.items():
                result = attack_metrics(members, non_members, eps)
                table[label, eps, name] = result
                tag = "" if name == MEAN_DIFFERENCE else f" ({name})"
                columns[f"AUC{tag}"] = result["auc"]
                columns[f"TPR{tag}"] = result["tpr"]
                columns[f"TPR CP 95% lower{tag}"] = result["tpr_lower"]
                columns[f"FPR measured{tag}"] = result["fpr"]
                if name == MEAN_DIFFERENCE:
                    columns["FPR CP 95% upper"] = result["fpr_upper"]
                columns[f"bound e^ε·FPR_upper{tag}"] = "" if eps is None else result["bound"]
                columns[f"verdict{tag}"] = verdict(private, result["within"], eps)
                if n_degenerate:
                    notes.append(
                        f"σ = 0 ({name}): centred projection for "
                        f"{n_degenerate}/{patients.size} patients"
                    )
            if releases.warnings:
                notes.append(f"{releases.warnings} UserWarnings silenced")
            bench.add(
                label,
                [seconds],
                quality=table[label, eps, MEAN_DIFFERENCE]["tpr"],
                note="; ".join(notes),
                columns=columns,
            )
            summary = ", ".join(
                f"{name}: TPR {table[label, eps, name]['tpr']:.4f} "
                f"AUC {table[label, eps, name]['auc']:.4f}"
                for name in ATTACKS
            )
            print(f"{label}, ε={eps}: {summary} ({seconds:.0f} s)", flush=True)
    bench.summary = "\n\n".join(
        [
            *(_pivot(table, name) for name in ATTACKS),
            "e^ε·1% = "
            + ", ".join(f"{np.exp(eps) * FPR_TARGET:.3g} (ε={eps:g})" for eps in EPSILONS)
            + f". {patients.size} patients attacked, {n_shadow} shadow and {n_target} target "
            "releases per side and patient; scores pooled over patients "
            f"({patients.size * n_target} per side). Columns without a suffix: the "
            "mean-difference direction; '(whitened)': the same releases, direction divided by "
            "the pooled per-point shadow variance. Verdict: the one-sided 95% Clopper–Pearson "
            "lower bound of the TPR against e^ε × the 95% CP upper bound of the measured FPR. "
            "'median s' is the time of the whole row (both attacks).",
        ]
    )
    if not quick:
        bench.params["figure"] = str(figure(table).relative_to(ROOT))
    return bench
