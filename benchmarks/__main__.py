"""``python -m benchmarks NAME [--quick] [--repeats N]``: run one benchmark."""

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path


def available():
    """Benchmark name -> one-line description."""
    folder = Path(__file__).parent
    names = {}
    for info in pkgutil.iter_modules([str(folder)]):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            names[info.name] = module.DESCRIPTION
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("name", nargs="?", help="benchmark to run (omit to list them)")
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per method")
    parser.add_argument("--no-save", action="store_true", help="do not write results/")
    args = parser.parse_args(argv)
    benchmarks = available()
    if args.name is None:
        for name, description in sorted(benchmarks.items()):
            print(f"{name:<20} {description}")
        return 0
    if args.name not in benchmarks:
        parser.error(f"unknown benchmark {args.name!r}; available: {', '.join(sorted(benchmarks))}")
    repeats = args.repeats or (3 if args.quick else 7)
    result = importlib.import_module(f"benchmarks.{args.name}").run(args.quick, repeats)
    tables = list(result) if isinstance(result, list | tuple) else [result]
    for bench in tables:
        if len(tables) > 1:
            print(f"\n## {bench.name}\n")
        print(bench.markdown())
        if not args.no_save:
            print(f"\nresults: {bench.save()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
