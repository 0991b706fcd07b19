"""Noise-adding mechanisms: Laplace, discrete Laplace (geometric) and analytic Gaussian.

Each mechanism is calibrated once from (ε, δ) and the query's sensitivity, draws
its noise only from the :class:`numpy.random.Generator` passed to
``randomise``, can charge a :class:`~statkit.privacy.PrivacyAccountant` before
it draws, and exposes its exact log-density (or log-pmf) for audits.
"""

import math
from numbers import Integral
from typing import ClassVar

import numpy as np
from scipy.optimize import brentq
from scipy.special import log_ndtr
from sklearn.utils._param_validation import validate_parameter_constraints, validate_params

from statkit.utils._validation import (
    OPEN_UNIT_INTERVAL,
    POSITIVE_FINITE,
    NumericInterval,
    validate_array,
)


def _release_log_density(logp, value):
    """Sum element log-densities over the axes of one release (the shape of ``value``)."""
    return np.sum(logp, axis=tuple(range(logp.ndim - value.ndim, logp.ndim)))


class _Mechanism:
    """Release logic shared by the mechanisms: validate, charge, add noise."""

    delta = 0.0
    _dtype = "float"
    _parameter_constraints: ClassVar[dict] = {}

    def _validate(self, **params):
        validate_parameter_constraints(
            self._parameter_constraints, params, caller_name=type(self).__name__
        )

    @property
    def privacy_cost(self):
        """tuple of float : The (ε, δ) that one release spends."""
        return self.epsilon, self.delta

    def randomise(self, value, rng, *, accountant=None, label=None):
        """Release ``value`` plus noise.

        Parameters
        ----------
        value : float or array-like
            The exact query answer; the sensitivity bounds how far it can move
            (in L1 norm over all elements, L2 for the Gaussian mechanism) when
            one person's records change.
        rng : numpy.random.Generator
            The only source of noise.
        accountant : PrivacyAccountant, default=None
            If given, :attr:`privacy_cost` is spent on it before any noise is
            drawn, so an overspend releases nothing.
        label : str, default=None
            The ledger label of the release.

        Returns
        -------
        noisy : float, int or ndarray
            Same shape as ``value``: a scalar for a scalar.

        Raises
        ------
        TypeError
            ``rng`` is not a :class:`numpy.random.Generator`.
        PrivacyBudgetError
            The release would exceed the accountant's budget.
        """
        value = validate_array(value, "value", dtype=self._dtype)
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                "rng must be a numpy.random.Generator, e.g. np.random.default_rng(seed); "
                f"got {type(rng).__name__}."
            )
        if accountant is not None:
            accountant.spend(self.epsilon, self.delta, label=label)
        return value + self._noise(rng, value.shape)

    def sample_noise(self, shape, rng):
        """Draw noise of this mechanism's law, releasing nothing (for simulations).

        A parametric bootstrap of a private release redraws the privacy noise
        of simulated data with this; it is not a release and charges nothing.

        Parameters
        ----------
        shape : int or tuple of int
            Shape of the noise.
        rng : numpy.random.Generator
            The simulation's stream.

        Returns
        -------
        noise : ndarray
        """
        return self._noise(rng, shape)


class LaplaceMechanism(_Mechanism):
    """Pure ε-differential privacy with continuous Laplace noise.

    Adds noise of density ``exp(-|x| / scale) / (2 scale)``, with
    ``scale = sensitivity / epsilon``, to each element of the query answer.

    Parameters
    ----------
    epsilon : float
        Privacy loss per release, finite and > 0.
    sensitivity : float, default=1.0
        Largest L1 distance between the answers on neighbouring data sets.

    Attributes
    ----------
    scale : float
        The Laplace scale ``sensitivity / epsilon``.

    Notes
    -----
    Floating-point Laplace samples can leak the exact answer through their
    low-order bits (Mironov, 2012). For integer answers such as counts prefer
    :class:`GeometricMechanism`, whose noise is an integer.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.privacy import LaplaceMechanism, PrivacyAccountant
    >>> mech = LaplaceMechanism(epsilon=0.5)
    >>> mech.scale, mech.privacy_cost
    (2.0, (0.5, 0.0))
    >>> round(mech.noise_std, 4)
    2.8284
    >>> acc = PrivacyAccountant(1.0)
    >>> noisy = mech.randomise([10.0, 20.0], np.random.default_rng(0), accountant=acc)
    >>> noisy.shape, acc.spent
    ((2,), 0.5)
    """

    _parameter_constraints: ClassVar[dict] = {
        "epsilon": [POSITIVE_FINITE],
        "sensitivity": [POSITIVE_FINITE],
    }

    def __init__(self, epsilon, sensitivity=1.0):
        self._validate(epsilon=epsilon, sensitivity=sensitivity)
        self.epsilon, self.sensitivity = float(epsilon), float(sensitivity)
        self.scale = self.sensitivity / self.epsilon

    @property
    def noise_std(self):
        """float : The standard deviation of the noise, ``sqrt(2) * scale``."""
        return math.sqrt(2.0) * self.scale

    def _noise(self, rng, shape):
        return rng.laplace(0.0, self.scale, size=shape)

    def log_density(self, output, value):
        """Exact log-density of releasing ``output`` when the true answer is ``value``.

        ``output`` may hold several releases along its leading axes; the
        element log-densities are summed over the trailing axes that match the
        shape of ``value``.

        Parameters
        ----------
        output : array-like
            One release of the shape of ``value``, or several stacked along
            leading axes.
        value : array-like
            The true answer.

        Returns
        -------
        log_p : float or ndarray
            One number per release.
        """
        output, value = validate_array(output, "output"), validate_array(value, "value")
        logp = -math.log(2 * self.scale) - np.abs(output - value) / self.scale
        return _release_log_density(logp, value)

    def __repr__(self):
        return f"LaplaceMechanism(epsilon={self.epsilon!r}, sensitivity={self.sensitivity!r})"


class GeometricMechanism(_Mechanism):
    """Pure ε-differential privacy for integer answers with discrete Laplace noise.

    Adds two-sided geometric noise, ``P(k) = (1 - α) / (1 + α) α^|k|`` with
    ``α = exp(-epsilon / sensitivity)``, to each element; the output is an
    integer array (int64), so no floating-point artefact can leak the answer.

    Parameters
    ----------
    epsilon : float
        Privacy loss per release, finite and > 0.
    sensitivity : int, default=1
        Largest L1 distance between the (integer) answers on neighbouring data
        sets; 1 for a histogram of counts under add/remove-one neighbours.

    References
    ----------
    Ghosh, Roughgarden & Sundararajan, "Universally utility-maximizing privacy
    mechanisms", STOC 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.privacy import GeometricMechanism
    >>> mech = GeometricMechanism(epsilon=1.0)
    >>> counts = mech.randomise([3, 0, 7], np.random.default_rng(0))
    >>> counts.dtype, counts.shape
    (dtype('int64'), (3,))
    >>> round(mech.noise_std, 4)
    1.357
    >>> round(float(mech.log_pmf(0, 0)), 4)  # log P(noise = 0) = log tanh(1/2)
    -0.7719
    """

    _dtype = "integer"
    _parameter_constraints: ClassVar[dict] = {
        "epsilon": [POSITIVE_FINITE],
        "sensitivity": [NumericInterval(Integral, 1, None, closed="left")],
    }

    def __init__(self, epsilon, sensitivity=1):
        self._validate(epsilon=epsilon, sensitivity=sensitivity)
        self.epsilon, self.sensitivity = float(epsilon), int(sensitivity)

    @property
    def noise_std(self):
        """float : The standard deviation of the noise, ``sqrt(2 α) / (1 - α)``.

        The variance of discrete Laplace noise is ``2 α / (1 - α)²``, with
        ``α = exp(-epsilon / sensitivity)``.
        """
        t = self.epsilon / self.sensitivity
        return math.sqrt(2.0) * math.exp(-t / 2) / -math.expm1(-t)

    def _noise(self, rng, shape):
        # X, Y ~ Geometric(p) on {1, 2, ...} are independent with P(X = i) = p α^(i-1).
        # For k >= 0, P(X - Y = k) = Σ_j p² α^(2j+k) = p² α^k / (1 - α²) = (1-α)/(1+α) α^k,
        # and symmetrically for k < 0: the difference is exactly discrete Laplace.
        p = -math.expm1(-self.epsilon / self.sensitivity)
        return rng.geometric(p, size=shape) - rng.geometric(p, size=shape)

    def log_pmf(self, output, value):
        """Exact log-probability of releasing ``output`` when the true answer is ``value``.

        Computed as ``log(1 - α) - log(1 + α) - |k| ε / sensitivity`` with
        ``expm1``/``log1p``, accurate for tiny and large ε. Summed over the
        trailing axes that match the shape of ``value``, as in
        :meth:`LaplaceMechanism.log_density`.

        Parameters
        ----------
        output : array-like of int
            One release of the shape of ``value``, or several stacked along
            leading axes.
        value : array-like of int
            The true answer.

        Returns
        -------
        log_p : float or ndarray
            One number per release.
        """
        output = validate_array(output, "output", dtype="integer")
        value = validate_array(value, "value", dtype="integer")
        t = self.epsilon / self.sensitivity
        logp = math.log(-math.expm1(-t)) - math.log1p(math.exp(-t)) - t * np.abs(output - value)
        return _release_log_density(logp, value)

    def __repr__(self):
        return f"GeometricMechanism(epsilon={self.epsilon!r}, sensitivity={self.sensitivity!r})"


def _log_delta(epsilon, sigma, sensitivity):
    """log δ(ε) of the Gaussian mechanism, without overflow or cancellation.

    δ = Φ(a) - e^ε Φ(b) = Φ(a) (1 - exp(ε + log Φ(b) - log Φ(a))).
    """
    ratio, loss = sensitivity / (2 * sigma), epsilon * sigma / sensitivity
    log_a, log_b = log_ndtr(ratio - loss), log_ndtr(-ratio - loss)
    return float(log_a + np.log(-np.expm1(epsilon + log_b - log_a)))


@validate_params(
    {"epsilon": [POSITIVE_FINITE], "sigma": [POSITIVE_FINITE], "sensitivity": [POSITIVE_FINITE]},
    prefer_skip_nested_validation=True,
)
def gaussian_delta(epsilon, sigma, sensitivity=1.0):
    """Exact δ(ε) of Gaussian noise with standard deviation ``sigma``.

    The tight bound of Balle & Wang (2018, Theorem 8):
    ``δ = Φ(Δ/(2σ) - εσ/Δ) - e^ε Φ(-Δ/(2σ) - εσ/Δ)``, with ``Δ`` the L2
    sensitivity: Gaussian noise of this σ is (ε, δ)-DP exactly when δ is at
    least this value.

    Parameters
    ----------
    epsilon : float
        Finite and > 0.
    sigma : float
        Noise standard deviation, finite and > 0.
    sensitivity : float, default=1.0
        L2 sensitivity of the query.

    Returns
    -------
    delta : float

    Examples
    --------
    >>> from statkit.privacy import gaussian_delta
    >>> round(gaussian_delta(1.0, sigma=1.0), 4)
    0.1269
    """
    return math.exp(_log_delta(epsilon, sigma, sensitivity))


class GaussianMechanism(_Mechanism):
    """(ε, δ)-differential privacy with Gaussian noise, calibrated exactly.

    ``sigma`` is the smallest standard deviation whose exact δ(ε), given by
    :func:`gaussian_delta`, is at most ``delta`` — the *analytic Gaussian
    mechanism* of Balle & Wang (2018). It is valid for any ε > 0 (the classical
    ``σ = Δ sqrt(2 log(1.25/δ)) / ε`` needs ε < 1) and adds less noise.

    Parameters
    ----------
    epsilon : float
        Finite and > 0.
    delta : float
        In (0, 1).
    sensitivity : float, default=1.0
        Largest L2 distance between the answers on neighbouring data sets.

    Attributes
    ----------
    sigma : float
        The calibrated noise standard deviation.

    References
    ----------
    Balle & Wang, "Improving the Gaussian mechanism for differential privacy:
    analytical calibration and optimal denoising", ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from statkit.privacy import GaussianMechanism, gaussian_delta
    >>> mech = GaussianMechanism(epsilon=1.0, delta=1e-5)
    >>> round(mech.sigma, 3)
    3.731
    >>> bool(gaussian_delta(1.0, mech.sigma) <= 1e-5)
    True
    >>> mech.randomise(np.zeros((2, 3)), np.random.default_rng(0)).shape
    (2, 3)
    """

    _parameter_constraints: ClassVar[dict] = {
        "epsilon": [POSITIVE_FINITE],
        "delta": [OPEN_UNIT_INTERVAL],
        "sensitivity": [POSITIVE_FINITE],
    }

    def __init__(self, epsilon, delta, sensitivity=1.0):
        self._validate(epsilon=epsilon, delta=delta, sensitivity=sensitivity)
        self.epsilon, self.delta = float(epsilon), float(delta)
        self.sensitivity = float(sensitivity)
        self.sigma = self._calibrate()

    @classmethod
    def from_sigma(cls, sigma, delta, sensitivity=1.0):
        """The mechanism with a given noise σ, and the smallest ε it achieves at ``delta``.

        For a rule that fixes the noise rather than the privacy level (the
        Gaussian rule of :class:`statkit.model_selection.Thresholdout`), this
        says what privacy the noise buys: ``epsilon`` is the smallest ε whose
        exact :func:`gaussian_delta` is at most ``delta``.

        Parameters
        ----------
        sigma : float
            Noise standard deviation, finite and > 0.
        delta : float
            In (0, 1).
        sensitivity : float, default=1.0
            L2 sensitivity of the query.

        Returns
        -------
        mechanism : GaussianMechanism

        Examples
        --------
        >>> from statkit.privacy import GaussianMechanism
        >>> mech = GaussianMechanism.from_sigma(3.731, delta=1e-5)
        >>> mech.sigma, round(mech.epsilon, 3)
        (3.731, 1.0)
        """
        validate_parameter_constraints(
            {
                "sigma": [POSITIVE_FINITE],
                "delta": [OPEN_UNIT_INTERVAL],
                "sensitivity": [POSITIVE_FINITE],
            },
            {"sigma": sigma, "delta": delta, "sensitivity": sensitivity},
            caller_name=f"{cls.__name__}.from_sigma",
        )
        sigma, delta, sensitivity = float(sigma), float(delta), float(sensitivity)
        log_target = math.log(delta)

        def excess(epsilon):  # decreasing in epsilon
            return _log_delta(epsilon, sigma, sensitivity) - log_target

        low = high = 1.0
        while excess(high) > 0:
            high *= 2
        while excess(low) <= 0 and low > 1e-300:
            low /= 2
        epsilon = low if excess(low) <= 0 else brentq(excess, low, high, xtol=1e-15)
        # The root may sit an ulp on the wrong side; step up until gaussian_delta <= delta.
        while math.exp(_log_delta(epsilon, sigma, sensitivity)) > delta:
            epsilon = math.nextafter(epsilon, math.inf)
        mechanism = cls.__new__(cls)
        mechanism.epsilon, mechanism.delta, mechanism.sensitivity = epsilon, delta, sensitivity
        mechanism.sigma = sigma
        return mechanism

    @property
    def noise_std(self):
        """float : The standard deviation of the noise, ``sigma``."""
        return self.sigma

    def _calibrate(self):
        log_target = math.log(self.delta)

        def excess(sigma):  # decreasing in sigma
            return _log_delta(self.epsilon, sigma, self.sensitivity) - log_target

        low = high = self.sensitivity
        while excess(high) > 0:
            high *= 2
        while excess(low) <= 0:
            low /= 2
        sigma = brentq(excess, low, high, xtol=np.finfo(float).tiny)
        # The root may sit an ulp on the wrong side; step up until gaussian_delta <= delta.
        while math.exp(_log_delta(self.epsilon, sigma, self.sensitivity)) > self.delta:
            sigma = math.nextafter(sigma, math.inf)
        return sigma

    def _noise(self, rng, shape):
        return rng.normal(0.0, self.sigma, size=shape)

    def log_density(self, output, value):
        """Exact log-density of releasing ``output`` when the true answer is ``value``.

        Summed over the trailing axes that match the shape of ``value``, as in
        :meth:`LaplaceMechanism.log_density`.

        Parameters
        ----------
        output : array-like
            One release of the shape of ``value``, or several stacked along
            leading axes.
        value : array-like
            The true answer.

        Returns
        -------
        log_p : float or ndarray
            One number per release.
        """
        output, value = validate_array(output, "output"), validate_array(value, "value")
        z = (output - value) / self.sigma
        logp = -0.5 * (z**2 + math.log(2 * math.pi)) - math.log(self.sigma)
        return _release_log_density(logp, value)

    def __repr__(self):
        return (
            f"GaussianMechanism(epsilon={self.epsilon!r}, delta={self.delta!r}, "
            f"sensitivity={self.sensitivity!r})"
        )
