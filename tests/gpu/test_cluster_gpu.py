"""iLA-SDP on a CuPy array: the Burer–Monteiro solves run on the GPU and agree with the CPU."""

import numpy as np
import pytest

from statkit.cluster import ILASDP, SDPKMeans
from statkit.datasets import make_heterogeneous_blobs
from statkit.utils._array_api import gpu_available

cupy = pytest.importorskip("cupy")
pytestmark = pytest.mark.skipif(not gpu_available(), reason="CuPy sees no GPU")


def test_cupy_input_clusters_like_numpy():
    X, _ = make_heterogeneous_blobs(3_000, random_state=0)
    cpu = ILASDP(random_state=0).fit(X)
    gpu = ILASDP(random_state=0).fit(cupy.asarray(X))
    np.testing.assert_array_equal(gpu.labels_, cpu.labels_)
    np.testing.assert_allclose(gpu.membership_, cpu.membership_, atol=1e-3)


def test_peng_wei_on_the_gpu():
    X, _ = make_heterogeneous_blobs(3_000, random_state=1)
    cpu = SDPKMeans(random_state=0).fit(X)
    gpu = SDPKMeans(random_state=0).fit(cupy.asarray(X))
    assert gpu.objective_ == pytest.approx(cpu.objective_, rel=1e-4)


def test_hundred_thousand_points_without_a_sketch():
    X, _ = make_heterogeneous_blobs(100_000, random_state=2)
    model = ILASDP(random_state=0).fit(cupy.asarray(X))
    assert model.converged_
