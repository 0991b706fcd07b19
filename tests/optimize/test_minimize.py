"""minimize: the loop, callbacks, failed and raising objectives, parallel evaluations."""

import time

import numpy as np
import pytest

from statkit.optimize import DeadlineStopper, DeltaYStopper, minimize
from statkit.optimize.benchmarks import branin


def test_branin_with_the_issue_call():
    result = minimize(branin, [(-5, 10), (0, 15)], n_calls=30, random_state=0)
    assert len(result.x_iters) == 30
    assert result.fun < 0.45
    assert result.fun == min(result.func_vals)
    assert result.optimizer.result().fun == result.fun


def test_warm_start_with_x0_y0_and_points_to_try_first():
    x0 = [[-3.0, 12.0], [3.0, 2.0]]
    result = minimize(
        branin, branin.bounds, n_calls=3, x0=x0, y0=[branin(x) for x in x0], random_state=0
    )
    assert result.x_iters[:2] == x0
    assert len(result.x_iters) == 5
    tried = minimize(branin, branin.bounds, n_calls=3, x0=x0, random_state=0)
    assert tried.x_iters[:2] == x0
    assert len(tried.x_iters) == 3


def test_callbacks_stop_the_search():
    result = minimize(
        branin, branin.bounds, n_calls=50, callback=lambda r: len(r.func_vals) >= 7, random_state=0
    )
    assert len(result.func_vals) == 7
    calls = []
    result = minimize(
        branin,
        branin.bounds,
        n_calls=50,
        callback=[DeltaYStopper(1e9, n_best=3), lambda r: calls.append(1)],
        random_state=0,
    )
    assert len(result.func_vals) == 3
    assert len(calls) == 3  # every callback sees every result
    result = minimize(
        lambda x: time.sleep(0.05) or x[0] ** 2,
        [(-1.0, 1.0)],
        n_calls=50,
        callback=DeadlineStopper(0.2),
        random_state=0,
    )
    assert len(result.func_vals) < 50


def test_non_finite_values_are_failed_evaluations():
    def f(x):
        return np.nan if x[0] > 0.5 else x[0] ** 2

    result = minimize(f, [(-1.0, 1.0)], n_calls=15, random_state=0)
    assert len(result.x_iters) + len(result.failed) == 15
    assert all(x[0] > 0.5 for x in result.failed)
    assert np.isfinite(result.func_vals).all()


def test_a_raising_objective_names_the_point_and_leaves_a_usable_optimizer():
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 4:
            raise ZeroDivisionError("boom")
        return x[0] ** 2

    with pytest.raises(ZeroDivisionError) as info:
        minimize(f, [(-1.0, 1.0)], n_calls=10, random_state=0)
    assert any(repr(calls[-1]) in note for note in info.value.__notes__)
    partial = info.value.partial_result
    assert len(partial.x_iters) == 3
    assert partial.optimizer.pending == []
    x = partial.optimizer.ask()  # the search goes on
    partial.optimizer.tell(x, x[0] ** 2)
    assert len(partial.optimizer.yi) == 4


def test_a_raising_objective_in_parallel_leaves_nothing_pending():
    from joblib import parallel_config

    def f(x):
        if x[0] > 0.6:
            raise ValueError("bad region")
        return x[0] ** 2

    with (
        parallel_config(backend="threading"),
        pytest.raises(ValueError, match="bad region") as info,
    ):
        minimize(f, [(-1.0, 1.0)], n_calls=30, n_jobs=2, random_state=0)
    assert info.value.partial_result.optimizer.pending == []


def test_parallel_evaluations_keep_n_jobs_in_flight_and_tell_everything():
    from joblib import parallel_config

    intervals = []

    def slow(x):
        start = time.perf_counter()
        time.sleep(0.3)
        intervals.append((start, time.perf_counter()))
        return (x[0] - 0.2) ** 2

    with parallel_config(backend="threading"):
        result = minimize(
            slow, [(-1.0, 1.0)], n_calls=12, n_initial_points=4, n_jobs=4, random_state=0
        )
    assert len(result.x_iters) == 12
    assert len({tuple(x) for x in result.x_iters}) == 12
    assert result.optimizer.pending == []
    # At some moment several evaluations ran at once.
    moments = [start for start, _ in intervals]
    in_flight = max(sum(s <= t < e for s, e in intervals) for t in moments)
    assert in_flight >= 3


def test_each_parallel_ask_sees_every_result_so_far():
    """A point is asked for as soon as one evaluation ends, its value told first.

    The others running are the only pending points (joblib.Parallel's
    iterator, which pulls n_jobs tasks at once, would leave up to 2 n_jobs - 1).
    """
    from joblib import parallel_config

    from statkit.optimize import BayesianOptimizer
    from statkit.optimize._minimize import _run_parallel

    class Recording(BayesianOptimizer):
        def ask(self, n_points=None):
            self.seen.append((len(self.yi), len(self.pending)))
            return super().ask(n_points)

    def slow(x):
        time.sleep(0.05 + 0.1 * abs(x[0]))  # unequal durations: results come back out of order
        return (x[0] - 0.2) ** 2

    optimizer = Recording([(-1.0, 1.0)], n_initial_points=4, random_state=0)
    optimizer.seen = []
    with parallel_config(backend="threading"):
        _run_parallel(slow, optimizer, n_calls=14, x0=[], callbacks=[], n_jobs=3)
    told, pending = np.array(optimizer.seen).T
    assert len(optimizer.yi) == 14
    assert optimizer.pending == []
    # The k-th ask comes after every earlier point was told or is still running,
    # and at most the n_jobs - 1 others are running.
    np.testing.assert_array_equal(told + pending, np.arange(14))
    assert pending.max() == 2


def test_a_slow_evaluation_does_not_hold_up_the_others():
    """While one evaluation runs long, the other worker goes on asking and evaluating."""
    from joblib import parallel_config

    intervals, calls = [], []

    def objective(x):
        start = time.perf_counter()
        calls.append(x)
        time.sleep(0.8 if len(calls) == 1 else 0.02)  # the first call is slow
        intervals.append((start, time.perf_counter()))
        return (x[0] - 0.2) ** 2

    with parallel_config(backend="threading"):
        minimize(objective, [(-1.0, 1.0)], n_calls=12, n_initial_points=4, n_jobs=2, random_state=0)
    slow_start, slow_end = min(intervals, key=lambda interval: interval[0] - interval[1])
    started_meanwhile = sum(slow_start + 0.05 < start < slow_end for start, _ in intervals)
    assert started_meanwhile >= 3


def test_parallel_evaluations_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        result = minimize(
            branin, branin.bounds, n_calls=10, n_initial_points=4, n_jobs=2, random_state=0
        )
    assert len(result.x_iters) == 10
    np.testing.assert_allclose(result.func_vals, [branin(x) for x in result.x_iters])
