"""SEED (15 subjects × 3 sessions × 15 film clips; positive / neutral / negative).

Layouts read (``root`` is the folder you downloaded):

* ``root/Preprocessed_EEG/<subject>_<YYYYMMDD>.mat`` + ``label.mat``: variables ``<prefix>_eeg1`` …
  ``_eeg15`` (62 × n, 200 Hz, µV; the prefix differs per subject and is found with
  ``^(.*)_eeg(\\d+)$``). Trials come back in volts.
* ``root/ExtractedFeatures/<subject>_<YYYYMMDD>.mat``: ``de_LDS1`` … (62 × W × 5, 1-s windows); trials
  come back as (W, 62, 5) with ``sfreq=1.0``.
* the newer release: ``root/SEED_EEG/Preprocessed_EEG``, ``ExtractedFeatures_1s`` / ``_4s``
  (``window="4s"`` gives ``sfreq=0.25``) and ``SEED_RAW_EEG/<subject>_<session>.cnt`` (Neuroscan,
  66 channels, 1000 Hz; cut into the 15 trials at the published start/end seconds, M1/M2/VEO/HEO
  dropped).

The session of a ``.mat`` file is the rank of its date among the subject's files. Labels come from
``label.mat`` (or ``labels=``; without either, SEED's published sequence in ``tables/seed.json``, the
same for every session, with a warning); trial times from ``tables/seed.json`` (or ``trial_times=``).
Subject files copied to a folder of another name are read when SEED is chosen (``dataset="seed"``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._logging import logger
from ..errors import ConfigurationError, data_error
from ..recording import Recording
from ._family import (as_sessions, as_subjects, check_feature, check_kind, cnt_recording,
                      find_label_mat, glob_ci, label_names, load_table, marker_for,
                      mat_recordings, only_window, rank_sessions, read_label_mat, reject_unknown,
                      resolve_labels, resolve_times, subject_key)

if TYPE_CHECKING:
    from ._family import LabelsOverride, Selection, TrialTimes

__all__ = ["detect", "read", "read_seed", "locate"]

DATASET = "seed"
_MAT_NAME = re.compile(r"^(\d+)_(\d{8})\.mat$", re.IGNORECASE)
_CNT_NAME = re.compile(r"^(\d+)_(\d+)\.cnt$", re.IGNORECASE)
_ROOT_SUBDIRS = ("", "SEED_EEG", "SEED")


def _subject_mats(d: Path) -> list[Path]:
    return [p for p in glob_ci(d, "*.mat") if _MAT_NAME.match(p.name)]


def _warn_unread_mats(folder: Path) -> None:
    """Warn of ``.mat`` files of a SEED folder that are not read because their names are not
    ``<subject>_<yyyymmdd>.mat`` (a renamed download such as ``1_20131030 (1).mat`` would otherwise
    be a session missing without a word); ``label.mat`` and ``readme`` files are expected."""
    other = sorted(p.name for p in glob_ci(folder, "*.mat")
                   if not _MAT_NAME.match(p.name) and p.name.lower() != "label.mat")
    if other:
        logger.warning("%s: %d .mat file(s) not read, not named <subject>_<yyyymmdd>.mat: %s",
                       folder, len(other), ", ".join(other[:5]) + (", …" if len(other) > 5 else ""))


def _subject_cnts(d: Path) -> list[Path]:
    return [p for p in glob_ci(d, "*.cnt") if _CNT_NAME.match(p.name)]


def _peek_kind(d: Path) -> str | None:
    """'raw' or 'features' from the variables of the first subject file of a bare folder."""
    from ._family import FEATURE_RE, RAW_VAR_RE
    from ._mat import MatFile

    files = _subject_mats(d)
    if not files:
        return None
    try:
        keys = MatFile(files[0]).keys()
    except Exception:  # a corrupt first file: let read() report it
        return "raw"
    if any(RAW_VAR_RE.match(k) for k in keys):
        return "raw"
    if any(FEATURE_RE.match(re.sub(r"\d+$", "", k)) for k in keys):
        return "features"
    return None


def locate(path: str | os.PathLike, bare: bool = False) -> dict:
    """Find SEED's folders under ``path``.

    Parameters
    ----------
    path : path-like
    bare : bool
        Also take a folder of ``<subject>_<YYYYMMDD>.mat`` files under a name of the user's
        own and without ``label.mat`` (when SEED was chosen: SEED-IV's files are named alike,
        so detection alone does not take such a folder).

    Returns
    -------
    found : dict
        ``{"raw": Path | None, "features": {"1s": Path, "4s": Path}, "cnt": Path | None,
        "files": list of Path | None}`` (``files`` when ``path`` is one file).
    """
    p = Path(path)
    found: dict = {"raw": None, "features": {}, "cnt": None, "files": None}
    if p.is_file():
        if _MAT_NAME.match(p.name):
            kind = _peek_kind(p.parent) if p.parent.name not in ("Preprocessed_EEG",) else "raw"
            if p.parent.name.startswith("ExtractedFeatures"):
                kind = "features"
            if kind == "raw":
                found["raw"] = p.parent
            elif kind == "features":
                found["features"]["4s" if p.parent.name.endswith("_4s") else "1s"] = p.parent
            found["files"] = [p]
        elif _CNT_NAME.match(p.name) and p.parent.name == "SEED_RAW_EEG":
            found["cnt"] = p.parent
            found["files"] = [p]
        return found
    if not p.is_dir():
        return found
    for sub in _ROOT_SUBDIRS:
        r = p / sub if sub else p
        if found["raw"] is None and (r / "Preprocessed_EEG").is_dir() \
                and _subject_mats(r / "Preprocessed_EEG"):
            found["raw"] = r / "Preprocessed_EEG"
        for name, win in (("ExtractedFeatures", "1s"), ("ExtractedFeatures_1s", "1s"),
                          ("ExtractedFeatures_4s", "4s")):
            if win not in found["features"] and (r / name).is_dir() and _subject_mats(r / name):
                found["features"][win] = r / name
        if found["cnt"] is None and (r / "SEED_RAW_EEG").is_dir() and _subject_cnts(r / "SEED_RAW_EEG"):
            found["cnt"] = r / "SEED_RAW_EEG"
    if found["raw"] is None and not found["features"] and found["cnt"] is None:
        # a bare folder of subject files: it must carry label.mat or SEED's folder name
        named = p.name in ("Preprocessed_EEG",) or p.name.startswith("ExtractedFeatures")
        if _subject_mats(p) and (named or bare or find_label_mat(p) is not None):
            # a first file of neither kind is read as raw, whose error names its variables
            kind = "features" if p.name.startswith("ExtractedFeatures") else (_peek_kind(p) or "raw")
            if kind == "raw":
                found["raw"] = p
            elif kind == "features":
                found["features"]["4s" if p.name.endswith("_4s") else "1s"] = p
        elif p.name == "SEED_RAW_EEG" and _subject_cnts(p):
            found["cnt"] = p
    return found


def detect(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds SEED (a root, one of its folders, or one subject file)."""
    f = locate(path)
    return bool(f["raw"] or f["features"] or f["cnt"])


def read(path: str | os.PathLike, *, kind: str | None = None, feature: str = "de_LDS",
         subjects: Selection = None, sessions: Selection = None, labels: LabelsOverride = None,
         trial_times: TrialTimes = None, window: str | None = None,
         raw_format: str | None = None, data_format: str | None = None,
         **kwargs: Any) -> list[Recording]:
    """Read SEED recordings, lazily.

    Parameters
    ----------
    path : path-like
        The dataset root, ``Preprocessed_EEG``/``ExtractedFeatures``/``SEED_RAW_EEG`` itself, or one file.
    kind : {"raw", "features"} | None
        ``None``: raw where present, else features.
    feature : str
        Released feature for ``kind="features"``: ``de_LDS`` (default), ``de_movingAve``, ``psd_LDS``,
        ``psd_movingAve`` (62 rows) or ``dasm_``/``rasm_``/``asm_``/``dcau_`` + ``LDS``/``movingAve``.
    subjects, sessions : None | id | sequence
        Keep only these subjects (``"1"`` or ``1``) and sessions (1-3).
    labels : sequence of int | dict | None
        Replace ``label.mat`` (15 values: 1 positive, 0 neutral, -1 negative), or a dict session →
        its 15 values where sessions differ.
    trial_times : dict | None
        ``{"start": [...], "end": [...]}`` seconds for ``.cnt`` files (default: ``tables/seed.json``).
    window : {"1s", "4s"} | None
        Feature window of the newer release (``ExtractedFeatures_1s`` / ``_4s``). None: 1 s where
        present, else the one window the folder holds (e.g. a path inside ``ExtractedFeatures_4s``).
    raw_format : {"mat", "cnt"} | None
        Raw source when both exist: the 200 Hz preprocessed ``.mat`` (default) or the 1000 Hz ``.cnt``.
    data_format : {"int16", "int32"} | None
        Sample format of the ``.cnt`` files (detected when ``None``).

    Returns
    -------
    recordings : list of Recording
        Sorted by subject (numerically) then session.

    Raises
    ------
    eegemo.errors.DataFormatError
        Missing label file, wrong shapes, corrupt files, trial/label count mismatch, no SEED layout.
    """
    reject_unknown(kwargs, "SEED", read)
    check_kind(kind)
    if window not in (None, "1s", "4s"):
        raise ConfigurationError(f"window: expected '1s', '4s' or None, found {window!r}")
    if raw_format not in (None, "mat", "cnt"):
        raise ConfigurationError(f"raw_format: expected 'mat', 'cnt' or None, found {raw_format!r}")
    found = locate(path, bare=True)
    if not (found["raw"] or found["features"] or found["cnt"]):
        raise data_error(path, "no SEED layout", expected="Preprocessed_EEG/ or ExtractedFeatures/ "
                         "with <subject>_<YYYYMMDD>.mat, or SEED_RAW_EEG/<subject>_<session>.cnt",
                         found="none of them")
    want_subj, want_sess = as_subjects(subjects), as_sessions(sessions)
    marker = marker_for(path, [found["raw"], found["cnt"], *found["features"].values()])
    simulated = bool(marker and marker.get("simulated", True))
    table = load_table("seed")
    names = label_names(table)

    use_raw_mat = found["raw"] is not None and raw_format in (None, "mat")
    use_cnt = found["cnt"] is not None and (raw_format == "cnt" or (raw_format is None
                                                                     and found["raw"] is None))
    if kind is None:
        kind = "raw" if (use_raw_mat or use_cnt) else "features"
    if kind == "raw" and not (use_raw_mat or use_cnt):
        raise data_error(path, "no raw SEED data", expected="Preprocessed_EEG/*.mat or "
                         f"SEED_RAW_EEG/*.cnt{' (raw_format=' + raw_format + ')' if raw_format else ''}",
                         found="features only" if found["features"] else "nothing")

    if kind == "raw" and use_cnt and not use_raw_mat:
        return _read_cnt(found, want_subj, want_sess, labels, trial_times, marker, table, names,
                         simulated, data_format)

    if kind == "raw":
        folder = found["raw"]
        sfreq = float(table["raw_sfreq"])
    else:
        check_feature(feature)
        window = window or only_window(found["features"], path)
        folder = found["features"].get(window)
        if folder is None:
            raise data_error(path, f"no SEED features for window {window}",
                             expected="ExtractedFeatures/ (1 s) or ExtractedFeatures_1s/_4s",
                             found=", ".join(found["features"]) or "no feature folder")
        sfreq = 1.0 if window == "1s" else 0.25
    parsed = [(m.group(1), m.group(2), f) for f in _subject_mats(folder)
              if (m := _MAT_NAME.match(f.name))]
    if not found["files"]:
        _warn_unread_mats(folder)
    ranks = rank_sessions(parsed, table.get("dates"))
    only = {f.name for f in found["files"]} if found["files"] else None
    selected = []
    for subj, date, f in parsed:
        sess = ranks[f]
        if only is not None and f.name not in only:
            continue
        if want_subj is not None and subject_key(subj) not in want_subj:
            continue
        if want_sess is not None and sess not in want_sess:
            continue
        selected.append((subj, sess, date, f))
    selected.sort(key=lambda r: (int(r[0]), r[1]))
    if isinstance(labels, Mapping):   # session → its labels, as the .cnt path takes them
        def labels_for(session, p):
            return resolve_labels(labels, [], session, "SEED")
    else:
        lab = read_label_mat(folder, labels, allowed=names, published=table["labels"])

        def labels_for(session, p):
            return lab
    recs = mat_recordings(DATASET, selected, kind=kind, feature=feature,
                          labels_for=labels_for, sfreq=sfreq, label_names=names,
                          simulated=simulated,
                          extra={"window": window} if kind == "features" else None)
    return recs


def _read_cnt(found, want_subj, want_sess, labels, trial_times, marker, table, names, simulated,
              data_format) -> list[Recording]:
    files = found["files"] or _subject_cnts(found["cnt"])
    out = []
    for f in files:
        m = _CNT_NAME.match(f.name)
        subj, sess = m.group(1), int(m.group(2))
        if (want_subj is not None and subject_key(subj) not in want_subj) or \
                (want_sess is not None and sess not in want_sess):
            continue
        lab = resolve_labels(labels, table["labels"], sess, "SEED")
        starts, ends = resolve_times(trial_times, marker, table["trial_times"], sess, "SEED")
        out.append(cnt_recording(DATASET, f, subject=subj, session=sess, date=None, starts=starts,
                                 ends=ends, labels=lab, label_names=names, simulated=simulated,
                                 data_format=data_format))
    out.sort(key=lambda r: (int(r.subject), r.session))
    return out


def read_seed(path: str | os.PathLike, **kwargs: Any) -> list[Recording]:
    """Read SEED; see :func:`read` (this name mirrors MNE's ``read_raw_<format>`` functions)."""
    return read(path, **kwargs)
