import pytest
import sklearn
from joblib import Parallel

import statkit
from statkit.utils import delayed


def _configs(_):
    return statkit.get_config()["use_numba"], sklearn.get_config()["assume_finite"]


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_delayed_carries_configuration_to_workers(backend):
    with statkit.config_context(use_numba=False), sklearn.config_context(assume_finite=True):
        results = Parallel(n_jobs=2, backend=backend)(delayed(_configs)(i) for i in range(4))
    assert results == [(False, True)] * 4
    # Outside the context the workers see the defaults again.
    results = Parallel(n_jobs=2, backend=backend)(delayed(_configs)(i) for i in range(2))
    assert results == [(True, False)] * 2


def test_delayed_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    import joblib

    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_config(backend="dask"),
        statkit.config_context(use_numba=False),
    ):
        results = Parallel()(delayed(_configs)(i) for i in range(3))
    assert [r[0] for r in results] == [False] * 3
