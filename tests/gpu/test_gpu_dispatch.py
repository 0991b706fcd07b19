"""GPU tests: run on a machine with an NVIDIA GPU and CuPy; skipped elsewhere."""

import numpy as np
import pytest

import statkit
from statkit.utils import get_namespace
from statkit.utils._array_api import gpu_available, to_namespace, to_numpy
from statkit.utils._validation import validate_array

cupy = pytest.importorskip("cupy")
pytestmark = pytest.mark.skipif(not gpu_available(), reason="CuPy sees no GPU")


def test_cupy_input_stays_on_the_gpu():
    x = cupy.arange(4.0)
    xp, on_gpu = get_namespace(x)
    assert on_gpu
    assert float(xp.sum(x)) == 6.0


def test_cupy_backend_moves_numpy_input():
    with statkit.config_context(backend="cupy"):
        xp, on_gpu = get_namespace(np.ones(3))
        moved = to_namespace(np.ones(3), xp)
    assert on_gpu
    assert isinstance(moved, cupy.ndarray)
    np.testing.assert_array_equal(to_numpy(moved), np.ones(3))


def test_validation_on_the_gpu():
    x = cupy.asarray([1.0, 2.0])
    assert validate_array(x, "x") is x
    with pytest.raises(ValueError, match="x must not contain NaN"):
        validate_array(cupy.asarray([1.0, cupy.nan]), "x")
