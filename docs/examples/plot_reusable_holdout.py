"""
The reusable holdout: adaptive overfitting and Thresholdout
===========================================================

A holdout set gives an unbiased estimate of a model's accuracy only if nothing
about the model was chosen by looking at it. Reuse it to choose, and it
overfits like a training set. Dwork et al. (*Science*, 2015) made this visible
with a simple analyst, and showed that answering the holdout's queries through
:class:`~statkit.model_selection.Thresholdout` prevents it.

This example repeats their experiment at a small scale (2,000 training, 2,000
holdout and 2,000 fresh records, 2,000 features, 10 repetitions; the paper has
10,000 of each and 100 repetitions), then tunes a model with
:class:`~statkit.model_selection.ThresholdoutSearchCV`, the drop-in
replacement for ``GridSearchCV`` that answers through a reusable holdout.

The seeds make the example reproducible. Leave ``random_state=None`` for a
real analysis: whoever knows a mechanism's seed can subtract its noise.
"""

import matplotlib.pyplot as plt
import numpy as np

from statkit.datasets import make_adaptive_overfitting_experiment
from statkit.model_selection import Thresholdout, adaptive_feature_selection

# %%
# The experiment
# --------------
# :func:`~statkit.datasets.make_adaptive_overfitting_experiment` draws three
# sets (training, holdout, fresh) of Gaussian features and ±1 labels. With
# ``n_signal=0`` no feature says anything about the label, so every classifier
# has a true accuracy of 50%. With ``n_signal=20``, 20 features are shifted by
# ``y * 6 / sqrt(n)`` and there is something to find.
#
# :func:`~statkit.model_selection.adaptive_feature_selection` is the paper's
# analyst. It computes each feature's correlation with the label on the
# training set and on the holdout, keeps the features where both are large and
# agree in sign, and reports the accuracy of a vote of the top ``k`` features.
# The holdout is used twice: to select the features and to score the result.
# With ``mechanism=None`` it answers directly (the standard holdout); with a
# :class:`~statkit.model_selection.Thresholdout`, every holdout number, the
# 2,000 correlations and each accuracy, goes through the mechanism. The
# defaults are the rule of the paper's experiment: Gaussian noise,
# ``T = 4/sqrt(n)`` and ``σ = 1/sqrt(n)``. Correlations are not in [0, 1], so
# ``value_range=None``.
n, n_repetitions = 2_000, 10
ks = (0, 10, 20, 30, 45, 70, 100, 150, 200, 250, 300, 400, 500)


def run(n_signal):
    """Reported and fresh accuracies for each k, one row per repetition."""
    curves = {"standard": [], "standard fresh": [], "thresholdout": [], "thresholdout fresh": []}
    for seed in range(n_repetitions):
        data_rng, noise_rng = np.random.default_rng(seed).spawn(2)
        data = make_adaptive_overfitting_experiment(n, n, n_signal=n_signal, random_state=data_rng)
        standard = adaptive_feature_selection(data, ks=ks)
        mechanism = Thresholdout(n_holdout=n, value_range=None, random_state=noise_rng)
        reused = adaptive_feature_selection(data, mechanism=mechanism, ks=ks)
        curves["standard"].append(standard.reported_accuracy)
        curves["standard fresh"].append(standard.fresh_accuracy)
        curves["thresholdout"].append(reused.reported_accuracy)
        curves["thresholdout fresh"].append(reused.fresh_accuracy)
    return {name: np.array(rows) for name, rows in curves.items()}


results = {"no signal": run(n_signal=0), "signal in 20 features": run(n_signal=20)}

for condition, curves in results.items():
    gap = {  # between the mean curves, for k >= 10
        name: np.abs(curves[name].mean(axis=0) - curves[f"{name} fresh"].mean(axis=0))[1:]
        for name in ("standard", "thresholdout")
    }
    print(
        f"{condition}: |reported - fresh| for k >= 10, max / mean: "
        f"standard holdout {gap['standard'].max():.3f} / {gap['standard'].mean():.3f}, "
        f"Thresholdout {gap['thresholdout'].max():.3f} / {gap['thresholdout'].mean():.3f}"
    )

# %%
# Without signal, the standard holdout reports accuracies well above 60% for
# classifiers that are right half of the time: the features were chosen
# because they happened to agree with the holdout. The accuracy reported
# through Thresholdout stays near 50%, within the threshold
# ``T = 4/sqrt(2000) = 0.089`` of the truth; its largest error is at small
# ``k``, where the training accuracy is returned because it lies within ``T``
# of the holdout's. With signal, Thresholdout still finds it: its reported
# accuracy is highest at 20 to 30 features, near the peak of the fresh
# accuracy, and then falls with it, while the standard holdout's keeps
# rising. At this scale only about 100 features pass the standard holdout's
# selection, so its curves are flat beyond ``k = 100``. The bands are ± one
# standard deviation over the repetitions.
styles = {
    "standard": {"label": "standard holdout, reported", "color": "tab:red"},
    "thresholdout": {"label": "Thresholdout, reported", "color": "tab:blue"},
    "standard fresh": {
        "label": "fresh data (standard holdout's choice)",
        "color": "tab:red",
        "linestyle": ":",
    },
    "thresholdout fresh": {
        "label": "fresh data (Thresholdout's choice)",
        "color": "tab:blue",
        "linestyle": ":",
    },
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True, layout="constrained")
for ax, (condition, curves) in zip(axes, results.items(), strict=True):
    for name, style in styles.items():
        mean, sd = curves[name].mean(axis=0), curves[name].std(axis=0)
        ax.plot(ks, mean, marker="o", markersize=3, **style)
        ax.fill_between(ks, mean - sd, mean + sd, color=style["color"], alpha=0.12)
    ax.axhline(0.5, color="grey", linewidth=0.8)
    ax.set_xlabel("number of selected features k")
    ax.set_title(f"{condition} (n = d = {n:,}, {n_repetitions} repetitions)")
axes[0].set_ylabel("accuracy")
axes[0].legend(loc="upper left", fontsize="small")
plt.show()

# %%
# Tuning a model through a reusable holdout
# -----------------------------------------
# :class:`~statkit.model_selection.ThresholdoutSearchCV` takes the arguments of
# ``GridSearchCV`` (``param_grid``) or ``RandomizedSearchCV``
# (``param_distributions``). Given ``holdout=0.3`` it holds out 30% of ``X``;
# each candidate's training value is its 5-fold cross-validation score on the
# other 70%, and its holdout value the score on the holdout of the model
# fitted on those 70%. Only the mechanism's answers appear in ``cv_results_``.
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from statkit.model_selection import ReusableHoldout, ThresholdoutSearchCV

rng = np.random.default_rng(1)


def sample(n_samples):
    """Two informative features among 30."""
    X = rng.normal(size=(n_samples, 30))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n_samples) > 0).astype(int)
    return X, y


X, y = sample(3_000)
X_fresh, y_fresh = sample(20_000)  # to check the reported score; an analyst has no such thing

search = ThresholdoutSearchCV(
    LogisticRegression(), {"C": np.logspace(-4, 2, 7).tolist()}, scoring="accuracy", random_state=0
).fit(X, y)
print("answers:        ", np.round(search.cv_results_["mean_test_score"], 4))
print("from holdout:   ", search.cv_results_["answered_from_holdout"])
print(f"best: C = {search.best_params_['C']:g}, best_score_ = {search.best_score_:.4f}")
print(f"accuracy on fresh data: {search.score(X_fresh, y_fresh):.4f}")

# %%
# No candidate's holdout score differed from its cross-validated training
# score by more than the noisy threshold, so every answer is the training value:
# the holdout was consulted, and revealed only that it agreed. The one unit of
# budget spent is ``best_score_``, a fresh answer from the holdout for the
# chosen candidate: not the largest answer, which would be biased upwards when
# answers are noisy, nor its training value, which the search adapted to.
#
# To run several searches against one holdout, build a
# :class:`~statkit.model_selection.ReusableHoldout` and pass it to each search,
# which is then fitted without data. The searches share the mechanism, so the
# budget (here at most 50 holdout answers) is counted across all of them. Fits
# run in parallel with ``n_jobs``; the answers are asked in candidate order in
# this process, so the budget used is the same for any ``n_jobs``.
holdout = ReusableHoldout(
    X[:1_500],
    y[:1_500],
    X[1_500:],
    y[1_500:],
    mechanism=Thresholdout(budget=50, random_state=0),
)
searches = [
    ThresholdoutSearchCV(
        LogisticRegression(), {"C": np.logspace(-4, 2, 13).tolist()}, holdout=holdout
    ),
    ThresholdoutSearchCV(
        KNeighborsClassifier(), {"n_neighbors": [1, 5, 15, 50, 150]}, holdout=holdout
    ),
]
for search in searches:
    search.set_params(scoring="accuracy", n_jobs=2).fit()
    print(
        f"{type(search.estimator).__name__}: best {search.best_params_}, "
        f"best_score_ {search.best_score_:.4f}, fresh {search.score(X_fresh, y_fresh):.4f}, "
        f"budget used {search.holdout_budget_used_}"
    )
mechanism = holdout.mechanism
print(
    f"{mechanism.n_queries_} queries answered, {mechanism.n_overfit_} from the holdout, "
    f"{mechanism.budget_remaining_:g} holdout answers left"
)
