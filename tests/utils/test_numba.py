import os
import pickle
import subprocess
import sys

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


def test_cache_can_be_switched_off(clean_cache_location, monkeypatch):
    monkeypatch.setenv("STATKIT_NUMBA_CACHE", "0")
    assert _numba.cache_location() is None


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
