"""What a dataset folder or file holds, without loading any trial data (``eegemo info``)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..recording import Recording

__all__ = ["summarize", "format_summary"]


def _natural(s: str):
    return (0, int(s), "") if s.lstrip("-").isdigit() else (1, 0, s)


def _one_or_all(values):
    uniq = sorted(set(values), key=lambda v: (v is None, v if v is not None else 0))
    if not uniq:
        return None
    return uniq[0] if len(uniq) == 1 else uniq


def summarize(path_or_recordings: str | os.PathLike | Sequence[Recording], dataset: str | None = None,
              **read_kwargs: Any) -> dict:
    """Summarise recordings from their metadata only (trial lengths from ``n_times``).

    Parameters
    ----------
    path_or_recordings : path-like | sequence of Recording
        A dataset folder or file (read with :func:`eegemo.datasets.read`), or recordings already read.
    dataset : str | None
        Passed to :func:`eegemo.datasets.read` (``None`` auto-detects).
    **read_kwargs
        Further options for :func:`eegemo.datasets.read` (``kind``, ``feature``, ``labels``, …).

    Returns
    -------
    summary : dict
        JSON-serialisable: ``path``, ``dataset``, ``simulated``, ``kind``, ``feature``, ``n_recordings``,
        ``n_files``, ``files`` (source paths), ``subjects``, ``n_subjects``, ``sessions``, ``n_trials``,
        ``n_channels`` (int, or a list when recordings differ), ``ch_names`` (of the first
        recording), ``sfreq`` (float or list), ``total_duration_s``, ``mean_trial_duration_s``,
        ``min_trial_duration_s``, ``max_trial_duration_s`` (``None`` where lengths are unknown or
        meaningless, e.g. the Bird table), ``labels`` (label name → trial count, in label order),
        ``unlabelled_trials``, ``events`` (description → count of the events found in generic
        recordings, whether or not they became trials), ``unlabelled_because`` (file name → why
        a generic recording with events was read unlabelled, e.g. zero-length triggers without
        ``duration=``).
    """
    path = None
    if isinstance(path_or_recordings, (str, os.PathLike)):
        from . import detect_dataset, read  # the dispatcher

        path = Path(path_or_recordings)
        if dataset is None:
            dataset = detect_dataset(path)
        if dataset == "generic":
            read_kwargs.setdefault("unlabelled", "auto")  # a file without events is still shown
        recs = list(read(path, dataset=dataset, **read_kwargs))
    else:
        recs = list(path_or_recordings)
    trials = [t for r in recs for t in r.trials]
    durations = []
    timed = all(t.n_times is not None and t.sfreq and (t.kind == "raw" or t.bands is not None)
                for t in trials)
    if timed:
        durations = [t.n_times / t.sfreq for t in trials]
    counts: Counter = Counter()  # by (int, name): recordings of a generic folder may differ
    for r in recs:
        counts.update((t.label, r.label_names.get(t.label, str(t.label))) for t in r.trials
                      if t.label is not None)
    labels: dict[str, int] = {}
    for (_, name), n in sorted(counts.items(), key=lambda kv: kv[0]):
        labels[name] = labels.get(name, 0) + int(n)
    files = sorted(dict.fromkeys(str(r.source) for r in recs))
    subjects = sorted({r.subject for r in recs}, key=_natural)
    sessions = sorted({r.session for r in recs if r.session is not None})
    datasets = sorted({r.dataset for r in recs})
    events: Counter = Counter()
    for r in recs:
        events.update(r.extra.get("events") or {})
    because = {Path(str(r.source)).name: r.extra["unlabelled_because"] for r in recs
               if r.extra.get("unlabelled_because") and r.extra.get("events")}
    return {
        "path": str(path) if path is not None else None,
        "dataset": (datasets[0] if len(datasets) == 1 else datasets) if datasets else dataset,
        "simulated": bool(recs) and all(r.simulated for r in recs),
        "kind": _one_or_all(r.kind for r in recs),
        "feature": _one_or_all(r.feature for r in recs),
        "n_recordings": len(recs),
        "n_files": len(files),
        "files": files,
        "subjects": subjects,
        "n_subjects": len(subjects),
        "sessions": sessions,
        "n_trials": len(trials),
        "n_channels": _one_or_all(len(r.ch_names) for r in recs if r.trials),
        "ch_names": list(recs[0].ch_names) if recs else [],
        "sfreq": _one_or_all(float(r.sfreq) for r in recs if r.sfreq is not None),
        "total_duration_s": round(sum(durations), 3) if timed and trials else None,
        "mean_trial_duration_s": round(sum(durations) / len(durations), 3) if durations else None,
        "min_trial_duration_s": round(min(durations), 3) if durations else None,
        "max_trial_duration_s": round(max(durations), 3) if durations else None,
        "labels": labels,
        "unlabelled_trials": sum(1 for t in trials if t.label is None),
        "events": dict(events),
        "unlabelled_because": because,
    }


def _fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 3600:
        return f"{s:.1f} s ({s / 3600:.2f} h)"
    if s >= 60:
        return f"{s:.1f} s ({s / 60:.1f} min)"
    return f"{s:.4g} s"


def _fmt_list(values, limit: int = 12) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return f"{shown}, … ({len(values)} in all)" if len(values) > limit else shown


def format_summary(d: dict) -> str:
    """A readable two-column table of a :func:`summarize` result.

    Parameters
    ----------
    d : dict
        The output of :func:`summarize`.

    Returns
    -------
    text : str
        One ``name  value`` line per fact (no trailing newline).
    """
    ds = d.get("dataset")
    ds = ", ".join(ds) if isinstance(ds, list) else str(ds)
    if d.get("simulated"):
        ds += "  (SIMULATED data written by eegemo)"
    sfreq = d.get("sfreq")
    unit = "Hz" if d.get("kind") == "raw" else "windows/s"
    sfreq_s = (_fmt_list(sfreq) if isinstance(sfreq, list) else f"{sfreq:g}") if sfreq else "-"
    if d.get("dataset") == "bird":     # rows of a table: no signal, no windows in time
        sfreq_s, unit = "-", "(a table of feature rows, no signal)"
    nch = d.get("n_channels")
    nch_s = _fmt_list(nch) if isinstance(nch, list) else str(nch if nch is not None else "-")
    if d.get("ch_names"):
        nch_s += f"  ({_fmt_list(d['ch_names'], 8)})"
    labels = d.get("labels") or {}
    lab_s = ", ".join(f"{k}: {v}" for k, v in labels.items()) or "-"
    if d.get("unlabelled_trials"):
        lab_s += f"  (+{d['unlabelled_trials']} unlabelled)"
    kind = d.get("kind")
    kind_s = _fmt_list(kind) if isinstance(kind, list) else str(kind)
    if d.get("feature"):
        kind_s += f" ({d['feature']})"
    rows = [
        ("path", d.get("path") or "-"),
        ("dataset", ds),
        ("kind", kind_s),
        ("files", f"{d.get('n_files', 0)}  ({_fmt_list([Path(f).name for f in d.get('files', [])], 4)})"),
        ("recordings", str(d.get("n_recordings", 0))),
        ("subjects", f"{d.get('n_subjects', 0)}  ({_fmt_list(d.get('subjects', []))})"),
        ("sessions", _fmt_list(d.get("sessions") or []) or "-"),
        ("trials", str(d.get("n_trials", 0))),
        ("channels", nch_s),
        ("rate", f"{sfreq_s} {unit}" if sfreq else "-"),
        ("time in trials", _fmt_seconds(d.get("total_duration_s"))),
        ("trial duration", "-" if d.get("mean_trial_duration_s") is None else
         f"mean {_fmt_seconds(d['mean_trial_duration_s'])}, min {_fmt_seconds(d['min_trial_duration_s'])}"
         f", max {_fmt_seconds(d['max_trial_duration_s'])}"),
        ("labels", lab_s),
    ]
    if d.get("events"):
        ev = sorted(d["events"].items(), key=lambda kv: -kv[1])
        rows.append(("events", _fmt_list([f"{k}: {v}" for k, v in ev], 10)))
    because = d.get("unlabelled_because") or {}
    for name, why in list(because.items())[:3]:
        rows.append(("not cut", f"{name}: {why}"))
    if len(because) > 3:
        rows.append(("not cut", f"… and {len(because) - 3} more file(s) read unlabelled"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
