"""The hmm family's tour section: degradation states and remaining useful life on CMAPSS FD001."""

import numpy as np

from statkit._tour import TourResult, TourSection

N_STATES = 6
RUL_CAP = 125.0
ENGINE = 1  # the training engine whose health indicator is shown


def _run(context):
    import matplotlib.pyplot as plt

    from statkit.datasets import data_set_missing, fetch_cmapss
    from statkit.hmm import (
        CMAPSSHealthIndicator,
        StateSequenceDisplay,
        SwitchingRULRegressor,
        life_fraction_labels,
        noisy_plausibility,
        phm08_score,
        rul_accuracy,
        rul_rmse,
        rul_targets,
        sequence_lengths,
    )

    missing = data_set_missing("cmapss", data_home=context.data_home)
    if missing:
        return TourResult(notes=[f"Skipped: {missing}"])
    data = fetch_cmapss("FD001", data_home=context.data_home)
    indicator = CMAPSSHealthIndicator().fit(data.train)
    train = indicator.transform(data.train)[:, None]
    test = indicator.transform(data.test)[:, None]
    train_lengths, test_lengths = sequence_lengths(data.train), sequence_lengths(data.test)
    # The ARPHMM authors' prior: six ordered degradation stages at fixed fractions of life.
    prior = noisy_plausibility(life_fraction_labels(train_lengths), N_STATES, error_rate=0.0)
    fits = {
        name: SwitchingRULRegressor(
            N_STATES,
            max_rul=RUL_CAP,
            n_init=1 if context.quick else 3,
            random_state=context.random_state,
        ).fit(train, rul_targets(train_lengths), train_lengths, plausibility)
        for name, plausibility in (("prior", prior), ("no prior", None))
    }
    predicted = {name: model.predict_rul(test, test_lengths) for name, model in fits.items()}

    fig, (states_ax, rul_ax) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    start = int(np.sum(train_lengths[: ENGINE - 1]))
    engine = slice(start, start + train_lengths[ENGINE - 1])
    StateSequenceDisplay.from_estimator(
        fits["prior"].hmm_,
        train[engine],
        steps=np.arange(1, train_lengths[ENGINE - 1] + 1),
        state_names=[f"stage {k + 1}" for k in range(N_STATES)],
        ax=states_ax,
    )
    states_ax.set(
        xlabel="cycle",
        ylabel="health indicator",
        title=f"training engine {ENGINE}: decoded stages (no labels)",
    )
    order = np.argsort(data.rul)
    rul_ax.plot(data.rul[order], color="black", label="true RUL")
    for (name, rul), marker in zip(predicted.items(), ("o", "x"), strict=True):
        rul_ax.scatter(np.arange(rul.size), rul[order], s=14, marker=marker, label=name)
    rul_ax.set(
        xlabel="test engine (sorted by true RUL)",
        ylabel="cycles",
        title="FD001 test: predicted vs true RUL",
    )
    rul_ax.legend()

    summary = {"n_train_engines": int(train_lengths.size), "n_test_engines": int(test_lengths.size)}
    for name, rul in predicted.items():
        key = name.replace(" ", "_")
        summary[f"rmse_{key}"] = rul_rmse(data.rul, rul)
        summary[f"phm08_{key}"] = phm08_score(data.rul, rul)
        summary[f"share_in_interval_{key}"] = rul_accuracy(data.rul, rul)
    text = (
        "A health indicator is built from ten normalised sensors of the C-MAPSS FD001 "
        "turbofan engines (a linear regression to 1 at the start of life and 0 at failure, "
        "smoothed causally). A six-state left-right ARPHMM learns the degradation stages from "
        "the 100 training engines with the authors' prior (six stages at fixed fractions of "
        "life); the left figure decodes one engine without labels. The switching regression "
        "maps each stage and a causal window of the indicator to the remaining useful life; "
        "the right figure compares its prediction after the last cycle of the 100 test engines "
        "with the truth, with and without the prior."
    )
    notes = [
        f"Predicted RUL is capped at {RUL_CAP:g} cycles (piecewise-linear target); the truth "
        "is not capped.",
        "Predictions use only the cycles up to each test engine's last one (filtered states, "
        "causal window).",
    ]
    return TourResult(summary=summary, figures={"rul": fig}, text=text, notes=notes)


SECTIONS = [TourSection("arphmm", "Prognostics with the ARPHMM (CMAPSS FD001)", _run)]
