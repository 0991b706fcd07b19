"""SS3Classifier: learning is counting, so partial_fit, merge and set_params are exact."""

import pickle

import numpy as np
import pytest
from hypothesis import given
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import GridSearchCV

from statkit.testing.strategies import count_matrices
from statkit.text import SS3Classifier
from statkit.text._values import term_values

pytestmark = pytest.mark.nojit


def _corpus(n_docs=120, n_terms=40, n_classes=3, seed=0):
    """Counts where each class uses its own block of terms, plus rare shared ones (like text)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n_docs)
    rates = np.full((n_classes, n_terms), 0.02)
    for c in range(n_classes):
        rates[c, c * (n_terms // n_classes) : (c + 1) * (n_terms // n_classes)] = 0.5
    return rng.poisson(rates[y]), y


@given(count_matrices())
def test_partial_fit_in_chunks_equals_fit(data):
    X, y = data
    whole = SS3Classifier().fit(X, y)
    chunked = SS3Classifier()
    for rows in np.array_split(np.arange(y.size), 3):
        if rows.size:
            chunked.partial_fit(X[rows], y[rows], classes=np.unique(y))
    np.testing.assert_array_equal(chunked.feature_count_, whole.feature_count_)
    np.testing.assert_array_equal(chunked.decision_function(X), whole.decision_function(X))


@given(count_matrices())
def test_merge_equals_fitting_the_union(data):
    X, y = data
    half = y.size // 2
    classes = np.unique(y)
    left = SS3Classifier(s=0.3).partial_fit(X[:half], y[:half], classes=classes)
    right = SS3Classifier(s=0.3).partial_fit(X[half:], y[half:], classes=classes)
    merged = left.merge(right)
    whole = SS3Classifier(s=0.3).fit(X, y)
    np.testing.assert_array_equal(merged.feature_count_, whole.feature_count_)
    np.testing.assert_array_equal(merged.predict(X), whole.predict(X))
    assert merged is not left
    assert merged is not right


def test_set_params_recomputes_values_without_recounting():
    X, y = _corpus()
    model = SS3Classifier().fit(X, y)
    counts = model.feature_count_
    model.set_params(s=0.32, l=1.24, p=1.1)
    assert model.feature_count_ is counts  # nothing recounted
    fresh = SS3Classifier(s=0.32, l=1.24, p=1.1).fit(X, y)
    np.testing.assert_array_equal(model.confidence_values_, fresh.confidence_values_)
    # an attribute assigned directly is honoured too, without changing the estimator
    model.s = 0.6
    before = dict(vars(model))
    expected = term_values(counts, 0.6, 1.24, 1.1).confidence
    np.testing.assert_allclose(model.confidence_values_, expected)
    assert vars(model).keys() == before.keys()


def test_predictions_and_probabilities():
    X, y = _corpus()
    model = SS3Classifier().fit(X, y)
    assert (model.predict(X) == y).mean() > 0.9
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), model.predict(X))
    scores = model.confidence_vectors(X)
    np.testing.assert_allclose(scores, X @ model.confidence_values_.T)
    np.testing.assert_allclose(model.confidence_vectors(sparse.csr_matrix(X)), scores)


def test_alpha_ignores_small_confidence_values():
    X, y = _corpus()
    model = SS3Classifier(a=0.3).fit(X, y)
    cv = model.confidence_values_
    np.testing.assert_allclose(model.confidence_vectors(X), X @ np.where(cv > 0.3, cv, 0).T)


def test_empty_documents_get_the_default_class():
    X, y = _corpus()
    model = SS3Classifier().fit(X, y)
    empty = np.zeros((2, X.shape[1]))
    most_tokens = int(np.argmax([X[y == c].sum() for c in range(3)]))
    assert model.predict(empty).tolist() == [most_tokens, most_tokens]
    np.testing.assert_array_equal(model.predict_proba(empty)[:, most_tokens], 1.0)
    assert model.set_params(default_class=2).predict(empty).tolist() == [2, 2]
    with pytest.raises(ValueError, match="default_class=7"):
        model.set_params(default_class=7).predict(empty)


def test_binary_decision_function_is_the_difference():
    X, y = _corpus(n_classes=2)
    labels = np.array(["no", "yes"])[y]
    model = SS3Classifier().fit(X, labels)
    scores = model.confidence_vectors(X)
    np.testing.assert_allclose(model.decision_function(X), scores[:, 1] - scores[:, 0])


def test_multilabel_two_means_and_threshold():
    X, y = _corpus(n_classes=3)
    Y = np.eye(3, dtype=int)[y]
    Y[::7, (y[::7] + 1) % 3] = 1  # some documents carry two labels
    Y[::11] = 0  # and some none: pyss3's hidden "[others]" class
    model = SS3Classifier().fit(X, Y)
    assert model.feature_count_.shape == (4, X.shape[1])  # the hidden class is counted
    predicted = model.predict(X)
    assert predicted.shape == Y.shape
    assert set(np.unique(predicted)) <= {0, 1}
    scores = model.confidence_vectors(X)
    assert scores.shape == Y.shape
    for row, chosen in zip(scores, predicted, strict=True):  # the chosen ones are the top scores
        if chosen.any():
            assert row[chosen == 1].min() >= row[chosen == 0].max(initial=-np.inf)
    # threshold 1: the single top label, none when the hidden "no label" class is on top
    strict = model.set_params(multilabel_threshold=1.0).predict(X)
    full = model._confidence(X)
    expected = (full.argmax(axis=1) < 3) & (full.max(axis=1) > 0)
    np.testing.assert_array_equal(strict.sum(axis=1), expected.astype(int))


def test_two_means_matches_pyss3s_loop():
    from statkit.text._kernels import two_means_top

    def pyss3_size(values):  # pyss3's kmean_multilabel_size on values sorted in descending order
        res = sorted(values, reverse=True)
        neg, pos = res[-1], res[0]
        if neg == pos:
            return 0
        cent_neg = cent_pos = -1
        while cent_pos != pos or cent_neg != neg:
            cent_neg, cent_pos = neg, pos
            low = [v for v in res if abs(cent_neg - v) < abs(cent_pos - v)]
            high = [v for v in res if not abs(cent_neg - v) < abs(cent_pos - v)]
            neg = sum(low) / len(low) if low else neg
            pos = sum(high) / len(high) if high else pos
        return len(high)

    rng = np.random.default_rng(3)
    scores = np.round(rng.exponential(size=(300, 6)), 1)
    scores[:5] = 0
    chosen = two_means_top(scores)
    assert chosen.sum(axis=1).tolist() == [pyss3_size(list(row)) for row in scores]


def test_pipeline_tools():
    X, y = _corpus()
    search = GridSearchCV(SS3Classifier(), {"s": [0.3, 0.45], "p": [0.5, 1.0]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.8
    calibrated = CalibratedClassifierCV(SS3Classifier(), cv=3).fit(X, y)
    np.testing.assert_allclose(calibrated.predict_proba(X).sum(axis=1), 1.0)
    model = SS3Classifier().fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.decision_function(X), model.decision_function(X))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda m, X, y: m.fit(-X, y), "Negative values"),
        (lambda m, X, y: m.fit(X, np.zeros_like(y)), "at least 2 classes"),
        (lambda m, X, y: m.partial_fit(X, y), "classes must be given"),
        (lambda m, X, y: m.partial_fit(X, y, classes=[0, 1]), "not in classes"),
        (lambda m, X, y: m.fit(X, y).predict(X[:, :5]), "features"),
        (lambda m, X, y: m.fit(X, y).merge(SS3Classifier().fit(X[:, :5], y)), "feature space"),
        (lambda m, X, y: m.set_params(s=0).fit(X, y), "'s' parameter"),
        (lambda m, X, y: m.fit(X.astype(float) * np.nan, y), "NaN"),
    ],
)
def test_bad_input_is_a_clear_error(call, match):
    X, y = _corpus()
    with pytest.raises(ValueError, match=match):
        call(SS3Classifier(), X, y)


def test_a_failed_fit_keeps_the_fitted_model():
    X, y = _corpus()
    model = SS3Classifier().fit(X, y)
    counts = model.feature_count_.copy()
    with pytest.raises(ValueError, match="not in classes"):
        model.partial_fit(X, np.full_like(y, 9))
    np.testing.assert_array_equal(model.feature_count_, counts)
