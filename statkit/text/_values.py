"""SS3's term values from per-class term counts, vectorised over the vocabulary.

Everything SS3 knows is a class × term count matrix; the values below are a
deterministic function of it and of the hyperparameters s, l, p (Burdisso et
al., 2019), computed exactly as pyss3 0.6.5 computes them for unigrams:

* local value ``lv = (fr / max fr of the class)^s`` where ``fr > 1``, else 0;
* significance ``sg = sigm(lv - M, l D)`` with ``M`` the lower median of the
  term's local values over the classes and ``D`` their mean absolute deviation
  from it; ``sigm(v, w) = tanh(3 v / w - 3) / 2 + 1/2``; 0 where the class
  never saw the term;
* sanction ``sn = ((K - (S + 1)) / ((K - 1)(S + 1)))^p``, ``S`` the sum of the
  term's significance for the other classes;
* global value ``gv = lv sg sn``, and confidence value ``cv = gv / max gv of
  the class`` (``confidence="norm_gv"``) or ``gv`` itself.

pyss3's default ``sg_m="xai"`` (``significance="xai"`` here) floors ``l D`` at
0.03 and zeroes the significance of stop-word-like terms; ``"vanilla"`` is the
paper's form.
"""

from typing import NamedTuple

import numpy as np

MIN_SPREAD = 0.03  # pyss3's MIN_MAD_SD: the floor of l·D in the "xai" significance
NOISE_COUNT = 1  # pyss3's NOISE_FR: terms counted at most this often have lv = 0


class TermValues(NamedTuple):
    """SS3's values of every (class, term) pair, arrays of shape (n_classes, n_terms)."""

    local: np.ndarray
    significance: np.ndarray
    sanction: np.ndarray
    global_: np.ndarray
    confidence: np.ndarray


def local_values(counts, s):
    """``lv = (fr / max(1, max fr of the class))^s`` where ``fr > 1``, else 0."""
    top = np.maximum(counts.max(axis=1, keepdims=True), 1.0)
    with np.errstate(divide="ignore"):
        return np.where(counts > NOISE_COUNT, (counts / top) ** s, 0.0)


def _median_and_spread(local):
    """pyss3's ``mad``: the lower median over classes and the mean absolute deviation from it.

    With two classes both are the smaller local value (as pyss3 computes them).
    """
    n_classes = local.shape[0]
    ordered = np.sort(local, axis=0)
    if n_classes == 2:
        return ordered[0], ordered[0]
    middle = n_classes // 2 if n_classes % 2 else n_classes // 2 - 1
    median = ordered[middle]
    return median, np.abs(local - median).mean(axis=0)


def significance_values(counts, local, l, mode="xai"):  # noqa: E741 (λ)
    """The significance of each term for each class (0 where the class never saw it)."""
    median, spread = _median_and_spread(local)
    if mode == "xai":
        floor = MIN_SPREAD / l if l else 0.0
        spread = np.where(l * spread <= MIN_SPREAD, floor, spread)
        stop_word = (median > 0.2) | np.all(local > 0.09, axis=0)
        silenced = (stop_word & (spread <= 0.1)) | (median >= 0.3)
    width = l * spread
    with np.errstate(divide="ignore", invalid="ignore"):
        sigmoid = np.where(
            width > 0, 0.5 * np.tanh(3.0 * (local - median) / width - 3.0) + 0.5, 0.0
        )
    values = np.where((spread == 0) & (local != 0), 1.0, sigmoid)
    if mode == "xai":
        values = np.where(silenced, 0.0, values)
    return np.where(counts >= 1, values, 0.0)


def sanction_values(significance, p):
    """``((K - (S + 1)) / ((K - 1)(S + 1)))^p`` with ``S`` the others' significance (1 if K = 1)."""
    n_classes = significance.shape[0]
    if n_classes == 1:
        return np.ones_like(significance)
    capped = np.minimum(significance, 1.0)
    others = capped.sum(axis=0) - capped
    return ((n_classes - (others + 1)) / ((n_classes - 1) * (others + 1))) ** p


def term_values(counts, s, l, p, *, significance="xai", confidence="norm_gv"):  # noqa: E741
    """SS3's values of every term for every class.

    Parameters
    ----------
    counts : ndarray of shape (n_classes, n_terms)
        How often each class's training text holds each term.
    s, l, p : float
        Smoothness, significance and sanction hyperparameters.
    significance : {"xai", "vanilla"}, default="xai"
    confidence : {"norm_gv", "gv"}, default="norm_gv"

    Returns
    -------
    values : TermValues
    """
    local = local_values(counts, s)
    sg = significance_values(counts, local, l, significance)
    sn = sanction_values(sg, p)
    gv = local * sg * sn
    if confidence == "gv":
        cv = gv
    else:
        top = gv.max(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            cv = np.where(top > 0, gv / top, 0.0)
    return TermValues(local, sg, sn, gv, cv)
