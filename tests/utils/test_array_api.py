import numpy as np
import pytest

import statkit
from statkit.utils import get_namespace
from statkit.utils._array_api import gpu_available, is_cupy_array, to_namespace, to_numpy

pytestmark = pytest.mark.nojit


class _FakeCupyArray:
    """Stands in for a CuPy array: only the module name matters to is_cupy_array."""


_FakeCupyArray.__module__ = "cupy._core.core"


def test_numpy_input_uses_numpy():
    xp, on_gpu = get_namespace(np.ones(3), None, [1, 2])
    assert not on_gpu
    assert xp.__name__.endswith("numpy")
    np.testing.assert_array_equal(xp.sum(xp.asarray([1.0, 2.0])), 3.0)


def test_is_cupy_array_needs_no_cupy():
    assert is_cupy_array(_FakeCupyArray())
    assert not is_cupy_array(np.ones(2))
    assert not is_cupy_array([1, 2])


def test_mixing_devices_is_an_error():
    with pytest.raises(TypeError, match="mix CuPy"):
        get_namespace(_FakeCupyArray(), np.ones(2))


def test_numpy_backend_ignores_device():
    with statkit.config_context(backend="numpy"):
        _, on_gpu = get_namespace(_FakeCupyArray())
    assert not on_gpu


@pytest.mark.skipif(gpu_available(), reason="this machine has a GPU")
def test_cupy_backend_without_gpu_fails_clearly():
    with (
        statkit.config_context(backend="cupy"),
        pytest.raises((ImportError, RuntimeError), match=r"cupy|CuPy"),
    ):
        get_namespace(np.ones(2))
    assert not gpu_available()


def test_to_numpy_and_to_namespace_on_cpu():
    xp, _ = get_namespace()
    out = to_namespace([1.0, 2.0], xp)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(to_numpy(out), [1.0, 2.0])
