"""``eegemo info PATH``: what a dataset folder or recording holds (no trial data are loaded)."""

from __future__ import annotations

import argparse
import json

__all__ = ["add_parser"]


def _run(args: argparse.Namespace) -> int:
    from ..datasets.info import format_summary, summarize

    opts = {}
    if args.kind:
        opts["kind"] = args.kind
    if args.feature:
        opts["feature"] = args.feature
    if args.labels:
        opts["labels"] = [s.strip() for s in args.labels.split(",") if s.strip()]
    if args.duration is not None:
        opts["duration"] = args.duration
    d = summarize(args.path, dataset=args.dataset, **opts)
    if args.json:
        print(json.dumps(d, indent=1, ensure_ascii=False))
    else:
        print(format_summary(d))
    return 0


def add_parser(subparsers) -> None:
    """Add ``eegemo info`` to the command line."""
    from ..datasets import DATASETS

    p = subparsers.add_parser(
        "info", help="show what a dataset folder or recording holds",
        description="Print the dataset, subjects, sessions, trials, channels, rate, durations and "
                    "label counts found at PATH, from metadata only (no trial data are loaded).")
    p.add_argument("path", metavar="PATH", help="dataset folder or recording file")
    p.add_argument("--dataset", metavar="D", default=None, choices=list(DATASETS),
                   help="force a reader (" + ", ".join(DATASETS) + "); default: auto-detect")
    p.add_argument("--kind", choices=("raw", "features"), default=None,
                   help="raw signals or released features (default: raw where present)")
    p.add_argument("--feature", metavar="NAME", default=None,
                   help="released feature to count (default de_LDS)")
    p.add_argument("--labels", metavar="A,B", default=None,
                   help="generic recordings: event descriptions that become trials")
    p.add_argument("--duration", type=float, metavar="S", default=None,
                   help="generic recordings: trial length in seconds for zero-length events")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_run)
