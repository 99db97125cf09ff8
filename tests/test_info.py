"""``summarize`` / ``format_summary``, ``Store.describe`` and the ``eegemo info`` command."""

from __future__ import annotations

import json
from collections import Counter

import mne
import numpy as np
import pytest

from eegemo.cli import main
from eegemo.datasets.info import format_summary, summarize
from eegemo.recording import Recording, Trial

mne.set_log_level("error")


def _never(*_):
    raise AssertionError("summarize must not load trial data")


def _recording(subject, session, labels, n_times, sfreq=200.0):
    trials = [Trial(index=i + 1, label=lab, sfreq=sfreq, ch_names=("FP1", "FPZ"), n_times=n,
                    loader=_never) for i, (lab, n) in enumerate(zip(labels, n_times))]
    return Recording(dataset="seed", subject=subject, session=session, trials=trials,
                     label_names={-1: "negative", 0: "neutral", 1: "positive"},
                     source=f"{subject}_{session}.mat", simulated=True)


def test_summarize_recordings_without_loading():
    recs = [_recording("2", 1, [1, 0, -1], [400, 600, 200]),
            _recording("10", 2, [1, 1], [200, 200]),
            _recording("2", 2, [0], [1000])]
    d = summarize(recs)
    assert d["dataset"] == "seed" and d["simulated"] is True and d["kind"] == "raw"
    assert d["n_recordings"] == 3 and d["subjects"] == ["2", "10"] and d["sessions"] == [1, 2]
    assert d["n_trials"] == 6 and d["n_channels"] == 2 and d["sfreq"] == 200.0
    assert d["total_duration_s"] == pytest.approx(2600 / 200)
    assert d["mean_trial_duration_s"] == pytest.approx(2600 / 200 / 6, abs=1e-3)
    assert d["min_trial_duration_s"] == 1.0 and d["max_trial_duration_s"] == 5.0
    assert d["labels"] == {"negative": 1, "neutral": 2, "positive": 3}
    text = format_summary(d)
    assert "SIMULATED" in text and "positive: 3" in text and "200 Hz" in text
    json.dumps(d)  # serialisable


def test_summarize_eegmmidb_folder(eegmmidb_dir):
    d = summarize(eegmmidb_dir, dataset="generic")
    counts = Counter()
    for f in sorted(eegmmidb_dir.glob("*.edf")):
        counts.update(mne.io.read_raw_edf(f).annotations.description)
    assert d["n_recordings"] == d["n_files"] == 12
    assert d["subjects"] == ["S001"] and d["sessions"] == list(range(3, 15))
    assert d["n_trials"] == sum(counts.values()) and d["labels"] == dict(sorted(counts.items()))
    assert d["n_channels"] == 64 and d["sfreq"] == 160.0 and not d["simulated"]
    assert 4.1 <= d["mean_trial_duration_s"] <= 4.2
    assert d["ch_names"][:3] == ["FC5", "FC3", "FC1"]


def test_cli_info_file_json_and_text(eegmmidb_dir, capsys):
    assert main(["info", str(eegmmidb_dir / "S001R04.edf"), "--json", "--labels", "T1,T2"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["dataset"] == "generic" and d["n_trials"] == 15
    assert set(d["labels"]) == {"T1", "T2"} and d["events"]["T0"] == 15
    assert main(["info", str(eegmmidb_dir / "S001R08.edf")]) == 0
    out = capsys.readouterr().out
    assert "160 Hz" in out and "T0: 15" in out and "S001" in out


def test_cli_info_unlabelled_file_and_errors(fixtures_dir, tmp_path, capsys):
    assert main(["info", str(fixtures_dir / "CNT" / "scan41_short.cnt"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    # 128 channels less HEOG and VEOGR (EOGs by their names)
    assert d["unlabelled_trials"] == 1 and d["n_channels"] == 126 and d["sfreq"] == 400.0
    assert d["events"] == {"7": 3, "109": 2, "0": 1}
    assert d["total_duration_s"] == pytest.approx(3070 / 400, abs=1e-3)
    # events found but not cut (zero-length triggers, no --duration): the text says why
    assert set(d["unlabelled_because"]) == {"scan41_short.cnt"}
    assert "zero duration" in d["unlabelled_because"]["scan41_short.cnt"]
    assert main(["info", str(fixtures_dir / "CNT" / "scan41_short.cnt")]) == 0
    text = capsys.readouterr().out
    assert "not cut" in text and "scan41_short.cnt: the 6 selected event(s) have zero duration" \
        in text and "--duration" in text
    assert main(["info", str(fixtures_dir / "CNT" / "scan41_short.cnt"), "--duration", "0.5",
                 "--json"]) == 0
    cut = json.loads(capsys.readouterr().out)
    assert cut["unlabelled_trials"] == 0 and cut["unlabelled_because"] == {}
    assert main(["info", str(tmp_path / "missing")]) == 2
    assert "not found" in capsys.readouterr().err
    (tmp_path / "x.txt").write_text("nothing")
    assert main(["info", str(tmp_path)]) == 2
    assert "unknown dataset layout" in capsys.readouterr().err


def test_cli_info_simulated_seed(tmp_path, capsys):
    simulate = pytest.importorskip("eegemo.datasets.simulate")
    out = simulate.simulate("seed", tmp_path / "seed", subjects=1, sessions=1, duration_scale=0.01,
                            features=False, random_state=0)
    assert main(["info", str(out), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["dataset"] == "seed" and d["simulated"] is True and d["n_channels"] == 62
    assert d["n_trials"] == 15 and sum(d["labels"].values()) == 15
    assert np.isclose(d["sfreq"], 200.0)


def test_cli_info_on_a_prepared_store(tmp_path, capsys):
    simulate = pytest.importorskip("eegemo.datasets.simulate")
    from eegemo.store import prepare

    src = simulate.simulate("seed", tmp_path / "seed", subjects=2, sessions=1, duration_scale=0.02,
                            random_state=0)
    raw = prepare(src, tmp_path / "st", features=("de", "raw"), overlap=0.5, jobs=1)
    assert main(["info", str(tmp_path / "st"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    idx = raw.index
    assert d["dataset"] == "seed" and d["simulated"] is True and d["n_recordings"] == 2
    assert d["n_windows"] == len(idx) and d["subjects"] == ["1", "2"] and d["sessions"] == [1]
    assert d["n_trials"] == len(idx[["recording", "trial"]].drop_duplicates()) == 30
    assert d["window_s"] == 1.0 and d["overlap_s"] == 0.5 and d["sfreq"] == 200.0
    assert d["arrays"] == {"de": [62, 5], "de_grid": [5, 9, 9], "raw": [62, 200]}
    assert set(d["units"]) == {"de", "raw"}
    names = raw.label_names
    assert d["labels"] == {names[k]: v for k, v in Counter(idx["label"]).items()}
    assert main(["info", str(tmp_path / "st")]) == 0
    text = capsys.readouterr().out
    assert "eegemo store" in text and "SIMULATED" in text and f"{len(idx)} of 1 s, overlap 0.5 s" in text
    # released features: no sampling rate of a signal
    feat = prepare(src, tmp_path / "ft", kind="features", jobs=1)
    assert main(["info", str(feat.path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["sfreq"] is None and d["kind"] == "features" and d["n_windows"] == len(feat.index)
    assert main(["info", str(feat.path)]) == 0 and "rate         -" in capsys.readouterr().out


def test_cli_info_on_run_folders_and_hints_for_the_wrong_folder(tmp_path, capsys):
    """info describes the run folders too; a store, run or dataset given where another kind is
    expected is named in the one-line error, with the command it is for."""
    simulate = pytest.importorskip("eegemo.datasets.simulate")
    pytest.importorskip("torch")
    from sklearn.linear_model import LogisticRegression

    from eegemo.evaluation import run, train_generator
    from eegemo.store import prepare

    src = simulate.simulate("seed", tmp_path / "seed", subjects=2, sessions=1, duration_scale=0.02,
                            random_state=0)
    store = prepare(src, tmp_path / "st", features=("de",), jobs=1)
    metrics = run(store, LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "rec", n_folds=3)
    train_generator(store, "wgan-4d", tmp_path / "gen", epochs=1,
                    params={"width": 4, "latent_dim": 4}, device="cpu", verbose=False)
    capsys.readouterr()
    assert main(["info", str(tmp_path / "rec")]) == 0
    text = capsys.readouterr().out
    assert "recognition run" in text and "trial-kfold" in text and "SIMULATED" in text
    assert f"{metrics['summary']['accuracy_mean']:6.3f}" in text
    assert main(["info", str(tmp_path / "rec"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == metrics["summary"]
    assert main(["info", str(tmp_path / "gen")]) == 0
    text = capsys.readouterr().out
    assert "generator run" in text and "wgan-4d" in text and store.manifest_hash in text
    assert main(["info", str(tmp_path / "gen"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["model"] == "wgan-4d"
    # the wrong kind of folder: the error says what it is and what it is for
    for argv, found in ((["prepare", str(tmp_path / "st"), "--out", str(tmp_path / "x")],
                         "found an eegemo store"),
                        (["train", str(tmp_path / "seed"), "-m", "svm", "-p", "loso", "-o",
                          str(tmp_path / "x")], "but a seed dataset; prepare it first"),
                        (["train-generator", str(tmp_path / "gen"), "-m", "wgan-4d", "-o",
                          str(tmp_path / "x")], "but a generator run")):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and found in err, err
    assert not (tmp_path / "x").exists()
    # a run folder that lost the file it is recognised by is still named a run, with that file
    import shutil

    for run_dir, lost, kind in (("rec", "metrics.json", "recognition run"),
                                ("gen", "generator.pt", "generator run"),
                                ("gen", "config.json", "generator run")):
        damaged = tmp_path / f"{run_dir}-{lost}"
        shutil.copytree(tmp_path / run_dir, damaged)
        (damaged / lost).unlink()
        assert main(["info", str(damaged)]) == 2
        err = capsys.readouterr().err.strip()
        assert f"{damaged}: damaged {kind}: {lost} missing" in err and len(err.splitlines()) == 1
    # a folder holding only common names of run files is not taken for a run
    (tmp_path / "notes").mkdir()
    for name in ("config.json", "history.json"):
        (tmp_path / "notes" / name).write_text("{}")
    assert main(["info", str(tmp_path / "notes")]) == 2
    assert "unknown dataset layout" in capsys.readouterr().err


def test_cli_info_names_a_store_a_killed_overwrite_set_aside(tmp_path, capsys):
    """The store path is missing after a prepare --overwrite killed before its folder was made:
    info names the earlier store set aside beside it (not "unknown dataset"/"path not found"
    alone)."""
    import os

    simulate = pytest.importorskip("eegemo.datasets.simulate")
    from eegemo.store import prepare

    src = simulate.simulate("seed", tmp_path / "seed", subjects=1, sessions=1, duration_scale=0.02,
                            random_state=0)
    prepare(src, tmp_path / "st", features=("de",), jobs=1)
    os.rename(tmp_path / "st", tmp_path / ".st.old-deadbeef")
    capsys.readouterr()
    assert main(["info", str(tmp_path / "st")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{tmp_path / 'st'}: path not found" in err and len(err.splitlines()) == 1
    assert ".st.old-deadbeef" in err and "next `eegemo prepare`" in err


def test_cli_output_into_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    simulate = pytest.importorskip("eegemo.datasets.simulate")
    src = simulate.simulate("seed", tmp_path / "seed", subjects=1, sessions=1, duration_scale=0.01,
                            features=False, random_state=0)
    # `eegemo info ... | head -0`: the reader is gone before the command writes
    proc = subprocess.Popen([sys.executable, "-m", "eegemo.cli", "info", str(src), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
