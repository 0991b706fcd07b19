"""Bayesian optimization after Frazier's tutorial.

:func:`minimize` and the ask/tell :class:`BayesianOptimizer` search a
:class:`Space` (:class:`Real`, :class:`Integer`, :class:`Categorical`) with a
:class:`GaussianProcess` surrogate (Matérn-5/2 ARD, MAP hyperparameters) and
log EI, EI, the tutorial's noisy EI, the knowledge gradient, max-value
entropy search, q-batch log EI with pending points, or constrained log EI;
:class:`BayesSearchCV` tunes scikit-learn estimators with it, and
:mod:`statkit.optimize.benchmarks` holds the standard test functions.
"""

from statkit.optimize._display import ConvergenceDisplay
from statkit.optimize._gp import GaussianProcess, Hyperparameters
from statkit.optimize._minimize import DeadlineStopper, DeltaYStopper, minimize
from statkit.optimize._optimizer import BayesianOptimizer
from statkit.optimize._search import BayesSearchCV
from statkit.optimize._space import Categorical, Integer, Real, Space

__all__ = [
    "BayesSearchCV",
    "BayesianOptimizer",
    "Categorical",
    "ConvergenceDisplay",
    "DeadlineStopper",
    "DeltaYStopper",
    "GaussianProcess",
    "Hyperparameters",
    "Integer",
    "Real",
    "Space",
    "minimize",
]
