"""SEED-GER, SEED-FRA and SEED Multimodal (Chinese): positive / neutral / negative film clips.

Layout, per language folder (``German``, ``French``, ``Chinese``; the SEED Multimodal release holds all
three)::

    <Language>/01-EEG-raw/<subject>_<session>.cnt
    <Language>/02-EEG-DE-feature(s)/eeg_used_1s/<subject>_<session>.npz   (and eeg_used_4s)

* Raw ``.cnt``: the vendor (Neuroscan or ANT Neuro) is detected from the header; ANT files need the
  optional package ``antio``. Files are cut at the trial start/end seconds of ``tables/seed_ger.json``
  / ``seed_fra.json`` / ``seed_multimodal_chinese.json`` (unofficial for GER/FRA: override with
  ``trial_times=`` and ``labels=``); the 62 SEED channels are kept.
* DE ``.npz``: ``train_data`` / ``test_data`` are pickled dicts ``delta`` … ``gamma`` → n × 62 (read with
  the restricted unpickler), ``train_label`` / ``test_label`` one label per window. The windows of
  train then test are cut back into trials by matching label runs with the trial table (same-label
  neighbours are divided by the trial durations). Trials come back as (W, 62, 5).

Labels are 1 positive, 0 neutral, -1 negative.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._logging import logger
from ..bands import SEED_BANDS
from ..channels import SEED_CHANNELS
from ..errors import ConfigurationError, DataFormatError, data_error
from ..recording import Recording, Trial, check_finite
from ._family import (as_sessions, as_subjects, check_bool, check_kind, check_one_de,
                      cnt_recording, find_marker, glob_ci, label_names, load_table, marker_for,
                      one_file_per_recording, only_window, real_array, reject_unknown,
                      resolve_labels, resolve_times, split_windows)
from ._npz import load_npz

if TYPE_CHECKING:
    from ._family import LabelsOverride, Selection, TrialTimes

__all__ = ["detect", "read", "dataset_name", "locate", "DATASETS"]

#: Dataset name → (language folder, table name).
DATASETS = {"seed-ger": ("German", "seed_ger"), "seed-fra": ("French", "seed_fra"),
            "seed-multimodal-chinese": ("Chinese", "seed_multimodal_chinese")}
_LANG = {folder.lower(): name for name, (folder, _) in DATASETS.items()}
_RAW_DIR = "01-EEG-raw"
_DE_DIRS = ("02-EEG-DE-feature", "02-EEG-DE-features")
_WIN_DIRS = {"1s": "eeg_used_1s", "4s": "eeg_used_4s"}
_CNT_NAME = re.compile(r"^(\d+)_(\d+)(?:_[^.]*)?\.cnt$", re.IGNORECASE)
_NPZ_NAME = re.compile(r"^(\d+)_(\d+)\.npz$", re.IGNORECASE)
_BAND_KEYS = tuple(b.name for b in SEED_BANDS)


def _has(d: Path, pattern: str, rx: re.Pattern) -> bool:
    return d.is_dir() and any(rx.match(f.name) for f in glob_ci(d, pattern))


def _language_parts(lang_dir: Path) -> dict:
    parts: dict = {"raw": None, "features": {}}
    if _has(lang_dir / _RAW_DIR, "*.cnt", _CNT_NAME):
        parts["raw"] = lang_dir / _RAW_DIR
    for de in _DE_DIRS:
        for win, sub in _WIN_DIRS.items():
            d = lang_dir / de / sub
            if win not in parts["features"] and _has(d, "*.npz", _NPZ_NAME):
                parts["features"][win] = d
    return parts


#: words in a folder name that tell the language (``SEED-GER``, ``SEED_FRA``, ``seed-german``)
_LANG_WORDS = {"german": "seed-ger", "ger": "seed-ger", "french": "seed-fra", "fra": "seed-fra",
               "chinese": "seed-multimodal-chinese"}


def _language_of(p: Path, marker: dict | None) -> str | None:
    # the folder standing where German/ or French/ would (the one holding 01-EEG-raw and
    # 02-EEG-DE-feature) tells the language; no other folder of the path counts (a lab share
    # named "French" or a home folder named "fra" above German data is not its language)
    lang_dir = next((q.parent for q in [p, *p.parents] if q.name in (_RAW_DIR, *_DE_DIRS)),
                    p if p.is_dir() else None)
    if lang_dir is not None and lang_dir.name.lower() in _LANG:
        return _LANG[lang_dir.name.lower()]
    if marker and marker.get("dataset") in DATASETS:
        return marker["dataset"]
    if lang_dir is not None:    # or says it in its name: SEED_GER, seed-fra
        named = {_LANG_WORDS[w] for w in re.split(r"[^a-z]+", lang_dir.name.lower())
                 if w in _LANG_WORDS}
        if len(named) == 1:
            name = named.pop()
            logger.info("%s: %s, as its folder name says (pass dataset= otherwise)", lang_dir, name)
            return name
    return None


def locate(path: str | os.PathLike, dataset: str | None = None) -> dict:
    """Find the language folders under ``path``.

    Returns
    -------
    found : dict
        ``{dataset name: {"raw": Path | None, "features": {"1s": Path, "4s": Path}}}`` plus ``"files"``
        (a list when ``path`` is one file, else None) and ``"unnamed"`` (True when the language could
        not be told from the folder names: pass ``dataset=``).
    """
    p = Path(path)
    out: dict = {"files": None, "unnamed": False}
    marker = find_marker(p) if p.exists() else None
    lang = dataset if dataset in DATASETS else _language_of(p, marker)

    def put(parts):
        if parts["raw"] or parts["features"]:
            if lang is None:
                out["unnamed"] = True
            out[lang or "seed-multimodal-chinese"] = parts

    if p.is_file():
        parts = {"raw": None, "features": {}}
        if p.suffix.lower() == ".cnt" and _CNT_NAME.match(p.name) and p.parent.name == _RAW_DIR:
            parts["raw"] = p.parent
        elif _NPZ_NAME.match(p.name) and p.parent.name in _WIN_DIRS.values() \
                and p.parent.parent.name in _DE_DIRS:
            parts["features"][p.parent.name[-2:]] = p.parent
        if parts["raw"] or parts["features"]:
            out["files"] = [p]
            put(parts)
        return out
    if not p.is_dir():
        return out
    if p.name == _RAW_DIR:
        put({"raw": p if _has(p, "*.cnt", _CNT_NAME) else None, "features": {}})
        return out
    if p.name in _DE_DIRS:
        put(_language_parts(p.parent) | {"raw": None})
        return out
    if p.name in _WIN_DIRS.values() and p.parent.name in _DE_DIRS:
        put({"raw": None, "features": {p.name[-2:]: p} if _has(p, "*.npz", _NPZ_NAME) else {}})
        return out
    if (p / _RAW_DIR).is_dir() or any((p / d).is_dir() for d in _DE_DIRS):
        put(_language_parts(p))
        return out
    roots = [p, p / "SEED_Multimodal", p / "SEED-Multimodal"]
    for r in roots:
        for name, (folder, _) in DATASETS.items():
            if name in out:
                continue
            parts = _language_parts(r / folder)
            if parts["raw"] or parts["features"]:
                out[name] = parts
    return out


def _datasets_in(found: dict) -> list[str]:
    return [k for k in DATASETS if k in found]


def detect(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds SEED-GER, SEED-FRA or SEED Multimodal data."""
    return bool(_datasets_in(locate(path)))


def dataset_name(path: str | os.PathLike) -> str | None:
    """``"seed-ger"``, ``"seed-fra"``, ``"seed-multimodal-chinese"``, ``"seed-multimodal"`` (several
    languages) or None."""
    names = _datasets_in(locate(path))
    if not names:
        return None
    return names[0] if len(names) == 1 else "seed-multimodal"


def read(path: str | os.PathLike, *, dataset: str | None = None, kind: str | None = None,
         feature: str = "de_LDS", subjects: Selection = None, sessions: Selection = None,
         labels: LabelsOverride = None, trial_times: TrialTimes = None,
         window: str | None = None, data_format: str | None = None, repaired: bool = True,
         **kwargs: Any) -> list[Recording]:
    """Read SEED-GER / SEED-FRA / SEED Multimodal recordings, lazily.

    Parameters
    ----------
    path : path-like
        A language folder, the SEED Multimodal root, ``01-EEG-raw``, a DE folder or one file.
    dataset : {"seed-ger", "seed-fra", "seed-multimodal-chinese", "seed-multimodal"} | None
        Which language(s) to read; None or ``"seed-multimodal"``: every one found. Needed when the
        folder names do not tell the language.
    kind : {"raw", "features"} | None
        ``None``: raw ``.cnt`` where present, else DE features.
    feature : str
        Only one DE feature is released: ``de_LDS`` (the default) or ``de``; another name is
        refused rather than recorded for data it is not.
    subjects, sessions : None | id | sequence
    labels : sequence of int | dict | None
        Clip labels (default: the dataset's table).
    trial_times : dict | None
        ``{"start": [...], "end": [...]}`` seconds of the clips in the ``.cnt`` files.
    window : {"1s", "4s"} | None
        DE window (``eeg_used_1s`` → sfreq 1.0, ``eeg_used_4s`` → 0.25). None: 1 s where present,
        else the one window the folder holds.
    data_format : {"int16", "int32"} | None
        Neuroscan sample format (detected when ``None``).
    repaired : bool
        Read a ``*repaired*.cnt`` copy instead of its original where both exist (the default);
        ``False`` reads the original. Two other ``.cnt`` files of one subject and session (say
        ``1_1.cnt`` and ``1_1_old.cnt``) are refused.

    Returns
    -------
    recordings : list of Recording

    Raises
    ------
    eegemo.errors.DataFormatError
        Unknown layout, missing members, wrong shapes, a forbidden pickle, labels that do not match.
    """
    reject_unknown(kwargs, "SEED-GER/FRA/Multimodal", read)
    check_kind(kind)
    repaired = check_bool("repaired", repaired)
    if dataset not in (None, "seed-multimodal", *DATASETS):
        raise ConfigurationError(f"dataset: expected one of {', '.join(DATASETS)}, seed-multimodal "
                                 f"or None, found {dataset!r}")
    if window is not None and window not in _WIN_DIRS:
        raise ConfigurationError(f"window: expected '1s', '4s' or None, found {window!r}")
    found = locate(path, dataset if dataset in DATASETS else None)
    names = _datasets_in(found)
    if dataset in DATASETS:
        names = [n for n in names if n == dataset]
    if not names:
        others = [n for n in _datasets_in(found) if n != dataset]
        raise data_error(path, f"no {dataset or 'SEED-GER/FRA/Multimodal'} layout",
                         expected="<German|French|Chinese>/01-EEG-raw/*.cnt or 02-EEG-DE-feature/"
                         "eeg_used_1s/*.npz",
                         found=f"{' and '.join(others)} data only" if others else "none of them")
    guessed = found["unnamed"] and dataset is None
    if guessed:
        logger.warning("%s: language not told by the folder names; reading it as SEED Multimodal "
                       "Chinese (pass dataset='seed-ger' or 'seed-fra', --dataset, otherwise)",
                       path)
    marker = marker_for(path, [d for n in names for d in (found[n]["raw"],
                                                           *found[n]["features"].values())])
    simulated = bool(marker and marker.get("simulated", True))
    want_subj, want_sess = as_subjects(subjects), as_sessions(sessions)
    out: list[Recording] = []
    for name in names:
        parts = found[name]
        table = load_table(DATASETS[name][1])
        k = kind or ("raw" if parts["raw"] else "features")
        if k == "raw":
            if parts["raw"] is None:
                raise data_error(path, f"no {name} raw data", expected=f"{_RAW_DIR}/*.cnt",
                                 found="DE features only")
            files = found["files"] or glob_ci(parts["raw"], "*.cnt")
        else:
            check_one_de(feature, name)
            win = window or only_window(parts["features"], path)
            if win not in parts["features"]:
                raise data_error(path, f"no {name} DE features for window {win}",
                                 expected=f"02-EEG-DE-feature/{_WIN_DIRS[win]}/*.npz",
                                 found=", ".join(parts["features"]) or "raw .cnt only")
            files = found["files"] or glob_ci(parts["features"][win], "*.npz")
        rx = _CNT_NAME if k == "raw" else _NPZ_NAME
        if k == "raw":    # a *_repaired copy replaces its original; other duplicates are refused
            picked = one_file_per_recording(files, rx, repaired=repaired, subjects=want_subj,
                                            sessions=want_sess)
            files = [picked[key][0] for key in sorted(picked, key=lambda k: (int(k[0]), k[1]))]
        for f in files:
            m = rx.match(f.name)
            if not m:
                continue
            subj, sess = m.group(1), int(m.group(2))
            same = {subj, str(int(subj)) if subj.isdigit() else subj}     # 01 is subject 1
            if (want_subj is not None and not same & want_subj) or \
                    (want_sess is not None and sess not in want_sess):
                continue
            lab = resolve_labels(labels, table["labels"], sess, name)
            starts, ends = resolve_times(trial_times, marker, table["trial_times"], sess, name)
            if k == "raw":
                out.append(cnt_recording(name, f, subject=subj, session=sess, date=None,
                                         starts=starts, ends=ends, labels=lab,
                                         label_names=label_names(table), simulated=simulated,
                                         data_format=data_format))
            else:
                try:
                    out.append(_read_npz(name, f, subj, sess, lab, starts, ends, win,
                                         label_names(table), simulated,
                                         table.get("n_train_trials")))
                except DataFormatError as exc:
                    if not (guessed and labels is None):
                        raise
                    raise DataFormatError(f"{exc}; the language was guessed as Chinese: for "
                                          f"German or French data pass dataset='seed-ger' or "
                                          f"'seed-fra' (--dataset)") from None
    out.sort(key=lambda r: (r.dataset, int(r.subject), r.session))
    return out


def _stack_bands(obj, f: Path, what: str) -> np.ndarray:
    if not isinstance(obj, dict):
        raise data_error(f, f"member {what!r} is not a dict of bands",
                         expected=f"a pickled dict {', '.join(_BAND_KEYS)} -> n × 62",
                         found=type(obj).__name__)
    missing = [b for b in _BAND_KEYS if b not in obj]
    if missing:
        raise data_error(f, f"member {what!r} lacks bands {', '.join(missing)}",
                         expected=", ".join(_BAND_KEYS), found=", ".join(map(str, obj)))
    arrs = [real_array(obj[b], f, f"member {what!r} band {b}") for b in _BAND_KEYS]
    for b, a in zip(_BAND_KEYS, arrs, strict=True):
        if a.ndim != 2 or a.shape[1] != len(SEED_CHANNELS):
            raise data_error(f, f"member {what!r} band {b} has the wrong shape",
                             expected=f"(n_windows, {len(SEED_CHANNELS)}) in every band",
                             found=str(a.shape))
    counts = [a.shape[0] for a in arrs]
    if len(set(counts)) > 1:   # name the odd band out, not whichever follows the first
        odd = min(range(len(counts)), key=lambda i: counts.count(counts[i]))
        raise data_error(f, f"member {what!r} band {_BAND_KEYS[odd]} has {counts[odd]} windows, "
                         "the other bands another number",
                         expected="the same number of windows in every band",
                         found=", ".join(f"{b} {c}" for b, c in zip(_BAND_KEYS, counts,
                                                                     strict=True)))
    return np.stack(arrs, axis=-1)  # (n, 62, 5)


def _split_both_sides(y, labels, expected, n_train: int, hint, f) -> list[slice]:
    """Cut windows into trials on each side of the file's train/test boundary separately.

    The file's ``train_*`` / ``test_*`` members end and start at a trial boundary; cut across it, a
    difference between the table's trial durations and the file's would move windows of a trial
    into its same-label neighbour on the other side. The number of training trials is the table's
    (``hint``) where the label runs of both sides agree with it, else the one count that agrees.
    """
    n = len(labels)
    if 0 < n_train < len(y):
        for k in ([int(hint)] if hint and 0 < int(hint) < n else []) + list(range(1, n)):
            try:
                a = split_windows(y[:n_train], labels[:k], expected[:k], f)
                b = split_windows(y[n_train:], labels[k:], expected[k:], f)
            except DataFormatError:
                continue
            return a + [slice(s.start + n_train, s.stop + n_train) for s in b]
    return split_windows(y, labels, expected, f)


def _read_npz(name: str, f: Path, subject: str, session: int, labels, starts, ends, window: str,
              names: dict[int, str], simulated: bool, n_train_trials=None) -> Recording:
    content = load_npz(f, ["train_data", "test_data", "train_label", "test_label"])
    x = np.concatenate([_stack_bands(content["train_data"], f, "train_data"),
                        _stack_bands(content["test_data"], f, "test_data")], axis=0)
    y = np.concatenate([real_array(content[m], f, f"member {m!r}").ravel()
                        for m in ("train_label", "test_label")])
    if y.size != x.shape[0]:
        raise data_error(f, "label and window counts disagree", expected=f"{x.shape[0]} labels "
                         "(train + test windows)", found=str(y.size))
    if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
        raise data_error(f, "labels must be whole numbers", found=str(np.unique(y)[:5]))
    y = y.astype(np.int64)
    extra = {"window_s": 1.0 if window == "1s" else 4.0}
    allowed = set(int(v) for v in labels)
    if not set(y.tolist()) <= allowed and set((y - 1).tolist()) <= allowed:
        y = y - 1
        extra["label_shift"] = -1
        logger.info("%s: window labels 0/1/2 read as -1/0/1", f.name)
    if len(starts) != len(labels):
        raise data_error(f, "trial table and labels disagree", expected=f"{len(labels)} trial times",
                         found=str(len(starts)))
    wlen = extra["window_s"]
    expected = [int(np.floor((e - s) / wlen + 1e-6)) for s, e in zip(starts, ends, strict=True)]
    n_train = int(np.asarray(content["train_label"]).size)
    slices = _split_both_sides(y, list(labels), expected, n_train, n_train_trials, f)
    ch = SEED_CHANNELS
    trials = []
    for i, (sl, lab) in enumerate(zip(slices, labels, strict=True), start=1):
        def loader(sl=sl, i=i):
            z = np.ascontiguousarray(x[sl])
            return check_finite(z, f, f"trial {i}")

        trials.append(Trial(index=i, label=int(lab), sfreq=1.0 / wlen, ch_names=ch,
                            kind="features", n_times=sl.stop - sl.start, bands=SEED_BANDS,
                            loader=loader))
    extra["n_train_windows"] = int(np.asarray(content["train_label"]).size)
    return Recording(dataset=name, subject=subject, session=session, trials=trials,
                     label_names=dict(names), source=f, kind="features", feature="de",
                     simulated=simulated, extra=extra)
