"""Differential privacy machinery shared by statkit's private estimators.

Noise mechanisms (:class:`LaplaceMechanism`, :class:`GeometricMechanism` for
integer counts, :class:`GaussianMechanism`) draw only from a
:class:`numpy.random.Generator` and charge a :class:`PrivacyAccountant`, which
composes releases sequentially or in parallel over disjoint groups and raises
:class:`PrivacyBudgetError` before a release that would overspend.
:func:`audit_epsilon` lower-bounds the ε a mechanism really has from its
outputs on two neighbouring data sets (a black-box privacy audit).
"""

from statkit.privacy._accountant import (
    LedgerEntry,
    ParallelComposition,
    PrivacyAccountant,
    PrivacyBudgetError,
)
from statkit.privacy._audit import AuditResult, audit_epsilon
from statkit.privacy._mechanisms import (
    GaussianMechanism,
    GeometricMechanism,
    LaplaceMechanism,
    gaussian_delta,
)
from statkit.privacy._selection import exponential_mechanism

__all__ = [
    "AuditResult",
    "GaussianMechanism",
    "GeometricMechanism",
    "LaplaceMechanism",
    "LedgerEntry",
    "ParallelComposition",
    "PrivacyAccountant",
    "PrivacyBudgetError",
    "audit_epsilon",
    "exponential_mechanism",
    "gaussian_delta",
]
