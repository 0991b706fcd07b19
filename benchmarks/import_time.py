"""How long ``import statkit`` takes next to the libraries it stands beside.

Target (foundation issue): ``import statkit`` under 1 s, importing none of
numba, CuPy, Dask or matplotlib. Each import runs in a fresh interpreter
(`python -X importtime` is not used: we time the whole statement, as a user
feels it), so nothing is cached in memory between runs; the operating
system's file cache is warm after the first run, as on a working machine.
"""

import subprocess
import sys

from benchmarks._harness import Benchmark

DESCRIPTION = "import time of statkit vs scikit-learn, lifelines, hmmlearn, skopt"

CANDIDATES = [
    ("statkit", "import statkit", False),
    ("statkit.privacy", "import statkit.privacy", False),
    ("scikit-learn (sklearn.base)", "import sklearn.base", True),
    ("lifelines", "import lifelines", True),
    ("hmmlearn", "import hmmlearn.hmm", True),
    ("scikit-optimize", "import skopt", True),
]

_PROBE = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "{statement}\n"
    "elapsed = time.perf_counter() - start\n"
    "heavy = [m for m in ('numba', 'cupy', 'dask', 'matplotlib') if m in sys.modules]\n"
    "print(elapsed, ','.join(heavy))\n"
)


def _time_import(statement):
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        return None, result.stderr.strip().splitlines()[-1]
    seconds, heavy = result.stdout.split()[0], result.stdout.split()[1:]
    return float(seconds), heavy[0] if heavy else ""


def run(quick, repeats):
    bench = Benchmark(
        "import_time", params={"repeats": repeats, "target_seconds": 1.0, "not_installed": []}
    )
    for method, statement, anchor in CANDIDATES:
        _time_import(statement)  # warm the file cache
        times = []
        for _ in range(repeats):
            seconds, extra = _time_import(statement)
            if seconds is None:
                bench.params["not_installed"].append(f"{method}: {extra}")
                break
            times.append(seconds)
            note = f"also imports {extra}" if extra else "imports none of numba/cupy/dask/mpl"
        if times:
            bench.add(method, times, anchor=anchor, note=note)
    return bench
