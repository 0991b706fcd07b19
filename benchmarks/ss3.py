"""SS3 text classifier: parity with pyss3, accuracy, speed against pyss3, end-to-end pipeline.

``python -m benchmarks ss3 [--quick]`` writes these tables to ``results/``
(``../shared/specs/ss3.md`` §1 gives the model, §5 the anchor numbers and the
synthetic corpus, §6 the targets). The corpora are read from the data home
(:func:`statkit.datasets.get_data_home`; set ``STATKIT_DATA``): the 8-class
topic corpus (``load_topics``; lines holding only whitespace are not
documents and are dropped, leaving 796) and the sentence polarity corpus
(``load_rt_polarity``, 10,662 sentences). Every split is
``train_test_split(docs, y, test_size=0.2, random_state=0, stratify=y)``.
BLAS runs on one thread throughout (pyss3 is single-threaded Python, and the
machine is shared).

pyss3, the reference implementation, is not a dependency of statkit and must
not be installed into the project's environment (its wheel installs a
top-level ``tests`` package that shadows the project's). Install it into a
folder of its own and point ``STATKIT_PYSS3_PATH`` at it::

    pip install --no-deps --target <dir> pyss3==0.6.5 six tqdm iterative-stratification
    STATKIT_PYSS3_PATH=<dir> python -m benchmarks ss3

The folder is appended to the *end* of ``sys.path`` (the project's own
packages win) and pyss3 takes numpy and scikit-learn from the project's
environment; its progress bars and messages are silenced
(``pyss3.set_verbosity(0)``). Without it, statkit and the scikit-learn anchors
still run, and every pyss3 row says ``MISSING``.

``ss3_parity``
    ``pyss3.SS3().fit(docs, labels)`` against ``make_ss3_pipeline().fit(docs,
    labels)`` on both corpora, at pyss3's defaults (s=0.45, l=0.5, p=1) and
    at the pyss3 tutorials' tuned values (topics s=0.32, l=1.24, p=1.1;
    polarity s=0.44, l=0.48, p=0.5), fitted on the training split and
    compared on the test split, and fitted on and compared on all documents.
    Confidence vectors: pyss3's ``predict_proba(docs)`` against
    ``pipeline[-1]._confidence(pipeline[0].transform(docs))`` (both the raw,
    un-normalised sums), columns in the same class order. The quality is the
    largest relative difference ``|a - b| / max(|a|, |b|)`` over documents and
    classes (0 where both are 0); beside it the largest difference relative
    to the document's largest confidence ("per-document"), the largest
    absolute difference, the fraction of equal labels (``predict``), how many labels differ, how
    many of those are exact ties of the top scores, and how many documents
    hold no known term (both fall back to the class with the most training
    tokens). "median s" is one statkit fit + scoring; the pyss3 time is a
    column. Targets (issue): confidence vectors equal within 1e-9 relative;
    labels differ only at exact ties (spec §6: ≥ 99.9 % equal). ``--quick``:
    the test split only.

``ss3_accuracy``
    Accuracy (and macro-F1) on the test split of each corpus: the statkit
    pipeline and pyss3 at the defaults and at the tuned values,
    ``TfidfVectorizer() + MultinomialNB()`` and ``TfidfVectorizer() +
    LogisticRegression(max_iter=2000)`` (spec §5). "median s" is fit +
    predict on raw text, tokenisation included; "pyss3 s / s" divides the
    corpus's pyss3 (default) time by the row's. Target (issue): statkit within
    0.5 points of pyss3 (spec §5: polarity 0.7567, topics 0.6625).

``ss3_speed``
    A synthetic Zipf corpus as in spec §5: V = 20,000 distinct lower-case
    letter words (3–9 letters), 100 documents of 60 tokens per class, an
    80/20 stratified split, K = 50 and K = 200 classes. Each class draws half
    its tokens from a shared Zipf law (exponent 1.1) over the vocabulary and
    half from a Zipf law of the same exponent over its own random permutation
    of the vocabulary, so each class has its own frequent words and the task
    is learnable. Operations: (a) fit (statkit's times include computing the
    term values, which it does on first use, as pyss3's fit ends with
    ``update_values``), (b) predict on the test documents, (c)
    change one hyperparameter (s alternates between 0.45 and 0.46, so every
    call is a change) and predict again. Rows: pyss3 on raw strings; the
    statkit pipeline (``make_ss3_pipeline``) on the same strings
    (tokenisation included); ``SS3Classifier`` on a count matrix made
    beforehand by the pipeline's vectoriser (tokenisation excluded). pyss3
    keeps the tokenised test set of its last ``predict`` (keyed by a hash of
    the documents): for (b) that cache is cleared before every call, so pyss3
    tokenises as the pipeline does; for (c) it is kept, as a pyss3 user
    re-predicting after a change gets it, and the like-for-like statkit row
    is the count matrix (the pipeline row, which tokenises again, is shown
    too). pyss3 builds a dense term × class cache of its confidence values in
    pure Python on the first predict after a fit (and after every change);
    the reference predict row is the steady state (cache built), and a row
    "first predict after fit" (cache cleared each call) shows the cost a
    single fit-then-predict pays (the spec's §5 predict times include it).
    "pyss3 s / s" is the speed-up over the reference pyss3 row of the same
    operation; quality is the test accuracy of the predictions, with the
    fraction of labels equal to pyss3's and the largest relative difference of
    the confidence vectors beside it, per entry and per document (relative to
    the document's largest confidence; entries of ~1e-10 inherit the
    cancellation of ``tanh(z)/2 + 1/2`` at significances near 1e-9, so the
    per-entry figure can exceed 1e-9 while the per-document one stays near
    1e-16). pyss3 at K = 200 takes minutes per fit and
    per update (spec §5: 106 s and 97 s): it is timed once (no warm-up)
    there; its predict is timed ``min(repeats, 3)`` times. Targets (issue,
    like-for-like rows): change + re-predict ≥ 50× faster than pyss3 at K =
    50; fit ≥ 20× faster at K = 200; predict ≥ 5× faster at K = 50 and 200.
    ``--quick``: K = 10 and 50, V = 5,000, 10 documents per class, so these
    targets are only informative there.

``ss3_pipeline``
    End to end on the polarity corpus, raw text in, tokenisation included:
    fit on the training split and predict the test split, pyss3 against the
    statkit pipeline, then each part on its own (fit; predict with pyss3's
    token cache cleared; pyss3's ``Preproc.clean_and_ready`` against
    :func:`statkit.text.ss3_preprocess` over all 10,662 sentences; the
    pipeline's ``CountVectorizer.fit_transform`` on the training split).
    Target (issue): the statkit pipeline is faster than pyss3 end to end,
    tokenisation included. ``--quick``: the same, fewer repeats.

Every row is the median of ``repeats`` runs after one untimed warm-up, except
where a note says otherwise; with ``--quick`` (3 repeats) pyss3, pure Python
with nothing to compile, runs without a warm-up to stay under a minute.
"""

import os
import sys
import time as _time
from functools import partial

import numpy as np

from benchmarks._harness import Benchmark

DESCRIPTION = (
    "SS3 text classifier: parity with pyss3, accuracy, speed (fit/predict/update), pipeline"
)

PYSS3_ENV = "STATKIT_PYSS3_PATH"
SEED = 0
DEFAULTS = {"s": 0.45, "l": 0.5, "p": 1.0}
TUNED = {
    "topics": {"s": 0.32, "l": 1.24, "p": 1.1},
    "polarity": {"s": 0.44, "l": 0.48, "p": 0.5},
}
SPEC_ACCURACY = {"topics": 0.6625, "polarity": 0.7567}
PARITY_RTOL = 1e-9
ACCURACY_POINTS = 0.5
# operation -> (minimum speed-up over pyss3, the K it is set for; None: every K >= 50)
SPEEDUP_TARGETS = {"change + predict": (50.0, (50,)), "fit": (20.0, (200,)), "predict": (5.0, None)}
MISSING = "MISSING: pyss3 not importable"

_PYSS3 = {}


# ---------------------------------------------------------------------------- pyss3


def load_pyss3():
    """pyss3's ``SS3`` class from ``$STATKIT_PYSS3_PATH``, or None with the reason.

    The folder is appended to the end of ``sys.path``, so the project's own
    packages (its ``tests`` above all) win over the copies there.
    """
    if "SS3" in _PYSS3 or "reason" in _PYSS3:
        return _PYSS3.get("SS3"), _PYSS3.get("reason", "")
    path = os.environ.get(PYSS3_ENV, "").strip()
    if not path:
        _PYSS3["reason"] = f"{PYSS3_ENV} is not set"
        return None, _PYSS3["reason"]
    path = os.path.abspath(os.path.expanduser(path))
    if path not in sys.path:
        sys.path.append(path)
    try:
        import pyss3
    except ImportError as error:
        _PYSS3["reason"] = f"cannot import pyss3 from {path}: {error}"
        return None, _PYSS3["reason"]
    pyss3.set_verbosity(0)
    _PYSS3["SS3"], _PYSS3["version"] = pyss3.SS3, getattr(pyss3, "__version__", "?")
    return pyss3.SS3, ""


def _pyss3_version():
    return _PYSS3.get("version")


def _pyss3_classes(model):
    """pyss3's class names in its internal order (the columns of ``predict_proba``)."""
    return [str(model.get_category_name(i)) for i in range(len(model.get_categories()))]


def _pyss3_confidence(model, docs, classes):
    """pyss3's confidence vectors, columns in the order of ``classes``."""
    names = _pyss3_classes(model)
    scores = np.asarray(model.predict_proba(docs), dtype=np.float64).reshape(len(docs), -1)
    return scores[:, [names.index(str(c)) for c in classes]]


def _pyss3_fit(SS3, docs, labels, **params):
    """A new pyss3 model fitted on ``docs`` (its ``fit`` adds to the counts and returns None)."""
    model = SS3(**params)
    model.fit(docs, labels)
    return model


def _clear_token_cache(model):
    """Forget pyss3's tokenised copy of the last documents it predicted."""
    model.__last_x_test__ = None


# ----------------------------------------------------------------------------- helpers


def _timed(function, repeats, warmup=1):
    """Seconds of ``repeats`` calls of ``function()`` after ``warmup``; and the last result."""
    result = None
    for _ in range(warmup):
        result = function()
    times = []
    for _ in range(repeats):
        start = _time.perf_counter()
        result = function()
        times.append(_time.perf_counter() - start)
    return times, result


def max_relative_difference(a, b):
    """``max |a - b| / max(|a|, |b|)`` over all entries (0 where both are 0)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
    return float(relative.max()) if relative.size else 0.0


def max_document_relative_difference(a, b):
    """Largest ``max_j |a_ij - b_ij| / max_j max(|a_ij|, |b_ij|)`` over documents ``i``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if not a.size:
        return 0.0
    scale = np.maximum(np.abs(a), np.abs(b)).max(axis=1)
    error = np.abs(a - b).max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.where(scale > 0, error / scale, 0.0).max())


def label_differences(labels_a, labels_b, scores_a, scores_b, classes):
    """How many labels differ, and how many of those are exact ties of the two labels' scores."""
    classes = [str(c) for c in classes]
    differ = np.flatnonzero(
        np.asarray(labels_a, dtype=object) != np.asarray(labels_b, dtype=object)
    )
    ties, others = 0, []
    for i in differ:
        ja, jb = classes.index(str(labels_a[i])), classes.index(str(labels_b[i]))
        if scores_a[i, ja] == scores_a[i, jb] or scores_b[i, ja] == scores_b[i, jb]:
            ties += 1
        else:
            others.append(int(i))
    return differ.size, ties, others


def _verdict(ok):
    return "PASS" if ok else "FAIL"


def _speedup_column(bench, reference_of, name="pyss3 s / s"):
    """Add ``name`` = median of the row's pyss3 reference row / the row's median."""
    for row in bench.rows:
        reference = reference_of(row)
        if reference is not None and np.isfinite(reference.median) and np.isfinite(row.median):
            row.columns[name] = reference.median / row.median


def _missing_row(bench, method, columns):
    bench.add(method, [float("nan")], note=MISSING, columns=columns)


# ------------------------------------------------------------------------------ corpora


def load_corpora():
    """Corpus name -> (documents, labels as str); whitespace-only documents dropped."""
    from statkit.datasets import get_data_home, load_rt_polarity, load_topics

    home = get_data_home()
    corpora = {}
    for name, loader in (("topics", load_topics), ("polarity", load_rt_polarity)):
        bunch = loader(data_home=home)
        names = [str(n) for n in bunch.target_names]
        keep = [i for i, doc in enumerate(bunch.data) if doc.strip()]
        corpora[name] = ([bunch.data[i] for i in keep], [names[bunch.target[i]] for i in keep])
    return corpora


def split(docs, labels):
    """The 80/20 stratified split with seed 0: train docs, test docs, train labels, test labels."""
    from sklearn.model_selection import train_test_split

    return train_test_split(docs, labels, test_size=0.2, random_state=0, stratify=labels)


def _with_values(model):
    """The fitted model with its term values computed (statkit computes them on first use).

    pyss3's ``fit`` ends by computing its values (``update_values``), so the
    fit times compare like with like only when statkit's include them too.
    """
    (model[-1] if hasattr(model, "steps") else model).confidence_values_  # noqa: B018
    return model


def _statkit_pipeline(params=None):
    from statkit.text import SS3Classifier, make_ss3_pipeline

    return make_ss3_pipeline(SS3Classifier(**(params or {})))


# ------------------------------------------------------------------------------- parity


def parity(corpora, quick):
    SS3, reason = load_pyss3()
    bench = Benchmark(
        "ss3_parity",
        quality_name="max relative difference of confidences",
        params={
            "pyss3": _pyss3_version() or reason,
            "defaults": DEFAULTS,
            "tuned": TUNED,
            "rtol_target": PARITY_RTOL,
        },
    )
    verdicts = []
    for corpus, (docs, labels) in corpora.items():
        train, test, y_train, _ = split(docs, labels)
        for setting, params in (("default", {}), ("tuned", TUNED[corpus])):
            shown = ", ".join(f"{k}={v:g}" for k, v in {**DEFAULTS, **params}.items())
            scopes = [("test split (fit on train)", train, y_train, test)]
            if not quick:
                scopes.append(("all documents (fit on all)", docs, labels, docs))
            for scope, fit_docs, fit_y, eval_docs in scopes:
                columns = {"corpus": corpus, "hyperparameters": f"{setting} ({shown})"}
                columns["compared on"] = scope
                columns["documents"] = len(eval_docs)
                start = _time.perf_counter()
                pipeline = _statkit_pipeline(params).fit(fit_docs, fit_y)
                counts = pipeline[0].transform(eval_docs)
                mine = pipeline[-1]._confidence(counts)
                my_labels = [str(c) for c in pipeline.predict(eval_docs)]
                seconds = _time.perf_counter() - start
                classes = [str(c) for c in pipeline[-1].classes_]
                columns["no known term"] = int(np.sum(mine.sum(axis=1) == 0))
                if SS3 is None:
                    bench.add("statkit vs pyss3", [seconds], note=MISSING, columns=columns)
                    verdicts.append(None)
                    continue
                start = _time.perf_counter()
                model = _pyss3_fit(SS3, fit_docs, fit_y, **params)
                theirs = _pyss3_confidence(model, eval_docs, classes)
                _clear_token_cache(model)
                their_labels = [str(c) for c in model.predict(eval_docs)]
                pyss3_seconds = _time.perf_counter() - start
                relative = max_relative_difference(mine, theirs)
                n_differ, n_ties, others = label_differences(
                    their_labels, my_labels, theirs, mine, classes
                )
                columns |= {
                    "max per-document relative difference": max_document_relative_difference(
                        mine, theirs
                    ),
                    "max abs difference": float(np.abs(mine - theirs).max()),
                    "labels equal": float(np.mean(np.array(my_labels) == np.array(their_labels))),
                    "labels differ": n_differ,
                    "at exact ties": n_ties,
                    "pyss3 fit + score s": pyss3_seconds,
                }
                ok = relative <= PARITY_RTOL and not others
                verdicts.append((f"{corpus}, {setting}, {scope}", relative, n_differ, others, ok))
                note = _verdict(ok)
                if others:
                    note += f"; labels differ off ties at documents {others[:10]}"
                bench.add(
                    "statkit vs pyss3", [seconds], quality=relative, note=note, columns=columns
                )
    lines = [
        "Targets (issue): confidence vectors equal within "
        f"{PARITY_RTOL:g} relative; labels differ only at exact ties.",
        "",
    ]
    if any(v is None for v in verdicts):
        lines.append(f"* {MISSING} ({reason}): parity not checked. MISSING")
    else:
        for label, relative, n_differ, others, ok in verdicts:
            lines.append(
                f"* {label}: max relative difference {relative:.3g}, {n_differ} labels differ "
                f"({len(others)} off ties): {_verdict(ok)}"
            )
        lines.append(f"* overall: {_verdict(all(v[-1] for v in verdicts))}")
    bench.summary = "\n".join(lines)
    return bench


# ----------------------------------------------------------------------------- accuracy


def _accuracy_methods(corpus):
    """(label, is pyss3, factory of an object with ``fit`` and ``predict`` on raw text)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    tuned = TUNED[corpus]
    shown = ", ".join(f"{k}={v:g}" for k, v in tuned.items())
    return [
        ("statkit make_ss3_pipeline() (defaults)", False, lambda: _statkit_pipeline()),
        (f"statkit make_ss3_pipeline() (tuned {shown})", False, lambda: _statkit_pipeline(tuned)),
        ("pyss3 SS3() (defaults)", True, _PySS3Model),
        (f"pyss3 SS3() (tuned {shown})", True, partial(_PySS3Model, **tuned)),
        (
            "TfidfVectorizer + MultinomialNB",
            False,
            lambda: make_pipeline(TfidfVectorizer(), MultinomialNB()),
        ),
        (
            "TfidfVectorizer + LogisticRegression(max_iter=2000)",
            False,
            lambda: make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000)),
        ),
    ]


def _fit_predict(factory, train, y_train, test):
    """Labels (str) of ``test`` from ``factory().fit(train, y_train)``."""
    return [str(c) for c in factory().fit(train, y_train).predict(test)]


class _PySS3Model:
    """pyss3's ``SS3`` behind ``fit`` (returning the model) and ``predict``."""

    def __init__(self, **params):
        self.params = params

    def fit(self, docs, labels):
        SS3, _ = load_pyss3()
        self.model_ = _pyss3_fit(SS3, docs, labels, **self.params)
        return self

    def predict(self, docs):
        return self.model_.predict(docs)


def accuracy(corpora, repeats, quick):
    from sklearn.metrics import accuracy_score, f1_score

    SS3, reason = load_pyss3()
    bench = Benchmark(
        "ss3_accuracy",
        quality_name="accuracy",
        quality_better="higher",
        params={
            "pyss3": _pyss3_version() or reason,
            "split": "80/20 stratified, random_state=0",
            "spec_pyss3_accuracy": SPEC_ACCURACY,
            "target_points": ACCURACY_POINTS,
        },
    )
    found = {}
    for corpus, (docs, labels) in corpora.items():
        train, test, y_train, y_test = split(docs, labels)
        columns = {"corpus": corpus, "train/test": f"{len(train)}/{len(test)}"}
        for label, is_pyss3, factory in _accuracy_methods(corpus):
            if is_pyss3 and SS3 is None:
                _missing_row(bench, label, columns)
                continue
            fit_predict = partial(_fit_predict, factory, train, y_train, test)
            warmup = 0 if is_pyss3 and quick else 1
            times, predicted = _timed(fit_predict, repeats, warmup)
            score = accuracy_score(y_test, predicted)
            found[corpus, label] = score
            bench.add(
                label,
                times,
                quality=score,
                columns=columns | {"macro-F1": f1_score(y_test, predicted, average="macro")},
            )

    def reference(row):
        wanted = [
            r
            for r in bench.rows
            if r.columns["corpus"] == row.columns["corpus"] and r.method == "pyss3 SS3() (defaults)"
        ]
        return wanted[0] if wanted else None

    _speedup_column(bench, reference)
    lines = [f"Target (issue): statkit within {ACCURACY_POINTS:g} points of pyss3 (defaults).", ""]
    for corpus in corpora:
        statkit = found[corpus, "statkit make_ss3_pipeline() (defaults)"]
        theirs = found.get((corpus, "pyss3 SS3() (defaults)"))
        if theirs is None:
            lines.append(
                f"* {corpus}: statkit {statkit:.4f}, pyss3 MISSING (spec: "
                f"{SPEC_ACCURACY[corpus]:.4f}): MISSING"
            )
            continue
        gap = 100 * abs(statkit - theirs)
        verdict = _verdict(gap <= ACCURACY_POINTS)
        lines.append(
            f"* {corpus}: statkit {statkit:.4f}, pyss3 {theirs:.4f} (spec: "
            f"{SPEC_ACCURACY[corpus]:.4f}), gap {gap:.2f} points: {verdict}"
        )
    bench.summary = "\n".join(lines)
    return bench


# -------------------------------------------------------------------------------- speed


def make_zipf_corpus(n_classes, n_words, docs_per_class, doc_length, seed, exponent=1.1):
    """Synthetic Zipf text: documents of lower-case letter words and their labels.

    Half of each class's tokens come from a Zipf law over the vocabulary shared
    by all classes, half from a Zipf law over a permutation of the vocabulary
    of the class's own. Labels are ``"c000"``, ``"c001"``, ...
    """
    rng = np.random.default_rng(seed)
    words = set()
    while len(words) < n_words:
        lengths = rng.integers(3, 10, n_words)
        letters = rng.integers(0, 26, (n_words, 9)).astype(np.uint8) + ord("a")
        words.update(row[:k].tobytes().decode() for row, k in zip(letters, lengths, strict=True))
    vocabulary = np.array(sorted(words)[:n_words])
    rng.shuffle(vocabulary)
    weights = np.arange(1, n_words + 1, dtype=np.float64) ** -exponent
    cumulative = np.cumsum(weights / weights.sum())
    docs, labels = [], []
    n_tokens = docs_per_class * doc_length
    for c in range(n_classes):
        ranks = np.minimum(np.searchsorted(cumulative, rng.random(n_tokens)), n_words - 1)
        own = rng.permutation(n_words)
        tokens = np.where(rng.random(n_tokens) < 0.5, ranks, own[ranks])
        for doc in vocabulary[tokens].reshape(docs_per_class, doc_length):
            docs.append(" ".join(doc))
        labels += [f"c{c:03d}"] * docs_per_class
    return docs, labels


def _speed_rows(bench, n_classes, sizes, repeats, quick):
    """The rows of one number of classes."""
    from sklearn.base import clone

    SS3, _ = load_pyss3()
    docs, labels = make_zipf_corpus(n_classes, sizes["words"], sizes["docs"], sizes["length"], SEED)
    train, test, y_train, y_test = split(docs, labels)
    y_test = np.asarray(y_test)
    slow = n_classes >= 200
    pyss3_repeats, pyss3_warmup = (1, 0) if slow else (repeats, 0 if quick else 1)
    pyss3_note = "1 run, no warm-up (slow)" if slow else ""

    def add(method, operation, data, times, quality=None, note="", **extra):
        columns = {"K": n_classes, "operation": operation, "input": data} | extra
        bench.add(method, times, quality=quality, note=note, columns=columns)

    # statkit, the pipeline on strings and the classifier on a count matrix.
    template = _statkit_pipeline()
    times, pipeline = _timed(lambda: _with_values(clone(template).fit(train, y_train)), repeats)
    add("statkit make_ss3_pipeline().fit", "fit", "strings", times)
    x_train, x_test = pipeline[0].transform(train), pipeline[0].transform(test)
    times, classifier = _timed(
        lambda: _with_values(clone(template[-1]).fit(x_train, y_train)), repeats
    )
    add("statkit SS3Classifier().fit", "fit", "count matrix", times)

    their_labels = their_scores = None
    if SS3 is not None:
        times, model = _timed(lambda: _pyss3_fit(SS3, train, y_train), pyss3_repeats, pyss3_warmup)
        add("pyss3 SS3().fit", "fit", "strings", times, note=pyss3_note)
        their_labels = np.array([str(c) for c in model.predict(test)])  # builds pyss3's caches
        their_scores = _pyss3_confidence(model, test, classifier.classes_)
    else:
        add("pyss3 SS3().fit", "fit", "strings", [float("nan")], note=MISSING)

    def agreement(predicted, scores):
        extra = {}
        if their_labels is not None:
            extra["labels = pyss3"] = float(np.mean(predicted == their_labels))
            extra["max rel diff vs pyss3"] = max_relative_difference(scores, their_scores)
            extra["max rel diff per document"] = max_document_relative_difference(
                scores, their_scores
            )
        return float(np.mean(predicted == y_test)), extra

    times, predicted = _timed(lambda: pipeline.predict(test), repeats)
    quality, extra = agreement(predicted, pipeline[-1]._confidence(x_test))
    add("statkit pipeline.predict", "predict", "strings", times, quality, **extra)
    times, predicted = _timed(lambda: classifier.predict(x_test), repeats)
    quality, extra = agreement(predicted, classifier._confidence(x_test))
    add("statkit SS3Classifier.predict", "predict", "count matrix", times, quality, **extra)
    if SS3 is not None:

        def pyss3_predict():
            _clear_token_cache(model)
            return np.array([str(c) for c in model.predict(test)])

        def pyss3_first_predict():
            model.__cv_cache__ = None  # as after fit: predict builds its dense cv cache first
            return pyss3_predict()

        predict_repeats, predict_warmup = min(repeats, 3) if slow else repeats, 0 if quick else 1
        for method, function, note in (
            ("pyss3 predict", pyss3_predict, "token cache cleared each call"),
            (
                "pyss3 first predict after fit",
                pyss3_first_predict,
                "token and cv caches cleared each call (not the reference)",
            ),
        ):
            times, predicted = _timed(function, predict_repeats, predict_warmup)
            accuracy = float(np.mean(predicted == y_test))
            add(method, "predict", "strings", times, accuracy, note)
    else:
        add("pyss3 predict", "predict", "strings", [float("nan")], note=MISSING)

    # A hyperparameter change, then predict again: s alternates, so every call changes it.
    def alternate(set_s):
        state = {"s": DEFAULTS["s"]}

        def change():
            state["s"] = 0.46 if state["s"] == 0.45 else 0.45
            return set_s(state["s"])

        return change

    times, predicted = _timed(
        alternate(lambda s: pipeline.set_params(ss3__s=s).predict(test)), repeats
    )
    add("statkit pipeline.set_params(ss3__s=…).predict", "change + predict", "strings", times)
    times, predicted = _timed(
        alternate(lambda s: classifier.set_params(s=s).predict(x_test)), repeats
    )
    add("statkit SS3Classifier.set_params(s=…).predict", "change + predict", "count matrix", times)
    if SS3 is not None:

        def pyss3_change(s):
            model.set_hyperparameters(s=s)
            return model.predict(test)

        times, _ = _timed(alternate(pyss3_change), pyss3_repeats, pyss3_warmup)
        note = "token cache kept (pyss3's own behaviour)" + ("; " + pyss3_note if slow else "")
        add(
            "pyss3 set_hyperparameters(s=…).predict",
            "change + predict",
            "strings",
            times,
            note=note,
        )
    else:
        add(
            "pyss3 set_hyperparameters(s=…).predict",
            "change + predict",
            "strings",
            [float("nan")],
            note=MISSING,
        )


def speed(quick, repeats):
    if quick:
        ks, sizes = (10, 50), {"words": 5_000, "docs": 10, "length": 60}
    else:
        ks, sizes = (50, 200), {"words": 20_000, "docs": 100, "length": 60}
    _, reason = load_pyss3()
    bench = Benchmark(
        "ss3_speed",
        quality_name="test accuracy",
        quality_better="higher",
        params={
            "pyss3": _pyss3_version() or reason,
            "classes": list(ks),
            "vocabulary": sizes["words"],
            "docs_per_class": sizes["docs"],
            "tokens_per_doc": sizes["length"],
            "zipf_exponent": 1.1,
            "class_specific_share": 0.5,
            "split": "80/20 stratified, random_state=0",
            "seed": SEED,
            "targets": {op: target for op, (target, _) in SPEEDUP_TARGETS.items()},
        },
    )
    for k in ks:
        _speed_rows(bench, k, sizes, repeats, quick)

    def reference(row):
        for other in bench.rows:
            if (
                other.method.startswith("pyss3")
                and other.columns["K"] == row.columns["K"]
                and other.columns["operation"] == row.columns["operation"]
            ):
                return other
        return None

    _speedup_column(bench, reference)
    like_for_like = {"fit": "strings", "predict": "strings", "change + predict": "count matrix"}
    lines = [
        "Targets (issue), like-for-like rows (fit and predict: the pipeline on strings; "
        "change + predict: the count matrix, as pyss3 reuses its tokenised test set):",
        "",
    ]
    for operation, (target, where) in SPEEDUP_TARGETS.items():
        for row in bench.rows:
            columns = row.columns
            if not row.method.startswith("statkit") or columns["operation"] != operation:
                continue
            k, speedup = columns["K"], columns.get("pyss3 s / s")
            targeted = k in where if where is not None else k >= 50
            main = targeted and columns["input"] == like_for_like[operation]
            if speedup is None:
                shown, verdict = "no pyss3 time", "MISSING"
            else:
                shown, verdict = f"{speedup:.1f}× faster than pyss3", _verdict(speedup >= target)
            if not main:
                verdict = f"informative ({verdict.lower()})"
            lines.append(
                f"* K={k}, {operation}, statkit on {columns['input']}: {shown}, "
                f"target ≥ {target:g}×: {verdict}"
            )
    for k in ks:
        first = [r for r in bench.rows if r.method == "pyss3 first predict after fit"]
        first = [r for r in first if r.columns["K"] == k]
        mine = [
            r for r in bench.rows if r.method == "statkit pipeline.predict" and r.columns["K"] == k
        ]
        if first and mine:
            speedup = first[0].median / mine[0].median
            lines.append(
                f"* K={k}, predict, statkit on strings against pyss3's first predict after a "
                f"fit (which builds pyss3's dense cv cache): {speedup:.1f}× faster, target "
                f"≥ {SPEEDUP_TARGETS['predict'][0]:g}×: informative "
                f"({_verdict(speedup >= SPEEDUP_TARGETS['predict'][0]).lower()})"
            )
    if quick:
        lines += ["", "--quick: smaller corpus and K; the targets are for the full sizes."]
    bench.summary = "\n".join(lines)
    return bench


# ----------------------------------------------------------------------------- pipeline


def pipeline_speed(corpora, repeats, quick):
    from statkit.text import ss3_preprocess

    SS3, reason = load_pyss3()
    docs, labels = corpora["polarity"]
    train, test, y_train, y_test = split(docs, labels)
    bench = Benchmark(
        "ss3_pipeline",
        quality_name="test accuracy",
        quality_better="higher",
        params={
            "pyss3": _pyss3_version() or reason,
            "corpus": "polarity",
            "train": len(train),
            "test": len(test),
        },
    )
    y_test = np.asarray(y_test)

    pyss3_warmup = 0 if quick else 1

    def add(method, operation, times, quality=None, note=""):
        bench.add(method, times, quality=quality, note=note, columns={"operation": operation})

    def accuracy_of(predicted):
        return float(np.mean(np.asarray([str(c) for c in predicted]) == y_test))

    times, predicted = _timed(
        lambda: _statkit_pipeline().fit(train, y_train).predict(test), repeats
    )
    add(
        "statkit make_ss3_pipeline().fit(train).predict(test)",
        "fit + predict",
        times,
        accuracy_of(predicted),
    )
    if SS3 is not None:

        def pyss3_end_to_end():
            return _pyss3_fit(SS3, train, y_train).predict(test)

        times, predicted = _timed(pyss3_end_to_end, repeats, pyss3_warmup)
        add(
            "pyss3 SS3().fit(train); .predict(test)", "fit + predict", times, accuracy_of(predicted)
        )
    else:
        add("pyss3 SS3().fit(train); .predict(test)", "fit + predict", [float("nan")], note=MISSING)

    times, pipeline = _timed(lambda: _with_values(_statkit_pipeline().fit(train, y_train)), repeats)
    add("statkit make_ss3_pipeline().fit(train)", "fit", times)
    if SS3 is not None:
        times, model = _timed(lambda: _pyss3_fit(SS3, train, y_train), repeats, pyss3_warmup)
        add("pyss3 SS3().fit(train)", "fit", times)
    else:
        add("pyss3 SS3().fit(train)", "fit", [float("nan")], note=MISSING)

    times, predicted = _timed(lambda: pipeline.predict(test), repeats)
    add("statkit pipeline.predict(test)", "predict", times, accuracy_of(predicted))
    if SS3 is not None:
        model.predict(test)  # builds pyss3's value cache once

        def pyss3_predict():
            _clear_token_cache(model)
            return model.predict(test)

        times, predicted = _timed(pyss3_predict, repeats, pyss3_warmup)
        add(
            "pyss3 predict(test)",
            "predict",
            times,
            accuracy_of(predicted),
            "token cache cleared each call",
        )
    else:
        add("pyss3 predict(test)", "predict", [float("nan")], note=MISSING)

    times, _ = _timed(lambda: [ss3_preprocess(doc) for doc in docs], repeats)
    add(f"statkit ss3_preprocess, all {len(docs)} documents", "preprocess", times)
    if SS3 is not None:
        from pyss3.util import Preproc

        times, _ = _timed(
            lambda: [Preproc.clean_and_ready(doc) for doc in docs], repeats, pyss3_warmup
        )
        add(f"pyss3 Preproc.clean_and_ready, all {len(docs)} documents", "preprocess", times)
    else:
        add("pyss3 Preproc.clean_and_ready", "preprocess", [float("nan")], note=MISSING)
    times, _ = _timed(lambda: _statkit_pipeline()[0].fit_transform(train), repeats)
    add("statkit CountVectorizer(ss3_preprocess).fit_transform(train)", "tokenise", times)

    def reference(row):
        for other in bench.rows:
            if (
                other.method.startswith("pyss3")
                and other.columns["operation"] == row.columns["operation"]
            ):
                return other
        return None

    _speedup_column(bench, reference)
    mine, theirs = bench.rows[0], bench.rows[1]
    if np.isfinite(theirs.median):
        speedup = theirs.median / mine.median
        verdict = f"{speedup:.2f}× faster: {_verdict(speedup > 1.0)}"
    else:
        verdict = "pyss3 MISSING: MISSING"
    bench.summary = (
        "Target (issue): the statkit pipeline faster than pyss3 end to end on polarity "
        f"(fit + predict, tokenisation included): {verdict}"
    )
    return bench


# ---------------------------------------------------------------------------------- run


def run(quick, repeats):
    """All four tables; ``repeats`` times every method (fewer for pyss3 at K = 200)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        load_pyss3()
        corpora = load_corpora()
        return [
            parity(corpora, quick),
            accuracy(corpora, repeats, quick),
            speed(quick, repeats),
            pipeline_speed(corpora, repeats, quick),
        ]
