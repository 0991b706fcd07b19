"""The ask/tell Bayesian optimizer."""

import copy
import numbers
from typing import ClassVar

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from threadpoolctl import threadpool_limits

from statkit.optimize import _acquisition
from statkit.optimize._batch import optimize_batch
from statkit.optimize._entropy import MaxValueEntropySearch
from statkit.optimize._gp import GaussianProcess
from statkit.optimize._noisy import KnowledgeGradient, NoisyExpectedImprovement
from statkit.optimize._space import Space
from statkit.utils._validation import check_generator

_RESTART_PERIOD = 10
# Leaving converged basins (BayesianOptimizer's Notes). The search has converged in a basin
# when the last _CONVERGED_WINDOW points told lie within _CONVERGED_DISTANCE of the best
# (median, unit cube) and improved on the earlier points by less than _CONVERGED_GAIN of the
# range of the values; the basin excluded is the ellipsoid of _BASIN_RADIUS lengthscales around
# the best. Chosen in exploratory runs on Hartmann6 and Branin: the window and the distance
# leave Hartmann6's local basin after 45-80 evaluations (a window of 4-5 or a larger distance
# stopped refining Branin too early); the ellipsoid follows the lengthscales so that it covers
# the valley around that basin, flat in two coordinates, where a ball of radius 0.4 left the
# search sliding along it; radii of one and two lengthscales left 6 of 30 runs stuck each.
_CONVERGED_WINDOW = 6
_CONVERGED_DISTANCE = 0.02
_CONVERGED_GAIN = 1e-4
_BASIN_RADIUS = 2.0
ACQUISITIONS = {
    "logei": _acquisition.LogExpectedImprovement,
    "ei": _acquisition.ExpectedImprovement,
    "noisy_ei": NoisyExpectedImprovement,
    "kg": KnowledgeGradient,
    "kg_one_shot": KnowledgeGradient,  # screened by the discrete KG; see _one_shot_choice
    "mes": MaxValueEntropySearch,
}


class BayesianOptimizer(BaseEstimator):
    """Minimise an expensive function by Bayesian optimization, one ``ask``/``tell`` at a time.

    The first ``n_initial_points`` come from a scrambled Sobol design; after
    that each ``ask`` fits a :class:`GaussianProcess` to the results so far
    and returns the maximiser of the acquisition (Frazier's Algorithm 1).
    Results may be told in any order; points asked for but not yet told are
    *pending*: they enter the model as fantasies (their posterior mean), so
    they are never proposed again and parallel workers get different points.

    Parameters
    ----------
    space : Space or list
        The search space (see :class:`Space`).
    acquisition : {"logei", "ei", "noisy_ei", "kg", "kg_one_shot", "mes"}, default="logei"
        Acquisition function: log expected improvement (default; Ament et
        al. 2023), expected improvement, the tutorial's noisy EI (for noisy
        objectives; report with :meth:`recommend`), the discrete knowledge
        gradient, the continuous (one-shot) knowledge gradient (the discrete
        one searches, the continuous one decides among five points around
        its maximiser), or max-value entropy search. With ``n_constraints``
        the acquisition is the constrained log EI.
    n_initial_points : int, default=10
        Size of the initial Sobol design (points told with ``tell`` before
        the first ``ask`` count towards it).
    maximize : bool, default=False
        Maximise instead: values are negated inside, results are reported as told.
    noise : float or None, default=None
        Noise variance of the observations (standardised units); None learns it.
    n_constraints : int, default=0
        Number of expensive constraints ``g_j(x) >= 0`` told with each result;
        each gets its own GP and the acquisition is weighted by the
        probability that all hold (constrained log EI).
    escape_local_minima : bool, default=True
        Once the search has converged in a basin, exclude it and search the
        rest of the space (see Notes). Not used with ``n_constraints``.
    random_state : int, Generator or None, default=None
        Seeds the design, the GP restarts and the acquisition search.

    Attributes
    ----------
    Xi : list of list
        Points told, in order.
    yi : list of float
        Their values (as told).
    pending : list of list
        Points asked for and not yet told.
    gp_ : GaussianProcess or None
        The model of the last ``ask``.
    basins_ : list of (ndarray, ndarray)
        The basins excluded so far: each centre (the best point there, in the
        unit cube of the space) and the GP lengthscales when it was excluded.

    Notes
    -----
    Expected improvement commits to the basin of the best point it knows:
    once a model has many points there, it learns long lengthscales from
    them and grows confident that the rest of the space is worse. On
    Hartmann6, a third of the runs from a 10-point design ended in the local
    minimum -3.2032. So with ``escape_local_minima``, when the last 6 points
    told lie within 0.02 of the best one (median distance, unit cube) and
    improved on it by less than 1e-4 of the range of the values, that basin
    (the ellipsoid of two lengthscales around the best point) is excluded:
    later asks fit the GP to the points outside the excluded basins and
    maximise the acquisition outside them, as a fresh search that knows the
    rest of the history. The best value told is still reported, wherever it
    lies; :meth:`recommend` uses every point. Restarting a converged local
    search is the idea of trust-region BO (TuRBO; Eriksson et al., 2019);
    here the basin is left out rather than the history forgotten. Once a
    basin is excluded, batches (``ask(n_points > 1)``) are chosen by the
    Kriging believer, which keeps to the region.

    Examples
    --------
    >>> from statkit.optimize import BayesianOptimizer
    >>> opt = BayesianOptimizer([(-2.0, 2.0)], n_initial_points=4, random_state=0)
    >>> for _ in range(10):
    ...     x = opt.ask()
    ...     _ = opt.tell(x, (x[0] - 0.5) ** 2)
    >>> bool(abs(opt.result().x[0] - 0.5) < 0.1)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "space": [Space, list],
        "acquisition": [StrOptions(set(ACQUISITIONS))],
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left")],
        "maximize": ["boolean"],
        "noise": [Interval(numbers.Real, 0, None, closed="left"), None],
        "n_constraints": [Interval(numbers.Integral, 0, None, closed="left")],
        "escape_local_minima": ["boolean"],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        space,
        *,
        acquisition="logei",
        n_initial_points=10,
        maximize=False,
        noise=None,
        n_constraints=0,
        escape_local_minima=True,
        random_state=None,
    ):
        self.space = space
        self.acquisition = acquisition
        self.n_initial_points = n_initial_points
        self.maximize = maximize
        self.noise = noise
        self.n_constraints = n_constraints
        self.escape_local_minima = escape_local_minima
        self.random_state = random_state
        self._validate_params()
        self._space = Space(space)
        self._rng = check_generator(random_state)
        self._design = list(self._space.sobol(n_initial_points, self._rng))
        self.Xi, self.yi, self.pending = [], [], []
        self.ci = []
        self.failed = []
        self.gp_ = None
        self.basins_ = []
        self._excluded_in_fit = 0  # the number of excluded basins left out of gp_'s points
        self._n_fits = 0

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # ask/tell, not fit/predict: tested in tests/test_common.py's API_CASES and in
        # tests/optimize.
        tags._skip_test = True
        return tags

    # -- observations ---------------------------------------------------------------------
    def tell(self, x, y, constraints=None):
        """Record the value of one point, or of several.

        Parameters
        ----------
        x : list or list of lists
            A point (one value per dimension) or several.
        y : float or list of float
            Its value(s). A NaN or infinite value marks a failed evaluation:
            it is kept in ``failed`` and left out of the model.
        constraints : array-like of shape (n_constraints,) or (n_points, n_constraints)
            The constraint values ``g_j(x)`` (feasible when all are >= 0);
            required when ``n_constraints > 0``.

        Returns
        -------
        result : OptimizeResult
            As :meth:`result`.
        """
        points, values = self._as_batch(x, y)
        for point in points:
            self._space.check_point(point)
        limits = self._check_constraints(constraints, len(points))
        for point, value, limit in zip(points, values, limits, strict=True):
            self._drop_pending(point)
            if np.isfinite(value) and np.all(np.isfinite(limit)):
                self.Xi.append(list(point))
                self.yi.append(float(value))
                self.ci.append(limit)
            else:
                self.failed.append(list(point))
        return self.result()

    def _check_constraints(self, constraints, n_points):
        if self.n_constraints == 0:
            if constraints is not None:
                raise ValueError("constraints given, but the optimizer has n_constraints=0.")
            return [np.empty(0)] * n_points
        if constraints is None:
            raise ValueError(
                f"tell needs the {self.n_constraints} constraint values of each point."
            )
        limits = np.asarray(constraints, dtype=float).reshape(n_points, -1)
        if limits.shape[1] != self.n_constraints:
            raise ValueError(
                f"constraints must have {self.n_constraints} values per point; "
                f"got {limits.shape[1]}."
            )
        return list(limits)

    def _feasible(self):
        if not self.ci or self.n_constraints == 0:
            return np.ones(len(self.yi), dtype=bool)
        return np.all(np.asarray(self.ci) >= 0, axis=1)

    def _as_batch(self, x, y):
        if np.ndim(y) == 0:
            return [list(x)], [float(y)]
        points = [list(p) for p in x]
        values = [float(v) for v in y]
        if len(points) != len(values):
            raise ValueError(f"Got {len(points)} points but {len(values)} values.")
        return points, values

    def _drop_pending(self, point):
        for i, waiting in enumerate(self.pending):
            if waiting == point:
                del self.pending[i]
                return

    def forget_pending(self, x):
        """Remove a pending point without a result (its evaluation was abandoned).

        Parameters
        ----------
        x : list
            The point, as returned by :meth:`ask`.
        """
        self._drop_pending(list(x))

    # -- proposals --------------------------------------------------------------------------
    def ask(self, n_points=None):
        """Propose the next point (or ``n_points`` points to evaluate in parallel).

        With ``n_points > 1`` and the EI acquisitions, the points maximise the
        q-batch log EI jointly, the pending points being part of the joint
        posterior draw (quasi-Monte-Carlo, fixed base samples). A single point
        asked while others are pending (the asynchronous loop of
        :func:`minimize`), and the other acquisitions, take the pending points
        as fantasies at their posterior mean (Kriging believer): five to ten
        times cheaper, so that an ask keeps pace with parallel workers.

        Parameters
        ----------
        n_points : int, default=None
            None returns one point; an int returns a list of that many.

        Returns
        -------
        x : list or list of lists
        """
        q = 1 if n_points is None else n_points
        points = []
        while len(points) < q and self._in_design():
            points.append(self._design_point())
        if len(points) < q:
            # One BLAS thread: the matrices are small (n of a few hundred), where OpenBLAS's
            # threads cost more than they give, by 10-100x on a loaded machine (measured).
            with threadpool_limits(1, user_api="blas"):
                points += self._acquire_batch(q - len(points))
        return points[0] if n_points is None else points

    def _taken(self):
        return self.Xi + self.pending + self.failed

    def _in_design(self):
        return bool(self._design) and len(self.yi) + len(self.pending) < self.n_initial_points

    def _design_point(self):
        taken = self._taken()
        while self._design:
            point = self._space.inverse_transform(self._design.pop(0))[0]
            if point not in taken:
                self.pending.append(point)
                return point
        point = self._fresh_point(taken)
        self.pending.append(point)
        return point

    def _acquire_batch(self, q):
        gp, U = self._fit_model() if len(self.yi) >= 2 else (None, None)
        if gp is None:  # fewer than two points (outside the excluded basins) to model
            points = [self._fresh_point(self._taken()) for _ in range(q)]
            self.pending += points
            return points
        joint = self.acquisition in ("logei", "ei") and not self.n_constraints
        if joint and q > 1 and not self.basins_:
            state = _acquisition.SearchState(
                U,
                gp.z_train_,
                pending=self._space.transform(self.pending)
                if self.pending
                else np.empty((0, U.shape[1])),
                rng=self._rng,
            )
            batch = optimize_batch(gp, state, q, self._rng)
            points = []
            for u in batch:
                point = self._space.inverse_transform(u)[0]
                if point in self._taken() or point in points:
                    point = self._fresh_point(self._taken() + points)
                points.append(point)
            self.pending += points
            return points
        # One fit per batch (and per constraint): the data are the same, only the fantasies change.
        constraint_models = self._constraint_models(U) if self.n_constraints else None
        points = []
        for _ in range(q):
            point = self._acquire(self._taken(), self._with_fantasies(gp), U, constraint_models)
            self.pending.append(point)
            points.append(point)
        return points

    def _fresh_point(self, taken):
        for _ in range(100):
            point = self._space.inverse_transform(self._rng.random(self._space.transformed_n_dims))[
                0
            ]
            if point not in taken:
                return point
        # A small finite space: pick among the points never asked for.
        remaining = [p for p in (self._space.grid() or []) if p not in taken]
        if not remaining:
            raise RuntimeError("Every point of the search space has been asked for already.")
        return remaining[int(self._rng.integers(len(remaining)))]

    def _fit_model(self, everywhere=False):
        """The GP of the told results; ``(gp, U)`` with ``U`` its points in the unit cube.

        The points in excluded basins are left out, unless ``everywhere``;
        ``(None, U)`` when fewer than two remain.
        """
        U = self._space.transform(self.Xi)
        y = -np.asarray(self.yi) if self.maximize else np.asarray(self.yi)
        if not everywhere and self.escape_local_minima and not self.n_constraints:
            self._exclude_converged_basin(U, y)
            outside = self._outside_basins(U)
            U, y = U[outside], y[outside]
            if len(y) < 2:
                return None, U
        unit = np.column_stack([np.zeros(U.shape[1]), np.ones(U.shape[1])])
        # Random restarts of the hyperparameter search on every _RESTART_PERIOD-th fit; in
        # between, one L-BFGS-B run warm-started from the last fit (which moves little). The
        # first fit after a basin is excluded (or after recommend modelled every point)
        # starts afresh: the last fit saw points now left out. Restarting every fit once a
        # basin was excluded cost 4.7 times as much at n = 500 for the same quality (measured).
        excluded = 0 if everywhere else len(self.basins_)
        fresh = self.gp_ is None or excluded != self._excluded_in_fit
        self._excluded_in_fit = excluded
        previous = None if fresh else self.gp_.hyperparameters_
        restarts = 2 if fresh or self._n_fits % _RESTART_PERIOD == 0 else 0
        self._n_fits += 1
        self.gp_ = GaussianProcess(
            bounds=unit,
            noise=self.noise,
            hyperparameters=previous,
            n_restarts=restarts,
            random_state=self._rng,
        ).fit(U, y)
        return self.gp_, U

    def _exclude_converged_basin(self, U, y):
        """Exclude the basin of the best point outside the excluded ones if the search converged.

        ``U`` and ``y``: every told point (unit cube) and value (to minimise).
        """
        outside = np.flatnonzero(self._outside_basins(U))
        window, before = outside[-_CONVERGED_WINDOW:], outside[:-_CONVERGED_WINDOW]
        if self.gp_ is None or not len(before) or window[0] < self.n_initial_points:
            return
        best = outside[np.argmin(y[outside])]
        spread = np.median(np.linalg.norm(U[window] - U[best], axis=1))
        gain = np.min(y[before]) - y[best]
        if spread < _CONVERGED_DISTANCE and gain < _CONVERGED_GAIN * np.ptp(y):
            self.basins_.append((U[best].copy(), self.gp_.hyperparameters_.lengthscales.copy()))

    def _outside_basins(self, U):
        """Which rows of ``U`` (unit cube) lie outside every excluded basin."""
        U = np.atleast_2d(U)
        outside = np.ones(len(U), dtype=bool)
        for centre, lengthscales in self.basins_:
            outside &= np.linalg.norm((U - centre) / lengthscales, axis=1) > _BASIN_RADIUS
        return outside

    def _with_fantasies(self, gp):
        """``gp`` with the pending points as fantasies at their posterior mean (a copy).

        The posterior mean is unchanged; the variance shrinks around the
        pending points, so they are not proposed again.
        """
        if not self.pending:
            return gp
        gp = copy.deepcopy(gp)
        P = self._space.transform(self.pending)
        gp.condition_on(P, gp.predict(P))
        return gp

    def _constraint_models(self, U):
        unit = np.column_stack([np.zeros(U.shape[1]), np.ones(U.shape[1])])
        models = []
        for values in np.asarray(self.ci).T:
            gp = GaussianProcess(bounds=unit, random_state=self._rng).fit(U, values)
            models.append((gp, (0.0 - gp.y_mean_) / gp.y_std_))
        return models

    def _acquire(self, taken, gp, U, constraint_models):
        state = _acquisition.SearchState(U, gp.z_train_[: len(U)], rng=self._rng)
        if self.n_constraints:
            feasible = self._feasible()
            base = None
            if feasible.any():
                base = _acquisition.LogExpectedImprovement(gp, state, best=state.z[feasible].min())
            acquisition = _acquisition.FeasibilityWeighted(base, constraint_models)
        else:
            acquisition = ACQUISITIONS[self.acquisition](gp, state)
        order = np.argsort(state.z)[:5]
        allowed = self._outside_basins if self.basins_ else None
        u, _ = _acquisition.maximize(
            acquisition, U.shape[1], self._rng, anchors=U[order], allowed=allowed
        )
        if self.acquisition == "kg_one_shot" and not self.n_constraints:
            u = self._one_shot_choice(gp, state, u)
        point = self._space.inverse_transform(u)[0]
        if point in taken:
            point = self._fresh_point(taken)
        return point

    def _one_shot_choice(self, gp, state, u):
        """Let the continuous (one-shot) KG choose among the discrete KG's maximiser and neighbours.

        One-shot KG costs 30-100 ms per point (an inner minimisation per
        fantasy), too much to search with; the discrete KG screens, and the
        continuous one picks among five points around its maximiser.
        """
        pool = np.vstack([u, np.clip(u + self._rng.normal(scale=0.02, size=(4, len(u))), 0, 1)])
        pool = pool[self._outside_basins(pool)] if self.basins_ else pool
        values = KnowledgeGradient(gp, state, method="one-shot")(pool)
        return pool[int(np.argmax(values))]

    # -- results ----------------------------------------------------------------------------
    def result(self):
        """The best point so far and the history.

        Returns
        -------
        result : OptimizeResult
            ``x`` and ``fun`` (the best told value; the largest with
            ``maximize``), ``x_iters`` and ``func_vals`` (all told results, in
            order), ``failed`` (points whose value was not finite) and ``space``.
        """
        result = OptimizeResult(
            x_iters=[list(p) for p in self.Xi],
            func_vals=np.asarray(self.yi),
            failed=[list(p) for p in self.failed],
            space=self._space,
            maximize=self.maximize,
        )
        feasible = self._feasible()
        if feasible.any():
            values = np.where(feasible, np.asarray(self.yi) * (-1 if self.maximize else 1), np.inf)
            best = int(np.argmin(values))
            result.x, result.fun = list(self.Xi[best]), self.yi[best]
        else:
            result.x, result.fun = None, None
        if self.n_constraints:
            result.constraints = np.asarray(self.ci)
        return result

    def recommend(self):
        """The evaluated point with the best posterior mean (for noisy objectives).

        With noise the best told value is biased low; the tutorial's noisy
        EI and knowledge gradient assume the point reported at the end is the
        evaluated one whose posterior mean is best.

        Returns
        -------
        x : list
        """
        if len(self.yi) < 2:
            return self.result().x
        gp, U = self._fit_model(everywhere=True)
        mean, _ = gp.posterior(U)
        return list(self.Xi[int(np.argmin(mean))])

    def get_state(self):
        """A picklable snapshot of the search (for checkpoints); see :meth:`set_state`."""
        return copy.deepcopy(
            {
                "Xi": self.Xi,
                "yi": self.yi,
                "pending": self.pending,
                "failed": self.failed,
                "ci": self.ci,
                "design": self._design,
                # The whole generator, not only its bit-generator state: scipy's QMC
                # engines spawn from its seed sequence.
                "rng": self._rng,
                "gp": self.gp_,
                "basins": self.basins_,
                "excluded_in_fit": self._excluded_in_fit,
                "n_fits": self._n_fits,
            }
        )

    def set_state(self, state):
        """Restore a snapshot made by :meth:`get_state`.

        Parameters
        ----------
        state : dict
            From :meth:`get_state`.

        Returns
        -------
        self : BayesianOptimizer
        """
        state = copy.deepcopy(state)
        self.Xi, self.yi = state["Xi"], state["yi"]
        self.pending, self.failed, self.ci = state["pending"], state["failed"], state["ci"]
        self._design = state["design"]
        self._rng = state["rng"]
        self.gp_ = state["gp"]
        self.basins_ = state["basins"]
        self._excluded_in_fit = state["excluded_in_fit"]
        self._n_fits = state["n_fits"]
        return self
