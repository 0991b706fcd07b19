"""Prognostics with autoregressive partially-hidden Markov models.

:class:`ARPHMM` switches between Gaussian autoregressions of a health
indicator with a hidden Markov chain, learns from unlabelled, soft or noisy
state labels (per-step plausibilities) and predicts the remaining useful life.
:class:`CMAPSSHealthIndicator` builds the health indicator of the C-MAPSS
turbofan engines; :func:`noisy_plausibility` and :func:`life_fraction_labels`
make the partial labels used in the literature; :func:`rul_rmse`,
:func:`phm08_score` and :func:`rul_accuracy` score RUL predictions, and
:class:`SwitchingRULRegressor` predicts the RUL from the states and a causal
window of the indicator.
"""

from statkit.hmm._arphmm import ARPHMM
from statkit.hmm._display import StateSequenceDisplay
from statkit.hmm._health import CMAPSSHealthIndicator, sequence_lengths
from statkit.hmm._labels import CMAPSS_BOUNDARIES, life_fraction_labels, noisy_plausibility
from statkit.hmm._metrics import phm08_score, rul_accuracy, rul_rmse
from statkit.hmm._rul import RULPrediction
from statkit.hmm._rul_regression import SwitchingRULRegressor, rul_targets

__all__ = [
    "ARPHMM",
    "CMAPSS_BOUNDARIES",
    "CMAPSSHealthIndicator",
    "RULPrediction",
    "StateSequenceDisplay",
    "SwitchingRULRegressor",
    "life_fraction_labels",
    "noisy_plausibility",
    "phm08_score",
    "rul_accuracy",
    "rul_rmse",
    "rul_targets",
    "sequence_lengths",
]
