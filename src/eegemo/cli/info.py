"""``eegemo info PATH``: what a dataset folder, recording, prepared store or run folder holds (metadata
only)."""

from __future__ import annotations

import argparse
import json
import os

from ._options import add_reader_options, reader_options

__all__ = ["add_parser"]


def _columns(rows) -> str:
    """Two columns: a 12-character key, then the value."""
    return "\n".join(f"{k:<12} {v}" for k, v in rows)


def _store_text(d: dict) -> str:
    """Two-column text of :meth:`eegemo.store.Store.describe`."""
    from ..store._store import filters_text
    from ..datasets.info import _fmt_list

    sim = "  (SIMULATED data written by eegemo)" if d["simulated"] else ""
    window = f"{d['window_s']:g} s" + (f", overlap {d['overlap_s']:g} s" if d["overlap_s"] else "")
    rows = [("path", f"{d['path']}  (eegemo store, config {d['config_hash']})"),
            ("dataset", f"{d['dataset']}{sim}"), ("source kind", str(d["kind"])),
            ("recordings", str(d["n_recordings"])),
            ("subjects", f"{len(d['subjects'])}  ({_fmt_list(d['subjects'], 8)})"),
            ("sessions", _fmt_list([s for s in d["sessions"] if str(s) != "-1"], 8)
             or "- (none in the source)"),
            ("trials", str(d["n_trials"])),
            ("windows", f"{d['n_windows']} table rows (no signal, no time)"
             if d["dataset"] == "bird" else f"{d['n_windows']} of {window}"),
            ("rate", f"{d['sfreq']:g} Hz" if d["sfreq"] else "-"),
            ("filters", filters_text(d.get("filters") or {})),
            ("channels", str(d["n_channels"])),
            ("bands", _fmt_list(d["bands"], 8) or "- (one value per feature)"),
            ("arrays", "; ".join(f"{n} {tuple(s)}" for n, s in d["arrays"].items())),
            ("units", "; ".join(f"{k}: {v}" for k, v in d["units"].items()) or "-"),
            ("labels", ", ".join(f"{k}: {v}" for k, v in d["labels"].items()) or "-"),
            ("on disk", f"{d['bytes'] / 1e6:.1f} MB (eegemo {d['eegemo_version']})")]
    return _columns(rows)


def _recognition_text(path, m: dict) -> str:
    """A recognition run: what was trained on what, then its table (as `eegemo evaluate` prints)."""
    from ..evaluation import format_metrics
    from ..evaluation.runner import normalize_text

    cfg = m.get("config") or {}
    head = [("path", f"{path}  (recognition run, `eegemo train`)"),
            ("store", f"{cfg.get('store')}  (manifest {cfg.get('store_manifest_hash')})"),
            ("input", f"{cfg.get('array')} ({cfg.get('input_kind')}), {normalize_text(m)}"),
            ("classes", ", ".join(map(str, (cfg.get("label_names") or {}).values())) or "-"),
            ("eegemo", str((m.get("versions") or {}).get("eegemo", "-")))]
    return _columns(head) + "\n\n" + format_metrics(m)


def _generator_text(path, cfg: dict, ev: dict | None) -> str:
    """A generator run: model, training rows and time, and its synth-eval numbers if saved beside."""
    sim = "  (trained on SIMULATED data)" if cfg.get("simulated") else ""
    rows = [("path", f"{path}  (generator run, `eegemo train-generator`)"),
            ("model", f"{cfg.get('model')}{sim}"),
            ("store", f"{cfg.get('store')}  (manifest {cfg.get('store_manifest_hash', '-')})"),
            ("rows", f"{cfg.get('array')} {tuple(cfg.get('input_shape') or ())}, "
                     f"{cfg.get('n_train')} training, {cfg.get('n_holdout')} held out "
                     f"({cfg.get('holdout')})"),
            ("classes", ", ".join(map(str, (cfg.get("label_names") or {}).values())) or "-"),
            ("training", f"{cfg.get('epochs')} epochs in {cfg.get('fit_seconds', 0):.1f} s on "
                         f"{cfg.get('device')}")]
    if ev:
        keys = ("c2st", "c2st_real_floor", "psd_distance", "psd_distance_real_floor", "tstr", "trtr")
        rows.append(("synth-eval", ", ".join(f"{k} {ev[k]:.3f}" for k in keys
                                            if isinstance(ev.get(k), (int, float)))))
    return _columns(rows)


def _run_info(path, kind: str, as_json: bool) -> str:
    from pathlib import Path

    from ..evaluation import load_run
    from ..evaluation.generation import read_config

    path = Path(path)
    if kind == "recognition run":
        m = load_run(path)
        return json.dumps(m, indent=1, ensure_ascii=False) if as_json else _recognition_text(path, m)
    cfg = read_config(path)
    ev = None
    if (path / "synth_eval.json").is_file():
        try:
            ev = json.loads((path / "synth_eval.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ev = None
    ev = ev if isinstance(ev, dict) else None
    if as_json:
        return json.dumps({"config": cfg, "synth_eval": ev}, indent=1, ensure_ascii=False)
    return _generator_text(path, cfg, ev)


def _run(args: argparse.Namespace) -> int:
    from .._files import damaged_run, folder_kind
    from ..datasets.info import format_summary, summarize
    from ..store import open_store
    from ..store._store import set_aside_store

    kind = folder_kind(args.path)
    damaged = damaged_run(args.path) if kind is None else None
    if damaged is not None:          # a run folder missing a file, not an unknown dataset
        raise damaged
    if kind == "store" or (not os.path.exists(args.path) and set_aside_store(args.path)):
        # a prepared store, not a dataset (or one an interrupted --overwrite set aside)
        d = open_store(args.path).describe()
        print(json.dumps(d, indent=1, ensure_ascii=False) if args.json else _store_text(d))
        return 0
    if kind is not None:
        print(_run_info(args.path, kind, args.json))
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


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``eegemo info`` to the command line."""
    from ..datasets import DATASETS

    p = subparsers.add_parser(
        "info", help="show what a dataset folder, recording, store or run folder holds",
        description="Print the dataset, subjects, sessions, trials, channels, rate, durations and "
                    "label counts found at PATH, from metadata only (no trial data are loaded); "
                    "for a store written by `eegemo prepare`, its windows, arrays, labels and size; "
                    "for a run folder, what was trained on what, and its results.")
    p.add_argument("path", metavar="PATH", help="dataset folder, recording file, store or run folder")
    p.add_argument("--dataset", metavar="D", default=None, choices=list(DATASETS),
                   help="force a reader (" + ", ".join(DATASETS) + "); default: auto-detect")
    p.add_argument("--kind", choices=("raw", "features"), default=None,
                   help="raw signals or released features (default: raw where present)")
    p.add_argument("--feature", metavar="NAME", default=None,
                   help="released feature to count (default de_LDS)")
    add_reader_options(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_run)
