"""Side-by-side benchmarks of statkit against the libraries users would pick instead.

Run ``python -m benchmarks`` to list them and ``python -m benchmarks NAME [--quick]``
to run one; see :mod:`benchmarks._harness`.
"""
