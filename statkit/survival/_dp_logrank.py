"""A private log-rank test: post-processing of per-arm releases, with a bootstrap p-value.

The statistic is the log-rank chi-square computed from the released noisy
counts only, so it costs no privacy. Its null law is not chi-square: the
privacy noise adds variance to the observed minus expected deaths, which the
plug-in formula ignores. The p-value therefore comes from a parametric
bootstrap under the null hypothesis that redraws both the data and the noise
(:func:`simulate_null`).
"""

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from statkit.survival._dp_bootstrap import simulate_cohorts
from statkit.survival._dp_grid import Counts
from statkit.survival._dp_kaplan_meier import DPKaplanMeier
from statkit.survival._dp_noise import noisy_counts
from statkit.survival._event_table import number_at_risk
from statkit.survival._logrank import LogrankResult, logrank_statistic
from statkit.utils._validation import OPEN_UNIT_INTERVAL, check_generator


@dataclass(frozen=True, eq=False)
class DPLogrankResult(LogrankResult):
    """The result of :func:`dp_logrank_test`: a :class:`LogrankResult` with its level.

    Parameters
    ----------
    statistic : float
        The log-rank chi-square computed from the released counts.
    p_value : float
        Its parametric-bootstrap p-value under the null hypothesis (data and
        privacy noise redrawn), ``(1 + #{null >= statistic}) / (n_resamples + 1)``.
    degrees_of_freedom : int
        The number of arms minus one.
    observed, expected : ndarray of shape (n_arms,)
        Released deaths per arm and the deaths expected if all arms had the
        same hazard, both from the noisy counts.
    groups : ndarray of shape (n_arms,)
        The arm labels, in the order of ``observed`` and ``expected``.
    alpha : float
        The level of the test.
    rejected : bool
        Whether ``p_value < alpha``.
    null_statistics : ndarray of shape (n_resamples,)
        The statistic of each bootstrap replicate under the null.
    """

    alpha: float
    rejected: bool
    null_statistics: np.ndarray


@validate_params(
    {
        "curves": [Mapping, list, tuple],
        "alpha": [OPEN_UNIT_INTERVAL],
        "n_resamples": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def dp_logrank_test(curves, *, alpha=0.05, n_resamples=999, random_state=None):
    """Log-rank test on private per-arm releases, with a p-value that counts the noise.

    The statistic is the k-sample log-rank chi-square on the bins of the
    releases: deaths are the released noisy deaths (negative values read as
    0), the number at risk in a bin is the suffix sum of the released deaths
    and censorings, and censorings in a bin are at risk through it. With no
    noise it equals :func:`logrank_test` on the times coarsened to the bins.
    It uses released numbers only: no budget is spent, nothing is charged.

    The privacy noise inflates the statistic, so a chi-square p-value would
    reject a true null far too often. The p-value is instead a parametric
    bootstrap under the null: ``n_resamples`` data sets are drawn with one
    hazard for all arms (pooled from the releases), each arm keeping its
    released size and censoring pattern; their counts get fresh noise of the
    law of each arm's release; and the statistic is recomputed.

    Parameters
    ----------
    curves : dict or sequence of DPKaplanMeier
        The released curve of each arm (label -> release, as returned by
        :func:`fit_grouped`; a sequence is labelled 0, 1, ...). All must be
        releases on the same edges with the same mechanism, as those of one
        :func:`fit_grouped` call are.
    alpha : float, default=0.05
        Level of the test, in (0, 1).
    n_resamples : int, default=999
        Bootstrap replicates under the null.
    random_state : int, Generator or None, default=None
        Seed of the bootstrap (it draws simulation noise, not privacy noise).

    Returns
    -------
    result : DPLogrankResult
        ``statistic``, ``p_value``, ``rejected`` and per arm the released
        ``observed`` and the ``expected`` deaths.

    See Also
    --------
    logrank_test : The exact test on the patients' data.
    fit_grouped : One private curve per arm.

    Examples
    --------
    >>> from statkit.datasets import load_lung
    >>> from statkit.survival import DPKaplanMeier, dp_logrank_test, fit_grouped
    >>> lung = load_lung()
    >>> sex = lung.data[:, lung.feature_names.index("sex")]
    >>> template = DPKaplanMeier(2.0, t_max=1100, n_bins=12, random_state=0)
    >>> curves = fit_grouped(template, lung.time, lung.event, groups=sex, labels=[1, 2])
    >>> result = dp_logrank_test(curves, random_state=0)
    >>> result.degrees_of_freedom, bool(result.p_value < 0.05)
    (1, True)
    """
    labels, releases = _check_releases(curves)
    deaths, censored = _released_counts(releases)
    statistic, observed, expected = counts_statistic(deaths, censored)
    null = simulate_null(releases, n_resamples, check_generator(random_state))
    null_statistics = counts_statistic(*null)[0]
    p_value = (1 + np.count_nonzero(null_statistics >= statistic * (1 - 1e-12))) / (n_resamples + 1)
    return DPLogrankResult(
        statistic=float(statistic),
        p_value=float(p_value),
        degrees_of_freedom=len(releases) - 1,
        observed=observed,
        expected=expected,
        groups=labels,
        alpha=float(alpha),
        rejected=bool(p_value < alpha),
        null_statistics=null_statistics,
    )


def counts_statistic(deaths, censored):
    """Log-rank chi-square from counts of shape (..., n_arms, n_bins): (statistic, O, E)."""
    at_risk = number_at_risk(deaths + censored)
    return logrank_statistic(np.swapaxes(at_risk, -1, -2), np.swapaxes(deaths, -1, -2))


def simulate_null(releases, n_resamples, rng):
    """Noisy counts of ``n_resamples`` data sets drawn under the null hypothesis.

    One hazard per bin for all arms, pooled from the released counts; each arm
    starts with its released number of patients and is censored, among those
    alive after a bin's deaths, at its released rate
    (:func:`~._dp_bootstrap.simulate_cohorts`). Each arm's counts then get
    noise of its release's law.

    Returns
    -------
    deaths, censored : ndarray of shape (n_resamples, n_arms, n_bins)
    """
    deaths, censored = _released_counts(releases)
    at_risk = number_at_risk(deaths + censored)
    pooled_at_risk = at_risk.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(pooled_at_risk > 0, deaths.sum(axis=0) / pooled_at_risk, 0.0)
        leave = np.where(at_risk > deaths, censored / (at_risk - deaths), 1.0)
    hazard, leave = np.clip(hazard, 0.0, 1.0), np.clip(leave, 0.0, 1.0)
    start = np.broadcast_to(np.rint(at_risk[:, 0]).astype(np.int64), (n_resamples, len(releases)))
    simulated = simulate_cohorts(start, hazard, leave, rng)
    noisy = [
        noisy_counts(
            Counts(simulated.deaths[:, g], simulated.censored[:, g]),
            release.mechanism,
            release.counts_epsilon_,
            rng,
            simulate=True,
        )
        for g, release in enumerate(releases)
    ]
    deaths = np.stack([np.maximum(c.deaths, 0.0) for c in noisy], axis=1)
    censored = np.stack([np.maximum(c.censored, 0.0) for c in noisy], axis=1)
    return deaths, censored


def _released_counts(releases):
    """Released deaths and censorings, negative values read as 0: (n_arms, n_bins) each."""
    deaths = np.stack([np.maximum(r.noisy_deaths_, 0.0) for r in releases])
    censored = np.stack([np.maximum(r.noisy_censored_, 0.0) for r in releases])
    return deaths, censored


def _check_releases(curves):
    if isinstance(curves, Mapping):
        labels, releases = list(curves), list(curves.values())
    else:
        labels, releases = list(range(len(curves))), list(curves)
    if len(releases) < 2:
        raise ValueError(
            f"curves must hold the releases of at least two arms; got {len(releases)}."
        )
    for label, release in zip(labels, releases, strict=True):
        if not isinstance(release, DPKaplanMeier):
            raise TypeError(
                f"curves[{label!r}] must be a released DPKaplanMeier; got {type(release).__name__}."
            )
        check_is_fitted(release, "survival_function_")
    first = releases[0]
    for label, release in zip(labels[1:], releases[1:], strict=True):
        if not np.array_equal(release.time_edges_, first.time_edges_):
            raise ValueError(
                f"curves[{label!r}] was released on other edges than curves[{labels[0]!r}]; "
                "the arms must share one grid: release them with one fit_grouped call, or on "
                "public edges (time_edges, or t_max with n_bins)."
            )
        if release.mechanism != first.mechanism:
            raise ValueError(
                f"curves[{label!r}] was released with mechanism={release.mechanism!r}, "
                f"curves[{labels[0]!r}] with {first.mechanism!r}; use one mechanism for all arms."
            )
    deaths, censored = _released_counts(releases)
    empty = [
        label
        for label, total in zip(labels, (deaths + censored).sum(axis=1), strict=True)
        if total < 1
    ]
    if empty:
        raise ValueError(
            f"The release of arm {empty[0]!r} counts no patients (its noisy counts sum to less "
            "than 1); a test needs patients in every arm."
        )
    return np.asarray(labels), releases
