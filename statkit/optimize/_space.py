"""Search spaces: real, integer and categorical dimensions, mapped to the unit cube."""

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

PRIORS = ("uniform", "log-uniform")


def sobol(d, n, rng):
    """The first ``n`` points of a scrambled Sobol sequence in ``[0, 1]^d``, shape (n, d).

    Drawn as a base-2 block and cut (a prefix keeps most of its balance),
    which spares scipy's warning about sizes that are not powers of 2; every
    Sobol design of the package comes from here. ``rng`` seeds the scrambling.
    """
    if n == 0:
        return np.empty((0, d))
    return qmc.Sobol(d, scramble=True, seed=rng).random_base2(int(np.ceil(np.log2(n))))[:n]


def _check_bounds(low, high, name, kind):
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{kind} dimension {name!r}: bounds must be finite; got ({low}, {high}).")
    if low >= high:
        raise ValueError(f"{kind} dimension {name!r}: low must be < high; got ({low}, {high}).")


def _check_prior(prior, low, name, kind):
    if prior not in PRIORS:
        raise ValueError(
            f"{kind} dimension {name!r}: prior must be one of {PRIORS}; got {prior!r}."
        )
    if prior == "log-uniform" and low <= 0:
        raise ValueError(
            f"{kind} dimension {name!r}: a log-uniform prior needs low > 0; got {low}."
        )


@dataclass(frozen=True)
class Real:
    """A real interval ``[low, high]``, uniform or log-uniform.

    Parameters
    ----------
    low, high : float
        Bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        Log-uniform dimensions are searched on the log scale.
    name : str, default=None
        Name, for named points (``BayesSearchCV`` parameters).

    Examples
    --------
    >>> from statkit.optimize import Real
    >>> Real(1e-3, 1e2, prior="log-uniform", name="C").transform([1e-3, 1e2])
    array([0., 1.])
    """

    low: float
    high: float
    prior: str = "uniform"
    name: str = None

    def __post_init__(self):
        _check_bounds(self.low, self.high, self.name, "Real")
        _check_prior(self.prior, self.low, self.name, "Real")

    @property
    def width(self):
        return 1

    def _scale(self, values):
        values = np.asarray(values, dtype=float)
        return np.log(values) if self.prior == "log-uniform" else values

    def transform(self, values):
        low, high = self._scale(self.low), self._scale(self.high)
        return (self._scale(values) - low) / (high - low)

    def inverse_transform(self, U):
        low, high = self._scale(self.low), self._scale(self.high)
        values = low + np.clip(np.asarray(U, dtype=float), 0.0, 1.0) * (high - low)
        values = np.exp(values) if self.prior == "log-uniform" else values
        # The ends map to the bounds exactly (exp(log(high)) can fall short of high).
        U = np.asarray(U, dtype=float)
        values = np.where(U >= 1.0, self.high, np.where(U <= 0.0, self.low, values))
        return np.clip(values, self.low, self.high)

    def contains(self, value):
        return isinstance(value, numbers.Real) and self.low <= value <= self.high


@dataclass(frozen=True)
class Integer(Real):
    """Integers in ``[low, high]``; searched as a real interval, rounded.

    Parameters
    ----------
    low, high : int
        Bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        Scale of the search.
    name : str, default=None
        Name, for named points.

    Examples
    --------
    >>> from statkit.optimize import Integer
    >>> Integer(1, 10).inverse_transform([0.0, 0.52, 1.0])
    array([ 1,  6, 10])
    """

    def transform(self, values):
        low, high = self._scale(self.low - 0.4999), self._scale(self.high + 0.4999)
        if self.prior == "log-uniform":
            low, high = self._scale(self.low), self._scale(self.high)
        return (self._scale(values) - low) / (high - low)

    def inverse_transform(self, U):
        if self.prior == "log-uniform":
            values = super().inverse_transform(U)
        else:
            low, high = self.low - 0.4999, self.high + 0.4999
            values = low + np.clip(np.asarray(U, dtype=float), 0.0, 1.0) * (high - low)
        return np.clip(np.rint(values), self.low, self.high).astype(int)

    def contains(self, value):
        return (
            isinstance(value, numbers.Integral | np.integer) or float(value).is_integer()
        ) and self.low <= value <= self.high


@dataclass(frozen=True)
class Categorical:
    """A finite set of choices, one-hot encoded in the unit cube.

    Parameters
    ----------
    categories : sequence
        The choices (at least two, distinct).
    name : str, default=None
        Name, for named points.

    Examples
    --------
    >>> from statkit.optimize import Categorical
    >>> Categorical(["rbf", "poly"]).transform(["poly"])
    array([[0., 1.]])
    """

    categories: tuple
    name: str = None

    def __post_init__(self):
        object.__setattr__(self, "categories", tuple(self.categories))
        distinct = [c for i, c in enumerate(self.categories) if c not in self.categories[:i]]
        if len(self.categories) < 2 or len(distinct) != len(self.categories):
            raise ValueError(
                f"Categorical dimension {self.name!r} needs at least two distinct categories; "
                f"got {self.categories}."
            )

    @property
    def width(self):
        return len(self.categories)

    def transform(self, values):
        index = [self.categories.index(v) for v in values]
        return np.eye(len(self.categories))[index]

    def inverse_transform(self, U):
        U = np.atleast_2d(U)
        return [self.categories[i] for i in np.argmax(U, axis=1)]

    def contains(self, value):
        return value in self.categories


def as_dimension(spec):
    """A dimension from a dimension, a ``(low, high[, prior])`` tuple or a list of categories.

    A tuple is always a real interval, even with integer bounds (scikit-optimize
    would make ``(0, 10)`` an integer dimension): use :class:`Integer` for
    integers.
    """
    if isinstance(spec, Real | Categorical):
        return spec
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        low, high = spec[0], spec[1]
        prior = spec[2] if len(spec) == 3 else "uniform"
        if isinstance(low, numbers.Real) and isinstance(high, numbers.Real):
            return Real(float(low), float(high), prior)
    if isinstance(spec, list) and spec:
        return Categorical(spec)
    raise ValueError(
        "A dimension must be Real, Integer, Categorical, a (low, high) or (low, high, prior) "
        f"tuple, or a list of categories; got {spec!r}."
    )


class Space:
    """A product of dimensions and its map to the unit cube.

    Parameters
    ----------
    dimensions : list
        :class:`Real`, :class:`Integer`, :class:`Categorical`, ``(low, high)``
        or ``(low, high, prior)`` tuples (real intervals, whatever the type of
        the bounds) or lists of categories.

    Examples
    --------
    >>> from statkit.optimize import Space
    >>> space = Space([(-5.0, 10.0), (0.0, 15.0)])
    >>> space.transform([[-5.0, 15.0]])
    array([[0., 1.]])
    """

    def __init__(self, dimensions):
        if isinstance(dimensions, Space):
            dimensions = dimensions.dimensions
        if not dimensions:
            raise ValueError("A search space needs at least one dimension.")
        self.dimensions = [as_dimension(d) for d in dimensions]
        names = [d.name for d in self.dimensions if d.name is not None]
        if len(set(names)) != len(names):
            raise ValueError(f"Dimension names must be unique; got {names}.")

    def __repr__(self):
        return f"Space({self.dimensions!r})"

    def __eq__(self, other):
        return isinstance(other, Space) and self.dimensions == other.dimensions

    @property
    def n_dims(self):
        return len(self.dimensions)

    @property
    def transformed_n_dims(self):
        return sum(d.width for d in self.dimensions)

    @property
    def names(self):
        return [d.name for d in self.dimensions]

    def check_point(self, point):
        """Raise ``ValueError`` unless ``point`` is a list of values inside the space.

        Parameters
        ----------
        point : sequence
            One value per dimension.
        """
        if len(point) != self.n_dims:
            raise ValueError(
                f"A point must have {self.n_dims} coordinates (one per dimension); "
                f"got {len(point)}: {point!r}."
            )
        for value, dimension in zip(point, self.dimensions, strict=True):
            if not dimension.contains(value):
                raise ValueError(
                    f"Point {point!r} is outside the search space: {value!r} not in {dimension}."
                )

    def transform(self, points):
        """Map points to the unit cube.

        Parameters
        ----------
        points : list of sequences
            Points, one value per dimension each.

        Returns
        -------
        U : ndarray of shape (n_points, transformed_n_dims)
        """
        columns = []
        for j, dimension in enumerate(self.dimensions):
            values = [point[j] for point in points]
            column = dimension.transform(values)
            columns.append(np.reshape(column, (len(points), dimension.width)))
        return np.hstack(columns)

    def inverse_transform(self, U):
        """Map unit-cube rows back to points (integers rounded, categories by argmax).

        Parameters
        ----------
        U : array-like of shape (n_points, transformed_n_dims)
            Rows in the unit cube.

        Returns
        -------
        points : list of lists
        """
        U = np.atleast_2d(U)
        columns, start = [], 0
        for dimension in self.dimensions:
            block = U[:, start : start + dimension.width]
            start += dimension.width
            if isinstance(dimension, Categorical):
                columns.append(dimension.inverse_transform(block))
            else:
                columns.append(dimension.inverse_transform(block[:, 0]).tolist())
        return [list(row) for row in zip(*columns, strict=True)]

    def grid(self, limit=100_000):
        """List every point of a finite space (integer and categorical dimensions only).

        Parameters
        ----------
        limit : int, default=100_000
            Largest number of points to list.

        Returns
        -------
        points : list of lists or None
            None when a dimension is real or the space has more than ``limit`` points.
        """
        sizes = []
        for d in self.dimensions:
            if isinstance(d, Categorical):
                sizes.append(list(d.categories))
            elif isinstance(d, Integer):
                sizes.append(list(range(int(d.low), int(d.high) + 1)))
            else:
                return None
        if np.prod([len(v) for v in sizes], dtype=float) > limit:
            return None
        points = [[]]
        for values in sizes:
            points = [[*p, v] for p in points for v in values]
        return points

    def round(self, U):
        """Move unit-cube rows to the nearest valid point (integers, one-hot categories).

        Parameters
        ----------
        U : array-like of shape (n_points, transformed_n_dims)
            Rows in the unit cube.

        Returns
        -------
        U_valid : ndarray of shape (n_points, transformed_n_dims)
        """
        return self.transform(self.inverse_transform(U))

    def sobol(self, n, rng):
        """Draw ``n`` points of a scrambled Sobol design, as unit-cube rows rounded to the space.

        Parameters
        ----------
        n : int
            Number of points.
        rng : numpy.random.Generator
            Seeds the scrambling.

        Returns
        -------
        U : ndarray of shape (n, transformed_n_dims)
        """
        return self.round(sobol(self.transformed_n_dims, n, rng))
