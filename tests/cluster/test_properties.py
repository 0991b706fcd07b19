"""Invariants of ILASDP on any Gaussian clusters (the public gaussian_clusters strategy)."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings

from statkit.cluster import ILASDP
from statkit.testing.strategies import gaussian_clusters


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gaussian_clusters(min_clusters=2, max_clusters=3, min_cluster_size=12))
def test_fit_gives_valid_labels_memberships_and_components(data):
    X, y = data
    n_clusters = len(np.unique(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small or emptied clusters warn, as documented
        model = ILASDP(n_clusters=n_clusters, solver="bm", random_state=0).fit(X)
    assert set(np.unique(model.labels_)) <= set(range(n_clusters))
    assert np.all(np.bincount(model.labels_, minlength=n_clusters) > 0)
    membership = model.membership_
    assert membership.shape == (len(X), n_clusters)
    assert membership.min() >= -1e-8
    assert membership.max() <= 1 + 1e-3
    np.testing.assert_allclose(membership.sum(axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(model.weights_.sum(), 1.0)
    assert all(np.linalg.eigvalsh(c).min() > 0 for c in model.covariances_)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(model.bic(X))
