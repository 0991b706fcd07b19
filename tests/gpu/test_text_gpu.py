"""SS3 scoring of a CuPy count matrix on the GPU equals the CPU result."""

import numpy as np
import pytest

from statkit.text import SS3Classifier
from statkit.utils._array_api import gpu_available

cupy = pytest.importorskip("cupy")
pytestmark = pytest.mark.skipif(not gpu_available(), reason="CuPy sees no GPU")


def test_cupy_counts_are_scored_on_the_gpu():
    rng = np.random.default_rng(0)
    X = rng.poisson(0.3, size=(2_000, 500))
    y = rng.integers(0, 5, 2_000)
    model = SS3Classifier().fit(X, y)
    on_gpu = model.confidence_vectors(cupy.asarray(X))
    np.testing.assert_allclose(on_gpu, model.confidence_vectors(X), rtol=1e-10)
    np.testing.assert_array_equal(model.predict(cupy.asarray(X)), model.predict(X))
