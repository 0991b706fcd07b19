"""Explanations split the confidence vector exactly into words, sentences and paragraphs."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import make_pipeline

from statkit.text import SS3Classifier, explain, make_ss3_pipeline

DOCS = [
    "the food was great, great service",
    "great pasta and great wine. lovely food",
    "terrible service, cold food",
    "cold soup and terrible wine. awful",
]
LABELS = ["good", "good", "bad", "bad"]


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2)])
def test_contributions_add_up_to_the_confidence_vector(ngram_range):
    model = make_ss3_pipeline(ngram_range=ngram_range).fit(DOCS * 2, LABELS * 2)
    document = "Great wine!\nBut the soup was cold. Terrible, terrible service."
    explanation = explain(model, document)
    expected = model[-1].confidence_vectors(model[0].transform([document]))[0]
    np.testing.assert_allclose(explanation.confidence, expected)
    for level in (explanation.words, explanation.sentences, explanation.paragraphs):
        np.testing.assert_allclose(np.sum([span.confidence for span in level], axis=0), expected)
    assert [s.text.strip() for s in explanation.sentences][:2] == [
        "great wine .",
        "but the soup was cold .",
    ]
    assert len(explanation.paragraphs) == 2
    for word in explanation.words:
        assert explanation.text[word.start : word.end] == word.text


def test_html_highlights_every_word_and_escapes_text():
    model = make_pipeline(CountVectorizer(), SS3Classifier()).fit(DOCS * 2, LABELS * 2)
    explanation = explain(model, "great <b>food</b> & cold wine")
    page = explanation.to_html()
    assert page.count('class="ss3-word"') == len(explanation.words)
    assert "<b>food" not in page
    assert "&lt;b&gt;" in page
    top = explanation.classes[np.argmax(explanation.confidence)]
    assert f"confidence for {top}" in page  # the predicted class by default
    assert "confidence for good" in explanation.to_html("good")
    with pytest.raises(ValueError, match="not one of the classes"):
        explanation.to_html("ugly")


def test_explain_needs_a_word_count_vectorizer_pipeline():
    model = make_pipeline(CountVectorizer(analyzer="char"), SS3Classifier()).fit(DOCS, LABELS)
    with pytest.raises(TypeError, match="word-level CountVectorizer"):
        explain(model, "great food")
    for vectorizer in (TfidfVectorizer(), CountVectorizer(binary=True)):
        model = make_pipeline(vectorizer, SS3Classifier()).fit(DOCS, LABELS)
        with pytest.raises(TypeError, match="raw term counts"):
            explain(model, "great great food")
