"""Shared benchmark machinery: repeated timings, a markdown table, JSON results.

A benchmark module ``benchmarks/<name>.py`` defines::

    DESCRIPTION = "one line"

    def run(quick: bool, repeats: int) -> Benchmark | list[Benchmark]:
        bench = Benchmark("name", quality_name="rmse", quality_better="lower")
        bench.measure("statkit", fit_statkit, quality=rmse_statkit)
        bench.measure("lifelines", fit_lifelines, anchor=True, quality=...)
        return bench

A benchmark with several sections returns a list of Benchmark objects, one
table each (saved as ``results/<name>.json`` and ``.md``). Rows may carry extra
named columns (``add(..., columns={"epsilon": 1.0})``), and a table may end
with free markdown (``summary``: a pivot of its rows, a target check).

Every method runs on the same data in the same process; each is timed
``repeats`` times (after one untimed warm-up that also absorbs compilation)
and reported by its median. ``ratio`` is the method's median time divided by
the best anchor's (below 1 means faster than the best anchor). The JSON
records the git commit of the checkout and whether it had uncommitted changes.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"


def git_state(folder=ROOT):
    """The commit checked out in ``folder`` and whether the checkout has changes.

    Changes under ``benchmarks/results`` do not count, so the tables saved
    earlier in a run do not mark the later ones dirty.

    Parameters
    ----------
    folder : path, default=ROOT
        The root of the checkout.

    Returns
    -------
    state : dict
        ``{"commit": str, "dirty": bool}``, both None when git is missing or
        ``folder`` is not a git checkout.
    """

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=True, timeout=60
        ).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        changes = git("status", "--porcelain", "--", ".", ":(exclude)benchmarks/results")
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(changes.strip())}


def time_repeats(function, repeats, warmup=1):
    """Seconds per call of ``function()``, ``repeats`` times after ``warmup`` calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def in_fresh_process(module, job, timeout=None, env=None):
    """``module.probe(job)`` in a new interpreter: its answer, or None past ``timeout`` seconds.

    ``probe`` prints its answer as JSON on its last line; ``env`` adds to the
    environment (e.g. one thread per BLAS).
    """
    command = f"import sys; from {module} import probe; probe(sys.argv[1])"
    try:
        result = subprocess.run(
            [sys.executable, "-c", command, json.dumps(job)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0:
        raise RuntimeError(f"probe {job} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def _cell(value):
    """A table cell: floats to 4 significant digits, None blank."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass
class Row:
    method: str
    anchor: bool
    times: list
    quality: float | None = None
    note: str = ""
    columns: dict = field(default_factory=dict)

    @property
    def median(self):
        return statistics.median(self.times)


@dataclass
class Benchmark:
    """The rows of one benchmark run, rendered as markdown and saved as JSON."""

    name: str
    quality_name: str | None = None
    quality_better: str = "lower"
    unit: str = "s"
    params: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    summary: str = ""

    def measure(
        self,
        method,
        function,
        *,
        repeats,
        anchor=False,
        quality=None,
        note="",
        warmup=1,
        columns=None,
    ):
        """Time ``function`` and record it; ``quality`` is a number or a callable."""
        times = time_repeats(function, repeats, warmup=warmup)
        if callable(quality):
            quality = quality()
        self.add(method, times, anchor=anchor, quality=quality, note=note, columns=columns)

    def add(self, method, times, *, anchor=False, quality=None, note="", columns=None):
        """Record timings measured elsewhere (e.g. in fresh subprocesses).

        ``columns`` maps extra column names to this row's values (shown after
        the quality column; rows without a column leave it blank).
        """
        self.rows.append(Row(method, anchor, list(times), quality, note, dict(columns or {})))

    def best_anchor(self):
        anchors = [row for row in self.rows if row.anchor]
        return min(anchors, key=lambda row: row.median) if anchors else None

    def ratio(self, row):
        best = self.best_anchor()
        return row.median / best.median if best is not None else None

    def column_names(self):
        """The extra columns of the rows, in the order they first appear."""
        return list(dict.fromkeys(name for row in self.rows for name in row.columns))

    def markdown(self):
        extra = self.column_names()
        header = ["method", "anchor"]
        if self.quality_name:
            header.append(f"{self.quality_name} ({self.quality_better} is better)")
        header += extra
        header += [f"median {self.unit}", "runs", "ratio to best anchor", "note"]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.rows:
            cells = [row.method, "yes" if row.anchor else ""]
            if self.quality_name:
                cells.append("" if row.quality is None else f"{row.quality:.4g}")
            cells += [_cell(row.columns.get(name)) for name in extra]
            ratio = self.ratio(row)
            cells += [
                f"{row.median:.4g}",
                str(len(row.times)),
                "" if ratio is None else f"{ratio:.3f}",
                row.note,
            ]
            lines.append("| " + " | ".join(cells) + " |")
        if self.summary:
            lines += ["", self.summary.strip()]
        return "\n".join(lines)

    def to_dict(self):
        import statkit
        from statkit.utils._show_versions import dependency_versions

        rows = []
        for row in self.rows:
            rows.append(dict(asdict(row), median=row.median, ratio_to_best_anchor=self.ratio(row)))
        return {
            "benchmark": self.name,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "platform": platform.platform(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            },
            "statkit": statkit.__version__,
            "git": git_state(),
            "versions": {k: v for k, v in dependency_versions().items() if v},
            "params": self.params,
            "quality": {"name": self.quality_name, "better": self.quality_better},
            "unit": self.unit,
            "rows": rows,
            "summary": self.summary,
        }

    def save(self, folder=None):
        """Write ``<name>.json`` and ``<name>.md`` to ``folder`` (default ``RESULTS``).

        Returns the JSON path.
        """
        folder = Path(RESULTS if folder is None else folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.json"
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        (folder / f"{self.name}.md").write_text(self.markdown() + "\n")
        return path
