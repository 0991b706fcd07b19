"""Numba kernels of the optimize family: the expected maximum of a set of random lines.

``E[max_i (a_i + b_i Z)]`` with ``Z ~ N(0, 1)`` is the core of the noisy
expected improvement and of the discrete knowledge gradient (Frazier, Powell &
Dayanik, 2009, "The knowledge-gradient policy for correlated normal beliefs",
Algorithm 1). Sorted by slope, the lines that are ever on top form the upper
envelope; with ``c_k`` the breakpoint where envelope line ``k`` takes over from
line ``k - 1``,

    E[max_i (a_i + b_i Z)] = max_i a_i + sum_k (b_k - b_{k-1}) f(-|c_k|),

with ``f(z) = z Phi(z) + phi(z)``. The derivatives are those of the envelope
theorem: ``dE/da_k = P(line k on top) = Phi(c_{k+1}) - Phi(c_k)`` and
``dE/db_k = E[Z; line k on top] = phi(c_k) - phi(c_{k+1})``, zero for lines
never on top.
"""

import math

import numpy as np

from statkit.utils._numba import njit

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
# Beyond this |c| the term f(-|c|) < 1e-300: skip it (and avoid inf * 0).
_FAR = 37.0


@njit
def _pdf(z):
    return _INV_SQRT_2PI * math.exp(-0.5 * z * z)


@njit
def _cdf(z):
    return 0.5 * math.erfc(-z * _INV_SQRT2)


@njit
def _f_neg(t):
    """``f(-t) = phi(t) - t Phi(-t)`` for ``t >= 0``."""
    if t > _FAR:
        return 0.0
    return _pdf(t) - t * 0.5 * math.erfc(t * _INV_SQRT2)


@njit
def _envelope_row(a, b, order, stack, breaks):
    """Upper envelope of the lines ``a + b z``; returns its size.

    ``stack[:k]`` gets the indices of the envelope lines by increasing slope,
    ``breaks[j]`` the ``z`` where ``stack[j]`` takes over (``breaks[0]`` is
    -inf). Equal slopes keep the highest intercept (the first one on a tie).
    """
    k = 0
    for position in range(order.shape[0]):
        i = order[position]
        ai = a[i]
        bi = b[i]
        skip = False
        c_new = -np.inf
        while k > 0:
            j = stack[k - 1]
            if bi == b[j]:
                if ai <= a[j]:
                    skip = True
                    break
                k -= 1
                continue
            c_new = (a[j] - ai) / (bi - b[j])
            if k > 1 and c_new <= breaks[k - 1]:
                k -= 1
                continue
            break
        if skip:
            continue
        breaks[k] = -np.inf if k == 0 else c_new
        stack[k] = i
        k += 1
    return k


@njit
def expected_max_gain_rows(a, b, want_gradient, grad_a, grad_b):
    """``E[max_i (a[r, i] + b[r, i] Z)] - max_i a[r, i]`` for each row ``r``.

    The gain is returned on its own, not added to ``max_i a``, so that tiny
    gains keep their relative accuracy.

    Parameters
    ----------
    a, b : ndarray of shape (m, p)
        Intercepts and slopes, one set of ``p`` lines per row.
    want_gradient : bool
        Fill ``grad_a`` and ``grad_b``.
    grad_a, grad_b : ndarray of shape (m, p)
        Output when ``want_gradient`` (any shape otherwise): the derivatives
        of ``E[max]`` (not of the gain) in ``a`` and ``b``.

    Returns
    -------
    gain : ndarray of shape (m,)
    """
    m, p = a.shape
    value = np.empty(m)
    stack = np.empty(p, dtype=np.int64)
    breaks = np.empty(p)
    kept = np.empty(p, dtype=np.int64)
    for r in range(m):
        ar = a[r]
        br = b[r]
        # A line below the highest-intercept line on all of [-_FAR, _FAR] could only
        # enter the envelope where every term is below 1e-300: drop it before sorting.
        top = 0
        for i in range(1, p):
            if ar[i] > ar[top]:
                top = i
        n_kept = 0
        for i in range(p):
            if ar[i] - ar[top] + abs(br[i] - br[top]) * _FAR >= 0.0:
                kept[n_kept] = i
                n_kept += 1
        order = kept[:n_kept][np.argsort(br[kept[:n_kept]])]
        k = _envelope_row(ar, br, order, stack, breaks)
        total = 0.0
        for j in range(1, k):
            total += (br[stack[j]] - br[stack[j - 1]]) * _f_neg(abs(breaks[j]))
        value[r] = total
        if want_gradient:
            for i in range(p):
                grad_a[r, i] = 0.0
                grad_b[r, i] = 0.0
            for j in range(k):
                low = breaks[j]
                high = breaks[j + 1] if j + 1 < k else np.inf
                line = stack[j]
                grad_a[r, line] = _cdf(high) - _cdf(low)
                pdf_low = 0.0 if low == -np.inf else _pdf(low)
                pdf_high = 0.0 if high == np.inf else _pdf(high)
                grad_b[r, line] = pdf_low - pdf_high
    return value
