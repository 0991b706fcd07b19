"""Partial knowledge of the hidden states: crisp life-fraction labels and noisy plausibilities."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import validate_params

from statkit.utils._validation import NumericInterval, check_generator, validate_array

# Mean boundaries of the 6 segments in the ARPHMM authors' CMAPSS prior, as life fractions.
CMAPSS_BOUNDARIES = (0.227, 0.461, 0.602, 0.751, 0.872)


@validate_params(
    {"lengths": ["array-like"], "boundaries": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def life_fraction_labels(lengths, boundaries=CMAPSS_BOUNDARIES):
    """Cut each sequence into ordered segments at fixed fractions of its length.

    Step ``t`` (0-based) of a sequence of length ``L`` is at life fraction
    ``(t + 0.5) / L`` and gets the number of boundaries at or below it as its
    state, so every sequence runs through the states ``0 .. len(boundaries)``
    in order. The default boundaries are the mean segment boundaries of the
    ARPHMM authors' prior for CMAPSS FD001 (6 states, at 22.7, 46.1, 60.2,
    75.1 and 87.2 % of life; Juesas et al. 2021).

    Parameters
    ----------
    lengths : array-like of shape (n_sequences,)
        Length of each sequence (positive integers), in the order the
        sequences are concatenated.
    boundaries : array-like of shape (n_states - 1,), default=CMAPSS_BOUNDARIES
        Life fractions where a new state begins, strictly increasing in (0, 1).

    Returns
    -------
    labels : ndarray of shape (sum(lengths),), dtype int64
        The state of each step of the concatenated sequences.

    Examples
    --------
    >>> from statkit.hmm import life_fraction_labels
    >>> life_fraction_labels([4, 6], boundaries=[0.5])
    array([0, 0, 1, 1, 0, 0, 0, 1, 1, 1])
    """
    lengths = validate_array(lengths, "lengths", ndim=1, dtype="integer")
    if (lengths < 1).any():
        raise ValueError(f"lengths must be positive; got {lengths.min()}.")
    boundaries = validate_array(boundaries, "boundaries", ndim=1, allow_empty=True)
    if ((boundaries <= 0) | (boundaries >= 1)).any() or (np.diff(boundaries) <= 0).any():
        raise ValueError(
            f"boundaries must be strictly increasing in (0, 1); got {boundaries.tolist()}."
        )
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    steps = np.arange(lengths.sum()) - starts
    fractions = (steps + 0.5) / np.repeat(lengths, lengths)
    return np.searchsorted(boundaries, fractions, side="right").astype(np.int64)


@validate_params(
    {
        "labels": ["array-like"],
        "n_states": [NumericInterval(Integral, 1, None, closed="left")],
        "error_rate": [NumericInterval(Real, 0, 1, closed="both")],
        "labelled_fraction": [NumericInterval(Real, 0, 1, closed="both")],
        "error_sd": [NumericInterval(Real, 0, None, closed="left")],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def noisy_plausibility(
    labels, n_states, *, error_rate, labelled_fraction=1.0, error_sd=0.2, random_state=None
):
    """Noisy, partial plausibilities of the states from their true labels.

    The label-noise protocol of Côme et al. (Pattern Recognition, 2009),
    used by Ramasso & Denoeux (IEEE TFS, 2014) and the ARPHMM experiments.
    Independently for each step ``t``:

    1. an error probability ``perr_t`` is drawn from the Beta law with mean
       ``error_rate`` and standard deviation ``error_sd``;
    2. with probability ``perr_t`` the label is replaced by a state drawn
       uniformly among the ``n_states`` (possibly the true one, so a label is
       wrong with probability ``error_rate * (n_states - 1) / n_states``);
    3. ``pl_t(k) = perr_t / n_states + (1 - perr_t) * [k == noisy label]``;
    4. with probability ``1 - labelled_fraction`` the step is unlabelled
       instead, and ``pl_t(k) = 1`` for every state.

    ``error_rate=0`` gives one-hot rows (``perr_t = 0``) and ``error_rate=1``
    uniform rows ``1 / n_states``; so does ``error_sd=0`` (``perr_t =
    error_rate``). A Beta law with mean ``m`` has variance below
    ``m (1 - m)``, so an ``error_sd`` above ``0.99 * sqrt(m (1 - m))`` is shrunk
    to that value (with the default 0.2: for ``error_rate`` below about 0.043
    or above 0.957).

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        The true states, integers in ``[0, n_states)``.
    n_states : int
        Number of states.
    error_rate : float
        Mean error probability, in [0, 1].
    labelled_fraction : float, default=1.0
        Probability that a step keeps a (noisy) label.
    error_sd : float, default=0.2
        Standard deviation of the error probability across steps.
    random_state : None, int or numpy.random.Generator, default=None
        Source of the noise.

    Returns
    -------
    plausibility : ndarray of shape (n_samples, n_states)
        Values in [0, 1]; unlabelled steps are rows of ones.

    Examples
    --------
    >>> from statkit.hmm import noisy_plausibility
    >>> noisy_plausibility([0, 1, 2], 3, error_rate=0.0)
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    >>> pl = noisy_plausibility([0, 1, 2] * 100, 3, error_rate=0.2, random_state=0)
    >>> bool(((pl >= 0) & (pl <= 1)).all()), pl.shape
    (True, (300, 3))
    """
    labels = validate_array(labels, "labels", ndim=1, dtype="integer")
    if ((labels < 0) | (labels >= n_states)).any():
        raise ValueError(
            f"labels must be integers in [0, n_states) = [0, {n_states}); "
            f"got values from {labels.min()} to {labels.max()}."
        )
    rng = check_generator(random_state)
    n = labels.shape[0]
    m = float(error_rate)
    if m in (0.0, 1.0) or error_sd == 0:
        perr = np.full(n, m)
    else:
        variance = min(error_sd**2, 0.99**2 * m * (1 - m))
        total = m * (1 - m) / variance - 1
        perr = rng.beta(m * total, (1 - m) * total, size=n)
    replaced = rng.random(n) < perr
    noisy = np.where(replaced, rng.integers(n_states, size=n), labels)
    plausibility = np.repeat(perr[:, None] / n_states, n_states, axis=1)
    plausibility[np.arange(n), noisy] += 1 - perr
    plausibility[rng.random(n) >= labelled_fraction] = 1.0
    return plausibility
