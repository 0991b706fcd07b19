"""ILASDP: recovery, the Gaussian components, starts, sketching, restarts and bad input."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from statkit.cluster import ILASDP, SDPKMeans, misclustering_error
from statkit.cluster._gaussian import classification_objective, fit_components
from statkit.datasets import make_heterogeneous_blobs
from tests.cluster import checks


@pytest.fixture(scope="module")
def blobs():
    return make_heterogeneous_blobs(150, random_state=0)


def test_beats_kmeans_on_setting_a():
    checks.check_beats_kmeans_on_setting_a()


def test_posterior_and_bic_match_gaussian_mixture():
    checks.check_posterior_matches_gaussian_mixture()


def test_fitted_attributes_describe_the_labels(blobs):
    X, y = blobs
    model = ILASDP(random_state=0).fit(X)
    assert misclustering_error(y, model.labels_) < 0.05
    assert model.membership_.shape == (150, 3)
    np.testing.assert_allclose(model.membership_.sum(axis=1), 1.0, atol=1e-3)
    np.testing.assert_array_equal(model.membership_.argmax(axis=1), model.labels_)
    expected = fit_components(X, model.labels_, 3, 1e-3 * np.trace(np.cov(X.T, bias=True)) / 10)
    np.testing.assert_allclose(model.means_, expected.means)
    np.testing.assert_allclose(model.covariances_, expected.covariances)
    np.testing.assert_allclose(model.weights_, np.bincount(model.labels_) / 150)
    assert model.objective_ == pytest.approx(classification_objective(X, model.labels_, expected))
    assert model.monitor_.history[-1] == model.objective_
    assert model.converged_
    assert 1 <= model.n_iter_ <= model.max_iter
    assert model.solver_ == "bm"
    assert model.sketch_indices_ is None
    assert (model.fit_predict(X) == model.labels_).all()
    # The training points are mostly where the fitted components put them.
    assert np.mean(model.predict(X) == model.labels_) > 0.95


def test_same_seed_same_result_and_pickling(blobs):
    X, _ = blobs
    first = ILASDP(random_state=3).fit(X)
    second = pickle.loads(pickle.dumps(ILASDP(random_state=3))).fit(X)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    restored = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(restored.predict(X[:20]), first.predict(X[:20]))


@pytest.mark.parametrize("init", ["sdp", "kmeans"])
def test_starts(blobs, init):
    X, y = blobs
    assert misclustering_error(y, ILASDP(init=init, random_state=0).fit(X).labels_) < 0.05


def test_given_start_labels_are_refined(blobs):
    X, y = blobs
    start = SDPKMeans(random_state=0).fit(X).labels_
    model = ILASDP(init=start, random_state=0).fit(X)
    assert misclustering_error(y, model.labels_) <= misclustering_error(y, start)


@pytest.mark.parametrize(
    ("init", "match"),
    [
        (np.zeros(10, dtype=int), "shape"),
        (np.full(150, 3), "integers in 0"),
        (np.zeros(150), "integers in 0"),
        (np.r_[np.zeros(100, dtype=int), np.ones(50, dtype=int)], "cluster 2 empty"),
    ],
)
def test_bad_start_labels(blobs, init, match):
    with pytest.raises(ValueError, match=match):
        ILASDP(init=init).fit(blobs[0])


def test_cvxpy_solver_agrees_with_bm():
    X, _ = make_heterogeneous_blobs(36, n_features=2, random_state=5)
    bm = ILASDP(solver="bm", random_state=0).fit(X)
    exact = ILASDP(random_state=0).fit(X)
    assert exact.solver_ == "cvxpy"
    assert misclustering_error(exact.labels_, bm.labels_) == 0.0


def test_best_of_several_starts_is_kept(blobs):
    X, _ = blobs
    model = ILASDP(init="kmeans", n_init=3, random_state=0).fit(X)
    singles = [
        ILASDP(init="kmeans", random_state=seed).fit(X).objective_
        for seed in np.random.default_rng(0).integers(np.iinfo(np.int32).max, size=3)
    ]
    assert model.objective_ == pytest.approx(min(singles))


def test_parallel_starts_equal_serial_ones(blobs):
    X, _ = blobs
    serial = ILASDP(n_init=2, random_state=0).fit(X)
    parallel = ILASDP(n_init=2, n_jobs=2, random_state=0).fit(X)
    np.testing.assert_array_equal(serial.labels_, parallel.labels_)
    np.testing.assert_allclose(serial.membership_, parallel.membership_)


def test_starts_on_a_dask_cluster_equal_serial_ones(blobs):
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    X, _ = blobs
    serial = ILASDP(n_init=2, random_state=0).fit(X)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        remote = ILASDP(n_init=2, n_jobs=2, random_state=0).fit(X)
    np.testing.assert_array_equal(serial.labels_, remote.labels_)
    np.testing.assert_allclose(serial.covariances_, remote.covariances_)


def test_sketch_labels_every_point_by_the_fitted_components():
    X, y = make_heterogeneous_blobs(3000, random_state=1)
    full = ILASDP(random_state=0).fit(X)
    sketched = ILASDP(sketch_size=600, random_state=0).fit(X)
    indices = sketched.sketch_indices_
    assert len(indices) == 600
    assert len(np.unique(indices)) == 600
    # Stratified: each true cluster keeps about its share of the sketch.
    np.testing.assert_allclose(np.bincount(y[indices]) / 600, 1 / 3, atol=0.05)
    np.testing.assert_array_equal(sketched.labels_, sketched.predict(X))
    np.testing.assert_allclose(sketched.membership_, sketched.predict_proba(X))
    assert misclustering_error(y, sketched.labels_) <= misclustering_error(y, full.labels_) + 0.01


def test_sketch_larger_than_the_data_solves_on_all_points(blobs):
    X, _ = blobs
    model = ILASDP(sketch_size=1000, random_state=0).fit(X)
    assert model.sketch_indices_ is None


def test_bic_prefers_the_true_number_of_clusters():
    X, _ = make_heterogeneous_blobs(300, n_features=2, random_state=0)
    bics = [ILASDP(n_clusters=k, random_state=0).fit(X).bic(X) for k in (2, 3, 4)]
    assert np.argmin(bics) == 1, bics


def test_without_weights_the_clusters_are_equally_likely(blobs):
    X, _ = blobs
    model = ILASDP(use_weights=False, random_state=0).fit(X)
    point = X[:1]
    log_joint = np.array(
        [
            -0.5 * np.linalg.slogdet(2 * np.pi * c)[1]
            - 0.5 * (point - m) @ np.linalg.solve(c, (point - m).T)
            for m, c in zip(model.means_, model.covariances_, strict=True)
        ]
    ).ravel()
    expected = np.exp(log_joint - log_joint.max())
    np.testing.assert_allclose(model.predict_proba(point)[0], expected / expected.sum())


@pytest.mark.nojit
@pytest.mark.parametrize(
    ("X", "params", "error", "match"),
    [
        (np.arange(20.0), {}, ValueError, "2D"),
        (np.r_[np.zeros((5, 2)), [[np.nan, 1.0]]], {}, ValueError, "NaN"),
        (np.r_[np.zeros((5, 2)), [[np.inf, 1.0]]], {}, ValueError, "infinity"),
        (
            np.random.default_rng(0).normal(size=(4, 2)),
            {"n_clusters": 5},
            ValueError,
            "n_samples = 4",
        ),
        (np.repeat([[0.0, 1.0], [2.0, 3.0]], 10, axis=0), {}, ValueError, "2 distinct points"),
        (
            np.random.default_rng(0).normal(size=(50, 2)),
            {"n_clusters": 0},
            ValueError,
            "n_clusters",
        ),
        (
            np.random.default_rng(0).normal(size=(50, 2)),
            {"sketch_size": 2, "n_clusters": 3},
            ValueError,
            "sketch_size",
        ),
    ],
)
def test_bad_input(X, params, error, match):
    model = ILASDP(**params)
    with pytest.raises(error, match=match):
        model.fit(X)
    assert not hasattr(model, "labels_")


def test_failed_refit_keeps_the_previous_fit(blobs):
    X, _ = blobs
    model = ILASDP(random_state=0).fit(X)
    labels = model.labels_.copy()
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.full((10, 10), np.nan))
    np.testing.assert_array_equal(model.labels_, labels)


def test_duplicated_points_are_clustered_together():
    X, _ = make_heterogeneous_blobs(120, random_state=2)
    doubled = np.r_[X, X]
    model = ILASDP(random_state=0).fit(doubled)
    np.testing.assert_array_equal(model.labels_[:120], model.labels_[120:])


def test_small_clusters_get_the_ridge_and_a_warning():
    X, _ = make_heterogeneous_blobs([40, 40, 8], random_state=0)
    with pytest.warns(UserWarning, match="not more than n_features"):
        model = ILASDP(init="kmeans", random_state=0).fit(X)
    assert all(np.linalg.eigvalsh(c).min() > 0 for c in model.covariances_)


def test_too_many_rounds_needed_warns():
    X, _ = make_heterogeneous_blobs(150, random_state=0)
    start = np.arange(150) % 3
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        model = ILASDP(init=start, max_iter=1, random_state=0).fit(X)
    assert not model.converged_
    assert model.n_iter_ == 1


def test_verbose_prints_each_round(blobs, capsys):
    ILASDP(verbose=1, random_state=0).fit(blobs[0])
    assert "-2 loglik/n" in capsys.readouterr().err


def test_a_cupy_array_needs_cupy_and_a_gpu(blobs):
    from statkit import config_context

    with config_context(backend="cupy"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import cupy  # noqa: F401
        except ImportError:
            with pytest.raises(ImportError, match="CuPy"):
                ILASDP(random_state=0).fit(blobs[0])
