"""SEED-family readers on tiny datasets built in tmp_path, and the real CNT / FieldTrip fixtures.

The builders below write the published layouts directly (scipy.io.savemat, np.savez of pickled dicts,
Neuroscan .cnt through the simulator's writer) so the tests can check exact round trips.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import scipy.io

from eegemo.channels import SEED_CHANNELS, SEED_CNT_CHANNELS
from eegemo.datasets import detect_dataset, read
from eegemo.datasets._family import load_table
from eegemo.errors import ConfigurationError, DataFormatError

BANDS = ("delta", "theta", "alpha", "beta", "gamma")


def _writer():
    try:
        from eegemo.datasets.simulate import write_neuroscan_cnt
    except ImportError:  # pragma: no cover - the simulator is written by another module
        pytest.skip("eegemo.datasets.simulate.write_neuroscan_cnt is not available yet")
    return write_neuroscan_cnt


# ------------------------------------------------------------------------------------------------
# builders (imported by test_datasets_errors.py)
# ------------------------------------------------------------------------------------------------

def build_seed_raw(root, *, n_trials=3, subjects=None, rng=0, labels=None, n_ch=62, prefix="abc"):
    """Preprocessed_EEG with ``subjects`` {subject: [dates]}; returns {(subject, date): [arrays µV]}."""
    rng = np.random.default_rng(rng)
    subjects = subjects or {"1": ["20131107", "20131027"], "2": ["20140404"]}
    d = root / "Preprocessed_EEG"
    d.mkdir(parents=True, exist_ok=True)
    out = {}
    for subj, dates in subjects.items():
        for date in dates:
            arrays = [rng.normal(0, 20, (n_ch, 40 + 7 * t)) for t in range(n_trials)]
            scipy.io.savemat(d / f"{subj}_{date}.mat",
                             {f"{prefix}_eeg{t + 1}": a for t, a in enumerate(arrays)})
            out[(subj, date)] = arrays
    lab = labels if labels is not None else [1, 0, -1, -1, 0, 1][:n_trials]
    scipy.io.savemat(d / "label.mat", {"label": np.array([lab], dtype=float)})
    return out


def test_seed_mat_with_longer_compressed_elements_is_read(tmp_path, caplog):
    """scipy issue #6999: MATLAB reads v7 files whose compressed elements hold a few bytes more
    than their variable; scipy's default check refuses them. They are read, with a warning."""
    import io
    import struct
    import zlib

    written = build_seed_raw(tmp_path, subjects={"1": ["20131027"]})
    f = tmp_path / "Preprocessed_EEG" / "1_20131027.mat"
    buf = io.BytesIO()
    scipy.io.savemat(buf, {k: v for k, v in scipy.io.loadmat(f).items() if not k.startswith("__")},
                     do_compression=True)
    b = buf.getvalue()
    out, pos = bytearray(b[:128]), 128
    while pos < len(b):
        mdtype, n = struct.unpack_from("<II", b, pos)
        payload = b[pos + 8:pos + 8 + n]
        if mdtype == 15:                        # miCOMPRESSED: 8 more bytes inside the stream
            payload = zlib.compress(zlib.decompress(payload) + bytes(8))
        out += struct.pack("<II", mdtype, len(payload)) + payload
        pos += 8 + n
    f.write_bytes(bytes(out))
    with pytest.raises(ValueError, match="miCOMPRESSED"):
        scipy.io.loadmat(f)
    (r,) = read(tmp_path)
    with caplog.at_level("WARNING", logger="eegemo"):
        x = r.trials[1].load()
    np.testing.assert_allclose(x, written[("1", "20131027")][1] * 1e-6)
    assert "1_20131027.mat: scipy's check of the compressed data failed" in caplog.text


def build_seed_features(root, folder="ExtractedFeatures", *, n_trials=3, rng=1):
    rng = np.random.default_rng(rng)
    d = root / folder
    d.mkdir(parents=True, exist_ok=True)
    feats = {}
    for t in range(1, n_trials + 1):
        for name in ("de_movingAve", "de_LDS", "psd_movingAve", "psd_LDS"):
            feats[f"{name}{t}"] = rng.uniform(10, 28, (62, 3 + t, 5))
        feats[f"dasm_LDS{t}"] = rng.uniform(-1, 1, (27, 3 + t, 5))
    scipy.io.savemat(d / "3_20140603.mat", feats)
    scipy.io.savemat(d / "label.mat", {"label": np.array([[1, 0, -1][:n_trials]], dtype=float)})
    return feats


def build_seed_v_npz(root, *, subject=1, sessions=(1, 2, 3), rng=2, bad_label=False, protocol=None):
    rng = np.random.default_rng(rng)
    table = load_table("seed_v")
    d = root / "EEG_DE_features"
    d.mkdir(parents=True, exist_ok=True)
    data, label = {}, {}
    for s in sessions:
        for t in range(15):
            k = (s - 1) * 15 + t
            n = 2 + (k % 4)
            data[k] = rng.normal(15, 3, (n, 310))
            label[k] = np.full(n, float(table["labels"][str(s)][t]))
    if bad_label:
        label[0] = np.arange(len(label[0]), dtype=float)
    np.savez(d / f"{subject}_123.npz", data=np.array(pickle.dumps(data, protocol)),
             label=np.array(pickle.dumps(label, protocol)))
    return data, label


@pytest.mark.parametrize("protocol", [0, 1])
def test_seed_v_npz_of_an_old_pickle_protocol(tmp_path, protocol):
    data, _ = build_seed_v_npz(tmp_path, sessions=(1,), protocol=protocol)
    (r,) = read(tmp_path)
    np.testing.assert_array_equal(r.trials[3].load(), data[3].reshape(-1, 62, 5))


def build_multimodal_npz(root, dataset="seed-ger", *, subject=1, session=1, window=1.0, rng=3,
                         label_offset=0, longer=None):
    """02-EEG-DE-feature/eeg_used_1s/<s>_<sess>.npz with trials sized by the published times
    (``longer``: {trial index: windows added to it, negative to remove})."""
    rng = np.random.default_rng(rng)
    table = load_table(dataset.replace("-", "_"))
    labels, tt = table["labels"], table["trial_times"]
    counts = [int(np.floor((e - s) / window)) + (longer or {}).get(i, 0)
              for i, (s, e) in enumerate(zip(tt["start"], tt["end"]))]
    trials = [rng.normal(12, 2, (n, 62, 5)) for n in counts]
    n_train = table["n_train_trials"]
    d = root / table["folder"] / "02-EEG-DE-feature" / ("eeg_used_1s" if window == 1.0 else "eeg_used_4s")
    d.mkdir(parents=True, exist_ok=True)
    parts = {}
    for side, sl in (("train", slice(0, n_train)), ("test", slice(n_train, None))):
        x = np.concatenate(trials[sl], axis=0)
        parts[f"{side}_data"] = np.array(pickle.dumps({b: x[:, :, j] for j, b in enumerate(BANDS)}))
        parts[f"{side}_label"] = np.concatenate(
            [np.full(len(a), lab + label_offset) for a, lab in zip(trials[sl], labels[sl])])
    np.savez(d / f"{subject}_{session}.npz", **parts)
    return trials, labels


def build_cnt(path, ch_names, n_seconds, *, sfreq=1000.0, rng=4, data_format="int32"):
    """A Neuroscan .cnt of white noise (≈20 µV); returns the volts written."""
    write = _writer()
    x = np.random.default_rng(rng).normal(0, 20e-6, (len(ch_names), int(n_seconds * sfreq)))
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path, x, sfreq, list(ch_names), data_format=data_format)
    return x


def short_times(n, dur=0.5, gap=0.2, first=0.3):
    starts = [round(first + i * (dur + gap), 3) for i in range(n)]
    return {"start": starts, "end": [round(s + dur, 3) for s in starts]}


# ------------------------------------------------------------------------------------------------
# SEED
# ------------------------------------------------------------------------------------------------

def test_seed_raw_round_trip_sessions_by_date_and_lazy(tmp_path, monkeypatch):
    written = build_seed_raw(tmp_path)
    from eegemo.datasets import _mat

    calls = []
    orig = _mat.MatFile.load
    monkeypatch.setattr(_mat.MatFile, "load", lambda self, n: calls.append(n) or orig(self, n))
    recs = read(tmp_path)
    assert detect_dataset(tmp_path) == "seed"
    assert calls == ["label"]                         # only label.mat read; trials are lazy
    # sessions are the dates' places among the subject's published dates (FORMATS.md: subject 1
    # recorded 20131027, 20131030, 20131107), not their ranks among the files present
    assert [(r.subject, r.session, r.date) for r in recs] == [
        ("1", 1, "20131027"), ("1", 3, "20131107"), ("2", 1, "20140404")]
    for r in recs:
        assert r.kind == "raw" and r.sfreq == 200.0 and r.ch_names == SEED_CHANNELS
        assert r.labels == [1, 0, -1] and r.label_names[-1] == "negative"
        assert r.extra["prefix"] == "abc" and not r.simulated
        for t, src in zip(r.trials, written[(r.subject, r.date)]):
            assert t.data is None and t.n_times == src.shape[1]
            np.testing.assert_array_equal(t.load(), src * 1e-6)


def test_seed_subject_session_filter_and_label_override(tmp_path):
    build_seed_raw(tmp_path)
    recs = read(tmp_path, "seed", subjects=[1], sessions=3, labels=[0, 0, 1])
    assert [(r.subject, r.session) for r in recs] == [("1", 3)]
    # dates outside the published table (renamed files): sessions are the dates' ranks
    (tmp_path / "Preprocessed_EEG" / "2_20140404.mat").rename(
        tmp_path / "Preprocessed_EEG" / "2_20200101.mat")
    assert [(r.subject, r.session) for r in read(tmp_path, "seed", subjects=[2])] == [("2", 1)]
    assert recs[0].labels == [0, 0, 1]
    # a dict session -> labels, as the .cnt path takes it (the .mat path asked for session None)
    per = read(tmp_path, "seed", subjects=[1], labels={1: [1, 1, 0], "3": [0, -1, -1]})
    assert {r.session: r.labels for r in per} == {1: [1, 1, 0], 3: [0, -1, -1]}
    with pytest.raises(ConfigurationError, match=r"no entry for session 3 \(found sessions \[.1.\]\)"):
        read(tmp_path, "seed", subjects=[1], labels={1: [1, 1, 0]})


def test_seed_mat_files_of_other_names_are_warned_about(tmp_path, caplog):
    """A renamed download ('1_20131030 (1).mat') is not read: said, so that a session is not
    missing without a word; label.mat is expected and not named."""
    build_seed_raw(tmp_path)
    folder = tmp_path / "Preprocessed_EEG"
    (folder / "2_20140404.mat").rename(folder / "2_20140404 (1).mat")
    with caplog.at_level("WARNING", logger="eegemo"):
        recs = read(tmp_path, "seed")
    assert [(r.subject, r.session) for r in recs] == [("1", 1), ("1", 3)]
    assert "1 .mat file(s) not read, not named <subject>_<yyyymmdd>.mat: 2_20140404 (1).mat" \
        in caplog.text and "label.mat" not in caplog.text


def test_seed_features_transposed_and_feature_choice(tmp_path):
    feats = build_seed_features(tmp_path)
    for feature in ("de_LDS", "psd_movingAve", "dasm_LDS"):
        (r,) = read(tmp_path, kind="features", feature=feature)
        assert r.subject == "3" and r.session == 1 and r.feature == feature and r.sfreq == 1.0
        for t in r.trials:
            x = t.load()
            np.testing.assert_array_equal(x, feats[f"{feature}{t.index}"].transpose(1, 0, 2))
            assert x.shape[1] == len(t.ch_names) and len(t.bands) == 5


def test_seed_newer_layout_4s_and_raw_cnt(tmp_path):
    build_seed_features(tmp_path / "SEED_EEG", "ExtractedFeatures_4s")
    (r,) = read(tmp_path, kind="features", window="4s")
    assert r.sfreq == 0.25 and r.trials[0].load().shape == (4, 62, 5)
    for where in (tmp_path, tmp_path / "SEED_EEG" / "ExtractedFeatures_4s"):   # the only window
        (r,) = read(where, kind="features")
        assert r.sfreq == 0.25
    times = short_times(15)
    x = build_cnt(tmp_path / "SEED_EEG" / "SEED_RAW_EEG" / "7_2.cnt", SEED_CNT_CHANNELS, 11.0)
    (r,) = read(tmp_path, kind="raw", trial_times=times)
    assert (r.subject, r.session, r.sfreq, r.ch_names) == ("7", 2, 1000.0, SEED_CHANNELS)
    keep = [SEED_CNT_CHANNELS.index(c) for c in SEED_CHANNELS]
    t = r.trials[4]
    a, b = int(round(times["start"][4] * 1000)), int(round(times["end"][4] * 1000))
    np.testing.assert_allclose(t.load(), x[keep, a:b], atol=1e-9)
    assert r.labels == load_table("seed")["labels"]


def test_seed_v73_mat_file(tmp_path):
    h5py = pytest.importorskip("h5py")
    d = tmp_path / "Preprocessed_EEG"
    d.mkdir()
    x = np.random.default_rng(5).normal(0, 10, (62, 50))
    with h5py.File(d / "4_20140621.mat", "w") as f:       # MATLAB v7.3 stores arrays transposed
        f["xy_eeg1"] = x.T
    scipy.io.savemat(d / "label.mat", {"label": np.array([[1.0]])})
    (r,) = read(d)
    assert r.extra["mat_v73"] and r.extra["prefix"] == "xy"
    np.testing.assert_array_equal(r.trials[0].load(), x * 1e-6)


# ------------------------------------------------------------------------------------------------
# SEED-IV
# ------------------------------------------------------------------------------------------------

def _build_seed_iv(root, sessions=(1, 3)):
    rng = np.random.default_rng(6)
    out = {}
    for s in sessions:
        raw = {f"cz_eeg{t}": rng.normal(0, 5, (62, 30 + t)) for t in range(1, 25)}
        feat = {f"de_LDS{t}": rng.uniform(5, 20, (62, 1 + t % 3, 5)) for t in range(1, 25)}
        for kind, arrs in (("eeg_raw_data", raw), ("eeg_feature_smooth", feat)):
            (root / kind / str(s)).mkdir(parents=True, exist_ok=True)
            scipy.io.savemat(root / kind / str(s) / "1_20160518.mat", arrs)
        out[s] = (raw, feat)
    return out


def test_seed_iv_raw_features_published_labels(tmp_path):
    written = _build_seed_iv(tmp_path)
    table = load_table("seed_iv")
    assert detect_dataset(tmp_path) == "seed-iv"
    recs = read(tmp_path)
    assert [(r.subject, r.session, r.kind) for r in recs] == [("1", 1, "raw"), ("1", 3, "raw")]
    for r in recs:
        assert r.labels == table["labels"][str(r.session)] and r.label_names[2] == "fear"
        np.testing.assert_array_equal(r.trials[23].load(), written[r.session][0]["cz_eeg24"] * 1e-6)
    (r,) = read(tmp_path / "eeg_feature_smooth" / "3")
    assert r.kind == "features" and r.sfreq == 0.25 and r.session == 3
    np.testing.assert_array_equal(r.trials[1].load(), written[3][1]["de_LDS2"].transpose(1, 0, 2))
    (r,) = read(tmp_path, kind="features", sessions=[1], labels={1: [3] * 24})
    assert r.labels == [3] * 24


# ------------------------------------------------------------------------------------------------
# SEED-V
# ------------------------------------------------------------------------------------------------

def test_seed_v_cnt_cut_drop_channels_and_repaired(tmp_path):
    raw_dir = tmp_path / "EEG_raw"
    times = short_times(15)
    x = build_cnt(raw_dir / "3_2_20180512.cnt", SEED_CNT_CHANNELS, 11.0)
    build_cnt(raw_dir / "3_2_20180512_repaired.cnt", SEED_CNT_CHANNELS, 11.0, rng=9)
    assert detect_dataset(tmp_path) == "seed-v"
    (r,) = read(tmp_path, trial_times={2: times}, repaired=False)
    assert (r.subject, r.session, r.date, r.source.name) == ("3", 2, "20180512", "3_2_20180512.cnt")
    assert r.ch_names == SEED_CHANNELS and r.extra["n_channels_file"] == 66
    assert r.labels == load_table("seed_v")["labels"]["2"] and r.label_names[0] == "disgust"
    keep = [SEED_CNT_CHANNELS.index(c) for c in SEED_CHANNELS]
    for t in (r.trials[0], r.trials[14]):
        assert t.data is None and t.n_times == 500
        np.testing.assert_allclose(t.load(), x[keep, int(t.onset * 1000):int(t.onset * 1000) + 500],
                                   atol=1e-9)
    # the signal around a trial, for filtering it as part of the recording (clipped at the ends)
    t = r.trials[0]
    a = int(round(t.onset * 1000))
    assert t.room == (a, 11000 - a - 500) == (300, 10200)
    xp, nb, na = t.load_padded(1000, 250, multiple=7)   # 294 = 42 × 7; 294 + 500 + 256 = 150 × 7
    assert (nb, na, xp.shape[1]) == (294, 256, 294 + 500 + 256)
    np.testing.assert_allclose(xp, x[keep, a - 294:a + 756], atol=1e-9)
    # BCMI's repaired copy (7_1_20180411_repaired.cnt in the release) is read by default
    (rr,) = read(tmp_path, trial_times=times)
    assert rr.source.name == "3_2_20180512_repaired.cnt"
    # two other files of one subject and session: refused, naming both, not read twice
    build_cnt(raw_dir / "3_2_20180513.cnt", SEED_CNT_CHANNELS, 11.0)
    with pytest.raises(DataFormatError, match="2 files of subject 3 session 2.*3_2_20180512.cnt, "
                       "3_2_20180513.cnt"):
        read(tmp_path, trial_times=times)
    # ...but only where that subject is read: another subject's files are not checked
    build_cnt(raw_dir / "5_2_20180601.cnt", SEED_CNT_CHANNELS, 11.0)
    assert [r.source.name for r in read(tmp_path, trial_times=times, subjects=[5])] == [
        "5_2_20180601.cnt"]
    # one subject written with and without a leading zero is one recording
    build_cnt(raw_dir / "05_2_20180601_repaired.cnt", SEED_CNT_CHANNELS, 11.0)
    (r5,) = read(tmp_path, trial_times=times, subjects=[5])
    assert (r5.subject, r5.source.name) == ("05", "05_2_20180601_repaired.cnt")


def test_seed_v_repaired_copy_without_an_original_is_read(tmp_path, caplog):
    raw_dir = tmp_path / "EEG_raw"
    times = short_times(15)
    build_cnt(raw_dir / "3_2_20180512.cnt", SEED_CNT_CHANNELS, 11.0)
    build_cnt(raw_dir / "4_2_20180513_repaired.cnt", SEED_CNT_CHANNELS, 11.0, rng=9)
    with caplog.at_level("WARNING", logger="eegemo"):
        recs = read(tmp_path, trial_times={2: times})
    assert [(r.subject, r.source.name) for r in recs] == [
        ("3", "3_2_20180512.cnt"), ("4", "4_2_20180513_repaired.cnt")]
    assert "the only file of subject 4 session 2 is a repaired copy" in caplog.text


def test_seed_v_npz_layouts(tmp_path):
    data, _ = build_seed_v_npz(tmp_path, sessions=(1, 3))
    recs = read(tmp_path)
    assert [(r.session, r.kind, len(r.trials)) for r in recs] == [(1, "features", 15),
                                                                   (3, "features", 15)]
    t = recs[1].trials[4]                               # key 30 + 4
    assert t.label == load_table("seed_v")["labels"]["3"][4] and t.sfreq == 0.25
    x = data[34]
    np.testing.assert_array_equal(t.load(), x.reshape(-1, 62, 5))
    (r,) = read(tmp_path / "EEG_DE_features" / "1_123.npz", sessions=[3], de_layout="band-major")
    np.testing.assert_array_equal(r.trials[4].load(), x.reshape(-1, 5, 62).transpose(0, 2, 1))
    # one DE feature is released: another name is refused, not recorded for the same numbers
    assert len(read(tmp_path, feature="de")) == 2
    for name in ("de_movingAve", "de_bogus", "psd_LDS"):
        with pytest.raises(ConfigurationError, match="releases one DE feature"):
            read(tmp_path, feature=name)


# ------------------------------------------------------------------------------------------------
# SEED-GER / SEED-FRA / SEED Multimodal
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", ["seed-ger", "seed-fra"])
def test_multimodal_npz_split_into_published_trials(tmp_path, dataset):
    trials, labels = build_multimodal_npz(tmp_path, dataset)
    assert detect_dataset(tmp_path) == dataset
    (r,) = read(tmp_path)
    assert r.dataset == dataset and r.labels == labels and len(r.trials) == len(labels)
    for t, src in zip(r.trials, trials):                # same-label neighbours split exactly
        np.testing.assert_array_equal(t.load(), src)


def test_multimodal_trials_never_cross_the_train_test_boundary(tmp_path):
    """SEED-FRA clips 12 and 13 are both positive and sit either side of the 12/8 split: when the
    file's clip 12 is shorter than the table says, its windows stay its own."""
    trials, labels = build_multimodal_npz(tmp_path, "seed-fra", longer={11: -10})
    assert labels[11] == labels[12]
    (r,) = read(tmp_path)
    for t, src in zip(r.trials, trials):
        np.testing.assert_array_equal(t.load(), src)


def test_multimodal_missing_same_label_clip_is_refused_not_invented(tmp_path):
    """SEED-FRA clips 15 and 16 are both negative: a file without clip 16 must not come back with
    clip 15's windows cut in two and called clips 15 and 16."""
    from eegemo.datasets._family import load_table

    tt = load_table("seed_fra")["trial_times"]
    n16 = int(tt["end"][15] - tt["start"][15])
    build_multimodal_npz(tmp_path, "seed-fra", longer={15: -n16})
    with pytest.raises(DataFormatError, match=r"trials 15-16 .*a clip missing or extra\?"):
        read(tmp_path)


def test_multimodal_trial_times_with_ends_missing_are_refused(tmp_path):
    """trial_times with an end short (or extra) was accepted for DE features: zip(starts, ends)
    dropped the starts left over (or ignored the extra ends) and the window counts expected of the
    trials were cut short (an IndexError three ends short)."""
    tt = load_table("seed_ger")["trial_times"]
    build_multimodal_npz(tmp_path, "seed-ger")
    for ends in (tt["end"][:-1], tt["end"][:-3], tt["end"] + [9999.0]):
        with pytest.raises(ConfigurationError, match=rf"trial_times for seed-ger: start and end "
                           rf"disagree \(expected one end per start, found 18 starts, "
                           rf"{len(ends)} ends\)$"):
            read(tmp_path, trial_times={"start": tt["start"], "end": ends})
    (r,) = read(tmp_path, trial_times=tt)
    assert len(r.trials) == 18


def test_multimodal_labels_012_and_4s(tmp_path):
    trials, labels = build_multimodal_npz(tmp_path, "seed-ger", window=4.0, label_offset=1)
    (r,) = read(tmp_path / "German", kind="features", window="4s")
    assert r.sfreq == 0.25 and r.labels == labels and r.extra["label_shift"] == -1
    np.testing.assert_array_equal(r.trials[-1].load(), trials[-1])
    # the folder holds 4-s windows only: no window= needed
    (r,) = read(tmp_path / "German", kind="features")
    assert r.sfreq == 0.25 and r.labels == labels


def test_subject_selection_with_leading_zero_or_nothing_found(tmp_path):
    build_seed_raw(tmp_path)
    assert {r.subject for r in read(tmp_path, subjects="01")} == {"1"}
    with pytest.raises(DataFormatError, match=r"no recording of the subjects/sessions asked for "
                       r"\(expected subjects among 1, 2, .*found none for the subjects \[9\], "
                       r"sessions all asked for\)"):
        read(tmp_path, subjects=9)
    # one id of several not there (a typo): refused, not dropped from what is read
    with pytest.raises(DataFormatError, match=r"no recording of subject 9 \(expected every "
                       r"subject and session asked for to be there, found recordings of subjects "
                       r"1, sessions .*among those asked for\)"):
        read(tmp_path, subjects=["1", "9"])
    with pytest.raises(DataFormatError, match=r"no recording of session 7"):
        read(tmp_path, subjects="1", sessions=[1, 7])


def test_subject_ids_written_with_a_leading_zero_are_selected_by_number(tmp_path):
    """Files named 01_….mat/.npz are subject '01'; subjects=1 (or '1', '01') selects them, as the
    .cnt paths and the generic reader do (the .mat/.npz paths compared the strings)."""
    seed = tmp_path / "seed"
    build_seed_raw(seed)
    for f in (seed / "Preprocessed_EEG").glob("1_*.mat"):
        f.rename(f.with_name("0" + f.name))
    for sel in (1, "1", "01", [1, 2]):
        assert "01" in {r.subject for r in read(seed, "seed", subjects=sel)}, sel
    assert {r.subject for r in read(seed, "seed", subjects=2)} == {"2"}
    sv = tmp_path / "seed_v"
    build_seed_v_npz(sv, subject="06")
    assert {r.subject for r in read(sv, "seed-v", kind="features", subjects=6)} == {"06"}
    iv = tmp_path / "seed_iv"
    _build_seed_iv(iv)
    for f in iv.rglob("1_*.mat"):
        f.rename(f.with_name("0" + f.name))
    assert {r.subject for r in read(iv, "seed-iv", kind="features", subjects=[1])} == {"01"}


def test_leading_zero_subject_keeps_its_published_session(tmp_path):
    """01_20131107.mat is subject 1's third published date: session 3 even with the file of
    session 2 missing, as 1_20131107.mat is (the published table was looked up by "01")."""
    for name in ("1", "01"):
        build_seed_raw(tmp_path / name, subjects={name: ["20131027", "20131107"]})
        assert sorted(r.session for r in read(tmp_path / name)) == [1, 3], name
        assert [r.session for r in read(tmp_path / name, sessions=3)] == [3]


def test_label_mat_in_upper_case_is_read(tmp_path):
    """Archives unpacked on Windows can hold LABEL.MAT: its labels are read (not SEED's published
    table with a warning), and a bare folder holding it is recognised as SEED."""
    build_seed_raw(tmp_path, subjects={"1": ["20131027"]}, labels=[-1, -1, 1])
    d = tmp_path / "Preprocessed_EEG"
    (d / "label.mat").rename(d / "LABEL.MAT")
    assert read(tmp_path)[0].labels == [-1, -1, 1]
    bare = tmp_path / "mine"
    d.rename(bare)
    assert detect_dataset(bare) == "seed"
    assert read(bare)[0].labels == [-1, -1, 1]


def test_archive_folder_levels_above_the_layout(tmp_path):
    """Archives unpack into a folder of their own name, sometimes twice: SEED/SEED/Preprocessed_EEG."""
    written = build_seed_raw(tmp_path / "SEED" / "SEED")
    (tmp_path / "__MACOSX").mkdir()                  # macOS archive debris beside it
    assert detect_dataset(tmp_path) == "seed"
    assert len(read(tmp_path)) == len(read(tmp_path, dataset="seed")) == len(written)
    (tmp_path / "other").mkdir()                     # two folders: no guess which one
    with pytest.raises(DataFormatError, match="unknown dataset layout"):
        detect_dataset(tmp_path)


def test_upper_case_file_names_are_found(tmp_path):
    """Archives unpacked on Windows/macOS can keep 1_20131027.MAT or 1_1.CNT."""
    written = build_seed_raw(tmp_path)
    d = tmp_path / "Preprocessed_EEG"
    for f in list(d.glob("*_*.mat")):
        f.rename(f.with_suffix(".MAT"))
    assert detect_dataset(tmp_path) == "seed"
    recs = read(tmp_path)
    assert len(recs) == len(written) and all(r.source.suffix == ".MAT" for r in recs)
    build_multimodal_npz(tmp_path / "mm", "seed-ger")
    npz = next((tmp_path / "mm").rglob("1_1.npz"))
    npz.rename(npz.with_suffix(".NPZ"))
    (r,) = read(tmp_path / "mm" / "German", kind="features")
    assert len(r.trials) == 18


def test_multimodal_language_from_the_download_folder_name_or_said(tmp_path, caplog):
    """German DE files whose 'German' level was dropped when unzipping: a folder name such as
    SEED_GER tells the language; with no hint at all the reader says it is guessing Chinese, also
    when the dataset was detected rather than named."""
    import shutil

    build_multimodal_npz(tmp_path / "dl", "seed-ger")
    ger = shutil.copytree(tmp_path / "dl" / "German", tmp_path / "SEED_GER")
    assert detect_dataset(ger) == "seed-ger"
    (r,) = read(ger, kind="features")
    assert r.dataset == "seed-ger" and len(r.trials) == 18
    plain = shutil.copytree(tmp_path / "dl" / "German", tmp_path / "data" / "x")
    with caplog.at_level("WARNING", logger="eegemo"):
        with pytest.raises(DataFormatError, match="guessed as Chinese.*dataset='seed-ger'"):
            read(plain, kind="features")
    assert "language not told by the folder names" in caplog.text
    (r,) = read(plain, kind="features", dataset="seed-ger")
    assert r.dataset == "seed-ger" and len(r.trials) == 18
    # only the folder in German/'s place counts: a parent named like a language does not
    home = shutil.copytree(tmp_path / "dl" / "German", tmp_path / "fra" / "Downloads" / "x")
    assert detect_dataset(home) == "seed-multimodal-chinese"
    # nor a parent named exactly like a language folder (a lab share called French)
    share = shutil.copytree(tmp_path / "dl" / "German", tmp_path / "French" / "SEED_GER")
    assert detect_dataset(share) == "seed-ger"
    assert detect_dataset(share / "02-EEG-DE-feature") == "seed-ger"
    lab = shutil.copytree(tmp_path / "dl" / "German", tmp_path / "German" / "sub" / "x")
    assert detect_dataset(lab) == "seed-multimodal-chinese"      # guessed, and warned, not German


def test_multimodal_raw_cnt_and_simulated_marker(tmp_path):
    times = short_times(21)
    x = build_cnt(tmp_path / "French" / "01-EEG-raw" / "2_3.cnt", SEED_CHANNELS, 15.5)
    (tmp_path / "eegemo-simulated.json").write_text(json.dumps(
        {"simulated": True, "dataset": "seed-fra", "trial_times": {"3": times}}))
    (r,) = read(tmp_path)
    assert (r.dataset, r.subject, r.session, r.simulated) == ("seed-fra", "2", 3, True)
    assert r.extra["vendor"] == "neuroscan" and len(r.trials) == 21
    np.testing.assert_allclose(r.trials[20].load(), x[:, 14300:14800], atol=1e-9)
    # a repaired copy beside its original replaces it (one recording, not the session twice)
    build_cnt(tmp_path / "French" / "01-EEG-raw" / "2_3_repaired.cnt", SEED_CHANNELS, 15.5, rng=7)
    (r,) = read(tmp_path)
    assert r.source.name == "2_3_repaired.cnt"
    (r,) = read(tmp_path, repaired=False)
    assert r.source.name == "2_3.cnt"
    with pytest.raises(ConfigurationError, match="repaired: expected True or False, found 'no'"):
        read(tmp_path, repaired="no")          # --read-option repaired=no: not silently True
    build_cnt(tmp_path / "French" / "01-EEG-raw" / "2_3_old.cnt", SEED_CHANNELS, 15.5)
    with pytest.raises(DataFormatError, match="2 files of subject 2 session 3.*2_3.cnt, "
                       "2_3_old.cnt"):
        read(tmp_path)


# ------------------------------------------------------------------------------------------------
# real fixtures: CNT 16/32-bit through _cnt, FieldTrip .mat v7 / v7.3 through MatFile
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fmt, n_ch", [("scan41_short.cnt", "int16", 128),
                                             ("test_CNT_events_mne_JWoess_clipped.cnt", "int32", 2)])
def test_real_cnt_fixtures(fixtures_dir, name, fmt, n_ch):
    import mne

    from eegemo.datasets._cnt import cnt_vendor, neuroscan_data_format, open_cnt

    path = fixtures_dir / "CNT" / name
    assert cnt_vendor(path) == "neuroscan"
    assert neuroscan_data_format(path) == fmt
    raw = open_cnt(path)
    assert len(raw.ch_names) == n_ch and not raw.preload
    ref = mne.io.read_raw_cnt(path, data_format=fmt, verbose="error")
    np.testing.assert_array_equal(raw.get_data(start=100, stop=600), ref.get_data(start=100, stop=600))


@pytest.mark.parametrize("fmt", ["int16", "int32"])
def test_cnt_format_detection_on_written_files(tmp_path, fmt):
    from eegemo.datasets._cnt import neuroscan_data_format

    build_cnt(tmp_path / "x.cnt", ["FP1", "FZ", "CZ"], 2.0, data_format=fmt)
    assert neuroscan_data_format(tmp_path / "x.cnt") == fmt


@pytest.mark.parametrize("header_count", [700, 3000])
def test_cnt_header_sample_count_wrong_but_data_whole(tmp_path, header_count, caplog):
    """MNE documents the header's sample count as unreliable: where it disagrees with the event
    table's position the data are read whole (not refused as truncated, nor cut short)."""
    import struct

    from eegemo.datasets._cnt import open_cnt

    x = build_cnt(tmp_path / "x.cnt", ["FP1", "FZ", "CZ"], 2.0, data_format="int16")
    b = bytearray((tmp_path / "x.cnt").read_bytes())
    struct.pack_into("<i", b, 864, header_count)          # true count: 2000
    (tmp_path / "y.cnt").write_bytes(bytes(b))
    with caplog.at_level("WARNING", logger="eegemo"):
        raw = open_cnt(tmp_path / "y.cnt")
    assert raw.n_times == 2000 and "the header says" in caplog.text
    np.testing.assert_allclose(raw.get_data()[:, -100:], x[:, -100:], atol=1e-6)


def test_fieldtrip_mat_v7_and_v73(fixtures_dir):
    h5py = pytest.importorskip("h5py")
    from eegemo.datasets._mat import MatFile

    v7 = MatFile(fixtures_dir / "fieldtrip_CNT" / "raw_v7.mat")
    v73 = MatFile(fixtures_dir / "fieldtrip_CNT" / "raw_v73.mat")
    assert not v7.hdf5 and v73.hdf5
    assert set(v7.keys()) == set(v73.keys()) == {"cfg_local", "data"}
    data = v7.load("data")
    trial = data["trial"][0, 0][0, 0]
    assert trial.shape == (125, 2001) and int(data["fsample"][0, 0].item()) == 400
    # v7.3 structs come back as dicts of fields, cells as object arrays, chars as str
    data73 = v73.load("data")
    assert isinstance(data73, dict) and {"trial", "label", "fsample"} <= set(data73)
    np.testing.assert_array_equal(data73["trial"][0, 0], trial)
    assert float(np.asarray(data73["fsample"]).item()) == 400
    assert [str(x) for x in data73["label"].ravel()] == [str(x[0]) if np.ndim(x) else str(x)
                                                          for x in data["label"][0, 0].ravel()]
    with h5py.File(v73.path) as f:  # and the same numbers as h5py itself gives
        x = f[f["data"]["trial"][0, 0]][()].T
    np.testing.assert_array_equal(x, data73["trial"][0, 0])


def test_newer_release_root_and_multimodal_dispatch(tmp_path):
    build_seed_raw(tmp_path / "SEED_EEG", subjects={"1": ["20131027"]})
    mm = tmp_path / "SEED_Multimodal"
    build_multimodal_npz(mm, "seed-ger")
    build_multimodal_npz(mm, "seed-multimodal-chinese")
    assert detect_dataset(tmp_path) == "seed"          # SEED_EEG wins over SEED_Multimodal
    assert detect_dataset(mm) == "seed-multimodal"
    recs = read(mm)
    assert sorted(r.dataset for r in recs) == ["seed-ger", "seed-multimodal-chinese"]
    (ger,) = read(mm, "seed-ger")
    assert ger.dataset == "seed-ger" and len(ger.trials) == 18
    (chi,) = [r for r in recs if r.dataset == "seed-multimodal-chinese"]
    assert chi.labels == load_table("seed")["labels"]


def test_lazy_submodules():
    import eegemo.datasets as ds

    assert callable(ds.simulate.simulate) and callable(ds.seed_v.read)
    with pytest.raises(AttributeError):
        ds.no_such_reader


def test_mat_v73_struct_cell_char_written_here(tmp_path):
    """A MATLAB v7.3 file built with h5py the way MATLAB lays it out (512-byte header, transposed)."""
    h5py = pytest.importorskip("h5py")
    from eegemo.datasets._mat import MatFile

    path = tmp_path / "s.mat"
    x = np.arange(6.0).reshape(2, 3)
    with h5py.File(path, "w", userblock_size=512) as f:
        g = f.create_group("s")
        g.attrs["MATLAB_class"] = np.bytes_("struct")
        d = g.create_dataset("x", data=x.T)
        d.attrs["MATLAB_class"] = np.bytes_("double")
        name = g.create_dataset("name", data=np.array([[ord(c)] for c in "Fp1"], dtype=np.uint16))
        name.attrs["MATLAB_class"] = np.bytes_("char")
        refs = f.create_group("#refs#")
        a = refs.create_dataset("a", data=np.ones((4, 1)))
        b = refs.create_dataset("b", data=np.zeros((2, 1)))
        cell = g.create_dataset("trials", data=np.array([[a.ref], [b.ref]]),
                                dtype=h5py.ref_dtype)
        cell.attrs["MATLAB_class"] = np.bytes_("cell")
    with open(path, "r+b") as fh:
        fh.write(b"MATLAB 7.3 MAT-file".ljust(128, b" "))
    m = MatFile(path)
    assert m.hdf5 and m.keys() == ["s"]
    s = m.load("s")
    np.testing.assert_array_equal(s["x"], x)
    assert s["name"] == "Fp1"
    assert s["trials"].shape == (1, 2) and s["trials"][0, 0].shape == (1, 4)
    np.testing.assert_array_equal(s["trials"][0, 1], np.zeros((1, 2)))
