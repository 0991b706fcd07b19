"""A term-by-term transcription of pyss3 0.6.5's value functions (unigrams), for the tests.

Loops over classes and terms as pyss3 does, with its helpers ``mad`` and
``sigmoid`` copied in spirit; the vectorised ``statkit.text._values`` must
agree with it to rounding.
"""

import math


def _mad(values, n):
    values = sorted(values)
    if n == 2:
        return values[0], values[0]
    m = values[n // 2 if n % 2 else n // 2 - 1]
    return m, sum(abs(m - v) for v in values) / n


def _sigmoid(v, width):
    try:
        return 0.5 * math.tanh((3.0 / width) * v - 3) + 0.5
    except ZeroDivisionError:
        return 0.0


def confidence_values(counts, s, l, p, significance="xai"):  # noqa: E741
    """cv[c][t] for a list-of-lists count matrix (classes × terms)."""
    n_classes, n_terms = len(counts), len(counts[0])
    max_fr = [max(1, max(row)) for row in counts]

    def lv(c, t):
        return (counts[c][t] / max_fr[c]) ** s if counts[c][t] > 1 else 0.0

    def sg(c, t):
        if counts[c][t] < 1:  # no trie node: nothing cached
            return 0.0
        lvs = [lv(k, t) for k in range(n_classes)]
        m, sd = _mad(lvs, n_classes)
        if significance == "xai":
            if l * sd <= 0.03:
                sd = 0.03 / l
            stop = m > 0.2 or sum(v > 0.09 for v in lvs) == n_classes
            if (stop and sd <= 0.1) or m >= 0.3:
                return 0.0
        if not sd and lvs[c]:
            return 1.0
        return _sigmoid(lvs[c] - m, l * sd)

    def sn(c, t):
        if n_classes == 1:
            return 1.0
        total = sum(min(sg(k, t), 1) for k in range(n_classes) if k != c)
        return ((n_classes - (total + 1)) / ((n_classes - 1) * (total + 1))) ** p

    gv = [[lv(c, t) * sg(c, t) * sn(c, t) for t in range(n_terms)] for c in range(n_classes)]
    cv = []
    for c in range(n_classes):
        top = max(gv[c])
        cv.append([g / top if top else 0.0 for g in gv[c]])
    return cv


def clean_and_ready(text):
    """pyss3's ``Preproc.clean_and_ready`` (dots=True, normalize=True, min_len=1), step by step."""
    import re
    import unicodedata

    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn"
    ).replace("'", "")
    number = r"\d+([.,]\d+)?"
    text = re.sub(rf"(?:{number}\s*(\xc2[\xb0\xba])?\s*[CcFf](?=[^a-zA-Z]))", "NNBRRT", text + " ")
    text = re.sub(rf"(?:{number}[-/\\]{number}[-/\\]{number})", "NNBRRD", text)
    text = re.sub(rf"(?:\$\s*{number})", "MNNBRR", text)
    text = re.sub(rf"(?:{number}\s*%)", "NNBRRP", text)
    text = re.sub(rf"(?:{number})", "NNBRR", text)
    text = re.sub(r"(?:(#[a-zA-Z0-9]+)(\s)*(?=#))", r"\1.", text)
    text = re.sub(r"(?:([(),;:?!=\"/.|<>\[\]]+)|(#(?![a-zA-Z])))", ".", text) + "."
    return " ".join(re.findall(r"[\w\n]+|\.", text)).lower()
