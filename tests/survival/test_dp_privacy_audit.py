"""Privacy of DPKaplanMeier: the proof's parts checked on every setting, and a black-box audit.

The checks live in ``privacy_checks.py`` (ledger, sensitivity, post-processing,
noise laws; see its docstring) and are shown to fail on planted bugs in
``test_dp_privacy_mutants.py``. The black-box audit runs
:func:`statkit.privacy.audit_epsilon` on full releases of two neighbours; it
stays at or below ε, while the same audit catches the non-private
reconstruction of Veeraragavan et al. (``benchmarks/``). The 20,000-run audit
is in ``python -m benchmarks dp_km``.
"""

import numpy as np
import pytest

from benchmarks._paper_dp_km import paper_dp_km
from statkit.privacy import PrivacyAccountant, audit_epsilon
from statkit.survival import DPKaplanMeier, KaplanMeier, fit_grouped
from tests.survival import privacy_checks as checks

T_MAX = checks.T_MAX
AUDIT_RUNS = 2500
SETTINGS = list(checks.SETTINGS)


@pytest.fixture(scope="module")
def lung():
    return checks.lung()


def _neighbours(time, event):
    return checks.neighbours(time, event)


# --- the proof, part by part ----------------------------------------------------------------


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("epsilon", [0.5, 2.0])
def test_queries_spend_exactly_epsilon(setting, epsilon):
    checks.check_ledger(checks.SETTINGS[setting], epsilon)


@pytest.mark.parametrize("setting", SETTINGS)
def test_each_query_has_its_declared_sensitivity(setting):
    checks.check_sensitivity(checks.SETTINGS[setting])


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_released_number_is_post_processing(setting):
    checks.check_post_processing(checks.SETTINGS[setting])


@pytest.mark.parametrize("setting", ["public edges", "default rule, t_max", "default rule"])
def test_released_count_noise_has_the_law_of_its_share(setting):
    checks.check_count_noise_law(checks.SETTINGS[setting])


def test_noisy_patient_count_has_the_law_of_its_share():
    checks.check_patient_count_noise_law(checks.SETTINGS["default rule, t_max"])


@pytest.mark.parametrize("params", [{}, {"t_max": T_MAX}])
def test_fit_grouped_grid_and_counts_add_up_to_epsilon(params):
    checks.check_grouped_ledger(params)


def test_partition_scores_have_the_law_of_its_share():
    checks.check_partition_law()


def test_partition_loses_at_most_its_share_on_every_neighbour():
    checks.check_partition_loss()
    checks.check_partition_loss_at_threshold()


def test_tree_leaves_have_the_variance_of_their_sensitivity():
    checks.check_tree_noise_variance()


def test_band_coverage_is_near_nominal_from_both_sides():
    checks.check_band_coverage()


# --- nothing raw in a release -----------------------------------------------------------------


def test_a_pickled_release_holds_no_exact_count(lung):
    checks.check_no_exact_count_in_pickle()
    time, event = lung
    for params in checks.SETTINGS.values():
        # A release from an accumulator holds none of the accumulator's state either.
        curve = DPKaplanMeier(1.0, random_state=0, **params).fit(time, event)
        release = DPKaplanMeier(1.0, random_state=0, **params).partial_fit(time, event).release()
        assert vars(release).keys() == vars(curve).keys()


def test_fit_grouped_errors_name_no_data_value(lung):
    time, event = lung
    groups = np.where(np.arange(time.size) == 17, 123456, 1)
    with pytest.raises(ValueError, match="not in labels") as error:
        fit_grouped(DPKaplanMeier(1.0, t_max=T_MAX), time, event, groups=groups, labels=[1])
    assert "123456" not in str(error.value)


@pytest.mark.parametrize("share", [0.51, 0.98, 0.99])
def test_partition_share_is_validated_before_any_charge(lung, share):
    time, event = lung
    accountant = PrivacyAccountant(10.0)
    with pytest.raises(ValueError, match="partition_share"):
        DPKaplanMeier(1.0, partition_share=share, accountant=accountant).fit(time, event)
    assert accountant.spent == 0


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
        release = estimator.release()
        edges = release.time_edges_
        cell = int(np.searchsorted(edges, earliest, side="right")) - 1
        in_cell = (ref_time >= edges[cell]) & (ref_time < edges[cell + 1]) & ref_event
        cell_scores[r] = release.noisy_deaths_[cell] - in_cell.sum()
        linear[r] = weights @ release.predict(grid)
    return cell_scores, linear


@pytest.mark.slow
@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_black_box_audit_stays_below_epsilon(lung, epsilon):
    time, event = lung
    time2, event2 = _neighbours(time, event)["minus earliest death"]
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
    time2, event2 = _neighbours(time, event)["minus earliest death"]
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


def _every_number_scores(time, event, params, epsilon, seed, runs, grid):
    """Scores of every released number: S(t), its band, the number at risk, the median."""
    accumulator = DPKaplanMeier(
        epsilon, n_bootstrap=20, random_state=np.random.default_rng(seed), **params
    ).partial_fit(time, event)
    scores = np.empty((runs, 4))
    for r in range(runs):
        release = accumulator.release()
        lower, upper = release.confidence_interval(grid)
        scores[r] = [
            release.predict(grid).sum(),
            (lower + upper).sum(),
            release.at_risk(grid).sum(),
            min(release.median_survival_time_, 2 * T_MAX),
        ]
    return scores


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setting", "epsilon"), [("default rule", 1.0), ("default rule, tree, tv", 2.0)]
)
def test_black_box_audit_of_every_released_number(lung, setting, epsilon):
    time, event = lung
    time2, event2 = _neighbours(time, event)["minus earliest death"]
    grid = np.unique(time[event])
    params = checks.SETTINGS[setting]
    runs = 500
    on_d = _every_number_scores(time, event, params, epsilon, 20, runs, grid)
    on_d2 = _every_number_scores(time2, event2, params, epsilon, 21, runs, grid)
    for column in range(on_d.shape[1]):
        result = audit_epsilon(on_d[:, column], on_d2[:, column], random_state=0)
        assert result.epsilon_lower_bound <= epsilon, column
