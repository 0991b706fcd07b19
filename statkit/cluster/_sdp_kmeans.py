"""The Peng–Wei K-means SDP, solved matrix-free and rounded spectrally."""

import numbers
import warnings
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from statkit.cluster._cost import kmeans_costs
from statkit.cluster._input import check_n_clusters, to_host
from statkit.cluster._solvers import SOLVERS, resolve_solver, solve
from statkit.utils import get_namespace
from statkit.utils._validation import NumericInterval, check_generator


def spectral_labels(factors, n_clusters, rng):
    """K-means on the top ``n_clusters`` eigenvectors of ``Z = U U'`` (Peng–Wei rounding).

    The eigenvectors come from the thin SVD of the factor, never from Z.
    """
    U = factors.reshape(factors.shape[1], -1)
    left, singular, _ = np.linalg.svd(U, full_matrices=False)
    embedding = left[:, :n_clusters] * singular[:n_clusters]
    seed = int(rng.integers(np.iinfo(np.int32).max))
    return KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(embedding)


def peng_wei(X, n_clusters, solver, rank, rng, *, xp=None, **bm_options):
    """Solve the Peng–Wei SDP of X and round it.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
    solution : SDPSolution
    """
    costs = kmeans_costs(X, n_clusters)
    start = None
    if solver == "bm":
        seed = int(rng.integers(np.iinfo(np.int32).max))
        start = KMeans(n_clusters, n_init=1, random_state=seed).fit_predict(X)
    solution = solve(costs, solver, start, n_clusters, rank, rng, xp=xp, **bm_options)
    return spectral_labels(solution.factors, n_clusters, rng), solution


def warn_unconverged(solution, hint=""):
    """Warn when the SDP solver stopped before its tolerances were met."""
    if not solution.converged:
        warnings.warn(
            f"The {solution.solver} solver of the clustering SDP stopped after "
            f"{solution.n_iter} iterations before converging (largest row-sum violation "
            f"{solution.violation:.2g}); the labels may be off.{hint}",
            ConvergenceWarning,
            stacklevel=3,
        )


class SDPKMeans(ClusterMixin, BaseEstimator):
    """K-means by the Peng–Wei semidefinite relaxation, with spectral rounding.

    Solves ``max <X X', Z>`` over ``Z ⪰ 0, Z >= 0, tr(Z) = K, Z 1 = 1``
    (the K-means SDP of Peng and Wei, 2007) and rounds ``Z`` by K-means on its
    top K eigenvectors. The relaxation is tight for well-separated clusters,
    and unlike Lloyd's algorithm it does not depend on a start. It is the
    default start of :class:`ILASDP`.

    Parameters
    ----------
    n_clusters : int, default=3
        Number of clusters.
    solver : {"auto", "bm", "cvxpy"}, default="auto"
        ``"bm"``: the matrix-free nonnegative Burer–Monteiro solver (O(n p K)
        memory), warm-started from one k-means++ run. ``"cvxpy"``: the dense
        SDP with SCS (n of a few hundred at most). ``"auto"``: cvxpy up to 40
        points, BM beyond.
    rank : int, default=None
        Columns of the Burer–Monteiro factor; None is ``2 * n_clusters``.
    max_iter : int, default=20000
        Iterations of the Burer–Monteiro solver.
    tol : float, default=1e-6
        Relative change of the SDP objective that stops the solver.
    random_state : int, Generator or None, default=None
        Seeds the warm start and the rounding.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training point.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Mean of each cluster.
    inertia_ : float
        Within-cluster sum of squares of ``labels_``.
    objective_ : float
        The SDP optimum, ``<W, Z>`` with ``W_ij = ||x_i - x_j||^2 / 2`` (a lower
        bound of the K-means inertia).
    solver_ : str
        The solver used.
    n_iter_ : int
        Iterations of that solver.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    ILASDP : Likelihood-adjusted SDP for clusters with different covariances.
    sklearn.cluster.KMeans : Lloyd's algorithm.

    Examples
    --------
    >>> from statkit.cluster import SDPKMeans
    >>> from statkit.datasets import make_heterogeneous_blobs
    >>> X, y = make_heterogeneous_blobs(n_samples=90, random_state=0)
    >>> model = SDPKMeans(n_clusters=3, random_state=0).fit(X)
    >>> model.labels_.shape
    (90,)
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
        "rank": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [NumericInterval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self, n_clusters=3, *, solver="auto", rank=None, max_iter=20000, tol=1e-6, random_state=None
    ):
        self.n_clusters = n_clusters
        self.solver = solver
        self.rank = rank
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Solve the K-means SDP of X and round it to labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (a CuPy array runs the BM solver on the GPU).
        y : None
            Ignored.

        Returns
        -------
        self : SDPKMeans
        """
        xp, on_gpu = get_namespace(X)
        X = validate_data(self, to_host(X), dtype=np.float64)
        check_n_clusters(X, self.n_clusters)
        solver = resolve_solver(self.solver, len(X))
        rng = check_generator(self.random_state)
        rank = self.rank or 2 * self.n_clusters
        labels, solution = peng_wei(
            X,
            self.n_clusters,
            solver,
            rank,
            rng,
            xp=xp if on_gpu else None,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        warn_unconverged(solution, " Raise max_iter.")
        centers = np.stack([X[labels == k].mean(axis=0) for k in range(self.n_clusters)])
        self.labels_ = labels
        self.cluster_centers_ = centers
        self.inertia_ = float(np.sum((X - centers[labels]) ** 2))
        self.objective_ = solution.objective
        self.solver_ = solver
        self.n_iter_ = solution.n_iter
        return self

    def predict(self, X):
        """Assign each row of X to the nearest cluster centre.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, to_host(X), dtype=np.float64, reset=False)
        return pairwise_distances_argmin(X, self.cluster_centers_)
