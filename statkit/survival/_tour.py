"""The survival family's tour section: exact and private Kaplan–Meier curves of lung."""

import numpy as np

from statkit._tour import TourResult, TourSection

EPSILONS = (0.5, 1.0, 10.0)
T_MAX = 1100.0  # days: a public horizon (the study's follow-up), not read off the data


def _run(context):
    import matplotlib.pyplot as plt

    from statkit.datasets import load_lung
    from statkit.survival import (
        DPKaplanMeier,
        KaplanMeier,
        SurvivalCurveDisplay,
        survival_rmse,
    )

    lung = load_lung()
    km = KaplanMeier().fit(lung.time, lung.event)
    event_times = km.timeline_[km.n_events_ > 0]
    # One independent noise stream per release: reusing a seed would share the noise.
    streams = np.random.SeedSequence(context.random_state).spawn(len(EPSILONS))
    n_bootstrap = 50 if context.quick else 200
    curves = {
        eps: DPKaplanMeier(
            eps, t_max=T_MAX, n_bootstrap=n_bootstrap, random_state=np.random.default_rng(stream)
        ).fit(lung.time, lung.event)
        for eps, stream in zip(EPSILONS, streams, strict=True)
    }

    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    SurvivalCurveDisplay.from_estimator(
        km, ax=ax, name="Kaplan–Meier (exact, 95% CI)", at_risk_counts=True, color="black"
    )
    for (eps, curve), color in zip(curves.items(), ("C3", "C1", "C0"), strict=True):
        SurvivalCurveDisplay.from_estimator(
            curve,
            ax=ax,
            ci=eps == 1.0,
            name=f"private, ε = {eps:g}" + (" (95% bootstrap band)" if eps == 1.0 else ""),
            color=color,
        )
    ax.set_xlabel("days")
    ax.set_title("NCCTG lung: exact and ε-DP Kaplan–Meier curves")

    summary = {"n_patients": int(lung.time.size), "km_median_days": km.median_survival_time_}
    for eps, curve in curves.items():
        summary[f"rmse_eps{eps:g}"] = survival_rmse(
            curve.predict(event_times), km.predict(event_times)
        )
    for eps, curve in curves.items():
        summary[f"median_eps{eps:g}_days"] = curve.median_survival_time_
    text = (
        "The exact Kaplan–Meier curve of the 228 NCCTG lung cancer patients (black, with its "
        "Greenwood log-log band and censor marks) against private curves released at three "
        "privacy levels (the ε = 1 curve with its bootstrap band, which includes the privacy "
        "noise). RMSE is measured against the exact curve at its 139 event times. The private "
        "curves assume a constant hazard inside each public time bin, so they are smooth, and "
        "they show no censor marks: individual censoring times are private."
    )
    notes = [
        "ε-DP under add/remove-one-patient neighbours: discrete Laplace noise on per-bin death "
        "and censoring counts; the curve, its band and the noisy numbers at risk are "
        "post-processing.",
        f"t_max={T_MAX:g} days is a public horizon (the study's follow-up), not read off the data; "
        "2% of each ε buys the noisy patient count that sets the number of bins.",
        f"Each release draws its noise from its own stream spawned from random_state="
        f"{context.random_state}; a fixed seed is for reproducible demonstrations only.",
    ]
    return TourResult(summary=summary, figures={"curves": fig}, text=text, notes=notes)


SECTIONS = [TourSection("dp_km", "Private survival curves (DP Kaplan–Meier)", _run)]
