"""Two solvers for the clustering SDPs behind one interface.

``"cvxpy"`` states the SDP with dense n x n variables and solves it with SCS:
the exact reference, for small n and the tests. ``"bm"`` is the matrix-free
nonnegative Burer–Monteiro solver of ``_kernels.py`` (``_cupy.py`` on a GPU),
warm-started from a labelling. ``"auto"`` takes cvxpy up to
``CVXPY_MAX_SAMPLES`` points and BM beyond.
"""

from dataclasses import dataclass

import numpy as np

from statkit.cluster import _kernels

SOLVERS = ("auto", "bm", "cvxpy")
CVXPY_MAX_SAMPLES = 40
# Burer–Monteiro settings, for costs scaled to order one (see ``solve_bm``).
_INITIAL_PENALTY = 0.1
_INNER_TOL = 1e-5
_STEP_CAP = 0.1
_WARM_START_NOISE = 1e-2


@dataclass(frozen=True)
class SDPSolution:
    """A solved clustering SDP.

    Attributes
    ----------
    factors : ndarray of shape (n_blocks, n_samples, rank)
        ``Z_b = factors[b] @ factors[b].T``.
    objective : float
        ``sum_b <W_b, Z_b>``.
    n_iter : int
        Iterations of the solver.
    violation : float
        Largest entry of ``|sum_b Z_b 1 - 1|``.
    converged : bool
    solver : str
        ``"bm"`` or ``"cvxpy"``.
    """

    factors: np.ndarray
    objective: float
    n_iter: int
    violation: float
    converged: bool
    solver: str

    @property
    def membership(self):
        """Soft memberships ``(Z_b 1)_i``, shape (n_samples, n_blocks); rows sum to about 1."""
        return np.einsum("bnr,br->nb", self.factors, self.factors.sum(axis=1))


def resolve_solver(solver, n_samples):
    """The solver ``"auto"`` stands for at this size."""
    if solver == "auto":
        return "cvxpy" if n_samples <= CVXPY_MAX_SAMPLES else "bm"
    return solver


def warm_start(labels, n_clusters, costs, rank, rng):
    """Factors of the partition ``labels`` plus a little positive noise.

    With one block per cluster, block k starts at ``1_{G_k} / sqrt(n_k)``; with
    a single block (Peng–Wei), column k does. The noise lets the other
    columns and entries move.
    """
    n_blocks, n = costs.a.shape
    U = np.zeros((n_blocks, n, rank))
    for k in range(n_clusters):
        members = labels == k
        if members.any():
            block, column = (0, k) if n_blocks == 1 else (k, 0)
            U[block, members, column] = 1.0 / np.sqrt(members.sum())
    U += _WARM_START_NOISE * rng.random(U.shape) / np.sqrt(n)
    return U


def solve_bm(costs, U0, *, tol=1e-6, feasibility_tol=1e-4, max_iter=20000, xp=None):
    """Solve by nonnegative Burer–Monteiro from ``U0`` (matrix-free).

    The cost is divided by the mean of ``a`` first, so that the penalty and
    step settings mean the same at every scale of X; the objective is
    reported in the original units. With ``xp`` (an array namespace) the
    solve runs in ``_cupy.py`` in that namespace.
    """
    scale = float(np.mean(costs.a))
    if not scale > 0:
        raise ValueError("X has no spread: every point is the same, there is nothing to cluster.")
    a = costs.a / scale
    F = costs.factors / np.sqrt(scale)
    c = costs.offsets / scale
    traces = costs.traces.astype(float)
    settings = (_INITIAL_PENALTY, tol, feasibility_tol, max_iter, _INNER_TOL, _STEP_CAP)
    if xp is None:
        U, objective, n_iter, violation, converged = _kernels.burer_monteiro(
            a, np.ascontiguousarray(F), c, traces, np.array(U0, dtype=float), *settings
        )
    else:
        from statkit.cluster._cupy import burer_monteiro
        from statkit.utils._array_api import to_numpy

        U, objective, n_iter, violation, converged = burer_monteiro(
            *(xp.asarray(arr) for arr in (a, F, c, traces, np.array(U0, dtype=float))),
            *settings,
            xp=xp,
        )
        U = to_numpy(U)
    return SDPSolution(U, objective * scale, int(n_iter), float(violation), bool(converged), "bm")


def solve_cvxpy(costs, *, eps=1e-6):
    """Solve the dense SDP with cvxpy and SCS (the reference; small n only)."""
    import cvxpy as cp

    W = costs.dense()
    n = costs.n_samples
    Z = [cp.Variable((n, n), PSD=True) for _ in W]
    constraints = [z >= 0 for z in Z]
    constraints += [cp.trace(z) == t for z, t in zip(Z, costs.traces, strict=True)]
    constraints.append(sum(z @ np.ones(n) for z in Z) == 1)
    objective = sum(cp.sum(cp.multiply(w, z)) for w, z in zip(W, Z, strict=True))
    problem = cp.Problem(cp.Minimize(objective), constraints)
    problem.solve(solver=cp.SCS, eps_abs=eps, eps_rel=eps)
    if problem.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"SCS did not solve the clustering SDP (status {problem.status!r}).")
    factors = []
    for z in Z:
        values, vectors = np.linalg.eigh(0.5 * (z.value + z.value.T))
        factors.append(vectors * np.sqrt(np.clip(values, 0.0, None)))
    factors = np.stack(factors)
    violation = np.max(np.abs(sum(z.value.sum(axis=1) for z in Z) - 1.0))
    n_iter = int(problem.solver_stats.num_iters or 0)
    converged = problem.status == "optimal"
    return SDPSolution(factors, float(problem.value), n_iter, float(violation), converged, "cvxpy")


def solve(costs, solver, labels, n_clusters, rank, rng, *, xp=None, **bm_options):
    """Solve with ``solver`` (``"bm"`` warm-started from ``labels``, or ``"cvxpy"``).

    For the LA-SDP, block k of the BM start is cluster k of ``labels``, so
    ``labels`` must be the partition whose covariances built ``costs``: a start
    with the clusters in another order can end in a worse local optimum.
    """
    if solver == "cvxpy":
        return solve_cvxpy(costs)
    start = warm_start(labels, n_clusters, costs, rank, rng)
    return solve_bm(costs, start, xp=xp, **bm_options)
