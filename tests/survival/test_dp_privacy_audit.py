"""Privacy of DPKaplanMeier, checked exactly and by a black-box audit (CI size).

Neighbouring data sets differ by one patient (add/remove). Three hand-built
neighbours of the NCCTG lung data: without the earliest death, without the last
patient at risk, and with an extra patient censored beyond the last edge.

* Exact: on public edges the release is the vector of death and censoring
  counts plus discrete Laplace noise. The edges and shapes must not depend on
  the data, the exact counts (read from ``_deaths`` / ``_censored``) of
  neighbours must differ by 1 in L1, the noise must have the claimed law, and
  then the log-likelihood ratio of every sampled release is at most ε (and
  attains it). Everything else the estimator outputs must depend on the data
  only through the bin counts.
* Black box: :func:`statkit.privacy.audit_epsilon` on a few thousand full
  releases per side stays at or below ε, while the same audit catches the
  non-private reconstruction of Veeraragavan et al. (``benchmarks/``): the
  audit has power. The 20,000-run audit is in ``python -m benchmarks dp_km``.
"""

import numpy as np
import pytest
from scipy import stats

from benchmarks._paper_dp_km import paper_dp_km
from statkit.datasets import load_lung
from statkit.privacy import GeometricMechanism, audit_epsilon
from statkit.survival import DPKaplanMeier, KaplanMeier

T_MAX = 1100.0
N_BINS = 12
AUDIT_RUNS = 2500


@pytest.fixture(scope="module")
def lung():
    data = load_lung()
    return data.time.astype(np.float64), data.event.astype(bool)


def _neighbours(time, event):
    """name -> (time', event', kind of the changed count, time of the changed patient)."""
    order = np.argsort(time, kind="stable")
    earliest_death = order[event[order]][0]
    last_at_risk = order[-1]
    assert not event[last_at_risk]  # lung's longest follow-up (1022 days) is censored
    out = {}
    for name, drop in (
        ("minus earliest death", earliest_death),
        ("minus last at risk", last_at_risk),
    ):
        keep = np.arange(time.size) != drop
        kind = "deaths" if event[drop] else "censored"
        out[name] = (time[keep], event[keep], kind, time[drop])
    out["plus censored beyond t_max"] = (
        np.r_[time, 2000.0],
        np.r_[event, False],
        "censored",
        2000.0,
    )
    return out


NEIGHBOURS = ["minus earliest death", "minus last at risk", "plus censored beyond t_max"]


def _counts(estimator):
    return np.r_[estimator._deaths, estimator._censored]


def _released(estimator):
    return np.r_[estimator.noisy_deaths_, estimator.noisy_censored_]


# --- exact privacy loss on public edges -------------------------------------------------------


@pytest.mark.parametrize("neighbour", NEIGHBOURS)
@pytest.mark.parametrize("epsilon", [0.1, 0.5, 1.0, 2.0, 10.0])
def test_log_likelihood_ratio_of_released_counts_is_at_most_epsilon(lung, neighbour, epsilon):
    time, event = lung
    time2, event2, kind, when = _neighbours(time, event)[neighbour]
    params = {"t_max": T_MAX, "n_bins": N_BINS, "n_bootstrap": 0}
    on_d = DPKaplanMeier(epsilon, **params, random_state=1).partial_fit(time, event)
    on_d2 = DPKaplanMeier(epsilon, **params, random_state=2).partial_fit(time2, event2)
    on_d.release()
    on_d2.release()

    # The output space is public: same edges, same shapes.
    np.testing.assert_array_equal(on_d.time_edges_, on_d2.time_edges_)
    np.testing.assert_array_equal(on_d.time_edges_, np.linspace(0, T_MAX, N_BINS + 1))
    for name in ("noisy_deaths_", "noisy_censored_", "n_at_risk_", "hazard_"):
        assert getattr(on_d, name).shape == getattr(on_d2, name).shape == (N_BINS,)
    assert on_d.noisy_deaths_.dtype == on_d.noisy_censored_.dtype == np.int64

    # Sensitivity 1: the patient changes one count, the expected one.
    counts, counts2 = _counts(on_d), _counts(on_d2)
    assert counts.sum() == time.size
    assert np.abs(counts - counts2).sum() == 1
    changed = int(np.flatnonzero(counts != counts2)[0])
    bin_of = min(int(np.searchsorted(on_d.time_edges_, when, side="right")) - 1, N_BINS - 1)
    assert changed == bin_of + (N_BINS if kind == "censored" else 0)

    # With public edges the counts get the whole budget.
    assert on_d.counts_epsilon_ == on_d2.counts_epsilon_ == epsilon
    mechanism = GeometricMechanism(on_d.counts_epsilon_)
    releases = []
    for _ in range(400):
        on_d.release()
        releases.append(_released(on_d))
    releases = np.array(releases)
    llr = mechanism.log_pmf(releases, counts) - mechanism.log_pmf(releases, counts2)
    assert llr.max() <= epsilon + 1e-12
    assert llr.min() >= -epsilon - 1e-12
    assert llr.max() == pytest.approx(epsilon, rel=1e-9)  # attained: the bound is tight
    # Only the changed count matters: ±ε by the side of it the release falls on.
    sign = np.sign(counts[changed] - counts2[changed])
    side = sign * (releases[:, changed] - counts[changed]) >= 0
    np.testing.assert_allclose(llr, np.where(side, epsilon, -epsilon), rtol=1e-9)


@pytest.mark.parametrize("epsilon", [0.5, 2.0])
def test_released_noise_is_discrete_laplace_of_the_claimed_scale(lung, epsilon):
    # The exact bound above holds only if the noise really has scale 1 / counts_epsilon_.
    time, event = lung
    estimator = DPKaplanMeier(
        epsilon, t_max=T_MAX, n_bins=N_BINS, n_bootstrap=0, random_state=3
    ).partial_fit(time, event)
    noise = []
    for _ in range(500):
        estimator.release()
        noise.append(_released(estimator) - _counts(estimator))
    noise = np.concatenate(noise)
    alpha = np.exp(-estimator.counts_epsilon_)
    support = np.arange(-6, 7)
    pmf = (1 - alpha) / (1 + alpha) * alpha ** np.abs(support)
    observed = np.array([np.sum(noise == k) for k in support] + [np.sum(np.abs(noise) > 6)])
    expected = np.r_[pmf, 1 - pmf.sum()] * noise.size
    keep = expected >= 5
    observed = np.r_[observed[keep], observed[~keep].sum()]
    expected = np.r_[expected[keep], expected[~keep].sum()]
    if expected[-1] == 0:
        observed, expected = observed[:-1], expected[:-1]
    assert stats.chisquare(observed, expected).pvalue > 1e-4


def test_outputs_depend_on_the_data_only_through_the_bin_counts(lung):
    # Move every time inside its bin: the counts, hence every output, are unchanged.
    time, event = lung
    params = {"t_max": T_MAX, "n_bins": N_BINS, "n_bootstrap": 50}
    edges = np.linspace(0, T_MAX, N_BINS + 1)
    index = np.minimum(np.searchsorted(edges, time, side="right") - 1, N_BINS - 1)
    moved = np.where(time <= T_MAX, (edges[index] + edges[index + 1]) / 2, T_MAX + 1)
    first = DPKaplanMeier(1.0, **params, random_state=4).fit(time, event)
    second = DPKaplanMeier(1.0, **params, random_state=4).fit(moved, event)
    np.testing.assert_array_equal(_counts(first), _counts(second))
    grid = np.linspace(0, 1200, 97)
    np.testing.assert_array_equal(first.predict(grid), second.predict(grid))
    np.testing.assert_array_equal(first.confidence_interval(grid), second.confidence_interval(grid))
    for name in ("noisy_deaths_", "noisy_censored_", "n_at_risk_", "hazard_"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert first.median_survival_time_ == second.median_survival_time_


def test_same_seed_noise_is_data_independent(lung):
    # Coupled releases on neighbours differ exactly by the change of the exact counts.
    time, event = lung
    params = {"t_max": T_MAX, "n_bins": N_BINS, "n_bootstrap": 0, "random_state": 5}
    for time2, event2, _, _ in _neighbours(time, event).values():
        on_d = DPKaplanMeier(1.0, **params).fit(time, event)
        on_d2 = DPKaplanMeier(1.0, **params).fit(time2, event2)
        np.testing.assert_array_equal(
            _released(on_d) - _released(on_d2), _counts(on_d) - _counts(on_d2)
        )


# --- black-box audit ----------------------------------------------------------------------------


def _audit_scores(time, event, epsilon, seed, reference, grid, weights):
    """Two scores of AUDIT_RUNS full releases (private bin count, noise, post-processing).

    The noisy count of the bin of the earliest death, minus D's exact count in
    that bin (the bins move between releases, their number being private), and
    the linear statistic ``weights @ S(grid)``.
    """
    estimator = DPKaplanMeier(
        epsilon, t_max=T_MAX, n_bootstrap=0, random_state=np.random.default_rng(seed)
    ).partial_fit(time, event)
    ref_time, ref_event = reference
    earliest = ref_time[ref_event].min()
    cell_scores, linear = np.empty(AUDIT_RUNS), np.empty(AUDIT_RUNS)
    for r in range(AUDIT_RUNS):
        estimator.release()
        edges = estimator.time_edges_
        cell = int(np.searchsorted(edges, earliest, side="right")) - 1
        in_cell = (ref_time >= edges[cell]) & (ref_time < edges[cell + 1]) & ref_event
        cell_scores[r] = estimator.noisy_deaths_[cell] - in_cell.sum()
        linear[r] = weights @ estimator.predict(grid)
    return cell_scores, linear


@pytest.mark.slow
@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_black_box_audit_stays_below_epsilon(lung, epsilon):
    time, event = lung
    time2, event2, _, _ = _neighbours(time, event)["minus earliest death"]
    grid = np.unique(time[event])
    weights = KaplanMeier().fit(time, event).at_risk(grid)
    on_d = _audit_scores(time, event, epsilon, 10, lung, grid, weights)
    on_d2 = _audit_scores(time2, event2, epsilon, 11, lung, grid, weights)
    cell = audit_epsilon(on_d[0], on_d2[0], random_state=0)
    linear = audit_epsilon(on_d[1], on_d2[1], random_state=0)
    assert cell.epsilon_lower_bound <= epsilon
    assert linear.epsilon_lower_bound <= epsilon
    # The cell score is the optimal test here: the audit is not vacuous.
    assert cell.epsilon_lower_bound >= 0.5 * epsilon


@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_black_box_audit_catches_the_paper_reconstruction(lung, epsilon):
    # Negative control: variant A (ε on every point, noise scaled to the local risk set).
    time, event = lung
    time2, event2, _, _ = _neighbours(time, event)["minus earliest death"]
    grid = np.unique(time[event])  # a fixed grid, so both sides release the same points
    weights = KaplanMeier().fit(time, event).at_risk(grid)
    scores = [
        paper_dp_km(
            t, e, epsilon, variant="A", grid=grid, n_repeats=AUDIT_RUNS, random_state=seed
        ).predict(grid)
        @ weights
        for seed, (t, e) in enumerate([(time, event), (time2, event2)])
    ]
    result = audit_epsilon(*scores, random_state=0)
    assert result.epsilon_lower_bound > epsilon
    if epsilon == 1.0:
        assert result.epsilon_lower_bound > 2.0  # a violation well beyond the claim
