"""Reconstruction of the DP Kaplan–Meier of Veeraragavan et al. (2024): NOT differentially private.

Veeraragavan, Karimireddy & Nygård, "A Differentially Private Kaplan-Meier
Estimator for Privacy-Preserving Survival Analysis", arXiv:2412.05164. The full
text could not be obtained; this follows the reconstruction in
``shared/specs/dp_kaplan_meier.md`` §1b (built from the abstract and from the
authors' public follow-up code), with every uncertain choice a parameter:

1. ``S_i`` = the exact Kaplan–Meier curve on a grid ``t_1 < … < t_T`` (by
   default the data's distinct event times, which publishes them);
2. ``x_i = S_i + Laplace(0, b_i)`` with ``b_i = Δ_i / ε_i``: ``Δ_i = 1 / n_i``
   (``n_i`` the number at risk, a *local*, data-dependent sensitivity) and
   ``ε_i = ε`` on every point (variant A, no composition) or ``ε / T``
   (variant B, sequential composition);
3. "dynamic clipping" ``y_i = min(max(x_i, 0), y_{i-1})``, ``y_0 = 1``;
4. a centred moving average of window ``w`` (default 5), then clipped to
   [0, 1] and made non-increasing again; ``S(0) = 1``.

**This is not ε-differentially private** (spec §1c): the noise scale depends on
the data, and variant A spends ε on each of ``T`` coordinates without
composing them. It lives in ``benchmarks/`` as a comparison row and as the
negative control of the privacy audit, never in the library.
"""

from dataclasses import dataclass

import numpy as np

NOT_DIFFERENTIALLY_PRIVATE = True

VARIANTS = {"A": "per_point", "B": "sequential"}
_SCALE_RULES = ("inverse_at_risk", "linear", "constant")
_CLIP_RULES = ("dynamic", "unit", "none")
_SMOOTHERS = ("moving_average", None)


def moving_average(values, window):
    """Centred moving average along the last axis; the window is truncated at the ends."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[-1]
    left = (window - 1) // 2
    right = window - 1 - left
    cumulative = np.concatenate(
        [np.zeros((*values.shape[:-1], 1)), np.cumsum(values, axis=-1)], axis=-1
    )
    positions = np.arange(n)
    start = np.maximum(positions - left, 0)
    stop = np.minimum(positions + right + 1, n)
    return (cumulative[..., stop] - cumulative[..., start]) / (stop - start)


@dataclass(frozen=True)
class PaperRelease:
    """Curves released by :func:`paper_dp_km`: ``survival[r, i]`` is S(``grid[i]``) in run r.

    ``grid[0] = 0`` with ``S = 1``. NOT differentially private.
    """

    grid: np.ndarray
    survival: np.ndarray
    epsilon_per_point: float

    def predict(self, times):
        """Step-function values (right-continuous) at ``times``, shape (n_repeats, n_times)."""
        index = np.searchsorted(self.grid, np.asarray(times, dtype=np.float64), "right") - 1
        return self.survival[..., np.maximum(index, 0)]


def paper_dp_km(
    time,
    event,
    epsilon,
    *,
    variant="A",
    split=None,
    grid=None,
    scale_rule="inverse_at_risk",
    clip_rule="dynamic",
    smoother="moving_average",
    window=5,
    n_repeats=1,
    random_state=None,
):
    """Release ``n_repeats`` noisy curves as in the reconstruction of arXiv:2412.05164.

    NOT differentially private (see the module docstring).

    Parameters
    ----------
    time, event : array-like of shape (n,)
        Follow-up times and event indicators (1 = death).
    epsilon : float
        The nominal ε.
    variant : {"A", "B"}, default="A"
        A: ε on every grid point (no composition); B: ε / T on every point.
    split : {"per_point", "sequential"}, default=None
        Overrides ``variant``.
    grid : array-like, default=None
        The time points released. None: the data's distinct event times (as KM
        software does, which publishes them). Give a fixed grid to compare
        neighbouring data sets on the same output space.
    scale_rule : {"inverse_at_risk", "linear", "constant"}, default="inverse_at_risk"
        The "time-indexed" sensitivity ``Δ_i``: ``1 / n_i`` (local), ``i / T``
        or 1.
    clip_rule : {"dynamic", "unit", "none"}, default="dynamic"
        ``y_i = min(max(x_i, 0), y_{i-1})``; clip to [0, 1] only; nothing.
    smoother : {"moving_average", None}, default="moving_average"
        Moving average of ``window`` points, then clipped to [0, 1] and made
        non-increasing.
    window : int, default=5
        The moving-average window.
    n_repeats : int, default=1
        Independent releases, drawn at once.
    random_state : None, int or numpy.random.Generator, default=None
        The noise source.

    Returns
    -------
    PaperRelease
    """
    split = VARIANTS[variant] if split is None else split
    if split not in ("per_point", "sequential"):
        raise ValueError(f"split must be 'per_point' or 'sequential'; got {split!r}.")
    if scale_rule not in _SCALE_RULES or clip_rule not in _CLIP_RULES:
        raise ValueError(f"unknown scale_rule {scale_rule!r} or clip_rule {clip_rule!r}.")
    if smoother not in _SMOOTHERS:
        raise ValueError(f"smoother must be one of {_SMOOTHERS}; got {smoother!r}.")
    rng = np.random.default_rng(random_state)
    time = np.asarray(time, dtype=np.float64)
    event = np.asarray(event, dtype=bool)
    if grid is None:
        grid = np.unique(time[event])
    grid = np.asarray(grid, dtype=np.float64)
    grid = grid[grid > 0]
    n_points = grid.size
    from statkit.survival import KaplanMeier

    exact_curve = KaplanMeier().fit(time, event)
    exact = exact_curve.predict(grid)

    if scale_rule == "inverse_at_risk":
        sensitivity = 1.0 / np.maximum(exact_curve.at_risk(grid), 1)
    elif scale_rule == "linear":
        sensitivity = np.arange(1, n_points + 1) / n_points
    else:
        sensitivity = np.ones(n_points)
    epsilon_per_point = epsilon if split == "per_point" else epsilon / n_points
    noisy = exact + rng.laplace(0.0, sensitivity / epsilon_per_point, (n_repeats, n_points))

    if clip_rule == "dynamic":
        curves = np.minimum.accumulate(np.clip(noisy, 0.0, 1.0), axis=1)
    elif clip_rule == "unit":
        curves = np.clip(noisy, 0.0, 1.0)
    else:
        curves = noisy
    if smoother == "moving_average":
        curves = moving_average(curves, window)
        curves = np.minimum.accumulate(np.clip(curves, 0.0, 1.0), axis=1)
    survival = np.concatenate([np.ones((n_repeats, 1)), curves], axis=1)
    return PaperRelease(np.concatenate([[0.0], grid]), survival, float(epsilon_per_point))
