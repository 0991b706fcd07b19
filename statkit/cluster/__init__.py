"""Clustering of heterogeneous Gaussian data by semidefinite programming.

:class:`ILASDP` is the iterative likelihood-adjusted SDP of Zhuang, Chen and
Yang: each cluster has its own covariance and membership matrix, the
centroids are profiled out, and the SDPs are solved by a matrix-free
nonnegative Burer–Monteiro solver (cvxpy/SCS as the reference).
:class:`SDPKMeans` is the Peng–Wei K-means SDP, its default start;
:func:`misclustering_error` scores a clustering against the truth.
"""

from statkit.cluster._ila_sdp import ILASDP
from statkit.cluster._metrics import misclustering_error
from statkit.cluster._sdp_kmeans import SDPKMeans

__all__ = ["ILASDP", "SDPKMeans", "misclustering_error"]
