"""A streaming writer of Neuroscan ``.cnt`` (continuous, SynAmps-style) files that MNE reads.

Layout written (little-endian, after Paul Bourke's description of the Neuroscan format and MNE's
``mne/io/cnt`` reader):

* a 900-byte SETUP header: ``"Version 3.0"``, session label, date ``mm/dd/yy`` and time, number of
  channels (offset 370, uint16), sampling rate (376, uint16), number of samples (864, int32), event
  table position (886, int32), channel offset (894, int32: bytes per channel block; ``n_bytes`` means
  multiplexed samples);
* one 75-byte ELECTLOC entry per channel: name (10 bytes), screen x/y (19, 23; float32), baseline
  (47, int16 = 0), sensitivity (59, float32) and calibration (71, float32 = 1). A reader converts counts
  to volts as ``(count - baseline) * calib * sensitivity / 204.8 * 1e-6``;
* the samples, multiplexed (``n_samples × n_channels`` int16 or int32);
* an event table: a 9-byte TEEG header (type 2, byte length, 0) and 19-byte EVENT2 records whose
  offset field points at the sample (MNE's convention: ``offset = data_start + (sample + 1) *
  n_channels * n_bytes``).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from .._logging import logger
from ..errors import ConfigurationError

__all__ = ["write_neuroscan_cnt", "DEFAULT_RESOLUTION"]

_SETUP_SIZE = 900
_CH_SIZE = 75
_EVENT2 = struct.Struct("<HBclhhfccc")
_TEEG = struct.Struct("<Bll")

#: Default volts per count of each data format (int32: 1 nV, range ±2.1 V; int16: 0.1 µV, ±3.3 mV).
DEFAULT_RESOLUTION = {"int32": 1e-9, "int16": 1e-7}


def _put_str(buf: bytearray, offset: int, text: str, size: int) -> None:
    raw = text.encode("ascii", errors="replace")[: size - 1]
    buf[offset:offset + size] = raw + b"\x00" * (size - len(raw))


def _screen_xy(ch_names: Sequence[str]) -> np.ndarray:
    """Screen (TOP display) coordinates per channel: head x right, y down, in millimetres."""
    from ._simsignal import channel_layout

    pos = channel_layout(tuple(ch_names))
    return np.column_stack([pos[:, 0] * 1000.0, -pos[:, 1] * 1000.0]).astype(np.float32)


def _blocks(data, n_channels: int, block: int):
    """Yield (n_channels, k) float blocks from an array or an iterable of arrays."""
    if isinstance(data, np.ndarray) or hasattr(data, "shape"):
        arr = np.asarray(data)
        if arr.ndim != 2 or arr.shape[0] != n_channels:
            raise ConfigurationError(f"data_volts: expected shape (n_channels={n_channels}, n_times), "
                                     f"found {arr.shape}")
        for i in range(0, arr.shape[1], block):
            yield arr[:, i:i + block]
        return
    if callable(data):
        data = data()
    for b in data:
        b = np.asarray(b)
        if b.ndim != 2 or b.shape[0] != n_channels:
            raise ConfigurationError(f"data_volts: each block must have shape (n_channels={n_channels}"
                                     f", n), found {b.shape}")
        for i in range(0, b.shape[1], block):
            yield b[:, i:i + block]


def write_neuroscan_cnt(path: str | os.PathLike, data_volts, sfreq: float, ch_names: Sequence[str], *,
                        data_format: str = "int32", events=None, resolution: float | None = None,
                        meas_date: datetime | None = None, label: str = "eegemo") -> Path:
    """Write a Neuroscan ``.cnt`` file, streaming the samples block by block.

    Parameters
    ----------
    path : path-like
        The file to write (overwritten).
    data_volts : ndarray, shape (n_channels, n_times) | iterable of ndarray | callable
        The signal in volts: one array, or blocks of shape (n_channels, n_block) (a generator keeps
        memory to one block, e.g. one trial of a one-hour recording), or a callable returning such an
        iterable.
    sfreq : float
        Sampling rate in Hz; must be a whole number below 65536 (the header stores an uint16).
    ch_names : sequence of str
        Channel names, at most 9 ASCII characters each. MNE's default ``header="auto"`` reads byte 4
        of the name field as an old-style "bad" flag, so names of 5 or more characters come back
        marked bad; a warning is logged.
    data_format : {"int32", "int16"}
        Sample type. Read back with ``mne.io.read_raw_cnt(path, data_format=...)``.
    events : array_like of int, shape (n_events, 2) | None
        ``(sample, code)`` pairs; ``mne.io.read_raw_cnt`` returns them as annotations at
        ``sample / sfreq`` s with description ``str(code)`` (codes 1-65535).
    resolution : float | None
        Volts per count (default :data:`DEFAULT_RESOLUTION`). Samples beyond the representable range
        are clipped and a warning says how many.
    meas_date : datetime | None
        Recording date and time written to the header (default 2000-01-01 00:00:00).
    label : str
        Session label (header offset 205, at most 19 characters; MNE shows it as ``info["description"]``).

    Returns
    -------
    path : Path

    Raises
    ------
    ConfigurationError
        For an unsupported rate, format, channel name, shape, non-finite sample or event.

    Examples
    --------
    >>> import numpy as np, mne                                           # doctest: +SKIP
    >>> x = np.random.default_rng(0).normal(0, 10e-6, (3, 1000))          # doctest: +SKIP
    >>> write_neuroscan_cnt("x.cnt", x, 1000, ["FP1", "FZ", "OZ"])         # doctest: +SKIP
    >>> raw = mne.io.read_raw_cnt("x.cnt", data_format="int32")          # doctest: +SKIP
    """
    path = Path(path)
    if data_format not in DEFAULT_RESOLUTION:
        raise ConfigurationError(f"data_format: expected 'int32' or 'int16', found {data_format!r}")
    n_bytes = 4 if data_format == "int32" else 2
    dtype = np.dtype("<i4" if n_bytes == 4 else "<i2")
    lim = np.iinfo(dtype).max
    rate = float(sfreq)
    if not (np.isfinite(rate) and rate == round(rate) and 1 <= rate < 65536):
        raise ConfigurationError(f"{path}: sfreq must be a whole number of Hz in 1-65535 for a .cnt "
                                 f"header, found {sfreq!r}")
    names = [str(c) for c in ch_names]
    n_ch = len(names)
    if not 1 <= n_ch < 65536:
        raise ConfigurationError(f"{path}: expected 1-65535 channels, found {n_ch}")
    for c in names:
        if not c or len(c) > 9 or not c.isascii():
            raise ConfigurationError(f"{path}: channel name {c!r} must be 1-9 ASCII characters")
    long_names = [c for c in names if len(c) >= 5]
    if long_names:
        logger.warning("%s: MNE's read_raw_cnt(header='auto') marks channels with names of 5+ "
                       "characters as bad (%s); read with header='new'", path.name,
                       ", ".join(long_names[:5]))
    res = float(resolution if resolution is not None else DEFAULT_RESOLUTION[data_format])
    if not (res > 0 and np.isfinite(res)):
        raise ConfigurationError(f"resolution must be a positive number of volts, found {resolution!r}")
    when = meas_date or datetime(2000, 1, 1)

    head = bytearray(_SETUP_SIZE + _CH_SIZE * n_ch)
    _put_str(head, 0, "Version 3.0", 20)
    head[20] = 1
    _put_str(head, 205, label, 20)
    _put_str(head, 225, when.strftime("%m/%d/%y"), 10)
    _put_str(head, 235, when.strftime("%H:%M:%S"), 12)
    head[143:145] = b"UU"                                 # sex, handedness unknown
    struct.pack_into("<H", head, 370, n_ch)
    struct.pack_into("<H", head, 376, int(rate))
    struct.pack_into("<i", head, 894, n_bytes)            # channel offset: one sample per block
    xy = _screen_xy(names)
    sensitivity = np.float32(res * 204.8e6)
    for i, c in enumerate(names):
        o = _SETUP_SIZE + _CH_SIZE * i
        _put_str(head, o, c, 10)
        head[o + 13] = 1                                  # display flag
        struct.pack_into("<ff", head, o + 19, float(xy[i, 0]), float(xy[i, 1]))
        struct.pack_into("<h", head, o + 47, 0)           # baseline
        struct.pack_into("<f", head, o + 59, float(sensitivity))
        head[o + 69] = i % 256                            # physical channel
        struct.pack_into("<f", head, o + 71, 1.0)         # calibration
    # the scale a reader will use, computed as MNE does (float32 fields, float64 arithmetic)
    scale = float(sensitivity) * 1e-6 / 204.8

    ev = None
    if events is not None:
        ev = np.asarray(events, dtype=np.int64).reshape(-1, 2)
        if np.any(ev[:, 1] < 1) or np.any(ev[:, 1] > 65535):
            raise ConfigurationError(f"{path}: event codes must be 1-65535, found "
                                     f"{ev[:, 1].min()}-{ev[:, 1].max()}")
        if np.any(ev[:, 0] < 0):
            raise ConfigurationError(f"{path}: event samples must be >= 0, found {ev[:, 0].min()}")

    n_samples = 0
    n_clipped = 0
    tmp = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(tmp, "wb") as f:
            f.write(head)
            for block in _blocks(data_volts, n_ch, 1 << 16):
                counts = np.asarray(block, dtype=np.float64).T / scale   # (k, n_ch) multiplexed
                if not np.all(np.isfinite(counts)):
                    raise ConfigurationError(f"{path}: data_volts holds NaN or inf near sample "
                                             f"{n_samples} (expected finite volts)")
                np.rint(counts, out=counts)
                over = np.abs(counts) > lim
                if over.any():
                    n_clipped += int(over.sum())
                    np.clip(counts, -lim, lim, out=counts)
                f.write(np.ascontiguousarray(counts, dtype=dtype).tobytes())
                n_samples += counts.shape[0]
            event_pos = f.tell()
            data_start = _SETUP_SIZE + _CH_SIZE * n_ch
            records = []
            if ev is not None and len(ev):
                if ev[:, 0].max() >= n_samples:
                    raise ConfigurationError(f"{path}: event at sample {ev[:, 0].max()} is past the end "
                                             f"of the data ({n_samples} samples)")
                for sample, code in ev:
                    offset = data_start + (int(sample) + 1) * n_ch * n_bytes
                    if offset >= 2**31:
                        raise ConfigurationError(
                            f"{path}: event at sample {sample} lies beyond 2 GiB, which a .cnt event "
                            "table cannot address (use data_format='int16' or a shorter file)")
                    records.append(_EVENT2.pack(int(code), 0, b"\x00", offset, 0, 0, 0.0,
                                                b"\x00", b"\x00", b"\x00"))
            f.write(_TEEG.pack(2, _EVENT2.size * len(records), 0))
            f.write(b"".join(records))
            f.seek(864)
            f.write(struct.pack("<i", min(n_samples, 2**31 - 1)))
            f.seek(886)
            # files over 2 GiB overflow this field, as real ones do; readers recompute it
            f.write(struct.pack("<I", event_pos % 2**32))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if n_clipped:
        logger.warning("%s: %d samples exceeded the %s range (±%.3g V) and were clipped", path.name,
                       n_clipped, data_format, lim * scale)
    logger.debug("wrote %s: %d channels × %d samples at %g Hz (%s)", path, n_ch, n_samples, rate,
                 data_format)
    return path
