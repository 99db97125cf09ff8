"""Any EEG recording MNE reads, labelled from its annotations or from a CSV/TSV sidecar.

This is the path for new datasets and other signal domains. Formats (by extension):

======================  ===========================================================================
``.edf`` ``.bdf``        EDF/EDF+ and BioSemi BDF (:func:`mne.io.read_raw_edf` / ``read_raw_bdf``);
                         the header is checked against the file size, so a truncated file is an error
``.gdf``                 GDF (:func:`mne.io.read_raw_gdf`)
``.fif`` ``.fif.gz``     MNE's own format: Raw (:func:`mne.io.read_raw_fif`) or Epochs
                         (:func:`mne.read_epochs`; ``-epo.fif``/``_epo.fif`` names, or any FIF that
                         holds epochs): each epoch one trial, labelled by its ``event_id`` name
``.vhdr``                BrainVision (header + ``.eeg`` + ``.vmrk``)
``.set``                 EEGLAB, continuous (``.fdt`` beside it or embedded) or epoched (each epoch
                         becomes one trial, labelled by its event)
``.cnt``                 Neuroscan (16- or 32-bit samples, detected from the file; ``data_format=``
                         overrides) or ANT Neuro (needs ``antio``), via :mod:`eegemo.datasets._cnt`
``.mat``                 a FieldTrip ``ft_datatype_raw`` struct (``trial``, ``time``, ``label``,
                         ``fsample``), MATLAB v7 or v7.3, read without ``pymatreader``; one continuous
                         trial is cut by events like any recording, several trials (epoched data)
                         become trials directly, labelled by the first column of ``trialinfo``
======================  ===========================================================================

A folder is read recursively: one :class:`~eegemo.recording.Recording` per file (companion files such
as ``.fdt``, ``.eeg``, ``.vmrk`` and sidecars are skipped). Subject and session come from the file name:

* BIDS-like ``sub-01_ses-2_task-x_run-3_eeg.edf`` → subject ``"01"``, session 2 (the run when there
  is no ``ses-``; a ``ses-`` label in words is kept in ``extra["session_label"]`` and numbered by
  :func:`named_session_numbers`, the same in every subject: ``ses-pre`` 1, ``ses-post`` 2);
* PhysioNet eegmmidb ``S001R04.edf`` → subject ``"S001"``, session 4 (the run);
* anything else → subject = the file's stem, session ``None``.

Trials. Each labelled event (annotation, or row of the sidecar) becomes one trial from
``onset + tmin`` lasting ``duration`` seconds (the event's own duration when ``duration=None``).
Zero-length events (triggers) therefore need ``duration=``. Sidecars are ``<stem>_events.tsv`` /
``.csv`` beside the file (for BIDS names also with the ``_eeg`` suffix removed) or the file given as
``sidecar=``; they need the columns ``onset``, ``duration`` and ``label`` (or BIDS' ``trial_type``);
a sidecar wins over the file's annotations. Annotations named ``BAD_…``, ``EDGE…`` or ``boundary`` are
never trials, and trials overlapping a ``BAD_…``/``EDGE…`` annotation are dropped with a warning
(``reject_by_annotation=False`` keeps them). A recording with neither (BioSemi BDF, a Raw FIF) takes its events from the first stim
channel with triggers (:func:`mne.find_events`; a BDF Status channel masked to its 16 trigger bits;
a channel of another type named as a trigger channel, such as an EDF's ``TRIG`` or ``Marker``,
where it holds whole-number codes, as stored or in µV/mV):
zero-length events described by their codes (``"1"``, ``"255"``), ``extra["events_from"]``
``"stim:<channel>"``; that channel is left out of the trials (even with ``picks=None``) unless
``picks=`` names it. ``unlabelled=True`` returns the whole recording (from ``tmin``, ``duration``
long) as one trial with label ``None``.

Epoched files (EEGLAB, FieldTrip, FIF Epochs) give one trial per epoch (``extra["epoched"]``),
the whole epoch as stored by default; ``tmin``/``duration`` cut every epoch relative to its event
(time 0 of the epoch, as in :meth:`mne.Epochs.crop`): from ``tmin`` for ``duration`` seconds, or to
the epoch's end with ``duration=None`` (``tmin=0.2`` drops a baseline and the first 200 ms after the
event). FIF epochs are numbered by their event codes
(``{"positive": 1, "neutral": 2}`` → labels 1, 2), unless ``labels=``/``label_map=`` choose.

Data stay on disk (``preload=False``); each trial's loader reads only its samples, in volts, EEG
channels only by default. Channel names are normalised to the 10-05 spelling where one is known
(eegmmidb's ``"Fc5."`` → ``"FC5"``), so :meth:`Recording.to_mne` can set a montage; the file's own
names are kept in ``extra["file_ch_names"]``.

Examples
--------
>>> from eegemo.datasets import generic
>>> recs = generic.read("S001R04.edf", labels=["T1", "T2"])           # doctest: +SKIP
>>> recs = generic.read("scan.cnt", label_map={"7": 0, "109": 1}, duration=1.0)  # doctest: +SKIP
>>> recs = generic.read("status.bdf", labels=["1", "2"], duration=4.0)   # doctest: +SKIP
>>> recs = generic.read("positive-epo.fif")                            # doctest: +SKIP
>>> recs = generic.read_eegmmidb("eegmmidb/")                           # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import warnings
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._logging import logger, progress_disabled
from ..channels import standard_name
from ..errors import ConfigurationError, DataFormatError, data_error
from ..recording import Recording, Trial, check_finite
from ._family import real_array

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["detect", "read", "read_eegmmidb", "EXTENSIONS", "parse_name", "read_sidecar",
           "named_session_numbers"]

DATASET = "generic"

#: File extensions read by this module and the format each stands for.
EXTENSIONS: dict[str, str] = {
    ".edf": "edf", ".bdf": "bdf", ".gdf": "gdf", ".fif": "fif", ".fif.gz": "fif",
    ".vhdr": "brainvision", ".set": "eeglab", ".cnt": "cnt", ".mat": "fieldtrip",
}
_SKIP_DESC = re.compile(r"^(bad|edge)|^boundary$", re.IGNORECASE)
_BIDS = re.compile(r"sub-(?P<sub>[A-Za-z0-9]+)")
_BIDS_SES = re.compile(r"_ses-(?P<ses>[A-Za-z0-9]+)")
_BIDS_RUN = re.compile(r"_run-(?P<run>\d+)")
#: channel types MNE's ``pick`` takes
_PICK_TYPES = frozenset({"eeg", "eog", "ecg", "emg", "misc", "stim", "resp", "bio", "seeg",
                         "ecog", "dbs", "meg", "mag", "grad", "ref_meg", "data", "all",
                         "data_channels", "fnirs", "gsr", "temperature"})
#: channel names of other signals than EEG (EDF/BDF files type every channel as EEG)
_NOT_EEG = re.compile(r"^(?:EEG\s+)?(?:[HV]EOG?|EOG|ECG|EKG|EMG|RESP\w*|ACC\w*|GSR|EDA|"
                      r"TEMP\w*|STATUS|TRIG\w*|STI\w*|PHOTIC|PULSE|SPO2|SAO2|PLETH\w*|MARKERS?|"
                      r"EVENTS?)(?:LEFT|RIGHT|UPPER|LOWER|UP|DOWN|LOW|[LRUD])?(?![A-Z])",
                      re.IGNORECASE)
#: MNE's file-name endings (``S001R04_raw.fif``, ``run-raw.fif``, ``run-epo.fif``)
_MNE_SUFFIX = re.compile(r"[-_](raw|eeg|epo)$", re.IGNORECASE)
#: MNE's name for a FIF file of epochs (``run-epo.fif``, ``run_epo.fif.gz``)
_EPO_NAME = re.compile(r"[-_]epo$", re.IGNORECASE)
#: BioSemi's Status channel: trigger codes in bits 0-15, system codes (CMS, battery) above
_BDF_TRIGGER_MASK = 0xFFFF
_MMIDB = re.compile(r"^(?P<sub>S\d{3})R(?P<run>\d{2})$", re.IGNORECASE)

#: Meaning of eegmmidb's T0/T1/T2 by run (Schalk et al. 2004; PhysioNet eegmmidb page).
EEGMMIDB_RUNS: dict[int, tuple[str, str, str]] = {
    **{r: ("rest", "left_fist", "right_fist") for r in (3, 4, 7, 8, 11, 12)},
    **{r: ("rest", "both_fists", "both_feet") for r in (5, 6, 9, 10, 13, 14)},
}


# --------------------------------------------------------------------------------------------- names
def _extension(path: Path) -> str:
    name = path.name.lower()
    return ".fif.gz" if name.endswith(".fif.gz") else path.suffix.lower()


def _stem(path: Path) -> str:
    ext = _extension(path)
    return path.name[: len(path.name) - len(ext)] if ext else path.stem


def _recording_stem(path: Path) -> str:
    """The file stem without MNE's ``_raw``/``-raw`` ending: the recording's name."""
    return _MNE_SUFFIX.sub("", _stem(path))


def parse_name(path: str | os.PathLike) -> tuple[str, int | None, dict]:
    """Subject, session and extra facts from a recording's file name.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    subject : str
    session : int | None
    extra : dict
        ``run`` and ``session_label`` where the name gives them.

    Examples
    --------
    >>> parse_name("S001R04.edf")
    ('S001', 4, {'run': 4})
    >>> parse_name("sub-07_ses-2_task-rest_eeg.vhdr")
    ('07', 2, {'session_label': '2'})
    """
    stem = _stem(Path(path))
    extra: dict = {}
    m = _MMIDB.match(_recording_stem(Path(path)))
    if m:
        run = int(m["run"])
        return m["sub"].upper(), run, {"run": run}
    m = _BIDS.search(stem)
    if m:
        session = None
        ses = _BIDS_SES.search(stem)
        run = _BIDS_RUN.search(stem)
        if run:
            extra["run"] = int(run["run"])
        if ses:
            extra["session_label"] = ses["ses"]
            session = int(ses["ses"]) if ses["ses"].isdigit() else None
        elif run:
            session = int(run["run"])
        return m["sub"], session, extra
    return stem, None, extra


# ------------------------------------------------------------------------------------------ detection
def _is_fieldtrip(path: Path, *, unreadable: bool = False) -> bool:
    """Whether a ``.mat`` file holds a FieldTrip raw struct (checked cheaply).

    A file that cannot be read at all (truncated, corrupt, not MATLAB) gives ``unreadable``: True
    where one file was named or a folder is read (its reader then says what is wrong with it,
    instead of the dispatcher reporting an unknown layout, or the folder losing a recording without
    a word), False while a folder is only detected.
    """
    try:
        _fieldtrip_struct_name(path)
        return True
    except DataFormatError:   # readable, and no FieldTrip struct in it
        return False
    except Exception:
        return unreadable


def _fieldtrip_struct_name(path: Path) -> str:
    """Name of the variable holding a FieldTrip raw struct, or a DataFormatError."""
    from ._mat import is_hdf5

    need = {"trial", "label"}
    if is_hdf5(path):
        import h5py

        with h5py.File(path, "r") as f:
            for k, v in f.items():
                if isinstance(v, h5py.Group) and need <= set(v.keys()):
                    return k
            found = sorted(k for k in f.keys() if not k.startswith("#"))
    else:
        from scipy.io import loadmat, whosmat

        structs = [n for n, _, cls in whosmat(path) if cls == "struct"]
        for k in structs:
            v = loadmat(path, variable_names=[k], squeeze_me=True, struct_as_record=False)[k]
            if need <= set(getattr(v, "_fieldnames", ()) or ()):
                return k
        found = structs
    raise data_error(path, "no FieldTrip raw struct", expected="a struct with fields trial, time, "
                     "label, fsample", found=f"variables {found[:10]}")


def _data_files(folder: Path, *, unreadable: bool = True) -> list[Path]:
    """Recordings of a folder, recursively (hidden entries skipped). Broken links named as
    recordings, and ``.mat`` files that cannot be read at all (a truncated FieldTrip file), are
    listed too (``unreadable=False``, for detection: left out), so that reading one that is
    selected says so instead of losing a recording without a word; a folder whose unselected files
    are not fetched (DataLad, git-annex) still reads."""
    files = []
    for p in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        if p.is_symlink() and not p.exists():
            if unreadable and _extension(p) in EXTENSIONS and _extension(p) != ".mat":
                files.append(p)
            continue
        if not p.is_file():
            continue
        ext = _extension(p)
        if ext not in EXTENSIONS:
            continue
        if ext == ".mat" and not _is_fieldtrip(p, unreadable=unreadable):
            continue
        files.append(p)
    return files


def detect(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a recording (or a folder holding recordings) this module reads.

    ``.mat`` files count only when they hold a FieldTrip raw struct, so SEED's ``.mat`` folders are not
    claimed. The dispatcher tries this reader last.

    Parameters
    ----------
    path : path-like
        A file, or a folder searched recursively (hidden files and folders skipped).

    Returns
    -------
    bool
        ``True`` for a file with a supported extension (a ``.mat`` one only if it holds a FieldTrip
        struct or cannot be read at all), or a folder holding at least one such file (unreadable
        ``.mat`` files not counted); ``False`` otherwise, also when ``path`` does not exist.
    """
    p = Path(path)
    if p.is_file():
        ext = _extension(p)
        return ext in EXTENSIONS and (ext != ".mat" or _is_fieldtrip(p, unreadable=True))
    if p.is_dir():
        return bool(_data_files(p, unreadable=False))
    return False


# ------------------------------------------------------------------------------------------- opening
def _first_bytes(data: bytes, n: int = 16) -> str:
    """A short, printable view of a file's bytes for an error message."""
    text = data[:n].decode("latin-1")
    shown = "".join(c if c.isprintable() else "." for c in text)
    return f"{shown!r}{' …' if len(data) > n else ''}"


def _check_edf_size(path: Path, fmt: str) -> bool:
    """Raise if an EDF/BDF file is shorter than its header promises (MNE reads it silently).

    Returns whether the signals (annotation channels aside) have mixed sampling rates.
    """
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(256)
        # the version field tells the two apart: "0" and spaces (EDF), 0xFF "BIOSEMI" (BDF); a BDF
        # read as EDF (or the reverse) is 2- vs 3-byte samples: a wrong signal, not an error
        real = {b"0       ": "edf", b"\xffBIOSEMI": "bdf"}.get(head[:8])
        if real is not None and real != fmt:
            article = "an" if real == "edf" else "a"
            raise data_error(path, f"{article} {real.upper()} file named "
                             f".{path.suffix.lstrip('.')}",
                             expected=f"{fmt.upper()} (its version field)",
                             found=f"{real.upper()}'s; rename it to .{real}")
        if len(head) < 256:
            raise data_error(path, f"not an {fmt.upper()} file (too short for its header)",
                             expected=f"a 256-byte {fmt.upper()} header",
                             found=f"{size} byte{'s' if size != 1 else ''}")
        # writers vary the version field (Emotiv writes a date, MNE reads it): only bytes that
        # are no text there say the file is something else (another format, binary data)
        if real is None and not (head[:8].isascii() and head[:8].decode("ascii").isprintable()):
            raise data_error(path, f"not an {fmt.upper()} file", expected=f"an {fmt.upper()} "
                             "header (a text version field: '0' and spaces for EDF, 0xFF BIOSEMI "
                             "for BDF)", found=_first_bytes(head))
        try:
            n_header = int(head[184:192].decode("ascii").strip())
            n_records = int(head[236:244].decode("ascii").strip())
            ns = int(head[252:256].decode("ascii").strip())
        except (ValueError, UnicodeDecodeError):
            raise data_error(path, f"unreadable {fmt.upper()} header", expected="numeric header "
                             "fields (bytes, records, signals)",
                             found=_first_bytes(head[184:256])) from None
        labels = f.read(ns * 16)
        f.seek(256 + ns * 216)
        spr = f.read(ns * 8)
    if len(spr) < ns * 8:
        raise data_error(path, f"truncated {fmt.upper()} header", expected=f"{256 + ns * 256} bytes",
                         found=f"{size} bytes")
    try:
        counts = [int(spr[i * 8:(i + 1) * 8].decode("ascii").strip()) for i in range(ns)]
    except ValueError:
        raise data_error(path, f"unreadable {fmt.upper()} header",
                         expected="samples per record", found=repr(spr[:40])) from None
    per_record = sum(counts)
    width = 3 if fmt == "bdf" else 2
    if n_records > 0:
        need = n_header + n_records * per_record * width
        if size < need:
            raise data_error(path, f"truncated {fmt.upper()} file", expected=f"{need} bytes for "
                             f"{n_records} records", found=f"{size} bytes "
                             f"({(size - n_header) // max(per_record * width, 1)} whole records)")
    names = [labels[i * 16:(i + 1) * 16].decode("latin-1").strip() for i in range(ns)]
    rates = {c for c, n in zip(counts, names, strict=True) if "annotation" not in n.lower()}
    return len(rates) > 1


def _open_raw(path: Path, fmt: str, data_format: str | None):
    """Open a continuous recording with MNE, not preloaded."""
    import mne

    if not path.is_file():
        raise data_error(path, "file not found", expected="an EEG recording")
    if fmt == "cnt":
        from ._cnt import open_cnt

        return open_cnt(path, data_format=data_format)
    preload = False
    if fmt in ("edf", "bdf") and _check_edf_size(path, fmt):
        # MNE resamples mixed-rate EDF signals with edge artefacts unless preloaded (mne#10635)
        logger.info("%s: channels at mixed sampling rates; loading the file into memory", path.name)
        preload = True
    readers = {"edf": mne.io.read_raw_edf, "bdf": mne.io.read_raw_bdf, "gdf": mne.io.read_raw_gdf,
               "fif": mne.io.read_raw_fif, "brainvision": mne.io.read_raw_brainvision,
               "eeglab": mne.io.read_raw_eeglab}
    try:
        raw = readers[fmt](path, preload=preload, verbose="error")
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        if isinstance(exc, FileNotFoundError):   # the .fdt / .eeg / .vmrk beside the header
            named = getattr(exc, "filename", None) or (
                m.group(1) if (m := re.search(r"File (.+?) not found", first)) else None)
            raise data_error(path, "a data file it names is missing", expected=f"the {fmt} "
                             "header's data file beside it",
                             found=f"no {Path(named).name}" if named else first) from None
        raise data_error(path, f"unreadable {fmt} file (truncated or corrupt?)",
                         found=f"{type(exc).__name__}: {first}") from None
    if fmt == "brainvision":
        _check_brainvision_size(raw, path)
        _check_brainvision_markers(path)
    if fmt == "eeglab":
        _check_eeglab_size(raw, path)
    return raw


def _check_eeglab_file(path: Path) -> None:
    """Refuse a ``.set`` that is no EEGLAB dataset (a text file, another MATLAB file renamed) in
    words, before MNE fails on it with an error of its internals (``IndexError``, ``'Bunch' object
    has no attribute 'chanlocs'``). MATLAB v7.3 (HDF5) files are left to MNE."""
    from scipy.io import whosmat

    from ._mat import is_hdf5

    if is_hdf5(path):
        return
    try:
        names = {v[0] for v in whosmat(path)}
    except Exception:   # noqa: BLE001 - scipy's errors for a file that is no MATLAB file vary
        raise data_error(path, "not an EEGLAB .set file (not a MATLAB file)",
                         expected="a MATLAB file holding an EEG structure",
                         found=f"{path.stat().st_size} bytes that scipy cannot read as MATLAB"
                         ) from None
    if "EEG" not in names and not {"data", "nbchan", "srate"} <= names:
        raise data_error(path, "not an EEGLAB .set file", expected="an EEG structure (or its "
                         "fields data, nbchan, srate)",
                         found=f"variables {', '.join(sorted(names)[:8]) or 'none'}")


def _check_eeglab_size(raw, path: Path) -> None:
    """Refuse an EEGLAB recording whose separate ``.fdt`` holds fewer samples than the ``.set``
    says: MNE opens it and fails on the first trial past the cut with an error of its own."""
    files = [Path(f) for f in getattr(raw, "filenames", ()) if f]
    n_ch = (getattr(raw, "_raw_extras", None) or [{}])[0].get("orig_nchan")
    if not (files and files[0].suffix.lower() == ".fdt" and files[0].is_file() and n_ch):
        return
    need = int(n_ch) * int(raw.n_times) * 4          # float32, channels × samples
    have = files[0].stat().st_size
    if have < need:
        raise data_error(path, f"truncated EEGLAB data file {files[0].name}",
                         expected=f"{need} bytes ({n_ch} channels × {raw.n_times} samples, "
                         "float32)", found=f"{have} bytes")


def _open_fif(path: Path) -> tuple[str, Any]:
    """Open a FIF file as MNE Raw or, where it holds epochs, as MNE Epochs (both not preloaded).

    A name ending in ``-epo``/``_epo`` is tried as epochs first, any other as raw first; a file
    MNE refuses as one is tried as the other (``read_raw_fif`` refuses epochs with "No raw data").

    Returns
    -------
    kind : {"raw", "epochs"}
    data : mne.io.Raw | mne.Epochs
    """
    tries = [("raw", _read_fif_raw), ("epochs", _read_fif_epochs)]
    if _EPO_NAME.search(_stem(path)):
        tries.reverse()
    errors = []
    for kind, reader in tries:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")   # kept from the user, looked at below
                data = reader(path)
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else ""
            errors.append(f"as {kind}: {type(exc).__name__}: {first}")
            continue
        _check_fif_whole(path, [str(w.message) for w in caught])
        return kind, data
    if all("file id tag" in e for e in errors):     # MNE: "... does not start with a file id tag"
        raise data_error(path, "not a FIF file", expected="a FIF file (MNE Raw or Epochs)",
                         found=f"{path.stat().st_size} bytes without FIF's file id tag")
    raise data_error(path, "unreadable fif file (truncated or corrupt?)",
                     expected="MNE Raw or Epochs", found="; ".join(errors))


def _check_fif_whole(path: Path, messages: Sequence[str]) -> None:
    """Refuse a FIF file that MNE opened with a warning of a tag cut short ("Invalid tag with
    only 0/16 bytes at position ..."): MNE then reads the data before the cut as the whole
    recording, and the trials after it would be missing without a word. Its other warnings (the
    file-name convention) are dropped.

    MNE warns alike for a whole file whose last tag points at the end of the file instead of
    saying "none" (``next`` 0, accepted by MNE): no bytes were missing there, the tag asked for
    starts exactly at the file's end. Only a tag asked for beyond the end, or one cut inside its
    header, is a file cut short."""
    size = path.stat().st_size
    cut = []
    for m in messages:
        found = re.match(r"Invalid tag with only (\d+)/16 bytes at position (\d+)", m)
        if found is None:
            continue
        got, where = int(found.group(1)), int(found.group(2))
        if got == 0 and where == size:
            logger.warning("%s: the file's last tag points at its end rather than saying 'no "
                           "more tags' (read whole, as MNE does); had the file been cut at a tag "
                           "boundary, what followed would be missing", path.name)
            continue
        cut.append(m)
    if cut:
        mne_says = re.sub(r" in file .*$", "", cut[0].splitlines()[0])
        raise data_error(path, "truncated fif file (MNE would read only what precedes the cut)",
                         expected="a whole FIF file", found=f"{size} bytes; MNE: {mne_says}")


def _read_fif_raw(path: Path):
    import mne

    # "warning", not "error": MNE's warning of a truncated file must reach _check_fif_whole
    return mne.io.read_raw_fif(path, preload=False, verbose="warning")


def _read_fif_epochs(path: Path, check_last: bool = True):
    """MNE Epochs from FIF, not preloaded; its last epoch is read once (``check_last``), so that a
    file cut short fails here rather than on a later load (MNE opens a truncated epochs file
    without a word)."""
    import mne

    ep = mne.read_epochs(path, preload=False, verbose="warning")   # see _read_fif_raw
    ep.drop_bad(verbose="error")   # a no-op unless the file keeps rejection thresholds
    if not len(ep):
        raise ValueError("no epoch in the file (all dropped?)")
    if check_last:
        ep.get_data(item=[len(ep) - 1], verbose="error")
    return ep


#: FIF epochs files kept open in this process (MNE holds a file open while its epochs are not
#: preloaded): the last few read, so that a folder of thousands of files never runs out of file
#: handles, while the epochs of one file are read without opening it again for each
_OPEN_EPOCHS: OrderedDict = OrderedDict()
_MAX_OPEN_EPOCHS = 4


def _cached_epochs(path: Path):
    key = str(path)
    if key in _OPEN_EPOCHS:
        _OPEN_EPOCHS.move_to_end(key)
        return _OPEN_EPOCHS[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ep = _read_fif_epochs(path, check_last=False)
    _OPEN_EPOCHS[key] = ep
    while len(_OPEN_EPOCHS) > _MAX_OPEN_EPOCHS:
        _OPEN_EPOCHS.popitem(last=False)   # its last reference: MNE closes the file
    return ep


class _FifEpochsOnDisk:
    """Lazily read FIF epochs, sendable to a worker process: holds the path only and reads
    through a small per-process cache of open files (:func:`_cached_epochs`)."""

    def __init__(self, path: Path):
        self.path = path

    def get(self, k: int, picks: Sequence[int]) -> np.ndarray:
        """Epoch ``k`` (0-based), channels ``picks``, in volts."""
        ep = _cached_epochs(self.path)
        return ep.get_data(picks=picks, item=[k], verbose="error")[0]


def _check_brainvision_markers(path: Path) -> None:
    """Warn where the ``.vhdr`` names a marker file that is not there: MNE then reads the recording
    without any event (so without labels) and says nothing at the verbosity used here."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    m = re.search(r"^\s*MarkerFile\s*=\s*(.+?)\s*$", text, flags=re.MULTILINE)
    if m and not (path.parent / m.group(1)).is_file():
        logger.warning("%s: its marker file %s is missing: the recording is read without events "
                       "(no trials to label)", path.name, m.group(1))


def _check_brainvision_size(raw, path: Path) -> None:
    """Warn where a BrainVision ``.eeg`` is not a whole number of samples: MNE reads a cut-short
    file as a shorter recording without a word (multiplexed binary only)."""
    extras = (getattr(raw, "_raw_extras", None) or [{}])[0]
    size = {"short": 2, "int": 4, "single": 4, "double": 8}.get(str(extras.get("fmt")))
    n_ch = extras.get("orig_nchan")
    files = [Path(f) for f in getattr(raw, "filenames", ()) if f]
    if not (size and n_ch and files and files[0].is_file()):
        return
    extra = files[0].stat().st_size % (size * int(n_ch))
    if extra:
        logger.warning("%s: %s is not a whole number of samples (%d bytes over %d channels × %d "
                       "bytes): cut short? The incomplete last sample is dropped", path.name,
                       files[0].name, extra, n_ch, size)


# ------------------------------------------------------------------------------------------- sidecar
def _find_sidecar(path: Path) -> Path | None:
    stem = _stem(path)
    stems = [stem]
    if stem.endswith("_eeg"):
        stems.append(stem[:-4])
    for s in stems:
        for ext in (".tsv", ".csv"):
            cand = path.with_name(f"{s}_events{ext}")
            if cand.is_file():
                return cand
    return None


def read_sidecar(path: str | os.PathLike) -> pd.DataFrame:
    """Read an events sidecar: a CSV or TSV with columns ``onset``, ``duration``, ``label``.

    BIDS' ``trial_type`` is accepted for ``label``. Onsets and durations are seconds from the start
    of the recording. As BIDS allows, a ``duration`` may be ``n/a`` (NaN: the reader's
    ``duration=`` must then be given) and rows whose trial type is ``n/a`` are skipped.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    events : pandas.DataFrame
        Columns ``onset`` (float), ``duration`` (float), ``label`` (str).

    Raises
    ------
    eegemo.errors.DataFormatError
        For a missing file, missing columns, non-numeric or NaN onsets, non-numeric durations
        other than ``n/a``, negative values.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise data_error(path, "sidecar not found", expected="a CSV/TSV with onset, duration, label")
    sep = "\t" if path.suffix.lower() == ".tsv" else None
    try:
        df = pd.read_csv(path, sep=sep, engine="python", dtype=str, keep_default_na=False)
        if sep == "\t" and len(df.columns) == 1 and any(c in str(df.columns[0]) for c in ",;"):
            # a comma- or semicolon-separated file named .tsv: let the delimiter be sniffed
            df = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False)
    except Exception as exc:
        raise data_error(path, "unreadable sidecar", found=f"{type(exc).__name__}: {exc}") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "label" not in df.columns and "trial_type" in df.columns:
        df = df.rename(columns={"trial_type": "label"})
    missing = [c for c in ("onset", "duration", "label") if c not in df.columns]
    if missing:
        raise data_error(path, f"sidecar lacks column(s) {', '.join(missing)}",
                         expected="columns onset, duration, label",
                         found="columns " + ", ".join(df.columns[:10]))
    na = df["label"].astype(str).str.strip().str.lower() == "n/a"
    if na.any():   # BIDS: "n/a" = no trial type; such rows are not events of any class
        logger.info("%s: %d row(s) with trial type n/a skipped", path.name, int(na.sum()))
        df = df[~na].reset_index(drop=True)
    out = pd.DataFrame({"label": df["label"].astype(str).str.strip()})
    for col in ("onset", "duration"):
        text = df[col].str.strip()
        vals = pd.to_numeric(text.replace({"n/a": "nan"}), errors="coerce")
        finite = np.isfinite(vals.to_numpy(dtype=float))
        if col == "duration":   # BIDS allows n/a: the reader's duration= must then be given
            finite |= (text.str.lower() == "n/a").to_numpy()
        bad = np.flatnonzero(~finite)
        if bad.size:
            raise data_error(path, f"sidecar column {col!r} is not numeric or holds NaN",
                             expected="finite seconds",
                             found=f"{df[col].iloc[bad[0]]!r} in row {bad[0] + 2}")
        if (vals.fillna(0) < 0).any():
            row = int(np.flatnonzero(vals.to_numpy() < 0)[0])
            raise data_error(path, f"sidecar column {col!r} is negative", expected=">= 0",
                             found=f"{vals.iloc[row]} in row {row + 2}")
        out[col] = vals.astype(float)
    empty = np.flatnonzero(out["label"].isin(["", "nan"]).to_numpy())
    if empty.size:
        raise data_error(path, "sidecar has an empty label", expected="a label in every row",
                         found=f"row {empty[0] + 2}")
    return out[["onset", "duration", "label"]]


# -------------------------------------------------------------------------------------------- labels
def _resolve_map(descs: Sequence[str], labels, label_map, path: Path) -> dict[str, int]:
    """Description → int for the events that become trials."""
    present = [d for d in dict.fromkeys(descs) if not _SKIP_DESC.search(d)]
    if labels is not None:
        twice = sorted({str(k) for k in labels if list(map(str, labels)).count(str(k)) > 1})
        if twice:
            raise ConfigurationError(f"{path}: labels name {', '.join(twice)} more than once "
                                     f"(found {list(labels)!r}; one class per event name)")
    if label_map is not None:
        mapping = {str(k): int(v) for k, v in label_map.items()}
        if labels is not None:
            mapping = {k: v for k, v in mapping.items() if k in set(map(str, labels))}
    elif labels is not None:
        mapping = {str(k): i for i, k in enumerate(labels)}
    elif present and all(re.fullmatch(r"-?\d+", d) for d in present):
        mapping = {d: int(d) for d in sorted(present, key=int)}
    else:
        mapping = {d: i for i, d in enumerate(sorted(present))}
    if not mapping:
        raise ConfigurationError(f"{path}: no labels to select (labels={labels!r}, "
                                 f"label_map={label_map!r})")
    if not set(mapping) & set(descs):
        raise data_error(path, "no event matches the labels asked for",
                         expected=", ".join(list(mapping)[:10]),
                         found=", ".join(sorted(set(descs))[:10]) or "no events")
    return mapping


def _label_names(mapping: Mapping[str, int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for desc, v in mapping.items():
        names[v] = desc if v not in names else f"{names[v]}|{desc}"
    return names


# -------------------------------------------------------------------------------------------- trials
def _channel_names(names: Sequence[str]) -> tuple[str, ...]:
    new = [standard_name(c) for c in names]
    seen: dict[str, int] = {}
    for n in new:
        seen[n] = seen.get(n, 0) + 1
    return tuple(n if seen[n] == 1 else o for n, o in zip(new, names, strict=True))


def _bad_spans(raw, sidecar_events=()) -> list[tuple[int, int]]:
    """Sample spans ``[start, stop)`` of the recording's annotations, and of the rows of a sidecar
    (``sidecar_events``: (onset s, duration s, description)), whose description starts with
    ``BAD`` or ``EDGE`` (MNE's rule for ``reject_by_annotation``), from its first sample."""
    ann = raw.annotations
    first = float(getattr(raw, "first_time", 0.0) or 0.0)
    offset = first if ann.orig_time is not None else 0.0
    events = [(float(o) - offset, float(d), str(x)) for o, d, x in
              zip(ann.onset, ann.duration, ann.description, strict=True)] + list(sidecar_events)
    return _event_spans(events, float(raw.info["sfreq"]))


def _event_spans(events, sfreq: float) -> list[tuple[int, int]]:
    """Sample spans of the BAD/EDGE ones of (onset s, duration s, description) events."""
    spans = []
    for onset, dur, desc in events:
        if re.match(r"^(bad|edge)", str(desc), re.IGNORECASE):
            dur = float(dur) if np.isfinite(float(dur)) else 0.0
            a = int(np.floor(float(onset) * sfreq))
            spans.append((a, max(a + 1, int(np.ceil((float(onset) + dur) * sfreq)))))
    return spans


def _cut(raw, path: Path, picks_idx, ch_names, events, mapping, *, tmin: float,
         duration: float | None, strict: bool, events_path: Path | None = None,
         bad: Sequence[tuple[int, int]] = ()) -> list[Trial]:
    """Lazy trials of a continuous recording from (onset, duration, description) events; those
    overlapping a ``bad`` span (samples ``[start, stop)``) are dropped with a warning."""
    sfreq = float(raw.info["sfreq"])
    n_total = int(raw.n_times)
    trials: list[Trial] = []
    zero, dropped, rejected = 0, [], []
    for onset, dur, desc in events:
        if desc not in mapping:
            continue
        length = duration if duration is not None else dur
        if not np.isfinite(length):
            raise data_error(events_path or path, f"event {desc!r} at {onset:g} s has no duration "
                             "(n/a)", expected="a duration in the events file, or duration= "
                             "(--duration)",
                             found="n/a")
        if length <= 0:
            zero += 1
            continue
        a = int(round((onset + tmin) * sfreq))
        b = a + int(round(length * sfreq))
        if b <= a:
            zero += 1
            continue
        if a < 0 or b > n_total:
            if strict:
                raise data_error(events_path or path, f"event {desc!r} at {onset:g} s lies outside "
                                 f"the recording {path.name}",
                                 expected=f"onset + tmin >= 0 and onset + tmin + duration <= "
                                 f"{n_total / sfreq:g} s", found=f"{(a / sfreq):g}–{(b / sfreq):g} s")
            dropped.append(onset)
            continue
        if any(a < stop and start < b for start, stop in bad):
            rejected.append(onset)
            continue
        i = len(trials) + 1

        def loader(a=a, b=b, i=i):
            return _get_data(raw, picks_idx, a, b, path, f"trial {i}")

        def context(before, after, a=a, b=b, i=i):
            return _get_data(raw, picks_idx, a - before, b + after, path, f"trial {i}",
                             check=False)

        trials.append(Trial(index=i, label=mapping[desc], sfreq=sfreq, ch_names=ch_names,
                            kind="raw", n_times=b - a, onset=a / sfreq, loader=loader,
                            context=context, room=(a, n_total - b)))
    if dropped:
        logger.warning("%s: %d event(s) dropped, running past the recording's ends (first at %g s)",
                       path.name, len(dropped), dropped[0])
    if rejected:
        logger.warning("%s: %d trial(s) dropped, overlapping BAD/EDGE annotations (first at %g s; "
                       "reject_by_annotation=False keeps them)", path.name, len(rejected),
                       rejected[0])
    if zero and not trials:
        raise data_error(path, f"the {zero} selected event(s) have zero duration",
                         expected="duration= (--duration: seconds per trial) for trigger-like "
                         "events",
                         found="duration=None")
    if zero:
        logger.info("%s: %d zero-length event(s) skipped (pass duration= / --duration to keep "
                    "them)",
                    path.name, zero)
    return trials


def _seconds(name: str, value) -> float:
    """``value`` as a float number of seconds (a --read-option arrives as a string)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number of seconds, got {value!r}") from None


def _get_data(raw, picks_idx, a: int, b: int, path: Path, what: str, check: bool = True
              ) -> np.ndarray:
    """Samples a:b of ``raw``; a file MNE cannot read there (truncated, corrupt) is one line."""
    try:
        x = raw.get_data(picks=picks_idx, start=a, stop=b)
    except Exception as exc:
        raise data_error(path, f"{what} unreadable (truncated or corrupt file?)",
                         found=f"{type(exc).__name__}: {exc}") from None
    return check_finite(x, path, what) if check else x


def _whole(raw, path: Path, picks_idx, ch_names, *, tmin: float, duration: float | None) -> Trial:
    sfreq = float(raw.info["sfreq"])
    if raw.n_times == 0:
        raise data_error(path, "the recording holds no samples (empty data file?)",
                         expected="at least one sample", found="0")
    a = int(round(tmin * sfreq))
    b = int(raw.n_times) if duration is None else a + int(round(duration * sfreq))
    if not 0 <= a < b <= raw.n_times:
        raise ConfigurationError(f"{path}: tmin={tmin}, duration={duration} fall outside the "
                                 f"recording (0–{raw.n_times / sfreq:g} s)")

    def loader():
        return _get_data(raw, picks_idx, a, b, path, "recording")

    def context(before, after):
        return _get_data(raw, picks_idx, a - before, b + after, path, "recording", check=False)

    return Trial(index=1, label=None, sfreq=sfreq, ch_names=ch_names, kind="raw", n_times=b - a,
                 onset=a / sfreq, loader=loader, context=context, room=(a, int(raw.n_times) - b))


def _meas_date(info) -> str | None:
    d = info.get("meas_date")
    return d.strftime("%Y%m%d") if d is not None else None


def _read_eeglab_epochs(path: Path):
    """Epoched EEGLAB ``.set`` as MNE Epochs (MNE reads them eagerly)."""
    import mne

    try:
        return mne.io.read_epochs_eeglab(path, verbose="error")
    except Exception as exc:
        raise data_error(path, "unreadable EEGLAB epochs", found=f"{type(exc).__name__}: {exc}") from None


def _epoch_onsets(ep) -> list[float | None]:
    """Start of each epoch in seconds from its events' samples; ``None`` where the samples are no
    times (``mne.EpochsArray``'s default events 0, 1, 2, … for epochs longer than one sample)."""
    samples = np.asarray(ep.events[:, 0])
    if len(ep.times) > 1 and np.array_equal(samples, np.arange(len(samples))):
        return [None] * len(samples)
    sfreq = float(ep.info["sfreq"])
    return [float(s) / sfreq + float(ep.tmin) for s in samples]


def _epoch_window(t0: float, n_times: int, sfreq: float, tmin: float | None,
                  duration: float | None, path: Path, what: str = "epochs",
                  fit: bool = False) -> tuple[int, int]:
    """Samples ``a:b`` of an epoch starting at ``t0`` s from its event that ``tmin``/``duration``
    keep: the whole epoch where both are None (the defaults), else from ``tmin`` s after the event
    (the event itself where None) for ``duration`` s (to the epoch's end where None). A window
    outside the epoch is refused, or, with ``fit`` (``predict``, applying a store's options made
    for other recordings), the whole epoch is kept and said."""
    if tmin is None and duration is None:
        return 0, n_times
    start = 0.0 if tmin is None else tmin
    a = int(round((start - t0) * sfreq))
    b = n_times if duration is None else a + int(round(duration * sfreq))
    if not 0 <= a < b <= n_times:
        end = t0 + n_times / sfreq
        asked = f"{start:g}" + (f" to {start + duration:g}" if duration is not None
                                else " to the end")
        if fit:
            logger.info("%s: tmin=%s, duration=%s do not fit the %s (%g to %g s): whole epochs "
                        "read", path.name, tmin, duration, what, t0, end)
            return 0, n_times
        raise ConfigurationError(f"{path}: tmin={tmin}, duration={duration} fall outside the "
                                 f"{what} ({t0:g} to {end:g} s around each event; asked {asked} s)")
    return a, b


def _read_epochs(ep, path: Path, *, labels, label_map, picks, tmin: float | None,
                 duration: float | None, unlabelled, onsets: bool, codes: bool, common: dict,
                 extra: dict, fit: bool = False) -> Recording:
    """Each epoch of MNE Epochs one trial, labelled by its ``event_id`` name (the code where the
    code has no name); epochs not preloaded are read one by one on load.

    Parameters
    ----------
    ep : mne.Epochs
        Epochs of ``path``.
    onsets : bool
        Give trials onsets from the events' samples (so that overlapping epochs are refused by
        ``prepare``).
    codes : bool
        Number the names by their event codes where neither ``labels`` nor ``label_map`` is given
        (codes the file's writer chose, as in FIF; EEGLAB's are MNE's own numbering).
    labels, label_map, picks, unlabelled
        As :func:`read`.
    tmin, duration
        Part of every epoch to keep, relative to its event (:func:`_epoch_window`).
    common, extra : dict
        Recording fields built by :func:`_read_one`.
    """
    sfreq = float(ep.info["sfreq"])
    a, b = _epoch_window(float(ep.tmin), len(ep.times), sfreq, tmin, duration, path,
                         fit=fit)
    idx = _pick(ep, picks, path)
    file_names = [ep.ch_names[i] for i in idx]
    names = _channel_names(file_names)
    inv = {v: k for k, v in ep.event_id.items()}
    descs = [inv.get(int(c), str(int(c))) for c in ep.events[:, 2]]
    if unlabelled is True:
        mapping: dict = dict.fromkeys(descs)
    elif codes and labels is None and label_map is None:
        mapping = {d: int(c) for d, c in zip(descs, ep.events[:, 2], strict=True)
                   if not _SKIP_DESC.search(d)}
        mapping = mapping or _resolve_map(descs, labels, label_map, path)
    else:
        try:
            mapping = _resolve_map(descs, labels, label_map, path)
        except DataFormatError as exc:
            if unlabelled != "auto":
                raise
            logger.info("%s; each epoch read as an unlabelled trial", exc)
            extra["unlabelled_because"] = str(exc).removeprefix(f"{path}: ")
            mapping, unlabelled = dict.fromkeys(descs), True
    starts = _epoch_onsets(ep) if onsets else [None] * len(descs)
    starts = [None if s is None else s + a / sfreq for s in starts]
    data = ep.get_data(picks=idx, copy=False) if ep.preload else None
    on_disk = None if ep.preload else _FifEpochsOnDisk(path)   # the file is closed after reading

    def make_loader(k: int, i: int):
        def loader():
            try:
                x = on_disk.get(k, idx)[:, a:b]
            except Exception as exc:
                raise data_error(path, f"epoch {k + 1} unreadable (truncated or corrupt file?)",
                                 found=f"{type(exc).__name__}: {exc}") from None
            return check_finite(x, path, f"trial {i}")
        return loader

    trials = []
    for k, desc in enumerate(descs):
        if desc not in mapping:
            continue
        i = len(trials) + 1
        kw: dict = (dict(data=check_finite(np.ascontiguousarray(data[k][:, a:b]), path,
                                           f"epoch {k + 1}"))
                    if data is not None else dict(loader=make_loader(k, i)))
        trials.append(Trial(index=i, label=mapping[desc], sfreq=sfreq, ch_names=names, kind="raw",
                            n_times=b - a, onset=starts[k], **kw))
    extra.update(epoched=True, file_ch_names=file_names, n_channels_file=len(ep.ch_names),
                 events_from="epochs", events=dict(Counter(descs)))
    if (a, b) != (0, len(ep.times)):
        extra["epoch_window_s"] = [round(float(ep.tmin) + a / sfreq, 9),
                                   round(float(ep.tmin) + b / sfreq, 9)]
    label_names = {} if unlabelled is True else _label_names(mapping)
    return Recording(trials=trials, label_names=label_names, date=_meas_date(ep.info), extra=extra,
                     **common)


def _read_one(path: Path, *, labels, label_map, sidecar, picks, data_format, tmin, duration,
              subject, session, unlabelled, simulated, reject_by_annotation=True,
              epochs_fit: bool = False) -> Recording:
    ext = _extension(path)
    if ext not in EXTENSIONS:
        raise data_error(path, "unknown file extension", expected=" ".join(EXTENSIONS),
                         found=repr(ext or path.name))
    if not path.is_file():
        if path.is_symlink():   # a link whose target is gone (or not fetched: git-annex, DataLad)
            raise data_error(path, "file not found (a broken link)", expected="a recording",
                             found=f"a link to {os.readlink(path)}")
        raise data_error(path, "file not found", expected="an EEG recording")
    if path.stat().st_size == 0:
        raise data_error(path, "empty file (0 bytes)", expected="an EEG recording",
                         found="nothing")
    fmt = EXTENSIONS[ext]
    if data_format is not None and fmt != "cnt":
        logger.warning("%s: data_format=%r applies to Neuroscan .cnt files only: ignored here",
                       path.name, data_format)
    subj, sess, extra = parse_name(path)
    subj = str(subject) if subject is not None else subj
    sess = int(session) if session is not None else sess
    extra["format"] = fmt
    common = dict(dataset=DATASET, subject=subj, session=sess, source=path, kind="raw",
                  simulated=simulated)
    if fmt == "fieldtrip":
        return _read_fieldtrip(path, labels=labels, label_map=label_map, sidecar=sidecar,
                               picks=picks, tmin=tmin, duration=duration, unlabelled=unlabelled,
                               common=common, extra=extra,
                               reject_by_annotation=reject_by_annotation, epochs_fit=epochs_fit)
    epochs_opts = dict(labels=labels, label_map=label_map, picks=picks, tmin=tmin,
                       duration=duration, unlabelled=unlabelled, common=common, extra=extra,
                       fit=epochs_fit)
    tmin = 0.0 if tmin is None else tmin       # continuous recordings: from each event
    if fmt == "eeglab":
        _check_eeglab_file(path)
    if fmt == "eeglab" and _eeglab_trials(path) > 1:
        return _read_epochs(_read_eeglab_epochs(path), path, onsets=False, codes=False,
                            **epochs_opts)
    if fmt == "fif":
        kind, raw = _open_fif(path)
        if kind == "epochs":
            return _read_epochs(raw, path, onsets=True, codes=True, **epochs_opts)
    else:
        raw = _open_raw(path, fmt, data_format)
    picks_idx = _pick(raw, picks, path)
    file_names = [raw.ch_names[i] for i in picks_idx]
    ch_names = _channel_names(file_names)
    extra.update(file_ch_names=file_names, n_channels_file=len(raw.ch_names),
                 duration_s=raw.n_times / float(raw.info["sfreq"]))
    if unlabelled is True:
        trial = _whole(raw, path, picks_idx, ch_names, tmin=tmin, duration=duration)
        return Recording(trials=[trial], label_names={}, date=_meas_date(raw.info), extra=extra,
                         **common)
    events, strict, sc, source = _events(raw, path, sidecar, fmt)
    extra["events_from"] = source
    extra["events"] = dict(Counter(e[2] for e in events))
    if source.startswith("stim:"):
        # the trigger channels would give the labels away: out of the trials unless named
        named = _named_in_picks(picks)
        stims = {raw.ch_names.index(c) for c in _stim_channels(raw)}
        dropped = [i for i in picks_idx if i in stims and raw.ch_names[i].lower() not in named]
        if dropped and len(dropped) < len(picks_idx):
            logger.info("%s: stim channel(s) %s left out of the trials (the trigger codes are the "
                        "labels; name them in picks= to keep them)", path.name,
                        ", ".join(raw.ch_names[i] for i in dropped))
            picks_idx = [i for i in picks_idx if i not in dropped]
            file_names = [raw.ch_names[i] for i in picks_idx]
            ch_names = _channel_names(file_names)
            extra["file_ch_names"] = file_names
    try:
        if not events:
            stims = _stim_channels(raw)
            raise data_error(path, "no annotations and no sidecar", expected="annotations in the "
                             "file, trigger codes on a stim channel, "
                             f"{_stem(path)}_events.tsv/.csv beside it, sidecar=, or "
                             "unlabelled=True",
                             found="no events" + (f" (stim channel {', '.join(stims)} holds no "
                                                  "trigger)" if stims else ""))
        mapping = _resolve_map([e[2] for e in events], labels, label_map, path)
        trials = _cut(raw, path, picks_idx, ch_names, events, mapping, tmin=tmin,
                      duration=duration, strict=strict, events_path=sc,
                      bad=_bad_spans(raw, events if sc is not None else ())
                      if reject_by_annotation else ())
        if not trials:
            raise data_error(path, "no trial left", expected="events inside the recording",
                             found=f"{len(events)} events, none usable")
    except DataFormatError as exc:
        if unlabelled != "auto" or (sc is not None and sidecar is not None):
            raise
        logger.info("%s; read as one unlabelled trial", exc)
        extra["unlabelled_because"] = str(exc).removeprefix(f"{path}: ")
        trial = _whole(raw, path, picks_idx, ch_names, tmin=0.0, duration=None)
        return Recording(trials=[trial], label_names={}, date=_meas_date(raw.info), extra=extra,
                         **common)
    return Recording(trials=trials, label_names=_label_names(mapping), date=_meas_date(raw.info),
                     extra=extra, **common)


def _pick_list(picks) -> list:
    """``picks`` other than None/"eeg" as a list: a comma list ("C3,C4,Cz" from --read-option)
    split, one name or index wrapped, a sequence as given."""
    if isinstance(picks, str) and "," in picks:
        return [p.strip() for p in picks.split(",") if p.strip()]
    if isinstance(picks, (str, int, np.integer)):
        return [picks]
    return list(picks)


def _pick(raw, picks, path: Path) -> list[int]:
    import mne

    if picks is None:
        return list(range(len(raw.ch_names)))
    if isinstance(picks, str) and picks == "eeg":
        idx = list(mne.pick_types(raw.info, eeg=True, exclude=[]))
        # EDF/BDF (and some other formats) type every channel as EEG: names tell the others
        other = [i for i in idx if _NOT_EEG.match(raw.ch_names[i].strip())]
        if other and len(other) < len(idx):
            logger.info("%s: channel(s) %s are not EEG by their names: left out (picks=None "
                        "keeps every channel)", path.name,
                        ", ".join(raw.ch_names[i] for i in other[:8]) + (", …" if len(other) > 8
                                                                          else ""))
            idx = [i for i in idx if i not in other]
    else:
        picks = _pick_list(picks)
        # a name as the file spells it ("C3..") or as eegemo shows it ("C3"), a channel type, or
        # an index (ints: MNE's meaning, never a numbered channel's name)
        shown = _channel_names(raw.ch_names)
        names = {p for p in picks if isinstance(p, str)}
        idx = [i for i, (c, n) in enumerate(zip(raw.ch_names, shown, strict=True))
               if c in names or n in names]
        rest = [p for p in picks if not (isinstance(p, str) and (p in raw.ch_names or p in shown))]
        unknown = [p for p in rest if isinstance(p, str) and p not in _PICK_TYPES]
        if unknown and (idx or len(unknown) < len(rest)):   # a typo beside names that matched
            raise data_error(path, f"picks {', '.join(map(repr, unknown))} match no channel",
                             expected="channel names as the file or eegemo info spells them, "
                             "channel types or indices",
                             found=f"{', '.join(shown[:10])}{', …' if len(shown) > 10 else ''}")
        if rest:
            try:
                kept = set(raw.copy().pick(rest).ch_names)  # lazy: only the channel list
            except (ValueError, IndexError):  # MNE: no channel of that name/type/index
                kept = set()
            idx = sorted(set(idx) | {i for i, c in enumerate(raw.ch_names) if c in kept})
    if not idx:
        types = sorted(set(raw.get_channel_types()))
        names = _channel_names(raw.ch_names)
        raise data_error(path, f"no channel matches picks={picks!r}",
                         expected="channel names or types",
                         found=f"{len(raw.ch_names)} channels of type(s) {', '.join(types)}: "
                               f"{', '.join(names[:10])}{', …' if len(names) > 10 else ''}")
    return idx


def _events(raw, path: Path, sidecar, fmt: str = ""):
    """Events of a continuous recording and where they come from.

    A sidecar wins; then the file's annotations, unless none of them can be a trial (none, or
    only ``BAD_…``/``EDGE…``/``boundary``); then the trigger codes of the first stim channel that
    holds any (:func:`_stim_events`).

    Returns
    -------
    events : list of (float, float, str)
        Onset in seconds from the first sample, duration in seconds, description.
    strict : bool
        Whether an event outside the recording is an error (sidecar) or dropped with a warning.
    sidecar : Path | None
        The sidecar read.
    source : str
        ``extra["events_from"]``: the sidecar's path, ``"annotations"`` or ``"stim:<channel>"``.
    """
    sc = Path(sidecar) if sidecar is not None else _find_sidecar(path)
    if sc is not None:
        df = read_sidecar(sc)
        logger.info("%s: %d events from %s", path.name, len(df), sc.name)
        return (list(zip(df["onset"].tolist(), df["duration"].tolist(), df["label"].tolist(),
                         strict=True)),
                True, sc, str(sc))
    ann = raw.annotations
    first = float(getattr(raw, "first_time", 0.0) or 0.0)
    offset = first if ann.orig_time is not None else 0.0
    events = [(float(o) - offset, float(d), str(s)) for o, d, s in
              zip(ann.onset, ann.duration, ann.description, strict=True)]
    if any(not _SKIP_DESC.search(e[2]) for e in events):
        return events, False, None, "annotations"
    stim, channel = _stim_events(raw, path, fmt)
    if stim:
        codes = Counter(e[2] for e in stim)
        logger.info("%s: no annotations: %d events from stim channel %s (trigger codes %s)",
                    path.name, len(stim), channel,
                    ", ".join(f"{c}: {n}" for c, n in sorted(codes.items(), key=lambda kv: int(kv[0]))))
        return stim, False, None, f"stim:{channel}"
    return events, False, None, "annotations"


def _named_in_picks(picks) -> set[str]:
    """Channel names (lower case) that ``picks`` names one by one (not by type or index)."""
    if picks is None:
        return set()
    items = picks.split(",") if isinstance(picks, str) else (
        [picks] if isinstance(picks, (int, np.integer)) else list(picks))
    return {str(v).strip().lower() for v in items if isinstance(v, str)} - {
        "all", "data", "eeg", "stim", "misc", "eog", "ecg", "emg", "meg"}


#: combined trigger channels (MNE's "STI 014"/"STI101", BioSemi's "Status", ...), searched before
#: other stim channels; Neuromag's single-bit lines "STI 001"-"STI 016" are searched last
_COMBINED_STIM = {"sti014", "sti101", "status", "trigger", "trig", "stim"}
_BIT_STIM = re.compile(r"^sti\s?0(0[1-9]|1[0-6])$", re.IGNORECASE)


#: trigger channels by their names, whatever type the file gives them (EDF types every channel as
#: EEG, so an EDF "TRIG" or "Marker" channel is an EEG channel to MNE)
_TRIGGER_NAME = re.compile(r"^(?:EEG\s+)?(?:STATUS|TRIG\w*|STI\s?0?14|STI101|STIM|MARKERS?|"
                           r"EVENTS?)$", re.IGNORECASE)


def _stim_channels(raw) -> list[str]:
    """Names of the trigger channels: those MNE types as stim, combined channels first, then those
    of other types named as trigger channels (``TRIG``, ``Marker``, ``Status``, …), then
    Neuromag's single-bit lines."""
    import mne

    typed = set(mne.pick_types(raw.info, stim=True, exclude=[]))
    named = {i for i, c in enumerate(raw.ch_names) if _TRIGGER_NAME.match(c.strip())}

    def rank(i: int) -> int:
        name = raw.ch_names[i]
        if i not in typed:
            return 2
        if name.replace(" ", "").lower() in _COMBINED_STIM:
            return 0
        return 3 if _BIT_STIM.match(name.strip()) else 1
    return [raw.ch_names[i] for i in sorted(typed | named, key=lambda i: (rank(i), i))]


def _integer_codes(x: np.ndarray) -> np.ndarray | None:
    """A trigger channel typed as a signal (EDF) as integer codes: as stored, or scaled back from
    the µV or mV MNE converted it from (within 0.02 of whole numbers: an EDF's 16-bit steps);
    all zeros for a flat channel; None for an analog signal (no scale gives non-zero whole
    numbers, or more than 256 distinct values), which is no trigger channel."""
    if not np.any(x):
        return np.zeros(len(x), np.int64)
    for scale in (1.0, 1e6, 1e3):
        v = x * scale
        codes = np.round(v)
        if (np.any(codes) and np.all(np.abs(v - codes) <= 0.02)
                and len(np.unique(codes)) <= 256):
            return codes.astype(np.int64)
    return None


def _stim_events(raw, path: Path, fmt: str = "") -> tuple[list[tuple[float, float, str]],
                                                          str | None]:
    """Zero-length events of the first stim channel with any trigger (:func:`mne.find_events`),
    described by their codes (``"1"``, ``"255"``), and that channel's name (None where none).

    A BDF Status channel's codes are masked to bits 0-15 (BioSemi's system bits, CMS and
    battery, sit above them).
    """
    import mne

    sfreq = float(raw.info["sfreq"])
    mask = _BDF_TRIGGER_MASK if fmt == "bdf" else None
    stim_typed = set(mne.pick_types(raw.info, stim=True, exclude=[]))
    for name in _stim_channels(raw):
        try:
            source = raw
            if raw.ch_names.index(name) not in stim_typed:   # a trigger channel typed as a signal
                codes = _integer_codes(raw.get_data(picks=[name])[0])
                if codes is None:
                    logger.info("%s: channel %s is named as a trigger channel but holds an analog "
                                "signal: not searched for triggers", path.name, name)
                    continue
                source = mne.io.RawArray(codes[None].astype(float),
                                         mne.create_info([name], sfreq, "stim"),
                                         first_samp=raw.first_samp, verbose="error")
            # every change to a non-zero code is an event (a code stepping to another without
            # returning to 0, a trigger already high at the first sample)
            found = mne.find_events(source, stim_channel=name, shortest_event=1, mask=mask,
                                    mask_type="and", consecutive=True, initial_event=True,
                                    verbose="error")
        except Exception as exc:
            raise data_error(path, f"stim channel {name} unreadable (truncated or corrupt file?)",
                             found=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                             ) from None
        if len(found):
            return [(float(s - raw.first_samp) / sfreq, 0.0, str(int(c)))
                    for s, _, c in found], name
    return [], None


def _eeglab_trials(path: Path) -> int:
    """Number of trials an EEGLAB ``.set`` declares (1 for continuous data)."""
    from ._mat import MatFile, is_hdf5

    try:
        if is_hdf5(path):
            m = MatFile(path)
            if "trials" in m:
                return int(np.asarray(m.load("trials")).ravel()[0])
            return 1
        from scipy.io import loadmat

        d = loadmat(path, squeeze_me=True, struct_as_record=False, variable_names=["EEG", "trials"])
        if "EEG" in d:
            return int(getattr(d["EEG"], "trials", 1) or 1)
        return int(np.asarray(d.get("trials", 1)).ravel()[0])
    except Exception:
        return 1


# ----------------------------------------------------------------------------------------- FieldTrip
class _FieldTrip:
    """Access to a FieldTrip raw struct in a v7 (scipy) or v7.3 (h5py) ``.mat`` file."""

    def __init__(self, path: Path):
        from ._mat import is_hdf5

        self.path = path
        try:
            self.var = _fieldtrip_struct_name(path)
            self.hdf5 = is_hdf5(path)
            self._read_meta()
        except Exception as exc:
            if getattr(exc, "__module__", "").startswith("eegemo"):
                raise
            raise data_error(path, "unreadable MATLAB file (truncated or corrupt?)",
                             found=f"{type(exc).__name__}: {exc}") from None

    def _read_meta(self) -> None:
        if self.hdf5:
            import h5py

            with h5py.File(self.path, "r") as f:
                g = f[self.var]
                self.label = ["".join(map(chr, np.asarray(f[r][()]).ravel()))
                              for r in np.asarray(g["label"][()]).ravel()]
                self.sfreq = float(np.asarray(g["fsample"][()]).ravel()[0]) if "fsample" in g \
                    else self._sfreq_from_time_h5(f, g)
                self.shapes = [tuple(reversed(f[r].shape)) for r in np.asarray(g["trial"][()]).ravel()]
                self.trialinfo = np.asarray(g["trialinfo"][()]).T if "trialinfo" in g else None
                self.sampleinfo = (np.asarray(g["sampleinfo"][()]).T if "sampleinfo" in g else None)
                self.t0 = [float(np.asarray(f[r][()]).ravel()[0]) if f[r].size else 0.0
                           for r in np.asarray(g["time"][()]).ravel()] if "time" in g else None
                self.unit = None
                try:   # hdr.chanunit: a cell array of strings, one per channel
                    refs = np.asarray(g["hdr"]["chanunit"][()]).ravel()
                    self.unit = ["".join(map(chr, np.asarray(f[r][()]).ravel())) for r in refs]
                except (KeyError, TypeError, ValueError, AttributeError):
                    pass
            return
        d = self._load_v7()
        self.label = [str(x) for x in np.atleast_1d(d.label)]
        trial = d.trial
        cells = list(trial) if trial.dtype == object else [trial]
        self.shapes = [np.atleast_2d(c).shape for c in cells]
        self.sfreq = float(d.fsample) if hasattr(d, "fsample") else \
            1.0 / float(np.diff(np.atleast_1d(d.time if d.trial.dtype != object else d.time[0])[:2])[0])
        self.trialinfo = np.atleast_2d(d.trialinfo) if hasattr(d, "trialinfo") else None
        if self.trialinfo is not None and self.trialinfo.shape[0] == 1 and len(cells) > 1:
            self.trialinfo = self.trialinfo.T
        self.sampleinfo = np.atleast_2d(d.sampleinfo) if hasattr(d, "sampleinfo") else None
        times = getattr(d, "time", None)   # seconds from each trial's event
        if times is not None:
            cells = list(times) if times.dtype == object else [times]
            self.t0 = [float(np.atleast_1d(c)[0]) if np.size(c) else 0.0 for c in cells]
        else:
            self.t0 = None
        hdr = getattr(d, "hdr", None)
        unit = getattr(hdr, "chanunit", None) if hdr is not None else None
        self.unit = [str(u) for u in np.atleast_1d(unit)] if unit is not None else None

    def _sfreq_from_time_h5(self, f, g) -> float:
        t = np.asarray(f[np.asarray(g["time"][()]).ravel()[0]][()]).ravel()
        return 1.0 / float(t[1] - t[0])

    def _load_v7(self):
        from scipy.io import loadmat

        return loadmat(self.path, variable_names=[self.var], squeeze_me=True,
                       struct_as_record=False)[self.var]

    def get(self, k: int, rows: Sequence[int], start: int, stop: int) -> np.ndarray:
        """Samples ``start:stop`` of trial ``k`` (0-based), channels ``rows``, as stored (a
        one-line error for complex or non-numeric samples)."""
        what = f"{self.var}.trial{{{k + 1}}}"
        if self.hdf5:
            import h5py

            with h5py.File(self.path, "r") as f:
                ref = np.asarray(f[self.var]["trial"][()]).ravel()[k]
                x = f[ref][start:stop, :]  # stored transposed: (n_times, n_channels)
            return np.ascontiguousarray(real_array(x, self.path, what).T[list(rows)])
        d = self._load_v7()
        trial = d.trial
        cell = trial[k] if trial.dtype == object else trial
        return np.ascontiguousarray(
            real_array(np.atleast_2d(cell)[list(rows), start:stop], self.path, what))


#: volts per unit of the voltage units a FieldTrip ``hdr.chanunit`` may name ("u" stands for µ)
_VOLT_UNITS = {"v": 1.0, "volt": 1.0, "volts": 1.0, "mv": 1e-3, "millivolt": 1e-3,
               "millivolts": 1e-3, "uv": 1e-6, "microvolt": 1e-6, "microvolts": 1e-6, "nv": 1e-9}


def _unit_scales(units, n_ch: int, path) -> np.ndarray:
    """Volts per stored unit of every channel from FieldTrip's ``hdr.chanunit`` (µV where absent,
    FieldTrip's EEG convention); a unit that is not a voltage is refused."""
    if not units or all(str(u).strip().lower() in ("", "unknown") for u in units):
        return np.full(n_ch, 1e-6)
    units = list(units) * n_ch if len(units) == 1 else list(units)
    if len(units) != n_ch:
        raise data_error(path, "hdr.chanunit does not name one unit per channel",
                         expected=f"{n_ch} units", found=f"{len(units)}")
    out = np.empty(n_ch)
    for i, u in enumerate(units):
        key = str(u).strip().replace("\u03bc", "u").replace("\u00b5", "u").lower()
        if key in ("", "unknown"):
            out[i] = 1e-6
        elif key in _VOLT_UNITS:
            out[i] = _VOLT_UNITS[key]
        else:
            raise data_error(path, f"channel {i + 1} is not in volts", expected="V, mV, µV or nV",
                             found=f"unit {u!r}")
    return out


def _pick_labels(labels: list[str], picks, path: Path) -> list[int]:
    """:func:`_pick` for a file MNE does not open as a Raw (FieldTrip ``.mat``): names as the file
    or eegemo spells them, a comma list, indices, ``"eeg"`` (names of other signals left out) or
    ``"all"``/None; channel types other than ``"eeg"`` are not stored, and a name matching nothing
    is refused, as for the other formats."""
    n = len(labels)
    if picks is None or (isinstance(picks, str) and picks in ("all", "data", "data_channels")):
        return list(range(n))
    if isinstance(picks, str) and picks == "eeg":
        rows = [i for i, c in enumerate(labels) if not _NOT_EEG.match(str(c).strip())]
        return rows or list(range(n))
    picks = _pick_list(picks)
    shown = _channel_names(labels)
    rows: set[int] = set()
    unknown = []
    for p in picks:
        if isinstance(p, str) and p not in labels and p not in shown and p in (
                "eeg", "all", "data", "data_channels"):   # a type among names, as for the others
            rows.update(_pick_labels(labels, p, path))
        elif isinstance(p, (int, np.integer)) and not isinstance(p, bool):
            if -n <= int(p) < n:
                rows.add(int(p) % n)
            else:
                unknown.append(p)
        elif isinstance(p, str) and (p in labels or p in shown):
            rows.update(i for i, (c, s) in enumerate(zip(labels, shown, strict=True))
                        if p in (c, s))
        else:
            unknown.append(p)
    if unknown:
        raise data_error(path, f"picks {', '.join(map(repr, unknown))} match no channel",
                         expected=f"channel names as the file or eegemo info spells them, or "
                         f"indices 0-{n - 1} (a FieldTrip file stores no channel types but 'eeg' "
                         "by name)",
                         found=f"{', '.join(shown[:10])}{', …' if n > 10 else ''}")
    if not rows:   # an empty list or ","
        raise data_error(path, f"no channel matches picks={picks!r}", expected="channel names "
                         "or indices", found=f"{n} channels ({', '.join(shown[:5])}, …)")
    return sorted(rows)


def _read_fieldtrip(path: Path, *, labels, label_map, sidecar, picks, tmin, duration, unlabelled,
                    common, extra, reject_by_annotation: bool = True,
                    epochs_fit: bool = False) -> Recording:
    ft = _FieldTrip(path)
    rows = _pick_labels(ft.label, picks, path)
    file_names = [ft.label[i] for i in rows]
    ch_names = _channel_names(file_names)
    n_ch = len(ft.label)
    for k, shp in enumerate(ft.shapes):
        if shp[0] != n_ch:
            raise data_error(path, f"FieldTrip trial {k + 1} has the wrong channel count",
                             expected=f"{n_ch} rows (len(label))", found=f"shape {shp}")
    scales = _unit_scales(ft.unit, n_ch, path)[rows]
    scale = float(scales[0]) if np.all(scales == scales[0]) else scales[:, None]
    extra.update(file_ch_names=file_names, n_channels_file=n_ch, fieldtrip_var=ft.var,
                 unit_scale=scale if np.isscalar(scale) else scales.tolist())

    def make_loader(k, a, b, i):
        def loader():
            return check_finite(ft.get(k, rows, a, b) * scale, path, f"trial {i}")
        return loader

    def make_context(a, b):     # a continuous FieldTrip recording: signal around a trial
        def context(before, after):
            return ft.get(0, rows, a - before, b + after) * scale
        return context

    sfreq = ft.sfreq
    if len(ft.shapes) > 1:  # epoched: each FieldTrip trial is one eegemo trial
        if ft.trialinfo is not None and len(ft.trialinfo) != len(ft.shapes):
            raise data_error(path, f"FieldTrip {ft.var}.trialinfo and {ft.var}.trial disagree",
                             expected=f"{len(ft.shapes)} rows, one per trial",
                             found=f"{len(ft.trialinfo)} rows")
        if ft.sampleinfo is not None and (ft.sampleinfo.ndim != 2 or ft.sampleinfo.shape[1] < 1
                                          or len(ft.sampleinfo) != len(ft.shapes)):
            raise data_error(path, f"FieldTrip {ft.var}.sampleinfo and {ft.var}.trial disagree",
                             expected=f"{len(ft.shapes)} rows of [first last] samples, one per "
                             "trial", found=f"shape {ft.sampleinfo.shape}")
        codes = ([str(int(v)) if float(v).is_integer() else str(v) for v in ft.trialinfo[:, 0]]
                 if ft.trialinfo is not None else ["0"] * len(ft.shapes))
        mapping = (_resolve_map(codes, labels, label_map, path) if unlabelled is not True
                   else dict.fromkeys(set(codes), None))
        trials = []
        if ft.t0 is None:
            t0s = [0.0] * len(codes)
        elif len(ft.t0) in (1, len(ft.shapes)):  # one time vector per trial, or one for all
            t0s = ft.t0 * (len(ft.shapes) // len(ft.t0))
        else:   # tmin/duration would be placed from 0 s instead of each trial's event
            raise data_error(path, f"FieldTrip {ft.var}.time and {ft.var}.trial disagree",
                             expected=f"{len(ft.shapes)} time vectors, one per trial",
                             found=f"{len(ft.t0)}")
        for k, (code, shp) in enumerate(zip(codes, ft.shapes, strict=True)):
            if code not in mapping:
                continue
            i = len(trials) + 1
            a, b = _epoch_window(t0s[k], int(shp[1]), sfreq, tmin, duration, path,
                                 f"FieldTrip trial {k + 1}", fit=epochs_fit)
            onset = (float(ft.sampleinfo[k, 0] - 1 + a) / sfreq if ft.sampleinfo is not None
                     else None)
            trials.append(Trial(index=i, label=mapping[code], sfreq=sfreq, ch_names=ch_names,
                                kind="raw", n_times=b - a, onset=onset,
                                loader=make_loader(k, a, b, i)))
        extra["epoched"] = True
        names = {} if unlabelled is True else _label_names(mapping)
        return Recording(trials=trials, label_names=names, extra=extra, **common)
    n_total = int(ft.shapes[0][1])
    tmin = 0.0 if tmin is None else tmin       # continuous: from each event
    sc = Path(sidecar) if sidecar is not None else _find_sidecar(path)
    if unlabelled is True or (unlabelled == "auto" and sc is None):
        a = int(round(tmin * sfreq))
        b = n_total if duration is None else a + int(round(duration * sfreq))
        if not 0 <= a < b <= n_total:
            raise ConfigurationError(f"{path}: tmin={tmin}, duration={duration} fall outside the "
                                     f"recording (0–{n_total / sfreq:g} s)")
        t = Trial(index=1, label=None, sfreq=sfreq, ch_names=ch_names, kind="raw", n_times=b - a,
                  onset=a / sfreq, loader=make_loader(0, a, b, 1), context=make_context(a, b),
                  room=(a, n_total - b))
        return Recording(trials=[t], label_names={}, extra=extra, **common)
    if sc is None:
        raise data_error(path, "no annotations and no sidecar", expected="a FieldTrip file with "
                         "several trials, sidecar=, or unlabelled=True", found="one continuous trial")
    df = read_sidecar(sc)
    events = list(zip(df["onset"].tolist(), df["duration"].tolist(), df["label"].tolist(),
                      strict=True))
    mapping = _resolve_map([e[2] for e in events], labels, label_map, path)
    bad = _event_spans(events, sfreq) if reject_by_annotation else []
    trials, rejected = [], []
    for onset, dur, desc in events:
        if desc not in mapping:
            continue
        length = duration if duration is not None else dur
        if not np.isfinite(length):
            raise data_error(sc, f"event {desc!r} at {onset:g} s has no duration (n/a)",
                             expected="a duration in the events file, or duration= (--duration)",
                             found="n/a")
        a = int(round((onset + tmin) * sfreq))
        b = a + int(round(length * sfreq))
        if length <= 0 or a < 0 or b > n_total:
            raise data_error(sc, f"event {desc!r} at {onset:g} s lies outside the recording or has "
                             "no length", expected=f"0 < duration, end <= {n_total / sfreq:g} s",
                             found=f"{(a / sfreq):g}–{(b / sfreq):g} s")
        if any(a < stop and start < b for start, stop in bad):
            rejected.append(onset)
            continue
        i = len(trials) + 1
        trials.append(Trial(index=i, label=mapping[desc], sfreq=sfreq, ch_names=ch_names,
                            kind="raw", n_times=b - a, onset=a / sfreq,
                            loader=make_loader(0, a, b, i), context=make_context(a, b),
                            room=(a, n_total - b)))
    if rejected:
        logger.warning("%s: %d trial(s) dropped, overlapping BAD/EDGE rows of %s (first at %g s; "
                       "reject_by_annotation=False keeps them)", path.name, len(rejected),
                       sc.name, rejected[0])
    extra["events_from"] = str(sc)
    return Recording(trials=trials, label_names=_label_names(mapping), extra=extra, **common)


# -------------------------------------------------------------------------------------------- public
def read(path: str | os.PathLike, *, labels: Sequence[str] | None = None,
         label_map: Mapping[str, int] | None = None, sidecar: str | os.PathLike | None = None,
         picks: str | Sequence[str] | None = "eeg", data_format: str | None = None,
         tmin: float | None = None, duration: float | None = None, subject: str | None = None,
         session: int | None = None, unlabelled: bool | str = False,
         reject_by_annotation: bool = True, epochs_window: str = "strict",
         **kw: Any) -> list[Recording]:
    """Read any MNE-readable recording (or a folder of them) into labelled, lazily loaded trials.

    Parameters
    ----------
    path : path-like
        A file (see the module docstring for formats) or a folder read recursively.
    labels : sequence of str | None
        Event descriptions that become trials, numbered 0, 1, … in this order (unless ``label_map``
        gives the numbers): annotation or sidecar labels, stim-channel trigger codes (``"255"``),
        epochs' ``event_id`` names. ``None``: every description except
        ``BAD_…``/``EDGE…``/``boundary``, numbered in sorted order (numeric descriptions keep their
        value; FIF epochs keep their event codes).
    label_map : dict of str -> int | None
        Description → integer label; other descriptions are skipped. Several descriptions may share a
        number (their names are joined with ``|`` in ``label_names``).
    sidecar : path-like | None
        CSV/TSV with ``onset``, ``duration``, ``label`` (seconds from the first sample). Default: a
        ``<stem>_events.tsv``/``.csv`` beside the file, if any. Only for a single file.
    picks : str | sequence of str | None
        Channels to keep (MNE picks); EEG channels by default, ``None`` for all (but a stim
        channel whose trigger codes are the labels).
    data_format : {"int16", "int32"} | None
        Neuroscan ``.cnt`` sample format; detected from the file when ``None``.
    tmin : float | None
        Seconds added to every event onset (negative to start before the event); None: 0.
        Epoched files: where each kept part of an epoch starts, in seconds from its event (None,
        with ``duration=None``: whole epochs, baseline included).
    duration : float | None
        Trial length in seconds; ``None`` uses each event's own duration (epoched files: to the
        epoch's end; the defaults keep whole epochs as stored).
    subject : str | None
        Override the subject parsed from the file name.
    session : int | None
        Override the session parsed from the file name.
    unlabelled : bool | "auto"
        ``True``: return the whole recording as one unlabelled trial (label ``None``) instead of
        cutting events. ``"auto"``: do so only where no usable event is found (used by
        ``eegemo info``). Event counts found are kept in ``extra["events"]`` either way.
    reject_by_annotation : bool
        Drop trials of a continuous recording that overlap an annotation whose description starts
        with ``BAD`` or ``EDGE`` (as :class:`mne.Epochs` does by default), with a warning naming how
        many; False keeps them.
    epochs_window : {"strict", "fit"}
        Epoched files where ``tmin``/``duration`` do not fit the epochs: refused (``"strict"``) or
        whole epochs read (``"fit"``: ``predict`` applies a store's options, chosen for the
        training recordings, to new files).
    **kw
        Accepted and ignored (``kind``, ``feature``, … passed by :func:`eegemo.datasets.read`);
        ``subjects`` / ``sessions`` select files of a folder.

    Returns
    -------
    recordings : list of Recording
        One per file, ``dataset="generic"``, raw trials of shape (n_channels, n_times) in volts.

    Raises
    ------
    eegemo.errors.DataFormatError
        Unknown extension, unreadable or truncated file (FIF: neither Raw nor Epochs MNE can read),
        no events, bad sidecar, NaN in loaded data.
    eegemo.errors.ConfigurationError
        Impossible settings (no matching labels, ``tmin``/``duration`` outside the recording).
    """
    from tqdm.auto import tqdm

    from ._family import as_sessions, as_subjects, is_simulated, subject_key

    p = Path(path)
    if kw.get("kind") == "features":
        raise ConfigurationError(f"{p}: generic recordings are raw signals; kind='features' is not "
                                 "available")
    tmin = None if tmin is None else _seconds("tmin", tmin)
    duration = None if duration is None else _seconds("duration", duration)
    if tmin is not None and not np.isfinite(tmin):
        raise ConfigurationError(f"tmin must be finite, got {tmin!r}")
    if duration is not None and not (np.isfinite(duration) and duration > 0):
        raise ConfigurationError(f"duration must be a positive number of seconds, got {duration!r}")
    if not (isinstance(unlabelled, (bool, np.bool_)) or unlabelled == "auto"):
        raise ConfigurationError(f"unlabelled must be true, false or 'auto', found {unlabelled!r}")
    if not isinstance(reject_by_annotation, (bool, np.bool_)):
        raise ConfigurationError(f"reject_by_annotation must be true or false, found "
                                 f"{reject_by_annotation!r}")
    if epochs_window not in ("strict", "fit"):
        raise ConfigurationError(f"epochs_window must be 'strict' or 'fit', found "
                                 f"{epochs_window!r}")
    if labels is not None and label_map is not None:
        raise ConfigurationError("give labels= (--labels) or label_map=, not both: label_map "
                                 "names the events and their numbers itself")
    if not p.exists():
        raise data_error(p, "not found", expected="an EEG file or a folder of them")
    simulated = is_simulated(p)
    opts = dict(labels=labels, label_map=label_map, picks=picks, data_format=data_format, tmin=tmin,
                duration=duration, subject=subject, session=session, unlabelled=unlabelled,
                reject_by_annotation=bool(reject_by_annotation), simulated=simulated,
                epochs_fit=epochs_window == "fit")
    if p.is_file():
        rec = _read_one(p, sidecar=sidecar, **opts)
        return [rec if session is not None else _number_session(rec, named_session_numbers(p))]
    files = _data_files(p)
    if not files:
        raise data_error(p, "no EEG recording in folder", expected="files ending in "
                         + " ".join(EXTENSIONS), found=f"{sum(1 for _ in p.iterdir())} entries")
    if sidecar is not None:
        raise ConfigurationError(f"{p}: sidecar= names one file's events; for a folder put "
                                 "<stem>_events.tsv beside each recording")
    want_subj, want_sess = as_subjects(kw.get("subjects")), as_sessions(kw.get("sessions"))
    if want_subj is not None:   # "1" selects sub-01 and "01" selects S1 (numbers by value)
        want_subj = {subject_key(v) for v in want_subj}
    numbers = named_session_numbers(p) if session is None else {}
    chosen = []
    for f in files:
        subj, sess, extra = parse_name(f)
        sess = numbers.get(extra.get("session_label"), sess) if sess is None else sess
        if want_subj is not None and subject_key(subj) not in want_subj:
            continue
        if want_sess is not None and sess not in want_sess:
            continue
        chosen.append(f)
    _refuse_copies(chosen)
    _refuse_mixed_eegmmidb_tasks(chosen, labels, label_map)
    recs = []
    for f in tqdm(chosen, desc="reading", unit="file", disable=progress_disabled()):
        recs.append(_number_session(_read_one(f, sidecar=None, **opts), numbers))
    logger.info("%s: %d recording(s), %d trials", p, len(recs), sum(len(r) for r in recs))
    return recs


#: where common session words fall; other names come between pre and post, in natural order
_SESSION_WORDS = {"baseline": 0, "base": 0, "pre": 1, "before": 1, "post": 3, "after": 3,
                  "followup": 4, "follow": 4, "fu": 4}


def _session_order(label: str) -> tuple:
    word = re.sub(r"[^a-z]", "", label.lower())
    parts = [(0, int(t), "") if t.isdigit() else (1, 0, t)
             for t in re.split(r"(\d+)", label.lower()) if t]
    return (_SESSION_WORDS.get(word, 2), parts)


def _bids_root(path: Path) -> Path:
    """The folder above BIDS's ``sub-*/ses-*/eeg`` levels of ``path``."""
    p = path if path.is_dir() else path.parent
    while p.name.startswith(("sub-", "ses-")) or p.name in ("eeg", "meg", "ieeg"):
        p = p.parent
    return p


def named_session_numbers(path: str | os.PathLike) -> dict[str, int]:
    """Numbers for BIDS sessions named in words (``ses-pre``, ``ses-post``) in the dataset of
    ``path`` (a file or a folder; the folder above its ``sub-``/``ses-``/``eeg`` levels is
    searched, by file name only), so that cross-session protocols can tell them apart.

    The same name has the same number in every subject and whether one file or the folder is
    read: ``baseline`` < ``pre`` < other names in natural order (``day2`` < ``day10``) < ``post`` <
    ``followup``, numbered after the dataset's numeric sessions.

    Parameters
    ----------
    path : path-like
        A recording file or a folder of the dataset.

    Returns
    -------
    dict of str to int
        Session label (the text after ``ses-``) to its number, starting one above the highest
        numeric session (or at 1 when there is none). Empty when no session is named in words.

    Examples
    --------
    >>> sorted(["post", "day10", "pre", "day2"], key=_session_order)
    ['pre', 'day2', 'day10', 'post']
    """
    root = _bids_root(Path(path))
    named, numeric = set(), [0]
    for f in root.rglob("*_ses-*"):
        if not f.is_file() or _extension(f) not in EXTENSIONS:
            continue
        _, sess, extra = parse_name(f)
        if extra.get("session_label") is None:
            continue
        if sess is None:
            named.add(extra["session_label"])
        else:
            numeric.append(sess)
    start = max(numeric)
    order = sorted(named, key=_session_order)
    if order:
        logger.info("%s: sessions named %s numbered %s", root, ", ".join(order),
                    ", ".join(str(start + i) for i in range(1, len(order) + 1)))
    return {label: start + i for i, label in enumerate(order, start=1)}


def _number_session(rec: Recording, numbers: dict[str, int]) -> Recording:
    label = rec.extra.get("session_label")
    if rec.session is None and label in numbers:
        rec.session = numbers[label]
    return rec


def _refuse_mixed_eegmmidb_tasks(files: Sequence[Path], labels, label_map) -> None:
    """eegmmidb's T1/T2 mean left/right fist in some runs and both fists/feet in others: runs of
    both groups read together would give one class two meanings (read_eegmmidb refuses too)."""
    names = [_recording_stem(f) for f in files]
    if not names or not all(_MMIDB.match(n) for n in names):
        return
    explicit = labels is not None or label_map is not None
    asked = set(map(str, labels if labels is not None else (label_map or {})))
    runs = sorted({int(_MMIDB.match(n)["run"]) for n in names} & set(EEGMMIDB_RUNS))
    groups = {EEGMMIDB_RUNS[r] for r in runs}
    if len(groups) < 2 or (explicit and not asked & {"T1", "T2"}):
        return
    fist = [r for r in runs if EEGMMIDB_RUNS[r][1] == "left_fist"]
    feet = [r for r in runs if EEGMMIDB_RUNS[r][1] != "left_fist"]
    message = (f"eegmmidb runs {fist} (T1/T2 = left/right fist) and {feet} (T1/T2 = both "
               "fists/feet) give the class names T1/T2 two meanings; select one group with "
               "sessions= (--sessions 4,8,12 for imagined left/right fist)")
    if explicit:
        raise ConfigurationError(message)
    logger.warning("%s", message)     # all events, e.g. for eegemo info: said, not refused


def _refuse_copies(files: Sequence[Path]) -> None:
    """Refuse one recording saved twice in a folder (``run.edf`` beside ``run.fif`` or
    ``run_raw.fif``): read twice, its trials would land on both sides of a split."""
    seen: dict[tuple[Path, str], Path] = {}
    for f in files:
        key = (f.parent, _recording_stem(f).lower())
        if key in seen:
            raise data_error(f, "the same recording name as another file in its folder",
                             expected="one file per recording (keep one format, or move the "
                             "copy out of the folder)", found=f"{seen[key].name} and {f.name}")
        seen[key] = f


def read_eegmmidb(path: str | os.PathLike, runs: Sequence[int] = (4, 8, 12),
                  labels: Sequence[str] = ("T1", "T2"), **kw: Any) -> list[Recording]:
    """PhysioNet EEG Motor Movement/Imagery (eegmmidb) runs as labelled recordings.

    By default the imagined left- versus right-fist runs 4, 8 and 12: ``T1`` (left fist) → 0,
    ``T2`` (right fist) → 1, each trial the annotation's span (about 4.1 s at 160 Hz, 64 channels).

    Parameters
    ----------
    path : path-like
        The folder of ``S###R##.edf`` files (any depth) or one such file.
    runs : sequence of int
        Runs to read; 3, 4, 7, 8, 11, 12 are left/right fist, 5, 6, 9, 10, 13, 14 both fists/feet.
        Runs from both groups cannot be mixed (T1/T2 mean different things).
    labels : sequence of {"T0", "T1", "T2"}
        Annotations kept, numbered 0, 1, … in this order.
    **kw
        Passed to :func:`read` (``tmin``, ``duration``, ``picks``, …).

    Returns
    -------
    recordings : list of Recording
        One per run, subject ``"S001"``, session = run; ``label_names`` by meaning
        (``{0: "left_fist", 1: "right_fist"}``); ``extra["annotation"]`` keeps T0/T1/T2.
    """
    p = Path(path)
    runs = [int(r) for r in runs]
    unknown = [r for r in runs if r not in EEGMMIDB_RUNS]
    if unknown:
        raise ConfigurationError(f"eegmmidb runs {unknown} have no T1/T2 tasks "
                                 f"(expected runs among {sorted(EEGMMIDB_RUNS)})")
    meanings = {EEGMMIDB_RUNS[r] for r in runs}
    if len(meanings) > 1:
        raise ConfigurationError(f"eegmmidb runs {runs} mix left/right-fist and fists/feet tasks; "
                                 "read the two groups separately")
    meaning = dict(zip(("T0", "T1", "T2"), meanings.pop(), strict=True))
    bad = [lab for lab in labels if lab not in meaning]
    if bad:
        raise ConfigurationError(f"eegmmidb labels {bad} unknown (expected T0, T1, T2)")
    files = [p] if p.is_file() else sorted(f for f in p.rglob("*.edf") if _MMIDB.match(_stem(f)))
    files = [f for f in files if parse_name(f)[1] in runs]
    if not files:
        raise data_error(p, "no eegmmidb run found", expected=f"S###R##.edf for runs {runs}",
                         found="none")
    label_map = {lab: i for i, lab in enumerate(labels)}
    out = []
    for f in files:
        for rec in read(f, label_map=label_map, **kw):
            rec.label_names = {i: meaning[lab] for lab, i in label_map.items()}
            rec.extra["annotation"] = {i: lab for lab, i in label_map.items()}
            rec.extra["dataset_name"] = "eegmmidb"
            out.append(rec)
    return out
