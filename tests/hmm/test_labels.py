"""Life-fraction labels and the Côme et al. noisy-plausibility generator."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from statkit.hmm._labels import life_fraction_labels, noisy_plausibility

N, K = 20_000, 6


def test_life_fraction_labels_cmapss_segments():
    # (t + 0.5) / 100 reaches 0.227, 0.461, 0.602, 0.751, 0.872 at t = 23, 46, 60, 75, 87
    labels = life_fraction_labels([100])
    assert_array_equal(np.bincount(labels), [23, 23, 14, 15, 12, 13])
    assert_array_equal(np.flatnonzero(np.diff(labels)) + 1, [23, 46, 60, 75, 87])


def test_life_fraction_labels_restart_per_sequence():
    labels = life_fraction_labels([3, 1, 4], boundaries=[0.5])
    assert labels.dtype == np.int64
    assert_array_equal(labels, [0, 1, 1, 1, 0, 0, 1, 1])
    assert_array_equal(life_fraction_labels([3], boundaries=[]), [0, 0, 0])


@pytest.mark.parametrize(
    ("lengths", "boundaries", "match"),
    [
        ([3, 0], [0.5], "lengths must be positive"),
        ([3.5], [0.5], "lengths must contain whole numbers"),
        ([3], [0.5, 0.5], "boundaries must be strictly increasing"),
        ([3], [0.0, 0.5], r"boundaries must be strictly increasing in \(0, 1\)"),
        ([3], [0.5, 1.0], r"boundaries must be strictly increasing in \(0, 1\)"),
    ],
)
def test_life_fraction_labels_bad_inputs(lengths, boundaries, match):
    with pytest.raises(ValueError, match=match):
        life_fraction_labels(lengths, boundaries)


def _labels():
    return np.random.default_rng(1).integers(K, size=N)


def _within(observed, expected, sd):
    """|observed - expected| within 4 standard errors (a 6e-5 false alarm rate)."""
    assert abs(observed - expected) <= 4 * sd, (observed, expected, sd)


@pytest.mark.parametrize("labelled_fraction", [1.0, 0.1])
@pytest.mark.parametrize("error_rate", [0.2, 0.5, 0.8])
def test_noisy_plausibility_matches_the_protocol(error_rate, labelled_fraction):
    labels = _labels()
    pl = noisy_plausibility(
        labels, K, error_rate=error_rate, labelled_fraction=labelled_fraction, random_state=0
    )
    assert pl.shape == (N, K)
    assert ((pl >= 0) & (pl <= 1)).all()
    labelled = ~(pl == 1).all(axis=1)
    share = labelled_fraction
    _within(labelled.mean(), share, np.sqrt(share * (1 - share) / N) + 1e-12)
    pl, labels = pl[labelled], labels[labelled]
    n = labels.size
    # Each row is perr/K off the noisy label and perr/K + 1 - perr on it.
    perr = K * pl.min(axis=1)
    assert_allclose(pl.sum(axis=1), 1.0)
    assert_allclose(np.sort(pl, axis=1)[:, -2], perr / K)
    _within(perr.mean(), error_rate, 0.2 / np.sqrt(n))
    wrong = error_rate * (K - 1) / K
    _within((pl.argmax(axis=1) != labels).mean(), wrong, np.sqrt(wrong * (1 - wrong) / n))


def test_noisy_plausibility_beta_spread_and_its_shrinking():
    pl = noisy_plausibility(_labels(), K, error_rate=0.3, random_state=0)
    perr = K * pl.min(axis=1)
    assert perr.std() == pytest.approx(0.2, rel=0.05)
    # sd 0.2 is infeasible for a mean of 0.02: it is shrunk to 0.99 * sqrt(0.02 * 0.98)
    perr = K * noisy_plausibility(_labels(), K, error_rate=0.02, random_state=0).min(axis=1)
    _within(perr.mean(), 0.02, 0.14 / np.sqrt(N))
    assert perr.std() == pytest.approx(0.99 * np.sqrt(0.02 * 0.98), rel=0.05)


def test_noisy_plausibility_extremes():
    labels = _labels()[:500]
    assert_array_equal(noisy_plausibility(labels, K, error_rate=0.0), np.eye(K)[labels])
    assert_array_equal(noisy_plausibility(labels, K, error_rate=1.0), np.full((500, K), 1 / K))
    constant = noisy_plausibility(labels, K, error_rate=0.3, error_sd=0.0, random_state=0)
    assert_array_equal(constant.min(axis=1), np.full(500, 0.3 / K))
    unlabelled = noisy_plausibility(labels, K, error_rate=0.3, labelled_fraction=0.0)
    assert_array_equal(unlabelled, np.ones((500, K)))


def test_noisy_plausibility_is_reproducible():
    first = noisy_plausibility(_labels(), K, error_rate=0.5, labelled_fraction=0.5, random_state=3)
    again = noisy_plausibility(_labels(), K, error_rate=0.5, labelled_fraction=0.5, random_state=3)
    assert_array_equal(first, again)


@pytest.mark.parametrize(
    ("labels", "kwargs", "match"),
    [
        ([0, 6], {}, r"labels must be integers in \[0, n_states\)"),
        ([-1, 0], {}, r"labels must be integers in \[0, n_states\)"),
        ([0.5, 1], {}, "labels must contain whole numbers"),
        ([[0, 1]], {}, "labels must be a 1-D array"),
        ([0, 1], {"error_rate": 1.5}, "'error_rate'"),
        ([0, 1], {"labelled_fraction": -0.1}, "'labelled_fraction'"),
        ([0, 1], {"error_sd": -0.1}, "'error_sd'"),
        ([0, 1], {"n_states": 0}, "'n_states'"),
    ],
)
def test_noisy_plausibility_bad_inputs(labels, kwargs, match):
    kwargs = {"n_states": K, "error_rate": 0.2, **kwargs}
    with pytest.raises(ValueError, match=match):
        noisy_plausibility(labels, **kwargs)
