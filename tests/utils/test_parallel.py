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


@pytest.fixture
def dask_client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_delayed_on_a_dask_cluster(dask_client):
    import joblib

    with joblib.parallel_config(backend="dask"), statkit.config_context(use_numba=False):
        results = Parallel()(delayed(_configs)(i) for i in range(3))
    assert [r[0] for r in results] == [False] * 3


def _submit_configs(executor):
    function, args, kwargs = delayed(_configs)(0)
    return executor.submit(function, *args, **kwargs).result()


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing", "sequential"])
def test_joblib_executor_runs_on_the_active_backend_with_the_callers_configuration(backend):
    import os

    import joblib

    from statkit.utils._parallel import joblib_executor

    with (
        joblib.parallel_config(backend=backend),
        joblib_executor(2) as executor,
        statkit.config_context(use_numba=False),
    ):
        assert _submit_configs(executor) == (False, False)
        pid = executor.submit(os.getpid).result()
    assert (pid == os.getpid()) == (backend in ("threading", "sequential"))


def _dask_worker_address():
    import distributed

    return distributed.get_worker().address


def test_joblib_executor_on_a_dask_cluster(dask_client):
    import joblib

    from statkit.utils._parallel import joblib_executor

    with (
        joblib.parallel_config(backend="dask"),
        joblib_executor(2) as executor,
        statkit.config_context(use_numba=False),
    ):
        assert _submit_configs(executor) == (False, False)
        address = executor.submit(_dask_worker_address).result()
    assert address in dask_client.scheduler_info()["workers"]


def test_joblib_executor_names_an_unsupported_backend():
    import joblib
    from joblib._parallel_backends import ThreadingBackend

    from statkit.utils._parallel import joblib_executor

    class Elsewhere(ThreadingBackend):
        uses_threads = False

    with (
        joblib.parallel_config(backend=Elsewhere()),
        pytest.raises(ValueError, match="active backend is Elsewhere"),
        joblib_executor(2),
    ):
        pass
