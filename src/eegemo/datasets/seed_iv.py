"""SEED-IV (15 subjects × 3 sessions × 24 clips; 0 neutral, 1 sad, 2 fear, 3 happy).

Layout: ``root/eeg_raw_data/<session>/<subject>_<YYYYMMDD>.mat`` (``<prefix>_eeg1`` … ``_eeg24``,
62 × n, 200 Hz, µV → volts) and ``root/eeg_feature_smooth/<session>/<subject>_<YYYYMMDD>.mat``
(``de_LDS1`` …, 62 × W × 5 with **4-second** windows → trials (W, 62, 5), ``sfreq=0.25``). There is
no label file: the published per-session sequences in ``tables/seed_iv.json`` are used unless
``labels=`` (a list, or ``{session: list}``) replaces them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import data_error
from ..recording import Recording
from ._family import (as_sessions, as_subjects, check_feature, check_kind, glob_ci, label_names,
                      load_table, marker_for, mat_recordings, reject_unknown, resolve_labels,
                      subject_key)

if TYPE_CHECKING:
    from ._family import LabelsOverride, Selection

__all__ = ["detect", "read", "read_seed_iv", "locate"]

DATASET = "seed-iv"
_MAT_NAME = re.compile(r"^(\d+)_(\d{8})\.mat$", re.IGNORECASE)
_FOLDERS = {"raw": "eeg_raw_data", "features": "eeg_feature_smooth"}


def _session_dirs(d: Path) -> dict[int, Path]:
    return {int(s.name): s for s in sorted(d.iterdir()) if s.is_dir() and s.name.isdigit()
            and any(_MAT_NAME.match(f.name) for f in glob_ci(s, "*.mat"))} if d.is_dir() else {}


def locate(path: str | os.PathLike) -> dict:
    """Find SEED-IV's folders: ``{"raw": {session: Path}, "features": {session: Path}, "files": ...}``."""
    p = Path(path)
    found: dict = {"raw": {}, "features": {}, "files": None}
    kinds = {v: k for k, v in _FOLDERS.items()}
    if p.is_file():
        if _MAT_NAME.match(p.name) and p.parent.name.isdigit() and p.parent.parent.name in kinds:
            found[kinds[p.parent.parent.name]][int(p.parent.name)] = p.parent
            found["files"] = [p]
        return found
    if not p.is_dir():
        return found
    if p.name.isdigit() and p.parent.name in kinds:
        if any(_MAT_NAME.match(f.name) for f in glob_ci(p, "*.mat")):
            found[kinds[p.parent.name]][int(p.name)] = p
        return found
    if p.name in kinds:
        found[kinds[p.name]] = _session_dirs(p)
        return found
    for sub in ("", "SEED_IV", "SEED-IV", "seed_iv"):
        r = p / sub if sub else p
        for kind, name in _FOLDERS.items():
            if not found[kind]:
                found[kind] = _session_dirs(r / name)
    return found


def detect(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds SEED-IV (a root, ``eeg_raw_data``/``eeg_feature_smooth``, a session folder
    or one file)."""
    f = locate(path)
    return bool(f["raw"] or f["features"])


def read(path: str | os.PathLike, *, kind: str | None = None, feature: str = "de_LDS",
         subjects: Selection = None, sessions: Selection = None, labels: LabelsOverride = None,
         **kwargs: Any) -> list[Recording]:
    """Read SEED-IV recordings, lazily.

    Parameters
    ----------
    path : path-like
        The root, ``eeg_raw_data``/``eeg_feature_smooth``, one session folder, or one file.
    kind : {"raw", "features"} | None
        ``None``: raw where present, else features.
    feature : str
        ``de_LDS`` (default), ``de_movingAve``, ``psd_LDS``, ``psd_movingAve``.
    subjects, sessions : None | id | sequence
        Keep only these subjects and sessions (1-3, the folder names).
    labels : sequence of int | dict of int -> sequence | None
        Replace the published labels (24 per session).

    Returns
    -------
    recordings : list of Recording
        Sorted by subject then session; raw at 200 Hz (volts), features at 0.25 windows/s.

    Raises
    ------
    eegemo.errors.DataFormatError
        Wrong shapes, corrupt files, trial/label count mismatch, no SEED-IV layout.
    """
    reject_unknown(kwargs, "SEED-IV", read)
    check_kind(kind)
    found = locate(path)
    if not (found["raw"] or found["features"]):
        raise data_error(path, "no SEED-IV layout", expected="eeg_raw_data/<session>/ or "
                         "eeg_feature_smooth/<session>/ with <subject>_<YYYYMMDD>.mat",
                         found="none of them")
    kind = kind or ("raw" if found["raw"] else "features")
    if not found[kind]:
        raise data_error(path, f"no SEED-IV {kind} data", expected=f"{_FOLDERS[kind]}/<session>/",
                         found=f"only {_FOLDERS['features' if kind == 'raw' else 'raw']}")
    if kind == "features":
        check_feature(feature)
    table = load_table("seed_iv")
    want_subj, want_sess = as_subjects(subjects), as_sessions(sessions)
    only = {f.name for f in found["files"]} if found["files"] else None
    selected = []
    for sess, d in sorted(found[kind].items()):
        if want_sess is not None and sess not in want_sess:
            continue
        for f in glob_ci(d, "*.mat"):
            m = _MAT_NAME.match(f.name)
            if not m or (only is not None and f.name not in only):
                continue
            if want_subj is not None and subject_key(m.group(1)) not in want_subj:
                continue
            selected.append((m.group(1), sess, m.group(2), f))
    selected.sort(key=lambda r: (int(r[0]), r[1]))
    marker = marker_for(path, [*found["raw"].values(), *found["features"].values()])
    sfreq = float(table["raw_sfreq"]) if kind == "raw" else 1.0 / float(table["feature_window_s"])
    return mat_recordings(
        DATASET, selected, kind=kind, feature=feature,
        labels_for=lambda session, p: resolve_labels(labels, table["labels"], session, "SEED-IV"),
        sfreq=sfreq, label_names=label_names(table),
        simulated=bool(marker and marker.get("simulated", True)))


def read_seed_iv(path: str | os.PathLike, **kwargs: Any) -> list[Recording]:
    """Read SEED-IV; see :func:`read`."""
    return read(path, **kwargs)
