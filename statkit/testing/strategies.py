"""Hypothesis strategies for property-based tests of statkit and of code using it.

Each strategy draws inputs that statkit's estimators accept; families add
their own here (sequences with ``lengths``, count matrices, ...).

Examples
--------
>>> from hypothesis import given
>>> from statkit.testing.strategies import survival_data
>>> @given(survival_data(max_size=20))
... def test_times_are_non_negative(data):
...     time, event = data
...     assert (time >= 0).all()
>>> test_times_are_non_negative()
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "count_matrices",
    "finite_float_matrices",
    "gaussian_clusters",
    "holdout_queries",
    "label_vectors",
    "leaderboard_submissions",
    "search_spaces",
    "state_sequences",
    "survival_data",
]


def _check_size_range(name_min, min_value, name_max, max_value, lower=0):
    if min_value < lower:
        raise ValueError(f"{name_min} must be >= {lower}; got {min_value}.")
    if max_value < min_value:
        raise ValueError(f"{name_max} must be >= {name_min}; got {max_value} < {min_value}.")


@st.composite
def finite_float_matrices(
    draw,
    *,
    min_rows=1,
    max_rows=50,
    min_cols=1,
    max_cols=10,
    min_value=-1e6,
    max_value=1e6,
):
    """Float64 matrices of finite values with a random shape.

    Parameters
    ----------
    min_rows, max_rows, min_cols, max_cols : int
        Bounds on the shape (inclusive).
    min_value, max_value : float
        Bounds on the entries.

    Returns
    -------
    strategy : SearchStrategy of ndarray of shape (n_rows, n_cols)

    Examples
    --------
    >>> from hypothesis import find
    >>> from statkit.testing.strategies import finite_float_matrices
    >>> find(finite_float_matrices(max_rows=3, max_cols=2), lambda X: X.shape[1] == 2)
    array([[0., 0.]])
    """
    _check_size_range("min_rows", min_rows, "max_rows", max_rows, lower=1)
    _check_size_range("min_cols", min_cols, "max_cols", max_cols, lower=1)
    n_rows = draw(st.integers(min_rows, max_rows))
    n_cols = draw(st.integers(min_cols, max_cols))
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    return draw(hnp.arrays(np.float64, (n_rows, n_cols), elements=elements))


@st.composite
def survival_data(
    draw, *, min_size=1, max_size=100, max_time=1000.0, integer_times=None, censoring=True
):
    """Right-censored survival data ``(time, event)``.

    Parameters
    ----------
    min_size, max_size : int
        Bounds on the number of subjects (inclusive).
    max_time : float
        Largest possible time; times lie in ``[0, max_time]``.
    integer_times : bool, default=None
        Whole-number times (many ties, like days) or continuous ones; None
        lets hypothesis choose.
    censoring : bool, default=True
        Whether some subjects may be censored (``event`` False); when False
        every event is observed.

    Returns
    -------
    strategy : SearchStrategy of (ndarray of float, ndarray of bool)

    Examples
    --------
    >>> from hypothesis import find
    >>> from statkit.testing.strategies import survival_data
    >>> find(survival_data(max_size=5), lambda data: data[1].any())
    (array([0.]), array([ True]))
    """
    _check_size_range("min_size", min_size, "max_size", max_size, lower=1)
    if not max_time > 0:
        raise ValueError(f"max_time must be > 0; got {max_time}.")
    n = draw(st.integers(min_size, max_size))
    if integer_times is None:
        integer_times = draw(st.booleans())
    if integer_times:
        values = st.integers(0, int(max_time)).map(float)
    else:
        values = st.floats(0.0, max_time, allow_nan=False, allow_infinity=False)
    time = draw(hnp.arrays(np.float64, n, elements=values))
    event = draw(hnp.arrays(np.bool_, n)) if censoring else np.ones(n, dtype=bool)
    return time, event


@st.composite
def label_vectors(draw, *, min_size=2, max_size=100, min_classes=2, max_classes=5, dtype=int):
    """Class-label vectors in which every one of the drawn classes appears.

    Parameters
    ----------
    min_size, max_size : int
        Bounds on the length (inclusive); ``max_size`` must allow every class.
    min_classes, max_classes : int
        Bounds on the number of distinct classes.
    dtype : {int, str}, default=int
        Integer labels ``0..k-1`` or string labels ``"class_0"...``.

    Returns
    -------
    strategy : SearchStrategy of ndarray

    Examples
    --------
    >>> from hypothesis import find
    >>> from statkit.testing.strategies import label_vectors
    >>> find(label_vectors(dtype=str), lambda y: True)
    array(['class_0', 'class_1'], dtype='<U7')
    """
    _check_size_range("min_classes", min_classes, "max_classes", max_classes, lower=1)
    _check_size_range("min_size", min_size, "max_size", max_size, lower=1)
    if max_size < min_classes:
        raise ValueError(f"max_size ({max_size}) must be >= min_classes ({min_classes}).")
    if dtype not in (int, str):
        raise ValueError(f"dtype must be int or str; got {dtype!r}.")
    n = draw(st.integers(max(min_size, min_classes), max_size))
    k = draw(st.integers(min_classes, min(max_classes, n)))
    # Every class once, then the rest drawn freely, then shuffled.
    extra = draw(hnp.arrays(np.int64, n - k, elements=st.integers(0, k - 1)))
    order = draw(st.permutations(range(n)))
    labels = np.concatenate([np.arange(k), extra])[list(order)]
    if dtype is str:
        return np.array([f"class_{label}" for label in labels])
    return labels


@st.composite
def holdout_queries(draw, *, min_size=1, max_size=50, value_range=(0.0, 1.0)):
    """Query values ``(train_values, holdout_values)`` for a holdout mechanism.

    Parameters
    ----------
    min_size, max_size : int
        Bounds on the number of queries (inclusive).
    value_range : tuple of float, default=(0.0, 1.0)
        The range the values lie in (a :class:`~statkit.model_selection.Thresholdout`'s
        ``value_range``).

    Returns
    -------
    strategy : SearchStrategy of (ndarray of float, ndarray of float)
        Two arrays of the same length.

    Examples
    --------
    >>> from hypothesis import find
    >>> from statkit.testing.strategies import holdout_queries
    >>> find(holdout_queries(), lambda q: True)
    (array([0.]), array([0.]))
    """
    _check_size_range("min_size", min_size, "max_size", max_size, lower=1)
    low, high = value_range
    if not low < high:
        raise ValueError(f"value_range must have low < high; got {value_range!r}.")
    n = draw(st.integers(min_size, max_size))
    values = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return (
        draw(hnp.arrays(np.float64, n, elements=values)),
        draw(hnp.arrays(np.float64, n, elements=values)),
    )


@st.composite
def leaderboard_submissions(draw, *, min_examples=2, max_examples=50, max_submissions=20):
    """Binary holdout labels and a sequence of submitted predictions for a leaderboard.

    Parameters
    ----------
    min_examples, max_examples : int
        Bounds on the number of holdout examples (inclusive).
    max_submissions : int
        The most submissions drawn (at least one).

    Returns
    -------
    strategy : SearchStrategy of (ndarray of int, list of ndarray of int)
        The labels and the predictions, each of the labels' length.

    Examples
    --------
    >>> from hypothesis import find
    >>> from statkit.testing.strategies import leaderboard_submissions
    >>> labels, submissions = find(leaderboard_submissions(), lambda s: True)
    >>> labels, len(submissions)
    (array([0, 0]), 1)
    """
    _check_size_range("min_examples", min_examples, "max_examples", max_examples, lower=1)
    _check_size_range("1", 1, "max_submissions", max_submissions, lower=1)
    n = draw(st.integers(min_examples, max_examples))
    binary = hnp.arrays(np.int64, n, elements=st.integers(0, 1))
    labels = draw(binary)
    return labels, draw(st.lists(binary, min_size=1, max_size=max_submissions))


@st.composite
def count_matrices(draw, *, min_docs=2, max_docs=30, max_terms=20, max_classes=4, max_count=5):
    """A document-term count matrix and class labels in which every class appears.

    What :class:`statkit.text.SS3Classifier` (and any classifier after a
    ``CountVectorizer``) takes: non-negative integer counts, some documents
    possibly empty.

    Parameters
    ----------
    min_docs, max_docs : int
        Bounds on the number of documents (inclusive); at least 2.
    max_terms : int
        The most terms (columns).
    max_classes : int
        The most classes (at least 2 are drawn).
    max_count : int
        The largest count of a term in a document.

    Returns
    -------
    strategy : SearchStrategy of (ndarray of int64, ndarray of int)
        ``X`` of shape (n_docs, n_terms) and ``y`` of shape (n_docs,).

    Examples
    --------
    >>> from hypothesis import find
    >>> from statkit.testing.strategies import count_matrices
    >>> X, y = find(count_matrices(), lambda data: True)
    >>> X.shape, y.tolist()
    ((2, 1), [0, 1])
    """
    _check_size_range("min_docs", min_docs, "max_docs", max_docs, lower=2)
    _check_size_range("2", 2, "max_classes", max_classes, lower=2)
    _check_size_range("1", 1, "max_terms", max_terms, lower=1)
    y = draw(label_vectors(min_size=min_docs, max_size=max_docs, max_classes=max_classes))
    n_terms = draw(st.integers(1, max_terms))
    X = draw(hnp.arrays(np.int64, (y.size, n_terms), elements=st.integers(0, max_count)))
    return X, y


@st.composite
def state_sequences(
    draw, *, n_states=2, min_order=0, max_order=2, max_sequences=3, max_length=40, soft=True
):
    """Draw series with ``lengths`` and plausibilities, as :class:`statkit.hmm.ARPHMM` takes them.

    Draws an AR order, one to ``max_sequences`` sequences (each long enough for
    that order), finite values and, with ``soft``, per-step plausibilities in
    [0, 1] whose rows are not all zero (a mix of all-ones rows, one-hot rows
    and soft rows).

    Parameters
    ----------
    n_states : int, default=2
        Width of the plausibility rows.
    min_order, max_order : int
        Bounds on the AR order (inclusive).
    max_sequences : int, default=3
        Upper bound on the number of sequences.
    max_length : int, default=40
        Upper bound on each sequence's length.
    soft : bool, default=True
        Draw plausibilities; otherwise ``plausibility`` is None.

    Returns
    -------
    strategy : SearchStrategy of tuple
        ``(X, lengths, plausibility, ar_order)`` with ``X`` of shape
        (n_samples, 1) and ``plausibility`` of shape (n_samples, n_states) or None.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from statkit.testing.strategies import state_sequences
    >>> @settings(max_examples=5)
    ... @given(state_sequences())
    ... def test_lengths_add_up(data):
    ...     X, lengths, plausibility, ar_order = data
    ...     assert lengths.sum() == X.shape[0] and min(lengths) > ar_order
    >>> test_lengths_add_up()
    """
    _check_size_range("min_order", min_order, "max_order", max_order)
    ar_order = draw(st.integers(min_order, max_order))
    if max_length <= ar_order:
        raise ValueError(f"max_length must exceed max_order; got {max_length} <= {ar_order}.")
    lengths = np.array(
        draw(st.lists(st.integers(ar_order + 1, max_length), min_size=1, max_size=max_sequences))
    )
    n = int(lengths.sum())
    values = draw(hnp.arrays(np.float64, n, elements=st.floats(-10, 10, width=32)))
    plausibility = None
    if soft:
        kinds = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 2)))
        soft_rows = draw(hnp.arrays(np.float64, (n, n_states), elements=st.floats(0, 1, width=32)))
        plausibility = np.ones((n, n_states))
        one_hot = np.eye(n_states)[
            draw(hnp.arrays(np.int64, n, elements=st.integers(0, n_states - 1)))
        ]
        plausibility[kinds == 1] = one_hot[kinds == 1]
        plausibility[kinds == 2] = soft_rows[kinds == 2]
        plausibility[plausibility.max(axis=1) == 0, 0] = 1.0
    return values[:, None], lengths, plausibility, ar_order


@st.composite
def gaussian_clusters(
    draw, *, min_clusters=1, max_clusters=4, max_features=4, min_cluster_size=2, max_cluster_size=30
):
    """Draw Gaussian clusters, each with its own mean and covariance, for :mod:`statkit.cluster`.

    Draws the number of clusters and of features, a size per cluster, well
    or badly separated means (scale 0 to 10) and a random positive definite
    covariance per cluster (condition number up to about 100); the points are
    drawn from a seed, so shrinking keeps them Gaussian.

    Parameters
    ----------
    min_clusters, max_clusters : int
        Bounds on the number of clusters (inclusive).
    max_features : int, default=4
        Upper bound on the number of features.
    min_cluster_size, max_cluster_size : int
        Bounds on the points per cluster (inclusive).

    Returns
    -------
    strategy : SearchStrategy of tuple
        ``(X, y)``: the points, shape (n_samples, n_features), and the cluster
        of each, labels ``0 .. n_clusters - 1``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from statkit.testing.strategies import gaussian_clusters
    >>> @settings(max_examples=5)
    ... @given(gaussian_clusters(min_clusters=2))
    ... def test_every_cluster_has_points(data):
    ...     X, y = data
    ...     assert len(set(y.tolist())) >= 2 and len(X) == len(y)
    >>> test_every_cluster_has_points()
    """
    _check_size_range("min_clusters", min_clusters, "max_clusters", max_clusters, lower=1)
    _check_size_range(
        "min_cluster_size", min_cluster_size, "max_cluster_size", max_cluster_size, lower=1
    )
    n_clusters = draw(st.integers(min_clusters, max_clusters))
    n_features = draw(st.integers(1, max_features))
    sizes = draw(
        st.lists(
            st.integers(min_cluster_size, max_cluster_size),
            min_size=n_clusters,
            max_size=n_clusters,
        )
    )
    separation = draw(st.floats(0.0, 10.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    means = separation * rng.standard_normal((n_clusters, n_features))
    X, y = [], []
    for k, size in enumerate(sizes):
        rotation, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
        scales = 10.0 ** rng.uniform(-1.0, 0.0, n_features)
        X.append(means[k] + (rng.standard_normal((size, n_features)) * scales) @ rotation.T)
        y.append(np.full(size, k))
    return np.concatenate(X), np.concatenate(y)


_DIMENSION_KINDS = ("real", "integer", "categorical")


@st.composite
def search_spaces(
    draw,
    *,
    min_dims=1,
    max_dims=4,
    kinds=_DIMENSION_KINDS,
    log_uniform=True,
    plain=True,
    min_points=1,
    max_points=5,
):
    """Draw search spaces of :mod:`statkit.optimize` and points inside them.

    Each dimension is a :class:`~statkit.optimize.Real` (uniform, or
    log-uniform with ``low > 0``; bounds from about 1e-6 to 1e6 in size), an
    :class:`~statkit.optimize.Integer` (uniform or log-uniform), or a
    :class:`~statkit.optimize.Categorical` with two to five distinct hashable
    categories (small integers, short strings, None); some are named. With
    ``plain``, some are given as a ``Space`` also takes them: a
    ``(low, high)`` or ``(low, high, prior)`` tuple, or a list of categories.
    The points hold one value per dimension, of the type the dimension gives
    back from ``inverse_transform`` (float, int or the category itself), the
    bounds included among the values drawn.

    Parameters
    ----------
    min_dims, max_dims : int
        Bounds on the number of dimensions (inclusive).
    kinds : sequence of {"real", "integer", "categorical"}, default=all three
        The kinds of dimension to draw.
    log_uniform : bool, default=True
        Whether real and integer dimensions may be log-uniform.
    plain : bool, default=True
        Whether some dimensions are plain tuples or lists of categories.
    min_points, max_points : int
        Bounds on the number of points (inclusive).

    Returns
    -------
    strategy : SearchStrategy of tuple
        ``(dimensions, points)``: a list that ``Space(dimensions)`` accepts,
        and a list of points, each a list with one value per dimension.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from statkit.optimize import Space
    >>> from statkit.testing.strategies import search_spaces
    >>> @settings(max_examples=5)
    ... @given(search_spaces(max_dims=3))
    ... def test_points_map_into_the_unit_cube(data):
    ...     dimensions, points = data
    ...     U = Space(dimensions).transform(points)
    ...     assert U.shape[0] == len(points) and ((U >= 0) & (U <= 1)).all()
    >>> test_points_map_into_the_unit_cube()
    """
    from statkit.optimize import Categorical, Integer, Real, Space

    _check_size_range("min_dims", min_dims, "max_dims", max_dims, lower=1)
    _check_size_range("min_points", min_points, "max_points", max_points, lower=1)
    kinds = tuple(kinds)
    unknown = sorted(set(kinds) - set(_DIMENSION_KINDS))
    if not kinds or unknown:
        raise ValueError(f"kinds must be a non-empty subset of {_DIMENSION_KINDS}; got {kinds}.")
    n_dims = draw(st.integers(min_dims, max_dims))
    named = draw(st.booleans())
    dimensions = []
    for i in range(n_dims):
        kind = draw(st.sampled_from(kinds))
        as_plain = plain and draw(st.booleans())
        name = f"x{i}" if named and not as_plain else None
        if kind == "categorical":
            categories = draw(
                st.lists(
                    st.none() | st.integers(-10, 10) | st.text("abcxyz_", max_size=4),
                    min_size=2,
                    max_size=5,
                    unique=True,
                )
            )
            dimensions.append(categories if as_plain else Categorical(categories, name=name))
            continue
        prior = "log-uniform" if log_uniform and draw(st.booleans()) else "uniform"
        if kind == "integer":
            low = draw(st.integers(1, 1000) if prior == "log-uniform" else st.integers(-1000, 1000))
            high = low + draw(st.integers(1, 1000))
        elif prior == "log-uniform":
            low = 10.0 ** draw(st.floats(-6.0, 3.0))
            high = low * 10.0 ** draw(st.floats(0.01, 6.0))
        else:
            low = draw(st.floats(-1e6, 1e6))
            high = low + max(abs(low), 1.0) * 10.0 ** draw(st.floats(-6.0, 0.0))
            if not high > low:  # pragma: no cover - the width is far above low's rounding
                high = float(np.nextafter(low, np.inf))
        if as_plain:
            dimensions.append((low, high) if prior == "uniform" else (low, high, prior))
        elif kind == "integer":
            dimensions.append(Integer(low, high, prior, name=name))
        else:
            dimensions.append(Real(low, high, prior, name=name))

    values = []
    for dimension in Space(dimensions).dimensions:  # plain forms resolved as Space reads them
        if isinstance(dimension, Categorical):
            values.append(st.sampled_from(dimension.categories))
        elif isinstance(dimension, Integer):
            values.append(st.integers(int(dimension.low), int(dimension.high)))
        else:
            low, high = float(dimension.low), float(dimension.high)
            values.append(st.sampled_from([low, high]) | st.floats(low, high))
    n_points = draw(st.integers(min_points, max_points))
    points = [[draw(value) for value in values] for _ in range(n_points)]
    return dimensions, points
