"""Command line: ``python -m statkit tour|info``.

``tour`` runs every family's demonstration and writes an HTML report;
``info`` prints versions and which backends (numba, CuPy/GPU, Dask) work.
Benchmarks have their own entry point: ``python -m benchmarks NAME``.
"""

import argparse
import sys


def _tour(args):
    try:
        import matplotlib
    except ImportError:
        pass  # a section that draws reports the missing matplotlib itself
    else:
        matplotlib.use("Agg")  # files only, no windows: the report is the output
    from statkit._tour import run_tour

    outcomes = run_tour(
        args.output_dir,
        only=args.section or None,
        quick=args.quick,
        random_state=args.random_state,
        data_home=args.data_home,
    )
    return 1 if any(outcome.error for outcome in outcomes) else 0


def _info(args):
    import statkit

    statkit.show_versions()
    return 0


def main(argv=None):
    """Entry point of ``python -m statkit`` and the ``statkit`` script."""
    parser = argparse.ArgumentParser(prog="python -m statkit", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tour = commands.add_parser("tour", help="run every family's demonstration, write a report")
    tour.add_argument("--output-dir", default="statkit-tour", help="report folder")
    tour.add_argument("--section", action="append", help="run only this section (repeatable)")
    tour.add_argument("--quick", action="store_true", help="small version of each section")
    tour.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    tour.add_argument("--data-home", default=None, help="large data sets (default STATKIT_DATA)")
    tour.set_defaults(handler=_tour)
    info = commands.add_parser("info", help="versions and usable backends")
    info.set_defaults(handler=_info)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
