"""``prepare``: recordings → a store of windows, features, grids and images, in parallel, resumable.

Layout of a store (``STORE/``)::

    manifest.json              configuration, its hash, versions, dataset facts, one entry per
                               committed recording (source fingerprint, rows), "complete"
    index.parquet              one row per window of every committed recording (rebuilt at the end)
    recordings/<key>.zarr/     one zarr v3 group per recording: float32 arrays chunked by windows,
                               Blosc-zstd with byte shuffle, and its own index.parquet

A recording is computed by a worker into ``recordings/.tmp-<key>-<random>/`` and the parent commits
it with one ``rename`` (atomic on a local file system), then records it in the manifest. An
interrupted ``prepare`` therefore leaves only whole recordings visible; running it again removes the
temporary folders, skips the committed recordings whose source is unchanged and computes the rest. A
store is only resumed with the configuration it was started with (same :meth:`PrepareConfig.config_hash`),
or with a wider subject/session selection and every other setting equal (the new recordings are
added; a failure meanwhile leaves the store as it was); anything else raises
:class:`~eegemo.errors.ConfigurationError` unless ``overwrite=True``.

Source fingerprints are fast: size, modification time (ns) and the SHA-256 of the first and the last
MiB of the file (a full hash of a 45-session release would take longer than preparing it). In-memory
recordings are fingerprinted by the SHA-256 of their trial arrays.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from .._files import dir_bytes, replace_dir, settle_set_aside
from .._logging import logger, progress_disabled, relog
from .._processes import broken_pool_error, lost_worker_error, watch_parent
from ..bands import SEED_BANDS
from ..datasets._family import as_sessions, as_subjects
from ..errors import (ConfigurationError, DataFormatError, EegemoError, check_parent_folders,
                      data_error)
from ..recording import Recording
from . import _compute
from ._compute import TMP_PREFIX, process_payload, process_recording
from ._store import (MANIFEST, FORMAT, FORMAT_VERSION, Store, _check_format_version,
                     _check_index, _check_manifest, open_store)
from .config import PrepareConfig, check_image_size

__all__ = ["prepare", "source_fingerprint", "recording_key"]

_MIB = 1 << 20


# ---------------------------------------------------------------------------------------------------
# fingerprints, keys, versions
# ---------------------------------------------------------------------------------------------------
def source_fingerprint(path: str | os.PathLike) -> dict:
    """Fast fingerprint of a source file: size, mtime and SHA-256 of its first and last MiB.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    fingerprint : dict
        ``{"size", "mtime_ns", "sha256_edges"}``; ``{"missing": True}`` if the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        return {"missing": True}
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(_MIB))
        if st.st_size > 2 * _MIB:
            f.seek(st.st_size - _MIB)
            h.update(f.read(_MIB))
        elif st.st_size > _MIB:
            h.update(f.read())
    return {"size": int(st.st_size), "mtime_ns": int(st.st_mtime_ns), "sha256_edges": h.hexdigest()}


def companion_files(rec: Recording) -> list[Path]:
    """Files besides ``rec.source`` that its data or labels come from: files of the same stem
    (BrainVision ``.vmrk``/``.eeg``, EEGLAB ``.fdt``), SEED's ``label.mat`` beside it and an events
    sidecar the reader used."""
    src = Path(rec.source)
    found = {p for p in src.parent.glob(glob.escape(src.stem) + ".*") if p != src and p.is_file()}
    if (src.parent / "label.mat").is_file() and src.name != "label.mat":
        found.add(src.parent / "label.mat")
    events = (rec.extra or {}).get("events_from")
    if events and Path(events).is_file():
        found.add(Path(events))
    return sorted(p.resolve() for p in found)


def same_source(old: dict, new: dict) -> bool:
    """Whether two fingerprints of a recording agree (one from before companions were
    fingerprinted compares on the main file only)."""
    if "companions" not in old:
        new = {k: v for k, v in new.items() if k != "companions"}
    return old == new and not new.get("missing")


def _recording_fingerprint(rec: Recording, cache: dict) -> dict:
    src = str(rec.source)
    if rec.source.is_file():
        if src not in cache:
            fp = source_fingerprint(rec.source)
            companions = companion_files(rec)
            if companions:
                fp["companions"] = {str(p): source_fingerprint(p) for p in companions}
            cache[src] = fp
        return cache[src]
    if rec.trials and all(t.data is not None for t in rec.trials):
        h = hashlib.sha256()
        for t in rec.trials:
            arr = np.ascontiguousarray(t.data)
            h.update(f"{t.index}:{t.label}:{t.sfreq}:{arr.dtype}:{arr.shape}".encode())
            h.update(arr.tobytes())
        return {"sha256_data": h.hexdigest()}
    return {"missing": True}


def _refuse_copies(recs: list[Recording], fingerprints: list[dict]) -> None:
    """Refuse one recording given twice: two source files of the same bytes (a copy in another
    folder, ``S001R04 (1).edf``, ``01_…mat`` beside ``1_…mat``, a link) or two in-memory recordings
    of the same data. Each would be a recording of its own, and its trials would land on both
    sides of every split (an accuracy inflated by memorisation). Recordings read from one file
    (several per file) are not copies of one another."""
    seen: dict = {}
    for rec, fp in zip(recs, fingerprints, strict=True):
        if "sha256_edges" in fp:      # size and the SHA-256 of the first and last MiB, not mtime
            # with the files beside it that hold its data (a BrainVision .eeg, an EEGLAB .fdt): two
            # headers alike may name different signals
            companions = tuple(sorted((Path(k).suffix.lower(), v.get("size"),
                                       v.get("sha256_edges"))
                                      for k, v in (fp.get("companions") or {}).items()))
            content = ("file", fp["size"], fp["sha256_edges"], companions)
        elif "sha256_data" in fp:
            content = ("data", fp["sha256_data"])
        else:
            continue
        first = seen.setdefault(content, rec)
        if first is rec or (content[0] == "file" and Path(first.source) == Path(rec.source)):
            continue
        if content[0] == "file":
            raise data_error(rec.source, f"the same recording as {first.source} (identical "
                             "bytes)", expected="each recording once: remove or move one copy, "
                             "whose trials would be on both sides of a split",
                             found=f"subject {rec.subject} session {rec.session} and subject "
                                   f"{first.subject} session {first.session}")
        raise ConfigurationError(
            f"recording of subject {rec.subject} session {rec.session} holds the same data as that "
            f"of subject {first.subject} session {first.session} (in-memory recordings of "
            "identical trials); give each recording once: its trials would be on both sides of a "
            "split")


def recording_key(rec: Recording) -> str:
    """Store name of a recording: ``<dataset>-<subject>-s<session>-<file stem>``, filesystem-safe.

    Parameters
    ----------
    rec : Recording
        The recording; its ``dataset``, ``subject``, ``session`` and ``source`` are used.

    Returns
    -------
    key : str
        The name; ``x`` stands for an unknown session, the ``-<file stem>`` part is left out for
        a recording without a source file, and every run of characters other than letters,
        digits, ``.``, ``_`` and ``-`` becomes ``_`` (leading and trailing ``.``/``_`` removed;
        ``"recording"`` if nothing is left). Not unique: two recordings can share one.
    """
    session = "x" if rec.session is None else str(rec.session)
    stem = rec.source.stem if str(rec.source) not in ("", ".") else ""
    key = f"{rec.dataset}-{rec.subject}-s{session}" + (f"-{stem}" if stem else "")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._") or "recording"


def _unique_keys(recs: Sequence[Recording]) -> list[str]:
    """One distinct key per recording: a repeated key gets ``-2``, ``-3``, … (never one that another
    recording's own key already is)."""
    base = [recording_key(rec) for rec in recs]
    used = set(base)
    keys, seen = [], {}
    for key in base:
        if key in seen:
            n = seen[key]
            while f"{key}-{n + 1}" in used:
                n += 1
            seen[key] = n + 1
            key = f"{key}-{n + 1}"
            used.add(key)
        else:
            seen[key] = 1
        keys.append(key)
    return keys


def _versions() -> dict:
    import importlib.metadata as md

    from .. import __version__

    out = {"eegemo": __version__, "python": platform.python_version()}
    for pkg in ("numpy", "scipy", "zarr", "numcodecs", "pandas", "pyarrow"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:  # pragma: no cover
            out[pkg] = None
    return out


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(obj, indent=1, sort_keys=False))
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------
# reading and checking the source
# ---------------------------------------------------------------------------------------------------
def _read_source(source, cfg: PrepareConfig) -> list[Recording]:
    if isinstance(source, Recording):
        recs = [source]
    elif isinstance(source, (list, tuple)) and all(isinstance(r, Recording) for r in source):
        recs = list(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise data_error(path, "source does not exist", expected="a dataset folder or file")
        try:
            from ..datasets import read
        except ImportError as exc:  # pragma: no cover - the readers ship with eegemo
            raise ConfigurationError(f"{path}: the dataset readers are not available ({exc})") from None
        recs = list(read(path, cfg.dataset, kind=cfg.kind, feature=cfg.feature,
                         subjects=cfg.subjects, sessions=cfg.sessions, **(cfg.read_options or {})))
        return recs
    else:
        raise ConfigurationError(f"prepare: source must be a path or a list of Recording, "
                                 f"found {type(source).__name__}")
    if cfg.subjects is not None:
        wanted = as_subjects(cfg.subjects)
        recs = [r for r in recs if str(r.subject) in wanted]
    if cfg.sessions is not None:
        recs = [r for r in recs if r.session in cfg.sessions]
    if cfg.kind is not None:
        recs = [r for r in recs if r.kind == cfg.kind]
    return recs


def _refuse_overlapping_trials(rec: Recording) -> None:
    """Refuse trials of one recording that share samples (a --duration longer than the time
    between events, an event listed twice): split by trial, their shared samples would be on both
    sides of a split."""
    spans = sorted((float(t.onset), float(t.onset) + t.n_times / float(t.sfreq), t.index,
                    1.0 / float(t.sfreq)) for t in rec.trials
                   if t.label is not None and t.onset is not None and t.n_times)
    end = None
    for start, stop, index, dt in spans:
        # one shared sample is rounding (back-to-back events at onsets between samples), not a
        # leak: more than that is refused
        if end is not None and start < end[0] - 1.5 * dt:
            raise data_error(
                rec.source, f"trials {end[1]} and {index} overlap ({end[2]:g}–{end[0]:g} s and "
                f"{start:g}–{stop:g} s)", expected="trials that share no samples (their windows "
                "would be on both sides of a split)", found="overlapping trials; shorten them "
                "(--duration) or choose events that do not overlap")
        if end is None or stop > end[0]:
            end = (stop, index, start)


def _check(recs: list[Recording], cfg: PrepareConfig) -> dict:
    """Check the recordings against each other and the configuration; return the dataset facts."""
    from ..preprocess import check_bands, window_samples

    if not recs:
        raise DataFormatError("prepare: the source holds no recording (after the subject/session/kind "
                              "selection)")
    kinds = {r.kind for r in recs}
    if len(kinds) > 1:
        raise DataFormatError(f"prepare: the source mixes raw and feature recordings ({sorted(kinds)});"
                              " choose one with kind='raw' or kind='features'")
    kind = kinds.pop()
    first = recs[0]
    ch_names = tuple(first.ch_names)
    label_names: dict[int, str] = {}
    for rec in recs:
        if not rec.trials:
            raise data_error(rec.source, "recording has no trials", expected="at least one trial")
        if tuple(rec.ch_names) != ch_names:
            raise data_error(rec.source, "channels differ from the first recording's",
                             expected=f"{len(ch_names)} channels {list(ch_names[:3])}...",
                             found=f"{len(rec.ch_names)} channels {list(rec.ch_names[:3])}...")
        for k, v in rec.label_names.items():
            if label_names.setdefault(int(k), str(v)) != str(v):
                raise data_error(rec.source, f"label {k} has another name than in other recordings",
                                 expected=label_names[int(k)], found=str(v))
    if kind == "raw":
        for rec in recs:
            _refuse_overlapping_trials(rec)
    seen = {int(t.label) for r in recs for t in r.trials if t.label is not None}
    empty = [k for k in sorted(label_names) if k not in seen]
    asked = {"labels", "label_map"} & set(cfg.read_options or {})
    if empty and seen and asked:   # (unlabelled trials only are refused where computed)
        raise DataFormatError(
            f"prepare: class(es) {', '.join(repr(label_names[k]) for k in empty)} have no trial "
            f"in any recording (kept: {', '.join(repr(label_names[k]) for k in sorted(seen))}); "
            "check the event names asked for (--labels) against those eegemo info lists")
    if empty and seen:     # e.g. zero-length markers ("RECORD START") named as every event is
        logger.info("prepare: event(s) %s gave no trial: not classes of the store",
                    ", ".join(repr(label_names[k]) for k in empty))
        label_names = {k: v for k, v in label_names.items() if k in seen}
    if cfg.grid is not None and not _compute.grid_ok(ch_names):
        logger.warning("prepare: none of the channels (%s...) is on the 9x9 SEED grid; no grid arrays",
                       ", ".join(ch_names[:3]))
    if cfg.image_size is not None and not _compute.image_ok(ch_names, cfg.image_size):
        logger.warning("prepare: fewer than 3 channels have a known position; no image arrays")
    facts = {"kind": kind, "ch_names": list(ch_names), "label_names": label_names,
             "datasets": sorted({r.dataset for r in recs}),
             "simulated": bool(any(r.simulated for r in recs))}
    if kind == "raw":
        from ..preprocess import check_conditioning, output_rate

        sfreqs = {float(t.sfreq) for r in recs for t in r.trials}
        for rate in sorted(sfreqs):
            check_conditioning(rate, bandpass=cfg.bandpass, notch=cfg.notch,
                               resample=cfg.resample, where="prepare")
        if len(sfreqs) > 1 and not cfg.resample:
            raise DataFormatError(f"prepare: recordings have different sampling rates "
                                  f"{sorted(sfreqs)} Hz; give one rate to resample them to "
                                  f"(resample=, --resample HZ)")
        sfreq = output_rate(sfreqs.pop(), cfg.resample)
        bands = check_bands(cfg.bands, sfreq, where="prepare bands")
        low, high = cfg.bandpass or (None, None)
        cut = [b.name for b in bands if (high is not None and b.high > high)
               or (low is not None and b.low < low)]
        if cut:
            logger.warning("prepare: band(s) %s reach outside the band-pass %s–%s Hz; their DE/PSD "
                           "are computed on what the filter left", ", ".join(cut),
                           "" if low is None else f"{low:g}", "" if high is None else f"{high:g}")
        n_samp, _ = window_samples(sfreq, cfg.window, cfg.overlap)
        from ..preprocess import band_weights

        band_weights(n_samp, sfreq, bands)  # every band needs an FFT bin at this window length
        shortest = None
        from ..preprocess import filter_seconds

        length = (filter_seconds(float(recs[0].trials[0].sfreq), bandpass=cfg.bandpass,
                                 notch=cfg.notch, resample=cfg.resample)
                  if (cfg.bandpass or cfg.notch) else 0.0)
        for rec in recs:
            for t in rec.trials:
                n = cfg.interpolate_to or (
                    None if t.n_times is None else int(round(t.n_times * sfreq / float(t.sfreq))))
                if n is not None and n < n_samp:
                    raise ConfigurationError(
                        f"{rec.source}: trial {t.index} is shorter than the window (expected at "
                        f"least {n_samp} samples = {cfg.window:g} s at {sfreq:g} Hz, found {n} "
                        f"samples = {n / sfreq:g} s)")
                # a trial read with the recording around it is filtered as part of it
                alone = t.context is None or min(t.room) < length / 2 * float(t.sfreq)
                if alone and t.n_times is not None and (
                        shortest is None or t.n_times / float(t.sfreq) < shortest[0]):
                    shortest = (t.n_times / float(t.sfreq), rec.source, t.index)
        if shortest is not None and length > shortest[0] / 2:
            logger.warning(
                "prepare: the filters are up to %.1f s long, more than half of the shortest "
                "trial filtered without the signal around it (%.1f s, %s trial %s: a file or "
                "array per trial, or a trial at a recording's edge), so most of such a trial's "
                "windows carry the filter's edge effects (a higher band-pass low edge shortens "
                "the filter: 3.3 s at 1 Hz; a notch is 6.6 s long)",
                length, shortest[0], shortest[1], shortest[2])
        if "raw" in cfg.features and sfreq > 256 and not cfg.resample:
            seconds = sum((t.n_times or 0) / float(t.sfreq) for r in recs for t in r.trials)
            size = seconds * sfreq * len(ch_names) * 4 * cfg.window / (cfg.window - cfg.overlap)
            size = f"{size / 1e9:.1f} GB" if size >= 1e8 else f"{size / 1e6:.0f} MB"
            logger.warning("prepare: raw windows at %g Hz, about %s before compression; "
                           "--resample 200 (resample=200) stores %.0fx less", sfreq, size, sfreq / 200)
        facts.update(sfreq=sfreq, window=float(cfg.window), overlap=float(cfg.overlap),
                     bands=[list(b) for b in bands], feature=None)
    else:
        rates = {float(t.sfreq) for r in recs for t in r.trials}
        if len(rates) > 1:
            raise DataFormatError(f"prepare: feature recordings have different window rates "
                                  f"{sorted(rates)} windows/s")
        rate = rates.pop()
        bands = first.trials[0].bands
        if bands is None:   # SEED's five where the features have five bands; else none claimed
            data = first.trials[0].data     # in memory (the Bird table), or None (lazy)
            n_b = None if data is None else int(np.shape(data)[-1])
            bands = SEED_BANDS if n_b in (None, len(SEED_BANDS)) else ()
        # released features are stored as released: an option that would change them is refused,
        # not recorded in the configuration and silently left unapplied
        unused = [name for name, given in (
            ("window", cfg.window not in (1.0, 1.0 / rate)), ("overlap", bool(cfg.overlap)),
            ("bands", tuple(cfg.bands) != tuple(SEED_BANDS)), ("features raw", "raw" in cfg.features),
            ("smoothing", bool(cfg.smoothing)), ("interpolate_to", bool(cfg.interpolate_to)),
            ("bandpass", bool(cfg.bandpass)), ("notch", bool(cfg.notch)),
            ("resample", bool(cfg.resample))) if given]
        if unused:
            raise ConfigurationError(
                f"prepare: {', '.join(unused)} cannot apply to released features (stored as "
                f"released: {1.0 / rate:g}-s windows, the file's bands); prepare the raw "
                "recordings (kind='raw', --kind raw) to choose them")
        feats = {r.feature for r in recs if r.feature}
        facts.update(sfreq=None, window=1.0 / rate, overlap=0.0, bands=[list(b) for b in bands],
                     feature=feats.pop() if len(feats) == 1 else cfg.feature)
    return facts


# ---------------------------------------------------------------------------------------------------
# the store on disk
# ---------------------------------------------------------------------------------------------------
def _start_store(out: Path, cfg: PrepareConfig, overwrite: bool) -> dict | None:
    """Check an existing store (or clear it); return its manifest, or None for a new store."""
    man_path = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise ConfigurationError(f"{out}: store path exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        # overwrite replaces a store, never a folder that is not one (a dataset, a home folder)
        if not man_path.is_file():
            raise ConfigurationError(f"{out}: folder is not empty and is not an eegemo store "
                                     "(expected manifest.json); choose another --out"
                                     + ("; --overwrite only replaces a store" if overwrite else ""))
        try:
            old = json.loads(man_path.read_text())
        except (ValueError, UnicodeDecodeError):     # JSONDecodeError is a ValueError
            old = None
        if isinstance(old, dict) and old.get("format") == FORMAT and not overwrite:
            _check_format_version(man_path, old)   # resumed, it would be written back as ours
        try:
            if isinstance(old, dict):
                _check_manifest(man_path, old)
        except (ValueError, AttributeError):   # the DataFormatError of a damaged structure
            old = None
        if not isinstance(old, dict) or old.get("format") != FORMAT:
            if not (overwrite and (out / "recordings").is_dir()):
                raise ConfigurationError(
                    f"{man_path}: not a readable eegemo store manifest; " +
                    ("--overwrite replaces a store only where a recordings/ folder is beside it"
                     if overwrite else "run again with --overwrite to rebuild a damaged store, or "
                     "choose another --out"))
            logger.warning("%s: replacing a store whose manifest is damaged", out)
        elif overwrite:
            logger.info("%s: overwrite=True, removing the existing store", out)
        else:
            if old.get("config_hash") != cfg.config_hash():
                widened = _widened_selection(old.get("config"), cfg.to_dict())
                if widened:   # more subjects/sessions, all else equal: add them to the store
                    logger.info("%s: the store's selection widens (%s); the recordings it holds "
                                "are kept and the new ones added", out, widened)
                    return old
                raise ConfigurationError(
                    f"{out}: existing store was prepared with another configuration "
                    f"({_config_difference(old.get('config'), cfg.to_dict())}); use "
                    "overwrite=True (--overwrite) or another output folder")
            return old
        kept = []
        for child in out.iterdir():
            if not _store_entry(child.name):      # a user's file in the folder stays
                kept.append(child.name)
                continue
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        if kept:
            logger.warning("%s: --overwrite kept what else the folder held: %s", out,
                           ", ".join(sorted(kept)[:10]))
    out.mkdir(parents=True, exist_ok=True)
    return None


#: settings a store may be resumed with more of: its subject and session selection
_SELECTIONS = {"subjects": lambda v: _canonical(as_subjects(v)), "sessions": as_sessions}


def _canonical(subjects: set[str] | None) -> set[str] | None:
    return None if subjects is None else {str(int(s)) if s.isdigit() else s for s in subjects}


def _widened_selection(stored, wanted: dict) -> str:
    """How ``wanted`` widens a store's subject/session selection ("" if it does anything else).

    A store prepared with ``subjects=[1, 2]`` can take ``subjects=[1, 2, 3]`` (or all subjects,
    ``None``) with every other setting unchanged: the recordings it holds stay valid. Order and
    leading zeros do not count (``["2", "01"]`` selects what ``[1, 2]`` does).
    """
    if not isinstance(stored, dict):
        return ""
    keys = {k for k in set(stored) | set(wanted) if stored.get(k) != wanted.get(k)}
    if not keys or not keys <= set(_SELECTIONS):
        return ""
    parts = []
    for key in sorted(keys):
        try:
            before, after = (_SELECTIONS[key](d.get(key)) for d in (stored, wanted))
        except ConfigurationError:
            return ""
        if before is None and after is None:
            continue
        if before is None or (after is not None and not after >= before):
            return ""     # narrower, or other subjects: not a widening
        if before != after:
            parts.append(f"{key} {_shown(stored.get(key))} → {_shown(wanted.get(key))}")
    return "; ".join(parts) or "the same selection, written differently"


def _shown(selection) -> str:
    return "all" if selection is None else ",".join(map(str, selection))


def _config_difference(stored, wanted: dict) -> str:
    """The settings in which a store's configuration and the one asked for differ, for an error."""
    if not isinstance(stored, dict):
        return "its manifest records no settings"
    keys = sorted(k for k in set(stored) | set(wanted) if stored.get(k) != wanted.get(k))
    if not keys:      # the same settings, hashed by another version of eegemo
        return "the same settings, hashed differently by another eegemo version"
    shown = "; ".join(f"{k}: store {stored.get(k)!r}, asked {wanted.get(k)!r}" for k in keys[:4])
    if keys == ["conditioning"]:
        shown += (": the store's trials were filtered or resampled by an earlier eegemo, one trial "
                  "at a time")
    return f"differs in {shown}" + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")


def _readable_index(path: Path) -> bool:
    """Whether a recording's ``index.parquet`` can be read and holds the columns, and kinds of
    values, that reading the store checks (else it is recomputed: a damaged one would be copied
    into the store's index, which reading then refuses, advising to prepare again)."""
    import pandas as pd

    try:
        _check_index(path, pd.read_parquet(path), "recomputed")
        return True
    except (OSError, ValueError, EegemoError) as exc:   # ArrowInvalid is a ValueError
        logger.debug("%s: %s", path, exc)
        return False


def _commit(result: dict, recdir: Path) -> None:
    """Move a worker's temporary folder into place (one rename; an older version is replaced)."""
    if not Path(result["tmp"]).is_dir():     # written by a worker on another file system
        raise ConfigurationError(
            f"{recdir.parent}: {result['key']} was written where this machine does not see it "
            f"({result['tmp']}); the store folder must be on a file system the Dask workers share "
            "with this machine, at the same path")
    replace_dir(Path(result["tmp"]), recdir / f"{result['key']}.zarr",
                recdir / f"{TMP_PREFIX}old-{result['key']}-{uuid.uuid4().hex[:8]}")


def _rebuild_index(out: Path, entries: list[dict]) -> int:
    import pandas as pd

    parts = [pd.read_parquet(out / "recordings" / f"{e['key']}.zarr" / "index.parquet")
             for e in entries]
    index = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    tmp = out / f"index.parquet.{uuid.uuid4().hex[:8]}.tmp"
    index.to_parquet(tmp, index=False)
    os.replace(tmp, out / "index.parquet")
    return len(index)


# ---------------------------------------------------------------------------------------------------
# prepare
# ---------------------------------------------------------------------------------------------------
def prepare(source, out: str | os.PathLike, *, config: PrepareConfig | None = None,
            jobs: int | None = None, scheduler=None, overwrite: bool = False,
            **overrides) -> Store:
    """Window, featurise and store recordings; resume an interrupted run.

    Parameters
    ----------
    source : path-like | Recording | list of Recording
        A dataset folder (read with :func:`eegemo.datasets.read` using ``config.dataset``,
        ``config.kind``, ``config.feature``, ``config.subjects``, ``config.sessions``) or recordings
        already built in memory.
    out : path-like
        The store folder (created; an existing store with the same configuration is resumed).
    config : PrepareConfig | None
        The configuration (default ``PrepareConfig()``); ``overrides`` change single fields, e.g.
        ``window=2.0, features=("de", "psd")``.
    jobs : int | None
        Worker processes on this machine (default: all cores). ``1`` computes in this process.
    scheduler : str | distributed.Client | None
        A Dask distributed scheduler address (``"tcp://host:8786"``) or client: the recordings are
        computed on its workers instead (they must see ``out`` and the source files).
    overwrite : bool
        Replace an existing store of another configuration instead of refusing.
    **overrides
        Fields of :class:`PrepareConfig` to change in ``config`` (applied with
        :meth:`PrepareConfig.replace`, so unknown names are refused), e.g. ``window=2.0,
        features=("de", "psd")``.

    Returns
    -------
    store : Store
        The opened store; ``store.summary`` holds recordings, windows, seconds, windows/s and bytes.

    Raises
    ------
    ConfigurationError
        For an impossible configuration (a band above Nyquist, a window longer than a trial, ...) or
        an existing store of another configuration.
    DataFormatError
        For recordings that disagree (channels, rates) or hold bad data.
    """
    from .._dask import connected

    check_parent_folders(out)
    with connected(scheduler) as client, _locked(Path(out)):
        # connected first: a wrong address leaves no folder; locked: one prepare per store at a time
        out_p = Path(out)
        _recover_set_aside(out_p)
        if not (overwrite and (out_p / MANIFEST).is_file() and (out_p / "recordings").is_dir()):
            # (only a store is set aside; _start_store refuses any other folder)
            return _prepare(source, out, config, jobs, client, overwrite, overrides)
        # replacing a store: keep the old one aside until the new one is whole
        backup = out_p.parent / f".{out_p.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(out_p, backup)
        try:
            store = _prepare(source, out, config, jobs, client, overwrite, overrides)
        except BaseException:
            shutil.rmtree(out_p, ignore_errors=True)
            os.rename(backup, out_p)
            logger.info("%s: prepare failed; the earlier store is back in place", out_p)
            raise
        _keep_foreign_files(backup, out_p)
        shutil.rmtree(backup, ignore_errors=True)
        return store


#: what a store folder holds; anything else in it is a user's, and --overwrite keeps it
_STORE_ENTRIES = frozenset({MANIFEST, "index.parquet", "recordings"})


def _store_entry(name: str) -> bool:
    """Whether a name in a store folder is the store's own (its files, their temporary copies)."""
    return any(name == e or name.startswith(e + ".") for e in _STORE_ENTRIES) \
        or name.startswith(TMP_PREFIX)


def _keep_foreign_files(old: Path, new: Path) -> None:
    """Move what the replaced store folder ``old`` held besides a store's own files into ``new``."""
    kept = []
    for child in sorted(old.iterdir()):
        if not _store_entry(child.name) and not (new / child.name).exists():
            os.rename(child, new / child.name)
            kept.append(child.name)
    if kept:
        logger.warning("%s: --overwrite replaced the store and kept what else the folder held: %s",
                       new, ", ".join(kept[:10]))


def _recover_set_aside(out: Path) -> None:
    """Undo what a killed ``overwrite`` left: the earlier store set aside as ``.<name>.old-*``.

    Where ``out`` is whole (the new store was finished) the set-aside copies are removed; else the
    newest one is put back in place of the half-written store, as a failed overwrite would have.
    """
    aside = [q for q in out.parent.glob(f".{glob.escape(out.name)}.old-*")
             if (q / MANIFEST).is_file()]
    if not aside:
        return
    try:
        whole = bool(json.loads((out / MANIFEST).read_text()).get("complete"))
    except (OSError, ValueError, AttributeError):
        whole = False
    if not whole and out.exists() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        logger.warning("%s: an interrupted --overwrite left the earlier store in %s, but %s now "
                       "holds something else; left as they are", out, aside[0], out)
        return
    settle_set_aside(out, aside, new_in_place=whole, what="--overwrite")


@contextlib.contextmanager
def _locked(out: Path):
    """Hold an exclusive lock on the store folder ``out`` (a ``.<name>.lock`` file beside it), or
    refuse at once: two prepares writing one store would delete each other's half-written work."""
    try:
        import fcntl
    except ImportError:   # pragma: no cover - Windows: no advisory locks, as before
        yield
        return
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.lock"
    while True:
        fh = open(lock, "a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise ConfigurationError(f"{out}: another eegemo prepare is writing this store (lock "
                                     f"{lock}); wait for it to finish or choose another --out") \
                from None
        try:   # the lock file is removed when released: locked, it must still be the one there
            if os.stat(lock).st_ino == os.fstat(fh.fileno()).st_ino:
                break
        except FileNotFoundError:
            pass
        fh.close()   # a prepare that finished meanwhile removed it: lock the new one
    try:
        yield
    finally:
        # removed while still held, so no other prepare can hold the inode it names: none is left
        # beside the store once prepare ends
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock)
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def _prepare(source, out, config, jobs, scheduler, overwrite, overrides) -> Store:
    t0 = time.perf_counter()
    cfg = (config or PrepareConfig()).replace(**overrides) if overrides else (config or PrepareConfig())
    if not isinstance(cfg, PrepareConfig):
        raise ConfigurationError(f"prepare: config must be a PrepareConfig, found {type(cfg).__name__}")
    check_image_size(cfg)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if int(jobs) < 1:
        raise ConfigurationError(f"prepare: jobs must be >= 1, found {jobs}")
    jobs = int(jobs)
    if scheduler is not None:   # workers run elsewhere: they need absolute paths
        out = Path(out).resolve()
        if isinstance(source, (str, os.PathLike)):
            source = Path(source).resolve()
    recs = _read_source(source, cfg)
    facts = _check(recs, cfg)
    keys = _unique_keys(recs)
    fp_cache: dict = {}
    fingerprints = [_recording_fingerprint(r, fp_cache) for r in recs]
    _refuse_copies(recs, fingerprints)
    out = Path(out)
    made = not out.exists()
    fresh = made or (out.is_dir() and not any(out.iterdir()))
    old = _start_store(out, cfg, overwrite)
    widening = old is not None and old.get("config_hash") != cfg.config_hash()
    recdir = out / "recordings"
    recdir.mkdir(exist_ok=True)
    for child in recdir.iterdir():
        if child.name.startswith(TMP_PREFIX):
            logger.info("%s: removing the half-written %s of an interrupted run", out, child.name)
            shutil.rmtree(child, ignore_errors=True)

    committed = {e["key"]: e for e in (old or {}).get("recordings", [])}
    wanted = set(keys)
    gone = [key for key in committed if key not in wanted]
    if gone:   # a part of the source (one file of a folder) must not silently shrink the store
        raise ConfigurationError(
            f"{out}: the store holds {len(gone)} recording(s) that this source does not "
            f"({', '.join(gone[:3])}{', …' if len(gone) > 3 else ''}); give the whole source, or "
            "overwrite=True (--overwrite) to rebuild the store from this one")
    todo = []
    for i, (rec, key, fp) in enumerate(zip(recs, keys, fingerprints, strict=True)):
        entry = committed.get(key)
        if entry is not None and (recdir / f"{key}.zarr").is_dir():
            missing = [a for a in (old or {}).get("arrays") or []
                       if not (recdir / f"{key}.zarr" / a / "zarr.json").is_file()]
            if not _readable_index(recdir / f"{key}.zarr" / "index.parquet"):
                logger.warning("%s: the stored index of %s is damaged; recomputing", out, key)
            elif missing:
                logger.warning("%s: array(s) %s of %s are missing; recomputing", out,
                               ", ".join(missing), key)
            elif same_source(entry.get("source_fingerprint") or {}, fp):
                continue
            else:
                logger.warning("%s: source of %s changed since it was prepared; recomputing", out,
                               key)
        todo.append(i)

    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "config": cfg.to_dict(), "config_hash": cfg.config_hash(), "versions": _versions(),
        "dataset": facts["datasets"][0] if len(facts["datasets"]) == 1 else facts["datasets"],
        "simulated": facts["simulated"], "kind": facts["kind"], "feature": facts["feature"],
        "label_names": {str(k): v for k, v in sorted(facts["label_names"].items())},
        "ch_names": facts["ch_names"], "bands": facts["bands"], "sfreq": facts["sfreq"],
        "window": facts["window"], "overlap": facts["overlap"],
        "units": ({"de": "nats (of band power in µV²)", "psd": "µV²/Hz", "raw": "µV"}
                  if facts["kind"] == "raw" else
                  {"de": "as released (the dataset's own scaling)", "psd": "as released"}),
        "source_fingerprint_method": "size, mtime_ns and SHA-256 of the first and last MiB of the "
                                     "file and of its companions (same-stem files, label.mat, "
                                     "an events sidecar); SHA-256 of the arrays for in-memory "
                                     "recordings",
        "arrays": (old or {}).get("arrays", []), "shapes": (old or {}).get("shapes", {}),
        "recordings": [committed[k] for k in keys if k in committed],
        "n_rows": None, "complete": False,
    }
    man_path = out / MANIFEST
    _write_json(man_path, manifest)

    peak_rss, cpu = [0.0], [0.0]

    def commit(i: int, result: dict) -> None:
        rec, key = recs[i], keys[i]
        relog(result.get("log"))     # what a worker process warned about
        peak_rss[0] = max(peak_rss[0], result.get("peak_rss_mb") or 0.0)
        cpu[0] += result.get("cpu_seconds") or 0.0
        shapes = {k: list(v) for k, v in result["shapes"].items()}
        if manifest["arrays"] and (sorted(manifest["arrays"]) != result["arrays"]
                                   or any(manifest["shapes"].get(k) != v for k, v in shapes.items())):
            shutil.rmtree(result["tmp"], ignore_errors=True)
            raise data_error(rec.source, "arrays differ from the other recordings'",
                             expected=str(manifest["shapes"]), found=str(shapes))
        _commit(result, recdir)
        manifest["arrays"] = result["arrays"]
        manifest["shapes"] = shapes
        committed[key] = {"key": key, "dataset": rec.dataset, "subject": str(rec.subject),
                          "session": rec.session,
                          "source": str(rec.source.resolve() if rec.source.is_file() else rec.source),
                          "source_fingerprint": fingerprints[i], "trials": result["trials"],
                          "rows": result["rows"], "bytes": result["bytes"]}
        manifest["recordings"] = [committed[k] for k in keys if k in committed]
        _write_json(man_path, manifest)

    try:
        n_windows_done = _run(recs, keys, todo, cfg, recdir, jobs, scheduler, commit)
    except BaseException:    # an error, or Ctrl-C: a store that was whole stays whole
        if fresh and not committed:
            # nothing to resume: a failed first run leaves no half store behind
            for child in (man_path, recdir):
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(
                    missing_ok=True)
            if made and not any(out.iterdir()):
                out.rmdir()
        elif old and old.get("complete"):
            # the store was whole before this run: it stays whole, with the recordings it holds
            # (each committed one is), instead of blocking train/info until the source is fixed
            try:
                manifest["recordings"] = [committed[k] for k in keys if k in committed]
                if widening:   # the store as it was: its selection, config and recordings
                    before = {e["key"] for e in old.get("recordings", [])}
                    manifest["recordings"] = [e for e in manifest["recordings"]
                                              if e["key"] in before]
                    manifest["config"], manifest["config_hash"] = (old["config"],
                                                                   old["config_hash"])
                manifest["n_rows"] = _rebuild_index(out, manifest["recordings"])
                manifest["complete"] = True
                _write_json(man_path, manifest)
                logger.warning("%s: prepare stopped; the store keeps the %d recording(s) it holds",
                               out, len(manifest["recordings"]))
            except Exception as exc:   # noqa: BLE001 - the first error is the one to report
                logger.warning("%s: could not close the store after the failure (%s)", out, exc)
        raise

    manifest["recordings"] = [committed[k] for k in keys]
    manifest["n_rows"] = _rebuild_index(out, manifest["recordings"])
    manifest["complete"] = True
    _write_json(man_path, manifest)
    seconds = time.perf_counter() - t0
    store = open_store(out)
    store.summary = {
        "recordings": len(recs), "computed": len(todo), "skipped": len(recs) - len(todo),
        "windows": int(manifest["n_rows"]), "computed_windows": int(n_windows_done),
        "seconds": round(seconds, 3),
        "windows_per_s": round(n_windows_done / seconds, 1) if seconds > 0 else None,
        "bytes": dir_bytes(out), "jobs": jobs if scheduler is None else "dask",
        "peak_rss_mb": max(peak_rss[0], _compute._peak_rss_mb() or 0.0),
        "worker_peak_rss_mb": peak_rss[0] or None,
        "worker_cpu_seconds": round(cpu[0], 3),
        "path": str(out)}
    logger.info("prepared %(recordings)d recordings (%(computed)d computed, %(skipped)d skipped), "
                "%(windows)d windows in %(seconds).1f s (%(windows_per_s)s windows/s), "
                "%(bytes)d bytes on disk", store.summary)
    return store


def _sent_from(rec: Recording) -> tuple[int, bool]:
    """What a worker is told of where its recording comes from: this pid, and whether the source
    file exists here."""
    return os.getpid(), Path(rec.source).exists()


def _payload(rec: Recording) -> bytes | None:
    import cloudpickle

    try:
        return cloudpickle.dumps(rec)
    except Exception as exc:  # noqa: BLE001 - any pickling failure means "run it here"
        logger.warning("%s: recording cannot be sent to a worker (%s); computing it in this process",
                       rec.source, exc)
        return None


def _mp_context():
    """Start method of the worker processes.

    ``forkserver`` (POSIX): workers are forked from a clean server process that has already imported
    the compute modules, so they start in milliseconds without inheriting this process's threads
    (zarr's I/O loop, Dask, tqdm). ``EEGEMO_MP_START`` overrides it; ``spawn`` elsewhere.
    """
    methods = multiprocessing.get_all_start_methods()
    method = os.environ.get("EEGEMO_MP_START") or ("forkserver" if "forkserver" in methods
                                                   else "spawn")
    if method not in methods:
        raise ConfigurationError(f"EEGEMO_MP_START: expected one of {methods}, found {method!r}")
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["eegemo.store._compute", "eegemo.preprocess", "zarr", "pandas",
                                    "scipy.fft", "cloudpickle"])
    return ctx


def _run(recs, keys, todo, cfg: PrepareConfig, recdir: Path, jobs: int, scheduler, commit) -> int:
    """Compute the recordings ``todo`` (indices) serially, in a process pool or on Dask."""
    from tqdm.auto import tqdm

    done_rows = 0
    if not todo:
        return 0
    bar = tqdm(total=len(todo), desc="prepare", unit="rec", disable=progress_disabled())

    def local(i: int) -> None:
        nonlocal done_rows
        res = process_recording(recs[i], cfg, keys[i], recdir,
                                 fail_after_trials=_compute._fail_hook(keys[i]))
        commit(i, res)
        done_rows += res["rows"]
        bar.update()

    try:
        if scheduler is None and (jobs == 1 or len(todo) == 1):
            for i in todo:
                local(i)
            return done_rows
        cfg_dict = cfg.to_dict()
        if scheduler is not None:
            here = []
            done_rows += _run_dask(todo, recs, keys, cfg_dict, recdir, scheduler, commit, bar,
                                   here)
        else:
            here = []
            queue = iter(todo)
            ctx = _mp_context()
            with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx,
                                     initializer=watch_parent, initargs=(os.getpid(),)) as ex:
                futures: dict[Future, int] = {}

                def submit_next() -> Future | None:
                    # pickled one at a time as workers free up: the parent holds a few
                    # recordings' payloads, not a copy of every in-memory recording at once
                    for i in queue:
                        payload = _payload(recs[i])
                        if payload is None:
                            here.append(i)
                            continue
                        fut = ex.submit(process_payload, payload, cfg_dict, keys[i], str(recdir),
                                        _sent_from(recs[i]))
                        futures[fut] = i
                        return fut
                    return None

                committed: set = set()
                try:
                    pending = {f for f in (submit_next() for _ in range(jobs + 1)) if f}
                    while pending:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for fut in finished:
                            res = fut.result()
                            commit(futures[fut], res)
                            committed.add(fut)
                            done_rows += res["rows"]
                            bar.update()
                            nxt = submit_next()
                            if nxt is not None:
                                pending.add(nxt)
                except BrokenProcessPool:
                    ex.shutdown(wait=True, cancel_futures=True)
                    raise broken_pool_error(f"prepare {recdir.parent} (finished recordings are "
                                            "kept; run it again to resume)") from None
                except BaseException:
                    ex.shutdown(wait=True, cancel_futures=True)
                    # recordings that finished meanwhile are kept: the rerun need not compute them
                    for fut in set(futures) - committed:
                        if fut.done() and not fut.cancelled() and fut.exception() is None:
                            try:
                                commit(futures[fut], fut.result())
                            except Exception:   # noqa: BLE001 - the first error is reported
                                pass
                    raise
        for i in here:
            local(i)
        return done_rows
    finally:
        bar.close()


#: tasks a Dask prepare keeps in flight at least, whatever the cluster's size now
_DASK_MIN_IN_FLIGHT = 4


def _run_dask(todo, recs, keys, cfg_dict, recdir, client, commit, bar, here: list) -> int:
    """Compute recordings ``todo`` on the workers of a connected ``distributed.Client``.

    A few tasks are in flight at a time (twice the cluster's threads as it is now, at least
    ``_DASK_MIN_IN_FLIGHT``, so a cluster that scales with its queue from zero workers still sees
    work to scale for), each recording pickled when its task is submitted: the client holds a few
    in-memory recordings' payloads, not a copy of every one at once. Recordings that cannot be
    sent (no payload) are appended to ``here`` for the caller to compute locally.
    """
    from distributed import as_completed

    from .._dask import _local_version, run_checked

    mine = _local_version()   # a worker that joined after connecting is checked per task

    def window() -> int:      # asked again as tasks finish: workers come and go
        try:
            threads = sum(client.nthreads().values())
        except Exception:   # noqa: BLE001 - a scheduler that cannot say: the minimum
            threads = 0
        return max(_DASK_MIN_IN_FLIGHT, 2 * threads)

    queue = iter(todo)
    futures: dict = {}

    def submit_next():
        for i in queue:
            payload = _payload(recs[i])
            if payload is None:
                here.append(i)
                continue
            fut = client.submit(run_checked, mine, process_payload, payload, cfg_dict, keys[i],
                                str(recdir), _sent_from(recs[i]), pure=False,
                                key=f"eegemo-prepare-{keys[i]}-{uuid.uuid4().hex[:8]}")
            futures[fut.key] = (i, fut)
            return fut
        return None

    done_rows = 0
    first = [f for f in (submit_next() for _ in range(window())) if f is not None]
    try:
        # the client's own loop: it is not the default client (connect() never makes it one)
        running = as_completed(first, loop=client.loop)
        for fut in running:
            i = futures[fut.key][0]
            try:
                res = fut.result()
            except Exception as err:    # a worker lost: one line, not distributed's traceback
                lost = lost_worker_error(f"prepare {recdir.parent}, {keys[i]} (finished "
                                         "recordings are kept; run it again to resume)", err)
                if lost is None:
                    raise
                raise lost from None
            commit(i, res)
            done_rows += res["rows"]
            bar.update()
            del futures[fut.key]
            for _ in range(max(1, window() - len(futures))):
                nxt = submit_next()
                if nxt is None:
                    break
                running.add(nxt)
    except BaseException:
        for _, f in futures.values():
            f.cancel()
        raise
    return done_rows
