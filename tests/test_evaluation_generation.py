"""Generator runs on a store (eegemo.evaluation.generation): training into a run folder, exports to
.npy/FIF/EDF, synth-eval, the CLI, and the errors a user meets on the way."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from eegemo.errors import ConfigurationError  # noqa: E402


pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    pytest.importorskip("zarr")
    from eegemo.datasets.simulate import simulate
    from eegemo.store import prepare

    root = tmp_path_factory.mktemp("genstore")
    src = simulate("seed", root / "sim", subjects=2, sessions=1, duration_scale=0.02,
                   features=False, random_state=0)
    return prepare(src, root / "store", features=("de", "raw"), kind="raw", jobs=1)


def test_train_generate_export_and_synth_eval(tiny_store, tmp_path):
    import mne

    from eegemo.evaluation.generation import generate, synth_eval, train_generator

    store = tiny_store
    run = train_generator(store, "wgan-raw", tmp_path / "run", epochs=2,
                          params={"width": 4, "latent_dim": 4, "n_up": 2}, device="cpu",
                          verbose=False)
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["simulated"] is True and cfg["array"] == "raw" and cfg["holdout"] == "seed-standard"
    assert len(json.loads((run / "history.json").read_text())) == 2
    train, hold = np.load(run / "train_rows.npy"), np.load(run / "holdout_rows.npy")
    idx = store.index
    tr_trials = set(zip(idx.subject[train], idx.trial[train]))
    ho_trials = set(zip(idx.subject[hold], idx.trial[hold]))
    assert tr_trials and ho_trials and not tr_trials & ho_trials     # whole trials held out
    n_times = int(store.shape("raw")[2])

    npy = generate(run, "positive", 3, tmp_path / "x.npy")
    X = np.load(npy)
    assert X.shape == (3,) + tuple(store.shape("raw")[1:])
    raw = mne.io.read_raw_fif(generate(run, "positive", 3, tmp_path / "x_raw.fif"), preload=True,
                              verbose="error")
    assert raw.ch_names == list(store.ch_names) and raw.info["sfreq"] == store.sfreq
    assert raw.n_times == 3 * n_times and raw.get_montage() is not None
    np.testing.assert_allclose(raw.get_data(), X.transpose(1, 0, 2).reshape(len(raw.ch_names), -1)
                               * 1e-6, rtol=1e-5, atol=1e-12)
    assert list(raw.annotations.description) == ["positive"] * 3
    edf = mne.io.read_raw_edf(generate(run, "negative", 2, tmp_path / "x.edf"), preload=True,
                              verbose="error")
    assert edf.ch_names == list(store.ch_names) and edf.info["sfreq"] == store.sfreq
    assert edf.n_times == 2 * n_times
    epochs = mne.read_epochs(generate(run, "neutral", 4, tmp_path / "x-epo.fif"), verbose="error")
    assert len(epochs) == 4 and epochs.ch_names == list(store.ch_names)
    assert list(epochs.event_id) == ["neutral"]

    # generate writes recordings itself: it may replace its own earlier export; its JSON may not
    generate(run, "neutral", 2, tmp_path / "x-epo.fif")
    with pytest.raises(ConfigurationError, match="would take .* GiB in memory"):
        generate(run, "neutral", 10 ** 12, tmp_path / "big.npy")   # refused before sampling
    assert not (tmp_path / "big.npy").exists()
    for bad, found in ((dict(aug_ratio=-1), "aug_ratio"), (dict(aug_ratio=float("nan")), "aug_ratio"),
                       (dict(max_rows=0), "max_rows")):   # refused before the evaluation runs
        with pytest.raises(ConfigurationError, match=found):
            synth_eval(run, store, tmp_path / "m.json", fid_model="features", **bad)
    with pytest.raises(ConfigurationError, match="would write over an existing .fif"):
        synth_eval(run, store, tmp_path / "x-epo.fif", fid_model="features")
    res = synth_eval(run, store, tmp_path / "m.json", fid_model="features")
    on_disk = json.loads((tmp_path / "m.json").read_text())
    for key in ("c2st", "psd_distance", "topomap_correlation", "fid", "tstr", "trtr",
                "augmentation_gain", "diversity", "config", "protocol", "simulated"):
        assert key in on_disk, key
    assert 0.0 <= res["c2st"] <= 1.0 and res["psd_distance"] >= 0 and res["simulated"] is True
    assert set(res["augmentation_gain"]["per_subject"]) == set(idx.subject.astype(str))
    assert res["real_rows_seen_by_generator"] is False
    # the real-vs-real floor: two sets of real trials are far closer than a 1-epoch generator's output
    assert 0.0 <= res["c2st_real_floor"] <= 1.0
    assert 0.0 <= res["psd_distance_real_floor"] < res["psd_distance"]
    assert res["real_floor_method"] == "training windows drawn like the samples"
    # wgan-raw restores each emotion's spectrum by construction: the PSD distance says it ranks nothing
    assert "condition_spectrum on" in res["psd_distance_note"]
    with pytest.raises(ConfigurationError, match="exists"):
        train_generator(store, "wgan-raw", run, epochs=1)


def test_failed_retraining_keeps_the_earlier_generator_run(tiny_store, tmp_path, monkeypatch):
    import eegemo.evaluation.generation as runner

    run = runner.train_generator(tiny_store, "dense-gan", tmp_path / "run", epochs=1,
                                 params={"hidden": (8,), "latent_dim": 4}, device="cpu")
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    make = runner.get_generator

    def breaking(*args, **kwargs):
        gen = make(*args, **kwargs)

        def fit(*a, **k):
            raise RuntimeError("fit failed")

        gen.fit = fit
        return gen

    monkeypatch.setattr(runner, "get_generator", breaking)
    with pytest.raises(RuntimeError, match="fit failed"):
        runner.train_generator(tiny_store, "dense-gan", run, epochs=1, overwrite=True)
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_retraining_keeps_the_users_files_but_not_the_old_evaluation(tiny_store, tmp_path):
    """--overwrite of a generator run keeps what the user put there, but not the earlier
    generator's synth-eval results, which info and the report would show as the new one's."""
    from eegemo.evaluation.generation import train_generator

    run = train_generator(tiny_store, "dense-gan", tmp_path / "g", epochs=1,
                          params={"hidden": (8,), "latent_dim": 4}, device="cpu")
    (run / "synth_eval.json").write_text('{"c2st": 0.77}')
    (run / "NOTES.md").write_text("precious")
    train_generator(tiny_store, "dense-gan", run, epochs=1, overwrite=True,
                    params={"hidden": (8,), "latent_dim": 3}, device="cpu")
    assert (run / "NOTES.md").read_text() == "precious"
    assert not (run / "synth_eval.json").exists()


def test_cli_train_generate_synth_eval(tiny_store, tmp_path, capsys):
    from eegemo.cli import main

    store = str(tiny_store.path)
    run = tmp_path / "dg"
    assert main(["train-generator", store, "--model", "dense-gan", "--out", str(run), "--epochs",
                 "2", "--param", "hidden=(16,16)", "--param", "latent_dim=4", "--device",
                 "cpu"]) == 0
    assert "dense-gan on de_grid" in capsys.readouterr().out
    assert main(["generate", str(run), "--emotion", "positive", "--n", "3", "--out",
                 str(tmp_path / "g.npy")]) == 0
    assert np.load(tmp_path / "g.npy").shape == (3, 5, 9, 9)
    assert main(["generate", str(run), "--emotion", "positive", "--n", "3", "--out",
                 str(tmp_path / "g.edf")]) == 2
    assert "raw windows" in capsys.readouterr().err
    # without --out, the results go into the run folder, where info and the report read them
    assert main(["synth-eval", str(run), store, "--no-augmentation"]) == 0
    assert f"metrics: {run / 'synth_eval.json'}" in capsys.readouterr().out
    res = json.loads((run / "synth_eval.json").read_text())
    assert res["augmentation_gain"] is None and "ccnn" in res["fid_features"]
    assert res["c2st_folds"] == "trials"
    # the report names what judged the generator, and marks a C2ST of window-level folds (older runs)
    from eegemo.viz.report import make_report

    (run / "synth_eval.json").write_text(json.dumps(res))
    page = make_report(tmp_path / "r.html", store=tiny_store, generator_runs=[run]).read_text()
    assert "held-out trials of the seed-standard protocol" in page and "window-level" not in page
    # the metrics table names each measure: FID's feature space, TSTR's chance, a gain not computed
    assert res["n_classes"] == 3
    assert "FID (on ccnn penultimate layer" in page and "TSTR accuracy (train on synthetic, test " \
        "on real; chance 0.33)" in page
    assert "augmentation gain (accuracy with minus without synthetic windows)</td><td>not " \
        "computed" in page.replace("\n", "").replace(" <", "<")
    del res["c2st_folds"]
    (run / "synth_eval.json").write_text(json.dumps(res))
    page = make_report(tmp_path / "r.html", store=tiny_store, generator_runs=[run]).read_text()
    assert "dense-gan (window-level C2ST)" in page and "cross-validated over windows" in page
    (run / "synth_eval.json").unlink()
    page = make_report(tmp_path / "r.html", store=tiny_store, generator_runs=[run]).read_text()
    assert "not judged yet: run eegemo synth-eval" in page                # not a row of dashes
    assert "(SIMULATED data)" in page.split("Results at a glance")[1]     # flagged in the summary
    assert main(["generate", str(tmp_path / "nothing"), "--emotion", "0", "--out",
                 str(tmp_path / "z.npy")]) == 2
    assert "nothing: path not found" in capsys.readouterr().err
    # a hand-edited config.json of the wrong kinds: one line, not an AttributeError
    cfg_text = (run / "config.json").read_text()
    (run / "config.json").write_text(json.dumps({**json.loads(cfg_text), "label_names": 5}))
    assert main(["info", str(run)]) == 2
    assert "damaged run configuration (expected label_names as dict" in capsys.readouterr().err
    (run / "config.json").write_text(cfg_text)
    # the two kinds of run folder, each given to the other kind's command: one line that says so
    assert main(["evaluate", str(run)]) == 2
    assert "it is a generator run: use `eegemo synth-eval" in capsys.readouterr().err
    # a store given where a run goes: the error says what it is and where it goes
    assert main(["predict", store, str(tmp_path / "g.npy")]) == 2
    assert "it is a store (of `eegemo prepare`)" in capsys.readouterr().err
    assert main(["report", store, "--out", str(tmp_path / "r.html")]) == 2
    assert "it is a store: give it as --store STORE" in capsys.readouterr().err
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "metrics.json").write_text("5")
    assert main(["evaluate", str(tmp_path / "rec")]) == 2
    assert "not a recognition run" in capsys.readouterr().err
    (tmp_path / "rec" / "metrics.json").write_bytes(b"\xff")
    assert main(["evaluate", str(tmp_path / "rec")]) == 2
    assert "unreadable metrics.json" in capsys.readouterr().err
    assert main(["generate", str(tmp_path / "rec"), "-e", "0", "--out", str(tmp_path / "z.npy")]) == 2
    assert "a recognition run of `eegemo train`" in capsys.readouterr().err
    # a damaged row list of the run: one line naming the file, no output written
    rows = run / "holdout_rows.npy"
    good = rows.read_bytes()
    damaged = {"missing": None, "not a .npy file": b"garbage\n", "unreadable": good[:60]}
    for found, content in damaged.items():
        rows.unlink(missing_ok=True)
        if content is not None:
            rows.write_bytes(content)
        out = tmp_path / f"bad_{len(content or b'')}.json"
        assert main(["synth-eval", str(run), store, "--out", str(out), "--no-augmentation"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(rows) in err and found in err, err
        assert not out.exists()
    assert main(["synth-eval", str(run), store, "--out", str(tmp_path)]) == 2   # a folder
    assert "is a folder" in capsys.readouterr().err
    np.save(rows, np.array([0, 10**6]))
    assert main(["synth-eval", str(run), store, "--out", str(tmp_path / "far.json")]) == 2
    assert "row outside the store" in capsys.readouterr().err




def test_generate_output_names_and_counts(tiny_store, tmp_path, capsys):
    import mne

    from eegemo.cli import main
    from eegemo.evaluation.generation import generate, train_generator

    run = train_generator(tiny_store, "wgan-raw", tmp_path / "run", epochs=1,
                          params={"width": 4, "latent_dim": 4, "n_up": 2}, device="cpu",
                          verbose=False)
    # zero windows used to reach MNE ("tmin (0) and tmax (None) yielded no samples")
    for n in (0, -1, 2.5, True):
        with pytest.raises(ConfigurationError, match="positive integer"):
            generate(run, "positive", n, tmp_path / "z.fif")
    capsys.readouterr()
    assert main(["generate", str(run), "-e", "positive", "--n", "0", "--out",
                 str(tmp_path / "z.fif")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    # MNE refuses upper-case FIF names and NumPy appends .npy to X.NPY: refused before sampling
    for name in ("z.FIF", "z.NPY", "z.tar.gz", "z"):
        with pytest.raises(ConfigurationError, match="unsupported output format"):
            generate(run, "positive", 2, tmp_path / name)
    raw = mne.io.read_raw_fif(generate(run, "positive", 2, tmp_path / "z.fif.gz"), verbose="error")
    assert raw.n_times == 2 * int(tiny_store.shape("raw")[2])
    epochs = mne.read_epochs(generate(run, "positive", 2, tmp_path / "z_epo.fif.gz"),
                             verbose="error")
    assert len(epochs) == 2
    # a file merely ending in "epo.fif" is a Raw, as MNE names it
    assert isinstance(mne.io.read_raw_fif(generate(run, "positive", 2, tmp_path / "repo.fif"),
                                          verbose="error"), mne.io.BaseRaw)
    assert mne.io.read_raw_edf(generate(run, "positive", 2, tmp_path / "Z.EDF"),
                               verbose="error").n_times == raw.n_times
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "Z.EDF", "repo.fif", "z.fif.gz", "z_epo.fif.gz"]
    # the CLI prints the file written (the label name is logged, not the value given)
    capsys.readouterr()
    assert main(["generate", str(run), "-e", "1", "--n", "2", "--out",
                 str(tmp_path / "v.npy")]) == 0
    assert capsys.readouterr().out.strip() == f"file: {tmp_path / 'v.npy'}"


def test_synth_eval_refuses_a_store_prepared_again(tmp_path):
    from eegemo.datasets.simulate import simulate
    from eegemo.evaluation.generation import synth_eval, train_generator
    from eegemo.store import prepare

    src = simulate("seed", tmp_path / "sim", subjects=2, sessions=1, duration_scale=0.02,
                   features=False, random_state=0)
    store = prepare(src, tmp_path / "store", features=("de",), kind="raw", jobs=1)
    run = train_generator(store, "wgan-4d", tmp_path / "run", epochs=1,
                          params={"width": 4, "latent_dim": 4}, device="cpu", verbose=False)
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["store_manifest_hash"] == store.manifest_hash
    # same rows, same shapes, other features: the row lists still fit, the numbers would not
    again = prepare(src, tmp_path / "store", features=("de",), kind="raw", smoothing="lds", jobs=1,
                    overwrite=True)
    assert len(again) == len(store) and again.manifest_hash != store.manifest_hash
    with pytest.raises(ConfigurationError, match="not the store run .* was trained on"):
        synth_eval(run, again, tmp_path / "m.json", augmentation=False, fid_model="features")
    assert not (tmp_path / "m.json").exists()
    # a run written before the hash was recorded is still read (its rows are checked only)
    del cfg["store_manifest_hash"]
    (run / "config.json").write_text(json.dumps(cfg))
    res = synth_eval(run, again, None, augmentation=False, fid_model="features")
    assert 0.0 <= res["c2st"] <= 1.0


def test_holdout_keeps_folds_that_leave_training_trials():
    """SEED: every session's last trials are held out; k-fold protocols (trial-kfold, SEED-V's
    blocks) hold out one fold per subject, never all trials."""
    import pandas as pd

    from eegemo.evaluation.generation import _holdout_folds, _split_rows

    def index(dataset, n_sessions, n_trials):
        return pd.DataFrame([{"recording": f"{s}_{ses}", "dataset": dataset, "subject": str(s),
                              "session": ses, "trial": t, "window": w, "label": (t - 1) % 5}
                             for s in (1, 2) for ses in range(1, n_sessions + 1)
                             for t in range(1, n_trials + 1) for w in range(2)])

    seed_v = index("seed-v", 3, 15)
    train, hold, names = _split_rows(seed_v, "seed-standard", 0)
    assert names == ["1/block1", "2/block1"]
    assert sorted(seed_v.iloc[hold]["trial"].unique()) == [1, 2, 3, 4, 5]
    assert sorted(seed_v.iloc[train]["trial"].unique()) == list(range(6, 16))
    assert len(np.intersect1d(train, hold)) == 0 and len(train) + len(hold) == len(seed_v)
    seed = index("seed", 2, 15)
    assert [f.name for f in _holdout_folds(seed, "seed-standard", 0)] == \
        ["1/s1", "1/s2", "2/s1", "2/s2"]
    assert [f.name for f in _holdout_folds(seed, "trial-kfold", 0)] == ["1/fold0", "2/fold0"]


def test_the_real_floor_stands_in_training_windows_drawn_like_the_samples():
    """The floor replaces the samples by real training windows of the same emotion (and subject for
    a subject-conditioned generator), so it measures what a generator reproducing its training
    data would score, not the training side's other label mix (SEED-IV's session-1 hold-out has
    no sad clip)."""
    from eegemo.evaluation.generation import _drawn_like

    rng = np.random.default_rng(0)
    labels = np.array([0] * 10 + [1] * 10 + [2] * 4 + [0] * 3 + [2] * 3)
    subj = np.array(["a"] * 24 + ["b"] * 6)
    pool, rows = np.arange(24), np.arange(24, 30)      # held out: subject b, labels 0 and 2 only
    got = _drawn_like(rows, pool, labels, None, rng)
    assert set(got) <= set(pool) and (labels[got] == labels[rows]).all()
    assert len(set(got)) == len(got)                      # without replacement while it lasts
    by_subject = _drawn_like(rows, np.arange(30)[::-1][:27], labels, subj, rng)   # b's own rows
    assert (subj[by_subject] == "b").all() and (labels[by_subject] == labels[rows]).all()
    fallback = _drawn_like(rows, pool, labels, subj, rng)   # b has no training rows: label only
    assert (labels[fallback] == labels[rows]).all()



def test_generator_on_band_powers_models_log_powers(tmp_path):
    """On a psd array the runner trains the feature generators on log powers: every generated power
    is positive, so the PSD distance is a real number of dB, not log10 of a clipped zero."""
    pytest.importorskip("zarr")
    from eegemo.datasets.simulate import simulate
    from eegemo.evaluation.generation import generate, synth_eval, train_generator
    from eegemo.store import prepare

    src = simulate("seed", tmp_path / "sim", subjects=1, sessions=1, duration_scale=0.02,
                   features=False, random_state=0)
    store = prepare(src, tmp_path / "store", features=("psd",), kind="raw", jobs=1)
    run = train_generator(store, "dense-gan", tmp_path / "run", epochs=1, array="psd",
                          params={"hidden": 16, "latent_dim": 4}, device="cpu", verbose=False)
    assert json.loads((run / "config.json").read_text())["params"]["log_scale"] is True
    assert (np.load(generate(run, "positive", 50, tmp_path / "x.npy")) > 0).all()
    res = synth_eval(run, store, tmp_path / "se.json", fid_model="features", augmentation=False)
    assert 0 <= res["psd_distance"] < 100
    kept = train_generator(store, "dense-gan", tmp_path / "run2", epochs=1, array="psd",
                           params={"hidden": 16, "latent_dim": 4, "log_scale": False},
                           device="cpu", verbose=False)
    assert json.loads((kept / "config.json").read_text())["params"]["log_scale"] is False
    # psd grids hold zeros in their empty cells: no log there
    grid = train_generator(store, "wgan-4d", tmp_path / "run3", epochs=1, array="psd_grid",
                           params={"width": 4, "latent_dim": 4}, device="cpu", verbose=False)
    assert json.loads((grid / "config.json").read_text())["params"]["log_scale"] is False


def test_psd_distance_note_follows_the_numbers():
    """'Near its floor by construction' only where it is; 3.1 dB against 0.5 says the opposite."""
    from eegemo.evaluation.generation import psd_distance_note

    assert "sits near its real floor" in psd_distance_note(["condition_spectrum"], 0.6, 0.5)
    note = psd_distance_note(["condition_spectrum"], 3.107, 0.509)
    assert "yet the PSD distance is 3.11 dB against a real floor of 0.51" in note
    assert "sits near" not in note


def test_bad_epochs_are_refused_before_anything_is_logged(tiny_store, tmp_path, capsys):
    """--epochs 0 is one line on stderr, with no 'run:'/'training' info line before it."""
    from eegemo.cli import main

    for argv, said in ((["train", str(tiny_store.path), "-m", "ccnn", "-p", "seed-standard",
                         "--out", str(tmp_path / "r"), "--epochs", "0"],
                        "ccnn: max_epochs must be a positive int, found 0"),
                       (["train-generator", str(tiny_store.path), "--model", "dense-gan", "--out",
                         str(tmp_path / "g"), "--epochs", "0"],
                        "dense-gan: epochs must be a positive int, found 0")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert said in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r").exists() and not (tmp_path / "g").exists()
