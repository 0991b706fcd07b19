"""The runner shared by the mutation suites: a planted bug must fail every check guarding it."""

import pytest


def assert_caught(plant, guarded_by):
    """Run each check with the bug planted; each must raise ``AssertionError``.

    Parameters
    ----------
    plant : callable
        Returns a context manager that plants the bug (a ``mock.patch``).
    guarded_by : list of callable
        The checks that must see it.
    """
    for check in guarded_by:
        with plant(), pytest.raises(AssertionError):
            check()
