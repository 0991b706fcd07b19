"""The GPU path of the Burer–Monteiro solver, written against the namespace it is given.

The same algorithm as :func:`statkit.cluster._kernels.burer_monteiro`, with the
loops over points replaced by batched array operations (``F' U`` is one
matmul per block), so a CuPy array of 10^5 points is solved where it lives.
CI runs this module under ``array-api-strict`` and checks it against the
Numba path.
"""

import math


def _lagrangian(U, a, F, c, y, beta, xp):
    colsum = xp.sum(U, axis=1)
    v = xp.sum(xp.sum(U * colsum[:, None, :], axis=2), axis=0) - 1.0
    shifted = a + (y + beta * v)[None, :]
    FtU = xp.matmul(xp.matrix_transpose(F), U)
    weighted = xp.sum(shifted[:, :, None] * U, axis=1)
    objective = (
        xp.sum(xp.sum(a[:, :, None] * U, axis=1) * colsum)
        - xp.sum(FtU * FtU)
        + xp.sum(c * xp.sum(colsum * colsum, axis=1))
    )
    G = (
        shifted[:, :, None] * colsum[:, None, :]
        + (weighted + 2.0 * c[:, None] * colsum)[:, None, :]
        - 2.0 * xp.matmul(F, FtU)
    )
    value = objective + xp.sum(y * v) + 0.5 * beta * xp.sum(v * v)
    return float(value), float(objective), G, v


def _project(U, traces, xp):
    n_blocks = U.shape[0]
    positive = xp.maximum(U, 0.0)
    norm2 = xp.sum(xp.sum(positive * positive, axis=2), axis=1)
    empty = norm2 == 0.0
    scale = xp.sqrt(traces / xp.where(empty, 1.0, norm2))
    projected = positive * scale[:, None, None]
    if bool(xp.any(empty)):
        flat = xp.reshape(U, (n_blocks, -1))
        position = xp.arange(flat.shape[1])[None, :] == xp.argmax(flat, axis=1)[:, None]
        corner = xp.reshape(xp.astype(position, U.dtype), U.shape) * xp.sqrt(traces)[:, None, None]
        projected = xp.where(empty[:, None, None], corner, projected)
    return projected


def burer_monteiro(
    a, F, c, traces, U, beta, tol, feasibility_tol, max_iter, inner_tol, step_cap, *, xp
):
    """Solve the factored clustering SDP from ``U`` in namespace ``xp``.

    Parameters
    ----------
    a, F, c, traces, U : array
        As for :func:`statkit.cluster._kernels.burer_monteiro`, in namespace ``xp``.
    beta, tol, feasibility_tol : float
        Initial penalty, relative objective tolerance, row-sum tolerance.
    max_iter : int
        Maximum number of gradient steps.
    inner_tol, step_cap : float
        End of an inner solve and largest relative step.
    xp : module
        The array namespace.

    Returns
    -------
    U : array of shape (n_blocks, n, r)
        The factors, in namespace ``xp``.
    objective : float
    n_iter : int
    violation : float
    converged : bool
    """
    n = U.shape[1]
    total = float(xp.sum(traces))
    cap2 = step_cap * step_cap * total
    y = xp.zeros(n, dtype=U.dtype)
    U = _project(U, traces, xp)
    value, objective, G, v = _lagrangian(U, a, F, c, y, beta, xp)
    step = 1.0 / n
    n_iter = 0
    previous_objective = math.inf
    previous_violation = math.inf
    violation = math.inf
    converged = False
    while n_iter < max_iter:
        for _ in range(100):
            n_iter += 1
            while True:
                U_new = _project(U - step * G, traces, xp)
                d2 = float(xp.sum((U_new - U) ** 2))
                if d2 > cap2 and step > 1e-14 / n:
                    step *= 0.5
                    continue
                value_new, objective_new, G_new, v_new = _lagrangian(U_new, a, F, c, y, beta, xp)
                if value_new <= value - 1e-4 / step * d2 or step <= 1e-14 / n:
                    break
                step *= 0.5
            sy = float(xp.sum((U_new - U) * (G_new - G)))
            step = min(max(d2 / sy, 1e-6 / n), 1e6 / n) if sy > 0.0 else 1e6 / n
            U, G, v = U_new, G_new, v_new
            value, objective = value_new, objective_new
            if d2 < inner_tol * inner_tol * total or n_iter >= max_iter:
                break
        violation = float(xp.max(xp.abs(v)))
        if violation < feasibility_tol and abs(objective - previous_objective) <= tol * abs(
            objective
        ):
            converged = True
            break
        previous_objective = objective
        y = y + beta * v
        if violation > 0.5 * previous_violation:
            beta = min(2.0 * beta, 1e4)
        previous_violation = violation
        value, objective, G, v = _lagrangian(U, a, F, c, y, beta, xp)
    return U, objective, n_iter, violation, converged
