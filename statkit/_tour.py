"""``python -m statkit tour``: every family's demonstration in one report.

A family registers its demonstration by adding ``statkit/<family>/_tour.py``
with a module-level ``SECTIONS`` list of :class:`TourSection`. The tour finds
these modules, runs each section on its default data, prints a summary table
and writes ``index.html`` with PNG figures to the output folder.
"""

import html
import importlib
import importlib.util
import os
import pkgutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class TourContext:
    """What a section's ``run`` receives.

    Attributes
    ----------
    random_state : int
        Seed for everything random in the section.
    quick : bool
        Run a smaller version (used by the test suite).
    data_home : str or None
        Where large data sets are looked for (``statkit.datasets``).
    """

    random_state: int = 0
    quick: bool = False
    data_home: str | None = None


@dataclass
class TourResult:
    """What a section's ``run`` returns.

    Attributes
    ----------
    summary : dict
        One row of the summary table: column name to value (numbers or str).
    figures : dict
        File stem to matplotlib Figure; each is saved as ``<section>-<stem>.png``.
    text : str
        A paragraph for the report.
    html : dict
        Title to an HTML fragment made by statkit (an SS3 explanation's
        highlight), shown in the report as it is.
    notes : list of str
        Things the reader must know, e.g. that the large data set was missing
        and the section ran on its embedded default instead.
    """

    summary: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    text: str = ""
    html: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


@dataclass(frozen=True)
class TourSection:
    """One family's demonstration.

    Attributes
    ----------
    name : str
        Short identifier (used in file names and ``--section``).
    title : str
        Heading in the report.
    run : callable
        ``run(context: TourContext) -> TourResult``.
    """

    name: str
    title: str
    run: object


@dataclass
class SectionOutcome:
    section: TourSection
    result: TourResult | None
    error: str | None
    seconds: float
    figure_files: list = field(default_factory=list)


def registered_sections():
    """The sections registered by statkit's families, in subpackage order."""
    import statkit

    sections = []
    for info in sorted(pkgutil.iter_modules(statkit.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name.startswith("_"):
            continue
        module_name = f"statkit.{info.name}._tour"
        if importlib.util.find_spec(module_name) is not None:
            sections.extend(importlib.import_module(module_name).SECTIONS)
    return sections


def _run_section(section, context, output_dir):
    start = time.perf_counter()
    try:
        result = section.run(context)
    except Exception:  # noqa: BLE001 - one broken section must not hide the others
        return SectionOutcome(section, None, traceback.format_exc(), time.perf_counter() - start)
    files = []
    if result.figures:
        import matplotlib.pyplot as plt

        for stem, figure in result.figures.items():
            path = output_dir / f"{section.name}-{stem}.png"
            figure.savefig(path, dpi=100, bbox_inches="tight")
            plt.close(figure)
            files.append(path.name)
    return SectionOutcome(section, result, None, time.perf_counter() - start, files)


def _format_value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def summary_table(outcomes):
    """The summary as a markdown table: one row per section."""
    lines = ["| section | status | seconds | results |", "|---|---|---|---|"]
    for outcome in outcomes:
        status = "failed" if outcome.error else "ok"
        results = ""
        if outcome.result is not None:
            results = ", ".join(
                f"{key}={_format_value(value)}" for key, value in outcome.result.summary.items()
            )
        lines.append(f"| {outcome.section.title} | {status} | {outcome.seconds:.1f} | {results} |")
    return "\n".join(lines)


NO_SECTIONS = (
    "No tour sections are registered yet: each statkit family adds its demonstration "
    "(statkit/<family>/_tour.py) when it lands."
)


def _html_report(outcomes, context):
    import statkit

    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        "<html><head><meta charset='utf-8'><title>statkit tour</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}"
        ".note{background:#fff6d5;padding:.4em}.error{background:#fde2e2;white-space:pre-wrap}"
        "</style></head><body>",
        f"<h1>statkit {esc(statkit.__version__)} tour</h1>",
        f"<p>random_state={context.random_state}, quick={context.quick}</p>",
    ]
    if not outcomes:
        parts.append(f"<p>{esc(NO_SECTIONS)}</p>")
    else:
        parts.append("<h2>Summary</h2><table><tr><th>section</th><th>status</th>")
        parts.append("<th>seconds</th><th>results</th></tr>")
        for outcome in outcomes:
            summary = outcome.result.summary if outcome.result else {}
            cells = "<br>".join(f"{esc(k)} = {esc(_format_value(v))}" for k, v in summary.items())
            status = "failed" if outcome.error else "ok"
            parts.append(
                f"<tr><td><a href='#{esc(outcome.section.name)}'>{esc(outcome.section.title)}"
                f"</a></td><td>{status}</td><td>{outcome.seconds:.1f}</td><td>{cells}</td></tr>"
            )
        parts.append("</table>")
    for outcome in outcomes:
        parts.append(f"<h2 id='{esc(outcome.section.name)}'>{esc(outcome.section.title)}</h2>")
        if outcome.error:
            parts.append(f"<div class='error'>{esc(outcome.error)}</div>")
            continue
        for note in outcome.result.notes:
            parts.append(f"<p class='note'>{esc(note)}</p>")
        if outcome.result.text:
            parts.append(f"<p>{esc(outcome.result.text)}</p>")
        for name in outcome.figure_files:
            parts.append(f"<p><img src='{esc(name)}' alt='{esc(name)}'></p>")
        for title, fragment in outcome.result.html.items():
            parts.append(f"<h3>{esc(title)}</h3>{fragment}")
    parts.append("</body></html>")
    return "\n".join(parts)


def run_tour(
    output_dir="statkit-tour",
    *,
    sections=None,
    only=None,
    quick=False,
    random_state=0,
    data_home=None,
    verbose=1,
    stream=None,
):
    """Run the tour sections and write the report.

    Parameters
    ----------
    output_dir : str or Path, default="statkit-tour"
        Folder for ``index.html`` and the figures (created if needed).
    sections : list of TourSection, default=None
        The sections to run; None means every registered one.
    only : list of str, default=None
        Keep only the sections with these names.
    quick : bool, default=False
        Ask sections for their small version.
    random_state : int, default=0
        Seed passed to every section.
    data_home : str, default=None
        Passed to sections that load large data sets.
    verbose : int, default=1
        Show a progress bar (with tqdm) and print the summary.
    stream : file, default=sys.stdout
        Where the summary goes.

    Returns
    -------
    outcomes : list of SectionOutcome
        One per section run; ``error`` holds the traceback of a failed one.

    Examples
    --------
    >>> import tempfile
    >>> from statkit._tour import TourResult, TourSection, run_tour
    >>> demo = TourSection("demo", "Demo", lambda context: TourResult(summary={"answer": 42}))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     outcomes = run_tour(folder, sections=[demo], verbose=0)
    >>> outcomes[0].result.summary
    {'answer': 42}
    """
    from statkit.utils._progress import progress_bar

    stream = sys.stdout if stream is None else stream
    sections = registered_sections() if sections is None else list(sections)
    if only:
        unknown = sorted(set(only) - {s.name for s in sections})
        if unknown:
            known = ", ".join(s.name for s in sections) or "none"
            raise ValueError(f"Unknown tour sections {unknown}; registered: {known}.")
        sections = [s for s in sections if s.name in only]
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    context = TourContext(random_state=random_state, quick=quick, data_home=data_home)
    outcomes = [
        _run_section(section, context, output_dir)
        for section in progress_bar(
            sections, verbose=verbose and len(sections), total=len(sections), desc="statkit tour"
        )
    ]
    report = output_dir / "index.html"
    report.write_text(_html_report(outcomes, context), encoding="utf-8")
    if verbose:
        if outcomes:
            print(summary_table(outcomes), file=stream)
            for outcome in outcomes:
                notes = outcome.result.notes if outcome.result else []
                for note in notes:
                    print(f"note ({outcome.section.name}): {note}", file=stream)
                if outcome.error:
                    print(f"\n{outcome.section.name} failed:\n{outcome.error}", file=stream)
        else:
            print(NO_SECTIONS, file=stream)
        print(f"Report written to {os.fspath(report)}", file=stream)
    return outcomes
