"""The ask/tell Bayesian optimizer."""

import copy
import numbers
from typing import ClassVar

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from statkit.optimize import _acquisition
from statkit.optimize._gp import GaussianProcess
from statkit.optimize._space import Space
from statkit.utils._validation import check_generator

ACQUISITIONS = {
    "logei": _acquisition.LogExpectedImprovement,
    "ei": _acquisition.ExpectedImprovement,
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
    acquisition : {"logei", "ei"}, default="logei"
        Acquisition function.
    n_initial_points : int, default=10
        Size of the initial Sobol design (points told with ``tell`` before
        the first ``ask`` count towards it).
    maximize : bool, default=False
        Maximise instead: values are negated inside, results are reported as told.
    noise : float or None, default=None
        Noise variance of the observations (standardised units); None learns it.
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
        random_state=None,
    ):
        self.space = space
        self.acquisition = acquisition
        self.n_initial_points = n_initial_points
        self.maximize = maximize
        self.noise = noise
        self.random_state = random_state
        self._validate_params()
        self._space = Space(space)
        self._rng = check_generator(random_state)
        self._design = list(self._space.sobol(n_initial_points, self._rng))
        self.Xi, self.yi, self.pending = [], [], []
        self.failed = []
        self.gp_ = None

    # -- observations ---------------------------------------------------------------------
    def tell(self, x, y):
        """Record the value of one point, or of several.

        Parameters
        ----------
        x : list or list of lists
            A point (one value per dimension) or several.
        y : float or list of float
            Its value(s). A NaN or infinite value marks a failed evaluation:
            it is kept in ``failed`` and left out of the model.

        Returns
        -------
        result : OptimizeResult
            As :meth:`result`.
        """
        points, values = self._as_batch(x, y)
        for point in points:
            self._space.check_point(point)
        for point, value in zip(points, values, strict=True):
            self._drop_pending(point)
            if np.isfinite(value):
                self.Xi.append(list(point))
                self.yi.append(float(value))
            else:
                self.failed.append(list(point))
        return self.result()

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

        Parameters
        ----------
        n_points : int, default=None
            None returns one point; an int returns a list of that many.

        Returns
        -------
        x : list or list of lists
        """
        points = [self._ask_one() for _ in range(1 if n_points is None else n_points)]
        return points[0] if n_points is None else points

    def _ask_one(self):
        taken = self.Xi + self.pending + self.failed
        while self._design and len(self.yi) + len(self.pending) < self.n_initial_points:
            point = self._space.inverse_transform(self._design.pop(0))[0]
            if point not in taken:
                self.pending.append(point)
                return point
        if len(self.yi) < 2:
            point = self._fresh_point(taken)
        else:
            point = self._acquire(taken)
        self.pending.append(point)
        return point

    def _fresh_point(self, taken):
        for _ in range(100):
            point = self._space.inverse_transform(self._rng.random(self._space.transformed_n_dims))[0]
            if point not in taken:
                return point
        raise RuntimeError("Every point of the search space has been asked for already.")

    def _fit_model(self):
        U = self._space.transform(self.Xi)
        y = -np.asarray(self.yi) if self.maximize else np.asarray(self.yi)
        unit = np.column_stack([np.zeros(U.shape[1]), np.ones(U.shape[1])])
        previous = self.gp_.hyperparameters_ if self.gp_ is not None else None
        gp = GaussianProcess(
            bounds=unit,
            noise=self.noise,
            hyperparameters=previous,
            random_state=self._rng,
        ).fit(U, y)
        self.gp_ = copy.deepcopy(gp)
        if self.pending:
            # Pending points as fantasies: their posterior mean, so they are not proposed again.
            P = self._space.transform(self.pending)
            gp.condition_on(P, gp.predict(P))
        return gp, U

    def _acquire(self, taken):
        gp, U = self._fit_model()
        state = _acquisition.SearchState(U, gp.z_train_[: len(U)], rng=self._rng)
        acquisition = ACQUISITIONS[self.acquisition](gp, state)
        order = np.argsort(state.z)[:5]
        u, _ = _acquisition.maximize(
            acquisition, U.shape[1], self._rng, anchors=U[order]
        )
        point = self._space.inverse_transform(u)[0]
        if point in taken:
            point = self._fresh_point(taken)
        return point

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
        )
        if self.yi:
            best = int(np.argmax(self.yi) if self.maximize else np.argmin(self.yi))
            result.x, result.fun = list(self.Xi[best]), self.yi[best]
        else:
            result.x, result.fun = None, None
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
        gp, U = self._fit_model()
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
                "design": self._design,
                "rng": self._rng.bit_generator.state,
                "gp": self.gp_,
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
        self.pending, self.failed = state["pending"], state["failed"]
        self._design = state["design"]
        self._rng.bit_generator.state = state["rng"]
        self.gp_ = state["gp"]
        return self
