"""Helpers shared by the SEED-family readers: tables, the simulated-data marker, selection, .mat trials.

The published facts (label sequences, trial times, dates) live in ``datasets/tables/*.json`` so a user
can read them, check them against the BCMI pages and override them per call (``labels=``,
``trial_times=``) without touching code.
"""

from __future__ import annotations

import copy
import functools
import json
import numbers
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._logging import logger
from ..bands import SEED_BANDS
from ..channels import SEED_CHANNELS
from ..errors import ConfigurationError, data_error
from ..recording import Trial, check_finite
from ._mat import MatFile

if TYPE_CHECKING:
    from typing import TypeAlias

    #: A subject or session selection: one id, several, or None for all (:func:`as_subjects`,
    #: :func:`as_sessions`).
    Selection: TypeAlias = int | str | Iterable[int | str] | None
    #: A ``labels=`` override: one sequence for every session, or session -> sequence.
    LabelsOverride: TypeAlias = Sequence[int] | Mapping[int | str, Sequence[int]] | None
    #: A ``trial_times=`` override: ``{"start": [...], "end": [...]}`` in seconds, or
    #: session -> that.
    TrialTimes: TypeAlias = (Mapping[str, Sequence[float]]
                             | Mapping[int | str, Mapping[str, Sequence[float]]] | None)

__all__ = [
    "MARKER", "glob_ci", "load_table", "label_names", "find_marker", "marker_for", "is_simulated",
    "as_subjects", "as_sessions", "check_kind", "resolve_labels", "resolve_times", "mat_raw_trials",
    "mat_feature_trials", "check_one_de", "only_window", "rank_sessions", "split_windows",
    "one_file_per_recording", "check_bool", "real_array", "check_label_codes", "FEATURE_RE",
    "RAW_VAR_RE",
]

#: Marker file written by :mod:`eegemo.datasets.simulate` at the root of a simulated dataset.
MARKER = "eegemo-simulated.json"

#: ``<prefix>_eeg<trial>`` variables of the preprocessed ``.mat`` files.
RAW_VAR_RE = re.compile(r"^(.*)_eeg(\d+)$")
#: Released feature names of the ``ExtractedFeatures`` / ``eeg_feature_smooth`` files.
FEATURE_RE = re.compile(r"^(de|psd|dasm|rasm|asm|dcau)_(LDS|movingAve)$")
#: Rows of each released feature (de/psd: the 62 channels; the asymmetry features: channel pairs).
FEATURE_ROWS = {"de": 62, "psd": 62, "dasm": 27, "rasm": 27, "asm": 54, "dcau": 23}


@functools.cache
def _table(name: str) -> dict:
    text = resources.files("eegemo.datasets").joinpath("tables", f"{name}.json").read_text()
    return json.loads(text)


def load_table(name: str) -> dict:
    """A copy of the packaged table ``tables/<name>.json`` (``seed``, ``seed_iv``, ``seed_v``, ...)."""
    return copy.deepcopy(_table(name))


def label_names(table: Mapping) -> dict[int, str]:
    """``{int: str}`` label meanings of a table."""
    return {int(k): str(v) for k, v in table["label_names"].items()}


def glob_ci(folder: Path, pattern: str) -> list[Path]:
    """``folder.glob(pattern)`` ignoring case (``1_1.CNT`` as ``*.cnt``), sorted; [] where
    ``folder`` is not a folder. Downloads unpacked on Windows or macOS keep upper-case names."""
    import fnmatch

    folder = Path(folder)
    if not folder.is_dir():
        return []
    pat = pattern.lower()
    return sorted(p for p in folder.iterdir() if fnmatch.fnmatchcase(p.name.lower(), pat))


def find_marker(path: str | os.PathLike, levels: int = 3) -> dict | None:
    """The simulator's marker found at ``path`` (a folder) or up to ``levels`` folders above it.

    A marker speaks only for what the simulator wrote: where it lists its files (a finished
    simulation), a file must be one of them and a folder must hold one of them; anything else
    below the simulation's folder (say, a real download kept there) gets None.
    """
    p = Path(path)
    here = p if p.is_dir() else p.parent
    for d in [here, *list(here.parents)[:levels]]:
        f = d / MARKER
        if f.is_file():
            try:
                marker = json.loads(f.read_text())
            except (OSError, ValueError):
                return {"simulated": True}
            if not isinstance(marker, dict):
                return {"simulated": True}
            files = marker.get("files")
            if isinstance(files, list) and not _written_by(p, d, files):
                return None
            return marker
    return None


def marker_for(path: str | os.PathLike, folders=()) -> dict | None:
    """The simulator's marker of ``path``, or of the data folders a reader found below it (a
    simulation kept in a ``SEED/`` folder of the path given is still a simulation)."""
    marker = find_marker(path)
    for d in folders:
        if marker is not None:
            break
        if d is not None and Path(d).exists():
            marker = find_marker(d)
    refuse_unfinished(marker, path)
    return marker


def refuse_unfinished(marker: dict | None, path: str | os.PathLike) -> None:
    """Refuse a simulation whose marker says ``complete: false`` (``eegemo simulate`` was
    interrupted): some of its files are missing, and reading the rest would look like a dataset."""
    if isinstance(marker, dict) and marker.get("complete") is False:
        raise data_error(path, f"an unfinished simulation ({MARKER} says complete: false: "
                         "eegemo simulate was interrupted)", expected="a finished simulation",
                         found="some files only; run eegemo simulate again with the same options "
                         "to finish it")


def _written_by(path: Path, root: Path, files: list) -> bool:
    """Whether ``path`` is one of ``files`` (relative to ``root``) or a folder holding one."""
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except (OSError, ValueError):
        return False
    if rel == ".":
        return True
    listed = {str(q).replace("\\", "/") for q in files}
    return rel in listed or any(q.startswith(rel + "/") for q in listed)


def is_simulated(path: str | os.PathLike) -> bool:
    """Whether ``path`` lies in a dataset written by eegemo's simulator."""
    m = find_marker(path)
    return bool(m and m.get("simulated", True))


def as_subjects(subjects) -> set[str] | None:
    """Normalise a subject selection (None, one id, or ids) to a set of strings."""
    if subjects is None:
        return None
    if isinstance(subjects, (str, int, np.integer)):
        subjects = [subjects]
    out = {str(s).strip() for s in subjects}
    # "01" also selects subject 1 (the SEED family's file names have no leading zeros)
    return out | {str(int(s)) for s in out if s.isdigit()}


def subject_key(value) -> str:
    """A subject id as selections compare it: as written, except that numbers compare by value
    (``"01"``, ``"1"`` and ``1`` are one subject)."""
    text = str(value).strip()
    return str(int(text)) if text.isdigit() else text


def as_sessions(sessions) -> set[int] | None:
    """Normalise a session selection (None, one number, or numbers) to a set of ints."""
    if sessions is None:
        return None
    if isinstance(sessions, (str, int, np.integer)):
        sessions = [sessions]
    try:
        return {int(s) for s in sessions}
    except (TypeError, ValueError):
        raise ConfigurationError(f"sessions: expected None or session numbers, found {sessions!r}") \
            from None


def reject_unknown(kwargs: Mapping, reader: str, func) -> None:
    """Raise a ConfigurationError naming options ``func`` (a reader's ``read``) does not take."""
    if kwargs:
        import inspect

        accepted = [n for n, p in inspect.signature(func).parameters.items()
                    if p.kind is inspect.Parameter.KEYWORD_ONLY]
        raise ConfigurationError(f"{reader} reader: unknown option(s) {', '.join(sorted(kwargs))} "
                                 f"(expected some of {', '.join(accepted)})")


def check_kind(kind) -> None:
    """Validate ``kind`` (None, "raw" or "features")."""
    if kind not in (None, "raw", "features"):
        raise ConfigurationError(f"kind: expected 'raw', 'features' or None, found {kind!r}")


def check_bool(name: str, value) -> bool:
    """``value`` if it is True or False (a --read-option such as ``repaired=no`` arrives as a
    string, which would otherwise count as True)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigurationError(f"{name}: expected True or False, found {value!r}")
    return bool(value)


def check_feature(feature: str) -> tuple[str, int]:
    """Validate a released feature name; return it and its number of rows."""
    m = FEATURE_RE.match(str(feature))
    if not m:
        raise ConfigurationError(f"feature: expected one of de_LDS, de_movingAve, psd_LDS, "
                                 f"psd_movingAve, dasm_/rasm_/asm_/dcau_ + LDS|movingAve, found "
                                 f"{feature!r}")
    return str(feature), FEATURE_ROWS[m.group(1)]


def feature_ch_names(feature: str) -> tuple[str, ...]:
    """Row names of a released feature: the 62 channels, or numbered pairs for asymmetry features."""
    kind = feature.split("_")[0]
    if kind in ("de", "psd"):
        return SEED_CHANNELS
    return tuple(f"{kind.upper()}{i + 1}" for i in range(FEATURE_ROWS[kind]))


def resolve_labels(override, default: Sequence[int] | Mapping, session: int | None,
                   what: str) -> list[int]:
    """Trial labels of one session: ``override`` (list, or dict session → list) else the table's."""
    src = default if override is None else override
    if isinstance(src, Mapping):
        key = next((k for k in (session, str(session)) if k in src), None)
        if key is None:
            raise ConfigurationError(f"labels for {what}: no entry for session {session} "
                                     f"(found sessions {sorted(map(str, src))})")
        src = src[key]
    try:
        return [int(v) for v in np.asarray(src).ravel()]
    except (TypeError, ValueError):
        raise ConfigurationError(f"labels for {what}: expected integers, found {src!r}") from None


def resolve_times(override, marker: Mapping | None, default: Mapping, session: int | None,
                  what: str) -> tuple[list[float], list[float]]:
    """Trial start/end seconds: ``override`` > the simulator marker's ``trial_times`` > the table.

    Each source is either ``{"start": [...], "end": [...]}`` or ``{session: {"start", "end"}}``.
    """
    for src in (override, (marker or {}).get("trial_times"), default):
        if src is None:
            continue
        if "start" not in src:
            key = next((k for k in (session, str(session)) if k in src), None)
            if key is None:
                if src is override:
                    raise ConfigurationError(f"trial_times for {what}: no entry for session "
                                             f"{session}")
                continue
            src = src[key]
        try:
            starts = [float(v) for v in src["start"]]
            ends = [float(v) for v in src["end"]]
        except (KeyError, TypeError, ValueError):
            raise ConfigurationError(f"trial_times for {what}: expected {{'start': [...], 'end': "
                                     f"[...]}} in seconds, found {src!r}") from None
        if len(starts) != len(ends):
            raise ConfigurationError(f"trial_times for {what}: start and end disagree (expected one "
                                     f"end per start, found {len(starts)} starts, {len(ends)} ends)")
        return starts, ends
    raise ConfigurationError(f"trial_times for {what}: none given and no published table")


def check_one_de(feature, release: str) -> None:
    """Refuse a feature name other than the one DE feature a release has (SEED-V, SEED-GER/FRA/
    Chinese): ``de_LDS`` (the default) or ``de``, not a name recorded for data it is not."""
    if feature not in ("de_LDS", "de"):
        raise ConfigurationError(f"feature: {release} releases one DE feature (expected de_LDS, "
                                 f"the default), found {feature!r}")


def only_window(folders: Mapping[str, Path], path) -> str:
    """The feature window to read when none was asked for: ``"1s"`` where the release holds it (or
    holds several), else the only one it holds (e.g. a path inside a 4-s feature folder)."""
    if "1s" in folders or len(folders) != 1:
        return "1s"
    (window,) = folders
    logger.info("%s: %s feature windows (the only ones here)", Path(path).name, window)
    return window


def rank_sessions(files: Iterable[tuple[str, str, Path]],
                  published: Mapping[str, Sequence[str]] | None = None) -> dict[Path, int]:
    """Session of every ``(subject, date, path)``: {path: session}.

    Where the published recording dates of the subject (``published``: {subject: [date of session
    1, 2, 3]}) hold every date found, the session is the date's place among them, so a subject
    with a file missing keeps the right numbers; otherwise it is the date's rank among the subject's
    files.
    """
    by_subject: dict[str, list[tuple[str, Path]]] = {}
    for subject, date, path in files:  # "01" and "1" are one subject, as selections have it
        by_subject.setdefault(subject_key(subject), []).append((date, path))
    table = {subject_key(k): v for k, v in (published or {}).items()}
    out = {}
    for subject, items in by_subject.items():
        dates = [str(d) for d in table.get(subject, ())]
        if dates and all(date in dates for date, _ in items):
            for date, path in items:
                out[path] = dates.index(date) + 1
            continue
        for rank, (_, path) in enumerate(sorted(items), start=1):
            out[path] = rank
    return out


def one_file_per_recording(files: Iterable[Path], rx: re.Pattern, *, repaired: bool = True,
                           subjects: set[str] | None = None, sessions: set[int] | None = None
                           ) -> dict[tuple[str, int], tuple[Path, re.Match]]:
    """The file to read for each (subject, session) of a folder of raw recordings.

    BCMI ships ``*_repaired`` copies beside some damaged originals (SEED-V's
    ``7_1_20180411_repaired.cnt``); the copy is read where both exist unless ``repaired=False``.
    A copy without an original is read either way. Two other files of one subject and session
    are refused: reading both would put the same session twice in a dataset, once on each side
    of a split.

    Parameters
    ----------
    files : iterable of Path
    rx : re.Pattern
        File-name pattern; group 1 is the subject, group 2 the session. Other names are skipped.
    repaired : bool
        Prefer a repaired copy to its original.
    subjects, sessions : set | None
        Only these (from :func:`as_subjects` / :func:`as_sessions`): files of others are neither
        read nor checked.

    Returns
    -------
    chosen : dict of (subject, session) -> (Path, re.Match)
        The subject as the chosen file writes it (``07_2_….cnt`` and ``7_2_…_repaired.cnt`` are
        one recording; the copy's ``7`` names it).
    """
    groups: dict[tuple[str, int], dict[bool, list]] = {}
    for f in files:
        m = rx.match(f.name)
        if not m:
            continue
        subj, sess = m.group(1), int(m.group(2))
        key = (str(int(subj)) if subj.isdigit() else subj, sess)
        if (subjects is not None and not {subj, key[0]} & subjects) or \
                (sessions is not None and sess not in sessions):
            continue
        groups.setdefault(key, {True: [], False: []})["repaired" in f.name.lower()].append((f, m))
    chosen = {}
    for (subj, sess), by_kind in groups.items():
        for is_copy, found in by_kind.items():
            if len(found) > 1:
                names = ", ".join(sorted(f.name for f, _ in found))
                raise data_error(found[0][0].parent, f"{len(found)} files of subject {subj} "
                                 f"session {sess}", expected="one recording per subject and "
                                 "session (move the others away, or read one file by its path)",
                                 found=names)
        copy, original = by_kind[True], by_kind[False]
        if copy and original:
            use = copy[0] if repaired else original[0]
            logger.info("%s: subject %s session %d has a repaired copy; reading %s (repaired=%s)",
                        original[0][0].name, subj, sess, use[0].name, repaired)
        elif copy:
            logger.warning("%s: the only file of subject %s session %d is a repaired copy; "
                           "reading it", copy[0][0].name, subj, sess)
            use = copy[0]
        else:
            use = original[0]
        chosen[(use[1].group(1), sess)] = use
    return chosen


def real_array(x, path: str | os.PathLike | None, what: str) -> np.ndarray:
    """``x`` as a float64 array, or a one-line error where its values are not real numbers.

    NumPy would raise its own ``ValueError`` for strings and, for complex values, drop the
    imaginary part with only a ``ComplexWarning``.

    Parameters
    ----------
    x : array-like
        The values read (an array of a ``.mat`` or ``.npz`` file).
    path : path-like | None
        The file they came from, named first in the message.
    what : str
        What they are, for the message (``"variable djc_eeg1"``, ``"trial key 3"``).

    Returns
    -------
    arr : ndarray
        ``x`` as float64 (not copied where it already is).

    Raises
    ------
    eegemo.errors.DataFormatError
        For complex values (also MATLAB v7.3's ``real``/``imag`` records) or values that are not
        numbers (text, objects).
    """
    arr = np.asarray(x)
    if arr.dtype.kind == "c" or set(arr.dtype.names or ()) == {"real", "imag"}:
        raise data_error(path, f"complex values in {what}", expected="real numbers",
                         found=f"{arr.dtype} values")
    if arr.dtype.kind in "biuf":
        return np.asarray(arr, dtype=np.float64)
    if arr.dtype.kind == "O" and all(isinstance(v, numbers.Real) for v in arr.flat):
        return arr.astype(np.float64)     # numbers in an object array (a pickled list of them)
    if arr.dtype.kind == "O" and any(isinstance(v, numbers.Complex) for v in arr.flat):
        raise data_error(path, f"complex values in {what}", expected="real numbers",
                         found="complex numbers")
    sample = ", ".join(repr(v) for v in arr.ravel()[:3].tolist())
    raise data_error(path, f"values that are not numbers in {what}", expected="real numbers",
                     found=f"{arr.dtype} values" + (f", e.g. {sample}" if sample else ""))


def check_label_codes(path: str | os.PathLike | None, values: Iterable[int],
                      allowed: Mapping, problem: str) -> None:
    """Refuse labels outside a dataset's codes (``allowed``: label -> name) in one line.

    ``problem`` says what is wrong and, where it helps, what to do (``"labels coded otherwise
    than the dataset's"``); the message lists the dataset's coding and the values found.
    """
    values = sorted({int(v) for v in values})
    if not set(values) <= {int(k) for k in allowed}:
        coding = ", ".join(f"{int(k)} {v}" for k, v in sorted(allowed.items(),
                                                             key=lambda kv: int(kv[0])))
        raise data_error(path, problem, expected=coding, found=f"values {values}")


def raw_prefix(mat: MatFile) -> tuple[str, dict[int, str]]:
    """Find the ``<prefix>_eeg<n>`` variables of a preprocessed file: the prefix and {trial: name}."""
    groups: dict[str, dict[int, str]] = {}
    for k in mat.keys():
        m = RAW_VAR_RE.match(k)
        if m:
            groups.setdefault(m.group(1), {})[int(m.group(2))] = k
    if not groups:
        raise data_error(mat.path, "no <prefix>_eeg<n> variables", expected="variables like "
                         "djc_eeg1 ... djc_eeg15", found=f"variables {', '.join(mat.keys()[:10])}")
    prefix = max(groups, key=lambda p: len(groups[p]))
    if sum(len(g) == len(groups[prefix]) for g in groups.values()) > 1:
        raise data_error(mat.path, "several variable prefixes", expected="one <prefix>_eeg<n> family",
                         found=", ".join(sorted(groups)))
    return prefix, groups[prefix]


def _check_contiguous(path, numbers: Sequence[int], n_labels: int, what: str) -> None:
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        raise data_error(path, f"{what} numbers are not 1..n", expected=f"1..{n_labels}",
                         found=",".join(map(str, sorted(numbers))))
    if len(numbers) != n_labels:
        hint = " (truncated file or wrong labels?)" if len(numbers) < n_labels else ""
        raise data_error(path, f"trial and label counts disagree{hint}", expected=f"{n_labels} "
                         "trials (one per label)", found=f"{len(numbers)} {what}s")


def mat_raw_trials(mat: MatFile, labels: Sequence[int], sfreq: float,
                   n_channels: int = 62) -> tuple[list[Trial], str]:
    """Lazy raw trials of a preprocessed ``.mat`` file (µV on disk → volts on load).

    Returns the trials and the variable prefix. Shapes are checked from the file's directory without
    reading the data; NaN/inf are checked when a trial is loaded.
    """
    prefix, names = raw_prefix(mat)
    _check_contiguous(mat.path, list(names), len(labels), "trial")
    trials = []
    for t in sorted(names):
        name = names[t]
        shape = mat.shape(name)
        if len(shape) != 2 or shape[0] != n_channels:
            raise data_error(mat.path, f"variable {name} has the wrong shape",
                             expected=f"({n_channels}, n_times)", found=str(tuple(shape)))

        def loader(name=name):
            x = real_array(mat.load(name), mat.path, f"variable {name}")
            if x.ndim != 2 or x.shape[0] != n_channels:
                raise data_error(mat.path, f"variable {name} has the wrong shape",
                                 expected=f"({n_channels}, n_times)", found=str(x.shape))
            return check_finite(x, mat.path, f"variable {name}") * 1e-6

        trials.append(Trial(index=t, label=int(labels[t - 1]), sfreq=float(sfreq),
                            ch_names=SEED_CHANNELS, kind="raw", n_times=int(shape[1]),
                            loader=loader))
    return trials, prefix


def mat_feature_trials(mat: MatFile, feature: str, labels: Sequence[int],
                       sfreq: float) -> list[Trial]:
    """Lazy feature trials ``<feature><t>`` of a feature file: (rows, W, 5) on disk → (W, rows, 5)."""
    feature, n_rows = check_feature(feature)
    pat = re.compile(rf"^{re.escape(feature)}(\d+)$")
    names = {int(m.group(1)): k for k in mat.keys() if (m := pat.match(k))}
    if not names:
        found = sorted({re.sub(r"\d+$", "", k) for k in mat.keys()})
        raise data_error(mat.path, f"no {feature}<n> variables", expected=f"{feature}1 ...",
                         found=f"variables {', '.join(found[:12])}")
    _check_contiguous(mat.path, list(names), len(labels), "trial")
    ch_names = feature_ch_names(feature)
    trials = []
    for t in sorted(names):
        name = names[t]
        shape = mat.shape(name)
        if len(shape) != 3 or shape[0] != n_rows or shape[2] != len(SEED_BANDS):
            raise data_error(mat.path, f"variable {name} has the wrong shape",
                             expected=f"({n_rows}, n_windows, {len(SEED_BANDS)})",
                             found=str(tuple(shape)))

        def loader(name=name):
            x = real_array(mat.load(name), mat.path, f"variable {name}")
            if x.ndim != 3 or x.shape[0] != n_rows or x.shape[2] != len(SEED_BANDS):
                raise data_error(mat.path, f"variable {name} has the wrong shape",
                                 expected=f"({n_rows}, n_windows, 5)", found=str(x.shape))
            check_finite(x, mat.path, f"variable {name}")
            return np.ascontiguousarray(x.transpose(1, 0, 2))

        trials.append(Trial(index=t, label=int(labels[t - 1]), sfreq=float(sfreq),
                            ch_names=ch_names, kind="features", n_times=int(shape[1]),
                            bands=SEED_BANDS, loader=loader))
    return trials


def find_label_mat(folder: Path) -> Path | None:
    """SEED's ``label.mat`` in ``folder``, its name in any case (``LABEL.MAT``), or None."""
    exact = folder / "label.mat"
    if exact.is_file():
        return exact
    try:
        return next((p for p in sorted(folder.iterdir())
                     if p.name.lower() == "label.mat" and p.is_file()), None)
    except OSError:
        return None


def read_label_mat(folder: Path, override=None, allowed: Mapping | None = None,
                   published: Sequence[int] | None = None) -> list[int]:
    """SEED's ``label.mat`` (variable ``label``, 15 values) in ``folder`` or its parent.

    ``allowed`` (label → name) refuses a file coded otherwise, e.g. re-coded 0/1/2, whose values
    would otherwise be named by SEED's -1/0/1 table (0 would read "neutral" for a negative clip).
    Without a ``label.mat``, ``published`` (the dataset's table) is used with a warning where given.
    """
    if override is not None:
        return resolve_labels(override, [], None, "SEED")
    for d in (folder, folder.parent):
        f = find_label_mat(d)
        if f is not None:
            mat = MatFile(f)
            if "label" not in mat:
                raise data_error(f, "variable 'label' missing", expected="label (1 × 15)",
                                 found=f"variables {', '.join(mat.keys())}")
            lab = np.asarray(mat.load("label")).ravel()
            if lab.dtype.kind not in "iuf":
                raise data_error(f, "labels must be whole numbers",
                                 found=f"{lab.dtype.kind!r}-kind values, e.g. {lab[:3].tolist()}")
            if lab.size == 0 or not np.all(np.isfinite(lab)) or not np.all(lab == np.round(lab)):
                raise data_error(f, "labels must be whole numbers", found=str(lab[:20]))
            if allowed is not None:
                check_label_codes(f, lab, allowed, "labels coded otherwise than the dataset's "
                                  "(re-coded, e.g. 0/1/2? pass labels=[...] in the published "
                                  "coding)")
            return [int(v) for v in lab]
    if published is not None:
        logger.warning("%s: no label.mat beside the subject files or above them; using SEED's "
                       "published labels (%s; pass labels=[...] to use others)", folder,
                       ", ".join(str(int(v)) for v in published))
        return [int(v) for v in published]
    raise data_error(folder / "label.mat", "label file missing", expected="label.mat beside the "
                     "subject files (or pass labels=[...])", found="no label.mat")


def split_windows(window_labels: np.ndarray, trial_labels: Sequence[int],
                  expected_counts: Sequence[int] | None, path) -> list[slice]:
    """Cut concatenated feature windows into trials.

    Runs of equal consecutive window labels are matched to runs of equal consecutive trial labels;
    a run covering several trials is divided in proportion to ``expected_counts`` (window counts from
    the trial times), which is exact when those counts add up.

    Returns
    -------
    slices : list of slice
        One per trial, into the window axis.

    Raises
    ------
    eegemo.errors.DataFormatError
        If the label runs of the file and of the trial table disagree.
    """
    lab = np.asarray(window_labels).ravel()
    n_trials = len(trial_labels)
    if lab.size == 0:
        raise data_error(path, "no feature windows", expected=f"windows of {n_trials} trials",
                         found="0 rows")
    edges = np.flatnonzero(np.diff(lab)) + 1
    w_runs = [(int(lab[a]), a, b) for a, b in zip([0, *edges], [*edges, lab.size], strict=True)]
    t_runs: list[tuple[int, list[int]]] = []
    for i, v in enumerate(trial_labels):
        if t_runs and t_runs[-1][0] == int(v):
            t_runs[-1][1].append(i)
        else:
            t_runs.append((int(v), [i]))
    if [r[0] for r in w_runs] != [r[0] for r in t_runs]:
        raise data_error(path, "window labels do not match the trial labels (pass labels= for "
                         "this file's clip order)",
                         expected=f"runs {[r[0] for r in t_runs][:21]}",
                         found=f"runs {[r[0] for r in w_runs][:21]}")
    exp = None if expected_counts is None else [max(int(c), 1) for c in expected_counts]
    slices: list[slice] = [slice(0, 0)] * n_trials
    for (_, a, b), (_, idx) in zip(w_runs, t_runs, strict=True):
        n = b - a
        if len(idx) == 1:
            slices[idx[0]] = slice(a, b)
            continue
        w = np.array([exp[i] for i in idx] if exp else [1] * len(idx), dtype=float)
        if n < len(idx):
            raise data_error(path, "too few windows to split same-label trials",
                             expected=f"at least {len(idx)}", found=str(n))
        if exp and abs(n - w.sum()) > 0.5 * w.min():
            # off by more than half its shortest clip: the file holds a clip more or fewer than
            # the table, and a proportional cut would hand one clip's windows to another
            raise data_error(path, f"trials {idx[0] + 1}-{idx[-1] + 1} (label {int(lab[a])} in a "
                             "row) do not hold the windows their times give: a clip missing or "
                             "extra? (pass labels= and trial_times= for this file's clips)",
                             expected=f"about {int(w.sum())} windows "
                             f"({' + '.join(str(int(v)) for v in w)})", found=f"{n} windows")
        cuts = np.rint(np.cumsum(w) / w.sum() * n).astype(int)
        start = a
        for i, c in zip(idx, cuts, strict=True):
            slices[i] = slice(start, a + int(c))
            start = a + int(c)
    return slices


def mat_recordings(dataset: str, files: Sequence[tuple[str, int, str | None, Path]], *, kind: str,
                   feature: str, labels_for, sfreq: float, label_names: dict[int, str],
                   simulated: bool, extra: Mapping | None = None) -> list:
    """Recordings of ``.mat`` files (``(subject, session, date, path)``), raw or feature trials.

    ``labels_for(session, path)`` gives the trial labels of a file. ``sfreq`` is the sampling rate
    (raw) or window rate (features).
    """
    from tqdm.auto import tqdm

    from .._logging import progress_disabled
    from ..recording import Recording

    out = []
    for subject, session, date, path in tqdm(files, desc=f"read {dataset}", unit="file",
                                             disable=progress_disabled() or len(files) < 4):
        mat = MatFile(path)
        labels = labels_for(session, path)
        info = dict(extra or {})
        if kind == "raw":
            trials, prefix = mat_raw_trials(mat, labels, sfreq)
            info["prefix"] = prefix
        else:
            trials = mat_feature_trials(mat, feature, labels, sfreq)
        info["mat_v73"] = mat.hdf5
        out.append(Recording(dataset=dataset, subject=subject, session=session, trials=trials,
                             label_names=dict(label_names), source=path, date=date, kind=kind,
                             feature=feature if kind == "features" else None, simulated=simulated,
                             extra=info))
    return out


def cnt_recording(dataset: str, path: Path, *, subject: str, session: int | None, date: str | None,
                  starts, ends, labels, label_names: dict[int, str], simulated: bool,
                  data_format: str | None = None, extra: Mapping | None = None):
    """A recording whose raw trials are cut lazily from a ``.cnt`` file (62 SEED channels kept)."""
    from ..recording import Recording
    from ._cnt import cnt_vendor, cut_trials, open_cnt

    vendor = cnt_vendor(path)
    raw = open_cnt(path, data_format=data_format, vendor=vendor)
    trials = cut_trials(raw, path, starts, ends, labels, SEED_CHANNELS)
    info = {"vendor": vendor, "n_channels_file": len(raw.ch_names), "sfreq_file": raw.info["sfreq"],
            "trial_times": {"start": list(starts), "end": list(ends)}, **(extra or {})}
    return Recording(dataset=dataset, subject=subject, session=session, trials=trials,
                     label_names=dict(label_names), source=path, date=date, kind="raw",
                     simulated=simulated, extra=info)
