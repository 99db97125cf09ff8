"""``eegemo prepare`` on files: the CLI, simulated SEED folders read by the readers, real recordings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eegemo.cli import main
from eegemo.store import open_store, prepare


def _read_available() -> bool:
    try:
        from eegemo.datasets import read  # noqa: F401
        from eegemo.datasets.simulate import simulate  # noqa: F401
    except ImportError:
        return False
    return True


needs_readers = pytest.mark.skipif(not _read_available(),
                                   reason="eegemo.datasets.read / simulate not available yet")


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory):
    """A small simulated SEED release: 2 subjects × 1 session, trials shortened to 3 %."""
    if not _read_available():
        pytest.skip("eegemo.datasets.read / simulate not available yet")
    from eegemo.datasets.simulate import simulate

    return simulate("seed", tmp_path_factory.mktemp("seed"), subjects=[1, 2], sessions=[1],
                    duration_scale=0.03, random_state=0)


@needs_readers
def test_cli_prepare_raw_and_rerun(seed_dir, tmp_path, capsys):
    out = tmp_path / "store"
    rc = main(["prepare", str(seed_dir), "--out", str(out), "--features", "de,psd",
               "--smooth", "lds", "--image-size", "8", "--jobs", "1"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "2 recordings (2 computed" in text
    store = open_store(out)
    assert store.manifest["dataset"] == "seed" and store.manifest["simulated"] is True
    assert set(store.arrays) == {"de", "psd", "de_grid", "psd_grid", "de_image", "psd_image"}
    idx = store.index
    assert idx.simulated.all() and set(idx.subject) == {"1", "2"}
    assert set(idx.label) == {-1, 0, 1} and len(store.ch_names) == 62
    # one recording per trial group, 15 trials each, windows 0.. within every trial
    assert idx.groupby("recording").trial.nunique().tolist() == [15, 15]
    # a second run resumes (nothing to do) and reports it
    assert main(["prepare", str(seed_dir), "--out", str(out), "--features", "de,psd",
                 "--smooth", "lds", "--image-size", "8", "--jobs", "1"]) == 0
    assert "0 computed" in capsys.readouterr().out
    # a changed configuration is refused with a one-line error (exit status 2)
    assert main(["prepare", str(seed_dir), "--out", str(out), "--window", "2"]) == 2
    assert "another configuration" in capsys.readouterr().err


@needs_readers
def test_de_matches_released_scale(seed_dir, tmp_path):
    """DE computed from the raw .mat is on the µV scale of the released de_movingAve features."""
    raw = prepare(seed_dir, tmp_path / "raw", jobs=1, kind="raw", grid=None)
    feats = prepare(seed_dir, tmp_path / "feat", jobs=1, kind="features", feature="de_movingAve",
                    grid=None)
    assert feats.manifest["kind"] == "features" and feats.window == 1.0
    a, b = raw.load("de"), feats.load("de")
    # the simulator computes its released features with its own code: compare the scale, not values
    assert abs(float(a.mean()) - float(b.mean())) < 1.0
    assert 0 < float(a.mean()) < 30


@needs_readers
def test_bad_band_from_cli(seed_dir, tmp_path, capsys):
    rc = main(["prepare", str(seed_dir), "--out", str(tmp_path / "s"), "--bands",
               "gamma:31-150", "--jobs", "1"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "Nyquist" in err and len(err.strip().splitlines()) == 1


@needs_readers
def test_prepare_path_with_process_pool(seed_dir, tmp_path):
    """Recordings read from files travel to worker processes and give the serial result."""
    serial = prepare(seed_dir, tmp_path / "a", jobs=1, grid=None)
    pooled = prepare(seed_dir, tmp_path / "b", jobs=2, grid=None)
    np.testing.assert_array_equal(serial.load("de"), pooled.load("de"))
    man = json.loads((tmp_path / "b" / "manifest.json").read_text())
    fp = man["recordings"][0]["source_fingerprint"]
    assert fp["size"] > 0 and len(fp["sha256_edges"]) == 64
    assert pooled.check_sources() == []


def test_cli_missing_source(tmp_path, capsys):
    rc = main(["prepare", str(tmp_path / "nope"), "--out", str(tmp_path / "s")])
    assert rc == 2
    assert "does not exist" in capsys.readouterr().err


def test_eegmmidb_generic(eegmmidb_dir, tmp_path):
    """A real EDF recording (PhysioNet EEGMMIDB, T0/T1/T2 annotations) through Recording.from_mne."""
    import mne

    from eegemo.recording import Recording

    files = sorted(eegmmidb_dir.rglob("*.edf"))[:2]
    if not files:
        pytest.skip("no EDF in eegmmidb")
    recs = []
    for f in files:
        raw = mne.io.read_raw_edf(f, preload=False, verbose="error")
        rec = Recording.from_mne(raw, label_map={"T1": 1, "T2": 2}, subject="1", source=f)
        rec.trials = [t for t in rec.trials if t.n_times >= raw.info["sfreq"]]
        recs.append(rec)
    store = prepare(recs, tmp_path / "mm", jobs=1, window=1.0, bands="theta:4-8,alpha:8-13")
    assert len(store) > 0 and store.load("de").shape[1:] == (64, 2)
    assert "de_grid" not in store.arrays or store.load("de_grid").shape[-1] == 9
    assert np.isfinite(store.load("de")).all()


@needs_readers
def test_cli_prepare_train_predict_eegmmidb_with_reader_options(eegmmidb_dir, tmp_path, capsys):
    """Imagined left vs right fist (runs 4, 8, 12, events T1/T2) from the shell, end to end."""
    store = tmp_path / "mi"
    assert main(["prepare", str(eegmmidb_dir), "--out", str(store), "--sessions", "4,8,12",
                 "--labels", "T1,T2", "--read-option", "tmin=0.5", "--duration", "3",
                 "--window", "1", "--jobs", "1"]) == 0
    st = open_store(store)
    assert st.manifest["config"]["read_options"] == {"duration": 3.0, "labels": ["T1", "T2"],
                                                     "tmin": 0.5}
    idx = st.index
    assert sorted(idx["session"].unique()) == [4, 8, 12] and set(idx["label"]) == {0, 1}
    assert len(idx[["recording", "trial"]].drop_duplicates()) == 45    # 15 T1/T2 events per run
    assert len(idx) == 45 * 3                                           # 3 s trials, 1 s windows
    assert main(["train", str(store), "--model", "logreg", "--protocol", "trial-kfold",
                 "--out", str(tmp_path / "run"), "--fit-final"]) == 0
    capsys.readouterr()
    # predict reads the new file with the store's reader options: T1/T2 trials of 3 s after 0.5 s
    out = tmp_path / "p.csv"
    assert main(["predict", str(tmp_path / "run"), str(eegmmidb_dir / "S001R08.edf"),
                 "--out", str(out)]) == 0
    import pandas as pd

    probs = pd.read_csv(out)
    assert len(probs) == 15 * 3 and set(probs["label"]) == {0, 1}
    # events asked for in another order keep the run's class numbers (matched by name), and an
    # event that is no class of the run has an empty truth
    assert main(["predict", str(tmp_path / "run"), str(eegmmidb_dir / "S001R08.edf"),
                 "--out", str(tmp_path / "swapped.csv"), "--labels", "T2,T1"]) == 0
    swapped = pd.read_csv(tmp_path / "swapped.csv")
    assert swapped["label"].tolist() == probs["label"].tolist()
    assert main(["predict", str(tmp_path / "run"), str(eegmmidb_dir / "S001R08.edf"),
                 "--out", str(tmp_path / "t0.csv"), "--labels", "T0,T1"]) == 0
    t0 = pd.read_csv(tmp_path / "t0.csv")
    assert set(t0["label"].dropna()) == {0} and t0["label"].isna().any()
    # a new recording need not hold T1/T2 events: without them it is predicted whole, unlabelled
    # (the label is empty, not -1, which would read as SEED's "negative")
    import mne

    raw = mne.io.read_raw_edf(eegmmidb_dir / "S001R08.edf", preload=True, verbose="error")
    raw.set_annotations(None)
    raw.save(tmp_path / "new_raw.fif", verbose="error")
    n_whole = int(raw.n_times / raw.info["sfreq"])
    assert main(["predict", str(tmp_path / "run"), str(tmp_path / "new_raw.fif"),
                 "--out", str(out)]) == 0
    probs = pd.read_csv(out)
    assert len(probs) == n_whole and probs["label"].isna().all()
    assert set(probs["pred_name"]) <= {"T1", "T2"}
    # --unlabelled reads a labelled file whole too, not the 3 s the training trials spanned
    assert main(["predict", str(tmp_path / "run"), str(eegmmidb_dir / "S001R08.edf"),
                 "--out", str(out), "--unlabelled"]) == 0
    probs = pd.read_csv(out)
    assert len(probs) == n_whole and probs["label"].isna().all()
    # a file of another dataset is not read with the store's reader options (labels=T1,T2 is no
    # SEED label list): what stands in the way is said, naming the file
    from eegemo.datasets.simulate import simulate

    seed = simulate("seed", tmp_path / "seed", subjects=[1], sessions=[1], duration_scale=0.01)
    mat = sorted((seed / "Preprocessed_EEG").glob("1_*.mat"))[0]
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "run"), str(mat), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert mat.name in err and "channels of the training store are missing" in err
    # and a typo in a reader option is refused, not ignored
    assert main(["prepare", str(eegmmidb_dir), "--out", str(tmp_path / "typo"),
                 "--read-option", "tmn=0.5"]) == 2
    assert "unknown option(s) tmn" in capsys.readouterr().err
    assert not (tmp_path / "typo").exists()


@needs_readers
def test_changed_source_file_detected_and_recomputed(seed_dir, tmp_path, caplog):
    import os
    import shutil

    src = tmp_path / "seed"
    shutil.copytree(seed_dir, src)
    prepare(src, tmp_path / "st", jobs=1, grid=None)
    mat = sorted((src / "Preprocessed_EEG").glob("2_*.mat"))[0]
    st = mat.stat()
    os.utime(mat, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))   # "touched" after preparing
    with caplog.at_level("WARNING", logger="eegemo"):
        store = open_store(tmp_path / "st", check_sources=True)
    assert store.check_sources() == [store.manifest["recordings"][1]["key"]]
    assert "changed since they were prepared" in caplog.text
    again = prepare(src, tmp_path / "st", jobs=1, grid=None)
    assert again.summary["computed"] == 1 and again.summary["skipped"] == 1
    assert again.check_sources() == []


@needs_readers
def test_resume_after_sigkill_equals_uninterrupted(seed_dir, tmp_path):
    """A prepare process killed (SIGKILL) in the middle of its 2nd recording resumes to the same store."""
    import os
    import subprocess
    import sys

    import pandas.testing as pdt

    ref = prepare(seed_dir, tmp_path / "ref", jobs=1, smoothing="lds")
    key = ref.manifest["recordings"][1]["key"]
    out = tmp_path / "st"
    code = ("import sys; from eegemo.store import prepare; "
            "prepare(sys.argv[1], sys.argv[2], jobs=1, smoothing='lds')")
    proc = subprocess.run([sys.executable, "-c", code, str(seed_dir), str(out)],
                          env={**os.environ, "EEGEMO_TEST_FAIL": f"{key}:3:kill"},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-2000:]
    leftovers = [p.name for p in (out / "recordings").iterdir() if p.name.startswith(".tmp-")]
    assert leftovers and json.loads((out / "manifest.json").read_text())["complete"] is False
    resumed = prepare(seed_dir, out, jobs=1, smoothing="lds")
    assert resumed.summary["computed"] == 1 and resumed.summary["skipped"] == 1
    assert not [p for p in (out / "recordings").iterdir() if p.name.startswith(".tmp-")]
    pdt.assert_frame_equal(resumed.index, ref.index)
    for name in ref.arrays:
        np.testing.assert_array_equal(resumed.load(name), ref.load(name))


def test_recordings_of_two_rates_share_a_store_when_resampled(tmp_path, caplog):
    """A 250 Hz and a 500 Hz recording: refused as they are (naming --resample), stored at one
    rate with resample=; a 10 Hz rhythm keeps its power through the resampling and the filters."""
    from eegemo.errors import DataFormatError
    from eegemo.recording import Recording, Trial

    from eegemo.channels import SEED_CHANNELS

    names = SEED_CHANNELS[:8]
    recs = []
    for subject, rate in (("1", 250.0), ("2", 500.0)):
        rng = np.random.default_rng(int(rate))
        t = np.arange(int(6 * rate)) / rate
        trials = [Trial(index=k + 1, label=k % 2, sfreq=rate, ch_names=names, n_times=len(t),
                        data=1e-6 * rng.normal(size=(8, len(t)))
                        + 20e-6 * np.sin(2 * np.pi * 10 * t) + 30e-6 * np.sin(2 * np.pi * 50 * t))
                  for k in range(4)]
        recs.append(Recording(dataset="generic", subject=subject, session=1, trials=trials,
                              label_names={0: "a", 1: "b"}, source=tmp_path / f"s{subject}.edf"))
    with pytest.raises(DataFormatError, match="different sampling rates .*--resample"):
        prepare(recs, tmp_path / "none", jobs=1, grid=None)
    with caplog.at_level("WARNING", logger="eegemo"):
        store = prepare(recs, tmp_path / "st", jobs=1, grid=None, features=("de", "raw"),
                        resample=200.0, bandpass=(1.0, 40.0), notch=50.0)
    assert "gamma" in caplog.text and "outside the band-pass" in caplog.text
    assert store.sfreq == 200.0 and store.shape("raw")[1:] == (8, 200)
    assert store.describe()["filters"] == {"bandpass": [1.0, 40.0], "notch": 50.0,
                                           "resample": 200.0}
    from eegemo.store._store import filters_text
    from eegemo.viz.report import make_report

    said = "notch 50 Hz + harmonics, band-pass 1–40 Hz, resampled to 200 Hz"
    assert filters_text(store.describe()["filters"]) == said
    assert said in make_report(tmp_path / "r.html", store=store).read_text()   # the report says it
    assert len(store) == 2 * 4 * 6
    X = store.load("raw")                                        # µV
    spec = np.abs(np.fft.rfft(X[:, :, :], axis=-1)).mean(axis=(0, 1)) * 2 / 200
    assert spec[10] == pytest.approx(20.0, rel=0.15)            # the rhythm, in both recordings
    assert spec[50] < 0.05 * 30.0                               # the line removed


@needs_readers
def test_a_selection_that_matches_nothing_lists_what_is_there(seed_dir, tmp_path, capsys):
    for extra, found in ((["--subjects", "99"], "expected subjects among 1, 2, sessions among"),
                         (["--sessions", "7"],
                          "found none for the subjects all, sessions [7] asked for"),
                         (["--sessions", "x"], "sessions must be integers")):
        assert main(["prepare", str(seed_dir), "--out", str(tmp_path / "st"), *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and found in err, err
    assert not (tmp_path / "st").exists()


def test_raw_windows_at_a_high_rate_suggest_resampling(tmp_path, caplog):
    """SEED-V's raw .cnt are 1000 Hz: raw windows as recorded are 5x the data of 200 Hz."""
    from eegemo.datasets.simulate import simulate

    src = simulate("seed-v", tmp_path / "sv", subjects=1, sessions=1, duration_scale=0.02,
                   random_state=0)
    with caplog.at_level("WARNING", logger="eegemo"):
        store = prepare(src, tmp_path / "st", features=("de", "raw"), jobs=1, grid=None)
    assert store.sfreq == 1000.0 and "raw windows at 1000 Hz" in caplog.text
    assert "--resample 200" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="eegemo"):
        store = prepare(src, tmp_path / "st2", features=("de", "raw"), jobs=1, grid=None,
                        resample=200.0)
    assert store.sfreq == 200.0 and store.shape("raw")[1:] == (62, 200)
    assert "raw windows at" not in caplog.text


@needs_readers
def test_predict_keeps_the_read_options_of_a_sibling_release(tmp_path, caplog):
    """A run on SEED-GER's 4-s DE features predicts SEED-FRA files with the same reader options
    (one reader serves both): 4-s windows, not the 1-s default."""
    from eegemo.datasets import read
    from eegemo.datasets.simulate import simulate
    from eegemo.evaluation import predict

    ger = simulate("seed-ger", tmp_path / "ger", subjects=[1], sessions=[1], duration_scale=0.02)
    fra = simulate("seed-fra", tmp_path / "fra", subjects=[1], sessions=[1], duration_scale=0.02)
    assert main(["prepare", str(ger), "--out", str(tmp_path / "st"), "--kind", "features",
                 "--read-option", "window=4s", "--jobs", "1"]) == 0
    assert main(["train", str(tmp_path / "st"), "--model", "logreg", "--protocol", "trial-kfold",
                 "--n-folds", "3", "--fit-final", "--out", str(tmp_path / "run")]) == 0
    with caplog.at_level("INFO", logger="eegemo"):
        probs = predict(tmp_path / "run", fra)
    assert "not applied" not in caplog.text
    n_4s = sum(t.n_times for r in read(fra, kind="features", window="4s") for t in r.trials)
    assert len(probs) == n_4s
