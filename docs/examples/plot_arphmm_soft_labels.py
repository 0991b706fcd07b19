"""
Degradation states from a few noisy labels with the ARPHMM
==========================================================

An engine, a bearing or a battery wears through a few stages. A health
indicator measured along the way follows a different autoregression in each
stage, but the stages themselves are hidden. Experts can often say something
about them (this stretch looked healthy, that one was close to failure), but
not for every time step and not always correctly.

:class:`~statkit.hmm.ARPHMM` (Juesas, Ramasso et al.) takes such knowledge as
per-step *plausibilities*: a row of ones says nothing, a one-hot row is a
label, anything in between is a soft label. This example simulates a hard
three-stage left-right degradation in which the stages differ mostly in their
dynamics, labels 10% of the steps with the noisy-label generator used in the
literature, and compares what an unsupervised ARHMM and the partially
supervised ARPHMM learn, on a held-out series decoded *without* labels.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment

from statkit.hmm import ARPHMM, StateSequenceDisplay, noisy_plausibility

# %%
# A hard left-right degradation
# -----------------------------
# Three stages with stationary levels 0, 0.3 and 0.6 and noise large enough
# that the levels overlap; the AR coefficient (0.2, 0.6, 0.9) is what tells
# them apart. The chain moves left to right only.
truth = ARPHMM(3, ar_order=1, transmat_mask="left-right")
truth.startprob_ = np.array([1.0, 0.0, 0.0])
truth.transmat_ = np.array([[0.995, 0.005, 0], [0, 0.995, 0.005], [0, 0, 1.0]])
truth.ar_coef_ = np.array([[0.2], [0.6], [0.9]])
truth.intercept_ = np.array([0.0, 0.3, 0.6]) * (1 - truth.ar_coef_[:, 0])
truth.noise_var_ = np.array([0.3, 0.3, 0.3]) ** 2


def sample_runs(n_runs, seed):
    runs = [truth.sample(600, random_state=seed + i) for i in range(n_runs)]
    return np.concatenate([X for X, _ in runs]), np.concatenate([s for _, s in runs])


X_train, states_train = sample_runs(3, seed=0)
X_test, states_test = sample_runs(3, seed=100)
lengths = [600, 600, 600]

# %%
# Ten percent of the steps labelled, each label wrong with probability ~0.5
# --------------------------------------------------------------------------
# :func:`~statkit.hmm.noisy_plausibility` draws a per-step error probability
# (Beta with mean 0.5, sd 0.2), replaces the label by a random stage with that
# probability, and turns it into a soft label; unlabelled steps get all ones.
plausibility = noisy_plausibility(
    states_train, 3, error_rate=0.5, labelled_fraction=0.1, random_state=0
)


def accuracy(model):
    """Held-out state accuracy, decoded with plausibility = 1, best state matching."""
    decoded = model.predict(X_test, lengths)
    confusion = np.zeros((3, 3))
    np.add.at(confusion, (states_test, decoded), 1)
    rows, cols = linear_sum_assignment(-confusion)
    return confusion[rows, cols].sum() / decoded.size


unsupervised = ARPHMM(3, 1, transmat_mask="left-right", random_state=0)
unsupervised.fit(X_train, lengths)
partial = ARPHMM(3, 1, transmat_mask="left-right", random_state=0)
partial.fit(X_train, lengths, plausibility=plausibility)
print(f"held-out accuracy, unsupervised:      {accuracy(unsupervised):.3f}")
print(f"held-out accuracy, 10% noisy labels:  {accuracy(partial):.3f}")
print("learned AR coefficients:", partial.ar_coef_.ravel().round(2))

# %%
# The first held-out run, coloured by decoded stage
# -------------------------------------------------
fig, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True, layout="constrained")
StateSequenceDisplay.from_estimator(unsupervised, X_test[:600], ax=axes[0])
axes[0].set_title("unsupervised ARHMM")
StateSequenceDisplay.from_estimator(partial, X_test[:600], ax=axes[1])
axes[1].set_title("ARPHMM with 10% noisy labels")
axes[1].set_xlabel("step")
plt.show()
