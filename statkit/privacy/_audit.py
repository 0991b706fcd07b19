"""Black-box auditing of differential privacy: a statistical lower bound on ε.

A mechanism ``M`` is ε-DP only if, for every pair of neighbouring data sets
``D``, ``D'`` and every set of outputs ``E``, ``P[M(D) ∈ E] <= e^ε P[M(D') ∈ E]``.
Running ``M`` many times on ``D`` and on ``D'`` and watching how often a
distinguishing test fires gives a lower bound on the ε the mechanism really has
(Jagielski, Ullman & Oprea 2020; Nasr et al. 2021). A bound above the claimed ε
proves the claim wrong; a bound close to it shows that the audit has power.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import beta
from sklearn.utils._param_validation import validate_params

from statkit.utils._validation import OPEN_UNIT_INTERVAL, check_generator, validate_array

_DIRECTIONS = (">=", "<=")
_SIDES = ("scores", "scores_neighbour")
# The test is chosen on the first half by its Clopper–Pearson bound at level
# 1 - (1 - confidence) / _SELECTION_STRICTNESS, which favours regions with many runs.
_SELECTION_STRICTNESS = 100.0


@dataclass(frozen=True)
class AuditResult:
    """The outcome of :func:`audit_epsilon`.

    The distinguishing test declares "positive" when a run's score lies in the
    rejection region ``score >= threshold`` (``direction=">="``) or
    ``score <= threshold`` (``direction="<="``); the runs of the data set named
    by ``positive`` are the positives, those of the other data set the
    negatives.

    Parameters
    ----------
    epsilon_lower_bound : float
        The Clopper–Pearson lower confidence bound on ε, clamped at 0. An
        ε-DP mechanism stays at or below ε with probability at least
        ``confidence``.
    epsilon_empirical : float
        The plug-in estimate of the chosen test on the evaluation half (the
        larger of ``log(TPR / FPR)`` and ``log(TNR / FNR)``); may be infinite.
    threshold : float
        The threshold of the rejection region, chosen on the selection half.
    direction : {">=", "<="}
        Which tail of the scores is the rejection region.
    positive : {"scores", "scores_neighbour"}
        The argument whose runs count as positives.
    true_positive_rate, false_positive_rate : float
        The empirical rates of the test on the evaluation half.
    confidence : float
        The joint confidence level of the bound.
    n_runs : tuple of int
        The number of runs given for ``scores`` and ``scores_neighbour``.
    n_evaluation : tuple of int
        The runs of each side held out to compute the bound (the rest chose
        the test).
    """

    epsilon_lower_bound: float
    epsilon_empirical: float
    threshold: float
    direction: str
    positive: str
    true_positive_rate: float
    false_positive_rate: float
    confidence: float
    n_runs: tuple
    n_evaluation: tuple


def _clopper_pearson_lower(k, n, level):
    """One-sided Clopper–Pearson lower bound of a binomial proportion (k of n) at ``level``."""
    k = np.asarray(k, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bound = beta.ppf(1.0 - level, k, n - k + 1.0)
    return np.where(k > 0, bound, 0.0)


def _clopper_pearson_upper(k, n, level):
    """One-sided Clopper–Pearson upper bound of a binomial proportion (k of n) at ``level``."""
    k = np.asarray(k, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bound = beta.ppf(level, k + 1.0, n - k)
    return np.where(k < n, bound, 1.0)


def _log_ratio(numerator, denominator):
    """``log(numerator / denominator)`` with log(0) = -inf and x / 0 = +inf, elementwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            numerator > 0,
            np.log(np.where(numerator > 0, numerator, 1.0))
            - np.log(np.where(denominator > 0, denominator, 0.0)),
            -np.inf,
        )


class _Side:
    """Rejection-region counts of one side's runs, with Clopper–Pearson bounds by count."""

    def __init__(self, scores, level):
        self.sorted = np.sort(scores)
        self.n = self.sorted.size
        counts = np.arange(self.n + 1)
        self.lower = _clopper_pearson_lower(counts, self.n, level)
        self.upper = _clopper_pearson_upper(counts, self.n, level)

    def count(self, thresholds, direction):
        """How many runs lie in the rejection region, for each threshold."""
        if direction == ">=":
            return self.n - np.searchsorted(self.sorted, thresholds, side="left")
        return np.searchsorted(self.sorted, thresholds, side="right")


def _check_scores(scores, name):
    scores = validate_array(scores, name, ndim=1, dtype="float")
    if scores.size < 2:
        raise ValueError(
            f"{name} must hold at least 2 runs (one for each half of the audit); got {scores.size}."
        )
    return scores


@validate_params(
    {
        "scores": ["array-like"],
        "scores_neighbour": ["array-like"],
        "confidence": [OPEN_UNIT_INTERVAL],
        "random_state": "no_validation",  # check_generator names what it accepts
    },
    prefer_skip_nested_validation=True,
)
def audit_epsilon(scores, scores_neighbour, *, confidence=0.95, random_state=None):
    """Lower-bound the ε of a mechanism from its outputs on two neighbouring data sets.

    Each argument holds one scalar score per independent run of the
    mechanism: ``scores`` on a data set ``D``, ``scores_neighbour`` on a
    neighbour ``D'``. The audit builds threshold tests ("is the score at least
    / at most ``t``?") and bounds ε from how much more often a test fires on
    one side than on the other:

    1. Each side's runs are shuffled with ``random_state`` and split in two
       halves.
    2. On the first halves, every threshold (each distinct score), both tails
       and both orderings (``D`` against ``D'`` and ``D'`` against ``D``, since
       differential privacy bounds the ratio both ways) are tried; the test
       with the largest Clopper–Pearson bound on that half is kept. (The bound
       rather than the raw rate ratio is maximised, at the stricter level
       ``1 - (1 - confidence) / 100``: the raw ratio, and to a lesser degree a
       lenient bound, chase thin tails where the first half was lucky.)
    3. On the second halves, which played no part in choosing the test, the
       bound is ``log(TPR_lower / FPR_upper)``, or the complementary
       ``log(TNR_lower / FNR_upper)`` if larger, clamped at 0. ``TPR_lower``
       etc. are one-sided Clopper–Pearson bounds; each of the four is taken at
       level ``1 - (1 - confidence) / 4``, so the reported bound holds with
       probability at least ``confidence`` by the union bound.

    If the mechanism is ε-DP, ``epsilon_lower_bound <= ε`` with probability at
    least ``confidence``, whatever the scores are: any function of the
    mechanism's output is a valid score (post-processing). Turning a
    multi-dimensional release into a scalar score is the caller's job, and
    the audit is only as strong as that score: good choices are the released
    value most affected by the difference between ``D`` and ``D'`` (the noisy
    count of the cell the extra record falls in), a linear statistic of the
    release, or the exact log-likelihood ratio when the mechanism's density is
    known.

    Parameters
    ----------
    scores : array-like of shape (n_runs,)
        A scalar statistic of the mechanism's output on ``D``, one per run;
        finite, at least 2 runs.
    scores_neighbour : array-like of shape (n_runs_neighbour,)
        The same statistic on the neighbour ``D'``; the two sides may hold
        different numbers of runs.
    confidence : float, default=0.95
        The confidence level of the lower bound, in (0, 1).
    random_state : None, int or numpy.random.Generator, default=None
        Shuffles the runs before they are split into halves.

    Returns
    -------
    AuditResult
        The bound and the test it came from.

    Raises
    ------
    ValueError
        Scores that are not 1-D, empty, with fewer than 2 runs, or not finite;
        ``confidence`` outside (0, 1).
    TypeError
        Non-numeric scores or a ``confidence`` that is not a real number.

    See Also
    --------
    statkit.privacy.LaplaceMechanism.log_density : The exact density, for a
        white-box check of the privacy loss.

    Notes
    -----
    The lower bound is a property of the threshold tests on the given score: a
    bound well below ε says that *this* score does not distinguish ``D`` from
    ``D'`` more than ε allows, not that the mechanism is private. The audit
    is meant for regression tests of private estimators (is the claimed ε
    violated?) and, with a deliberately non-private mechanism, to show that a
    given score and number of runs have the power to detect a violation.

    References
    ----------
    Jagielski, Ullman & Oprea, "Auditing differentially private machine
    learning: how private is private SGD?", NeurIPS 2020.

    Examples
    --------
    Audit the Laplace mechanism on a count and a neighbouring count (one
    person more), scored by the released value itself:

    >>> import numpy as np
    >>> from statkit.privacy import LaplaceMechanism, audit_epsilon
    >>> rng = np.random.default_rng(0)
    >>> mech = LaplaceMechanism(epsilon=1.0)
    >>> runs = 20_000
    >>> on_d = mech.randomise(np.full(runs, 10.0), rng)
    >>> on_neighbour = mech.randomise(np.full(runs, 11.0), rng)
    >>> result = audit_epsilon(on_d, on_neighbour, random_state=0)
    >>> bool(0.8 < result.epsilon_lower_bound <= 1.0)
    True
    >>> result.direction, result.positive
    ('>=', 'scores_neighbour')

    Noise ten times too small is caught:

    >>> weak = LaplaceMechanism(epsilon=10.0)
    >>> on_d = weak.randomise(np.full(runs, 10.0), rng)
    >>> on_neighbour = weak.randomise(np.full(runs, 11.0), rng)
    >>> bool(audit_epsilon(on_d, on_neighbour, random_state=0).epsilon_lower_bound > 1.0)
    True
    """
    scores = _check_scores(scores, "scores")
    scores_neighbour = _check_scores(scores_neighbour, "scores_neighbour")
    confidence = float(confidence)
    rng = check_generator(random_state)
    # Four one-sided bounds (TPR, FPR, TNR, FNR) hold jointly by the union bound.
    level = 1.0 - (1.0 - confidence) / 4.0

    halves = []
    for values in (scores, scores_neighbour):
        values = rng.permutation(values)
        half = values.size // 2
        halves.append((values[:half], values[half:]))

    select = [_Side(first, 1.0 - (1.0 - confidence) / _SELECTION_STRICTNESS) for first, _ in halves]
    thresholds = np.unique(np.concatenate([first for first, _ in halves]))
    best = (-np.inf, None)
    for direction in _DIRECTIONS:
        counts = [side.count(thresholds, direction) for side in select]
        for positive in (0, 1):
            pos, neg = select[positive], select[1 - positive]
            k_pos, k_neg = counts[positive], counts[1 - positive]
            # Region vs. its complement: TPR/FPR and TNR/FNR.
            bound = np.maximum(
                _log_ratio(pos.lower[k_pos], neg.upper[k_neg]),
                _log_ratio(neg.lower[neg.n - k_neg], pos.upper[pos.n - k_pos]),
            )
            i = int(np.argmax(bound))
            if bound[i] > best[0]:
                best = (bound[i], (float(thresholds[i]), direction, positive))
    threshold, direction, positive = best[1]

    evaluate = [_Side(second, level) for _, second in halves]
    pos, neg = evaluate[positive], evaluate[1 - positive]
    k_pos = int(pos.count(threshold, direction))
    k_neg = int(neg.count(threshold, direction))
    bound = max(
        float(_log_ratio(pos.lower[k_pos], neg.upper[k_neg])),
        float(_log_ratio(neg.lower[neg.n - k_neg], pos.upper[pos.n - k_pos])),
        0.0,
    )
    tpr, fpr = k_pos / pos.n, k_neg / neg.n
    empirical = max(
        float(_log_ratio(np.float64(tpr), np.float64(fpr))),
        float(_log_ratio(np.float64(1 - fpr), np.float64(1 - tpr))),
    )
    return AuditResult(
        epsilon_lower_bound=bound,
        epsilon_empirical=empirical,
        threshold=threshold,
        direction=direction,
        positive=_SIDES[positive],
        true_positive_rate=tpr,
        false_positive_rate=fpr,
        confidence=confidence,
        n_runs=(scores.size, scores_neighbour.size),
        n_evaluation=(halves[0][1].size, halves[1][1].size),
    )
