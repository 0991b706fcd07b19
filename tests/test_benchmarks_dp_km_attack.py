"""The membership-inference benchmark of the DP Kaplan–Meier curve, on a tiny configuration."""

import numpy as np
import pytest

from benchmarks import dp_km_attack as bench

N_SHADOW, N_TARGET = 8, 10


@pytest.fixture(scope="module")
def lung():
    time, event = bench.load_data()
    return time, event, bench.attacked_patients(time.size, 8)


def _metrics(label, epsilon, lung):
    time, event, patients = lung
    releases = bench.Releases(label, epsilon)
    scores = bench.attack(releases, time, event, patients, N_SHADOW, N_TARGET, [bench.SEED, 0])
    assert set(scores) == set(bench.ATTACKS)
    results = {}
    for name, (members, non_members, n_degenerate) in scores.items():
        assert members.shape == non_members.shape == (patients.size * N_TARGET,)
        assert np.isfinite(members).all()
        assert np.isfinite(non_members).all()
        results[name] = (bench.attack_metrics(members, non_members, epsilon), n_degenerate)
    return results


def test_public_subsample_is_fixed_and_sorted():
    patients = bench.attacked_patients(228, 8)
    assert patients.size == 8
    assert np.array_equal(patients, np.sort(patients))
    assert np.array_equal(patients, bench.attacked_patients(228, 8))
    assert np.array_equal(bench.attacked_patients(228, None), np.arange(228))


def test_dp_km_with_horizon_is_sane(lung):
    for result, _ in _metrics(bench.T_MAX_LABEL, 1.0, lung).values():
        assert 0.0 <= result["tpr_lower"] <= result["tpr"] <= 1.0
        assert 0.0 <= result["fpr"] <= bench.FPR_TARGET <= result["fpr_upper"] <= 1.0
        assert 0.0 <= result["auc"] <= 1.0
        assert result["bound"] == pytest.approx(np.e * result["fpr_upper"])
        assert bench.verdict("yes", result["within"], 1.0) in ("PASS", "FAIL")


def test_non_private_curve_is_caught(lung):
    for result, n_degenerate in _metrics(bench.KM_LABEL, None, lung).values():
        assert n_degenerate == 8  # deterministic: the centred projection
        assert result["tpr"] > 0.5
        assert result["fpr"] == 0.0  # +1/2 on members, -1/2 on non-members
        assert result["auc"] > 0.9
        assert result["bound"] == np.inf


def test_scores_and_clopper_pearson():
    rng = np.random.default_rng(0)
    shadow_in = rng.normal(1.0, 0.1, (50, 3))
    shadow_out = rng.normal(0.0, 0.1, (50, 3))
    for whiten in (False, True):
        scores, degenerate = bench.lira_scores(
            shadow_in, shadow_out, np.array([[1.0] * 3, [0.0] * 3]), whiten
        )
        assert not degenerate
        assert scores[0] > 0 > scores[1]
    same = np.ones((4, 3))
    scores, degenerate = bench.lira_scores(same, same, same)
    assert degenerate
    assert np.array_equal(scores, np.zeros(4))
    assert bench.clopper_pearson(0, 100) == (0.0, pytest.approx(1 - 0.05 ** (1 / 100)))
    assert bench.clopper_pearson(100, 100) == (pytest.approx(0.05 ** (1 / 100)), 1.0)
    assert bench.verdict("NOT DP", False, 2.0) == "exceeds the ε-DP bound"
