"""
A differentially private Kaplan–Meier curve
===========================================

:class:`~statkit.survival.DPKaplanMeier` releases a survival curve with
ε-differential privacy (neighbours: add or remove one patient) by adding
discrete Laplace noise to the numbers of deaths and censorings in public time
bins; everything else is post-processing. Here it is compared with the exact
:class:`~statkit.survival.KaplanMeier` curve on the NCCTG lung cancer data.

``t_max=1100`` days is a *public* horizon, the study's follow-up: it is not read
off the data. The seeds make the example reproducible; a real release leaves
``random_state=None``, because two releases with the same seed share their
noise.
"""

import matplotlib.pyplot as plt
import numpy as np

from statkit.datasets import load_lung
from statkit.survival import DPKaplanMeier, KaplanMeier, SurvivalCurveDisplay, survival_rmse

lung = load_lung()
km = KaplanMeier().fit(lung.time, lung.event)
dp = DPKaplanMeier(epsilon=1.0, t_max=1100, random_state=0).fit(lung.time, lung.event)
print(f"median survival: exact {km.median_survival_time_:.0f} days,", end=" ")
print(f"private {dp.median_survival_time_:.0f} days")
print(f"{dp.time_edges_.size - 1} public bins up to {dp.time_edges_[-1]:.1f} days")

# %%
# The exact curve is a step function with its Greenwood log-log band and "+"
# marks at the censored times. The private curve has a constant hazard inside
# each bin, so it is smooth; its band is a bootstrap that redraws the data and
# the privacy noise, and it has no censor marks: individual censoring times are
# private. Its numbers at risk are noisy estimates.
fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
SurvivalCurveDisplay.from_estimator(km, ax=ax, name="exact", at_risk_counts=True, color="black")
SurvivalCurveDisplay.from_estimator(dp, ax=ax, name="private, ε = 1", at_risk_counts=True)
ax.set_xlabel("days")
ax.set_title("NCCTG lung cancer: exact and ε-DP Kaplan–Meier")
plt.show()

# %%
# Error against ε
# ---------------
# The root mean square difference from the exact curve at its event times, over
# 20 releases (seeds) for each ε. Smaller ε means stronger privacy and more
# noise; at large ε what remains is the error of the binning.
event_times = km.timeline_[km.n_events_ > 0]
exact = km.predict(event_times)
epsilons = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0]
errors = np.array(
    [
        [
            survival_rmse(
                DPKaplanMeier(eps, t_max=1100, n_bootstrap=0, random_state=seed)
                .fit(lung.time, lung.event)
                .predict(event_times),
                exact,
            )
            for seed in range(20)
        ]
        for eps in epsilons
    ]
)
for eps, row in zip(epsilons, errors, strict=True):
    print(f"ε = {eps:>5g}: RMSE {row.mean():.4f} ± {row.std():.4f}")

fig, ax = plt.subplots(layout="constrained")
ax.errorbar(epsilons, errors.mean(axis=1), yerr=errors.std(axis=1), marker="o", capsize=3)
ax.set_xscale("log")
ax.set_xlabel("ε")
ax.set_ylabel("RMSE against the exact curve")
ax.set_title("20 releases per ε, t_max = 1100 days")
plt.show()
