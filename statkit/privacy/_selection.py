"""Private selection: the exponential mechanism."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from statkit.utils._validation import POSITIVE_FINITE, check_generator, validate_array


@validate_params(
    {
        "utilities": ["array-like"],
        "epsilon": [POSITIVE_FINITE],
        "random_state": "no_validation",  # check_generator names what it accepts
        "sensitivity": [POSITIVE_FINITE],
    },
    prefer_skip_nested_validation=True,
)
def exponential_mechanism(utilities, epsilon, random_state, *, sensitivity=1.0):
    """Pick an index with probability proportional to ``exp(ε u / (2 Δ))``.

    McSherry & Talwar's exponential mechanism: ε-differentially private when
    each utility changes by at most ``sensitivity`` (Δ) between neighbouring
    data sets. Sampled with the Gumbel-max trick, which is exact.

    Parameters
    ----------
    utilities : array-like of shape (n_candidates,)
        The utility of each candidate on the private data (finite).
    epsilon : float
        Privacy loss of the selection, finite and > 0.
    random_state : None, int, SeedSequence, Generator or RandomState
        Source of the randomness; a Generator is used (and advanced) as is.
    sensitivity : float, default=1.0
        Largest change of any utility between neighbouring data sets.

    Returns
    -------
    index : int
        The selected candidate.

    References
    ----------
    McSherry & Talwar, "Mechanism design via differential privacy", FOCS 2007.

    Examples
    --------
    >>> from statkit.privacy import exponential_mechanism
    >>> exponential_mechanism([0.0, -50.0, -100.0], epsilon=1.0, random_state=0)
    0
    """
    utilities = validate_array(utilities, "utilities", ndim=1)
    rng = check_generator(random_state)
    scores = epsilon * utilities / (2.0 * sensitivity)
    return int(np.argmax(scores + rng.gumbel(size=scores.shape)))
