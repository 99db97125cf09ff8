"""Work on ONE recording: read it trial by trial, compute the arrays, write a temporary zarr group.

This is what a worker process (or a Dask worker) runs. It never touches the committed part of a store:
it writes ``recordings/.tmp-<key>-<random>/`` (zarr arrays + ``index.parquet``) and returns a small
summary; the parent renames the folder into place (the commit). A worker holds one trial at a time:
features are small, and the large arrays (raw windows, images) are written in chunk-sized pieces as
the trials go by.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import time
import warnings
import uuid
from pathlib import Path

import numpy as np

from .._files import dir_bytes
from .._logging import logger, worker_warnings
from ..errors import ConfigurationError, data_error
from ..recording import Recording, check_finite
from .config import PrepareConfig

__all__ = ["process_recording", "process_payload", "raw_trial_arrays", "load_raw_trial", "array_dims",
           "TMP_PREFIX", "INDEX_COLUMNS"]

#: Prefix of the temporary folders of recordings being written (removed on resume).
TMP_PREFIX = ".tmp-"
#: Volts → microvolts: features are computed on µV (DE in nats of µV² band power).
UV = 1e6
#: Target uncompressed size of one chunk.
_CHUNK_BYTES = 1 << 20

INDEX_COLUMNS = ("recording", "dataset", "subject", "session", "trial", "window", "label", "start",
                 "stop", "source", "simulated")


def array_dims(name: str) -> tuple[str, ...]:
    """Dimension names of a store array."""
    if name == "raw":
        return ("row", "channel", "time")
    if name.endswith("_grid"):
        return ("row", "band", "grid_y", "grid_x")
    if name.endswith("_image"):
        return ("row", "band", "image_y", "image_x")
    return ("row", "channel", "band")


def _compressor():
    from zarr.codecs import BloscCodec

    return BloscCodec(cname="zstd", clevel=1, shuffle="shuffle")


class _Writer:
    """Append rows to a zarr array, writing whole chunks only (no read-modify-write)."""

    def __init__(self, group_path: Path, name: str, tail: tuple[int, ...]):
        import zarr

        row_bytes = 4 * int(np.prod(tail)) if tail else 4
        self.rows = max(1, min(4096, _CHUNK_BYTES // row_bytes))
        self.arr = zarr.create_array(store=str(group_path / name), shape=(0,) + tail,
                                     chunks=(self.rows,) + tail, dtype="float32",
                                     compressors=_compressor(), fill_value=float("nan"),
                                     dimension_names=array_dims(name), zarr_format=3)
        self.tail = tail
        self.buf: list[np.ndarray] = []
        self.n_buf = 0
        self.n = 0

    def append(self, x: np.ndarray) -> None:
        if x.shape[1:] != self.tail:
            raise RuntimeError(f"internal: row shape {x.shape[1:]} != {self.tail}")
        self.buf.append(np.ascontiguousarray(x, dtype=np.float32))
        self.n_buf += len(x)
        if self.n_buf >= self.rows:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        if not self.n_buf:
            return
        data = np.concatenate(self.buf) if len(self.buf) > 1 else self.buf[0]
        n_write = len(data) if final else (len(data) // self.rows) * self.rows
        if n_write:
            self.arr.resize((self.n + n_write,) + self.tail)
            self.arr[self.n:self.n + n_write] = data[:n_write]
            self.n += n_write
        rest = data[n_write:]
        self.buf = [rest] if len(rest) else []
        self.n_buf = len(rest)

    def close(self) -> int:
        self._flush(final=True)
        return self.n


#: band power below this fraction of its channel's median power in the trial is "no signal"
NO_SIGNAL = 1e-6


def _no_signal_floor(power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Band powers (W, C, B) raised to ``NO_SIGNAL`` times their channel's median in the trial.

    A zero-filled or flat stretch has no band power, and its DE (the log) would sit hundreds of
    nats below the rest of the trial, where LDS or moving-average smoothing spreads it over every
    window. Floored relative to the channel's own median positive power in the trial, such a
    window lies about 6.9 nats below its channel's typical DE instead; a channel flat in the whole
    trial keeps the float64 floor (a constant, which smoothing leaves alone). Returns the floored
    powers and a (W, C) mask of the windows and channels floored.
    """
    positive = np.where(power > 0, power, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN slice: a wholly flat channel
        median = np.nanmedian(positive, axis=0)
    floor = np.where(np.isfinite(median), median * NO_SIGNAL, np.finfo(np.float64).tiny)
    low = power < floor
    return np.maximum(power, floor), low.any(axis=2)


def no_signal_warning(where, notes: dict, ch_names) -> None:
    """Warn once about the windows :func:`raw_trial_arrays` found without signal (``notes``)."""
    if notes.get("windows"):
        names = [ch_names[c] for c in sorted(notes["channels"])]
        logger.warning(
            "%s: %d window(s) in %d trial(s) carry no signal in channel(s) %s (flat or "
            "zero-filled); their DE there is floored, at %g of the channel's median band power in "
            "the trial (or at the float64 floor where the channel is flat throughout), so that "
            "smoothing does not spread it", where, notes["windows"],
            len(notes["trials"]), ", ".join(names[:8]) + (", …" if len(names) > 8 else ""),
            NO_SIGNAL)


def _band_power_uv(win: np.ndarray, sfreq: float, bands) -> np.ndarray:
    """Band power in µV² of windows in volts, shape (n_windows, n_channels, n_bands), float64."""
    from ..preprocess import band_power

    return band_power(win, sfreq, bands) * (UV * UV)


def _smooth(feat: np.ndarray, config: PrepareConfig) -> np.ndarray:
    from ..preprocess import lds_smooth, moving_average

    if config.smoothing == "moving_average":
        return moving_average(feat, n=config.smoothing_window)
    if config.smoothing == "lds":
        return lds_smooth(feat)
    return feat


def load_raw_trial(trial, config: PrepareConfig) -> tuple[np.ndarray, tuple[int, int]]:
    """A raw trial with one filter length of its recording on each side, when it will be
    conditioned and the recording has signal around it (:meth:`~eegemo.recording.Trial.load_padded`).

    Returns
    -------
    x : ndarray, shape (n_channels, n_before + n_times + n_after)
    trim : tuple of (int, int)
        ``(n_before, n_after)``, for :func:`raw_trial_arrays`.
    """
    from ..preprocess import context_samples

    if not (config.bandpass or config.notch or config.resample):
        return trial.load(), (0, 0)
    n, multiple = context_samples(float(trial.sfreq), bandpass=config.bandpass,
                                  notch=config.notch, resample=config.resample)
    x, nb, na = trial.load_padded(n, n, multiple)
    return x, (nb, na)


@np.errstate(over="ignore", invalid="ignore")   # callers refuse non-finite results (check_finite)
def raw_trial_arrays(x: np.ndarray, sfreq: float, config: PrepareConfig, where: str,
                     notes: dict | None = None, trim: tuple[int, int] = (0, 0)
                     ) -> tuple[dict[str, np.ndarray], np.ndarray, float]:
    """Windows and features of one raw trial (notched, band-passed and resampled first if the
    configuration says so).

    Parameters
    ----------
    x : ndarray, shape (n_channels, n_times)
        The trial in volts.
    sfreq : float
        Sampling rate in Hz.
    config : PrepareConfig
    where : str
        File and trial, for error messages.
    notes : dict | None
        Where given, windows without signal in a channel (DE floored by
        :func:`_no_signal_floor`) are counted in it for :func:`no_signal_warning`.
    trim : tuple of (int, int)
        Samples of ``x`` before and after the trial, from :func:`load_raw_trial`: conditioned
        with the trial, then cut off.

    Returns
    -------
    arrays : dict of str -> ndarray
        ``"de"``/``"psd"`` (n_windows, n_channels, n_bands) float64 (µV scale, smoothed as
        configured) and ``"raw"`` (n_windows, n_channels, n_samples) in µV, as requested.
    starts : ndarray of int, shape (n_windows,)
        Start sample of each window, at the rate below.
    sfreq : float
        The rate of the windows (``config.resample`` when set).

    Notes
    -----
    Values so large that their powers overflow give NaN/inf features without NumPy's
    RuntimeWarnings: every caller checks the arrays with :func:`~eegemo.recording.check_finite`,
    which names the file.
    """
    from ..preprocess import (band_weights, condition, interpolate_to_length, make_windows,
                              window_samples, window_starts)

    if config.bandpass or config.notch or config.resample:
        try:
            x, sfreq = condition(x, sfreq, bandpass=config.bandpass, notch=config.notch,
                                 resample=config.resample, trim=trim)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{where}: {exc}") from None
    elif any(trim):
        x = x[:, trim[0]:x.shape[-1] - trim[1]]
    if config.interpolate_to:
        x = interpolate_to_length(x, config.interpolate_to, axis=-1)
    try:
        starts = window_starts(x.shape[-1], sfreq, config.window, config.overlap)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None
    n_samp, step = window_samples(sfreq, config.window, config.overlap)
    win = make_windows(x, sfreq, config.window, config.overlap)
    out: dict[str, np.ndarray] = {}
    want = set(config.features)
    if want & {"de", "psd"}:
        x = np.asarray(x)
        if step == n_samp and x.flags.c_contiguous:
            # No overlap: (C, W, S) is a view of the trial, so no window copy is made for the FFT.
            view = x[:, :len(starts) * n_samp].reshape(x.shape[0], len(starts), n_samp)
            power = _band_power_uv(view, sfreq, config.bands).transpose(1, 0, 2)
        else:
            power = _band_power_uv(win, sfreq, config.bands)
        if "psd" in want:
            w = band_weights(n_samp, sfreq, config.bands)
            width = (w > 0).sum(axis=0) * (float(sfreq) / n_samp)
            out["psd"] = _smooth(power / width, config)
        if "de" in want:
            # float64: the same DE of a flat channel whatever the trial's dtype (float32's tiny
            # would underflow to 0 and give -inf)
            power, flat = _no_signal_floor(power.astype(np.float64, copy=False))
            if notes is not None and flat.any():
                notes["windows"] = notes.get("windows", 0) + int(flat.any(axis=1).sum())
                notes.setdefault("channels", set()).update(np.flatnonzero(flat.any(axis=0)))
                notes.setdefault("trials", set()).add(where)
            de = 0.5 * np.log(power) + 0.5 * math.log(2 * math.pi * math.e)
            out["de"] = _smooth(de, config)
    if "raw" in want:
        out["raw"] = np.asarray(win, dtype=np.float32) * np.float32(UV)
    return out, starts, float(sfreq)


def grid_ok(ch_names) -> bool:
    """Whether any of the channels has a cell on the 9 × 9 SEED grid."""
    from ..channels import grid_indices

    return bool((grid_indices(list(ch_names))[:, 0] >= 0).any())


def image_ok(ch_names, size: int) -> bool:
    """Whether topographic images can be drawn (at least 3 channels with a known position)."""
    from ..preprocess import image_weights

    try:
        image_weights(list(ch_names), size)
    except ConfigurationError:
        return False
    return True


def process_recording(rec: Recording, config: PrepareConfig, key: str, recordings_dir: str | Path,
                      *, fail_after_trials: int | None = None) -> dict:
    """Compute and write one recording into a temporary folder next to its final place.

    Parameters
    ----------
    rec : Recording
        The recording (raw or released features).
    config : PrepareConfig
    key : str
        Its name in the store (``recordings/<key>.zarr``).
    recordings_dir : path-like
        The store's ``recordings`` folder.
    fail_after_trials : int | None
        Testing hook: raise after this many trials (simulates a crash mid-recording).

    Returns
    -------
    result : dict
        ``key``, ``tmp`` (the temporary folder), ``rows``, ``trials``, ``arrays`` (names),
        ``shapes`` (row shape per array), ``bytes`` (on disk), ``peak_rss_mb`` (of the process),
        ``cpu_seconds`` (CPU time spent on this recording, all threads).
    """
    import pandas as pd
    import zarr

    from ..preprocess import to_grid, to_image

    cpu0 = time.process_time()
    recordings_dir = Path(recordings_dir)
    # the manifest's form of the path (absolute for a file), whichever folder a worker runs in
    source = str(rec.source.resolve() if rec.source.is_file() else rec.source)
    tmp = recordings_dir / f"{TMP_PREFIX}{key}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    try:
        zarr.create_group(store=str(tmp), zarr_format=3, attributes={
            "recording": key, "dataset": rec.dataset, "subject": str(rec.subject),
            "session": rec.session, "source": source, "config_hash": config.config_hash()})
        ch_names = list(rec.ch_names)
        is_raw = rec.kind == "raw"
        if is_raw:
            base = [f for f in config.features if f in ("de", "psd")]
            raw_too = "raw" in config.features
        else:
            base = [(rec.feature or config.feature).split("_", 1)[0].lower()]
            raw_too = False
        grid = config.grid is not None and base and grid_ok(ch_names)
        image = config.image_size is not None and base and image_ok(ch_names, config.image_size)
        writers: dict[str, _Writer] = {}
        rows: list[pd.DataFrame] = []
        n_rows = 0
        unlabelled = [t.index for t in rec.trials if t.label is None]
        if unlabelled and len(unlabelled) == len(rec.trials):
            raise data_error(rec.source, "no labelled trials to store",
                             expected="trials with labels (events in the file, a sidecar or "
                             "labels=)", found=f"{len(unlabelled)} unlabelled")
        if unlabelled:
            # a store holds labelled windows: no label value can stand for "none" without being
            # some dataset's real class (SEED's -1 is "negative")
            logger.warning("%s: %d trial(s) without a label left out of the store (trials %s)",
                           rec.source, len(unlabelled), ", ".join(map(str, unlabelled[:10])))
        notes: dict = {}     # windows without signal, warned about once per recording
        for i_trial, trial in enumerate(rec.trials):
            if trial.label is None:
                continue
            if fail_after_trials is not None and i_trial >= fail_after_trials:
                if os.environ.get("EEGEMO_TEST_FAIL", "").endswith(":kill"):
                    import signal

                    os.kill(os.getpid(), signal.SIGKILL)   # testing: die like a killed process
                raise RuntimeError(f"simulated crash in {key} after {i_trial} trials")
            where = f"{rec.source} trial {trial.index}"
            data, trim = load_raw_trial(trial, config) if is_raw else (trial.load(), (0, 0))
            if is_raw:
                if data.ndim != 2 or data.shape[0] != len(ch_names):
                    raise data_error(rec.source, f"trial {trial.index} has the wrong shape",
                                     expected=f"({len(ch_names)}, n_times)", found=str(data.shape))
                arrays, starts, sf = raw_trial_arrays(data, float(trial.sfreq), config, where,
                                                      notes, trim)
                for arr in arrays.values():   # NaN/inf in the signal reach every feature
                    check_finite(arr, rec.source, f"trial {trial.index}")
                n_win = len(starts)
                n_samp = int(round(config.window * sf))
                start_s = starts / sf
                stop_s = (starts + n_samp) / sf
            else:
                if data.ndim != 3 or data.shape[1] != len(ch_names):
                    raise data_error(rec.source, f"feature trial {trial.index} has the wrong shape",
                                     expected=f"(n_windows, {len(ch_names)}, n_bands)",
                                     found=str(data.shape))
                check_finite(data, rec.source, f"trial {trial.index}")
                if config.smoothing is not None and i_trial == 0:
                    logger.debug("%s: released features are used as released (smoothing=%s "
                                 "applies to raw recordings only)", rec.source.name, config.smoothing)
                arrays = {base[0]: np.asarray(data, dtype=np.float64)}
                n_win = data.shape[0]
                step = 1.0 / float(trial.sfreq)
                start_s = np.arange(n_win) * step
                stop_s = start_s + step
            del data
            for name in base:
                feat = arrays[name]
                parts = {name: feat}
                if grid:
                    parts[f"{name}_grid"] = to_grid(feat, ch_names)
                if image:
                    parts[f"{name}_image"] = to_image(feat, ch_names, size=config.image_size)
                for pname, part in parts.items():
                    if pname not in writers:
                        writers[pname] = _Writer(tmp, pname, part.shape[1:])
                    writers[pname].append(part)
            if raw_too:
                if "raw" not in writers:
                    writers["raw"] = _Writer(tmp, "raw", arrays["raw"].shape[1:])
                writers["raw"].append(arrays["raw"])
            del arrays
            rows.append(pd.DataFrame({
                "recording": key, "dataset": rec.dataset, "subject": str(rec.subject),
                "session": -1 if rec.session is None else int(rec.session),
                "trial": int(trial.index),
                "window": np.arange(n_win, dtype=np.int64),
                "label": int(trial.label),
                "start": start_s.astype(np.float64), "stop": stop_s.astype(np.float64),
                "source": source, "simulated": bool(rec.simulated)}))
            n_rows += n_win
        no_signal_warning(rec.source, notes, ch_names)
        counts = {name: w.close() for name, w in writers.items()}
        if any(c != n_rows for c in counts.values()):
            raise RuntimeError(f"internal: row counts differ in {key}: {counts} vs {n_rows}")
        index = (pd.concat(rows, ignore_index=True) if rows
                 else pd.DataFrame({c: [] for c in INDEX_COLUMNS}))
        index = index.astype({"session": "int64", "trial": "int64", "window": "int64",
                              "label": "int64", "start": "float64", "stop": "float64",
                              "simulated": "bool"})
        index.to_parquet(tmp / "index.parquet", index=False)
        nbytes = dir_bytes(tmp)
        return {"key": key, "tmp": str(tmp), "rows": int(n_rows),
                "trials": len(rec.trials) - len(unlabelled),
                "arrays": sorted(writers), "shapes": {k: list(w.tail) for k, w in writers.items()},
                "bytes": int(nbytes), "peak_rss_mb": _peak_rss_mb(),
                "cpu_seconds": round(time.process_time() - cpu0, 4)}
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _peak_rss_mb() -> float | None:
    """Peak resident memory of this process so far, in MiB (None where unknown)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / (1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0), 1)


def process_payload(payload: bytes, config_dict: dict, key: str, recordings_dir: str,
                    sent_from: tuple[int, bool] | None = None) -> dict:
    """Worker entry point: unpickle a recording (cloudpickle) and :func:`process_recording` it.

    ``sent_from`` is (pid of the process that sent it, whether its source file exists there). The
    worker's warnings come back in the result's ``"log"``, for the sending process to log again
    (:func:`eegemo._logging.relog`); a worker thread of that same process (Dask with
    ``processes=False``) logs them itself. A source file the sender sees and this worker does not
    (a Dask worker on another machine) is said in one line.
    """
    import cloudpickle

    pid, source_seen = sent_from or (None, False)
    with worker_warnings(same_process=pid == os.getpid()) as log:
        rec = cloudpickle.loads(payload)
        if (source_seen and not Path(rec.source).exists()
                and any(t.data is None for t in rec.trials)):
            import socket

            raise data_error(rec.source, f"not visible from the worker on {socket.gethostname()}",
                             expected="the source files at the same path on every Dask worker",
                             found="no such file there")
        cfg = PrepareConfig.from_dict(config_dict)
        result = process_recording(rec, cfg, key, recordings_dir,
                                   fail_after_trials=_fail_hook(key))
    result["log"] = log
    return result


def _fail_hook(key: str) -> int | None:
    """Testing hook: ``EEGEMO_TEST_FAIL=<key>:<n>[:kill]`` makes the worker computing that recording
    raise (or SIGKILL itself) after ``n`` trials, with its temporary folder half written."""
    spec = os.environ.get("EEGEMO_TEST_FAIL", "")
    parts = spec.split(":")
    if spec and parts[0] == key:
        return int(parts[1])
    return None

