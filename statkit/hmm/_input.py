"""Validation of the hidden Markov models' inputs: series, ``lengths``, plausibilities, masks."""

import numpy as np

from statkit.hmm._em import Sequences
from statkit.hmm._emissions import lagged_design
from statkit.utils._validation import validate_array


def check_lengths(lengths, n_samples, min_length=1):
    """Start and end row of each sequence (hmmlearn's ``lengths``; None is one sequence)."""
    if lengths is None:
        lengths = np.array([n_samples])
    else:
        lengths = validate_array(lengths, "lengths", ndim=1, dtype="integer")
        if lengths.sum() != n_samples:
            raise ValueError(
                f"lengths must sum to the number of samples of X, {n_samples}; "
                f"they sum to {int(lengths.sum())}."
            )
    short = np.flatnonzero(lengths < min_length)
    if short.size:
        raise ValueError(
            f"Every sequence needs at least ar_order + 1 = {min_length} samples; sequence "
            f"{int(short[0])} has {int(lengths[short[0]])}."
        )
    ends = np.cumsum(lengths)
    return ends - lengths, ends


def check_series(X):
    """The univariate series of ``X`` (shape (n_samples, 1)) as a float array."""
    X = validate_array(X, "X", ndim=2)
    if X.shape[1] != 1:
        raise ValueError(
            "X must have one feature (a univariate series, shape (n_samples, 1)); got "
            f"{X.shape[1]} features. Model several series as separate sequences with lengths."
        )
    return np.ascontiguousarray(X[:, 0])


def check_plausibility(plausibility, n_samples, n_states):
    """Per-step state plausibilities in [0, 1], no row all zero; None means all ones."""
    if plausibility is None:
        return np.ones((n_samples, n_states))
    pl = validate_array(plausibility, "plausibility", ndim=2)
    if pl.shape != (n_samples, n_states):
        raise ValueError(
            f"plausibility must have shape (n_samples, n_states) = ({n_samples}, {n_states}); "
            f"got {pl.shape}."
        )
    if pl.min() < 0 or pl.max() > 1:
        raise ValueError("plausibility must lie in [0, 1].")
    empty = np.flatnonzero(pl.max(axis=1) == 0)
    if empty.size:
        raise ValueError(
            f"Every row of plausibility needs a positive entry (a state the step may be in); "
            f"row {int(empty[0])} is all zero."
        )
    return np.ascontiguousarray(pl)


def check_sequences(X, lengths, plausibility, n_states, ar_order, intercept):
    """Validate one call's data and build its lagged design."""
    y = check_series(X)
    starts, ends = check_lengths(lengths, y.shape[0], ar_order + 1)
    pl = check_plausibility(plausibility, y.shape[0], n_states)
    design, observed = lagged_design(y, starts, ends, ar_order, intercept)
    return Sequences(y, design, observed, pl, starts, ends)


def check_transmat_mask(transmat_mask, n_states):
    """Boolean mask of allowed transitions; every row needs one.

    None allows all; "left-right" allows staying and moving to the next state.
    """
    if transmat_mask is None:
        return np.ones((n_states, n_states), dtype=bool)
    if isinstance(transmat_mask, str):
        return np.eye(n_states, dtype=bool) | np.eye(n_states, k=1, dtype=bool)
    mask = np.asarray(transmat_mask)
    if mask.shape != (n_states, n_states):
        raise ValueError(
            f"transmat_mask must have shape (n_states, n_states) = ({n_states}, {n_states}); "
            f"got {mask.shape}."
        )
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("transmat_mask must hold booleans (or 0/1).")
        mask = mask.astype(bool)
    stuck = np.flatnonzero(~mask.any(axis=1))
    if stuck.size:
        raise ValueError(
            f"transmat_mask allows no transition out of state {int(stuck[0])}; every row "
            "needs at least one True (True on the diagonal lets a state persist)."
        )
    return mask


def check_reachable(startprob, transmat_mask):
    """Raise when a state cannot be reached from the states the chain may start in."""
    reached = startprob > 0
    while True:
        grown = reached | transmat_mask[reached].any(axis=0)
        if (grown == reached).all():
            break
        reached = grown
    if not reached.all():
        lost = np.flatnonzero(~reached)
        raise ValueError(
            f"State(s) {lost.tolist()} can never be reached: no allowed path of transmat_mask "
            "leads to them from a state with positive start probability."
        )


def check_parameters(params, n_states, n_coef):
    """Shapes and ranges of parameters set by hand (names as the fitted attributes)."""
    checks = (
        ("startprob_", params.startprob, (n_states,)),
        ("transmat_", params.transmat, (n_states, n_states)),
        ("intercept_ and ar_coef_", params.coef, (n_states, n_coef)),
        ("noise_var_", params.noise_var, (n_states,)),
    )
    for name, value, shape in checks:
        if value.shape != shape:
            raise ValueError(f"{name} must have shape {shape}; got {value.shape}.")
        if not np.isfinite(value).all():
            raise ValueError(f"{name} must be finite.")
    for name, value in (("startprob_", params.startprob), ("transmat_", params.transmat)):
        if value.min() < 0 or not np.allclose(value.sum(axis=-1), 1.0):
            raise ValueError(f"{name} must be non-negative and sum to 1 (per row).")
    if params.noise_var.min() <= 0:
        raise ValueError("noise_var_ must be positive.")
    return params
