"""misclustering_error: the best matching of labels."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statkit.cluster import misclustering_error


@pytest.mark.nojit
def test_hand_computed_values():
    assert misclustering_error([0, 0, 1, 1, 2], [1, 1, 0, 0, 0]) == pytest.approx(0.2)
    assert misclustering_error(["a", "a", "b"], [5, 5, 5]) == pytest.approx(1 / 3)
    # More predicted clusters than true ones: the unmatched ones count as errors.
    assert misclustering_error([0, 0, 0, 0], [0, 1, 2, 3]) == pytest.approx(0.75)


@pytest.mark.nojit
@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.permutations([0, 1, 2, 3]))
def test_relabelling_changes_nothing(labels, permutation):
    labels = np.array(labels)
    assert misclustering_error(labels, np.array(permutation)[labels]) == 0.0


@pytest.mark.nojit
def test_bad_input():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        misclustering_error([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="empty"):
        misclustering_error([], [])
