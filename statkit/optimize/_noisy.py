"""Noisy expected improvement and the knowledge gradient (Frazier's tutorial, §4.2 and §5).

Both value one more observation ``y = f(x) + noise`` by how much it lowers
the smallest posterior mean over a set of alternatives ``A``. Observing at
``x`` moves the posterior mean along one scalar normal (the tutorial's
one-step update):

    mu_{n+1}(x') = mu_n(x') + sigma~_n(x', x) Z,   Z ~ N(0, 1),
    sigma~_n(x', x) = Sigma_n(x', x) / sqrt(Sigma_n(x, x) + lambda^2),

so with ``a_i = -mu_n(x_i)`` and ``b_i = sigma~_n(x_i, x)`` the expected
smallest mean after the observation is ``-E[max_i (a_i + b_i Z)]``, which the
Frazier–Powell–Dayanik envelope algorithm gives exactly
(:func:`expected_max_gain`). Everything is for minimisation, in the GP's
standardised output units. ``lambda^2`` is the noise variance the GP itself
conditions with, ``hyperparameters_.noise + jitter``, so that ``mu_{n+1}`` is
exactly the mean of ``gp.condition_on(x, y)``.
"""

import numbers

import numpy as np
from scipy.linalg import solve_triangular
from scipy.optimize import minimize as scipy_minimize
from scipy.special import ndtri

from statkit.optimize import _covariance
from statkit.optimize._kernels import expected_max_gain_rows
from statkit.optimize._space import sobol

# Rows of candidates scored at once: bounds the (rows, |A|) work arrays to ~16 MiB each.
_BLOCK_ELEMENTS = 2**21


def expected_max_gain(a, b):
    """Exact ``E[max_i (a_i + b_i Z)] - max_i a_i`` for ``Z ~ N(0, 1)``.

    The Frazier–Powell–Dayanik (2009) algorithm: sort the lines by slope,
    keep the upper envelope (ties in slope keep the highest intercept), and
    sum ``(b_{k+1} - b_k) f(-|c_k|)`` over its breakpoints ``c_k``, with
    ``f(z) = z Phi(z) + phi(z)``. O(p log p) for p lines.

    Parameters
    ----------
    a : array-like of shape (p,)
        Intercepts.
    b : array-like of shape (p,)
        Slopes.

    Returns
    -------
    gain : float
        The expected gain, non-negative; zero when all slopes are equal.

    Examples
    --------
    >>> from statkit.optimize._noisy import expected_max_gain
    >>> round(expected_max_gain([0.0, 0.0], [-1.0, 1.0]), 6)  # E|Z| = sqrt(2 / pi)
    0.797885
    """
    a = np.ascontiguousarray(a, dtype=float).reshape(1, -1)
    b = np.ascontiguousarray(b, dtype=float).reshape(1, -1)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(
            f"a and b must be non-empty and of equal length; got {a.size} and {b.size}."
        )
    empty = np.empty((0, 0))
    return float(expected_max_gain_rows(a, b, False, empty, empty)[0])


def _noise_variance(gp):
    """The ``lambda^2`` of the one-step update: what ``gp.condition_on`` adds to the diagonal."""
    return gp.hyperparameters_.noise + gp.jitter


class _Factor:
    """The GP's training factor and kernel, on the host.

    ``K = k(X, X) + (noise + jitter) I`` and ``alpha = K^-1 (z - mean)``, as
    ``GaussianProcess`` conditions (also after ``condition_on``).
    """

    def __init__(self, gp):
        hp = gp.hyperparameters_
        self.kernel = gp.kernel
        self.hp = hp
        self.X = np.asarray(gp.X_train_, dtype=float)
        self.noise = _noise_variance(gp)
        self.L, self.alpha = gp.training_factor()

    def k(self, P, Q):
        return _covariance.kernel_matrix(
            self.kernel, P, Q, self.hp.lengthscales, self.hp.outputscale
        )

    def k_and_gradient(self, P, Q):
        return _covariance.cross_covariance_gradient(
            self.kernel, P, Q, self.hp.lengthscales, self.hp.outputscale
        )


class _OneStepUpdate:
    """Posterior mean, variance and covariance with fixed alternatives ``A``, with gradients.

    ``L^-1 k(X, A)`` is computed once, so each call costs O(n^2 m + n m |A|)
    for m candidates and n training points (``posterior_covariance`` would
    redo the O(n^2 |A|) solve every time). Mean and variance follow
    ``GaussianProcess.posterior`` (the tests compare them).
    """

    def __init__(self, factor, A):
        self.factor = factor
        self.A = np.asarray(A, dtype=float)
        self.noise = factor.noise
        self._LA = solve_triangular(factor.L, factor.k(factor.X, self.A), lower=True)
        self._KinvA = solve_triangular(factor.L, self._LA, lower=True, trans="T")

    def __call__(self, U, gradient=False):
        """Mean, variance and ``Sigma_n(U, A)``; with ``gradient`` also their gradients in U.

        Returns ``mean (m,), var (m,), cross (m, p)`` and, with ``gradient``,
        ``dmean (m, d), dvar (m, d), dcross (m, p, d)``.
        """
        f = self.factor
        if gradient:
            kUX, dkUX = f.k_and_gradient(U, f.X)
            kUA, dkUA = f.k_and_gradient(U, self.A)
        else:
            kUX, kUA = f.k(U, f.X), f.k(U, self.A)
        mean = f.hp.mean + kUX @ f.alpha
        V = solve_triangular(f.L, kUX.T, lower=True)
        var = np.maximum(f.hp.outputscale - np.sum(V * V, axis=0), 1e-12)
        cross = kUA - V.T @ self._LA
        if not gradient:
            return mean, var, cross
        dmean = np.einsum("mnd,n->md", dkUX, f.alpha)
        W = solve_triangular(f.L, V, lower=True, trans="T")  # K^-1 k(X, U)
        dvar = -2.0 * np.einsum("mnd,nm->md", dkUX, W)
        dcross = dkUA - np.matmul(dkUX.transpose(0, 2, 1), self._KinvA).transpose(0, 2, 1)
        return mean, var, cross, dmean, dvar, dcross


def _check_state(state, name):
    X = np.asarray(state.X, dtype=float)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"{name} needs at least one evaluated point in state.X.")
    return X


class _EnvelopeAcquisition:
    """Shared machinery: lines ``a = -mu``, ``b = sigma~`` over ``A`` and the candidate.

    Subclasses set ``self._update`` (a :class:`_OneStepUpdate` over A),
    ``self._a_fixed`` (``-mu_n(A)``) and ``self._baseline`` (the max of
    ``a`` to subtract, None for the max over ``A`` and the candidate).
    """

    def _lines(self, U, gradient):
        out = self._update(U, gradient)
        mean, var, cross = out[:3]
        s = np.sqrt(var + self._update.noise)
        a = np.empty((len(U), cross.shape[1] + 1))
        a[:, :-1] = self._a_fixed
        a[:, -1] = -mean
        b = np.empty_like(a)
        b[:, :-1] = cross / s[:, None]
        b[:, -1] = var / s
        return a, b, s, out

    def _block(self, U, gradient):
        a, b, s, out = self._lines(U, gradient)
        if gradient:
            grad_a, grad_b = np.empty_like(a), np.empty_like(b)
        else:
            grad_a = grad_b = np.empty((0, 0))
        gain = expected_max_gain_rows(a, b, gradient, grad_a, grad_b)
        top_fixed = np.max(self._a_fixed)
        a_x = a[:, -1]
        if self._baseline is None:
            value = gain  # E[max] - max over A and x
        else:
            value = gain + np.maximum(top_fixed, a_x) - self._baseline
        if not gradient:
            return value
        _, var, cross, dmean, dvar, dcross = out
        ds = dvar / (2.0 * s[:, None])
        # b_i = cross_i / s and b_x = var / s, differentiated in x.
        db_fixed = (
            dcross / s[:, None, None] - (cross / s[:, None] ** 2)[:, :, None] * ds[:, None, :]
        )
        db_x = dvar / s[:, None] - (var / s**2)[:, None] * ds
        grad = np.einsum("mp,mpd->md", grad_b[:, :-1], db_fixed)
        grad += grad_b[:, -1:] * db_x
        weight_ax = grad_a[:, -1].copy()
        if self._baseline is None:
            weight_ax -= a_x > top_fixed  # the max over A and x moves with a_x when x is on top
        grad += weight_ax[:, None] * -dmean
        return value, grad

    def _blocks(self, U, gradient):
        U = np.atleast_2d(np.asarray(U, dtype=float))
        p = len(self._a_fixed) + 1
        rows = max(1, _BLOCK_ELEMENTS // p)
        parts = [self._block(U[i : i + rows], gradient) for i in range(0, len(U), rows)]
        if not gradient:
            return np.concatenate(parts) if parts else np.empty(0)
        return np.concatenate([v for v, _ in parts]), np.concatenate([g for _, g in parts])


class NoisyExpectedImprovement(_EnvelopeAcquisition):
    """Noisy expected improvement for minimisation, exact (Frazier's tutorial, §5).

    The expected decrease of the smallest posterior mean over the evaluated
    points when ``x`` is evaluated (with noise) and joins them:

        EI^noisy(x) = min_{i <= n} mu_n(x_i) - E_n[min_{i <= n+1} mu_{n+1}(x_i)],
        x_{n+1} = x,

    the tutorial's generalisation of EI to noisy observations: the final
    report is an evaluated point, the one with the best posterior mean. It
    is the knowledge gradient restricted to the evaluated points and ``x``,
    computed exactly by the envelope algorithm (:func:`expected_max_gain`),
    and reduces to expected improvement with ``best = min_i mu_n(x_i)`` (the
    lowest observation) when the noise vanishes. The baseline is the best
    mean over the *evaluated* points, as in the tutorial, so a candidate
    whose mean is already below it counts that difference as gain (as EI
    does).

    Scoring m candidates costs O(n^2 m) for the posterior plus O(m n log n)
    for the envelopes. The gradient (``value_and_gradient``) is exact
    wherever the envelope does not change (almost everywhere). Points being
    evaluated (``state.pending``) enter only through the GP, as fantasies.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted.
    state : SearchState
        ``state.X`` holds the evaluated points (unit cube).

    Attributes
    ----------
    best_mean : float
        ``min_i mu_n(x_i)`` over the evaluated points (standardised units).

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.optimize import GaussianProcess
    >>> from statkit.optimize._acquisition import SearchState
    >>> from statkit.optimize._noisy import NoisyExpectedImprovement
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((8, 1))
    >>> y = np.sin(6 * X[:, 0]) + 0.1 * rng.normal(size=8)
    >>> gp = GaussianProcess(bounds=[[0, 1]], random_state=0).fit(X, y)
    >>> acquisition = NoisyExpectedImprovement(gp, SearchState(gp.X_train_, gp.z_train_))
    >>> values = acquisition(np.linspace(0, 1, 5)[:, None])
    >>> values.shape, bool(np.all(values >= 0))
    ((5,), True)
    """

    def __init__(self, gp, state):
        self.gp = gp
        X = _check_state(state, "NoisyExpectedImprovement")
        self._factor = _Factor(gp)
        self._update = _OneStepUpdate(self._factor, X)
        mean, _ = gp.posterior(X)
        self._a_fixed = -mean
        self.best_mean = float(np.min(mean))
        self._baseline = -self.best_mean

    def __call__(self, U):
        """Noisy EI at the points ``U``.

        Parameters
        ----------
        U : ndarray of shape (m, d)
            Candidates in the unit cube.

        Returns
        -------
        value : ndarray of shape (m,)
            The acquisition values (to maximise).
        """
        return self._blocks(U, False)

    def value_and_gradient(self, U):
        """Noisy EI at ``U`` and its gradient.

        Parameters
        ----------
        U : ndarray of shape (m, d)
            Candidates in the unit cube.

        Returns
        -------
        value : ndarray of shape (m,)
            The acquisition values (to maximise).
        grad : ndarray of shape (m, d)
            Their gradients with respect to the points.
        """
        return self._blocks(U, True)


class KnowledgeGradient(_EnvelopeAcquisition):
    """Knowledge gradient for minimisation (Frazier's tutorial, §4.2).

    The expected decrease of the smallest posterior mean when ``x`` is
    evaluated (with noise), without EI's restriction to evaluated points:

        KG(x) = min_{x'} mu_n(x') - E_n[min_{x'} mu_{n+1}(x') | x_{n+1} = x] >= 0.

    ``method="discrete"`` takes the minima over ``A`` = the evaluated points,
    ``n_discrete`` scrambled Sobol points (drawn once, from ``state.rng``) and
    ``x`` itself, and is exact on that set (envelope algorithm); scoring m
    candidates costs O(n^2 m + m |A| (n + log |A|)) with |A| = n +
    n_discrete + 1, and ``value_and_gradient`` is exact almost everywhere.

    ``method="one-shot"`` is the sample-average version of the tutorial's
    Algorithm 2 (as BoTorch's one-shot KG, but with the inner minimisations
    solved per candidate): fixed antithetic QMC normal draws ``Z_1..Z_J``
    (``J = n_fantasies``), and for each ``Z_j`` the minimum over the cube of
    ``mu_{n+1}(x') = mu_n(x') + sigma~_n(x', x) Z_j`` by L-BFGS-B (analytic
    gradient) from the best point of the discrete set and from the minimiser
    of ``mu_n`` (``min_{x'} mu_n`` is found once, the same way). The inner
    minimum is never above the value at the minimiser of ``mu_n`` and the
    draws are antithetic, so the estimate is never negative. Cost: one
    L-BFGS-B run over the 2J stacked inner problems per candidate (about
    30-110 ms per candidate for n = 50 to 200, d = 6, J = 32, on one core), so
    use it to score or polish a few points, not to screen thousands. Its
    gradient is the envelope-theorem one (the tutorial's Algorithm 3 with
    the inner minimisers held fixed).

    Parameters
    ----------
    gp : GaussianProcess
        Fitted.
    state : SearchState
        ``state.X`` holds the evaluated points; ``state.rng`` draws the
        Sobol set and the base samples.
    method : {"discrete", "one-shot"}, default="discrete"
        Minimum over a fixed discrete set (exact), or over the cube (sample
        average over fantasies).
    n_discrete : int, default=1000
        Sobol points added to the evaluated points (and the candidate) in the
        discrete set; with "one-shot" they give the starting points.
    n_fantasies : int, default=32
        Base samples of the "one-shot" method (antithetic pairs; an odd
        count adds ``Z = 0``).

    Attributes
    ----------
    A_ : ndarray of shape (n + n_discrete, d)
        The discrete set, without the candidate.
    base_samples_ : ndarray of shape (n_fantasies,)
        The fixed normal draws of "one-shot".
    min_mean_ : float
        ``min_{x'} mu_n(x')`` over ``A_`` ("discrete") or over the cube
        ("one-shot").

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.optimize import GaussianProcess
    >>> from statkit.optimize._acquisition import SearchState
    >>> from statkit.optimize._noisy import KnowledgeGradient
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((8, 1))
    >>> y = np.sin(6 * X[:, 0]) + 0.1 * rng.normal(size=8)
    >>> gp = GaussianProcess(bounds=[[0, 1]], random_state=0).fit(X, y)
    >>> state = SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(1))
    >>> kg = KnowledgeGradient(gp, state, n_discrete=64)
    >>> values = kg(np.linspace(0, 1, 5)[:, None])
    >>> values.shape, bool(np.all(values >= 0))
    ((5,), True)
    """

    def __init__(self, gp, state, method="discrete", n_discrete=1000, n_fantasies=32):
        if method not in ("discrete", "one-shot"):
            raise ValueError(f"method must be 'discrete' or 'one-shot'; got {method!r}.")
        if not isinstance(n_discrete, numbers.Integral) or n_discrete < 0:
            raise ValueError(f"n_discrete must be a non-negative integer; got {n_discrete!r}.")
        if not isinstance(n_fantasies, numbers.Integral) or n_fantasies < 1:
            raise ValueError(f"n_fantasies must be a positive integer; got {n_fantasies!r}.")
        self.gp = gp
        self.method = method
        X = _check_state(state, "KnowledgeGradient")
        d = X.shape[1]
        self.A_ = np.vstack([X, sobol(d, int(n_discrete), state.rng)])
        self._factor = _Factor(gp)
        self._update = _OneStepUpdate(self._factor, self.A_)
        mean_A, _ = gp.posterior(self.A_)
        self._a_fixed = -mean_A
        self._baseline = None
        self.min_mean_ = float(np.min(mean_A))
        self.base_samples_ = np.empty(0)
        if method == "one-shot":
            half = int(n_fantasies) // 2
            z = ndtri(sobol(1, half, state.rng)[:, 0]) if half else np.empty(0)
            self.base_samples_ = np.r_[z, -z, [0.0] * (int(n_fantasies) % 2)]
            x_min, value = self._minimize_mean(self.A_[np.argmin(mean_A)])
            self._x_min = x_min if value < self.min_mean_ else self.A_[np.argmin(mean_A)]
            self.min_mean_ = min(self.min_mean_, value)

    # -- one-shot ----------------------------------------------------------------------------
    def _minimize_mean(self, start):
        """Minimise the posterior mean ``mu_n`` over the cube from ``start``."""

        def objective(u):
            mean, _, dmean, _ = self.gp.posterior(u[None], return_gradient=True)
            return float(mean[0]), dmean[0]

        result = scipy_minimize(
            objective,
            np.asarray(start, dtype=float),
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * len(start),
        )
        return result.x, float(result.fun)

    def _polish(self, update, starts, scales):
        """Minimise ``mu_n(u_k) + scales_k Sigma_n(u_k, x)`` from each start, all at once.

        The objective is a sum of independent terms, so one L-BFGS-B run over
        the stacked points (one batched posterior call per step) reaches a
        stationary point of every term; its projected-gradient test applies
        to each coordinate. Returns the points and each term's value there.
        """
        m, d = starts.shape

        def terms(flat, gradient):
            out = update(flat.reshape(m, d), gradient)
            values = out[0] + scales * out[2][:, 0]
            if not gradient:
                return values
            return values, out[3] + scales[:, None] * out[5][:, 0, :]

        def objective(flat):
            values, grad = terms(flat, True)
            return float(np.sum(values)), grad.ravel()

        result = scipy_minimize(
            objective,
            starts.ravel(),
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * starts.size,
        )
        return result.x.reshape(m, d), terms(result.x, False)

    def _one_shot(self, x, gradient):
        x = np.asarray(x, dtype=float)
        update = _OneStepUpdate(self._factor, x[None])
        _, var_x, _ = update(x[None])
        s = float(np.sqrt(var_x[0] + update.noise))  # sd of the observation at x
        a, b, _, _ = self._lines(x[None], False)
        means = -a[0]  # mu_n on A and x
        tilde = b[0]  # sigma~_n(., x) on A and x
        points = np.vstack([self.A_, x[None]])
        # sigma~_n(x_min, x), for the fallback value at the minimiser of mu_n.
        _, _, cross_min = _OneStepUpdate(self._factor, self._x_min[None])(x[None])
        tilde_min = cross_min[0, 0] / s
        z = self.base_samples_
        fantasy = means[None, :] + tilde[None, :] * z[:, None]  # (J, |A| + 1)
        best = np.argmin(fantasy, axis=1)
        # Each fantasy polished from its best discrete point and from the minimiser of mu_n.
        starts = np.vstack([points[best], np.repeat(self._x_min[None], len(z), axis=0)])
        polished, polished_values = self._polish(update, starts, np.r_[z, z] / s)
        options_values = np.column_stack(
            [
                fantasy[np.arange(len(z)), best],
                self.min_mean_ + tilde_min * z,
                polished_values[: len(z)],
                polished_values[len(z) :],
            ]
        )
        options_points = np.stack(
            [
                points[best],
                np.repeat(self._x_min[None], len(z), axis=0),
                polished[: len(z)],
                polished[len(z) :],
            ],
            axis=1,
        )
        choice = np.argmin(options_values, axis=1)
        minima = options_values[np.arange(len(z)), choice]
        argmins = options_points[np.arange(len(z)), choice]
        value = self.min_mean_ - float(np.mean(minima))
        if not gradient:
            return value, None
        # Envelope theorem: d/dx of -mean_j [mu_n(u_j) + Z_j Sigma_n(u_j, x) / s(x)], u_j fixed.
        at_argmins = _OneStepUpdate(self._factor, argmins)
        _, var, cross, _, dvar, dcross = at_argmins(x[None], True)
        s = np.sqrt(var[0] + at_argmins.noise)
        ds = dvar[0] / (2.0 * s)
        dtilde = dcross[0] / s - (cross[0] / s**2)[:, None] * ds[None, :]
        grad = -np.mean(self.base_samples_[:, None] * dtilde, axis=0)
        return value, grad

    # -- protocol ----------------------------------------------------------------------------
    def __call__(self, U):
        """Knowledge gradient at the points ``U``.

        Parameters
        ----------
        U : ndarray of shape (m, d)
            Candidates in the unit cube.

        Returns
        -------
        value : ndarray of shape (m,)
            The acquisition values (to maximise).
        """
        if self.method == "discrete":
            return self._blocks(U, False)
        U = np.atleast_2d(np.asarray(U, dtype=float))
        return np.array([self._one_shot(u, False)[0] for u in U])

    def value_and_gradient(self, U):
        """Knowledge gradient at ``U`` and its gradient.

        Parameters
        ----------
        U : ndarray of shape (m, d)
            Candidates in the unit cube.

        Returns
        -------
        value : ndarray of shape (m,)
            The acquisition values (to maximise).
        grad : ndarray of shape (m, d)
            Their gradients with respect to the points.
        """
        if self.method == "discrete":
            return self._blocks(U, True)
        U = np.atleast_2d(np.asarray(U, dtype=float))
        results = [self._one_shot(u, True) for u in U]
        return np.array([v for v, _ in results]), np.array([g for _, g in results]).reshape(U.shape)
