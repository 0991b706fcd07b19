"""An ε-differentially-private Kaplan–Meier estimator built on noisy counts."""

import math
import numbers
import warnings
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from statkit.privacy import PrivacyAccountant
from statkit.survival import _dp_histogram as hist
from statkit.survival._input import check_alpha, check_survival_data, check_times
from statkit.utils import (
    check_consistent_length,
    check_generator,
    check_positive_scalar,
    validate_array,
)

_PRIVATE_STATE = ("_deaths", "_censored", "_edges", "_rng")


class DPKaplanMeier(BaseEstimator):
    """Kaplan–Meier survival curve with a proven ε-differential-privacy guarantee.

    **Neighbouring data sets** differ by adding or removing one patient. The
    only private step is discrete Laplace noise on the numbers of deaths and of
    censorings in each bin of a *public* time grid: each patient lies in one
    cell, so the L1 sensitivity is 1 and the counts are ε-DP. Everything else
    is post-processing, which costs no privacy: the risk set is the suffix sum
    of the noisy counts (its noise is smallest where few patients remain),
    hazards are actuarial ratios clipped to [0, 1] (so the curve is
    non-increasing in [0, 1]), optionally smoothed, and the curve assumes a
    constant hazard rate inside a bin.

    The bin edges must not depend on the data unless paid for. They are, in
    order of precedence: ``time_edges``; ``n_bins`` equal bins on
    ``[0, t_max]``; or the default rule, which learns what is missing and pays
    for it out of ``epsilon``. First, 2% of ``epsilon`` buys a noisy patient
    count ``n``. Without ``t_max``, a private horizon follows: twice the time
    at which the number of patients still followed drops below
    ``k = 2 (log 321 + 6) / ε_h``, chosen by the exponential mechanism on a
    public geometric grid, where ``ε_h`` is ``horizon_share * epsilon``,
    raised for small studies until ``k <= n / 8`` but never above
    ``epsilon / 2`` (it warns when even that leaves ``k > n / 2``). The rest
    buys the counts, on ``clip(round(0.8 sqrt(n ε_rest)), 4, 64)`` bins unless
    ``n_bins`` is given (the constant was tuned on simulated Weibull data). A
    learned grid is snapped to the public grid of 64 cells per octave on
    ``[2^-10, 2^30]``. Passing the study's follow-up as ``t_max`` is always
    more accurate.
    A time beyond the last edge counts as censored at the last edge.

    Parameters
    ----------
    epsilon : float, default=1.0
        Total privacy loss of one release, finite and > 0.
    t_max : float, default=None
        A public follow-up horizon; the grid covers ``[0, t_max]``.
    n_bins : int, default=None
        Number of equal bins on ``[0, t_max]`` (or on the private horizon).
    time_edges : array-like, default=None
        Public, strictly increasing bin edges; 0 is prepended if missing.
        Overrides ``t_max`` and ``n_bins``.
    mechanism : {"flat", "tree"}, default="flat"
        ``"flat"`` adds noise to every count; ``"tree"`` releases a binary
        tree of partial sums (Hay et al. 2010): sums over many bins are more
        accurate, each bin's count less so. It lost to ``"flat"`` in every
        measurement so far (up to 1,024 bins; see the user guide).
    smoothing : {None, "isotonic", "tv"}, default=None
        Post-processing of the hazard rates: monotone (isotonic) or total
        variation denoising.
    horizon_share : float, default=0.1
        Least share of ``epsilon`` spent on the horizon when ``t_max`` is not
        given (more for small studies, see above).
    n_bootstrap : int, default=200
        Parametric bootstrap replicates for :meth:`confidence_interval`; they
        redraw the data and the privacy noise and spend no budget.
    random_state : int, Generator or None, default=None
        Seed of the privacy noise. Leave it None for real releases: two
        releases with the same seed share their noise, and their difference
        reveals the data's difference.
    accountant : PrivacyAccountant, default=None
        Charged ``epsilon`` by every release, before any noise is drawn.

    Attributes
    ----------
    time_edges_ : ndarray of shape (n_bins + 1,)
        The bin edges of the release, starting at 0.
    noisy_deaths_, noisy_censored_ : ndarray of shape (n_bins,)
        The released counts (int64 for ``"flat"``, consistent floats for ``"tree"``).
    n_at_risk_ : ndarray of shape (n_bins,)
        Estimated number at risk at the start of each bin.
    hazard_ : ndarray of shape (n_bins,)
        Conditional probability of death within each bin.
    survival_function_ : ndarray of shape (n_bins + 1,)
        Survival at ``time_edges_``.
    counts_epsilon_ : float
        The part of ``epsilon`` spent on the counts.
    epsilon_spent_ : float
        Total ε of all releases made by this estimator.
    median_survival_time_ : float
        The first time the curve reaches 0.5 (``inf`` if it never does).

    See Also
    --------
    KaplanMeier : The exact estimator.

    References
    ----------
    Rahimian, Kerkouche, Kurth & Fritz, "Private and collaborative Kaplan-Meier
    estimators", 2023 (DP-Matrix). Veeraragavan, Karimireddy & Nygård,
    arXiv:2412.05164, 2024 (time-indexed noise, here done so it is ε-DP).

    Examples
    --------
    >>> from statkit.datasets import load_lung
    >>> from statkit.survival import DPKaplanMeier
    >>> lung = load_lung()
    >>> km = DPKaplanMeier(epsilon=1.0, t_max=1100, random_state=0)
    >>> km = km.fit(lung.time, lung.event)
    >>> km.time_edges_[-1] > 1000  # the public horizon, snapped to the grid
    np.True_
    >>> s = km.predict([0, 365])
    >>> bool(s[0] == 1.0 and 0 < s[1] < 1)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "t_max": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "n_bins": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "time_edges": ["array-like", None],
        "mechanism": [StrOptions({"flat", "tree"})],
        "smoothing": [StrOptions({"isotonic", "tv"}), None],
        "horizon_share": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_bootstrap": [Interval(numbers.Integral, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
        "accountant": [PrivacyAccountant, None],
    }

    def __init__(
        self,
        epsilon=1.0,
        *,
        t_max=None,
        n_bins=None,
        time_edges=None,
        mechanism="flat",
        smoothing=None,
        horizon_share=0.1,
        n_bootstrap=200,
        random_state=None,
        accountant=None,
    ):
        self.epsilon = epsilon
        self.t_max = t_max
        self.n_bins = n_bins
        self.time_edges = time_edges
        self.mechanism = mechanism
        self.smoothing = smoothing
        self.horizon_share = horizon_share
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.accountant = accountant

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags._skip_test = True  # fit(time, event); API checks in tests/test_common.py
        return tags

    # ------------------------------------------------------------------ counts

    def _public_edges(self):
        """The public edges, or None when the default rule must learn them."""
        if self.time_edges is not None:
            edges = validate_array(self.time_edges, "time_edges", ndim=1)
            if edges[0] < 0:
                raise ValueError(f"time_edges must be non-negative; got {float(edges[0])!r} first.")
            if edges[0] > 0:
                edges = np.r_[0.0, edges]
            if edges.size < 2 or np.any(np.diff(edges) <= 0):
                raise ValueError("time_edges must be strictly increasing with at least one bin.")
            return edges.astype(np.float64)
        if self.t_max is not None and self.n_bins is not None:
            return np.linspace(0.0, float(self.t_max), self.n_bins + 1)
        return None

    def _check_params(self):
        self._validate_params()
        check_positive_scalar(self.epsilon, "epsilon")  # also rejects inf
        if self.t_max is not None:
            check_positive_scalar(self.t_max, "t_max")

    def _new_state(self):
        """Empty exact counts on the public grid (the fine grid when edges are learned)."""
        self._check_params()
        edges = self._public_edges()
        size = hist.N_FINE if edges is None else edges.size - 1
        return {
            "_edges": edges,
            "_deaths": np.zeros(size, np.int64),
            "_censored": np.zeros(size, np.int64),
            "_rng": check_generator(self.random_state),
        }

    @staticmethod
    def _add_counts(state, data):
        if state["_edges"] is None:
            deaths, censored = hist.fine_counts(data.time, data.event)
        else:
            deaths, censored = hist.bin_counts(data.time, data.event, state["_edges"])
        state["_deaths"] = state["_deaths"] + deaths
        state["_censored"] = state["_censored"] + censored
        return state

    def _assign(self, attributes):
        for name, value in attributes.items():
            setattr(self, name, value)
        return self

    def _state(self):
        if not hasattr(self, "_deaths"):
            return self._new_state()
        return {name: getattr(self, name) for name in _PRIVATE_STATE}

    def partial_fit(self, time, event=None):
        """Add patients to the exact counts; nothing is released, no budget is spent.

        Call :meth:`release` to publish the curve.

        Parameters
        ----------
        time : array-like of shape (n_samples,) or structured array
            Follow-up times, or a scikit-survival ``(event, time)`` array.
        event : array-like of shape (n_samples,), default=None
            1/True for a death, 0/False for a censoring; None: all deaths.

        Returns
        -------
        self : DPKaplanMeier
        """
        return self._assign(self._add_counts(self._state(), check_survival_data(time, event)))

    def merge(self, other):
        """Add the exact counts of another estimator with the same public grid.

        Parameters
        ----------
        other : DPKaplanMeier
            Fitted or partially fitted on a disjoint set of patients (a shard).

        Returns
        -------
        self : DPKaplanMeier
        """
        if not isinstance(other, DPKaplanMeier):
            raise TypeError(f"other must be a DPKaplanMeier; got {type(other).__name__}.")
        if not hasattr(other, "_deaths"):
            raise ValueError("other holds no counts; call its partial_fit first.")
        state = self._state()
        mine, theirs = state["_edges"], other._edges
        same = (mine is None and theirs is None) or (
            mine is not None and theirs is not None and np.array_equal(mine, theirs)
        )
        if not same:
            raise ValueError("other must count on the same public time grid as this estimator.")
        state["_deaths"] = state["_deaths"] + other._deaths
        state["_censored"] = state["_censored"] + other._censored
        return self._assign(state)

    # ----------------------------------------------------------------- release

    def fit(self, time, event=None):
        """Count the patients and release their private survival curve.

        Parameters
        ----------
        time : array-like of shape (n_samples,) or structured array
            Follow-up times, or a scikit-survival ``(event, time)`` array.
        event : array-like of shape (n_samples,), default=None
            1/True for a death, 0/False for a censoring; None: all deaths.

        Returns
        -------
        self : DPKaplanMeier
        """
        data = check_survival_data(time, event)
        state = self._add_counts(self._new_state(), data)
        fitted = self._spend_and_release(state, spent=0.0)
        return self._assign({**state, **fitted})

    def release(self):
        """Release the curve of the counts accumulated so far, spending ``epsilon``.

        Each call draws fresh noise and charges the accountant again (sequential
        composition); the budget is checked before anything is drawn.

        Returns
        -------
        self : DPKaplanMeier
        """
        if not hasattr(self, "_deaths"):
            raise ValueError("Nothing to release: call fit or partial_fit first.")
        self._check_params()
        spent = getattr(self, "epsilon_spent_", 0.0)
        return self._assign(self._spend_and_release(self._state(), spent))

    def _spend_and_release(self, state, spent):
        if self.accountant is not None:
            self.accountant.spend(self.epsilon, label=f"{type(self).__name__} release")
        fitted = self._release(state)
        fitted["epsilon_spent_"] = spent + self.epsilon
        return fitted

    def _grid(self, state, rng):
        """Bin edges, exact bin counts and the ε left for the counts.

        Learns privately what is not public: a noisy patient count, then the
        horizon (with the share :func:`~statkit.survival._dp_histogram.horizon_epsilon`
        chosen from that count) and the number of bins.
        """
        if state["_edges"] is not None:
            return state["_edges"], state["_deaths"], state["_censored"], float(self.epsilon)
        deaths, censored = state["_deaths"], state["_censored"]
        count_epsilon = hist.COUNT_SHARE * self.epsilon
        n_hat = hist.private_count(deaths.sum() + censored.sum(), count_epsilon, rng)
        left = self.epsilon - count_epsilon
        if self.t_max is None:
            horizon_epsilon = hist.horizon_epsilon(n_hat, self.epsilon, self.horizon_share)
            if hist.horizon_target(horizon_epsilon) > n_hat / 2:
                warnings.warn(
                    f"The private horizon is unreliable with about {max(n_hat, 0)} patients at "
                    f"epsilon={self.epsilon}: pass a public t_max (the study's follow-up).",
                    UserWarning,
                    stacklevel=5,
                )
            horizon = hist.private_horizon(deaths + censored, horizon_epsilon, rng)
            left -= horizon_epsilon
        else:
            horizon = float(self.t_max)
        n_bins = self.n_bins or hist.default_n_bins(n_hat, left)
        # Snap equal-width edges to the fine grid, so bins are unions of fine cells.
        lower = hist.fine_lower_edges()
        target = np.linspace(0.0, horizon, n_bins + 1)
        edges = np.unique(lower[np.abs(lower[:, None] - target).argmin(axis=0)])
        if edges.size < 2:
            edges = lower[:2]
        beyond = lower >= edges[-1]  # cells past the last edge count as censored there
        cell_to_bin = np.clip(np.searchsorted(edges, lower, side="right") - 1, 0, edges.size - 2)
        n_out = edges.size - 1
        deaths_b = hist.merge_cells(np.where(beyond, 0, deaths), cell_to_bin, n_out)
        censored_b = hist.merge_cells(censored + np.where(beyond, deaths, 0), cell_to_bin, n_out)
        return edges, deaths_b, censored_b, left

    def _release(self, state):
        """Draw the noise and post-process: the fitted attributes of one release."""
        rng = state["_rng"]
        edges, deaths, censored, counts_epsilon = self._grid(state, rng)
        release = hist.flat_release if self.mechanism == "flat" else hist.tree_release
        noisy_deaths, noisy_censored = release(deaths, censored, counts_epsilon, rng)
        at_risk, hazard = self._post_process(noisy_deaths, noisy_censored, edges, counts_epsilon)
        survival = np.r_[1.0, np.cumprod(1.0 - hazard)]
        return {
            "time_edges_": edges,
            "noisy_deaths_": noisy_deaths,
            "noisy_censored_": noisy_censored,
            "n_at_risk_": at_risk,
            "hazard_": hazard,
            "survival_function_": survival,
            "counts_epsilon_": counts_epsilon,
            "bootstrap_hazards_": self._bootstrap(
                at_risk, hazard, noisy_censored, edges, counts_epsilon, rng
            ),
            "median_survival_time_": _median(edges, hazard, survival),
        }

    def _noise_sd(self, n_bins, counts_epsilon):
        # A tree leaf is averaged from log-many nodes; its sd is roughly that of one node.
        levels = hist.tree_levels(n_bins) if self.mechanism == "tree" else 1
        alpha = math.exp(-counts_epsilon / levels)
        return math.sqrt(2 * alpha) / (1 - alpha)

    def _post_process(self, noisy_deaths, noisy_censored, edges, counts_epsilon):
        at_risk, hazard = hist.hazards_from_counts(noisy_deaths, noisy_censored)
        noise_sd = self._noise_sd(edges.size - 1, counts_epsilon)
        hazard = hist.smooth_hazards(hazard, at_risk, np.diff(edges), noise_sd, self.smoothing)
        return at_risk, hazard

    def _bootstrap(self, at_risk, hazard, noisy_censored, edges, counts_epsilon, rng):
        """Hazards of ``n_bootstrap`` data sets drawn from the fitted model, noised again."""
        replicates = self.n_bootstrap
        if replicates == 0:
            return np.empty((0, hazard.size))
        boot_rng = np.random.default_rng(rng.integers(2**63))  # post-processing only
        n = np.full(replicates, max(round(at_risk[0]), 0), dtype=np.int64)
        censored = np.maximum(noisy_censored, 0.0)
        leave = np.minimum(censored / np.maximum(at_risk - censored / 2, 1.0), 1.0)
        deaths_b = np.empty((replicates, hazard.size), np.int64)
        censored_b = np.empty_like(deaths_b)
        for j in range(hazard.size):
            deaths_b[:, j] = boot_rng.binomial(n, hazard[j])
            if j == hazard.size - 1:
                censored_b[:, j] = n - deaths_b[:, j]
            else:
                censored_b[:, j] = boot_rng.binomial(n - deaths_b[:, j], leave[j])
            n = n - deaths_b[:, j] - censored_b[:, j]
        release = hist.flat_release if self.mechanism == "flat" else hist.tree_release
        noisy = release(deaths_b, censored_b, counts_epsilon, boot_rng)
        return self._post_process(*noisy, edges, counts_epsilon)[1]

    # ----------------------------------------------------------------- outputs

    def _times(self, times):
        check_is_fitted(self, "hazard_")
        return check_times(times)

    def predict(self, times):
        """Private survival probability S(t) at each time.

        Parameters
        ----------
        times : float or array-like of shape (n_times,)
            Times (1 before 0, flat beyond the last edge).

        Returns
        -------
        survival : ndarray of shape (n_times,)
        """
        times = self._times(times)
        return hist.survival_at(times, self.time_edges_, self.hazard_)

    def confidence_interval(self, times, alpha=0.05):
        """Pointwise bootstrap interval that includes the privacy noise.

        Percentiles of ``n_bootstrap`` curves, each from a data set drawn from
        the fitted model with fresh privacy noise: it covers both the sampling
        and the privacy error and spends no budget.

        Parameters
        ----------
        times : float or array-like of shape (n_times,)
            Times.
        alpha : float, default=0.05
            One minus the coverage.

        Returns
        -------
        interval : ndarray of shape (2, n_times)
            Lower and upper bounds.
        """
        times = self._times(times)
        alpha = check_alpha(alpha)
        if self.bootstrap_hazards_.shape[0] == 0:
            raise ValueError("confidence_interval needs a release with n_bootstrap > 0.")
        curves = hist.survival_at(times, self.time_edges_, self.bootstrap_hazards_)
        return np.quantile(curves, [alpha / 2, 1 - alpha / 2], axis=0)

    def at_risk(self, times):
        """Estimated number at risk at each time.

        The post-processed risk set, interpolated linearly inside a bin; 0
        beyond the last edge, where every remaining patient counts as censored.

        Parameters
        ----------
        times : float or array-like of shape (n_times,)
            Times.

        Returns
        -------
        n_at_risk : ndarray of shape (n_times,)
        """
        times = self._times(times)
        edges = self.time_edges_
        at_edges = np.r_[self.n_at_risk_, 0.0]
        return np.where(times > edges[-1], 0.0, np.interp(times, edges, at_edges))


def _median(edges, hazard, survival):
    """First time the curve reaches 0.5, inside the bin where it crosses."""
    below = np.flatnonzero(survival <= 0.5)
    if below.size == 0:
        return math.inf
    j = below[0] - 1
    if hazard[j] >= 1:
        return float(edges[j])
    fraction = math.log(0.5 / survival[j]) / math.log1p(-hazard[j])
    return float(edges[j] + (edges[j + 1] - edges[j]) * fraction)


def fit_grouped(estimator, time, event=None, *, groups, labels):
    """One private curve per group, charged by parallel composition.

    The groups are disjoint, so releasing one curve per group costs
    ``estimator.epsilon`` once. ``labels`` must be public (e.g. the trial's
    arms): every label gets a curve, even a group with no patients, so the
    output reveals nothing about which groups occur.

    Parameters
    ----------
    estimator : DPKaplanMeier
        The unfitted template; its accountant, if any, is charged once.
    time : array-like of shape (n_samples,)
        Follow-up times.
    event : array-like of shape (n_samples,), default=None
        1/True for a death, 0/False for a censoring; None: all deaths.
    groups : array-like of shape (n_samples,)
        The group of each patient.
    labels : sequence
        The public group labels.

    Returns
    -------
    curves : dict
        Label -> fitted clone of ``estimator``.

    Examples
    --------
    >>> from statkit.datasets import load_lung
    >>> from statkit.survival import DPKaplanMeier, fit_grouped
    >>> lung = load_lung()
    >>> curves = fit_grouped(DPKaplanMeier(1.0, t_max=1100, random_state=0),
    ...                      lung.time, lung.event, groups=lung.data[:, 2], labels=[1, 2])
    >>> sorted(curves)
    [1, 2]
    """
    data = check_survival_data(time, event)
    groups = np.asarray(groups)
    check_consistent_length(time=data.time, groups=groups)
    labels = list(labels)
    if len(set(labels)) != len(labels) or not labels:
        raise ValueError("labels must be a non-empty sequence of distinct public group labels.")
    unknown = ~np.isin(groups, labels)
    if unknown.any():
        raise ValueError(f"groups holds a label not in labels: {groups[unknown][0].item()!r}.")
    accountant = estimator.accountant
    block = accountant.parallel(label="fit_grouped") if accountant is not None else None
    streams = check_generator(estimator.random_state).spawn(len(labels))
    curves = {}
    for label, stream in zip(labels, streams, strict=True):
        curve = clone(estimator).set_params(accountant=None, random_state=stream)
        # An empty group is released too: which groups occur is not revealed.
        curve._assign(curve._add_counts(curve._new_state(), _subset(data, groups == label)))
        if block is not None:
            block.spend(curve.epsilon, group=label, label=f"DPKaplanMeier group {label!r}")
        curve.release()
        curve.set_params(accountant=accountant)
        curves[label] = curve
    return curves


def _subset(data, mask):
    return type(data)(data.time[mask], data.event[mask])
