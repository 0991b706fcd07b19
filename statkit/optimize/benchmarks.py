"""Standard test functions of global optimization, with their domains and optima.

Each is a callable taking one point (a sequence of floats) and returning a
float, with ``bounds`` (a list of ``(low, high)``), ``minimum`` (the global
minimum value) and ``minimizers`` (the global minimisers, one per row).

Examples
--------
>>> from statkit.optimize.benchmarks import Hartmann6, branin
>>> round(branin([3.14159265, 2.275]), 6)
0.397887
>>> f = Hartmann6()
>>> bool(abs(f(f.minimizers[0]) - f.minimum) < 1e-4)
True
"""

import numpy as np

__all__ = [
    "Ackley",
    "Branin",
    "Hartmann6",
    "Levy",
    "Rosenbrock",
    "TestFunction",
    "branin",
    "hartmann6",
]


class TestFunction:
    """Base of the test functions: a callable with ``bounds``, ``minimum`` and ``minimizers``."""

    __test__ = False  # not a pytest test class
    minimum = 0.0

    def __init__(self):
        """Create the function (its domain and optimum are class attributes)."""

    @property
    def bounds(self):
        """The domain, a list of ``(low, high)`` (a search space for :func:`minimize`)."""
        return list(self._bounds)

    @property
    def n_dims(self):
        return len(self._bounds)

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape != (self.n_dims,):
            raise ValueError(
                f"{type(self).__name__} takes points of {self.n_dims} coordinates; "
                f"got shape {x.shape}."
            )
        return float(self._evaluate(x))

    def __repr__(self):
        return f"{type(self).__name__}(n_dims={self.n_dims})"


class Branin(TestFunction):
    """The Branin–Hoo function on [-5, 10] x [0, 15]: three global minima, 0.397887."""

    _bounds = ((-5.0, 10.0), (0.0, 15.0))
    minimum = 0.39788735772973816
    minimizers = np.array([[-np.pi, 12.275], [np.pi, 2.275], [9.42477796, 2.475]])

    def _evaluate(self, x):
        a, b, c = 1.0, 5.1 / (4 * np.pi**2), 5.0 / np.pi
        r, s, t = 6.0, 10.0, 1.0 / (8 * np.pi)
        return a * (x[1] - b * x[0] ** 2 + c * x[0] - r) ** 2 + s * (1 - t) * np.cos(x[0]) + s


class Hartmann6(TestFunction):
    """The six-dimensional Hartmann function on [0, 1]^6: minimum -3.32237 (local: -3.2032)."""

    _bounds = ((0.0, 1.0),) * 6
    minimum = -3.322368011415515
    minimizers = np.array(
        [[0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054]]
    )
    local_minimum = -3.2031616
    _alpha = np.array([1.0, 1.2, 3.0, 3.2])
    _A = np.array(
        [
            [10, 3, 17, 3.5, 1.7, 8],
            [0.05, 10, 17, 0.1, 8, 14],
            [3, 3.5, 1.7, 10, 17, 8],
            [17, 8, 0.05, 10, 0.1, 14],
        ]
    )
    _P = 1e-4 * np.array(
        [
            [1312, 1696, 5569, 124, 8283, 5886],
            [2329, 4135, 8307, 3736, 1004, 9991],
            [2348, 1451, 3522, 2883, 3047, 6650],
            [4047, 8828, 8732, 5743, 1091, 381],
        ]
    )

    def _evaluate(self, x):
        return -self._alpha @ np.exp(-np.sum(self._A * (x - self._P) ** 2, axis=1))


class Ackley(TestFunction):
    """The Ackley function on [-32.768, 32.768]^d (a = 20, b = 0.2, c = 2 pi): minimum 0 at 0.

    Parameters
    ----------
    n_dims : int, default=10
        Dimension.
    """

    minimum = 0.0

    def __init__(self, n_dims=10):
        self._bounds = ((-32.768, 32.768),) * n_dims
        self.minimizers = np.zeros((1, n_dims))

    def _evaluate(self, x):
        d = len(x)
        return (
            -20.0 * np.exp(-0.2 * np.sqrt(np.sum(x * x) / d))
            - np.exp(np.sum(np.cos(2 * np.pi * x)) / d)
            + 20.0
            + np.e
        )


class Levy(TestFunction):
    """The Levy function on [-10, 10]^d: minimum 0 at (1, ..., 1).

    Parameters
    ----------
    n_dims : int, default=10
        Dimension.
    """

    minimum = 0.0

    def __init__(self, n_dims=10):
        self._bounds = ((-10.0, 10.0),) * n_dims
        self.minimizers = np.ones((1, n_dims))

    def _evaluate(self, x):
        w = 1 + (x - 1) / 4
        middle = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
        last = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
        return np.sin(np.pi * w[0]) ** 2 + middle + last


class Rosenbrock(TestFunction):
    """The Rosenbrock function on [-5, 10]^d: minimum 0 at (1, ..., 1).

    Parameters
    ----------
    n_dims : int, default=2
        Dimension (at least 2).
    """

    minimum = 0.0

    def __init__(self, n_dims=2):
        if n_dims < 2:
            raise ValueError(f"Rosenbrock needs n_dims >= 2; got {n_dims}.")
        self._bounds = ((-5.0, 10.0),) * n_dims
        self.minimizers = np.ones((1, n_dims))

    def _evaluate(self, x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


branin = Branin()
hartmann6 = Hartmann6()
