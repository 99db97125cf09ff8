"""``eegemo report``: one HTML page from a store and run folders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write the HTML report of a store and its runs",
                       description="Write one self-contained HTML page (an mne.Report) with the dataset "
                                   "summary, features, recognition and generation results.")
    p.add_argument("runs", nargs="*", type=Path,
                   help="run folders: recognition runs (metrics.json) and generator runs (config.json)")
    p.add_argument("--store", type=Path, help="prepared store for the dataset and feature sections")
    p.add_argument("--out", type=Path, default=Path("report.html"),
                   help="HTML file to write (default report.html; replaced if it exists)")
    p.add_argument("--title", default="eegemo report")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..errors import ConfigurationError
    from ..viz.report import make_report, sort_runs

    if not args.runs and args.store is None:
        raise ConfigurationError("report: nothing to report (expected run folders and/or --store "
                                 "STORE)")
    rec, gen = sort_runs(args.runs)
    path = make_report(args.out, store=args.store, runs=rec, generator_runs=gen, title=args.title)
    print(f"report: {path.resolve()}")
    return 0
