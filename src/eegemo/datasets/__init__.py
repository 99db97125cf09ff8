"""Readers for the SEED family and any MNE-readable recording, behind one :func:`read`.

Every reader returns a list of :class:`~eegemo.recording.Recording` whose trials load lazily. Raw
trials are (n_channels, n_times) in volts; released features are (n_windows, n_channels, n_bands).

=========================== ===================================================================
dataset                     layout recognised
=========================== ===================================================================
``seed``                    ``Preprocessed_EEG/``, ``ExtractedFeatures/``, ``SEED_EEG/...``, raw ``.cnt``
``seed-iv``                 ``eeg_raw_data/<session>/``, ``eeg_feature_smooth/<session>/``
``seed-v``                  ``EEG_raw/*.cnt``, ``EEG_DE_features/<subject>_123.npz``
``seed-ger`` / ``seed-fra`` ``German|French/01-EEG-raw/*.cnt``, ``02-EEG-DE-feature/eeg_used_1s/*.npz``
``seed-multimodal-chinese`` ``Chinese/...`` of SEED Multimodal (``seed-multimodal``: all languages)
``bird``                    ``emotions.csv`` feature table
``generic``                 any single file MNE reads (EDF, BDF, FIF, BrainVision, EEGLAB, CNT, GDF)
=========================== ===================================================================

Examples
--------
>>> from eegemo.datasets import read, detect_dataset
>>> detect_dataset("SEED")                                   # doctest: +SKIP
'seed'
>>> recs = read("SEED", kind="features", feature="de_LDS", subjects=[1, 2])   # doctest: +SKIP
>>> recs[0].trials[0].load().shape                           # doctest: +SKIP
(235, 62, 5)
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._logging import logger
from ..errors import ConfigurationError, DataFormatError, data_error
from ..recording import Recording

if TYPE_CHECKING:
    from ._family import Selection

__all__ = ["read", "detect_dataset", "DATASETS", "simulate"]

#: Dataset name → reader module (relative to this package).
DATASETS: dict[str, str] = {
    "seed": "seed",
    "seed-iv": "seed_iv",
    "seed-v": "seed_v",
    "seed-ger": "seed_multimodal",
    "seed-fra": "seed_multimodal",
    "seed-multimodal-chinese": "seed_multimodal",
    "seed-multimodal": "seed_multimodal",
    "bird": "bird",
    "generic": "generic",
}

#: Order in which layouts are tried by :func:`detect_dataset` (most specific first; generic last;
#: SEED before SEED Multimodal because the newer SEED release holds both).
_DETECT_ORDER = ("seed_v", "seed_iv", "seed", "seed_multimodal", "bird", "generic")

_LOOKED_FOR = ("SEED (Preprocessed_EEG/, ExtractedFeatures/, SEED_RAW_EEG/*.cnt)",
               "SEED-IV (eeg_raw_data/<session>/, eeg_feature_smooth/<session>/)",
               "SEED-V (EEG_raw/*.cnt, EEG_DE_features/*_123.npz)",
               "SEED-GER/FRA/Multimodal (<Language>/01-EEG-raw, 02-EEG-DE-feature)",
               "Bird emotions.csv", "one MNE-readable recording")


def _module(name: str):
    """Import reader module ``name`` or return None when it does not exist (yet)."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"{__name__}.{name}",):
            return None
        raise


def _claims(mod, p: Path) -> bool:
    """Whether reader module ``mod`` recognises ``p`` (a damaged file it cannot tell: no)."""
    try:
        return bool(mod.detect(p))
    except DataFormatError:
        return False


def _detect(p: Path) -> str | None:
    for name in _DETECT_ORDER:
        mod = _module(name)
        if mod is not None and _claims(mod, p):
            if name == "seed_multimodal":
                return mod.dataset_name(p)
            return {"seed_v": "seed-v", "seed_iv": "seed-iv"}.get(name, name)
    return None


#: folder levels :func:`_detect_here_or_below` goes down
_UNWRAP_LEVELS = 3


def _detect_here_or_below(p: Path) -> tuple[str, Path] | None:
    """The dataset at ``p``, or in the one folder an archive unpacked it into.

    Archives often unpack into a folder of their own name, sometimes twice (``SEED_IV
    Database/SEED_IV Database/eeg_raw_data``): where ``p`` holds nothing recognised and exactly one
    sub-folder (hidden folders and ``__MACOSX`` aside), that sub-folder is tried, up to
    ``_UNWRAP_LEVELS`` levels down.
    """
    for _ in range(_UNWRAP_LEVELS + 1):
        name = _detect(p)
        if name is not None:
            return name, p
        if not p.is_dir():
            return None
        subs = [c for c in p.iterdir() if c.is_dir() and not c.name.startswith(".")
                and c.name != "__MACOSX"]
        if len(subs) != 1:
            return None
        p = subs[0]
    return None


def detect_dataset(path: str | os.PathLike) -> str:
    """Name the dataset a folder or file holds.

    Parameters
    ----------
    path : path-like
        A dataset root, one of its folders, or one file.

    Returns
    -------
    dataset : str
        One of :data:`DATASETS`.

    Raises
    ------
    eegemo.errors.DataFormatError
        If nothing matches (the message lists the layouts looked for).
    """
    p = Path(path)
    if not p.exists():
        raise data_error(p, "path not found", expected="a dataset folder or a recording file")
    found = _detect_here_or_below(p)
    if found is not None:
        return found[0]
    from .._files import NEXT_STEP, folder_kind

    kind = folder_kind(p)
    if kind is not None:     # eegemo's own output given where a dataset is expected
        raise data_error(p, "not a dataset", expected="a dataset folder or a recording file",
                         found=NEXT_STEP[kind])
    if p.is_file():      # one file: its kind is what it is about, not the folder layouts
        raise data_error(p, f"not a recording eegemo reads ({p.suffix or 'no extension'})",
                         expected="EDF/BDF/GDF, FIF, BrainVision .vhdr, EEGLAB .set, .cnt, a "
                         "SEED-family .mat/.npz, FieldTrip .mat or the Bird .csv",
                         found="none of them (pass dataset=, --dataset, to choose a reader)")
    raise data_error(p, "unknown dataset layout", expected="one of: " + "; ".join(_LOOKED_FOR),
                     found="none (pass dataset=, --dataset, to choose a reader)")


#: Options :func:`read` passes to every reader (each takes or ignores them).
COMMON_READ_OPTIONS = frozenset({"kind", "feature", "subjects", "sessions", "dataset"})


def _call_reader(mod, path, kwargs: dict):
    """Call ``mod.read`` with the options it accepts; an option no reader knows (a typo such as
    ``lables=``) is refused rather than ignored by a reader's ``**kwargs``."""
    sig = inspect.signature(mod.read)
    params = sig.parameters
    named = {k for k, p in params.items() if k != "path" and p.kind in
             (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}
    unknown = [k for k in kwargs if k not in named and k not in COMMON_READ_OPTIONS]
    if unknown:
        reader = mod.__name__.rsplit(".", 1)[-1]
        allowed = ", ".join(sorted(named | COMMON_READ_OPTIONS))
        raise ConfigurationError(f"{reader} reader: unknown option(s) {', '.join(unknown)} "
                                 f"(expected among {allowed})")
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        dropped = [k for k in kwargs if k not in params]
        unsupported = [k for k in dropped if kwargs[k] is not None
                       and k not in ("feature",)]
        if unsupported:
            raise ConfigurationError(f"{mod.__name__.rsplit('.', 1)[-1]} reader does not accept "
                                     f"{', '.join(unsupported)}")
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return mod.read(path, **kwargs)


def read(path: str | os.PathLike, dataset: str | None = None, *, kind: str | None = None,
         feature: str = "de_LDS", subjects: Selection = None, sessions: Selection = None,
         **kwargs: Any) -> list[Recording]:
    """Read a SEED-family dataset, the Bird table, or any MNE-readable recording.

    Parameters
    ----------
    path : path-like
        A dataset root (the folder as downloaded), one of its sub-folders, or one file.
    dataset : str | None
        Force a reader (see :data:`DATASETS`); ``None`` detects it with :func:`detect_dataset`.
    kind : {"raw", "features"} | None
        Raw signals or released features; ``None``: raw where present, else features.
    feature : str
        Released feature to read (``de_LDS``, ``de_movingAve``, ``psd_LDS``, ``psd_movingAve``, ...).
    subjects, sessions : None | id | sequence
        Keep only these subjects / sessions (1-based).
    **kwargs
        Reader options, e.g. ``labels=``, ``trial_times=`` (override the published tables),
        ``window="4s"``, ``repaired=True``, ``data_format="int32"``, ``de_layout="band-major"``.

    Returns
    -------
    recordings : list of Recording
        Trials are loaded lazily (``trial.load()``).

    Raises
    ------
    eegemo.errors.DataFormatError
        Unknown layout or bad files (one line naming the file, what was expected and found).
    eegemo.errors.ConfigurationError
        An unknown dataset name or option.
    """
    detected = dataset is None
    if not Path(path).exists():
        raise data_error(path, "path not found", expected="a dataset folder or a recording file")
    if dataset is not None and dataset not in DATASETS:
        raise ConfigurationError(f"dataset: expected one of {', '.join(DATASETS)}, found {dataset!r}")
    mod = None if detected else _module(DATASETS[dataset])
    # a named reader that sees its layout here reads it as given; otherwise (or with no name) the
    # layout may sit in the one folder an archive unpacked it into
    if detected or (mod is not None and not _claims(mod, Path(path))):
        below = _detect_here_or_below(Path(path))
        if below is None and detected:
            detect_dataset(path)                 # raises, saying what was looked for
        if below is not None and (detected or DATASETS[below[0]] == DATASETS[dataset]):
            dataset = below[0] if detected else dataset
            if below[1] != Path(path):
                logger.info("%s: reading %s (the one folder inside)", path, below[1])
                path = below[1]
        mod = _module(DATASETS[dataset])
    if mod is None:
        raise ConfigurationError(f"dataset {dataset!r}: its reader module eegemo.datasets."
                                 f"{DATASETS[dataset]} is not installed")
    from ._family import find_marker, refuse_unfinished

    refuse_unfinished(find_marker(path), path)
    opts = dict(kind=kind, feature=feature, subjects=subjects, sessions=sessions, **kwargs)
    if DATASETS[dataset] == "seed_multimodal" and not detected:
        # a detected name is the reader's own guess: leave it to say when it had to guess
        opts["dataset"] = dataset
    recs = _call_reader(mod, path, opts)
    if not recs and (subjects is not None or sessions is not None):
        # say what is there (readers list files from metadata, so this costs no trial data)
        from .info import _fmt_list, _natural

        try:
            every = _call_reader(mod, path, {**opts, "subjects": None, "sessions": None})
        except (ConfigurationError, DataFormatError):
            # the whole folder is not readable with these options (e.g. eegmmidb runs of two
            # tasks): say what was asked for, not why the rest cannot be read
            raise data_error(path, "no recording of the subjects/sessions asked for",
                             found=f"none for the subjects {_asked(subjects)}, sessions "
                                   f"{_asked(sessions)} asked for") from None
        have_s = sorted({str(r.subject) for r in every}, key=_natural)
        have_n = sorted({r.session for r in every if r.session is not None})
        raise data_error(path, "no recording of the subjects/sessions asked for",
                         expected=f"subjects among {_fmt_list(have_s, 12) or 'none'}, "
                                  f"sessions among {_fmt_list(have_n, 12) or 'none'}",
                         found=f"none for the subjects {_asked(subjects)}, sessions "
                               f"{_asked(sessions)} asked for")
    _refuse_missing(path, recs, subjects, sessions)
    return recs


def _refuse_missing(path, recs, subjects, sessions) -> None:
    """A subject or session asked for that no recording has (a typo in a list of several) is
    refused, not dropped: the store or prediction would silently hold less than asked for."""
    from ._family import subject_key as _id_key   # numbers by value: "01" is "1"

    missing = []
    if subjects is not None:
        have = {_id_key(r.subject) for r in recs}
        missing += [f"subject {s}" for s in _as_list(subjects) if _id_key(s) not in have]
    if sessions is not None:
        have_n = {_id_key(r.session) for r in recs if r.session is not None}
        missing += [f"session {s}" for s in _as_list(sessions) if _id_key(s) not in have_n]
    if missing:
        from .info import _fmt_list, _natural

        found_s = sorted({str(r.subject) for r in recs}, key=_natural)
        found_n = sorted({r.session for r in recs if r.session is not None})
        raise data_error(path, f"no recording of {', '.join(missing)}",
                         expected="every subject and session asked for to be there",
                         found=f"recordings of subjects {_fmt_list(found_s, 12) or 'none'}, "
                               f"sessions {_fmt_list(found_n, 12) or 'none'} among those asked "
                               f"for")


def _as_list(selection) -> list:
    """One id (a string counts as one) or an iterable of them, as a list."""
    scalar = isinstance(selection, str) or not isinstance(selection, Iterable)
    return [selection] if scalar else list(selection)


def _asked(selection) -> str:
    if selection is None:
        return "all"
    items = sorted(_as_list(selection), key=str)
    return "[" + ", ".join(repr(x) if isinstance(x, str) else str(x) for x in items) + "]"


_LAZY = ("simulate", "bird", "generic", "info", "seed", "seed_iv", "seed_v", "seed_multimodal")


def __getattr__(name: str):
    """Import submodules (``simulate``, ``bird``, ``generic``, ``info``, readers) on first use."""
    if name in _LAZY:
        mod = _module(name)
        if mod is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r} (module not present)")
        return mod
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
