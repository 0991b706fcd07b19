"""Space on any search space: the map to the unit cube, its inverse, rounding, Sobol points."""

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from statkit.optimize import Categorical, Integer, Space
from statkit.testing.strategies import search_spaces

pytestmark = pytest.mark.nojit


def _assert_same_point(back, point, space):
    """Equal values: exact for Integer and Categorical, to 1e-9 of the bounds' size for Real."""
    assert len(back) == len(point) == space.n_dims
    for value, expected, dimension in zip(back, point, space.dimensions, strict=True):
        if isinstance(dimension, Categorical):
            assert value == expected
            assert type(value) is type(expected)
        elif isinstance(dimension, Integer):
            assert value == expected
            assert isinstance(value, int)
        else:
            scale = max(abs(dimension.low), abs(dimension.high))
            assert value == pytest.approx(expected, rel=1e-9, abs=1e-9 * scale)
            assert dimension.low <= value <= dimension.high


@given(search_spaces())
def test_points_map_into_the_unit_cube(data):
    dimensions, points = data
    space = Space(dimensions)
    U = space.transform(points)
    assert U.shape == (len(points), space.transformed_n_dims)
    assert np.all((U >= 0.0) & (U <= 1.0))


@given(search_spaces())
def test_inverse_transform_recovers_the_points(data):
    dimensions, points = data
    space = Space(dimensions)
    back = space.inverse_transform(space.transform(points))
    assert len(back) == len(points)
    for point, recovered in zip(points, back, strict=True):
        space.check_point(recovered)
        _assert_same_point(recovered, point, space)


@given(search_spaces(), st.integers(0, 2**32 - 1))
def test_round_is_idempotent(data, seed):
    dimensions, _ = data
    space = Space(dimensions)
    U = np.random.default_rng(seed).random((4, space.transformed_n_dims))
    once = space.round(U)
    twice = space.round(once)
    assert once.shape == U.shape
    assert np.all((once >= 0.0) & (once <= 1.0))
    np.testing.assert_allclose(twice, once, rtol=0, atol=1e-9)
    # The rounded rows are points of the space, and rounding again gives the same points.
    for again, point in zip(
        space.inverse_transform(twice), space.inverse_transform(once), strict=True
    ):
        _assert_same_point(again, point, space)


@settings(max_examples=25)
@given(search_spaces(), st.integers(1, 16), st.integers(0, 2**32 - 1))
def test_sobol_points_are_inside_the_space(data, n, seed):
    dimensions, _ = data
    space = Space(dimensions)
    U = space.sobol(n, np.random.default_rng(seed))
    assert U.shape == (n, space.transformed_n_dims)
    assert np.all((U >= 0.0) & (U <= 1.0))
    for point in space.inverse_transform(U):
        space.check_point(point)


@pytest.mark.parametrize(
    "wanted",
    [
        lambda d: isinstance(d, Integer) and d.prior == "log-uniform",
        lambda d: type(d).__name__ == "Real" and d.prior == "log-uniform",
        lambda d: isinstance(d, tuple) and len(d) == 3,
        lambda d: isinstance(d, list) and None in d,
        lambda d: getattr(d, "name", None) is not None,
    ],
)
def test_search_spaces_reach_every_form_of_dimension(wanted):
    dimensions, _ = find(search_spaces(), lambda data: any(wanted(d) for d in data[0]))
    assert any(wanted(d) for d in dimensions)


def test_search_spaces_respect_their_arguments():
    @settings(max_examples=20)
    @given(search_spaces(min_dims=2, max_dims=2, kinds=["integer"], plain=False, max_points=2))
    def check(data):
        dimensions, points = data
        assert len(dimensions) == 2
        assert all(isinstance(d, Integer) for d in dimensions)
        assert 1 <= len(points) <= 2

    check()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_dims": 0}, "min_dims must be >= 1"),
        ({"min_points": 3, "max_points": 2}, "max_points must be >= min_points"),
        ({"kinds": ["real", "complex"]}, "kinds must be a non-empty subset"),
        ({"kinds": []}, "kinds must be a non-empty subset"),
    ],
)
def test_search_spaces_reject_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        find(search_spaces(**kwargs), lambda data: True)
