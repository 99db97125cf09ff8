"""``.cnt`` files of either vendor: detection, sample format, lazy opening with MNE and trial cutting.

Two unrelated formats share the ``.cnt`` extension in the SEED family:

* **Neuroscan** (SEED raw, SEED-V): a 900-byte header starting ``"Version"``, one 75-byte record per
  channel, multiplexed int16 or int32 samples, an event table. MNE 1.13 reads it with
  :func:`mne.io.read_raw_cnt`, but its automatic sample-format detection fails on some files, so
  :func:`neuroscan_data_format` decides it here: from the header when the header is self-consistent,
  otherwise from the data (the high 16-bit words of little-endian int32 samples are small compared
  with the low words; int16 samples show no such split).
* **ANT Neuro / eemagine** (said to be SEED-GER and SEED-FRA's raw format): a RIFF (``"RIFF"`` or
  ``"RF64"``) container with form type ``"CNT "``; MNE reads it with :func:`mne.io.read_raw_ant`, which
  needs the optional package ``antio``.

Files are opened with ``preload=False`` and trials are read one at a time with
``raw.get_data(picks, start, stop)``, so an hour-long 66-channel 1000 Hz file never sits in memory.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from .._logging import logger
from ..errors import data_error
from ..recording import Trial, check_finite

__all__ = ["cnt_vendor", "neuroscan_data_format", "open_cnt", "pick_channels", "cut_trials"]

_SETUP = 900
_CH = 75
_NCH_OFFSET, _RATE_OFFSET, _NSAMP_OFFSET, _EVENT_OFFSET = 370, 376, 864, 886


def cnt_vendor(path: str | os.PathLike) -> Literal["neuroscan", "ant"]:
    """Which vendor wrote a ``.cnt`` file, from its first bytes.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    vendor : {"neuroscan", "ant"}

    Raises
    ------
    eegemo.errors.DataFormatError
        For a missing, empty or unrecognised file.
    """
    path = Path(path)
    if not path.is_file():
        raise data_error(path, "file not found", expected="a Neuroscan or ANT .cnt file")
    with open(path, "rb") as f:
        head = f.read(12)
    if head[:4] in (b"RIFF", b"RF64"):
        return "ant"
    if head[:7] == b"Version":
        return "neuroscan"
    raise data_error(path, "unrecognised .cnt header", expected="'Version' (Neuroscan) or 'RIFF'/'RF64' "
                     "(ANT Neuro)", found=repr(head[:8]) if head else "an empty file")


def _header(path: Path) -> tuple[int, int, int, int]:
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(_SETUP)
    if len(head) < _SETUP:
        raise data_error(path, "truncated Neuroscan header", expected=f"at least {_SETUP} bytes",
                         found=f"{size} bytes")
    n_ch = struct.unpack_from("<H", head, _NCH_OFFSET)[0]
    n_samp = struct.unpack_from("<i", head, _NSAMP_OFFSET)[0]
    ev = struct.unpack_from("<i", head, _EVENT_OFFSET)[0]
    if n_ch == 0 or size < _SETUP + _CH * n_ch:
        raise data_error(path, "truncated or corrupt Neuroscan header",
                         expected=f"{_SETUP} + 75 bytes per channel", found=f"{n_ch} channels, "
                         f"{size} bytes")
    if struct.unpack_from("<H", head, _RATE_OFFSET)[0] == 0:   # MNE divides by it
        raise data_error(path, "corrupt Neuroscan header", expected=f"a sampling rate in Hz "
                         f"(uint16 at byte {_RATE_OFFSET})", found="rate 0")
    return n_ch, n_samp, ev, size


def _words_ratio(path: Path, start: int, size: int, n_ch: int) -> float | None:
    """Median |odd int16 word| / median |even int16 word| over a few blocks of the data."""
    frame = 4 * n_ch
    block = max(frame, (1 << 16) // frame * frame)
    span = size - start
    if span < 4:
        return None
    ev, od = [], []
    with open(path, "rb") as f:
        for frac in (0.0, 0.37, 0.71):
            off = start + int(span * frac) // frame * frame
            f.seek(off)
            raw = f.read(min(block, size - off))
            w = np.frombuffer(raw[: len(raw) // 4 * 4], dtype="<i2").astype(np.int64)
            ev.append(np.abs(w[0::2]))
            od.append(np.abs(w[1::2]))
    med_even = float(np.median(np.concatenate(ev)))
    med_odd = float(np.median(np.concatenate(od)))
    if med_even == 0 and med_odd == 0:
        return None
    return med_odd / max(med_even, 1e-12)


def neuroscan_data_format(path: str | os.PathLike) -> Literal["int16", "int32"]:
    """Sample format of a Neuroscan ``.cnt`` file.

    The header decides when its sample count and event-table position agree with exactly one sample
    size; otherwise the data decide: little-endian int32 samples of EEG amplitude have high 16-bit
    words far smaller than their low words (ratio of medians below 0.1), int16 samples do not.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    data_format : {"int16", "int32"}
        The value to pass as ``mne.io.read_raw_cnt(..., data_format=...)``.

    Raises
    ------
    eegemo.errors.DataFormatError
        For a truncated header or data shorter than the header promises.
    """
    path = Path(path)
    n_ch, n_samp, ev, size = _header(path)
    start = _SETUP + _CH * n_ch
    fits = []
    if n_samp > 0 and start < ev <= size:
        fits = [k for k in (2, 4) if ev - start == n_samp * n_ch * k]
    if len(fits) == 1:
        fmt = "int16" if fits[0] == 2 else "int32"
        how = "header"
    else:
        end = ev if start < ev <= size else size
        ratio = _words_ratio(path, start, end, n_ch)
        fmt = "int32" if ratio is not None and ratio < 0.1 else "int16"
        how = f"data (high/low word ratio {ratio})"
    if n_samp > 0 and _event_table_count(path, fmt, (n_ch, n_samp, ev, size)) in (None, n_samp):
        need = start + n_samp * n_ch * (2 if fmt == "int16" else 4)
        if need > size:
            raise data_error(path, "truncated Neuroscan .cnt", expected=f"{need} bytes for {n_samp} "
                             f"samples × {n_ch} channels ({fmt})", found=f"{size} bytes")
    logger.debug("%s: Neuroscan %s (decided from the %s)", path.name, fmt, how)
    return fmt  # type: ignore[return-value]


def _event_table_count(path: Path, fmt: str, header: tuple | None = None) -> int | None:
    """Samples per channel that the event table's position implies (the data end where it
    starts), or None where it cannot tell (no usable position, a file of 2e9 bytes or more, where
    MNE cannot recompute the count). ``header``: :func:`_header` of ``path``, if already read."""
    n_ch, _, ev, size = header or _header(path)
    start = _SETUP + _CH * n_ch
    frame = n_ch * (2 if fmt == "int16" else 4)
    if size >= 2e9 or not (start < ev <= size) or (ev - start) % frame:   # MNE's own limit
        return None
    return (ev - start) // frame


def _check_event_table(path: Path) -> None:
    """Refuse a Neuroscan file cut inside its event table (MNE reads the events that are there and
    silently drops the rest, or reads none): the table's 9-byte header (type, byte size, offset)
    must be whole and its events all within the file."""
    n_ch, _, ev, size = _header(path)
    if not (_SETUP + _CH * n_ch < ev <= size):   # no table position in the file: MNE reads none
        return
    with open(path, "rb") as f:
        f.seek(ev)
        head = f.read(9)
    if len(head) < 9:
        raise data_error(path, "truncated Neuroscan .cnt event table", expected=f"a 9-byte table "
                         f"header at byte {ev}", found=f"{len(head)} bytes")
    _, n_bytes, _ = struct.unpack("<Bii", head)
    if n_bytes < 0 or ev + 9 + n_bytes > size:
        raise data_error(path, "truncated Neuroscan .cnt event table",
                         expected=f"{n_bytes} bytes of events from byte {ev + 9}",
                         found=f"{max(size - ev - 9, 0)} bytes")


def _header_count_wrong(path: Path, fmt: str) -> bool:
    """Whether the header's sample count disagrees with the event table's position, which MNE
    documents as the reliable one (it then recomputes the count from it)."""
    header = _header(path)
    n_samp = header[1]
    implied = _event_table_count(path, fmt, header)
    if implied is None or n_samp == implied:
        return False
    logger.warning("%s: the header says %d samples per channel, the data hold %d (the event "
                   "table's position); reading %d", path.name, n_samp, implied, implied)
    return True


def open_cnt(path: str | os.PathLike, *, data_format: str | None = None, vendor: str | None = None):
    """Open a ``.cnt`` file of either vendor with MNE, without loading its samples.

    Parameters
    ----------
    path : path-like
    data_format : {"int16", "int32"} | None
        Neuroscan sample format; detected by :func:`neuroscan_data_format` when ``None``.
    vendor : {"neuroscan", "ant"} | None
        Detected by :func:`cnt_vendor` when ``None``.

    Returns
    -------
    raw : mne.io.BaseRaw
        Not preloaded; samples in volts.

    Raises
    ------
    eegemo.errors.DataFormatError
        For an unreadable file, or an ANT file when ``antio`` is not installed.
    """
    import mne

    path = Path(path)
    vendor = vendor or cnt_vendor(path)
    if vendor == "ant":
        try:
            import antio  # noqa: F401
        except ImportError:
            raise data_error(path, "ANT Neuro .cnt needs the optional package 'antio'",
                             expected="pip install antio (or eegemo[ant])",
                             found="antio not installed") from None
        try:
            return mne.io.read_raw_ant(path, preload=False, verbose="error")
        except Exception as exc:
            raise data_error(path, "unreadable ANT Neuro .cnt (truncated or corrupt?)",
                             found=f"{type(exc).__name__}: {exc}") from None
    if data_format not in (None, "int16", "int32"):
        raise data_error(path, "bad data_format", expected="'int16', 'int32' or None",
                         found=repr(data_format))
    fmt = data_format or neuroscan_data_format(path)
    _check_event_table(path)
    extra = {"recompute_n_samples": True} if _header_count_wrong(path, fmt) else {}
    try:
        return mne.io.read_raw_cnt(path, data_format=fmt, header="new", preload=False,
                                   verbose="error", **extra)
    except Exception as exc:
        raise data_error(path, f"unreadable Neuroscan .cnt ({fmt})",
                         found=f"{type(exc).__name__}: {exc}") from None


def pick_channels(raw, wanted: Sequence[str], path) -> list[int]:
    """Indices in ``raw`` of the channels ``wanted`` (names compared case-insensitively).

    Raises
    ------
    eegemo.errors.DataFormatError
        If any wanted channel is missing (the message lists them and the channel count found).
    """
    upper = {}
    for i, name in enumerate(raw.ch_names):
        upper.setdefault(name.strip().upper(), i)
    missing = [c for c in wanted if c.upper() not in upper]
    if missing:
        raise data_error(path, f"{len(missing)} EEG channel(s) missing ({', '.join(missing[:8])}"
                         f"{', ...' if len(missing) > 8 else ''})",
                         expected=f"the {len(wanted)} SEED channels",
                         found=f"{len(raw.ch_names)} channels")
    return [upper[c.upper()] for c in wanted]


def cut_trials(raw, path, starts: Sequence[float], ends: Sequence[float], labels: Sequence[int],
               ch_names: Sequence[str], *, chunk_s: float = 30.0) -> list[Trial]:
    """Lazy trials cut from a continuous recording at start/end seconds.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        Opened with ``preload=False``.
    path : path-like
        The file, for error messages.
    starts, ends : sequence of float
        Trial boundaries in seconds from the start of the file.
    labels : sequence of int
    ch_names : sequence of str
        Channels to keep, in this row order.
    chunk_s : float
        Seconds read per ``get_data`` call when a trial loads (bounds the temporary memory).

    Returns
    -------
    trials : list of Trial
        Each loads ``raw.get_data(picks, start, stop)`` (volts) and checks it is finite.

    Raises
    ------
    eegemo.errors.DataFormatError
        If the counts disagree or a trial ends beyond the recording (truncated file).
    """
    if not len(starts) == len(ends) == len(labels):
        raise data_error(path, "trial table and labels disagree", expected=f"{len(labels)} trials "
                         "(one start and end per label)", found=f"{len(starts)} starts, "
                         f"{len(ends)} ends")
    picks = pick_channels(raw, ch_names, path)
    sfreq = float(raw.info["sfreq"])
    n_total = int(raw.n_times)
    trials = []

    def read(a, b, i):
        return _read_span(raw, picks, path, a, b, i, chunk_s)

    bounds = []
    for i, (s, e) in enumerate(zip(starts, ends, strict=True), start=1):
        a, b = int(round(float(s) * sfreq)), int(round(float(e) * sfreq))
        if not 0 <= a < b:
            raise data_error(path, f"trial {i} has impossible bounds", expected="0 <= start < end",
                             found=f"{s}-{e} s")
        bounds.append((a, b))
    # A recording that stops early: a trial keeping at least half its length is cut at the end,
    # shorter ones are dropped, with a warning; more than half the trials missing is an error
    # (wrong trial_times or the wrong file, more likely than a truncated recording).
    short = [i for i, (a, b) in enumerate(bounds, start=1) if b > n_total]
    lost = [i for i in short if n_total - bounds[i - 1][0] < (bounds[i - 1][1]
                                                             - bounds[i - 1][0]) / 2]
    if len(lost) > len(bounds) / 2 or (short and len(short) == len(bounds)):
        i = short[0]
        raise data_error(path, f"trial {i} ends after the recording (truncated file or wrong "
                         "trial_times?)", expected=f"at least {ends[i - 1]} s",
                         found=f"{n_total / sfreq:.3f} s")
    if short:
        cut = [i for i in short if i not in lost]
        logger.warning("%s: the recording ends at %.1f s, before the end of trial(s) %s: %s",
                       Path(path).name, n_total / sfreq, ", ".join(map(str, short)), "; ".join(
                           ([f"trial(s) {', '.join(map(str, cut))} cut at the end"] if cut else [])
                           + ([f"trial(s) {', '.join(map(str, lost))} dropped (less than half "
                               "left)"] if lost else [])))
    for i, ((a, b), lab) in enumerate(zip(bounds, labels, strict=True), start=1):
        if i in short:
            if i in lost:
                continue
            b = n_total

        def loader(a=a, b=b, i=i):
            return check_finite(read(a, b, i), path, f"trial {i}")

        def context(before, after, a=a, b=b, i=i):
            return read(a - before, b + after, i)

        trials.append(Trial(index=i, label=int(lab), sfreq=sfreq, ch_names=tuple(ch_names),
                            kind="raw", n_times=b - a, onset=a / sfreq, loader=loader,
                            context=context, room=(a, n_total - b)))
    return trials


def _read_span(raw, picks, path: Path, a: int, b: int, i: int, chunk_s: float) -> np.ndarray:
    """Samples ``a:b`` of ``raw``, read in pieces (MNE converts whole blocks of every channel to
    float64 at once); an unreadable file (truncated, corrupt) is one line naming trial ``i``."""
    x = np.empty((len(picks), b - a))
    step = max(1, int(chunk_s * float(raw.info["sfreq"])))
    try:
        for c0 in range(a, b, step):
            c1 = min(c0 + step, b)
            x[:, c0 - a:c1 - a] = raw.get_data(picks=picks, start=c0, stop=c1)
    except Exception as exc:
        raise data_error(path, f"trial {i} unreadable (truncated or corrupt file?)",
                         found=f"{type(exc).__name__}: {exc}") from None
    return x


def read_cnt_header_channels(path: str | os.PathLike) -> int:
    """Number of channels in a Neuroscan header (cheap; used by layout detection)."""
    return _header(Path(path))[0]

