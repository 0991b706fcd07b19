"""The GPU scoring path under array-api-strict, against the NumPy path."""

import numpy as np
import pytest

from statkit.text import SS3Classifier
from statkit.text._cupy import confidence_scores


def test_strict_namespace_scores_like_numpy(strict_xp):
    rng = np.random.default_rng(0)
    X = rng.poisson(0.3, size=(50, 30))
    y = rng.integers(0, 3, 50)
    model = SS3Classifier(a=0.05).fit(X, y)
    scores = confidence_scores(strict_xp.asarray(X), model._scoring_weights(), strict_xp)
    assert isinstance(scores, type(strict_xp.asarray([1.0])))
    np.testing.assert_allclose(np.asarray(scores), model.confidence_vectors(X), rtol=1e-12)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.ones((3, 5)), "30 columns"),
        (-np.ones((3, 30)), "non-negative"),
        (np.full((3, 30), np.nan), "non-negative finite"),
    ],
)
def test_strict_namespace_rejects_bad_counts(strict_xp, X, match):
    weights = np.ones((2, 30))
    with pytest.raises(ValueError, match=match):
        confidence_scores(strict_xp.asarray(X), weights, strict_xp)
