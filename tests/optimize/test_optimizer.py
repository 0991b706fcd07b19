"""BayesianOptimizer: ask/tell in any order, pending points, constraints, state, bad input."""

import pickle

import numpy as np
import pytest

from statkit.optimize import BayesianOptimizer, Categorical, Integer, Real
from statkit.optimize.benchmarks import branin
from tests.optimize import checks


def test_expected_improvement_matches_monte_carlo():
    checks.check_expected_improvement_closed_form()


def _quadratic(x):
    return (x[0] - 0.3) ** 2 + (x[1] + 0.2) ** 2


def test_finds_the_minimum_of_a_quadratic():
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial_points=5, random_state=0)
    for _ in range(20):
        x = opt.ask()
        opt.tell(x, _quadratic(x))
    result = opt.result()
    assert result.fun < 1e-3
    assert len(result.x_iters) == 20
    np.testing.assert_allclose(result.func_vals, [_quadratic(x) for x in result.x_iters])


def test_results_in_any_order_and_pending_points_never_repeat():
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial_points=4, random_state=1)
    asked = opt.ask(4)
    for x in reversed(asked):
        opt.tell(x, _quadratic(x))
    first = opt.ask(3)
    second = opt.ask(2)  # asked while the first three are pending
    everything = asked + first + second
    assert len({tuple(x) for x in everything}) == len(everything)
    assert len(opt.pending) == 5
    for x in [second[1], first[0], second[0], first[2], first[1]]:
        opt.tell(x, _quadratic(x))
    assert opt.pending == []
    assert len(opt.yi) == 9


def test_warm_start_from_told_points_skips_the_design():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(12, 2)).tolist()
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial_points=10, random_state=0)
    opt.tell(X, [_quadratic(x) for x in X])
    x = opt.ask()
    assert opt.gp_ is not None  # the model was used: no design point left to hand out
    assert x not in X


def test_state_round_trip_and_pickling_continue_identically():
    opt = BayesianOptimizer(branin.bounds, n_initial_points=5, random_state=0)
    for _ in range(7):
        x = opt.ask()
        opt.tell(x, branin(x))
    state = opt.get_state()
    twin = BayesianOptimizer(branin.bounds, n_initial_points=5, random_state=123).set_state(state)
    pickled = pickle.loads(pickle.dumps(opt))
    a, b, c = opt.ask(), twin.ask(), pickled.ask()
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(a, c)


def test_failed_evaluations_are_recorded_and_left_out():
    opt = BayesianOptimizer([(-1.0, 1.0)], n_initial_points=3, random_state=0)
    xs = opt.ask(3)
    opt.tell(xs, [0.5, np.nan, np.inf])
    assert opt.yi == [0.5]
    assert opt.result().failed == [xs[1], xs[2]]
    assert opt.ask() not in xs  # failed points are not proposed again


def test_maximize_reports_the_largest_value():
    opt = BayesianOptimizer([(-1.0, 1.0)], n_initial_points=4, maximize=True, random_state=0)
    for _ in range(12):
        x = opt.ask()
        opt.tell(x, -((x[0] - 0.4) ** 2))
    result = opt.result()
    assert result.fun == max(opt.yi)
    assert abs(result.x[0] - 0.4) < 0.05


def test_constrained_search_stays_feasible_at_the_end():
    opt = BayesianOptimizer(branin.bounds, n_constraints=1, random_state=0)
    for _ in range(30):
        x = opt.ask()
        opt.tell(x, branin(x), [x[0] - 2.0])  # feasible when x1 >= 2
    result = opt.result()
    assert result.x[0] >= 2.0
    assert result.fun < 0.5  # the feasible minima are (pi, 2.275) and (9.42, 2.475): 0.398


def test_mixed_space_points_have_the_right_types():
    space = [Real(1e-3, 1e2, prior="log-uniform"), Integer(1, 5), Categorical(["a", "b", "c"])]
    opt = BayesianOptimizer(space, n_initial_points=4, random_state=0)
    for _ in range(10):
        x = opt.ask()
        assert isinstance(x[0], float)
        assert isinstance(x[1], int)
        assert x[2] in "abc"
        opt.tell(x, np.log10(x[0]) ** 2 + (x[1] - 3) ** 2 + (x[2] != "b"))
    # Told points are stored as asked: the model sees them through Space.transform.
    np.testing.assert_allclose(
        opt._space.round(opt._space.transform(opt.Xi)), opt._space.transform(opt.Xi)
    )


def test_small_finite_space_is_exhausted_then_refused():
    opt = BayesianOptimizer(
        [Integer(0, 2), Categorical(["x", "y"])], n_initial_points=2, random_state=0
    )
    seen = []
    for _ in range(6):
        x = opt.ask()
        seen.append(x)
        opt.tell(x, float(x[0]) + (x[1] == "y"))
    assert len({tuple(x) for x in seen}) == 6
    with pytest.raises(RuntimeError, match="asked for already"):
        opt.ask()


@pytest.mark.nojit
@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        ([0.5], 1.0, "2 coordinates"),
        ([5.0, 0.0], 1.0, "outside the search space"),
        ([[0.1, 0.1], [0.2, 0.2]], [1.0], "2 points but 1 values"),
    ],
)
def test_tell_rejects_points_outside_the_space(x, y, match):
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], random_state=0)
    with pytest.raises(ValueError, match=match):
        opt.tell(x, y)
    assert opt.yi == []


@pytest.mark.nojit
@pytest.mark.parametrize(
    ("space", "match"),
    [
        (lambda: [(1.0, 1.0)], "low must be < high"),
        (lambda: [(2.0, 1.0)], "low must be < high"),
        (lambda: [Real(0.0, 1.0, prior="log-uniform")], "low > 0"),
        (lambda: [Real(0.0, np.inf)], "finite"),
        (lambda: [Categorical(["a"])], "two distinct"),
        (lambda: [], "at least one dimension"),
        (lambda: ["oops"], "must be Real"),
    ],
)
def test_bad_spaces(space, match):
    with pytest.raises(ValueError, match=match):
        BayesianOptimizer(space())


@pytest.mark.nojit
def test_constraints_must_match():
    opt = BayesianOptimizer([(-1.0, 1.0)], n_constraints=2, random_state=0)
    with pytest.raises(ValueError, match="2 constraint values"):
        opt.tell([0.0], 1.0)
    with pytest.raises(ValueError, match="2 values per point"):
        opt.tell([0.0], 1.0, [1.0])
    with pytest.raises(ValueError, match="n_constraints=0"):
        BayesianOptimizer([(-1.0, 1.0)]).tell([0.0], 1.0, [1.0])


def test_one_shot_knowledge_gradient_is_selectable():
    rng = np.random.default_rng(0)
    opt = BayesianOptimizer(
        [(-1.0, 1.0)], acquisition="kg_one_shot", n_initial_points=4, random_state=0
    )
    for _ in range(7):
        x = opt.ask()
        opt.tell(x, (x[0] - 0.3) ** 2 + 0.01 * rng.normal())
    assert abs(opt.recommend()[0] - 0.3) < 0.2


# -- leaving converged basins -------------------------------------------------------------------
_WIDE, _DEEP = np.array([0.3, 0.3]), np.array([0.8, 0.75])
# Five design points, all on the side of the wide basin: nothing hints at the deep one.
_WIDE_SIDE_DESIGN = [[0.1, 0.2], [0.4, 0.1], [0.2, 0.5], [0.5, 0.4], [0.3, 0.3]]


def two_basins(x):
    """A wide basin of depth 1 at (0.3, 0.3) and a narrow one of depth 1.5 at (0.8, 0.75)."""
    x = np.asarray(x)
    wide = np.exp(-np.sum((x - _WIDE) ** 2) / (2 * 0.2**2))
    deep = 1.5 * np.exp(-np.sum((x - _DEEP) ** 2) / (2 * 0.06**2))
    return float(-wide - deep)


def _two_basin_search(seed, escape):
    from statkit.optimize import minimize

    return minimize(
        two_basins,
        [(0.0, 1.0)] * 2,
        n_calls=40,
        x0=_WIDE_SIDE_DESIGN,
        n_initial_points=5,
        escape_local_minima=escape,
        random_state=seed,
    )


def test_a_converged_basin_is_left_for_a_deeper_one():
    """EI alone refines the wide basin to the end; leaving it once converged finds the deep one.

    A rate over eight seeds, not one run: which run reaches the narrow basin within 40
    evaluations depends on the path (7 of 8 do, with or without moving points off the bounds,
    but not the same 7).
    """
    for seed in range(4):
        assert _two_basin_search(seed, escape=False).fun > -1.01
    found = 0
    for seed in range(8):
        result = _two_basin_search(seed, escape=True)
        found += result.fun < -1.45
        basins = result.optimizer.basins_
        assert basins
        assert np.linalg.norm(basins[0][0] - _WIDE) < 0.05
    assert found >= 6


def _converged_search(spread, escape=True):
    """The wide-side design, one asked point, then six points within ``spread`` of the best.

    Two points near the deep basin make sure that points remain outside the wide one.
    """
    opt = BayesianOptimizer(
        [(0.0, 1.0)] * 2, n_initial_points=7, escape_local_minima=escape, random_state=0
    )
    design = [*_WIDE_SIDE_DESIGN, [0.9, 0.6], [0.7, 0.9]]
    opt.tell(design, [two_basins(x) for x in design])
    x = opt.ask()
    opt.tell(x, two_basins(x))
    best = np.asarray(opt.result().x)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = np.clip(best + rng.uniform(-spread, spread, size=2), 0.0, 1.0).tolist()
        opt.tell(x, max(two_basins(x), opt.result().fun))  # no improvement
    return opt


def test_after_convergence_the_model_and_the_search_leave_the_basin():
    opt = _converged_search(spread=0.005)
    x = opt.ask()
    assert len(opt.basins_) == 1
    U = opt._space.transform(opt.Xi)
    outside = opt._outside_basins(U)
    assert 0 < outside.sum() < len(U)
    # The model sees only the points outside the basin; the point asked lies outside it too.
    np.testing.assert_array_equal(opt.gp_.X_train_, U[outside])
    assert opt._outside_basins(opt._space.transform([x]))[0]
    # recommend() models every point; the basins survive a checkpoint.
    opt.recommend()
    assert len(opt.gp_.X_train_) == len(U)
    restored = BayesianOptimizer([(0.0, 1.0)] * 2).set_state(
        pickle.loads(pickle.dumps(opt.get_state()))
    )
    np.testing.assert_array_equal(restored.basins_[0][0], opt.basins_[0][0])


def test_the_hyperparameter_search_restarts_only_when_the_points_modelled_change(monkeypatch):
    """Restarted after an exclusion and around recommend(); warm-started in between."""
    from statkit.optimize import _optimizer

    opt = _converged_search(spread=0.005)
    fits = []

    class Recorded(_optimizer.GaussianProcess):
        def fit(self, X, y):
            fits.append((self.hyperparameters is None, self.n_restarts, len(X)))
            return super().fit(X, y)

    monkeypatch.setattr(_optimizer, "GaussianProcess", Recorded)
    x = opt.ask()  # excludes the basin: the points modelled change
    opt.tell(x, two_basins(x))
    opt.ask()  # the same basins left out
    opt.recommend()  # every point
    opt.ask()
    n = len(opt.Xi)
    n_outside = int(opt._outside_basins(opt._space.transform(opt.Xi)).sum())
    assert fits == [
        (True, 2, n_outside - 1),
        (False, 0, n_outside),
        (True, 2, n),
        (True, 2, n_outside),
    ]


@pytest.mark.parametrize(("spread", "escape"), [(0.2, True), (0.005, False)])
def test_no_basin_is_excluded_before_convergence_or_when_switched_off(spread, escape):
    opt = _converged_search(spread, escape)
    opt.ask()
    assert opt.basins_ == []
    assert len(opt.gp_.X_train_) == len(opt.Xi)
