"""The optimize family's tour section: Bayesian optimization against random search."""

import numpy as np

from statkit._tour import TourResult, TourSection

# (function name, evaluations per run): Branin in 2D, Hartmann6 in 6D (full tour only).
QUICK_PROBLEMS = (("branin", 25),)
FULL_PROBLEMS = (("branin", 40), ("hartmann6", 60))
N_INITIAL_POINTS = 10


def _random_search(function, n_calls, seed):
    """Objective values at ``n_calls`` uniform random points of the function's box."""
    rng = np.random.default_rng(seed)
    low, high = np.array(function.bounds).T
    return np.array([function(low + (high - low) * rng.random(low.size)) for _ in range(n_calls)])


def _final_log10_regret(values, minimum):
    return float(np.log10(max(np.min(values) - minimum, 1e-12)))


def _run(context):
    import matplotlib.pyplot as plt

    from statkit.optimize import ConvergenceDisplay, benchmarks, minimize

    problems = QUICK_PROBLEMS if context.quick else FULL_PROBLEMS
    n_seeds = 2 if context.quick else 3
    seeds = [int(s) for s in np.random.SeedSequence(context.random_state).generate_state(n_seeds)]
    fig, axes = plt.subplots(
        1, len(problems), figsize=(5 * len(problems), 4), squeeze=False, layout="constrained"
    )
    summary = {"n_seeds": n_seeds}
    for ax, (name, n_calls) in zip(axes[0], problems, strict=True):
        function = getattr(benchmarks, name)
        runs = {
            "BO (logEI)": [
                minimize(
                    function,
                    function.bounds,
                    n_calls=n_calls,
                    n_initial_points=N_INITIAL_POINTS,
                    random_state=seed,
                ).func_vals
                for seed in seeds
            ],
            "random search": [_random_search(function, n_calls, seed) for seed in seeds],
        }
        ConvergenceDisplay.from_results(runs, true_minimum=function.minimum, ax=ax)
        ax.set_title(f"{type(function).__name__} ({function.n_dims}D), {n_seeds} seeds")
        summary[f"{name}_n_calls"] = n_calls
        for key, label in (("bo", "BO (logEI)"), ("random", "random search")):
            regrets = [_final_log10_regret(values, function.minimum) for values in runs[label]]
            summary[f"{name}_{key}_log10_regret"] = float(np.median(regrets))
            summary[f"{name}_{key}_log10_regret_max"] = float(np.max(regrets))

    text = (
        "Bayesian optimization (Frazier, 'A Tutorial on Bayesian Optimization', 2018) fits a "
        "Gaussian process to the evaluations so far (Matérn-5/2 kernel with one lengthscale per "
        "dimension, MAP hyperparameters) and evaluates next where the log expected improvement "
        "(Ament et al., 2023) is largest. statkit.optimize.minimize does this with a 10-point "
        "Sobol design first; random search draws every point uniformly. The figure shows the "
        "simple regret, the best value found so far minus the known minimum, on a log10 scale: "
        "the median over the seeds with the interquartile band (ConvergenceDisplay). The summary "
        "gives the median (and worst) final log10 regret of each method."
    )
    notes = [
        f"{n_seeds} seeds spawned from random_state={context.random_state}; the same seed drives "
        "both methods. "
        + ", ".join(f"{name}: {n_calls} evaluations" for name, n_calls in problems)
        + ".",
        "A few seeds are few: the benchmark `python -m benchmarks bayesopt` compares statkit "
        "with scikit-optimize and bayes_opt over more seeds and larger budgets.",
    ]
    if context.quick:
        notes.append("Quick mode: Branin only (Hartmann6 runs in the full tour).")
    return TourResult(summary=summary, figures={"regret": fig}, text=text, notes=notes)


SECTIONS = [TourSection("bayesopt", "Bayesian optimization against random search", _run)]
