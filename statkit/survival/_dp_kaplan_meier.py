"""An ε-differentially-private Kaplan–Meier estimator built on noisy counts.

The estimator validates, counts (:mod:`._dp_grid`), chooses its edges
(:mod:`._dp_edges`), releases the counts (:mod:`._dp_noise`) and
post-processes them (:mod:`._dp_curve`, :mod:`._dp_bootstrap`).
"""

import numbers
from typing import ClassVar

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from statkit.privacy import PrivacyAccountant
from statkit.survival._base import BaseSurvivalCurve, CurvePlotData
from statkit.survival._dp_bootstrap import bootstrap_hazards
from statkit.survival._dp_curve import (
    SMOOTHINGS,
    at_risk_at,
    curve_from_counts,
    median_time,
    survival_at,
)
from statkit.survival._dp_edges import private_grid
from statkit.survival._dp_grid import ExactCounts, coarsen, count_patients, empty_counts
from statkit.survival._dp_noise import MECHANISMS, count_noise_std, noisy_counts
from statkit.survival._input import check_survival_data, check_time_edges
from statkit.utils._validation import POSITIVE_FINITE, NumericInterval, check_generator

# Points of the dense grid on which a private curve (smooth inside its bins) is drawn.
_DENSE_POINTS = 512
# What an accumulator holds (sensitive); a release holds none of it.
_ACCUMULATOR_STATE = ("sensitive_counts_", "_noise_rng", "_band_rng")


def _streams(random_state):
    """Independent streams for the privacy noise and for the bootstrap bands."""
    noise, bands = check_generator(random_state).spawn(2)
    return noise, bands


class DPKaplanMeier(BaseSurvivalCurve):
    """Kaplan–Meier survival curve with a proven ε-differential-privacy guarantee.

    **Neighbouring data sets** differ by adding or removing one patient. The
    only private step is discrete Laplace noise on the numbers of deaths and of
    censorings in each bin of a *public* time grid: each patient lies in one
    cell, so the L1 sensitivity is 1 and the counts are ε-DP. Everything else
    is post-processing, which costs no privacy: the risk set is the suffix sum
    of the noisy counts, hazards are actuarial ratios clipped to [0, 1] (so the
    curve is non-increasing in [0, 1]), optionally smoothed, and the curve
    assumes a constant hazard rate inside a bin. A fitted estimator holds only
    released numbers.

    The bin edges must not depend on the data unless paid for. They are, in
    order of precedence: ``time_edges``; ``n_bins`` equal bins on
    ``[0, t_max]``; or the default rule, which learns what is missing and pays
    for it out of ``epsilon`` (the split is in ``epsilon_split_``). First, 2%
    of ``epsilon`` buys a noisy patient count ``n``. With ``t_max``, the rest
    buys the counts on ``clip(round(0.8 sqrt(n ε_rest)), 4, 64)`` equal bins
    (or ``n_bins``) of ``[0, t_max]``. Without it, ``partition_share`` of
    ``epsilon`` (by default ``clip(3.2 / sqrt(n ε), 0.2, 0.35)``, more for
    small studies) buys a private partition of a public geometric grid (64
    cells per octave on ``[2^-10, 2^30]``) by PrivTree (Zhang, Xiao & Xie 2016):
    a bin is split while it holds clearly more than ``1.25 sqrt(n / ε_rest)``
    patients, so bins are narrow where the patients are and one wide bin
    covers the times after the last patient; its cost does not depend on the
    depth, and it needs no horizon. Bins narrower than two octaves are then
    halved, and the rest of ``epsilon`` buys the counts. Learned edges are
    snapped to the public grid.
    A time beyond the last edge counts as censored at the last edge.

    ``fit`` counts and releases at once. For shards, ``partial_fit`` and
    ``merge`` accumulate exact counts in ``sensitive_counts_`` (never publish
    such an accumulator), and each :meth:`release` returns a new estimator that
    holds only the released numbers.

    Parameters
    ----------
    epsilon : float, default=1.0
        Total privacy loss of one release, finite and > 0.
    t_max : float, default=None
        A public follow-up horizon; the grid covers ``[0, t_max]``.
    n_bins : int, default=None
        Number of equal bins on ``[0, t_max]``; needs ``t_max``.
    time_edges : array-like, default=None
        Public, strictly increasing bin edges; 0 is prepended if missing.
        Overrides ``t_max`` and ``n_bins``.
    mechanism : {"flat", "tree"}, default="flat"
        ``"flat"`` adds noise to every count; ``"tree"`` releases a binary
        tree of partial sums (Hay et al. 2010): sums over many bins are more
        accurate, each bin's count less so (see the user guide).
    smoothing : {None, "isotonic", "tv"}, default=None
        Post-processing of the hazard rates: monotone (isotonic) or total
        variation denoising.
    partition_share : float or "auto", default="auto"
        Share of ``epsilon`` spent on the private partition when neither
        ``time_edges`` nor ``t_max`` is given, in (0, 0.5]; ``"auto"`` is
        ``clip(3.2 / sqrt(n ε), 0.2, 0.35)`` with ``n`` the noisy patient count.
    n_bootstrap : int, default=200
        Parametric bootstrap replicates for :meth:`confidence_interval`; they
        redraw the data and the privacy noise, spend no budget, and are
        computed when a band is first asked for.
    alpha : float, default=0.05
        Default level ``1 - alpha`` of :meth:`confidence_interval`.
    random_state : int, Generator or None, default=None
        Seed of the privacy noise (and, on a separate stream, of the bands).
        Leave it None for real releases: two releases with the same seed share
        their noise, and their difference reveals the data's difference.
    accountant : PrivacyAccountant, default=None
        Charged ``epsilon`` by every release, before any noise is drawn.

    Attributes
    ----------
    time_edges_ : ndarray of shape (n_bins + 1,)
        The bin edges of the release, starting at 0.
    noisy_deaths_, noisy_censored_ : ndarray of shape (n_bins,)
        The released counts (int64 for ``"flat"``, consistent floats for ``"tree"``).
    noisy_n_patients_ : int or None
        The noisy patient count the default rule bought (None with public
        edges); for the curves of :func:`fit_grouped`, the count of all groups.
    epsilon_split_ : EpsilonSplit
        The ε spent on the patient count, the partition and the bin counts.
    counts_epsilon_ : float
        The part of ``epsilon`` spent on the bin counts.
    n_at_risk_ : ndarray of shape (n_bins,)
        Estimated number at risk at the start of each bin.
    hazard_ : ndarray of shape (n_bins,)
        Conditional probability of death within each bin.
    survival_function_ : ndarray of shape (n_bins + 1,)
        Survival at ``time_edges_``.
    median_survival_time_ : float
        The first time the curve reaches 0.5 (``inf`` if it never does).
    epsilon_spent_ : float
        Total ε of the releases made so far (by this estimator or its accumulator).
    sensitive_counts_ : ExactCounts
        Only on an accumulator (after :meth:`partial_fit`): the exact counts.

    See Also
    --------
    KaplanMeier : The exact estimator.
    fit_grouped : One private curve per public group.

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
        **BaseSurvivalCurve._parameter_constraints,
        "epsilon": [POSITIVE_FINITE],
        "t_max": [POSITIVE_FINITE, None],
        "n_bins": [NumericInterval(numbers.Integral, 1, None, closed="left"), None],
        "time_edges": ["array-like", None],
        "mechanism": [StrOptions(set(MECHANISMS))],
        "smoothing": [StrOptions(set(SMOOTHINGS)), None],
        "partition_share": [
            NumericInterval(numbers.Real, 0, 0.5, closed="right"),
            StrOptions({"auto"}),
        ],
        "n_bootstrap": [NumericInterval(numbers.Integral, 0, None, closed="left")],
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
        partition_share="auto",
        n_bootstrap=200,
        alpha=0.05,
        random_state=None,
        accountant=None,
    ):
        self.epsilon = epsilon
        self.t_max = t_max
        self.n_bins = n_bins
        self.time_edges = time_edges
        self.mechanism = mechanism
        self.smoothing = smoothing
        self.partition_share = partition_share
        self.n_bootstrap = n_bootstrap
        self.alpha = alpha
        self.random_state = random_state
        self.accountant = accountant

    @_fit_context(prefer_skip_nested_validation=True)
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
            The release; it keeps no exact count.
        """
        data = check_survival_data(time, event)
        exact = count_patients(data, self._public_edges())
        noise_rng, band_rng = _streams(self.random_state)
        fitted = self._draw_release(exact, noise_rng, band_rng)
        fitted["epsilon_spent_"] = float(self.epsilon)
        for name in _ACCUMULATOR_STATE:
            self.__dict__.pop(name, None)
        return self._set(fitted)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, time, event=None):
        """Add patients to the exact counts; nothing is released, no budget is spent.

        The estimator becomes an accumulator: its ``sensitive_counts_`` hold
        exact counts. Publish only what :meth:`release` returns.

        Parameters
        ----------
        time : array-like of shape (n_samples,) or structured array
            Follow-up times, or a scikit-survival ``(event, time)`` array; may
            be empty (an empty shard).
        event : array-like of shape (n_samples,), default=None
            1/True for a death, 0/False for a censoring; None: all deaths.

        Returns
        -------
        self : DPKaplanMeier
        """
        if hasattr(self, "survival_function_"):
            raise ValueError(
                "This estimator holds a release; partial_fit counts into a fresh estimator "
                "(use sklearn.base.clone)."
            )
        data = check_survival_data(time, event, allow_empty=True)
        if not hasattr(self, "sensitive_counts_"):
            self._start_accumulator(self._public_edges())
        edges = self._accumulated_edges()
        counts = self.sensitive_counts_.counts + count_patients(data, edges).counts
        self.sensitive_counts_ = ExactCounts(edges, counts)
        return self

    def merge(self, other):
        """Add the exact counts of another accumulator with the same public grid.

        Parameters
        ----------
        other : DPKaplanMeier
            An accumulator (after :meth:`partial_fit`) of a disjoint set of patients.

        Returns
        -------
        self : DPKaplanMeier
        """
        if not isinstance(other, DPKaplanMeier):
            raise TypeError(f"other must be a DPKaplanMeier; got {type(other).__name__}.")
        if not hasattr(other, "sensitive_counts_"):
            raise ValueError("other holds no counts; call its partial_fit first.")
        if not hasattr(self, "sensitive_counts_"):
            self._validate_params()
            self._start_accumulator(self._public_edges())
        mine, theirs = self.sensitive_counts_, other.sensitive_counts_
        if not _same_edges(mine.edges, theirs.edges):
            raise ValueError("other must count on the same public time grid as this estimator.")
        self.sensitive_counts_ = ExactCounts(mine.edges, mine.counts + theirs.counts)
        return self

    def release(self):
        """Release the curve of the accumulated counts, spending ``epsilon``.

        Each call draws fresh noise and charges the accountant again (sequential
        composition); the budget is checked before anything is drawn.

        Returns
        -------
        curve : DPKaplanMeier
            A new estimator with this one's parameters that holds only the
            released numbers; this accumulator keeps its counts.
        """
        if not hasattr(self, "sensitive_counts_"):
            raise ValueError(
                "Nothing to release: call partial_fit first (fit releases at once and keeps "
                "no counts)."
            )
        self._validate_params()
        self._accumulated_edges()
        fitted = self._draw_release(self.sensitive_counts_, self._noise_rng, self._band_rng)
        self.epsilon_spent_ += float(self.epsilon)
        fitted["epsilon_spent_"] = self.epsilon_spent_
        return type(self)(**self.get_params(deep=False))._set(fitted)

    # ----------------------------------------------------------------- helpers

    def _public_edges(self):
        """The public edges, or None when the default rule must learn them."""
        if self.time_edges is not None:
            return check_time_edges(self.time_edges)
        if self.n_bins is not None and self.t_max is None:
            raise ValueError(
                f"n_bins={self.n_bins} needs a public t_max (equal bins on [0, t_max]); without "
                "t_max the default rule chooses the bins privately. Pass t_max, or drop n_bins."
            )
        if self.t_max is not None and self.n_bins is not None:
            return np.linspace(0.0, float(self.t_max), self.n_bins + 1)
        return None

    def _start_accumulator(self, edges):
        self.sensitive_counts_ = empty_counts(edges)
        self._noise_rng, self._band_rng = _streams(self.random_state)
        self.epsilon_spent_ = 0.0

    def _accumulated_edges(self):
        """The accumulator's grid, checked against the current parameters."""
        edges = self.sensitive_counts_.edges
        if not _same_edges(edges, self._public_edges()):
            raise ValueError(
                "time_edges, t_max or n_bins changed since the first partial_fit; the counts "
                "are on the grid of that call."
            )
        return edges

    def _set(self, attributes):
        for name, value in attributes.items():
            setattr(self, name, value)
        return self

    def _learn_grid(self, exact, rng):
        """The edges of a release by this estimator's rule (a :class:`~._dp_edges.PrivateGrid`)."""
        return private_grid(
            exact,
            self.epsilon,
            t_max=self.t_max,
            n_bins=self.n_bins,
            partition_share=self.partition_share,
            rng=rng,
        )

    def _draw_release(self, exact, noise_rng, band_rng, grid=None):
        """Charge the accountant, draw the noise, post-process: the attributes of a release.

        With ``grid`` (a :class:`~._dp_edges.PrivateGrid` learned and paid for
        elsewhere, as :func:`fit_grouped` learns one for all arms), the fine
        counts are binned on its edges and only its counts' ε is drawn; the
        caller has charged the accountant.
        """
        if grid is None:
            if self.accountant is not None:
                self.accountant.spend(self.epsilon, label=f"{type(self).__name__} release")
            grid = self._learn_grid(exact, noise_rng)
        else:
            grid = grid._replace(exact=coarsen(exact.counts, grid.edges))
        epsilon = grid.split.counts
        noisy = noisy_counts(grid.exact, self.mechanism, epsilon, noise_rng)
        noise_sd = count_noise_std(self.mechanism, grid.edges.size - 1, epsilon)
        at_risk, hazard = curve_from_counts(noisy, grid.edges, noise_sd, self.smoothing)
        return {
            "time_edges_": grid.edges,
            "noisy_deaths_": noisy.deaths,
            "noisy_censored_": noisy.censored,
            "noisy_n_patients_": grid.noisy_n_patients,
            "epsilon_split_": grid.split,
            "counts_epsilon_": epsilon,
            "n_at_risk_": at_risk,
            "hazard_": hazard,
            "survival_function_": np.r_[1.0, np.cumprod(1.0 - hazard)],
            "median_survival_time_": median_time(grid.edges, hazard),
            "_band_seed": int(band_rng.integers(2**63)),
            "_band_size": int(self.n_bootstrap),
            "_bootstrap_hazards": None,
        }

    # ----------------------------------------------------------------- outputs

    @property
    def bootstrap_hazards_(self):
        """ndarray of shape (n_bootstrap, n_bins): hazards of the bootstrap replicates.

        Computed when first asked for, from the release and its own stream,
        with the ``n_bootstrap`` of the release.
        """
        check_is_fitted(self, "survival_function_")
        if self._bootstrap_hazards is None:
            self._bootstrap_hazards = bootstrap_hazards(
                self.time_edges_,
                self.n_at_risk_,
                self.hazard_,
                self.noisy_censored_,
                mechanism=self.mechanism,
                epsilon=self.counts_epsilon_,
                smoothing=self.smoothing,
                n_replicates=self._band_size,
                rng=np.random.default_rng(self._band_seed),
            )
        return self._bootstrap_hazards

    def _survival_at(self, times):
        return survival_at(times, self.time_edges_, self.hazard_)

    def _interval_at(self, times, alpha):
        replicates = self.bootstrap_hazards_
        if replicates.shape[0] == 0:
            raise ValueError("confidence_interval needs a release with n_bootstrap > 0.")
        curves = survival_at(times, self.time_edges_, replicates)
        return np.quantile(curves, [alpha / 2, 1 - alpha / 2], axis=0)

    def _at_risk_at(self, times):
        return at_risk_at(times, self.time_edges_, self.n_at_risk_)

    def _plot_data(self, ci, alpha, show_censors):
        # A smooth curve on a dense grid, no censor marks (censoring times are
        # private), and the noisy risk set rounded to whole patients.
        edges = self.time_edges_
        times = np.union1d(np.linspace(0.0, edges[-1], _DENSE_POINTS), edges)
        lower = upper = None
        if ci:
            if self._band_size == 0:
                raise ValueError(
                    "ci=True needs the bootstrap replicates of the estimator; its release had "
                    "n_bootstrap=0. Pass ci=False, or release with n_bootstrap > 0."
                )
            lower, upper = self.confidence_interval(times, alpha=alpha)
        return CurvePlotData(
            times=times,
            survival=self.predict(times),
            lower=lower,
            upper=upper,
            censor_times=None,
            censor_survival=None,
            step=False,
            name=f"{type(self).__name__} (ε = {self.epsilon:g})",
            at_risk=lambda at: np.rint(self.at_risk(at)),
            at_risk_label="at risk (noisy)",
        )


def _same_edges(a, b):
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a, b)
