"""Model selection that stays valid when a holdout is reused adaptively.

:class:`Thresholdout` answers queries from a holdout only when the training
set disagrees with it, with noise; :class:`ReusableHoldout` owns a holdout and
answers statistical queries and model scores through it, with a budget kept in
a ledger; :class:`ThresholdoutSearchCV` is a grid or random search scored that
way; :class:`SparseValidate` answers arbitrary yes/no tests with a budget of
"yes" answers; :class:`Ladder` is a leaderboard that resists being overfitted.
"""

from statkit.model_selection._experiment import FeatureSelectionResult, adaptive_feature_selection
from statkit.model_selection._holdout import (
    ReusableHoldout,
    ThresholdoutScorer,
    make_thresholdout_scorer,
)
from statkit.model_selection._ladder import Ladder
from statkit.model_selection._search import ThresholdoutSearchCV
from statkit.model_selection._sparse_validate import SparseValidate
from statkit.model_selection._thresholdout import BudgetExhausted, QueryHistory, Thresholdout

__all__ = [
    "BudgetExhausted",
    "FeatureSelectionResult",
    "Ladder",
    "QueryHistory",
    "ReusableHoldout",
    "SparseValidate",
    "Thresholdout",
    "ThresholdoutScorer",
    "ThresholdoutSearchCV",
    "adaptive_feature_selection",
    "make_thresholdout_scorer",
]
