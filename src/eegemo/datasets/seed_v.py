"""SEED-V (16 subjects × 3 sessions × 15 clips; 0 disgust, 1 fear, 2 sad, 3 neutral, 4 happy).

* Raw: ``root/EEG_raw/<subject>_<session>_<YYYYMMDD>.cnt`` (Neuroscan, 1000 Hz, 66 channels) cut into
  the session's 15 trials at the published start/end seconds (``tables/seed_v.json``, or
  ``trial_times=``; a simulated dataset's marker gives its own). M1, M2, VEO and HEO are dropped; the 62
  EEG channels are kept in SEED's order. The file is opened with ``preload=False`` and each trial is read
  on its own, so memory stays near one trial. A ``*repaired*`` copy (BCMI ships
  ``7_1_20180411_repaired.cnt``) replaces its original unless ``repaired=False``; two other files
  of one subject and session are refused.
* Features: ``root/EEG_DE_features/<subject>_123.npz``: ``data`` and ``label`` are pickled dicts with keys
  0-44 (15 trials × 3 sessions), ``data[k]`` n × 310 (4-s windows). They are unpickled with a restricted
  unpickler (NumPy arrays and numbers only). The 310 columns are read channel-major (62 × 5, TorchEEG's
  reading) unless ``de_layout="band-major"``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..bands import SEED_BANDS
from ..channels import SEED_CHANNELS
from ..errors import ConfigurationError, data_error
from ..recording import Recording, Trial, check_finite
from ._family import (as_sessions, as_subjects, check_bool, check_kind, check_label_codes,
                      check_one_de, cnt_recording, glob_ci, label_names, load_table, marker_for,
                      one_file_per_recording, real_array, reject_unknown, resolve_labels,
                      resolve_times, subject_key)
from ._npz import load_npz

if TYPE_CHECKING:
    from ._family import LabelsOverride, Selection, TrialTimes

__all__ = ["detect", "read", "read_seed_v", "locate"]

DATASET = "seed-v"
_CNT_NAME = re.compile(r"^(\d+)_(\d+)_(\d{8})(.*)\.cnt$", re.IGNORECASE)
_NPZ_NAME = re.compile(r"^(\d+)_123\.npz$", re.IGNORECASE)


def locate(path: str | os.PathLike) -> dict:
    """Find SEED-V's folders: ``{"raw": Path | None, "features": Path | None, "files": ...}``."""
    p = Path(path)
    found: dict = {"raw": None, "features": None, "files": None}
    if p.is_file():
        if _CNT_NAME.match(p.name):
            found["raw"], found["files"] = p.parent, [p]
        elif _NPZ_NAME.match(p.name):
            found["features"], found["files"] = p.parent, [p]
        return found
    if not p.is_dir():
        return found
    if p.name == "EEG_raw" or (p.name != "EEG_DE_features" and any(
            _CNT_NAME.match(f.name) for f in glob_ci(p, "*.cnt"))):
        if any(_CNT_NAME.match(f.name) for f in glob_ci(p, "*.cnt")):
            found["raw"] = p
        return found
    if p.name == "EEG_DE_features" or any(_NPZ_NAME.match(f.name) for f in glob_ci(p, "*.npz")):
        if any(_NPZ_NAME.match(f.name) for f in glob_ci(p, "*.npz")):
            found["features"] = p
        return found
    for sub in ("", "SEED-V", "SEED_V", "SEED5"):
        r = p / sub if sub else p
        if found["raw"] is None and (r / "EEG_raw").is_dir() and any(
                _CNT_NAME.match(f.name) for f in glob_ci(r / "EEG_raw", "*.cnt")):
            found["raw"] = r / "EEG_raw"
        if found["features"] is None and (r / "EEG_DE_features").is_dir() and any(
                _NPZ_NAME.match(f.name) for f in glob_ci(r / "EEG_DE_features", "*.npz")):
            found["features"] = r / "EEG_DE_features"
    return found


def detect(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds SEED-V (root, ``EEG_raw``, ``EEG_DE_features`` or one of their files)."""
    f = locate(path)
    return bool(f["raw"] or f["features"])


def read(path: str | os.PathLike, *, kind: str | None = None, feature: str = "de_LDS",
         subjects: Selection = None, sessions: Selection = None, labels: LabelsOverride = None,
         trial_times: TrialTimes = None, repaired: bool = True,
         de_layout: str | None = None, data_format: str | None = None,
         **kwargs: Any) -> list[Recording]:
    """Read SEED-V recordings, lazily.

    Parameters
    ----------
    path : path-like
        The root, ``EEG_raw``, ``EEG_DE_features`` or one ``.cnt``/``.npz`` file.
    kind : {"raw", "features"} | None
        ``None``: raw where present, else features.
    feature : str
        Only one DE feature is released: ``de_LDS`` (the default) or ``de``; another name
        (``de_movingAve``, ``psd_LDS``) is refused rather than recorded for data it is not.
    subjects, sessions : None | id | sequence
    labels : sequence | dict of int -> sequence | None
        Raw trials' labels (default: the published per-session sequences).
    trial_times : dict | None
        ``{"start": [...], "end": [...]}`` or ``{session: {...}}`` in seconds.
    repaired : bool
        Read a ``*repaired*.cnt`` copy instead of its original where both exist (the default);
        ``False`` reads the original. A copy without an original is read either way.
    de_layout : {"channel-major", "band-major"} | None
        How the 310 DE columns are ordered (default: the table's, channel-major).
    data_format : {"int16", "int32"} | None
        Neuroscan sample format (detected when ``None``).

    Returns
    -------
    recordings : list of Recording
        Raw: 1000 Hz, 62 channels, volts. Features: (W, 62, 5), 0.25 windows/s.

    Raises
    ------
    eegemo.errors.DataFormatError
        Missing or truncated files, wrong channel counts or shapes, a forbidden pickle, label/trial
        count mismatch, or no SEED-V layout.
    """
    reject_unknown(kwargs, "SEED-V", read)
    check_kind(kind)
    repaired = check_bool("repaired", repaired)
    found = locate(path)
    if not (found["raw"] or found["features"]):
        raise data_error(path, "no SEED-V layout", expected="EEG_raw/<subject>_<session>_<date>.cnt "
                         "or EEG_DE_features/<subject>_123.npz", found="none of them")
    kind = kind or ("raw" if found["raw"] else "features")
    table = load_table("seed_v")
    names = label_names(table)
    marker = marker_for(path, [found["raw"], found["features"]])
    simulated = bool(marker and marker.get("simulated", True))
    want_subj, want_sess = as_subjects(subjects), as_sessions(sessions)
    if kind == "raw":
        if found["raw"] is None:
            raise data_error(path, "no SEED-V raw data", expected="EEG_raw/*.cnt",
                             found="EEG_DE_features only")
        return _read_raw(found, want_subj, want_sess, labels, trial_times, repaired, marker, table,
                         names, simulated, data_format)
    if found["features"] is None:
        raise data_error(path, "no SEED-V features", expected="EEG_DE_features/<subject>_123.npz",
                         found="EEG_raw only")
    check_one_de(feature, "SEED-V")
    layout = de_layout or table["de_layout"]
    if layout not in ("channel-major", "band-major"):
        raise ConfigurationError(f"de_layout: expected 'channel-major' or 'band-major', found "
                                 f"{layout!r}")
    files = found["files"] or glob_ci(found["features"], "*_123.npz")
    out = []
    for f in files:
        m = _NPZ_NAME.match(f.name)
        if not m or (want_subj is not None and subject_key(m.group(1)) not in want_subj):
            continue
        out += _read_npz(f, m.group(1), want_sess, layout, names, simulated)
    out.sort(key=lambda r: (int(r.subject), r.session))
    return out


def _read_raw(found, want_subj, want_sess, labels, trial_times, repaired, marker, table, names,
              simulated, data_format) -> list[Recording]:
    files = found["files"] or glob_ci(found["raw"], "*.cnt")
    chosen = {key: (f, m.group(3)) for key, (f, m)
              in one_file_per_recording(files, _CNT_NAME, repaired=repaired, subjects=want_subj,
                                        sessions=want_sess).items()}
    out = []
    for (subj, sess), (f, date) in sorted(chosen.items(), key=lambda kv: (int(kv[0][0]), kv[0][1])):
        lab = resolve_labels(labels, table["labels"], sess, "SEED-V")
        starts, ends = resolve_times(trial_times, marker, table["trial_times"], sess, "SEED-V")
        out.append(cnt_recording(DATASET, f, subject=subj, session=sess, date=date, starts=starts,
                                 ends=ends, labels=lab, label_names=names, simulated=simulated,
                                 data_format=data_format))
    return out


def _read_npz(f: Path, subject: str, want_sess, layout: str, names, simulated) -> list[Recording]:
    content = load_npz(f, ["data", "label"])
    data, label = content["data"], content["label"]
    for what, obj in (("data", data), ("label", label)):
        if not isinstance(obj, dict):
            raise data_error(f, f"member {what!r} is not a dict", expected="a pickled dict "
                             "{trial key: array}", found=type(obj).__name__)
    data, label = _by_trial_number(data, f, "data"), _by_trial_number(label, f, "label")
    keys = sorted(data)
    if set(keys) != set(label):
        raise data_error(f, "data and label keys disagree", expected="the same trial keys",
                         found=f"{len(data)} data keys, {len(label)} label keys")
    if not keys or keys[0] < 0 or keys[-1] > 44:
        raise data_error(f, "unexpected trial keys", expected="0..44 (15 trials × 3 sessions)",
                         found=f"{keys[:3]}...{keys[-3:]} ({len(keys)} keys)" if keys else "none")
    by_session: dict[int, list[Trial]] = {}
    n_ch, n_b = len(SEED_CHANNELS), len(SEED_BANDS)
    for k in keys:
        x = real_array(data[k], f, f"trial key {k}")
        y = real_array(label[k], f, f"the labels of trial key {k}").ravel()
        if x.ndim != 2 or x.shape[1] != n_ch * n_b:
            raise data_error(f, f"trial key {k} has the wrong shape",
                             expected=f"(n_windows, {n_ch * n_b})", found=str(x.shape))
        if y.size != x.shape[0]:
            raise data_error(f, f"trial key {k}: label and window counts disagree",
                             expected=f"{x.shape[0]} labels", found=str(y.size))
        if y.size == 0 or not np.all(y == y[0]) or not float(y[0]).is_integer():
            raise data_error(f, f"trial key {k}: labels vary within the trial or are not integers",
                             expected="one integer label repeated", found=str(np.unique(y)[:5]))
        check_label_codes(f, y[:1], names, f"trial key {k}: label outside SEED-V's codes")
        sess, idx = k // 15 + 1, k % 15 + 1
        if want_sess is not None and sess not in want_sess:
            continue

        def loader(x=x, k=k):
            check_finite(x, f, f"trial key {k}")
            if layout == "channel-major":
                z = x.reshape(x.shape[0], n_ch, n_b)
            else:
                z = x.reshape(x.shape[0], n_b, n_ch).transpose(0, 2, 1)
            return np.ascontiguousarray(z)

        by_session.setdefault(sess, []).append(Trial(
            index=idx, label=int(y[0]), sfreq=0.25, ch_names=SEED_CHANNELS, kind="features",
            n_times=int(x.shape[0]), bands=SEED_BANDS, loader=loader))
    return [Recording(dataset=DATASET, subject=subject, session=s, trials=t, label_names=dict(names),
                      source=f, kind="features", feature="de", simulated=simulated,
                      extra={"de_layout": layout, "window_s": 4.0})
            for s, t in sorted(by_session.items())]


def _by_trial_number(member: dict, f: Path, what: str) -> dict[int, Any]:
    """A pickled ``{trial key: array}`` dict keyed by int, its keys written as ints, whole-number
    floats (``3.0``) or digit strings (``"3"``); any other key, or one trial under two keys, is
    refused in one line."""
    out: dict[int, Any] = {}
    for key, value in member.items():
        text = str(key).strip()
        number = None
        if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
            number = int(key)
        elif isinstance(key, (float, np.floating)) and np.isfinite(key) and float(key).is_integer():
            number = int(key)
        elif isinstance(key, str) and text.isascii() and text.isdigit():
            number = int(text)
        if number is None or number < 0:
            raise data_error(f, f"member {what!r} has a key that is not a trial number",
                             expected="keys 0..44 (15 trials × 3 sessions)",
                             found=f"key {key!r} ({type(key).__name__})")
        if number in out:
            raise data_error(f, f"member {what!r} holds trial key {number} twice",
                             expected="one entry per trial", found=f"keys {number} and {key!r}")
        out[number] = value
    return out


def read_seed_v(path: str | os.PathLike, **kwargs: Any) -> list[Recording]:
    """Read SEED-V; see :func:`read`."""
    return read(path, **kwargs)
