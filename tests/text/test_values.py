"""SS3's term values: against a transcription of pyss3, against pyss3's outputs, invariants."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from statkit.testing.strategies import count_matrices
from statkit.text._values import term_values
from tests.text import checks, reference

pytestmark = pytest.mark.nojit


def _class_counts(X, y):
    classes = np.unique(y)
    return np.array([X[y == c].sum(axis=0) for c in classes], dtype=float)


@given(
    count_matrices(max_classes=5),
    st.floats(0.1, 2.0),
    st.floats(0.1, 2.0),
    st.floats(0.0, 2.0),
    st.sampled_from(["xai", "vanilla"]),
)
def test_vectorised_values_equal_the_term_by_term_transcription(data, s, l, p, mode):  # noqa: E741
    counts = _class_counts(*data)
    expected = reference.confidence_values(counts.tolist(), s, l, p, mode)
    values = term_values(counts, s, l, p, significance=mode)
    np.testing.assert_allclose(values.confidence, expected, rtol=1e-10, atol=1e-12)


@given(count_matrices(max_classes=5))
def test_value_ranges(data):
    values = term_values(_class_counts(*data), 0.45, 0.5, 1.0)
    for name in ("local", "significance", "sanction", "global_", "confidence"):
        array = getattr(values, name)
        assert np.all((array >= 0) & (array <= 1)), name
    np.testing.assert_allclose(values.global_, values.local * values.significance * values.sanction)
    tops = values.confidence.max(axis=1)
    assert np.all((tops == 0) | np.isclose(tops, 1.0))  # normalised per class


def test_hand_computed_two_class_example():
    # Class 0 uses "a" 4 times and "b" twice; class 1 uses "b" 4 times and "c" once.
    counts = np.array([[4.0, 2.0, 0.0], [0.0, 4.0, 1.0]])
    values = term_values(counts, s=1.0, l=1.0, p=1.0, significance="vanilla", confidence="gv")
    # lv = fr / max fr where fr > 1: class 0 (1, 0.5, 0), class 1 (0, 1, 0)
    np.testing.assert_allclose(values.local, [[1.0, 0.5, 0.0], [0.0, 1.0, 0.0]])
    # K = 2: M = D = the smaller lv. Term "a": M = D = 0, lv 1 > 0 -> sg 1 for class 0.
    # Term "b": M = D = 0.5; class 0: sigm(0, 0.5) = tanh(-3)/2 + 1/2; class 1: sigm(0.5, 0.5).
    low, high = 0.5 * np.tanh(-3.0) + 0.5, 0.5 * np.tanh(0.0) + 0.5
    np.testing.assert_allclose(values.significance[:, 1], [low, high])
    assert values.significance[0, 0] == 1.0
    # Term "c", seen once by class 1: lv 0 for both, M = D = 0, a sigmoid of width 0 -> 0
    # ("vanilla"); the "xai" floor on the width gives it a small significance instead.
    assert values.significance[1, 2] == 0.0
    xai = term_values(counts, s=1.0, l=1.0, p=1.0, significance="xai")
    assert xai.significance[1, 2] == pytest.approx(0.5 * np.tanh(-3.0) + 0.5)
    # sn = ((2 - (S + 1)) / (S + 1))^1 with S the other class's significance.
    np.testing.assert_allclose(values.sanction[0, 1], (1 - high) / (1 + high))
    np.testing.assert_allclose(values.global_[0, 0], 1.0 * 1.0 * 1.0)


def test_vectorised_values_on_seeded_cases():
    checks.check_transcription()


@pytest.mark.data("topics")
def test_confidence_vectors_equal_pyss3s_on_the_topic_corpus():
    checks.check_pyss3_parity()
