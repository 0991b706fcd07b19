"""The cluster family's tour section: iLA-SDP against EM where EM gets trapped (setting A)."""

import numpy as np

from statkit._tour import TourResult, TourSection

N_SAMPLES = 120  # 3 x 40 points: the size of setting A in the iLA-SDP notes
N_CLUSTERS = 3


def _matched(labels_true, labels_pred):
    """``labels_pred`` renamed to the true clusters they overlap most (for shared colours)."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics.cluster import contingency_matrix

    true_names, pred_names = np.unique(labels_true), np.unique(labels_pred)
    rows, columns = linear_sum_assignment(
        contingency_matrix(labels_true, labels_pred), maximize=True
    )
    renamed = np.full(len(labels_pred), -1)  # a cluster left unmatched: -1
    for row, column in zip(rows, columns, strict=True):
        renamed[labels_pred == pred_names[column]] = true_names[row]
    return renamed


def _methods(seed):
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    from statkit.cluster import ILASDP

    return {
        "ila_sdp": ("iLA-SDP", ILASDP(N_CLUSTERS, random_state=seed)),
        "em_random": (
            "EM, 10 random starts",
            GaussianMixture(
                N_CLUSTERS, n_init=10, init_params="random_from_data", random_state=seed
            ),
        ),
        "em_default": (
            "EM, default (one k-means start)",
            GaussianMixture(N_CLUSTERS, random_state=seed),
        ),
        "kmeans": ("k-means", KMeans(N_CLUSTERS, n_init=10, random_state=seed)),
    }


def _run(context):
    import matplotlib.pyplot as plt

    from statkit.cluster import misclustering_error
    from statkit.datasets import make_heterogeneous_blobs

    n_data_sets = 2 if context.quick else 5
    seeds = np.random.SeedSequence(context.random_state).generate_state(n_data_sets)
    errors = {name: [] for name in _methods(0)}
    shown = None
    for seed in seeds:
        X, y = make_heterogeneous_blobs(N_SAMPLES, setting="A", random_state=int(seed))
        labels = {}
        for name, (_, model) in _methods(int(seed)).items():
            labels[name] = model.fit_predict(X)
            errors[name].append(misclustering_error(y, labels[name]))
        if shown is None:
            shown = X, y, labels

    X, y, labels = shown
    titles = {name: title for name, (title, _) in _methods(0).items()}
    fig, axes = plt.subplots(2, 2, figsize=(10, 8), sharex=True, sharey=True, layout="constrained")
    panels = [("truth", y, "truth (setting A)")] + [
        (name, _matched(y, labels[name]), titles[name])
        for name in ("ila_sdp", "em_default", "em_random")
    ]
    colours = np.array(["C0", "C1", "C2", "0.5"])
    for ax, (name, colour_labels, title) in zip(axes.flat, panels, strict=True):
        ax.scatter(X[:, 0], X[:, 1], c=colours[colour_labels], s=14)
        if name != "truth":
            wrong = colour_labels != y
            ax.scatter(X[wrong, 0], X[wrong, 1], s=60, facecolors="none", edgecolors="C3", lw=1)
            title = f"{title}: error {errors[name][0]:.3f}"
        ax.set_title(title)
    for ax in axes[1]:
        ax.set_xlabel("x1 (carries the means 0, 3, 12)")
    for ax in axes[:, 0]:
        ax.set_ylabel("x2")

    summary = {"n_samples": N_SAMPLES, "n_data_sets": n_data_sets}
    for name, values in errors.items():
        summary[f"error_{name}"] = float(np.mean(values))
    summary["em_random_trapped"] = int(np.sum(np.array(errors["em_random"]) > 0.2))
    text = (
        "Setting A of make_heterogeneous_blobs: three Gaussian clusters in 10 dimensions with "
        "means 0, 3 e1 and 12 e1 (two close clusters and a far one) and covariances I, "
        "diag(0.1, 2, ..., 2) and I. iLA-SDP (Zhuang, Chen and Yang, ICML 2023) starts from the "
        "Peng–Wei K-means SDP and alternates covariance estimates with a likelihood-adjusted SDP "
        "over the labels, solved by the matrix-free Burer–Monteiro solver. EM for the same "
        "Gaussian model from random data points gets trapped even with 10 restarts: it merges "
        "most of the close pair and splits the far cluster (in the other coordinates). EM from "
        "scikit-learn's default k-means start is usually good here, but it can get trapped too. "
        "The figure shows the first data set in its first two coordinates, with each method's "
        "labels matched to the true clusters and misclustered points circled in red; the "
        "summary averages the misclustering error over the data sets."
    )
    notes = [
        f"{n_data_sets} data sets of {N_SAMPLES} points (40 per cluster), seeds spawned from "
        f"random_state={context.random_state}; errors are minimised over matchings of the labels "
        "(misclustering_error).",
        "The margin over EM from k-means starts is small in this well-separated regime; where "
        "clusters overlap, iLA-SDP is not expected to beat GaussianMixture (see the user guide).",
    ]
    return TourResult(summary=summary, figures={"clusters": fig}, text=text, notes=notes)


SECTIONS = [TourSection("ila_sdp", "Clustering heterogeneous Gaussian data (iLA-SDP)", _run)]
