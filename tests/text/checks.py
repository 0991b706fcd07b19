"""Checks of SS3's exactness claims, shared by the tests and the mutation suite."""

import json
from pathlib import Path

import numpy as np

from statkit.text import SS3Classifier, make_ss3_pipeline
from statkit.text._values import term_values
from tests.text import reference

GOLDEN = Path(__file__).with_name("pyss3_topics.json")


def check_transcription(n_cases=30):
    """The vectorised values equal the term-by-term transcription of pyss3 on random counts."""
    rng = np.random.default_rng(11)
    for case in range(n_cases):
        n_classes, n_terms = int(rng.integers(2, 7)), int(rng.integers(1, 25))
        counts = rng.poisson(rng.uniform(0.2, 4.0), size=(n_classes, n_terms)).astype(float)
        params = (rng.uniform(0.1, 1.5), rng.uniform(0.1, 1.5), rng.uniform(0.0, 2.0))
        mode = "xai" if case % 2 else "vanilla"
        expected = reference.confidence_values(counts.tolist(), *params, mode)
        actual = term_values(counts, *params, significance=mode).confidence
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)


def check_pyss3_parity():
    """Confidence vectors and labels equal pyss3's on the topic corpus (needs its data)."""
    from statkit.datasets import load_topics

    golden = json.loads(GOLDEN.read_text())
    topics = load_topics()
    labels = np.array(topics.target_names)[topics.target]
    documents = [topics.data[i] for i in golden["documents"]]
    for run in golden["runs"]:
        model = make_ss3_pipeline(SS3Classifier(**run["params"])).fit(topics.data, labels)
        assert list(model[-1].classes_) == golden["classes"]
        scores = model[-1].confidence_vectors(model[0].transform(documents))
        np.testing.assert_allclose(scores, run["confidence"], rtol=1e-9, atol=1e-12)
        assert model.predict(documents).tolist() == run["labels"]


def check_merge_is_union():
    """Merging models of two shards gives the model of the whole corpus."""
    rng = np.random.default_rng(12)
    y = rng.integers(0, 3, 300)
    rates = np.full((3, 45), 0.02)
    for c in range(3):
        rates[c, 15 * c : 15 * (c + 1)] = rng.uniform(0.1, 1.0, 15)  # each class its own words
    X = rng.poisson(rates[y])
    classes = np.unique(y)
    left = SS3Classifier().partial_fit(X[:100], y[:100], classes=classes)
    right = SS3Classifier().partial_fit(X[100:], y[100:], classes=classes)
    whole = SS3Classifier().fit(X, y)
    assert np.all(whole.decision_function(X).max(axis=1) > 0)  # the comparison is not vacuous
    np.testing.assert_array_equal(
        left.merge(right).decision_function(X), whole.decision_function(X)
    )
