"""Checks of DPKaplanMeier's privacy proof, shared by the privacy tests and their mutants.

The proof has four parts, and each ``check_*`` function tests one by running
the estimator; each raises AssertionError when its part fails:

* **ledger** — every call of a privacy mechanism during a release is recorded
  (its ε, its sensitivity, its input). Calls of one mechanism object form one
  query; the ε of the queries add up to the estimator's ``epsilon``
  (sequential composition), and ``epsilon_split_`` reports them.
* **sensitivity** — on neighbouring data, with the earlier outputs replayed so
  that both runs ask the same queries, each query's input moves by at most its
  declared sensitivity (L1 over all calls of a noise mechanism; each utility
  for the exponential mechanism).
* **post-processing** — with every mechanism output replayed from D on a
  neighbour D', every released number, and the pickled release itself, is
  identical: nothing else of the data reaches the release.
* **noise law** — the noise actually drawn has the law of the declared ε
  (chi-square on released counts, the noisy patient count and the partition's
  split scores; variance of the tree's leaves).
* **partition loss** — PrivTree's decisions are not protected by an L1
  sensitivity but by the decay of their scores along a path: on each
  neighbour, the privacy loss of the decisions actually taken adds up to at
  most the partition's ε.

``tests/survival/test_dp_privacy_mutants.py`` plants one bug at a time and
asserts that the check guarding against it fails.
"""

import contextlib
import math
import pickle
import sys
import warnings
from dataclasses import dataclass, field
from unittest import mock

import numpy as np
from scipy import stats

from statkit.datasets import load_lung
from statkit.privacy import _mechanisms, _selection
from statkit.survival import DPKaplanMeier, SurvivalCurveDisplay

T_MAX = 1100.0
# PrivTree's noise scale times ε, from its decay ln 4 (beta = 4): (2 beta - 1) / (beta - 1).
PRIVTREE_NOISE = 7 / 3


def lung():
    data = load_lung()
    return data.time.astype(np.float64), data.event.astype(bool)


def neighbours(time, event):
    """name -> (time', event'): lung with one patient removed or added."""
    order = np.argsort(time, kind="stable")
    earliest_death = order[event[order]][0]
    last_at_risk = order[-1]
    out = {}
    for name, drop in (
        ("minus earliest death", earliest_death),
        ("minus last at risk", last_at_risk),
    ):
        keep = np.arange(time.size) != drop
        out[name] = (time[keep], event[keep])
    out["plus censored beyond t_max"] = (np.r_[time, 2000.0], np.r_[event, False])
    out["plus early death"] = (np.r_[time, 1.0], np.r_[event, True])
    return out


# The settings whose privacy is checked: public edges, the default rule with a
# public horizon, the full default rule, the tree at finite ε, and smoothing.
SETTINGS = {
    "public edges": {"t_max": T_MAX, "n_bins": 12},
    "default rule, t_max": {"t_max": T_MAX},
    "default rule": {},
    "tree": {"t_max": T_MAX, "n_bins": 12, "mechanism": "tree"},
    "default rule, tree, tv": {"mechanism": "tree", "smoothing": "tv"},
}


# --------------------------------------------------------------------------- the ledger


@dataclass
class Call:
    mechanism: object  # the mechanism object (one query) or the string "exponential"
    epsilon: float
    sensitivity: float
    value: np.ndarray
    output: object


@dataclass
class Ledger:
    """Mechanism calls in order; with ``replay``, outputs are taken from it instead."""

    replay: list | None = None
    calls: list = field(default_factory=list)

    def _output(self, drawn):
        if self.replay is None:
            return drawn
        return self.replay[len(self.calls)].output

    def queries(self):
        """Calls grouped by query: one group per mechanism object, one per selection."""
        groups = {}
        for i, call in enumerate(self.calls):
            key = id(call.mechanism) if call.mechanism != "exponential" else ("exp", i)
            groups.setdefault(key, []).append(call)
        return list(groups.values())


@contextlib.contextmanager
def recording(replay=None):
    """Record every privacy-mechanism call made inside the block."""
    ledger = Ledger(replay=replay)
    randomise = _mechanisms._Mechanism.randomise
    select = _selection.exponential_mechanism

    def recorded_randomise(self, value, rng, **kwargs):
        drawn = randomise(self, value, rng, **kwargs)
        output = ledger._output(drawn)
        ledger.calls.append(
            Call(self, self.epsilon, self.sensitivity, np.array(value, copy=True), output)
        )
        return output

    def recorded_select(utilities, epsilon, random_state, *, sensitivity=1.0):
        drawn = select(utilities, epsilon, random_state, sensitivity=sensitivity)
        output = ledger._output(drawn)
        ledger.calls.append(
            Call("exponential", epsilon, sensitivity, np.array(utilities, float), output)
        )
        return output

    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(_mechanisms._Mechanism, "randomise", recorded_randomise)
        )
        for module in [m for name, m in sys.modules.items() if name.startswith("statkit")]:
            if getattr(module, "exponential_mechanism", None) is select:
                stack.enter_context(
                    mock.patch.object(module, "exponential_mechanism", recorded_select)
                )
        yield ledger


def _release(params, time, event, epsilon=1.0, seed=0, replay=None):
    with recording(replay) as ledger:
        curve = DPKaplanMeier(epsilon, n_bootstrap=20, random_state=seed, **params).fit(time, event)
    return curve, ledger


def check_ledger(params, epsilon=1.0):
    """The queries' ε add up to ``epsilon`` and match ``epsilon_split_``."""
    time, event = lung()
    curve, ledger = _release(params, time, event, epsilon)
    queries = ledger.queries()
    costs = [query[0].epsilon for query in queries]
    assert all(len({c.epsilon for c in query}) == 1 for query in queries)
    assert math.isclose(math.fsum(costs), epsilon, rel_tol=1e-12), costs
    split = curve.epsilon_split_
    assert math.isclose(math.fsum(split), epsilon, rel_tol=1e-12)
    assert math.isclose(queries[-1][0].epsilon, split.counts, rel_tol=1e-12)
    expected = [s for s in (split.patient_count, split.partition) if s > 0]
    assert [q[0].epsilon for q in queries[:-1]] == expected


def check_grouped_ledger(params=None, epsilon=1.0):
    """fit_grouped on a learned grid: the grid's queries plus one group's counts make ε.

    The grid (noisy count, partition) is computed once on all patients; each
    group's counts are a query of its own on disjoint patients (parallel
    composition), all at the same ε.
    """
    from statkit.survival import fit_grouped

    time, event = lung()
    groups = np.arange(time.size) % 3
    template = DPKaplanMeier(epsilon, n_bootstrap=0, random_state=0, **(params or {}))
    with recording() as ledger:
        curves = fit_grouped(template, time, event, groups=groups, labels=[0, 1, 2])
    costs = [query[0].epsilon for query in ledger.queries()]
    grid, counts = costs[: -len(curves)], costs[-len(curves) :]
    assert len(set(counts)) == 1, counts
    assert math.isclose(math.fsum(grid) + counts[0], epsilon, rel_tol=1e-12), costs
    for curve in curves.values():
        assert math.isclose(curve.counts_epsilon_, counts[0], rel_tol=1e-12)


def check_sensitivity(params, epsilon=1.0):
    """On every neighbour, each query's input moves by at most its sensitivity."""
    time, event = lung()
    _, on_d = _release(params, time, event, epsilon)
    for time2, event2 in neighbours(time, event).values():
        _, on_d2 = _release(params, time2, event2, epsilon, replay=on_d.calls)
        assert len(on_d2.calls) == len(on_d.calls)
        for query, query2 in zip(on_d.queries(), on_d2.queries(), strict=True):
            if isinstance(query[0].mechanism, _mechanisms.LaplaceMechanism):
                continue  # PrivTree: bounded by its decay, see check_partition_loss
            sensitivity = query[0].sensitivity
            if query[0].mechanism == "exponential":
                change = np.abs(query[0].value - query2[0].value).max()
            else:
                change = sum(
                    np.abs(a.value - b.value).sum() for a, b in zip(query, query2, strict=True)
                )
            assert change <= sensitivity, (change, sensitivity)


def released_numbers(curve):
    """Every number a user can read off a release, the display's included."""
    import matplotlib.pyplot as plt

    grid = np.linspace(0, 1.2 * curve.time_edges_[-1], 97)
    display = SurvivalCurveDisplay.from_estimator(curve, at_risk_counts=True)
    numbers = {
        "predict": curve.predict(grid),
        "confidence_interval": curve.confidence_interval(grid),
        "at_risk": curve.at_risk(grid),
        "median": curve.median_survival_time_,
        "display curve": np.asarray(display.survival),
        "display band": np.r_[display.lower, display.upper],
        "display at risk": np.asarray(display.at_risk_counts),
        "pickle": pickle.dumps(curve),
    }
    plt.close(display.figure_)
    return numbers


def check_post_processing(params, epsilon=1.0):
    """Mechanism outputs replayed from D on a neighbour: an identical release."""
    time, event = lung()
    curve, on_d = _release(params, time, event, epsilon)
    reference = released_numbers(curve)
    for name, (time2, event2) in neighbours(time, event).items():
        curve2, _ = _release(params, time2, event2, epsilon, replay=on_d.calls)
        # The bins first: replayed counts on other bins make no consistent release.
        np.testing.assert_array_equal(curve2.time_edges_, curve.time_edges_, err_msg=name)
        for key, value in released_numbers(curve2).items():
            if key == "pickle":
                assert value == reference[key], f"the pickled release differs on {name!r}"
            else:
                np.testing.assert_array_equal(value, reference[key], err_msg=f"{key}, {name}")


def check_no_exact_count_in_pickle():
    """No exact count vector of the data is in a pickled release, in any setting."""
    time, event = lung()
    for params in SETTINGS.values():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            curve = DPKaplanMeier(1.0, random_state=0, **params).fit(time, event)
        curve.confidence_interval([100.0])
        exact = DPKaplanMeier(1.0, time_edges=curve.time_edges_).partial_fit(time, event)
        blob = pickle.dumps(curve)
        for counts in exact.sensitive_counts_.counts:
            for dtype in (np.int64, np.float64):
                assert counts.astype(dtype).tobytes() not in blob
        assert not any(name.startswith("sensitive") for name in vars(curve))


# --------------------------------------------------------------------------- noise laws


def _accumulator(params, epsilon, seed=0):
    time, event = lung()
    return DPKaplanMeier(epsilon, n_bootstrap=0, random_state=seed, **params).partial_fit(
        time, event
    )


def _discrete_laplace_gof(noise, epsilon):
    """Chi-square p-value of integer ``noise`` against discrete Laplace of parameter ε."""
    alpha = math.exp(-epsilon)
    support = np.arange(-12, 13)
    pmf = (1 - alpha) / (1 + alpha) * alpha ** np.abs(support)
    observed = np.array([np.sum(noise == k) for k in support] + [np.sum(np.abs(noise) > 12)])
    expected = np.r_[pmf, 1 - pmf.sum()] * noise.size
    keep = expected >= 5
    observed = np.r_[observed[keep], observed[~keep].sum()]
    expected = np.r_[expected[keep], expected[~keep].sum()]
    if expected[-1] < 1e-9:
        observed, expected = observed[:-1], expected[:-1]
    return stats.chisquare(observed, expected).pvalue


def check_count_noise_law(params, epsilon=1.0, releases=300):
    """Released bin counts minus the exact ones: discrete Laplace at ``counts_epsilon_``."""
    time, event = lung()
    accumulator = _accumulator(params, epsilon)
    noise = []
    for _ in range(releases):
        curve = accumulator.release()
        edges = curve.time_edges_
        exact = DPKaplanMeier(1.0, time_edges=edges).partial_fit(time, event).sensitive_counts_
        noise.append(np.r_[curve.noisy_deaths_, curve.noisy_censored_] - np.r_[exact.counts])
    assert _discrete_laplace_gof(np.concatenate(noise), curve.counts_epsilon_) > 1e-4


def check_patient_count_noise_law(params, epsilon=1.0, releases=600):
    """The noisy patient count minus n: discrete Laplace at ``epsilon_split_.patient_count``."""
    time, _ = lung()
    accumulator = _accumulator(params, epsilon)
    curves = [accumulator.release() for _ in range(releases)]
    noise = np.array([c.noisy_n_patients_ for c in curves]) - time.size
    share = curves[0].epsilon_split_.patient_count
    # The count's scale is 1 / share (about 50 at ε = 1): compare the standardised
    # absolute noise, whose law is known, by the Kolmogorov–Smirnov test.
    alpha = math.exp(-share)
    cdf_abs = np.vectorize(lambda k: 1 - 2 * alpha ** (k + 1) / (1 + alpha))
    observed = np.sort(np.abs(noise))
    empirical = np.arange(1, observed.size + 1) / observed.size
    below = np.r_[0, empirical[:-1]]
    model = cdf_abs(observed)
    distance = max(np.max(np.abs(empirical - model)), np.max(np.abs(below - cdf_abs(observed - 1))))
    assert distance < 1.63 / math.sqrt(observed.size), distance  # KS at the 1% level


def _partition_calls(ledger):
    """The recorded calls of the partition (PrivTree's Laplace split scores)."""
    return [c for c in ledger.calls if isinstance(c.mechanism, _mechanisms.LaplaceMechanism)]


def check_partition_law(epsilon=1.0, releases=200):
    """PrivTree's noisy scores minus its scores: Laplace of scale 7 / (3 ε_partition).

    The scale follows from the decay δ = λ ln 4: ε = (2β - 1) / ((β - 1) λ), β = 4.
    """
    time, event = lung()
    standardised = []
    for seed in range(releases):
        curve, ledger = _release({}, time, event, epsilon, seed=seed)
        # Each release's share depends on its noisy count: standardise per release.
        scale = PRIVTREE_NOISE / curve.epsilon_split_.partition
        standardised += [
            (float(c.output) - float(c.value)) / scale for c in _partition_calls(ledger)
        ]
    assert stats.kstest(standardised, stats.laplace().cdf).pvalue > 1e-4


def check_partition_loss(epsilon=1.0, seeds=20):
    """On every neighbour, the loss of the split decisions taken is at most ε_partition.

    With PrivTree's outputs replayed from D, each decision ``score + noise >
    theta`` is the same on D'; its log-probability under Laplace(λ) noise moves
    from the score on D to the score on D'. The log-likelihood ratio of the tree
    (the sum over its nodes; only one path differs) must stay within the
    partition's ε (Theorem 3.2 of Zhang, Xiao & Xie), whatever the data.
    """
    time, event = lung()
    for seed in range(seeds):
        curve, on_d = _release({}, time, event, epsilon, seed=seed)
        share = curve.epsilon_split_.partition
        law = stats.laplace(scale=PRIVTREE_NOISE / share)
        theta = _theta_of(curve)
        calls = _partition_calls(on_d)
        for name, (time2, event2) in neighbours(time, event).items():
            _, on_d2 = _release({}, time2, event2, epsilon, seed=seed, replay=on_d.calls)
            loss = _tree_log_ratio(calls, _partition_calls(on_d2), theta, law)
            assert abs(loss) <= share * (1 + 1e-9), (name, seed, loss, share)


def check_partition_loss_at_threshold(epsilon=1.0, theta=30.0, seeds=200):
    """The loss bound on adversarial data: a point mass of ``theta + 1`` patients, or ``theta``.

    Every node above the point holds about ``theta`` patients, the count at
    which a decision is most sensitive: without the decay the losses along a
    deep path add up past ε; with it, they stay within ε.
    """
    from statkit.survival import _dp_edges, _dp_grid

    law = stats.laplace(scale=PRIVTREE_NOISE / epsilon)
    cell = _dp_grid.N_FINE // 3
    for seed in range(seeds):
        totals = np.zeros(_dp_grid.N_FINE)
        totals[cell] = theta + 1
        with recording() as on_d:
            _dp_edges.private_partition(totals, epsilon, theta, np.random.default_rng(seed))
        totals[cell] = theta
        with recording(replay=on_d.calls) as on_d2:
            _dp_edges.private_partition(totals, epsilon, theta, np.random.default_rng(seed))
        loss = _tree_log_ratio(on_d.calls, on_d2.calls, theta, law)
        assert abs(loss) <= epsilon * (1 + 1e-9), (seed, loss, epsilon)


def _tree_log_ratio(calls, calls2, theta, law):
    """log P(tree | D) - log P(tree | D'): the privacy loss of the decisions taken.

    Each call is one node: its score on D and on D', and the replayed noisy
    score, whose comparison with ``theta`` is the decision.
    """
    loss = 0.0
    for a, b in zip(calls, calls2, strict=True):
        log_p = law.logsf if float(a.output) > theta else law.logcdf
        loss += log_p(theta - float(a.value)) - log_p(theta - float(b.value))
    return loss


def _theta_of(curve):
    """PrivTree's threshold in a release, from its released noisy count and counts' ε."""
    from statkit.survival import _dp_edges

    n_hat = curve.noisy_n_patients_
    return _dp_edges.LEAF_SCALE * math.sqrt(max(n_hat, 1) / curve.counts_epsilon_)


def check_tree_noise_variance(epsilon=2.0, releases=400):
    """The tree's leaves have the variance of Hay et al.'s estimate at node scale L / ε."""
    from statkit.survival import _dp_noise

    n_bins = 12
    params = {"t_max": T_MAX, "n_bins": n_bins, "mechanism": "tree"}
    accumulator = _accumulator(params, epsilon)
    exact = accumulator.sensitive_counts_.counts.deaths
    noise = np.array([accumulator.release().noisy_deaths_ - exact for _ in range(releases)])
    levels = _dp_noise.tree_levels(n_bins)
    width = 2 ** (levels - 1)
    rows = [np.eye(width)]
    while rows[-1].shape[0] > 1:
        rows.append(rows[-1][0::2] + rows[-1][1::2])
    design = np.vstack(rows)
    alpha = math.exp(-epsilon / levels)
    node_variance = 2 * alpha / (1 - alpha) ** 2
    leaf_variance = node_variance * np.diag(np.linalg.inv(design.T @ design))[:n_bins]
    ratio = noise.var(axis=0).mean() / leaf_variance.mean()
    # 12 leaves x 400 releases: the ratio's standard error is below 0.05.
    assert 0.8 < ratio < 1.25, ratio


# --------------------------------------------------------------------------- bands


def check_band_coverage(studies=30):
    """Nominal 95% bands cover the true curve near 95% (from both sides) and stay narrow."""
    rng = np.random.default_rng(7)
    covered, widths = [], []
    for seed in range(studies):
        true_time = rng.weibull(1.3, 400) * 100
        censor = rng.uniform(0, 250, 400)
        time, event = np.minimum(true_time, censor), true_time <= censor
        grid = np.linspace(5, 200, 40)
        est = DPKaplanMeier(1.0, t_max=200, random_state=seed, n_bootstrap=200).fit(time, event)
        lower, upper = est.confidence_interval(grid)
        truth = np.exp(-((grid / 100) ** 1.3))
        covered.append(np.mean((lower <= truth) & (truth <= upper)))
        widths.append(np.mean(upper - lower))
    coverage = float(np.mean(covered))
    # Each study's 40 points are strongly correlated: the standard error is that of a
    # mean of 30 study-level coverages (about 0.015 here), so 0.90 .. 0.99 is over 3 of them.
    assert 0.90 <= coverage <= 0.99, coverage
    # A Kaplan–Meier band on 400 patients is about 0.1 wide; the private one adds the noise.
    assert np.mean(widths) < 0.2, np.mean(widths)
