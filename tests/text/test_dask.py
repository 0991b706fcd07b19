"""Shards fitted on a real Dask cluster merge into the model of the whole corpus."""

import functools

import numpy as np
import pytest

from statkit.text import SS3Classifier

distributed = pytest.importorskip("distributed")


def _fit_shard(X, y, classes):
    return SS3Classifier().partial_fit(X, y, classes=classes)


def test_shards_fitted_on_workers_merge_into_the_serial_model():
    rng = np.random.default_rng(0)
    X = rng.poisson(0.5, size=(400, 60))
    y = rng.integers(0, 4, 400)
    classes = np.unique(y)
    shards = np.array_split(np.arange(400), 4)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster) as client,
    ):
        futures = [client.submit(_fit_shard, X[rows], y[rows], classes) for rows in shards]
        models = client.gather(futures)
    merged = functools.reduce(SS3Classifier.merge, models)
    serial = SS3Classifier().fit(X, y)
    np.testing.assert_array_equal(merged.feature_count_, serial.feature_count_)
    np.testing.assert_array_equal(merged.decision_function(X), serial.decision_function(X))
