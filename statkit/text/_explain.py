"""Why SS3 classified a document as it did: each word's, sentence's and paragraph's share.

SS3's confidence vector is a sum over the document's terms, so it splits
exactly into contributions: each occurrence of a term adds its confidence
vector ``cv(t)``. An n-gram's vector is shared equally by its words. Sentences
and paragraphs add up the words they hold.
"""

import html
import re
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

_SENTENCE_END = re.compile(r"[.!?]+|\n")


@dataclass(frozen=True)
class Span:
    """A piece of the (preprocessed) document and its confidence vector.

    Parameters
    ----------
    text : str
        The piece of text.
    start, end : int
        Its position in :attr:`Explanation.text`.
    confidence : ndarray of shape (n_classes,)
        Its contribution to the document's confidence vector.
    """

    text: str
    start: int
    end: int
    confidence: np.ndarray


@dataclass(frozen=True)
class Explanation:
    """The contributions of a document's words, sentences and paragraphs.

    Parameters
    ----------
    text : str
        The document after the vectorizer's preprocessing (what SS3 read).
    classes : ndarray of shape (n_classes,)
        The classes, in the order of the confidence vectors.
    confidence : ndarray of shape (n_classes,)
        The document's confidence vector: the sum of the words' vectors.
    words, sentences, paragraphs : list of Span
        Every word (unknown words contribute zeros), sentence (ended by
        ``.``, ``!``, ``?`` or a line break) and paragraph (ended by a line
        break).
    """

    text: str
    classes: np.ndarray
    confidence: np.ndarray
    words: list
    sentences: list
    paragraphs: list

    def to_html(self, label=None):
        """The document with each word highlighted by its confidence for one class.

        The background of a word is the more opaque the larger its confidence
        value for ``label``; hovering shows its value for every class. Each
        sentence is underlined in proportion to its total.

        Parameters
        ----------
        label : class label, default=None
            The class whose confidence is shown; default the document's
            predicted class (largest confidence).

        Returns
        -------
        html : str
            A self-contained ``<div>``.
        """
        column = int(np.argmax(self.confidence)) if label is None else _column(self.classes, label)
        word_top = max((w.confidence[column] for w in self.words), default=0.0) or 1.0
        sentence_top = max((s.confidence[column] for s in self.sentences), default=0.0) or 1.0
        pieces, position = [], 0
        words = iter(self.words)
        word = next(words, None)
        for sentence in self.sentences:
            pieces.append(html.escape(self.text[position : sentence.start]))
            weight = sentence.confidence[column] / sentence_top
            pieces.append(
                f'<span class="ss3-sentence" style="border-bottom: 2px solid '
                f'rgba(200, 60, 40, {weight:.3f})">'
            )
            position = sentence.start
            while word is not None and word.end <= sentence.end:
                pieces.append(html.escape(self.text[position : word.start]))
                alpha = word.confidence[column] / word_top
                title = ", ".join(
                    f"{c}: {v:.3f}" for c, v in zip(self.classes, word.confidence, strict=True)
                )
                pieces.append(
                    f'<span class="ss3-word" style="background: rgba(255, 140, 0, {alpha:.3f})" '
                    f'title="{html.escape(title)}">{html.escape(word.text)}</span>'
                )
                position = word.end
                word = next(words, None)
            pieces.append(html.escape(self.text[position : sentence.end]) + "</span>")
            position = sentence.end
        pieces.append(html.escape(self.text[position:]))
        header = html.escape(f"confidence for {self.classes[column]!s}")
        return (
            f'<div class="ss3-explanation" style="line-height: 1.8"><p><b>{header}</b>: '
            f"{self.confidence[column]:.3f}</p><p>{''.join(pieces)}</p></div>"
        )


def _column(classes, label):
    matches = np.flatnonzero(np.asarray(classes) == label)
    if matches.size == 0:
        raise ValueError(f"label {label!r} is not one of the classes {list(classes)}.")
    return int(matches[0])


def _spans(text, pattern, words, n_classes):
    """Pieces of ``text`` ended by ``pattern`` (the text's end too), with their words' sum."""
    spans, start = [], 0
    ends = [m.end() for m in pattern.finditer(text)]
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    for end in ends:
        total = np.zeros(n_classes)
        for word in words:
            if start <= word.start and word.end <= end:
                total += word.confidence
        if re.search(r"\w", text[start:end]):  # not a lone delimiter
            spans.append(Span(text[start:end], start, end, total))
        start = end
    return spans


def explain(model, document):
    """The contribution of each word, sentence and paragraph of a document to SS3's decision.

    Parameters
    ----------
    model : Pipeline
        A fitted pipeline whose first step is a ``CountVectorizer`` (word
        analyzer, raw counts, any ``ngram_range``) and whose last step is an
        :class:`SS3Classifier`, e.g. from :func:`make_ss3_pipeline`.
    document : str
        The raw document.

    Returns
    -------
    explanation : Explanation
        Its ``confidence`` equals the model's confidence vector of the
        document (``model[-1].confidence_vectors``).

    Examples
    --------
    >>> from statkit.text import explain, make_ss3_pipeline
    >>> docs = ["great great film", "great cast, great story", "dull dull film", "dull plot"]
    >>> model = make_ss3_pipeline().fit(docs, ["pos", "pos", "neg", "neg"])
    >>> explanation = explain(model, "A great cast. A dull plot.")
    >>> [(w.text, w.confidence.round(2).tolist()) for w in explanation.words if w.confidence.any()]
    [('great', [0.0, 1.0]), ('dull', [1.0, 0.0])]
    >>> len(explanation.sentences)
    2
    """
    vectorizer, classifier = model[0], model[-1]
    check_is_fitted(classifier)
    if getattr(vectorizer, "analyzer", None) != "word" or not hasattr(vectorizer, "vocabulary_"):
        raise TypeError(
            "model must be a fitted Pipeline that starts with a word-level CountVectorizer."
        )
    if isinstance(vectorizer, TfidfVectorizer) or vectorizer.binary:
        raise TypeError(
            "explain splits the confidence over raw term counts; the model's vectorizer "
            f"({type(vectorizer).__name__}, binary={vectorizer.binary}) weights them otherwise."
        )
    text = vectorizer.build_preprocessor()(document)
    stop_words = vectorizer.get_stop_words() or frozenset()
    matches = [
        m for m in re.finditer(vectorizer.token_pattern, text) if m.group() not in stop_words
    ]
    weights = classifier._scoring_weights()
    if classifier._multilabel:
        weights = weights[:-1]
    n_classes = weights.shape[0]
    shares = [np.zeros(n_classes) for _ in matches]
    low, high = vectorizer.ngram_range
    for n in range(low, high + 1):
        for i in range(len(matches) - n + 1):
            term = " ".join(m.group() for m in matches[i : i + n])
            column = vectorizer.vocabulary_.get(term)
            if column is not None:
                for j in range(i, i + n):
                    shares[j] += weights[:, column] / n
    words = [
        Span(m.group(), m.start(), m.end(), share) for m, share in zip(matches, shares, strict=True)
    ]
    total = np.sum([w.confidence for w in words], axis=0) if words else np.zeros(n_classes)
    return Explanation(
        text=text,
        classes=classifier.classes_,
        confidence=total,
        words=words,
        sentences=_spans(text, _SENTENCE_END, words, n_classes),
        paragraphs=_spans(text, re.compile(r"\n"), words, n_classes),
    )
