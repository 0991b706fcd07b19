"""
Bayesian optimization: minimize, ask/tell batches and BayesSearchCV
====================================================================

Bayesian optimization (Frazier, "A Tutorial on Bayesian Optimization", 2018)
spends computation to save evaluations of an expensive function: it fits a
Gaussian process to the values seen so far and evaluates next where an
acquisition function, here the log expected improvement of Ament et al.
(2023), is largest.

This example compares :func:`~statkit.optimize.minimize` with random search
on the Branin function, drives the optimizer by hand with batches of four
points (as parallel workers would), and tunes a support vector classifier
with :class:`~statkit.optimize.BayesSearchCV`.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import RandomizedSearchCV
from sklearn.svm import SVC

from statkit.optimize import (
    BayesianOptimizer,
    BayesSearchCV,
    Categorical,
    ConvergenceDisplay,
    Real,
    minimize,
)
from statkit.optimize.benchmarks import branin

# %%
# Branin: Bayesian optimization against random search
# ----------------------------------------------------
# Branin is a two-dimensional test function on [-5, 10] x [0, 15] with three
# global minima of value 0.397887. Each method gets 30 evaluations, on three
# seeds; :func:`~statkit.optimize.minimize` starts with a 10-point Sobol
# design. The simple regret is the best value found so far minus the minimum.
seeds = [0, 1, 2]
n_calls = 30
bo_runs = [minimize(branin, branin.bounds, n_calls=n_calls, random_state=s) for s in seeds]


def random_search(function, n_calls, seed):
    rng = np.random.default_rng(seed)
    low, high = np.array(function.bounds).T
    return [function(low + (high - low) * rng.random(low.size)) for _ in range(n_calls)]


random_runs = [random_search(branin, n_calls, s) for s in seeds]
for name, runs in (("BO (logEI)", bo_runs), ("random search", random_runs)):
    best = [np.min(run.func_vals if hasattr(run, "func_vals") else run) for run in runs]
    print(f"{name:14s} best values: {np.round(best, 4)}")

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ConvergenceDisplay.from_results(
    {"BO (logEI)": bo_runs, "random search": random_runs}, true_minimum=branin.minimum, ax=ax
)
ax.set_title("Branin: median and interquartile range over 3 seeds")
plt.show()

# %%
# The first 10 evaluations of Bayesian optimization are the Sobol design, no
# better than random points. Once the Gaussian process has seen enough of the
# function it homes in on one of the three minima, and the regret falls by
# orders of magnitude, while random search stays about one unit of regret
# (log10 regret near 0) away.
#
# Ask and tell, four points at a time
# -----------------------------------
# :class:`~statkit.optimize.BayesianOptimizer` leaves the evaluations to you.
# ``ask(n_points=4)`` returns four points that jointly maximise the q-batch
# log expected improvement; points asked for and not yet told are *pending*
# and never proposed again, so four workers can evaluate them at once, and
# their results may come back in any order.
opt = BayesianOptimizer(branin.bounds, n_initial_points=8, random_state=0)
batches = []
for _ in range(5):
    points = opt.ask(n_points=4)
    batches.append(points)
    values = [branin(x) for x in points]
    opt.tell(points[::-1], values[::-1])  # any order
result = opt.result()
print(f"best of {len(result.func_vals)} evaluations: {result.fun:.4f} at {np.round(result.x, 3)}")

x1, x2 = np.meshgrid(np.linspace(-5, 10, 120), np.linspace(0, 15, 120))
z = np.vectorize(lambda a, b: branin([a, b]))(x1, x2)
fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
ax.contourf(x1, x2, np.log10(z), levels=30, cmap="Greys_r")
for i, points in enumerate(batches):
    points = np.array(points)
    ax.scatter(points[:, 0], points[:, 1], s=30, label=f"batch {i + 1}", zorder=2)
minimizers = branin.minimizers
ax.scatter(minimizers[:, 0], minimizers[:, 1], marker="*", s=200, color="gold", edgecolor="k")
ax.set(xlabel="x1", ylabel="x2", title="Branin (log10), batches of 4 (batches 1-2: Sobol design)")
ax.legend(loc="upper right", fontsize="small")
plt.show()

# %%
# BayesSearchCV
# -------------
# :class:`~statkit.optimize.BayesSearchCV` is a drop-in for
# :class:`~sklearn.model_selection.RandomizedSearchCV`: the same
# ``cv_results_``, ``best_params_`` and refit, but each candidate is chosen by
# a Bayesian optimizer of the mean cross-validated score. Here it tunes an SVC
# on 600 handwritten digits with 12 candidates, ``C`` and ``gamma`` on a log
# scale and the kernel as a category, against randomized search with the same
# budget and the same log-uniform distributions.
X, y = load_digits(return_X_y=True)
X, y = X[:600] / 16.0, y[:600]
spaces = {
    "C": Real(1e-2, 1e3, prior="log-uniform"),
    "gamma": Real(1e-4, 1e1, prior="log-uniform"),
    "kernel": Categorical(["rbf", "sigmoid"]),
}
bayes = BayesSearchCV(SVC(), spaces, n_iter=12, n_initial_points=6, cv=3, random_state=0)
bayes.fit(X, y)
randomized = RandomizedSearchCV(
    SVC(),
    {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1), "kernel": ["rbf", "sigmoid"]},
    n_iter=12,
    cv=3,
    random_state=0,
).fit(X, y)
print(f"BayesSearchCV:      best accuracy {bayes.best_score_:.3f} with {bayes.best_params_}")
print(f"RandomizedSearchCV: best accuracy {randomized.best_score_:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ConvergenceDisplay.from_results(
    {
        "BayesSearchCV": bayes.optimizer_results_,
        "RandomizedSearchCV": [randomized.cv_results_["mean_test_score"]],
    },
    ax=ax,
    band=False,
)
ax.set(ylabel="best mean CV accuracy so far", title="SVC on digits, 3 folds", ylim=(0.8, 0.95))
plt.show()

# %%
# The search results are maximised (accuracy), so the display draws the
# running maximum. On this small problem both searches soon find an RBF
# kernel with a large ``C`` and end level; Bayesian optimization pays off when
# each fit is expensive and the good region is small. See the user guide
# (:ref:`optimize`) for the other acquisitions (the tutorial's exact noisy
# expected improvement, the knowledge gradient, max-value entropy search),
# constraints, and evaluations in parallel through joblib or Dask.
