"""Numba kernels of the matrix-free Burer–Monteiro solver.

The clustering SDPs all have the form

    min  sum_b <W_b, Z_b>   s.t.  Z_b ⪰ 0,  Z_b >= 0,  tr(Z_b) = t_b,  sum_b Z_b 1 = 1,

with cost matrices of rank at most p + 2,

    W_b = (a_b 1' + 1 a_b') / 2 - F_b F_b' + c_b 1 1'        (a_b: n, F_b: n x p, c_b: scalar).

The solver writes Z_b = U_b U_b' with U_b >= 0 of shape (n, r) and minimises
the augmented Lagrangian of the row-sum constraints by spectral projected
gradient (Barzilai–Borwein steps, an Armijo backtrack, a cap on the step
length so that a step never jumps to a far, degenerate corner), updating the
multipliers between inner solves and raising the penalty while the
constraints do not tighten. ``W_b U_b`` costs O(n p r): no n x n matrix is
formed anywhere. The GPU twin of :func:`burer_monteiro` is in ``_cupy.py``.
"""

import numpy as np

from statkit.utils._numba import njit


@njit
def lagrangian(U, a, F, c, y, beta, G, v):
    """Augmented Lagrangian of the factored SDP at ``U`` and its gradient.

    Parameters
    ----------
    U : ndarray of shape (n_blocks, n, r)
        Nonnegative factors, ``Z_b = U_b U_b'``.
    a, F, c : ndarray
        The cost: ``a`` (n_blocks, n), ``F`` (n_blocks, n, p), ``c`` (n_blocks,).
    y : ndarray of shape (n,)
        Multipliers of the row-sum constraints.
    beta : float
        Penalty weight.
    G : ndarray of shape (n_blocks, n, r)
        Output: the gradient.
    v : ndarray of shape (n,)
        Output: the constraint residual ``sum_b Z_b 1 - 1``.

    Returns
    -------
    value : float
        The augmented Lagrangian.
    objective : float
        ``sum_b <W_b, Z_b>``.
    """
    n_blocks, n, r = U.shape
    p = F.shape[2]
    colsum = np.zeros((n_blocks, r))
    for b in range(n_blocks):
        for i in range(n):
            for j in range(r):
                colsum[b, j] += U[b, i, j]
    for i in range(n):
        s = 0.0
        for b in range(n_blocks):
            for j in range(r):
                s += U[b, i, j] * colsum[b, j]
        v[i] = s - 1.0
    objective = 0.0
    FtU = np.empty((p, r))
    weighted = np.empty(r)
    for b in range(n_blocks):
        FtU[:] = 0.0
        weighted[:] = 0.0
        for i in range(n):
            shifted = a[b, i] + y[i] + beta * v[i]
            for j in range(r):
                u = U[b, i, j]
                weighted[j] += shifted * u
                objective += a[b, i] * u * colsum[b, j]
                for q in range(p):
                    FtU[q, j] += F[b, i, q] * u
        for j in range(r):
            objective += c[b] * colsum[b, j] ** 2
            for q in range(p):
                objective -= FtU[q, j] ** 2
        for i in range(n):
            shifted = a[b, i] + y[i] + beta * v[i]
            for j in range(r):
                g = shifted * colsum[b, j] + weighted[j] + 2.0 * c[b] * colsum[b, j]
                for q in range(p):
                    g -= 2.0 * F[b, i, q] * FtU[q, j]
                G[b, i, j] = g
    value = objective
    for i in range(n):
        value += y[i] * v[i] + 0.5 * beta * v[i] * v[i]
    return value, objective


@njit
def project(U, traces):
    """Project each block in place onto ``{U_b >= 0, ||U_b||_F^2 = t_b}``.

    The projection is the positive part rescaled to the sphere; when the
    positive part is zero it is the largest entry set to ``sqrt(t_b)``.

    Parameters
    ----------
    U : ndarray of shape (n_blocks, n, r)
        Factors, overwritten.
    traces : ndarray of shape (n_blocks,)
        The traces ``t_b``.
    """
    n_blocks, n, r = U.shape
    for b in range(n_blocks):
        norm2 = 0.0
        best = -np.inf
        best_i = 0
        best_j = 0
        for i in range(n):
            for j in range(r):
                u = U[b, i, j]
                if u > best:
                    best, best_i, best_j = u, i, j
                if u > 0.0:
                    norm2 += u * u
                else:
                    U[b, i, j] = 0.0
        if norm2 == 0.0:
            U[b, best_i, best_j] = np.sqrt(traces[b])
        else:
            scale = np.sqrt(traces[b] / norm2)
            for i in range(n):
                for j in range(r):
                    U[b, i, j] *= scale


@njit
def burer_monteiro(a, F, c, traces, U, beta, tol, feasibility_tol, max_iter, inner_tol, step_cap):
    """Solve the factored clustering SDP from the start ``U`` (overwritten).

    Parameters
    ----------
    a, F, c : ndarray
        The cost (see the module docstring), already scaled to order one.
    traces : ndarray of shape (n_blocks,)
        The trace of each block.
    U : ndarray of shape (n_blocks, n, r)
        Start, overwritten with the solution.
    beta : float
        Initial penalty weight.
    tol : float
        Relative change of the objective between two multiplier updates
        below which the solve stops (once feasible).
    feasibility_tol : float
        Largest row-sum violation accepted at the end.
    max_iter : int
        Maximum number of gradient steps.
    inner_tol : float
        Relative step length that ends an inner (fixed-multiplier) solve.
    step_cap : float
        Largest step, relative to the norm of ``U``.

    Returns
    -------
    objective : float
    n_iter : int
    violation : float
        Largest ``|sum_b Z_b 1 - 1|`` entry.
    converged : bool
    """
    n_blocks, n, r = U.shape
    total = 0.0
    for b in range(n_blocks):
        total += traces[b]
    cap2 = step_cap * step_cap * total
    y = np.zeros(n)
    G = np.empty_like(U)
    v = np.empty(n)
    U_new = np.empty_like(U)
    G_new = np.empty_like(U)
    v_new = np.empty(n)
    project(U, traces)
    value, objective = lagrangian(U, a, F, c, y, beta, G, v)
    step = 1.0 / n
    n_iter = 0
    previous_objective = np.inf
    previous_violation = np.inf
    violation = np.inf
    converged = False
    while n_iter < max_iter:
        for _ in range(100):
            n_iter += 1
            while True:
                for b in range(n_blocks):
                    for i in range(n):
                        for j in range(r):
                            U_new[b, i, j] = U[b, i, j] - step * G[b, i, j]
                project(U_new, traces)
                d2 = 0.0
                for b in range(n_blocks):
                    for i in range(n):
                        for j in range(r):
                            d2 += (U_new[b, i, j] - U[b, i, j]) ** 2
                if d2 > cap2 and step > 1e-14 / n:
                    step *= 0.5
                    continue
                value_new, objective_new = lagrangian(U_new, a, F, c, y, beta, G_new, v_new)
                if value_new <= value - 1e-4 / step * d2 or step <= 1e-14 / n:
                    break
                step *= 0.5
            # Barzilai–Borwein step from the accepted move.
            sy = 0.0
            for b in range(n_blocks):
                for i in range(n):
                    for j in range(r):
                        sy += (U_new[b, i, j] - U[b, i, j]) * (G_new[b, i, j] - G[b, i, j])
            step = min(max(d2 / sy, 1e-6 / n), 1e6 / n) if sy > 0.0 else 1e6 / n
            U, U_new = U_new, U
            G, G_new = G_new, G
            v, v_new = v_new, v
            value, objective = value_new, objective_new
            if d2 < inner_tol * inner_tol * total or n_iter >= max_iter:
                break
        violation = np.max(np.abs(v))
        if violation < feasibility_tol and abs(objective - previous_objective) <= tol * abs(
            objective
        ):
            converged = True
            break
        previous_objective = objective
        for i in range(n):
            y[i] += beta * v[i]
        if violation > 0.5 * previous_violation:
            beta = min(2.0 * beta, 1e4)
        previous_violation = violation
        value, objective = lagrangian(U, a, F, c, y, beta, G, v)
    return U, objective, n_iter, violation, converged
