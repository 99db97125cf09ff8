"""``eegemo info PATH``: what a dataset folder, recording or prepared store holds (metadata only)."""

from __future__ import annotations

import argparse
import json

from ._options import add_reader_options, reader_options

__all__ = ["add_parser"]


def _store_text(d: dict) -> str:
    """Two-column text of :meth:`eegemo.store.Store.describe`."""
    from ..datasets.info import _fmt_list

    sim = "  (SIMULATED data written by eegemo)" if d["simulated"] else ""
    window = f"{d['window_s']:g} s" + (f", overlap {d['overlap_s']:g} s" if d["overlap_s"] else "")
    rows = [("path", f"{d['path']}  (eegemo store, config {d['config_hash']})"),
            ("dataset", f"{d['dataset']}{sim}"), ("source kind", str(d["kind"])),
            ("recordings", str(d["n_recordings"])),
            ("subjects", f"{len(d['subjects'])}  ({_fmt_list(d['subjects'], 8)})"),
            ("sessions", _fmt_list(d["sessions"], 8)), ("trials", str(d["n_trials"])),
            ("windows", f"{d['n_windows']} of {window}"),
            ("rate", f"{d['sfreq']:g} Hz" if d["sfreq"] else "-"),
            ("channels", str(d["n_channels"])), ("bands", _fmt_list(d["bands"], 8)),
            ("arrays", "; ".join(f"{n} {tuple(s)}" for n, s in d["arrays"].items())),
            ("units", "; ".join(f"{k}: {v}" for k, v in d["units"].items()) or "-"),
            ("labels", ", ".join(f"{k}: {v}" for k, v in d["labels"].items()) or "-"),
            ("on disk", f"{d['bytes'] / 1e6:.1f} MB (eegemo {d['eegemo_version']})")]
    return "\n".join(f"{k:<12} {v}" for k, v in rows)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..datasets.info import format_summary, summarize
    from ..store import open_store
    from ..store._store import MANIFEST

    if (Path(args.path) / MANIFEST).is_file():     # a prepared store, not a dataset
        d = open_store(args.path).describe()
        print(json.dumps(d, indent=1, ensure_ascii=False) if args.json else _store_text(d))
        return 0
    opts = reader_options(args)
    if args.kind:
        opts["kind"] = args.kind
    if args.feature:
        opts["feature"] = args.feature
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
        "info", help="show what a dataset folder, recording or store holds",
        description="Print the dataset, subjects, sessions, trials, channels, rate, durations and "
                    "label counts found at PATH, from metadata only (no trial data are loaded); "
                    "for a store written by `eegemo prepare`, its windows, arrays, labels and size.")
    p.add_argument("path", metavar="PATH", help="dataset folder, recording file or store")
    p.add_argument("--dataset", metavar="D", default=None, choices=list(DATASETS),
                   help="force a reader (" + ", ".join(DATASETS) + "); default: auto-detect")
    p.add_argument("--kind", choices=("raw", "features"), default=None,
                   help="raw signals or released features (default: raw where present)")
    p.add_argument("--feature", metavar="NAME", default=None,
                   help="released feature to count (default de_LDS)")
    add_reader_options(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_run)
