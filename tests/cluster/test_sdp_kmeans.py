"""SDPKMeans: the Peng–Wei SDP with spectral rounding."""

import numpy as np
import pytest
from sklearn.cluster import KMeans

from statkit.cluster import SDPKMeans, misclustering_error
from statkit.datasets import make_heterogeneous_blobs


def test_recovers_separated_clusters_and_bounds_the_inertia():
    X, y = make_heterogeneous_blobs(300, random_state=0)
    model = SDPKMeans(random_state=0).fit(X)
    assert misclustering_error(y, model.labels_) < 0.06
    kmeans = KMeans(3, n_init=10, random_state=0).fit(X)
    # The SDP value is a lower bound of every partition's within-cluster sum of squares.
    assert model.objective_ <= min(model.inertia_, kmeans.inertia_) * (1 + 1e-6)
    assert model.solver_ == "bm"
    assert model.n_iter_ > 0
    np.testing.assert_allclose(
        model.cluster_centers_, [X[model.labels_ == k].mean(0) for k in range(3)]
    )
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_small_problems_go_to_cvxpy_and_agree_with_bm():
    X, _ = make_heterogeneous_blobs(30, n_features=2, random_state=1)
    exact = SDPKMeans(random_state=0).fit(X)
    bm = SDPKMeans(solver="bm", random_state=0).fit(X)
    assert exact.solver_ == "cvxpy"
    assert misclustering_error(exact.labels_, bm.labels_) == 0.0
    assert bm.objective_ == pytest.approx(exact.objective_, rel=1e-3)


@pytest.mark.nojit
def test_more_clusters_than_distinct_points_is_an_error():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 5, axis=0)
    with pytest.raises(ValueError, match="2 distinct points"):
        SDPKMeans(n_clusters=3).fit(X)


def test_single_cluster_is_everything():
    X, _ = make_heterogeneous_blobs(60, random_state=0)
    model = SDPKMeans(n_clusters=1, random_state=0).fit(X)
    assert (model.labels_ == 0).all()
    assert model.inertia_ == pytest.approx(model.objective_, rel=1e-6)
