"""The iterative likelihood-adjusted SDP (iLA-SDP) clustering estimator."""

import numbers
import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from joblib import Parallel
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from statkit.cluster._cost import likelihood_costs
from statkit.cluster._gaussian import (
    GaussianComponents,
    classification_objective,
    covariance_ridge,
    fit_components,
)
from statkit.cluster._input import check_n_clusters, to_host
from statkit.cluster._sdp_kmeans import peng_wei, warn_unconverged
from statkit.cluster._sketch import stratified_sample
from statkit.cluster._solvers import SOLVERS, resolve_solver, solve
from statkit.utils import delayed, get_namespace
from statkit.utils._progress import ConvergenceMonitor
from statkit.utils._validation import NumericInterval, check_generator


@dataclass(frozen=True)
class _Run:
    """The outcome of one start of iLA-SDP."""

    labels: np.ndarray
    membership: np.ndarray
    components: GaussianComponents
    monitor: ConvergenceMonitor
    n_iter: int
    converged: bool


def initial_labels(X, n_clusters, init, solver, rng, xp=None):
    """The starting partition: the Peng–Wei SDP, k-means, or labels given by the user."""
    if isinstance(init, str) and init == "sdp":
        labels, solution = peng_wei(X, n_clusters, solver, 2 * n_clusters, rng, xp=xp)
        warn_unconverged(solution)
        return labels
    if isinstance(init, str) and init == "kmeans":
        seed = int(rng.integers(np.iinfo(np.int32).max))
        return KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(X)
    return init


def ila_sdp(
    X, init, n_clusters, *, solver, rank, max_iter, tol, ridge, use_weights, verbose, seed, xp=None
):
    """Alternate covariance estimation and the LA-SDP from the partition ``init`` gives.

    Each round re-estimates the clusters' covariances (and proportions) from
    the current labels, solves the LA-SDP with them (Burer–Monteiro warm-started
    from the labels) and rounds the memberships ``Z_k 1`` to new labels. It
    stops when the labels repeat, when the per-sample objective changes by
    less than ``tol``, or after ``max_iter`` rounds.
    """
    rng = np.random.default_rng(seed)
    monitor = ConvergenceMonitor(tol, max_iter + 1, verbose, name="-2 loglik/n")
    labels = initial_labels(X, n_clusters, init, solver, rng, xp=xp)
    components = fit_components(X, labels, n_clusters, ridge)
    monitor.report(classification_objective(X, labels, components, use_weights))
    membership = np.eye(n_clusters)[labels]
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        costs = likelihood_costs(
            X, components.covariances, components.weights if use_weights else None
        )
        solution = solve(costs, solver, labels, n_clusters, rank, rng, xp=xp)
        warn_unconverged(solution)
        new_labels = np.argmax(solution.membership, axis=1)
        empty = np.flatnonzero(np.bincount(new_labels, minlength=n_clusters) == 0)
        if empty.size:
            warnings.warn(
                f"The LA-SDP emptied cluster {int(empty[0])}; iLA-SDP stops at the labels of "
                "the previous round. Fewer clusters may fit the data better (see bic).",
                ConvergenceWarning,
                stacklevel=2,
            )
            break
        membership = solution.membership
        if np.array_equal(new_labels, labels):
            converged = True
            break
        labels = new_labels
        components = fit_components(X, labels, n_clusters, ridge)
        monitor.report(classification_objective(X, labels, components, use_weights))
        if abs(monitor.history[-1] - monitor.history[-2]) < tol:
            converged = True
            break
    return _Run(labels, membership, components, monitor, n_iter, converged)


class ILASDP(ClusterMixin, BaseEstimator):
    """Clustering of Gaussian data with cluster-specific covariances by iterative LA-SDP.

    The iterative likelihood-adjusted SDP of Zhuang, Chen and Yang (ICML 2023):
    the labels are parameters of the exact Gaussian classification
    likelihood, the centroids are profiled out, and each cluster k gets its
    own membership matrix ``Z_k`` and cost ``W_k[i, j] = ||x_i - x_j||^2_{S_k} / 2
    + log|Sigma_k| - 2 log pi_k`` (``S_k = Sigma_k^{-1}``). Each round solves

        min sum_k <W_k, Z_k>  s.t.  Z_k ⪰ 0, Z_k >= 0, tr(Z_k) = 1, sum_k Z_k 1 = 1,

    rounds the memberships ``Z_k 1`` to labels and re-estimates the
    covariances. It fixes K-means and Peng–Wei where covariances differ, and
    unlike EM it does not get stuck in the bad local optima of two close
    clusters next to a far one.

    Parameters
    ----------
    n_clusters : int, default=3
        Number of clusters.
    init : {"sdp", "kmeans"} or array-like of shape (n_samples,), default="sdp"
        Starting partition: the Peng–Wei SDP (:class:`SDPKMeans`), k-means
        (10 k-means++ starts), or the given labels in ``0 .. n_clusters - 1``.
    solver : {"auto", "bm", "cvxpy"}, default="auto"
        ``"bm"``: the matrix-free nonnegative Burer–Monteiro solver (memory
        O(n p K), no n x n matrix), warm-started from the current labels.
        ``"cvxpy"``: the dense SDP with SCS (the reference; a few hundred points
        at most). ``"auto"``: cvxpy up to 40 points, BM beyond.
    rank : int, default=2
        Columns of each cluster's Burer–Monteiro factor.
    max_iter : int, default=10
        Maximum number of rounds.
    tol : float, default=1e-4
        Change of the per-sample objective (-2 log-likelihood / n) that ends
        the rounds; they also end when the labels repeat.
    covariance_reg : float, default=1e-3
        Ridge added to every covariance, relative to the mean variance of X;
        it keeps the covariance of a cluster with few points invertible.
    use_weights : bool, default=True
        Include the cluster proportions (the ``-2 log pi_k`` term) in the
        likelihood, and in ``predict_proba``.
    sketch_size : int, default=None
        Sketch-and-lift: solve on a subsample of this many points, stratified
        by a pilot k-means, then label every point by the fitted Gaussian
        components. None solves on all points.
    n_init : int, default=1
        Number of starts (each with its own seed); the one with the lowest
        final objective is kept. They run in parallel with ``n_jobs``.
    n_jobs : int, default=None
        Number of parallel starts (joblib; ``joblib.parallel_config`` picks the
        backend, e.g. Dask).
    random_state : int, Generator or None, default=None
        Seeds the starts, the solver's warm-start noise and the sketch.
    verbose : int, default=0
        Print the objective of each round to stderr.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training point.
    membership_ : ndarray of shape (n_samples, n_clusters)
        Soft memberships from the last SDP (``Z_k 1``); with a sketch, the
        posterior probabilities of the fitted components.
    means_ : ndarray of shape (n_clusters, n_features)
        Mean of each cluster.
    covariances_ : ndarray of shape (n_clusters, n_features, n_features)
        Regularised cluster covariances.
    weights_ : ndarray of shape (n_clusters,)
        Cluster proportions.
    objective_ : float
        Final -2 classification log-likelihood per sample.
    monitor_ : ConvergenceMonitor
        Objective after each round (``monitor_.history``).
    n_iter_ : int
        Number of rounds.
    converged_ : bool
        Whether the rounds stopped by convergence rather than ``max_iter``.
    solver_ : str
        The solver used.
    sketch_indices_ : ndarray or None
        Rows of X the SDP was solved on, when sketching.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    SDPKMeans : The Peng–Wei K-means SDP, the default start.
    sklearn.mixture.GaussianMixture : EM for the same model.

    Examples
    --------
    >>> from statkit.cluster import ILASDP, misclustering_error
    >>> from statkit.datasets import make_heterogeneous_blobs
    >>> X, y = make_heterogeneous_blobs(n_samples=150, random_state=0)
    >>> model = ILASDP(n_clusters=3, random_state=0).fit(X)
    >>> misclustering_error(y, model.labels_) < 0.1
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "init": [StrOptions({"sdp", "kmeans"}), "array-like"],
        "solver": [StrOptions(set(SOLVERS))],
        "rank": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [NumericInterval(numbers.Real, 0, None, closed="left")],
        "covariance_reg": [NumericInterval(numbers.Real, 0, None, closed="neither")],
        "use_weights": ["boolean"],
        "sketch_size": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state", np.random.Generator],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=3,
        *,
        init="sdp",
        solver="auto",
        rank=2,
        max_iter=10,
        tol=1e-4,
        covariance_reg=1e-3,
        use_weights=True,
        sketch_size=None,
        n_init=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.solver = solver
        self.rank = rank
        self.max_iter = max_iter
        self.tol = tol
        self.covariance_reg = covariance_reg
        self.use_weights = use_weights
        self.sketch_size = sketch_size
        self.n_init = n_init
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster X by iLA-SDP, keeping the best of ``n_init`` starts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (a CuPy array runs the BM solver on the GPU).
        y : None
            Ignored.

        Returns
        -------
        self : ILASDP
        """
        xp, on_gpu = get_namespace(X)
        X = validate_data(self, to_host(X), dtype=np.float64, ensure_min_samples=2)
        check_n_clusters(X, self.n_clusters)
        rng = check_generator(self.random_state)
        sketch = None
        if self.sketch_size is not None and self.sketch_size < len(X):
            if self.sketch_size < self.n_clusters:
                raise ValueError(
                    f"sketch_size={self.sketch_size} must be at least n_clusters={self.n_clusters}."
                )
            sketch = stratified_sample(X, self.sketch_size, self.n_clusters, rng)
        X_fit = X if sketch is None else X[sketch]
        init = self._check_init(len(X_fit), sketch)
        if sketch is not None:
            check_n_clusters(X_fit, self.n_clusters)
        solver = resolve_solver(self.solver, len(X_fit))
        seeds = rng.integers(np.iinfo(np.int32).max, size=self.n_init)
        options = {
            "solver": solver,
            "rank": self.rank,
            "max_iter": self.max_iter,
            "tol": self.tol,
            "ridge": covariance_ridge(X_fit, self.covariance_reg),
            "use_weights": self.use_weights,
            "verbose": self.verbose,
            "xp": xp if on_gpu else None,
        }
        runs = Parallel(n_jobs=self.n_jobs)(
            delayed(ila_sdp)(X_fit, init, self.n_clusters, seed=int(seed), **options)
            for seed in seeds
        )
        best = min(runs, key=lambda run: run.monitor.history[-1])
        if not best.converged:
            warnings.warn(
                f"iLA-SDP did not converge in max_iter={self.max_iter} rounds; the labels "
                "may still change. Raise max_iter.",
                ConvergenceWarning,
                stacklevel=2,
            )
        if sketch is None:
            labels, membership = best.labels, best.membership
        else:
            membership = best.components.posterior(X, self.use_weights)
            labels = np.argmax(membership, axis=1)
        self.labels_ = labels
        self.membership_ = membership
        self.means_ = best.components.means
        self.covariances_ = best.components.covariances
        self.weights_ = best.components.weights
        self.objective_ = best.monitor.history[-1]
        self.monitor_ = best.monitor
        self.n_iter_ = best.n_iter
        self.converged_ = best.converged
        self.solver_ = solver
        self.sketch_indices_ = sketch
        return self

    def _check_init(self, n_samples, sketch):
        if isinstance(self.init, str):
            return self.init
        labels = np.asarray(self.init)
        if labels.shape != (n_samples,) and not (sketch is not None and labels.ndim == 1):
            raise ValueError(
                f"init labels must have shape (n_samples,) = ({n_samples},); got {labels.shape}."
            )
        if sketch is not None:
            labels = labels[sketch]
        if (
            not np.issubdtype(labels.dtype, np.integer)
            or labels.min() < 0
            or labels.max() >= self.n_clusters
        ):
            raise ValueError(
                f"init labels must be integers in 0 .. n_clusters - 1 = {self.n_clusters - 1}."
            )
        missing = np.setdiff1d(np.arange(self.n_clusters), labels)
        if missing.size:
            raise ValueError(f"init labels leave cluster {int(missing[0])} empty.")
        return labels

    def _components(self):
        check_is_fitted(self)
        return GaussianComponents(self.means_, self.covariances_, self.weights_)

    def _check_X(self, X):
        return validate_data(self, to_host(X), dtype=np.float64, reset=False)

    def predict_proba(self, X):
        """Posterior probability of each cluster under the fitted Gaussian components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters)
        """
        components = self._components()
        return components.posterior(self._check_X(X), self.use_weights)

    def predict(self, X):
        """Most probable cluster of each row of X under the fitted components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return np.argmax(self.predict_proba(X), axis=1)

    def score_samples(self, X):
        """Log-density of each row of X under the fitted Gaussian mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        components = self._components()
        return components.score_samples(self._check_X(X), self.use_weights)

    def score(self, X, y=None):
        """Mean log-density of X under the fitted Gaussian mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.
        y : None
            Ignored.

        Returns
        -------
        log_likelihood : float
        """
        return float(np.mean(self.score_samples(X)))

    def bic(self, X):
        """Bayesian information criterion of the fitted mixture on X (lower is better).

        Counted as :class:`sklearn.mixture.GaussianMixture` counts a full
        covariance model: means, covariances and (with ``use_weights``)
        K - 1 proportions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data, usually the training data.

        Returns
        -------
        bic : float
        """
        log_density = self.score_samples(X)
        k, p = self.means_.shape
        n_parameters = k * p + k * p * (p + 1) / 2 + (k - 1 if self.use_weights else 0)
        return float(-2.0 * log_density.sum() + n_parameters * np.log(len(log_density)))
