"""Bayesian optimization (work in progress)."""

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
