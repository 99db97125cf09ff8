"""The simulator: published layouts, EEG-like signals, emotion effects, the .cnt writer, the CLI."""

from __future__ import annotations

import json
import logging
import pickle
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from scipy.signal import welch

from eegemo.channels import SEED_CHANNELS, SEED_CNT_CHANNELS
from eegemo.errors import ConfigurationError
from eegemo.datasets import simulate as sim
from eegemo.datasets._simsignal import SubjectParams, simulate_trial, subject_params
from eegemo.datasets.simulate import MARKER, simulate, write_neuroscan_cnt

mne = pytest.importorskip("mne")

SCALE = 0.01
IDX = {c: i for i, c in enumerate(SEED_CHANNELS)}


def _read_cnt(path, fmt="int32"):
    return mne.io.read_raw_cnt(path, data_format=fmt, preload=False, verbose="error")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    """Every dataset, 2 subjects × 1 session at 1 % length."""
    base = tmp_path_factory.mktemp("sim")
    return {ds: simulate(ds, base / ds, subjects=2, sessions=1, duration_scale=SCALE)
            for ds in sim.DATASETS}


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------------------------- layout

def test_marker_labels_everything_simulated(tiny):
    for ds, root in tiny.items():
        marker = json.loads((root / MARKER).read_text())
        assert marker["simulated"] is True and marker["dataset"] == ds and marker["complete"] is True
        assert marker["params"]["duration_scale"] == SCALE and marker["params"]["subjects"] == [1, 2]
        assert set(marker["files"]) | {MARKER} == _files(root)
        assert marker["eegemo_version"]


def test_an_interrupted_simulation_is_not_read_as_a_smaller_dataset(tiny, tmp_path):
    import shutil

    from eegemo.datasets import read
    from eegemo.errors import DataFormatError

    root = shutil.copytree(tiny["seed"], tmp_path / "seed")
    marker = json.loads((root / MARKER).read_text())
    (root / MARKER).write_text(json.dumps({**marker, "complete": False}))
    with pytest.raises(DataFormatError, match="unfinished simulation.*run eegemo simulate again"):
        read(root)
    # the dataset's own reader refuses it too (it read the files there, marked simulated)
    from eegemo.datasets import seed

    with pytest.raises(DataFormatError, match="unfinished simulation"):
        seed.read(root)
    with pytest.raises(DataFormatError, match="unfinished simulation"):
        seed.read(root / "Preprocessed_EEG")


def test_real_data_kept_below_a_simulation_is_not_called_simulated(tiny, tmp_path):
    """The marker speaks only for the files the simulator wrote: a copy placed below the
    simulation's folder (as a real download might be) is read as real data."""
    import shutil

    from eegemo.datasets import read
    from eegemo.datasets._family import is_simulated

    root = shutil.copytree(tiny["seed"], tmp_path / "seed")
    real = shutil.copytree(root / "Preprocessed_EEG", root / "downloads" / "SEED" / "Preprocessed_EEG")
    assert all(r.simulated for r in read(root / "Preprocessed_EEG"))
    assert not any(r.simulated for r in read(real))
    assert is_simulated(root / "Preprocessed_EEG" / "label.mat")
    assert not is_simulated(real / "label.mat") and not is_simulated(root / "downloads")
    # and a simulation kept in a release-named folder below the path given stays simulated
    wrapped = shutil.copytree(tiny["seed"], tmp_path / "wrap" / "inner" / "SEED")
    assert all(r.simulated for r in read(wrapped.parent.parent))


def test_seed_layout(tiny):
    root = tiny["seed"]
    assert _files(root) == {MARKER, "Preprocessed_EEG/label.mat", "Preprocessed_EEG/readme.txt",
                            "Preprocessed_EEG/1_20131027.mat", "Preprocessed_EEG/2_20140404.mat",
                            "ExtractedFeatures/label.mat", "ExtractedFeatures/readme.txt",
                            "ExtractedFeatures/1_20131027.mat", "ExtractedFeatures/2_20140404.mat"}
    label = scipy.io.loadmat(root / "Preprocessed_EEG/label.mat")["label"]
    assert label.shape == (1, 15) and label.ravel().tolist() == [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1,
                                                                   0, 1, -1]
    raw = scipy.io.loadmat(root / "Preprocessed_EEG/2_20140404.mat")
    names = [k for k in raw if not k.startswith("__")]
    assert names == [f"jl_eeg{t}" for t in range(1, 16)]
    feats = scipy.io.loadmat(root / "ExtractedFeatures/2_20140404.mat")
    fnames = [k for k in feats if not k.startswith("__")]
    assert fnames[:8] == ["de_movingAve1", "de_LDS1", "psd_movingAve1", "psd_LDS1",
                          "de_movingAve2", "de_LDS2", "psd_movingAve2", "psd_LDS2"]
    published = [47001, 46601, 41201, 47601, 37001, 39001, 47401, 43201, 53001, 47401, 47001, 46601,
                 47001, 47601, 41201]
    for t, n0 in enumerate(published, start=1):
        x = raw[f"jl_eeg{t}"]
        assert x.dtype == np.float64 and x.shape[0] == 62
        assert abs(x.shape[1] - n0 * SCALE) <= 2
        rms = np.sqrt(np.mean(x ** 2, axis=1))          # microvolts
        assert 3 < np.median(rms) < 60
        for key in ("de_movingAve", "de_LDS", "psd_movingAve", "psd_LDS"):
            assert feats[f"{key}{t}"].shape == (62, x.shape[1] // 200, 5)
        assert np.all(np.isfinite(feats[f"de_LDS{t}"]))


def test_seed_iv_layout(tiny):
    root = tiny["seed-iv"]
    assert _files(root) == {MARKER, "eeg_raw_data/1/1_20160518.mat", "eeg_raw_data/1/2_20150915.mat",
                            "eeg_feature_smooth/1/1_20160518.mat", "eeg_feature_smooth/1/2_20150915.mat"}
    raw = scipy.io.loadmat(root / "eeg_raw_data/1/1_20160518.mat")
    assert [k for k in raw if not k.startswith("__")] == [f"cz_eeg{t}" for t in range(1, 25)]
    feats = scipy.io.whosmat(root / "eeg_feature_smooth/1/1_20160518.mat")
    assert [n for n, _, _ in feats[:4]] == ["de_movingAve1", "de_LDS1", "psd_movingAve1", "psd_LDS1"]
    assert len(feats) == 4 * 24 and all(s[0] == 62 and s[2] == 5 for _, s, _ in feats)


def test_seed_v_layout_cnt_and_npz(tiny):
    root = tiny["seed-v"]
    assert _files(root) == {MARKER, "EEG_raw/1_1_20180804.cnt", "EEG_raw/2_1_20180504.cnt",
                            "EEG_DE_features/1_123.npz", "EEG_DE_features/2_123.npz"}
    marker = json.loads((root / MARKER).read_text())
    times = marker["trial_times"]["1"]
    assert len(times["start"]) == len(times["end"]) == 15
    assert np.allclose(times["start"][:3], np.array([30, 132, 287]) * SCALE)
    raw = _read_cnt(root / "EEG_raw/1_1_20180804.cnt")
    assert raw.ch_names == list(SEED_CNT_CHANNELS) and raw.info["sfreq"] == 1000.0
    assert raw.info["meas_date"].strftime("%Y%m%d") == "20180804"
    onsets = {d: o for o, d in zip(raw.annotations.onset, raw.annotations.description)}
    assert np.allclose([onsets[str(t)] for t in range(1, 16)], times["start"], atol=1e-3)
    assert np.allclose([onsets[str(100 + t)] for t in range(1, 16)], times["end"], atol=1e-3)
    assert raw.n_times / 1000.0 > times["end"][-1]
    x = raw.get_data(picks=["O1", "VEO"])
    assert 3e-6 < np.std(x[0]) < 60e-6
    with np.load(root / "EEG_DE_features/1_123.npz") as z:
        data, label = pickle.loads(z["data"]), pickle.loads(z["label"])
    assert sorted(data) == list(range(15)) and sorted(label) == list(range(15))
    published = [4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0]
    for k in range(15):
        assert data[k].ndim == 2 and data[k].shape[1] == 310 and np.all(np.isfinite(data[k]))
        assert label[k].shape == (data[k].shape[0],) and np.all(label[k] == published[k])


@pytest.mark.parametrize("ds, folder, n_trials", [("seed-ger", "German", 18), ("seed-fra", "French", 21)])
def test_multimodal_layout(tiny, ds, folder, n_trials):
    root = tiny[ds]
    expected = {MARKER}
    for s in (1, 2):
        expected |= {f"{folder}/01-EEG-raw/{s}_1.cnt",
                     f"{folder}/02-EEG-DE-feature/eeg_used_1s/{s}_1.npz",
                     f"{folder}/02-EEG-DE-feature/eeg_used_4s/{s}_1.npz"}
    assert _files(root) == expected
    marker = json.loads((root / MARKER).read_text())
    labels = marker["labels"]
    assert len(labels) == n_trials and len(marker["trial_times"]["1"]["start"]) == n_trials
    raw = _read_cnt(root / f"{folder}/01-EEG-raw/1_1.cnt")
    assert raw.ch_names == list(SEED_CHANNELS) and raw.info["sfreq"] == 1000.0
    with np.load(root / f"{folder}/02-EEG-DE-feature/eeg_used_1s/1_1.npz") as z:
        train = pickle.loads(z["train_data"])
        assert list(train) == ["delta", "theta", "alpha", "beta", "gamma"]
        assert all(v.shape == (z["train_label"].size, 62) for v in train.values())
        test = pickle.loads(z["test_data"])
        assert test["gamma"].shape == (z["test_label"].size, 62)
        n_train = marker["feature_split"]["train_trials"]
        assert set(np.unique(z["train_label"])) <= {-1, 0, 1}
        # the label of the first windows is the first clip's label
        assert z["train_label"][0] == labels[0] and z["test_label"][0] == labels[n_train]


# ---------------------------------------------------------------------------------------------- signal

@pytest.fixture(scope="module")
def rest() -> np.ndarray:
    return simulate_trial(None, 200 * 60, 200.0, SEED_CHANNELS, rng=1)


def test_one_over_f_slope_and_alpha_peak(rest):
    f, p = welch(rest, 200.0, nperseg=800)
    fit = (f >= 2) & (f <= 40) & ~((f > 6) & (f < 16))
    slopes = np.array([np.polyfit(np.log(f[fit]), np.log(row[fit]), 1)[0] for row in p])
    assert np.all((slopes > -2.6) & (slopes < -0.8)), slopes
    occ = p[[IDX["O1"], IDX["OZ"], IDX["O2"]]].mean(axis=0)
    peak_f = f[(f >= 5) & (f <= 20)][np.argmax(occ[(f >= 5) & (f <= 20)])]
    assert 8.0 <= peak_f <= 12.5
    alpha = occ[(f >= 9) & (f <= 11)].mean()
    flank = np.sqrt(occ[(f >= 5) & (f <= 6)].mean() * occ[(f >= 16) & (f <= 18)].mean())
    assert alpha > 2.0 * flank
    rel = lambda row: row[(f >= 8) & (f < 13)].sum() / row[(f >= 1) & (f < 45)].sum()  # noqa: E731
    assert rel(occ) > 1.5 * rel(p[IDX["FZ"]])
    rms = np.sqrt(np.mean(rest ** 2, axis=1))
    assert np.all((rms > 5e-6) & (rms < 60e-6))


def test_spatial_correlation_falls_with_distance(rest):
    c = np.corrcoef(rest)
    near = [("O1", "OZ"), ("C3", "C1"), ("F3", "F1"), ("P3", "P1"), ("FC3", "C3"), ("CP4", "CP2")]
    far = [("FP1", "O2"), ("T7", "T8"), ("F7", "P8"), ("FP2", "CB1"), ("FT7", "PO8")]
    r_near = np.mean([c[IDX[a], IDX[b]] for a, b in near])
    r_far = np.mean([c[IDX[a], IDX[b]] for a, b in far])
    assert r_near > 0.5 and r_near > r_far + 0.4


def _log_power(x, band):
    from eegemo.preprocess.features import band_power

    return np.log(band_power(x, 200.0, [band]))[:, 0]


def test_emotion_effects_at_published_sites():
    kw = dict(n_times=200 * 30, sfreq=200.0, ch_names=SEED_CHANNELS, trial_jitter=0.0)
    # the same random draws, so the difference is the effect alone
    pos = simulate_trial("positive", rng=3, **kw)
    neg = simulate_trial("negative", rng=3, **kw)
    neu = simulate_trial("neutral", rng=3, **kw)
    temporal = [IDX[c] for c in ("T7", "T8", "FT7", "FT8", "TP7", "TP8")]
    prefrontal = [IDX[c] for c in ("FP1", "FPZ", "FP2")]
    parocc = [IDX[c] for c in ("PZ", "POZ", "O1", "OZ", "O2", "PO3", "PO4")]
    central = [IDX[c] for c in ("CZ", "C1", "C2")]
    beta = ("beta", 14, 31)
    d_beta = _log_power(pos, beta) - _log_power(neg, beta)
    assert d_beta[temporal].mean() > 0.25 and d_beta[temporal].mean() > d_beta[central].mean() + 0.2
    gamma = ("gamma", 31, 50)
    d_gamma = _log_power(neg, gamma) - _log_power(pos, gamma)
    assert d_gamma[prefrontal].mean() > 0.25
    delta = ("delta", 1, 4)
    d_delta = _log_power(neg, delta) - _log_power(pos, delta)
    assert d_delta[parocc].mean() > 0.25 and d_delta[parocc].mean() > d_delta[prefrontal].mean() + 0.2
    alpha = ("alpha", 8, 14)
    d_alpha = _log_power(neu, alpha) - _log_power(pos, alpha)
    assert d_alpha[parocc].mean() > 0.25
    # effect_size scales it; 0 removes it exactly
    half = simulate_trial("positive", rng=3, effect_size=0.5, **kw)
    d_half = _log_power(half, beta) - _log_power(neg, beta)
    assert 0.2 * d_beta[temporal].mean() < d_half[temporal].mean() < 0.8 * d_beta[temporal].mean()
    z_pos = simulate_trial("positive", rng=3, effect_size=0.0, **kw)
    z_neg = simulate_trial("negative", rng=3, effect_size=0.0, **kw)
    np.testing.assert_array_equal(z_pos, z_neg)


def test_emotion_effect_survives_trial_and_subject_noise():
    sp = subject_params(np.random.default_rng(7), SEED_CHANNELS, 0.3)
    temporal = [IDX[c] for c in ("T7", "T8", "FT7", "FT8", "TP7", "TP8")]
    beta = ("beta", 14, 31)

    def mean_beta(emotion, effect_size):
        return np.mean([_log_power(simulate_trial(emotion, 200 * 20, 200.0, SEED_CHANNELS,
                                                  subject_params=sp, rng=100 + i,
                                                  effect_size=effect_size), beta)[temporal].mean()
                        for i in range(4)])

    assert mean_beta("positive", 1.0) - mean_beta("negative", 1.0) > 0.2
    assert abs(mean_beta("positive", 0.0) - mean_beta("negative", 0.0)) < 0.2


def test_subject_variability_and_artefacts():
    canon = subject_params(0, SEED_CHANNELS, 0.0)
    assert canon.gain == 1.0 and canon.alpha_freq == 10.0 and np.all(canon.channel_gain == 1.0)
    a = subject_params(1, SEED_CHANNELS, 0.3)
    b = subject_params(2, SEED_CHANNELS, 0.3)
    assert a.alpha_freq != b.alpha_freq and not np.allclose(a.channel_gain, b.channel_gain)
    base = simulate_trial(None, 4000, 200.0, SEED_CHANNELS, subject_params=a, rng=5)
    art = simulate_trial(None, 4000, 200.0, SEED_CHANNELS, subject_params=a, rng=5, blinks=True,
                         line_noise=True)
    diff = art - base
    f, p = welch(diff[IDX["OZ"]], 200.0, nperseg=400)
    assert f[np.argmax(p)] == pytest.approx(50.0, abs=0.5)          # line noise everywhere
    frontal = np.abs(diff[IDX["FP1"]]).max()
    assert frontal > 30e-6 > np.abs(diff[IDX["OZ"]]).max()          # blinks only at the front
    with pytest.raises(ConfigurationError, match="unknown emotion"):
        simulate_trial("bored", 100, 200.0, SEED_CHANNELS)
    assert isinstance(SubjectParams(), SubjectParams)


def test_determinism(tmp_path):
    kw = dict(subjects=[2], sessions=1, duration_scale=0.005)
    a = simulate("seed", tmp_path / "a", random_state=11, **kw)
    b = simulate("seed", tmp_path / "b", random_state=11, **kw)
    c = simulate("seed", tmp_path / "c", random_state=12, **kw)
    ma, mb, mc = (scipy.io.loadmat(r / "Preprocessed_EEG/2_20140404.mat") for r in (a, b, c))
    np.testing.assert_array_equal(ma["jl_eeg3"], mb["jl_eeg3"])
    assert not np.allclose(ma["jl_eeg3"], mc["jl_eeg3"])
    # a subject's data do not depend on which other subjects are simulated
    d = simulate("seed", tmp_path / "d", random_state=11, subjects=2, sessions=1, duration_scale=0.005)
    md = scipy.io.loadmat(d / "Preprocessed_EEG/2_20140404.mat")
    np.testing.assert_array_equal(ma["jl_eeg3"], md["jl_eeg3"])
    e = simulate("seed-v", tmp_path / "e", random_state=11, subjects=1, sessions=1, duration_scale=0.005)
    f = simulate("seed-v", tmp_path / "f", random_state=11, subjects=1, sessions=1, duration_scale=0.005)
    assert (e / "EEG_raw/1_1_20180804.cnt").read_bytes() == (f / "EEG_raw/1_1_20180804.cnt").read_bytes()


def test_folder_policy_and_bad_settings(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep")
    with pytest.raises(ConfigurationError, match="not empty"):
        simulate("seed", foreign, subjects=1, sessions=1, duration_scale=0.005)
    simulate("seed", foreign, subjects=1, sessions=1, duration_scale=0.005, overwrite=True)
    assert (foreign / "mine.txt").read_text() == "keep"
    # re-simulating into a simulation replaces its files (and only those)
    simulate("seed-v", foreign, subjects=1, sessions=1, duration_scale=0.005)
    assert not (foreign / "Preprocessed_EEG").exists() and (foreign / "EEG_raw").is_dir()
    assert (foreign / "mine.txt").exists()
    # never, not even with overwrite, into a folder of real recordings (they would be replaced
    # or labelled simulated by the marker) or into a store or run
    real = tmp_path / "real" / "Preprocessed_EEG"
    real.mkdir(parents=True)
    (real / "1_20131027.mat").write_bytes(b"a real recording")
    with pytest.raises(ConfigurationError, match=r"holds data not written by eegemo simulate "
                       r"\(Preprocessed_EEG/1_20131027.mat\).*not even with overwrite"):
        simulate("seed", tmp_path / "real", subjects=1, sessions=1, duration_scale=0.005,
                 overwrite=True)
    assert (real / "1_20131027.mat").read_bytes() == b"a real recording"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["Preprocessed_EEG"]
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "metrics.json").write_text("{}")
    with pytest.raises(ConfigurationError, match="it is an eegemo recognition run"):
        simulate("seed", tmp_path / "run", subjects=1, sessions=1, duration_scale=0.005,
                 overwrite=True)
    for bad in (dict(dataset="deap"), dict(subjects=16), dict(sessions=0), dict(duration_scale=0),
                dict(subject_variability=-1)):
        kw = dict(dataset="seed", out=tmp_path / "x", subjects=1, sessions=1, duration_scale=0.005)
        kw.update(bad)
        with pytest.raises(ConfigurationError):
            simulate(**kw)


# ---------------------------------------------------------------------------------------------- .cnt

@pytest.mark.parametrize("fmt", ["int32", "int16"])
def test_cnt_round_trip_through_mne(tmp_path, fmt):
    rng = np.random.default_rng(0)
    names = ["FP1", "FZ", "CZ", "OZ", "VEO", "HEO"]
    x = rng.normal(0, 30e-6, (len(names), 12345))
    path = write_neuroscan_cnt(tmp_path / "a.cnt", x, 500, names, data_format=fmt,
                               events=[(250, 7), (5000, 107)])
    raw = _read_cnt(path, fmt)
    assert raw.ch_names == names and raw.info["sfreq"] == 500.0 and raw.n_times == x.shape[1]
    assert raw.info["bads"] == []
    from eegemo.datasets._cnt_writer import DEFAULT_RESOLUTION

    res = DEFAULT_RESOLUTION[fmt]
    np.testing.assert_allclose(raw.get_data(), x, atol=0.5 * res * 1.001 + 1e-6 * np.abs(x).max())
    np.testing.assert_allclose(raw.get_data(start=1000, stop=1100), x[:, 1000:1100],
                               atol=0.51 * res + 1e-6 * np.abs(x).max())
    assert raw.annotations.description.tolist() == ["7", "107"]
    np.testing.assert_allclose(raw.annotations.onset, [0.5, 10.0])
    # streaming in uneven blocks writes the same file
    blocks = (x[:, i:i + 1000] for i in range(0, x.shape[1], 1000))
    path2 = write_neuroscan_cnt(tmp_path / "b.cnt", blocks, 500, names, data_format=fmt,
                                events=[(250, 7), (5000, 107)])
    assert path.read_bytes() == path2.read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_cnt_writer_errors_and_clipping(tmp_path, caplog):
    x = np.zeros((2, 100))
    for kw, match in ((dict(sfreq=200.5), "whole number"), (dict(ch_names=["A", "B" * 12]), "1-9 ASCII"),
                      (dict(data_format="float32"), "data_format"),
                      (dict(events=[(100, 1)]), "past the end"), (dict(events=[(1, 0)]), "codes")):
        args = dict(sfreq=200, ch_names=["A", "B"])
        args.update(kw)
        with pytest.raises(ConfigurationError, match=match):
            write_neuroscan_cnt(tmp_path / "e.cnt", x, args.pop("sfreq"), args.pop("ch_names"), **args)
    with pytest.raises(ConfigurationError, match="NaN"):
        write_neuroscan_cnt(tmp_path / "e.cnt", np.full((2, 10), np.nan), 200, ["A", "B"])
    with pytest.raises(ConfigurationError, match="shape"):
        write_neuroscan_cnt(tmp_path / "e.cnt", np.zeros((3, 10)), 200, ["A", "B"])
    assert not (tmp_path / "e.cnt").exists() and not list(tmp_path.glob("*.part"))
    big = np.array([[0.0, 1e-2, -1e-2], [0.0, 1e-6, 2e-6]])
    with caplog.at_level(logging.WARNING, logger="eegemo"):
        write_neuroscan_cnt(tmp_path / "c.cnt", big, 200, ["A", "B"], data_format="int16")
    assert "clipped" in caplog.text
    y = _read_cnt(tmp_path / "c.cnt", "int16").get_data()
    assert y[0, 1] == pytest.approx(32767 * 1e-7, rel=1e-6) and y[1, 2] == pytest.approx(2e-6, abs=1e-7)


# ---------------------------------------------------------------------------------------------- CLI

def test_cli(tmp_path, capsys):
    from eegemo.cli import main

    out = tmp_path / "cli"
    args = ["simulate", "--dataset", "seed-iv", str(out), "--subjects", "1", "--sessions", "2",
            "--duration-scale", "0.005", "--no-blinks", "--no-line-noise", "--seed", "3"]
    assert main(args) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("simulated seed-iv: 1 subjects × 2 sessions") and "marked simulated" in line
    marker = json.loads((out / MARKER).read_text())
    assert marker["params"]["blinks"] is False and marker["params"]["random_state"] == 3
    assert (out / "eeg_raw_data/2/1_20161125.mat").is_file()
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "a.txt").write_text("x")
    assert main(["simulate", "--dataset", "seed", str(tmp_path / "foreign"), "--subjects", "1"]) == 2
    assert "not empty" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- readers

@pytest.mark.parametrize("ds", list(sim.DATASETS))
def test_simulate_read_round_trip(tiny, ds):
    try:
        from eegemo.datasets import read
    except ImportError:
        pytest.skip("eegemo.datasets.read does not exist yet")
    root = tiny[ds]
    marker = json.loads((root / MARKER).read_text())
    published = {"seed": list(sim.SEED_LABELS), "seed-iv": list(sim.SEED_IV_LABELS[1]),
                 "seed-v": list(sim.SEED_V_LABELS[1]), "seed-ger": marker.get("labels"),
                 "seed-fra": marker.get("labels")}[ds]
    for kind in ("raw", "features"):
        recs = read(root, dataset=ds, kind=kind)
        assert len(recs) == 2 and all(r.simulated for r in recs)
        assert sorted(str(r.subject) for r in recs) == ["1", "2"]
        for r in recs:
            assert [t.label for t in r.trials] == published
        rec = next(r for r in recs if str(r.subject) == "1")
        first = rec.trials[0].load()
        if kind == "raw":
            assert first.shape[0] == 62 and list(rec.trials[0].ch_names) == list(SEED_CHANNELS)
        else:
            assert first.ndim == 3 and first.shape[1:] == (62, 5)
        if ds == "seed":
            mat = scipy.io.loadmat(root / ("Preprocessed_EEG" if kind == "raw" else "ExtractedFeatures")
                                   / "1_20131027.mat")
            want = mat["djc_eeg1"] * 1e-6 if kind == "raw" else mat["de_LDS1"].transpose(1, 0, 2)
            np.testing.assert_allclose(first, want, rtol=1e-6, atol=1e-12)
        elif ds == "seed-iv" and kind == "raw":
            mat = scipy.io.loadmat(root / "eeg_raw_data/1/1_20160518.mat")
            np.testing.assert_allclose(first, mat["cz_eeg1"] * 1e-6, rtol=1e-6, atol=1e-12)
        elif ds == "seed-v" and kind == "raw":
            raw = _read_cnt(root / "EEG_raw/1_1_20180804.cnt")
            a = int(round(marker["trial_times"]["1"]["start"][0] * 1000))
            want = raw.get_data(picks=list(SEED_CHANNELS), start=a, stop=a + first.shape[1])
            np.testing.assert_allclose(first, want, atol=1e-12)
            assert first.shape[1] == pytest.approx(
                1000 * (marker["trial_times"]["1"]["end"][0] - marker["trial_times"]["1"]["start"][0]),
                abs=2)
        elif ds == "seed-v":
            with np.load(root / "EEG_DE_features/1_123.npz") as z:
                want = pickle.loads(z["data"])[0].reshape(-1, 62, 5)
            np.testing.assert_allclose(first, want, rtol=1e-6)
