"""The GPU path of SS3 scoring, written against the array namespace it is given.

Scoring is one dense product, ``X @ cv.T``, so a large batch of documents on a
GPU (a CuPy count matrix) is scored where it lives; the term values, a small
(n_classes, n_features) matrix, are computed on the host and copied over.
CI runs this module under ``array-api-strict`` and checks it against the
NumPy path.
"""


def confidence_scores(X, weights, xp):
    """SS3 confidence vectors of a dense count matrix in namespace ``xp``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Term counts, in namespace ``xp`` (a CuPy array on the GPU).
    weights : ndarray of shape (n_classes, n_features)
        The confidence values used for scoring (host NumPy array).
    xp : module
        The array namespace of ``X``.

    Returns
    -------
    scores : array of shape (n_samples, n_classes)
        In namespace ``xp``.

    Raises
    ------
    ValueError
        ``X`` is not 2-D with ``n_features`` columns, or holds negative,
        NaN or infinite values.
    """
    if X.ndim != 2 or X.shape[1] != weights.shape[1]:
        raise ValueError(
            f"X must be a 2-D count matrix with {weights.shape[1]} columns; got shape {X.shape}."
        )
    X = xp.astype(X, xp.float64)
    if bool(xp.any(~xp.isfinite(X))) or bool(xp.any(X < 0)):
        raise ValueError("X must hold non-negative finite term counts.")
    W = xp.asarray(weights, dtype=xp.float64)
    return xp.matmul(X, xp.matrix_transpose(W))
