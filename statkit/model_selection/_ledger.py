"""Persistent budget of a reusable holdout: a JSON ledger keyed by the holdout's fingerprint.

A restarted analysis on the same holdout reads the mechanism's state back
(queries answered, budget left, noise state) instead of starting afresh. The
ledger holds the mechanism's noise state: keep it where the analyst cannot read
it, as the holdout itself.
"""

import json
import os
import tempfile
from pathlib import Path

import joblib

# Parameters that must match for a ledger entry to continue: another rule would
# make the recorded budget meaningless.
_MECHANISM_PARAMS = ("threshold", "sigma", "budget", "noise", "n_holdout", "value_range", "clip")


def fingerprint(X, y):
    """A hash of a data set (features and labels) that names it in a ledger.

    Parameters
    ----------
    X : array-like
    y : array-like

    Returns
    -------
    fingerprint : str
    """
    return joblib.hash((X, y), hash_name="sha1")


def mechanism_signature(mechanism):
    """The mechanism parameters a ledger entry is tied to, as JSON-friendly data."""
    params = mechanism.get_params()
    signature = {name: params[name] for name in _MECHANISM_PARAMS}
    if signature["value_range"] is not None:
        signature["value_range"] = [float(v) for v in signature["value_range"]]
    return signature


def read_entry(path, key):
    """The ledger entry recorded for ``key``, or None."""
    path = Path(path)
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as file:
        try:
            ledger = json.load(file)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"ledger file {str(path)!r} is not a statkit ledger: {error}"
            ) from None
    return ledger.get(key)


def write_entry(path, key, entry):
    """Record ``entry`` for ``key``, replacing the file atomically."""
    path = Path(path)
    ledger = {}
    if path.exists():
        with path.open(encoding="utf-8") as file:
            ledger = json.load(file)
    ledger[key] = entry
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", suffix=".tmp")
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(ledger, file)
    os.replace(temporary, path)
