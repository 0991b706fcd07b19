"""Gaussian components of a labelled sample: fit, densities, the classification objective."""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal


@dataclass(frozen=True)
class GaussianComponents:
    """Means, covariances and mixing weights of K Gaussian clusters.

    Attributes
    ----------
    means : ndarray of shape (n_clusters, n_features)
    covariances : ndarray of shape (n_clusters, n_features, n_features)
    weights : ndarray of shape (n_clusters,)
        Cluster proportions.
    """

    means: np.ndarray
    covariances: np.ndarray
    weights: np.ndarray

    def log_joint(self, X, use_weights=True):
        """``log pi_k + log N(x_i | mu_k, Sigma_k)``, shape (n_samples, n_clusters).

        Without ``use_weights`` every cluster gets weight ``1 / K``.
        """
        weights = self.weights if use_weights else np.full(len(self.weights), 1 / len(self.weights))
        return np.column_stack(
            [
                np.log(w) + multivariate_normal(mean, cov).logpdf(X).reshape(len(X))
                for mean, cov, w in zip(self.means, self.covariances, weights, strict=True)
            ]
        )

    def posterior(self, X, use_weights=True):
        """Posterior cluster probabilities of the rows of X."""
        log_joint = self.log_joint(X, use_weights)
        return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))

    def score_samples(self, X, use_weights=True):
        """Mixture log-density of each row of X."""
        return logsumexp(self.log_joint(X, use_weights), axis=1)


def covariance_ridge(X, covariance_reg):
    """The ridge added to every covariance: ``covariance_reg`` times the mean variance of X."""
    return covariance_reg * np.trace(np.atleast_2d(np.cov(X.T, bias=True))) / X.shape[1]


def fit_components(X, labels, n_clusters, ridge):
    """Mean, regularised covariance and proportion of each cluster of ``labels``.

    A cluster with at most ``n_features`` points has a singular sample
    covariance; it gets the ridge like every other cluster, with a warning.
    Every cluster must have at least one point.
    """
    n, p = X.shape
    counts = np.bincount(labels, minlength=n_clusters)
    small = np.flatnonzero(counts <= p)
    if small.size:
        warnings.warn(
            f"Cluster {int(small[0])} has {int(counts[small[0]])} points, not more than "
            f"n_features = {p}: its covariance is singular and only the ridge "
            "(covariance_reg) keeps it positive definite.",
            UserWarning,
            stacklevel=3,
        )
    means = np.empty((n_clusters, p))
    covariances = np.empty((n_clusters, p, p))
    for k in range(n_clusters):
        members = X[labels == k]
        means[k] = members.mean(axis=0)
        centred = members - means[k]
        covariances[k] = centred.T @ centred / len(members) + ridge * np.eye(p)
    return GaussianComponents(means, covariances, counts / n)


def classification_objective(X, labels, components, use_weights=True):
    """Minus twice the classification log-likelihood per sample (what iLA-SDP lowers)."""
    log_joint = components.log_joint(X, use_weights)
    return float(-2.0 * np.mean(log_joint[np.arange(len(X)), labels]))
