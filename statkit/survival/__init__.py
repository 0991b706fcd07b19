"""Survival curves: Kaplan–Meier and an ε-differentially-private Kaplan–Meier.

:class:`KaplanMeier` is the exact estimator (Greenwood log-log intervals,
Nelson–Aalen cumulative hazard, delayed entry, case weights) with
:func:`logrank_test`. :class:`DPKaplanMeier` releases a survival curve under
ε-differential privacy (add/remove-one-patient neighbours) by adding discrete
Laplace noise to death and censoring counts on public time bins (or on bins it
chooses privately); :func:`dp_logrank_test` compares the private curves of
several arms without spending more budget.
"""

from statkit.survival._display import SurvivalCurveDisplay
from statkit.survival._dp_grouped import fit_grouped
from statkit.survival._dp_kaplan_meier import DPKaplanMeier
from statkit.survival._dp_logrank import DPLogrankResult, dp_logrank_test
from statkit.survival._kaplan_meier import KaplanMeier
from statkit.survival._logrank import LogrankResult, logrank_test
from statkit.survival._metrics import survival_rmse

__all__ = [
    "DPKaplanMeier",
    "DPLogrankResult",
    "KaplanMeier",
    "LogrankResult",
    "SurvivalCurveDisplay",
    "dp_logrank_test",
    "fit_grouped",
    "logrank_test",
    "survival_rmse",
]
