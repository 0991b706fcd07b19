"""Tools for testing code that uses statkit: hypothesis strategies.

``statkit.testing.strategies`` needs hypothesis (``pip install hypothesis``).
"""
