"""Write simulated SEED-family datasets in their published layouts and file names.

:func:`simulate` writes a folder that eegemo's readers (and other tools that read the real releases)
read as if it were the real download, with a marker file ``eegemo-simulated.json`` at its root so
everything downstream labels the data as simulated. The signals come from
:func:`eegemo.datasets._simsignal.simulate_trial` (1/f background, alpha peak, spatially correlated
channels, blinks, line noise, emotion-dependent band power after Zheng & Lu 2015).

Layouts (``../shared/data/FORMATS.md`` of the project gathers the published facts):

``seed``
    ``Preprocessed_EEG/<subject>_<YYYYMMDD>.mat`` (``<prefix>_eeg1`` … ``_eeg15``, 62 × n float64 µV,
    200 Hz), ``Preprocessed_EEG/label.mat``, ``ExtractedFeatures/<subject>_<YYYYMMDD>.mat``
    (``de_movingAve{t}``, ``de_LDS{t}``, ``psd_movingAve{t}``, ``psd_LDS{t}``, 62 × W × 5, 1-s
    windows), ``ExtractedFeatures/label.mat``, a ``readme.txt`` in each.
``seed-iv``
    ``eeg_raw_data/<session>/<subject>_<YYYYMMDD>.mat`` (``<prefix>_eeg1`` … ``_eeg24``) and
    ``eeg_feature_smooth/<session>/<subject>_<YYYYMMDD>.mat`` (4-s windows).
``seed-v``
    ``EEG_raw/<subject>_<session>_<YYYYMMDD>.cnt`` (Neuroscan, 66 channels, 1000 Hz, int32) and
    ``EEG_DE_features/<subject>_123.npz`` (4-s windows, channel-major 310 columns).
``seed-ger`` / ``seed-fra``
    ``German|French/01-EEG-raw/<subject>_<session>.cnt`` (Neuroscan, 62 channels, 1000 Hz; the real
    files are said to be ANT Neuro, which eegemo cannot write) and
    ``German|French/02-EEG-DE-feature/eeg_used_{1s,4s}/<subject>_<session>.npz``.

Continuous ``.cnt`` recordings place the trials at the published start/end seconds multiplied by
``duration_scale``; the seconds actually used are stored in the marker under ``"trial_times"``
(``{"<session>": {"start": [...], "end": [...]}}``), and also as events in the file (code ``t`` at the
start of trial ``t``, ``100 + t`` at its end).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import numpy as np

from .._logging import logger, progress_disabled
from ..errors import ConfigurationError
from ._cnt_writer import write_neuroscan_cnt
from ._simsignal import simulate_trial, subject_params

__all__ = ["simulate", "simulate_trial", "subject_params", "write_neuroscan_cnt", "DATASETS",
           "MARKER", "estimate_size"]

#: Name of the marker file at the root of every simulated dataset.
MARKER = "eegemo-simulated.json"

# ----------------------------------------------------------------------------------------------------
# Published tables (see FORMATS.md). Values marked INVENTED are placeholders where nothing is published.
# ----------------------------------------------------------------------------------------------------

SEED_DATES = {
    1: ("20131027", "20131030", "20131107"), 2: ("20140404", "20140413", "20140419"),
    3: ("20140603", "20140611", "20140629"), 4: ("20140621", "20140702", "20140705"),
    5: ("20140411", "20140418", "20140506"), 6: ("20130712", "20131016", "20131113"),
    7: ("20131027", "20131030", "20131106"), 8: ("20140511", "20140514", "20140521"),
    9: ("20140620", "20140627", "20140704"), 10: ("20131130", "20131204", "20131211"),
    11: ("20140618", "20140625", "20140630"), 12: ("20131127", "20131201", "20131207"),
    13: ("20140527", "20140603", "20140610"), 14: ("20140601", "20140615", "20140627"),
    15: ("20130709", "20131016", "20131105"),
}
#: Variable prefixes in subject order (1, 2 and 15 confirmed; the rest as seen in public code).
SEED_PREFIXES = ("djc", "jl", "jj", "lqj", "ly", "mhw", "phl", "sxy", "wk", "ww", "wsf", "wyw", "xyl",
                 "ys", "zjy")
#: Samples per trial at 200 Hz.
SEED_TRIAL_SAMPLES = (47001, 46601, 41201, 47601, 37001, 39001, 47401, 43201, 53001, 47401, 47001,
                      46601, 47001, 47601, 41201)
#: label.mat: 1 positive, 0 neutral, -1 negative.
SEED_LABELS = (1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1)
SEED_EMOTIONS = {1: "positive", 0: "neutral", -1: "negative"}

SEED_IV_DATES = {
    1: ("20160518", "20161125", "20161126"), 2: ("20150915", "20150920", "20151012"),
    3: ("20150919", "20151018", "20151101"), 4: ("20151111", "20151118", "20151123"),
    5: ("20160406", "20160413", "20160420"), 6: ("20150507", "20150511", "20150512"),
    7: ("20150715", "20150717", "20150721"), 8: ("20151103", "20151110", "20151117"),
    9: ("20151028", "20151119", "20151209"), 10: ("20151014", "20151021", "20151023"),
    11: ("20150916", "20150921", "20151011"), 12: ("20150725", "20150804", "20150807"),
    13: ("20151115", "20151125", "20161130"), 14: ("20151205", "20151208", "20151215"),
    15: ("20150508", "20150514", "20150527"),
}
#: Subject 1's prefix ``cz`` is confirmed; the others are INVENTED initials (readers must not rely on them).
SEED_IV_PREFIXES = ("cz", "ha", "hql", "ldy", "ly", "mhw", "mz", "qyt", "rx", "tyc", "whh", "wll",
                    "wq", "zjd", "zjy")
SEED_IV_LABELS = {
    1: (1, 2, 3, 0, 2, 0, 0, 1, 0, 1, 2, 1, 1, 1, 2, 3, 2, 2, 3, 3, 0, 3, 0, 3),
    2: (2, 1, 3, 0, 0, 2, 0, 2, 3, 3, 2, 3, 2, 0, 1, 1, 2, 1, 0, 3, 0, 1, 3, 1),
    3: (1, 2, 2, 1, 3, 3, 3, 1, 1, 2, 1, 0, 2, 3, 3, 0, 2, 3, 0, 0, 2, 0, 1, 0),
}
#: Number of 4-s feature windows per trial, per session (seen in public SEED-IV code); raw trial
#: lengths are taken as 4 s × windows (the raw lengths themselves are not published).
SEED_IV_WINDOWS = {
    1: (42, 23, 49, 32, 22, 40, 38, 52, 36, 42, 12, 27, 54, 42, 64, 35, 17, 44, 35, 12, 28, 28, 43, 34),
    2: (55, 25, 34, 36, 53, 27, 34, 46, 34, 20, 60, 12, 36, 27, 44, 15, 46, 49, 45, 10, 37, 44, 24, 19),
    3: (42, 32, 23, 45, 48, 26, 64, 23, 26, 16, 51, 41, 39, 19, 28, 44, 14, 17, 45, 22, 39, 38, 41, 39),
}
SEED_IV_EMOTIONS = {0: "neutral", 1: "sad", 2: "fear", 3: "happy"}

#: 1_1_20180804 and 6_3_20180802 are real file names; every other date is INVENTED.
SEED_V_DATES = {
    1: ("20180804", "20180811", "20180819"), 2: ("20180504", "20180512", "20180518"),
    3: ("20180717", "20180724", "20180729"), 4: ("20180924", "20180927", "20181001"),
    5: ("20180627", "20180703", "20180708"), 6: ("20180719", "20180726", "20180802"),
    7: ("20180501", "20180504", "20180508"), 8: ("20180927", "20181001", "20181008"),
    9: ("20180821", "20180825", "20180829"), 10: ("20180705", "20180709", "20180718"),
    11: ("20180527", "20180605", "20180613"), 12: ("20180904", "20180907", "20180912"),
    13: ("20180803", "20180809", "20180816"), 14: ("20180810", "20180817", "20180820"),
    15: ("20180921", "20180927", "20181006"), 16: ("20180610", "20180615", "20180624"),
}
SEED_V_TIMES = {
    1: ((30, 132, 287, 555, 773, 982, 1271, 1628, 1730, 2025, 2227, 2435, 2667, 2932, 3204),
        (102, 228, 524, 742, 920, 1240, 1568, 1697, 1994, 2166, 2401, 2607, 2901, 3172, 3359)),
    2: ((30, 299, 548, 646, 836, 1000, 1091, 1392, 1657, 1809, 1966, 2186, 2333, 2490, 2741),
        (267, 488, 614, 773, 967, 1059, 1331, 1622, 1777, 1908, 2153, 2302, 2428, 2709, 2817)),
    3: ((30, 353, 478, 674, 825, 908, 1200, 1346, 1451, 1711, 2055, 2307, 2457, 2726, 2888),
        (321, 418, 643, 764, 877, 1147, 1284, 1418, 1679, 1996, 2275, 2425, 2664, 2857, 3066)),
}
SEED_V_LABELS = {1: (4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0),
                 2: (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0),
                 3: (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0)}
SEED_V_EMOTIONS = {0: "disgust", 1: "fear", 2: "sad", 3: "neutral", 4: "happy"}

#: SEED-GER / SEED-FRA trial tables seen only in third-party code (labels 1 / 0 / -1).
MULTIMODAL = {
    "seed-ger": {
        "folder": "German", "de_folder": "02-EEG-DE-feature", "n_train": 12,
        "labels": (1, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, 0, -1, -1, 0, 1),
        "start": (5, 411, 861, 1114, 1287, 1454, 1620, 1878, 2135, 2310, 2502, 2709, 3028, 3162, 3290,
                  3656, 3823, 4366),
        "end": (136, 831, 1084, 1257, 1423, 1589, 1848, 2105, 2280, 2472, 2677, 2998, 3131, 3259, 3626,
                3792, 4079, 4538),
    },
    "seed-fra": {
        "folder": "French", "de_folder": "02-EEG-DE-feature", "n_train": 12,
        "labels": (1, -1, 0, -1, 1, 0, -1, 0, 1, -1, 0, 1, 1, 0, -1, -1, 0, 1, -1, 0, 1),
        "start": (21, 213, 489, 687, 982, 1103, 1252, 1572, 1738, 1887, 2174, 2327, 2492, 2619, 2783,
                  2931, 3029, 3216, 3369, 3515, 3622),
        "end": (193, 468, 667, 962, 1082, 1232, 1552, 1718, 1867, 2154, 2307, 2471, 2599, 2763, 2910,
                3008, 3195, 3349, 3495, 3602, 3797),
    },
}

#: Subjects and sessions of each dataset (the defaults of :func:`simulate`).
DATASETS = {"seed": (15, 3), "seed-iv": (15, 3), "seed-v": (16, 3), "seed-ger": (8, 3),
            "seed-fra": (8, 3)}
_DATASET_ID = {name: i for i, name in enumerate(DATASETS)}

#: Seconds of recording after the last trial of a continuous file (before scaling).
_TAIL_S = 10.0
#: Shortest trial written (s); shorter scaled trials are lengthened to this.
_MIN_TRIAL_S = 0.5
#: Longest piece simulated at once in continuous files (s): bounds memory for hour-long files.
_CHUNK_S = 120.0

_README = """This folder was written by eegemo's simulator (eegemo {version}); it is NOT real EEG.
It reproduces the layout and file names of the {dataset} release so that software written for
the real data can be tested. Signals: 1/f background, alpha peak, spatially correlated channels,
{extras}emotion-dependent band power (Zheng & Lu 2015). Parameters: see ../{marker}.
"""


# ----------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------

def _select(value, n_total: int, what: str) -> list[int]:
    """Resolve ``subjects``/``sessions``: None (all), an int N (the first N) or explicit 1-based ids."""
    if value is None:
        return list(range(1, n_total + 1))
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not 1 <= int(value) <= n_total:
            raise ConfigurationError(f"{what}: expected a count in 1-{n_total}, found {value}")
        return list(range(1, int(value) + 1))
    try:
        ids = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ConfigurationError(f"{what}: expected None, a count or a list of ids, found {value!r}") \
            from None
    bad = [i for i in ids if not 1 <= i <= n_total]
    if bad or not ids:
        raise ConfigurationError(f"{what}: expected ids in 1-{n_total}, found {bad or 'none'}")
    return ids


def _rng(random_state: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([int(random_state) % 2**32, *[int(k) for k in keys]])


def _scaled_samples(seconds: float, scale: float, sfreq: float) -> int:
    return max(int(round(seconds * scale * sfreq)), int(round(_MIN_TRIAL_S * sfreq)))


def _session_params(sp, rng: np.random.Generator, variability: float):
    """A session's copy of the subject parameters (electrodes re-applied: channel gains shift)."""
    from dataclasses import replace

    jitter = np.exp(rng.normal(0.0, 0.3 * variability, sp.channel_gain.shape))
    return replace(sp, channel_gain=sp.channel_gain * jitter)


def _band_features(x_uv: np.ndarray, sfreq: float, window_s: float) -> dict[str, np.ndarray]:
    """DE and PSD of non-overlapping windows of one trial, raw and smoothed.

    Returns arrays of shape (n_channels, n_windows, 5) keyed ``de``, ``de_movingAve``, ``de_LDS``,
    ``psd``, ``psd_movingAve``, ``psd_LDS``. A trial shorter than one window gives one window spanning it.
    """
    from ..preprocess.features import differential_entropy, lds_smooth, moving_average, psd_features

    n_ch, n = x_uv.shape
    win = int(round(window_s * sfreq))
    n_win = n // win
    if n_win == 0:
        n_win, win = 1, n
    w = x_uv[:, :n_win * win].reshape(n_ch, n_win, win).transpose(1, 0, 2)
    de = differential_entropy(w, sfreq)
    psd = psd_features(w, sfreq)
    out = {"de": de, "de_movingAve": moving_average(de), "de_LDS": lds_smooth(de),
           "psd": psd, "psd_movingAve": moving_average(psd), "psd_LDS": lds_smooth(psd)}
    return {k: np.ascontiguousarray(v.transpose(1, 0, 2), dtype=np.float64) for k, v in out.items()}


class _MatStream:
    """Write MATLAB v5 variables one at a time (scipy's writer skips the header after the first)."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_name(path.name + ".part")
        self.f = open(self.tmp, "wb")

    def put(self, name: str, value: np.ndarray) -> None:
        import scipy.io

        scipy.io.savemat(self.f, {name: value}, do_compression=False, oned_as="row")

    def close(self) -> None:
        self.f.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.f.close()
        self.tmp.unlink(missing_ok=True)


def _write_mat(path: Path, items: Iterator[tuple[str, np.ndarray]]) -> None:
    stream = _MatStream(path)
    try:
        for name, value in items:
            stream.put(name, value)
    except BaseException:
        stream.abort()
        raise
    stream.close()


def _save_npz(path: Path, **arrays) -> None:
    tmp = path.with_name(path.name + ".part.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _pickled(obj) -> np.ndarray:
    """A 0-d bytes array holding ``pickle.dumps(obj)`` (how the SEED-family npz files store dicts)."""
    return np.array(pickle.dumps(obj, protocol=4))


# ----------------------------------------------------------------------------------------------------
# continuous recordings (.cnt)
# ----------------------------------------------------------------------------------------------------

def _cnt_segments(start_s, end_s, scale: float, sfreq: float):
    """Scaled trial boundaries in samples, and the total length of the recording."""
    starts, ends = [], []
    for s, e in zip(start_s, end_s, strict=True):
        a = int(round(s * scale * sfreq))
        b = max(int(round(e * scale * sfreq)), a + int(round(_MIN_TRIAL_S * sfreq)))
        if starts and a < ends[-1]:
            a = ends[-1]
            b = max(b, a + int(round(_MIN_TRIAL_S * sfreq)))
        starts.append(a)
        ends.append(b)
    total = ends[-1] + max(int(round(_TAIL_S * scale * sfreq)), 1)
    return np.array(starts), np.array(ends), total


def _write_continuous(path: Path, *, ch_names, sfreq, starts, ends, total, emotions, sp, rng_keys,
                      cfg, meas_date, eeg_idx, feature_windows) -> dict[float, list[np.ndarray]]:
    """Write one continuous recording, returning DE features (µV) per window length per trial."""
    feats: dict[float, list[np.ndarray]] = {w: [] for w in feature_windows}
    bounds = sorted({0, total, *starts.tolist(), *ends.tolist()})
    trial_at = {int(a): i for i, a in enumerate(starts)}
    chunk = int(_CHUNK_S * sfreq)

    def blocks():
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            t = trial_at.get(a) if (a in trial_at and ends[trial_at[a]] == b) else None
            emo = emotions[t] if t is not None else None
            pieces = []
            for k, c0 in enumerate(range(a, b, chunk)):
                c1 = min(c0 + chunk, b)
                x = simulate_trial(emo, c1 - c0, sfreq, ch_names, effect_size=cfg["effect_size"],
                                   subject_params=sp, rng=_rng(*rng_keys, a, k),
                                   blinks=cfg["blinks"], line_noise=cfg["line_noise"],
                                   dtype=np.float32)
                if t is not None and feature_windows:
                    pieces.append(x[eeg_idx] * 1e6)
                yield x
            if pieces:
                x_uv = np.concatenate(pieces, axis=1) if len(pieces) > 1 else pieces[0]
                for wlen in feature_windows:
                    feats[wlen].append(_band_features(x_uv, sfreq, wlen)["de_LDS"])

    events = [(int(a), i + 1) for i, a in enumerate(starts)]
    events += [(int(b), 101 + i) for i, b in enumerate(ends)]   # b < total: a tail follows
    write_neuroscan_cnt(path, blocks, sfreq, ch_names, data_format="int32", events=sorted(events),
                        meas_date=meas_date, label="eegemo-simulated")
    return feats


# ----------------------------------------------------------------------------------------------------
# per dataset
# ----------------------------------------------------------------------------------------------------

def _sim_seed(out: Path, subjects, sessions, cfg, bar) -> list[str]:
    from ..channels import SEED_CHANNELS

    ch = SEED_CHANNELS
    files = []
    raw_dir, feat_dir = out / "Preprocessed_EEG", out / "ExtractedFeatures"
    raw_dir.mkdir(parents=True, exist_ok=True)
    if cfg["features"]:
        feat_dir.mkdir(parents=True, exist_ok=True)
    label = np.array([SEED_LABELS], dtype=np.float64)
    for d in [raw_dir] + ([feat_dir] if cfg["features"] else []):
        _write_mat(d / "label.mat", iter([("label", label)]))
        (d / "readme.txt").write_text(_readme("SEED", cfg))
        files += [str((d / "label.mat").relative_to(out)), str((d / "readme.txt").relative_to(out))]
    for subj in subjects:
        sp = subject_params(_rng(cfg["random_state"], 0, subj), ch, cfg["subject_variability"])
        for sess in sessions:
            spx = _session_params(sp, _rng(cfg["random_state"], 0, subj, sess, 999),
                                  cfg["subject_variability"])
            name = f"{subj}_{SEED_DATES[subj][sess - 1]}.mat"
            prefix = SEED_PREFIXES[subj - 1]
            feats = []

            def raw_items():
                for t, (n0, lab) in enumerate(zip(SEED_TRIAL_SAMPLES, SEED_LABELS, strict=True),
                                              start=1):
                    n = max(int(round((n0 - 1) * cfg["duration_scale"])) + 1,
                            int(_MIN_TRIAL_S * 200))
                    x = simulate_trial(SEED_EMOTIONS[lab], n, 200.0, ch,
                                       effect_size=cfg["effect_size"], subject_params=spx,
                                       rng=_rng(cfg["random_state"], 0, subj, sess, t),
                                       blinks=cfg["blinks"], line_noise=cfg["line_noise"],
                                       dtype=np.float32)
                    x_uv = x.astype(np.float64) * 1e6
                    if cfg["features"]:
                        feats.append(_band_features(x_uv, 200.0, 1.0))
                    yield f"{prefix}_eeg{t}", x_uv

            _write_mat(raw_dir / name, raw_items())
            files.append(f"Preprocessed_EEG/{name}")
            if cfg["features"]:
                _write_mat(feat_dir / name, _feature_items(feats))
                files.append(f"ExtractedFeatures/{name}")
            bar.update(1)
    return files


def _feature_items(feats: list[dict[str, np.ndarray]]):
    for t, f in enumerate(feats, start=1):
        for key in ("de_movingAve", "de_LDS", "psd_movingAve", "psd_LDS"):
            yield f"{key}{t}", f[key]


def _sim_seed_iv(out: Path, subjects, sessions, cfg, bar) -> list[str]:
    from ..channels import SEED_CHANNELS

    ch = SEED_CHANNELS
    files = []
    for subj in subjects:
        sp = subject_params(_rng(cfg["random_state"], 1, subj), ch, cfg["subject_variability"])
        for sess in sessions:
            spx = _session_params(sp, _rng(cfg["random_state"], 1, subj, sess, 999),
                                  cfg["subject_variability"])
            name = f"{subj}_{SEED_IV_DATES[subj][sess - 1]}.mat"
            raw_dir = out / "eeg_raw_data" / str(sess)
            feat_dir = out / "eeg_feature_smooth" / str(sess)
            raw_dir.mkdir(parents=True, exist_ok=True)
            feats = []

            def raw_items():
                for t, (n_win, lab) in enumerate(zip(SEED_IV_WINDOWS[sess], SEED_IV_LABELS[sess],
                                                     strict=True),
                                                 start=1):
                    n = _scaled_samples(4.0 * n_win, cfg["duration_scale"], 200.0)
                    x = simulate_trial(SEED_IV_EMOTIONS[lab], n, 200.0, ch,
                                       effect_size=cfg["effect_size"], subject_params=spx,
                                       rng=_rng(cfg["random_state"], 1, subj, sess, t),
                                       blinks=cfg["blinks"], line_noise=cfg["line_noise"],
                                       dtype=np.float32)
                    x_uv = x.astype(np.float64) * 1e6
                    if cfg["features"]:
                        feats.append(_band_features(x_uv, 200.0, 4.0))
                    yield f"{SEED_IV_PREFIXES[subj - 1]}_eeg{t}", x_uv

            _write_mat(raw_dir / name, raw_items())
            files.append(f"eeg_raw_data/{sess}/{name}")
            if cfg["features"]:
                feat_dir.mkdir(parents=True, exist_ok=True)
                _write_mat(feat_dir / name, _feature_items(feats))
                files.append(f"eeg_feature_smooth/{sess}/{name}")
            bar.update(1)
    return files


def _sim_seed_v(out: Path, subjects, sessions, cfg, bar) -> tuple[list[str], dict]:
    from ..channels import SEED_CHANNELS, SEED_CNT_CHANNELS

    ch = SEED_CNT_CHANNELS
    eeg_idx = np.array([ch.index(c) for c in SEED_CHANNELS])
    files = []
    raw_dir, de_dir = out / "EEG_raw", out / "EEG_DE_features"
    raw_dir.mkdir(parents=True, exist_ok=True)
    times = {}
    for sess in sessions:
        st, en, total = _cnt_segments(*SEED_V_TIMES[sess], cfg["duration_scale"], 1000.0)
        times[sess] = (st, en, total)
    for subj in subjects:
        sp = subject_params(_rng(cfg["random_state"], 2, subj), ch, cfg["subject_variability"])
        data, label = {}, {}
        for sess in sessions:
            spx = _session_params(sp, _rng(cfg["random_state"], 2, subj, sess, 999),
                                  cfg["subject_variability"])
            st, en, total = times[sess]
            date = SEED_V_DATES[subj][sess - 1]
            name = f"{subj}_{sess}_{date}.cnt"
            emotions = [SEED_V_EMOTIONS[lab] for lab in SEED_V_LABELS[sess]]
            feats = _write_continuous(
                raw_dir / name, ch_names=ch, sfreq=1000.0, starts=st, ends=en, total=total,
                emotions=emotions, sp=spx, rng_keys=(cfg["random_state"], 2, subj, sess), cfg=cfg,
                meas_date=datetime.strptime(date, "%Y%m%d"), eeg_idx=eeg_idx,
                feature_windows=(4.0,) if cfg["features"] else ())
            files.append(f"EEG_raw/{name}")
            if cfg["features"]:
                for t, de in enumerate(feats[4.0]):
                    k = (sess - 1) * 15 + t
                    # (62, W, 5) → (W, 310), channel-major (TorchEEG's reading)
                    data[k] = de.transpose(1, 0, 2).reshape(de.shape[1], -1)
                    label[k] = np.full(de.shape[1], float(SEED_V_LABELS[sess][t]))
            bar.update(1)
        if cfg["features"]:
            de_dir.mkdir(parents=True, exist_ok=True)
            _save_npz(de_dir / f"{subj}_123.npz", data=_pickled(data), label=_pickled(label))
            files.append(f"EEG_DE_features/{subj}_123.npz")
    trial_times = {str(s): {"start": (st / 1000.0).tolist(), "end": (en / 1000.0).tolist()}
                   for s, (st, en, _) in times.items()}
    return files, trial_times


def _sim_multimodal(dataset: str, out: Path, subjects, sessions, cfg, bar) -> tuple[list[str], dict]:
    from ..channels import SEED_CHANNELS

    tab = MULTIMODAL[dataset]
    ch = SEED_CHANNELS
    files = []
    root = out / tab["folder"]
    raw_dir = root / "01-EEG-raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    st, en, total = _cnt_segments(tab["start"], tab["end"], cfg["duration_scale"], 1000.0)
    emotions = [SEED_EMOTIONS[lab] for lab in tab["labels"]]
    n_train = tab["n_train"]
    ds_id = _DATASET_ID[dataset]
    eeg_idx = np.arange(len(ch))
    for subj in subjects:
        sp = subject_params(_rng(cfg["random_state"], ds_id, subj), ch, cfg["subject_variability"])
        for sess in sessions:
            spx = _session_params(sp, _rng(cfg["random_state"], ds_id, subj, sess, 999),
                                  cfg["subject_variability"])
            name = f"{subj}_{sess}"
            feats = _write_continuous(
                raw_dir / f"{name}.cnt", ch_names=ch, sfreq=1000.0, starts=st, ends=en, total=total,
                emotions=emotions, sp=spx, rng_keys=(cfg["random_state"], ds_id, subj, sess), cfg=cfg,
                meas_date=None, eeg_idx=eeg_idx,
                feature_windows=(1.0, 4.0) if cfg["features"] else ())
            files.append(f"{tab['folder']}/01-EEG-raw/{name}.cnt")
            for wlen, tag in ((1.0, "eeg_used_1s"), (4.0, "eeg_used_4s")):
                if not cfg["features"]:
                    continue
                d = root / tab["de_folder"] / tag
                d.mkdir(parents=True, exist_ok=True)
                parts = {}
                for side, sl in (("train", slice(0, n_train)), ("test", slice(n_train, None))):
                    de = feats[wlen][sl]            # list of (62, W, 5)
                    labs = tab["labels"][sl]
                    stacked = np.concatenate(de, axis=1)   # (62, N, 5)
                    parts[f"{side}_data"] = _pickled(
                        {b: np.ascontiguousarray(stacked[:, :, j].T)
                         for j, b in enumerate(("delta", "theta", "alpha", "beta", "gamma"))})
                    parts[f"{side}_label"] = np.concatenate(
                        [np.full(x.shape[1], lab, dtype=np.int64)
                         for x, lab in zip(de, labs, strict=True)])
                _save_npz(d / f"{name}.npz", **parts)
                files.append(f"{tab['folder']}/{tab['de_folder']}/{tag}/{name}.npz")
            bar.update(1)
    times = {"start": (st / 1000.0).tolist(), "end": (en / 1000.0).tolist()}
    return files, {str(s): times for s in sessions}


def _readme(name: str, cfg: dict) -> str:
    from .. import __version__

    extras = ("eye blinks, " if cfg["blinks"] else "") + ("50 Hz line noise, " if cfg["line_noise"]
                                                          else "")
    return _README.format(version=__version__, dataset=name, extras=extras, marker=MARKER)


def estimate_size(dataset: str, n_subjects: int, n_sessions: int, duration_scale: float = 1.0) -> int:
    """Approximate bytes :func:`simulate` writes (raw data dominate).

    Parameters
    ----------
    dataset : str
    n_subjects, n_sessions : int
    duration_scale : float

    Returns
    -------
    n_bytes : int
    """
    if dataset == "seed":
        per = sum(SEED_TRIAL_SAMPLES) * duration_scale * 62 * 8 * 1.03
    elif dataset == "seed-iv":
        per = sum(SEED_IV_WINDOWS[1]) * 800 * duration_scale * 62 * 8 * 1.03
    elif dataset == "seed-v":
        per = (max(SEED_V_TIMES[1][1]) + _TAIL_S) * 1000 * duration_scale * 66 * 4
    else:
        per = (max(MULTIMODAL[dataset]["end"]) + _TAIL_S) * 1000 * duration_scale * 62 * 4
    return int(per * n_subjects * n_sessions)


# ----------------------------------------------------------------------------------------------------
# public entry point
# ----------------------------------------------------------------------------------------------------

def _prepare_out(out: Path, overwrite: bool) -> None:
    """Refuse a non-empty folder that is not an eegemo simulation; remove a previous simulation's files."""
    if out.exists() and not out.is_dir():
        raise ConfigurationError(f"{out}: expected a folder to write into, found a file")
    marker = out / MARKER
    if out.is_dir() and any(out.iterdir()):
        if marker.is_file():
            try:
                old = json.loads(marker.read_text())
            except (OSError, ValueError):
                old = {}
            root = out.resolve()
            for rel in old.get("files", []):
                p = (out / rel).resolve()
                if root not in p.parents:
                    continue
                p.unlink(missing_ok=True)
                for parent in p.parents:       # drop folders this left empty, up to the root
                    if parent == root or not parent.is_dir() or any(parent.iterdir()):
                        break
                    parent.rmdir()
        elif not overwrite:
            raise ConfigurationError(
                f"{out}: folder is not empty and holds no {MARKER} (expected an empty folder or an "
                "earlier eegemo simulation; pass overwrite=True / --overwrite to write anyway)")
        else:
            _refuse_real_data(out)
    out.mkdir(parents=True, exist_ok=True)


#: endings of files a simulation must never write over or label simulated (recordings, labels,
#: feature files, tables)
_DATA_ENDINGS = (".mat", ".cnt", ".edf", ".bdf", ".gdf", ".fif", ".fif.gz", ".vhdr", ".eeg",
                 ".set", ".fdt", ".npz", ".npy", ".csv", ".tsv", ".pkl", ".zarr", ".parquet")


def _refuse_real_data(out: Path) -> None:
    """``overwrite`` writes into a non-empty folder that is no earlier simulation, but never into
    one holding recordings or eegemo outputs: the simulation would replace files of the same names
    and its marker would label every other recording there simulated."""
    from .._files import folder_kind

    kind = folder_kind(out)
    if kind is not None:
        raise ConfigurationError(f"{out}: it is an eegemo {kind}; a simulation is never written "
                                 "into one, not even with overwrite (choose another folder)")
    found = []
    for f in out.rglob("*"):
        if f.name.lower().endswith(_DATA_ENDINGS):
            found.append(f.relative_to(out).as_posix())
            if len(found) == 3:
                break
    if found:
        raise ConfigurationError(
            f"{out}: folder holds data not written by eegemo simulate ({', '.join(found)}"
            f"{', …' if len(found) == 3 else ''}); a simulation would replace files of the same "
            f"names and its {MARKER} would label the others simulated, so it is not written there, "
            "not even with overwrite: choose an empty folder")


def simulate(dataset: str, out: str | os.PathLike, *, subjects: int | Iterable[int] | None = None,
             sessions: int | Iterable[int] | None = None, duration_scale: float = 1.0,
             effect_size: float = 1.0, subject_variability: float = 0.3,
             blinks: bool = True, line_noise: bool = True, features: bool = True,
             random_state: int = 0, overwrite: bool = False) -> Path:
    """Write a simulated SEED-family dataset in its published layout.

    Parameters
    ----------
    dataset : {"seed", "seed-iv", "seed-v", "seed-ger", "seed-fra"}
        Which release to imitate.
    out : path-like
        Folder to write (created; must be empty or an earlier simulation unless ``overwrite``).
    subjects, sessions : None | int | sequence of int
        ``None``: all (SEED 15 × 3, SEED-IV 15 × 3, SEED-V 16 × 3, SEED-GER/FRA 8 × 3); an int ``N``:
        the first ``N``; a sequence: those 1-based ids. A subject's data do not depend on which other
        subjects are simulated.
    duration_scale : float
        Multiplies every trial length (and the published trial times of continuous files); 1 = full
        length, 0.01 for tiny test data. Trials are never shorter than 0.5 s.
    effect_size : float
        Strength of the emotion effects (0 = none, 1 = moderate; see
        :data:`eegemo.datasets._simsignal.EMOTION_EFFECTS`).
    subject_variability : float
        Spread of the per-subject parameters (0 = identical subjects).
    blinks, line_noise : bool
        Add eye blinks and 50 Hz line noise.
    features : bool
        Also write the released feature files (DE/PSD computed from the simulated signal with
        :mod:`eegemo.preprocess.features`).
    random_state : int
        Seed; the same seed gives byte-identical data.
    overwrite : bool
        Write into a non-empty folder that is not an eegemo simulation (but never into one that
        holds recordings, feature or label files, a store or a run: refused either way).

    Returns
    -------
    out : Path
        The dataset root, holding ``eegemo-simulated.json``.

    Raises
    ------
    ConfigurationError
        For an unknown dataset, bad counts or scales, a non-empty foreign folder, or too little disk space.

    Examples
    --------
    >>> from eegemo.datasets.simulate import simulate
    >>> root = simulate("seed", "sim_seed", subjects=2, sessions=1, duration_scale=0.01)  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from .. import __version__

    if dataset not in DATASETS:
        raise ConfigurationError(f"dataset: expected one of {', '.join(DATASETS)}, found {dataset!r}")
    try:
        duration_scale = float(duration_scale)
        effect_size = float(effect_size)
        subject_variability = float(subject_variability)
    except (TypeError, ValueError):
        raise ConfigurationError("duration_scale, effect_size and subject_variability must be numbers") \
            from None
    if not (0 < duration_scale <= 10 and np.isfinite(duration_scale)):
        raise ConfigurationError(f"duration_scale: expected a number in (0, 10], found {duration_scale}")
    if not np.isfinite(effect_size):
        raise ConfigurationError(f"effect_size: expected a finite number, found {effect_size}")
    if not (subject_variability >= 0 and np.isfinite(subject_variability)):
        raise ConfigurationError(f"subject_variability: expected a number >= 0, found "
                                 f"{subject_variability}")
    n_subj, n_sess = DATASETS[dataset]
    subj_ids = _select(subjects, n_subj, "subjects")
    sess_ids = _select(sessions, n_sess, "sessions")
    out = Path(out)
    _prepare_out(out, overwrite)
    need = estimate_size(dataset, len(subj_ids), len(sess_ids), duration_scale)
    free = shutil.disk_usage(out).free
    if need > 0.95 * free:
        raise ConfigurationError(f"{out}: not enough disk space for {dataset} (expected about "
                                 f"{need / 1e9:.1f} GB free, found {free / 1e9:.1f} GB); use "
                                 "subjects=, sessions= or duration_scale= to write less")
    cfg = dict(duration_scale=duration_scale, effect_size=effect_size,
               subject_variability=subject_variability, blinks=bool(blinks),
               line_noise=bool(line_noise), features=bool(features), random_state=int(random_state),
               subjects=subj_ids, sessions=sess_ids)
    marker = {"simulated": True, "dataset": dataset, "eegemo_version": __version__, "params": cfg,
              "complete": False}
    (out / MARKER).write_text(json.dumps(marker, indent=1))
    logger.info("simulating %s: %d subjects × %d sessions, duration_scale=%g, about %.2g GB → %s",
                dataset, len(subj_ids), len(sess_ids), duration_scale, need / 1e9, out)
    trial_times = None
    with tqdm(total=len(subj_ids) * len(sess_ids), desc=f"simulate {dataset}", unit="session",
              disable=progress_disabled()) as bar:
        if dataset == "seed":
            files = _sim_seed(out, subj_ids, sess_ids, cfg, bar)
        elif dataset == "seed-iv":
            files = _sim_seed_iv(out, subj_ids, sess_ids, cfg, bar)
        elif dataset == "seed-v":
            files, trial_times = _sim_seed_v(out, subj_ids, sess_ids, cfg, bar)
        else:
            files, trial_times = _sim_multimodal(dataset, out, subj_ids, sess_ids, cfg, bar)
    marker["complete"] = True
    if trial_times is not None:
        marker["trial_times"] = trial_times
        marker["trial_times_note"] = ("seconds from the start of each .cnt file actually used for "
                                      "the trials (published times × duration_scale); the files also "
                                      "hold events: code t at the start of trial t, 100+t at its end")
    if dataset in MULTIMODAL:
        marker["labels"] = list(MULTIMODAL[dataset]["labels"])
        marker["feature_split"] = {"train_trials": MULTIMODAL[dataset]["n_train"],
                                   "note": "train_* hold the first n trials, test_* the rest"}
    if dataset == "seed-v":
        marker["de_layout"] = "channel-major: column = channel * 5 + band"
    marker["files"] = sorted(files)
    tmp = out / (MARKER + ".part")
    tmp.write_text(json.dumps(marker, indent=1))
    os.replace(tmp, out / MARKER)
    return out
