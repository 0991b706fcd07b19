"""Batch (q-point) expected improvement by quasi-Monte Carlo, and its joint maximisation.

The q-batch expected improvement for *minimisation* (Frazier's tutorial, §5;
Ginsbourger et al. 2010; Wang et al. 2016) is

    qEI(x^(1:q)) = E[(best - min_i f(x^(i)))^+],

with ``best`` the lowest standardised observation. It has no closed form for
q > 1; it is estimated by the reparameterisation ``Y = mu + L Z`` with
``L = chol(Sigma)`` the Cholesky factor of the joint posterior covariance and
``Z`` a *fixed* set of scrambled-Sobol normal base samples, so the estimate is
a deterministic, smooth function of the batch that L-BFGS-B can optimise.

Points still being evaluated (``state.pending``) are handled as in BoTorch's
``qLogExpectedImprovement(X_pending=...)``: they join the joint draw (their
posterior is correlated with the free points) and the minimum is over the free
*and* the pending points, so a free point next to a pending one gains nothing.

The logarithm is smoothed as in Ament et al. (2023), "Unexpected improvements
to expected improvement" (qLogEI): the improvement goes through a
temperature-``tau`` (fat-tailed) softplus, in log space, the max over the
points is a ``tau_max`` log-sum-exp of the log-improvements, and the mean over
the samples is a log-mean-exp, so neither the value nor the gradient underflows
far from any improvement.
"""

import numbers

import numpy as np
from scipy.linalg import solve_triangular
from scipy.optimize import minimize as scipy_minimize
from scipy.special import expit, logsumexp
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from statkit.optimize import _covariance
from statkit.optimize._acquisition import SearchState, off_the_bounds
from statkit.optimize._space import sobol
from statkit.utils._validation import check_generator

# Weight of the Cauchy tail of the fat softplus (Ament et al. 2023; BoTorch's
# ``fatplus``): the smallest that keeps softplus(x) + a / (1 + x^2) monotone and convex.
_FAT_ALPHA = 0.1
# Sizes of the jitter tried, in turn, on the joint posterior covariance of a batch.
_JITTERS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4)
# Beyond this many points, ``optimize_batch`` picks them one at a time (``greedy_batch``).
_MAX_JOINT = 8


def _log_plus(x, fat):
    """``log(softplus(x) [+ a / (1 + x^2)])`` and its derivative in ``x``, stable for every x."""
    if fat:
        cauchy = 1.0 / (1.0 + x * x)
        value = np.logaddexp(0.0, x) + _FAT_ALPHA * cauchy
        slope = expit(x) - 2.0 * _FAT_ALPHA * x * cauchy * cauchy
        return np.log(value), slope / value
    # softplus(x) = log1p(e^x) = e^x (1 - e^x / 2 + ...): below -30 its log is x to 1e-13.
    far = x < -30.0
    safe = np.where(far, -30.0, x)
    softplus = np.logaddexp(0.0, safe)
    value = np.where(far, x, np.log(softplus))
    slope = np.where(far, 1.0, expit(safe) / softplus)
    return value, slope


def _normal_base_samples(n_samples, dim, rng):
    """``n_samples`` scrambled-Sobol points of N(0, I_dim), shape (n_samples, dim)."""
    u = sobol(dim, n_samples, rng)
    return norm.ppf(np.clip(u, 1e-12, 1.0 - 1e-12))


def _batched_cholesky(S):
    """Cholesky factors of the matrices ``S`` (m, r, r), each with the least jitter that works."""
    eye = np.eye(S.shape[-1])
    try:
        return np.linalg.cholesky(S + _JITTERS[0] * eye)
    except np.linalg.LinAlgError:
        pass
    out = np.empty_like(S)
    for i, matrix in enumerate(S):
        for jitter in _JITTERS:
            try:
                out[i] = np.linalg.cholesky(matrix + jitter * eye)
                break
            except np.linalg.LinAlgError:
                continue
        else:
            # Not positive semi-definite to 1e-4 (it cannot happen for a posterior
            # covariance); fall back on the diagonal.
            out[i] = np.diag(np.sqrt(np.maximum(np.diag(matrix), 0.0) + _JITTERS[-1]))
    return out


class QLogExpectedImprovement:
    """Log of the q-batch expected improvement (minimisation), by fixed quasi-Monte Carlo.

    ``log E[(best - min_i f(x_i))^+]`` over a batch of ``q`` points (plus the
    pending points of ``state``, which enter the joint draw but are not
    optimised), smoothed as qLogEI (Ament et al. 2023) and estimated with
    ``n_samples`` scrambled-Sobol normal base samples drawn once from
    ``state.rng``, so it is deterministic and differentiable. Everything is
    in the GP's standardised output units.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted (without fantasies for the pending points: they are taken into
        account here).
    state : SearchState
        ``z`` gives ``best = min(z)``; ``pending`` (unit cube, shape (p, d),
        possibly empty) are held fixed in the joint draw; ``rng`` draws the
        base samples.
    q : int
        Number of free points in a batch.
    n_samples : int, default=256
        Number of QMC base samples (a power of 2 keeps the Sobol balance).
    tau : float, default=1e-6
        Temperature of the softplus that smooths the improvement
        ``(best - y)^+``; the bias it adds is at most ``tau * (log 2 + 0.1)``
        per sample.
    tau_max : float, default=1e-2
        Temperature of the log-sum-exp that smooths the max over the
        ``q + p`` log-improvements; it adds at most ``tau_max * log(q + p)``
        to the log value (nothing when ``q + p = 1``).
    fat : bool, default=True
        Use the fat-tailed softplus ``softplus(x) + 0.1 / (1 + x^2)`` of
        Ament et al.: far from any improvement the log value then decays like
        ``-2 log(gap / tau)`` instead of ``-gap / tau``, which keeps the
        gradients O(1) (as BoTorch's default).
    best : float, default=None
        The incumbent (standardised); None is the lowest of ``state.z``.

    Attributes
    ----------
    best : float
        The incumbent: by default the lowest standardised observation.
    pending : ndarray of shape (p, d)
    base_samples : ndarray of shape (n_samples, q + p)
        The fixed normal base samples.

    Notes
    -----
    With ``Y_s = mu + L Z_s`` the joint draws over the ``q`` free and ``p``
    pending points and ``l_sj = log(tau * softplus((best - Y_sj) / tau))`` (or the fat
    variant),
    the value is

        log (1/S) sum_s exp(tau_max * logsumexp_j(l_sj / tau_max)).

    The gradient is analytic: back through the log-mean-exp and the
    log-sum-exp to ``Y``, to ``mu`` and ``L``, through the Cholesky
    factorisation (Murray 2016, "Differentiation of the Cholesky
    decomposition") to the joint covariance, and through the posterior mean
    and covariance to the free points.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.optimize import GaussianProcess
    >>> from statkit.optimize._acquisition import SearchState
    >>> from statkit.optimize._batch import QLogExpectedImprovement
    >>> X = np.linspace(0, 1, 6)[:, None]
    >>> gp = GaussianProcess(bounds=[(0, 1)], random_state=0).fit(X, np.sin(6 * X[:, 0]))
    >>> state = SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(0))
    >>> acquisition = QLogExpectedImprovement(gp, state, q=2)
    >>> value, grad = acquisition.value_and_gradient([[0.7], [0.85]])
    >>> grad.shape
    (2, 1)
    >>> bool(acquisition([[0.7], [0.85]]) == value)  # fixed base samples: deterministic
    True
    """

    def __init__(self, gp, state, q, n_samples=256, tau=1e-6, tau_max=1e-2, fat=True, best=None):
        if not isinstance(q, numbers.Integral) or isinstance(q, bool) or q < 1:
            raise ValueError(f"q must be a positive integer; got {q!r}.")
        if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        if not (tau > 0 and tau_max > 0):
            raise ValueError(f"tau and tau_max must be positive; got {tau!r} and {tau_max!r}.")
        z = np.asarray(state.z, dtype=float)
        if best is None and z.size == 0:
            raise ValueError("The search state has no observations.")
        self.gp = gp
        self.q = int(q)
        self.tau = float(tau)
        self.tau_max = float(tau_max)
        self.fat = bool(fat)
        self.best = float(np.min(z)) if best is None else float(best)
        self._d = gp.X_train_.shape[1]
        pending = np.asarray(state.pending, dtype=float)
        self.pending = pending.reshape(-1, self._d) if pending.size else np.empty((0, self._d))
        self.base_samples = _normal_base_samples(
            int(n_samples), self.q + len(self.pending), state.rng
        )
        # The GP's Cholesky factor of K + noise and K^-1 (z - m): the joint
        # covariance and its derivatives need the cross terms, which the public
        # ``posterior`` does not give.
        self._L, self._alpha = gp.training_factor()
        hp = gp.hyperparameters_
        self._lengthscales, self._outputscale, self._mean = (
            hp.lengthscales,
            hp.outputscale,
            hp.mean,
        )
        P = self.pending
        k = self._kernel(P, gp.X_train_)
        self._mean_pending = self._mean + k @ self._alpha
        self._V_pending = solve_triangular(self._L, k.T, lower=True)  # (n, p)
        self._W_pending = solve_triangular(self._L, self._V_pending, lower=True, trans="T")
        self._cov_pending = self._kernel(P, P) - self._V_pending.T @ self._V_pending

    def _kernel(self, A, B):
        return _covariance.kernel_matrix(
            self.gp.kernel, A, B, self._lengthscales, self._outputscale
        )

    def _as_batches(self, B):
        B = np.asarray(B, dtype=float)
        expected = {1: (self.q * self._d,), 2: (self.q, self._d), 3: (self.q, self._d)}
        if B.ndim not in expected or B.shape[-len(expected[B.ndim]) :] != expected[B.ndim]:
            raise ValueError(
                f"Expected a batch of shape ({self.q}, {self._d}), ({self.q * self._d},) or "
                f"(m, {self.q}, {self._d}); got {B.shape}."
            )
        return B.reshape(-1, self.q, self._d), B.ndim <= 2

    def __call__(self, B):
        """qLogEI of a batch, or of several.

        Parameters
        ----------
        B : array-like of shape (q, d), (q * d,) or (m, q, d)
            Points in the unit cube.

        Returns
        -------
        value : float or ndarray of shape (m,)
        """
        batches, single = self._as_batches(B)
        value = self._evaluate(batches, gradient=False)
        return float(value[0]) if single else value

    def value_and_gradient(self, B):
        """qLogEI and its gradient with respect to the points.

        Parameters
        ----------
        B : array-like of shape (q, d), (q * d,) or (m, q, d)
            Points in the unit cube.

        Returns
        -------
        value : float or ndarray of shape (m,)
        grad : ndarray of the shape of ``B``
        """
        B = np.asarray(B, dtype=float)
        batches, single = self._as_batches(B)
        value, grad = self._evaluate(batches, gradient=True)
        return (float(value[0]) if single else value), grad.reshape(B.shape)

    def _evaluate(self, B, gradient):
        gp, ls = self.gp, self._lengthscales
        m, q, d = B.shape
        P = self.pending
        p = len(P)
        flat = B.reshape(m * q, d)
        if gradient:
            k, dk = _covariance.cross_covariance_gradient(
                gp.kernel, flat, gp.X_train_, ls, self._outputscale
            )
        else:
            k = self._kernel(flat, gp.X_train_)
        n = k.shape[1]
        mean = self._mean + k @ self._alpha
        V = solve_triangular(self._L, k.T, lower=True)  # (n, m q)
        V3 = V.T.reshape(m, q, n)
        # Prior covariances of the free points with all the points (free, then pending).
        A = np.concatenate([B, np.broadcast_to(P, (m, p, d))], axis=1)
        diff = (B[:, :, None, :] - A[:, None, :, :]) / ls  # (m, q, r, d)
        r2 = np.sum(diff * diff, axis=-1)
        prior = _covariance.covariance(gp.kernel, r2, self._outputscale)
        r = q + p
        cov = np.empty((m, r, r))
        cov[:, :q, :q] = prior[:, :, :q] - V3 @ V3.transpose(0, 2, 1)
        if p:
            cross = prior[:, :, q:] - V3 @ self._V_pending
            cov[:, :q, q:] = cross
            cov[:, q:, :q] = cross.transpose(0, 2, 1)
            cov[:, q:, q:] = self._cov_pending
        cov = 0.5 * (cov + cov.transpose(0, 2, 1))
        chol = _batched_cholesky(cov)
        mu = np.concatenate([mean.reshape(m, q), np.broadcast_to(self._mean_pending, (m, p))], 1)
        Z = self.base_samples
        S = len(Z)
        Y = mu[:, None, :] + np.einsum("sk,mjk->msj", Z, chol)  # (m, S, r)
        x = (self.best - Y) / self.tau
        log_plus, dlog_plus = _log_plus(x, self.fat)
        ell = np.log(self.tau) + log_plus  # log smoothed improvement per sample and point
        h = self.tau_max * logsumexp(ell / self.tau_max, axis=-1)  # smooth max over points
        value = logsumexp(h, axis=-1) - np.log(S)  # log-mean-exp over samples
        if not gradient:
            return value
        # Back to Y: d value / d h_s = softmax_s(h); d h / d ell_j = softmax_j(ell / tau_max).
        weights = np.exp(h - np.log(S) - value[:, None])
        share = np.exp((ell - h[..., None]) / self.tau_max)
        dY = -(weights[..., None] * share) * dlog_plus / self.tau  # (m, S, r)
        dmu = dY.sum(axis=1)  # (m, r)
        dchol = np.tril(np.einsum("msj,sk->mjk", dY, Z))
        # Through the Cholesky factor (Murray 2016): with Phi = lower triangle and half
        # the diagonal, dSigma = sym(L^-T Phi(L^T dL) L^-1).
        inner = np.tril(chol.transpose(0, 2, 1) @ dchol)
        inner[:, np.arange(r), np.arange(r)] *= 0.5
        chol_inv = np.linalg.inv(chol)
        dcov = chol_inv.transpose(0, 2, 1) @ inner @ chol_inv
        dcov = 0.5 * (dcov + dcov.transpose(0, 2, 1))
        # Sigma_ab = k(a, b) - k(a, X) K^-1 k(X, b); a free point a enters row and
        # column a, so d value / d x_a = dmu_a dmu_a/dx_a + 2 sum_b dSigma_ab d_1 Sigma_ab.
        g = _covariance.lengthscale_factor(gp.kernel, r2, self._outputscale)  # -k'(r)/r
        grad = -2.0 * np.einsum("mab,mabd->mad", dcov[:, :q, :] * g, diff) / ls
        W = solve_triangular(self._L, V, lower=True, trans="T")  # K^-1 k(X, free), (n, m q)
        W3 = np.concatenate(
            [W.reshape(n, m, q).transpose(1, 0, 2), np.broadcast_to(self._W_pending, (m, n, p))],
            axis=2,
        )  # (m, n, r)
        coef = dmu[:, :q, None] * self._alpha - 2.0 * np.einsum("mab,mnb->man", dcov[:, :q], W3)
        grad += np.einsum("man,mand->mad", coef, dk.reshape(m, q, n, d))
        return value, grad


def _raw_batches(gp, state, q, rng, raw_samples, n_samples):
    """Candidate batches: half scrambled Sobol, half drawn from the best single points.

    Most points of a random batch have no chance of improving, and their
    qLogEI gradient is numerically zero (the smooth max hands it all to the
    best point of each draw), so a local search started there never moves
    them. Half the batches are therefore made of points drawn among the
    ``4 q`` best of a pool (1024 Sobol points and perturbations of the five
    best observations) scored by the one-point qLogEI given the pending points.
    """
    d = gp.X_train_.shape[1]
    raw = sobol(q * d, raw_samples, rng)
    raw = raw.reshape(-1, q, d)
    n_pooled = len(raw) // 2
    if n_pooled == 0:
        return raw
    pool = [sobol(d, 1024, rng)]
    X = np.asarray(state.X, dtype=float).reshape(-1, d)
    if len(X):
        anchors = X[np.argsort(np.asarray(state.z), kind="stable")[:5]]
        near = np.repeat(anchors, 20, axis=0)
        pool.append(np.clip(near + rng.normal(scale=0.05, size=near.shape), 0.0, 1.0))
    pool = np.vstack(pool)
    single = QLogExpectedImprovement(
        gp, SearchState(state.X, state.z, state.pending, rng), 1, n_samples=n_samples
    )
    scores = single(pool[:, None, :])
    scores = np.where(np.isfinite(scores), scores, -np.inf)
    top = pool[np.argsort(-scores, kind="stable")[: 4 * q]]
    picks = np.argsort(rng.random((n_pooled, len(top))), axis=1)[:, :q]
    raw[:n_pooled] = top[picks]
    return raw


def optimize_batch(
    gp,
    state,
    q,
    rng,
    n_restarts=10,
    raw_samples=512,
    *,
    n_samples=256,
    sequential=None,
    maxiter=200,
):
    """Maximise qLogEI jointly over ``q`` points of the unit cube.

    ``raw_samples`` candidate batches are scored: half scrambled-Sobol
    batches, half made of points drawn among the ``4 q`` best single points
    of a pool (Sobol points and perturbations of the best observations, by
    one-point qLogEI given the pending points), since a point with no chance
    of improving gets no gradient and would never move. The best
    ``n_restarts`` start one L-BFGS-B run with analytic gradients over all of
    them stacked (the objective is a sum of independent terms, so this is
    the same as separate runs, at one vectorised evaluation per step, as in
    BoTorch's ``optimize_acqf``); the best batch found is returned. BLAS runs
    on one thread meanwhile (the matrices are small).

    Parameters
    ----------
    gp : GaussianProcess
        Fitted, without fantasies for the pending points.
    state : SearchState
        Observations, pending points (held fixed in the joint posterior) and
        the generator of the QMC base samples.
    q : int
        Number of points.
    rng : int, Generator or None
        Draws the raw batches.
    n_restarts : int, default=10
        Local searches.
    raw_samples : int, default=512
        Random batches scored to choose the starts.
    n_samples : int, default=256
        QMC base samples of the acquisition.
    sequential : bool or None, default=None
        Pick the points one at a time (:func:`greedy_batch`); None does so
        for ``q > 8``, where the joint search gets slow and unreliable.
    maxiter : int, default=200
        L-BFGS-B iterations.

    Returns
    -------
    points : ndarray of shape (q, d)
        In the unit cube.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.optimize import GaussianProcess
    >>> from statkit.optimize._acquisition import SearchState
    >>> from statkit.optimize._batch import optimize_batch
    >>> X = np.linspace(0, 1, 6)[:, None]
    >>> gp = GaussianProcess(bounds=[(0, 1)], random_state=0).fit(X, np.sin(6 * X[:, 0]))
    >>> state = SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(0))
    >>> batch = optimize_batch(gp, state, 3, rng=0)
    >>> batch.shape
    (3, 1)
    >>> bool(np.all((batch >= 0) & (batch <= 1)))
    True
    """
    rng = check_generator(rng)
    if sequential is None:
        sequential = q > _MAX_JOINT
    if sequential:
        return greedy_batch(
            gp, state, q, rng, n_restarts, raw_samples, n_samples=n_samples, maxiter=maxiter
        )
    # The linear algebra here is small (n x n triangular solves, r x r Cholesky factors):
    # BLAS threads only add synchronisation, several-fold slower on a loaded machine.
    with threadpool_limits(1, user_api="blas"):
        return _optimize_joint(gp, state, q, rng, n_restarts, raw_samples, n_samples, maxiter)


def _optimize_joint(gp, state, q, rng, n_restarts, raw_samples, n_samples, maxiter):
    acquisition = QLogExpectedImprovement(gp, state, q, n_samples=n_samples)
    raw = _raw_batches(gp, state, q, rng, raw_samples, n_samples)
    scores = acquisition(raw)
    scores = np.where(np.isfinite(scores), scores, -np.inf)
    starts = raw[np.argsort(-scores, kind="stable")[:n_restarts]]

    def objective(flat):
        value, grad = acquisition.value_and_gradient(flat.reshape(starts.shape))
        if not np.all(np.isfinite(value)):
            return np.inf, np.zeros_like(flat)
        return -np.sum(value), -grad.ravel()

    result = scipy_minimize(
        objective,
        starts.ravel(),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * starts.size,
        options={"maxiter": maxiter},
    )
    polished = np.clip(result.x.reshape(starts.shape), 0.0, 1.0)
    pool = np.concatenate([polished, starts])
    values = acquisition(pool)
    values = np.where(np.isfinite(values), values, -np.inf)
    best = int(np.argmax(values))
    if best >= len(polished):
        return pool[best]
    # The coordinates pushed onto a bound for (almost) nothing go back inside, as for one point.
    flat = _Flattened(acquisition, starts.shape[1:])
    x, _ = off_the_bounds(flat, pool[best].ravel(), starts[best].ravel(), values[best], None)
    return x.reshape(starts.shape[1:])


class _Flattened:
    """A batch acquisition scoring batches given as flat rows of ``q * d`` coordinates."""

    log_scale = True

    def __init__(self, acquisition, shape):
        self.acquisition, self.shape = acquisition, shape

    def __call__(self, flat):
        return self.acquisition(flat.reshape(-1, *self.shape))


def greedy_batch(gp, state, q, rng, n_restarts=10, raw_samples=512, *, n_samples=256, maxiter=200):
    """Choose ``q`` points one at a time, each with the previous ones as pending points.

    The sequential-greedy approximation to the joint qLogEI maximiser
    (BoTorch's ``optimize_acqf(sequential=True)``): point ``k`` maximises the
    one-point qLogEI with the pending points of ``state`` and points
    ``1 .. k-1`` in the joint posterior. Cheaper than the joint search for
    large ``q``; qEI is monotone and submodular in the set of points, so with
    exact inner maximisations the greedy batch is within a factor ``1 - 1/e``
    of the best one (Wilson et al. 2018).

    Parameters
    ----------
    gp : GaussianProcess
        Fitted, without fantasies for the pending points.
    state : SearchState
    q : int
        Number of points.
    rng : int, Generator or None
        Draws the raw candidates.
    n_restarts, raw_samples, n_samples, maxiter
        As in :func:`optimize_batch`, for each point.

    Returns
    -------
    points : ndarray of shape (q, d)

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.optimize import GaussianProcess
    >>> from statkit.optimize._acquisition import SearchState
    >>> from statkit.optimize._batch import greedy_batch
    >>> X = np.linspace(0, 1, 6)[:, None]
    >>> gp = GaussianProcess(bounds=[(0, 1)], random_state=0).fit(X, np.sin(6 * X[:, 0]))
    >>> state = SearchState(gp.X_train_, gp.z_train_, rng=np.random.default_rng(0))
    >>> greedy_batch(gp, state, 2, rng=0).shape
    (2, 1)
    """
    rng = check_generator(rng)
    d = gp.X_train_.shape[1]
    pending = np.asarray(state.pending, dtype=float)
    pending = pending.reshape(-1, d) if pending.size else np.empty((0, d))
    chosen = np.empty((0, d))
    for _ in range(q):
        step = SearchState(state.X, state.z, np.vstack([pending, chosen]), state.rng)
        point = optimize_batch(
            gp,
            step,
            1,
            rng,
            n_restarts,
            raw_samples,
            n_samples=n_samples,
            sequential=False,
            maxiter=maxiter,
        )
        chosen = np.vstack([chosen, point])
    return chosen
