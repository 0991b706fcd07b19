"""Interpretable, incremental text classification: SS3.

:class:`SS3Classifier` is the SS3 classifier of Burdisso, Errecalde and
Montes-y-Gómez (2019) on a document-term count matrix, so it sits after a
``CountVectorizer`` in a scikit-learn ``Pipeline``.
"""

from statkit.text._early import EarlyDecisions, MarginPolicy, early_decisions, erde_score
from statkit.text._explain import Explanation, Span, explain
from statkit.text._preprocess import make_ss3_pipeline, ss3_preprocess
from statkit.text._ss3 import SS3Classifier

__all__ = [
    "EarlyDecisions",
    "Explanation",
    "MarginPolicy",
    "SS3Classifier",
    "Span",
    "early_decisions",
    "erde_score",
    "explain",
    "make_ss3_pipeline",
    "ss3_preprocess",
]
