import os
import pickle
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import statkit
from statkit.utils import _numba
from statkit.utils._numba import Kernel, njit, numba_available

pytestmark = pytest.mark.nojit


@njit
def _double(x):
    return 2.0 * x


@njit
def _sum_doubled(values):
    total = 0.0
    for i in range(values.shape[0]):
        total += _double(values[i])
    return total


@njit
def _fresh_outer(values):
    total = 0.0
    for i in range(values.shape[0]):
        total += _fresh_inner(values[i])
    return total


@njit
def _fresh_inner(x):
    return x + 1.0


def _plain_square(x):
    return x * x


def _plain_cube(x):
    return x * x * x


def test_kernel_calls_another_kernel():
    values = np.arange(5.0)
    assert _sum_doubled(values) == 20.0
    assert _sum_doubled.py_func(values) == 20.0


def test_kernel_compiles_when_numba_is_on():
    _sum_doubled(np.arange(3.0))
    if numba_available():
        assert _sum_doubled.dispatcher is not _sum_doubled.py_func
        assert _sum_doubled.dispatcher.signatures
    else:
        assert _sum_doubled.dispatcher is _sum_doubled.py_func


def test_use_numba_false_runs_everything_as_python():
    with statkit.config_context(use_numba=False):
        assert _fresh_outer(np.arange(3.0)) == 6.0
    assert _fresh_outer._dispatcher is None
    assert _fresh_inner._dispatcher is None


def test_kernel_is_a_drop_in_function():
    assert _double.__name__ == "_double"
    assert _double.__wrapped__ is _double.py_func
    assert "_double" in repr(_double)
    assert pickle.loads(pickle.dumps(_double)) is _double


def test_parallel_kernels_are_not_cached():
    kernel = njit(parallel=True)(_plain_square)
    assert kernel.options["cache"] is False
    with pytest.raises(ValueError, match="parallel"):
        njit(cache=True, parallel=True)(_plain_square)


@pytest.fixture
def clean_cache_location(monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("STATKIT_NUMBA_CACHE", raising=False)
    _numba.cache_location.cache_clear()
    yield
    _numba.cache_location.cache_clear()


@pytest.mark.parametrize("value", ["0", "false", "No", "OFF"])
def test_cache_can_be_switched_off(clean_cache_location, monkeypatch, value):
    monkeypatch.setenv("STATKIT_NUMBA_CACHE", value)
    assert _numba.cache_location() is None


def test_cache_switch_rejects_other_words(clean_cache_location, monkeypatch):
    monkeypatch.setenv("STATKIT_NUMBA_CACHE", "never")
    with pytest.raises(ValueError, match="STATKIT_NUMBA_CACHE environment variable must be"):
        _numba.cache_location()


def test_numba_cache_dir_is_respected(clean_cache_location, monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert _numba.cache_location() == str(tmp_path)


def test_read_only_install_caches_in_a_writable_folder(clean_cache_location, monkeypatch, tmp_path):
    # Root ignores file permissions, so simulate the read-only package folder.
    monkeypatch.setattr(_numba, "_package_cache_writable", lambda: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "statkit" / "numba"
    assert _numba.cache_location() == str(folder)
    if not numba_available():
        pytest.skip("numba JIT is disabled: nothing is compiled or cached")
    import numba

    kernel = Kernel(_plain_square, {"cache": True, "parallel": False, "fastmath": False})
    assert kernel(3.0) == 9.0
    assert numba.config.CACHE_DIR != str(folder), "the fallback leaked into numba's global config"
    assert list(folder.rglob("*.nbi")), "the compiled kernel was not cached in the fallback folder"


def test_kernels_compile_once_when_called_from_many_threads(
    clean_cache_location, monkeypatch, tmp_path
):
    numba = pytest.importorskip("numba")
    # A read-only install: _compile points numba's global CACHE_DIR at the fallback folder.
    monkeypatch.setattr(_numba, "_package_cache_writable", lambda: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    previous_cache_dir = numba.config.CACHE_DIR
    compiles = Counter()
    compile_ = _numba._compile

    def slow_compile(numba, py_func, options):
        compiles[py_func] += 1
        time.sleep(0.05)  # widens the window in which a second thread could compile too
        return compile_(numba, py_func, options)

    monkeypatch.setattr(_numba, "_compile", slow_compile)
    options = {"cache": True, "parallel": False, "fastmath": False}
    kernels = [Kernel(_plain_square, options), Kernel(_plain_cube, options)]
    n_threads = 8
    barrier = threading.Barrier(n_threads)

    def work(i):
        barrier.wait(timeout=60)
        return [kernel(float(i)) for kernel in kernels], [kernel.dispatcher for kernel in kernels]

    with ThreadPoolExecutor(n_threads) as pool:
        outcomes = list(pool.map(work, range(n_threads)))

    for i, (results, _) in enumerate(outcomes):
        assert results == [i**2, i**3]
    assert compiles == {_plain_square: 1, _plain_cube: 1}
    for j, kernel in enumerate(kernels):
        assert all(dispatchers[j] is kernel.dispatcher for _, dispatchers in outcomes)
    assert numba.config.CACHE_DIR == previous_cache_dir


def test_without_numba_kernels_run_as_python(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # makes `import numba` fail
    monkeypatch.setattr(_numba, "_numba", None)
    monkeypatch.setattr(_numba, "_numba_import_failed", False)
    kernel = Kernel(_plain_square, {"cache": True, "parallel": False, "fastmath": False})
    with pytest.warns(RuntimeWarning, match="numba is not installed"):
        assert kernel(4.0) == 16.0
    assert kernel.dispatcher is _plain_square
    assert not numba_available()


def test_numba_disable_jit_environment_variable():
    code = (
        "import numpy as np\n"
        "from statkit.utils._numba import njit, numba_available\n"
        "kernel = njit(lambda x: x.sum())\n"
        "assert not numba_available()\n"
        "assert kernel(np.ones(3)) == 3.0\n"
        "assert kernel.dispatcher is kernel.py_func\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
