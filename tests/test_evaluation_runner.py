"""The run folder: leakage-safe folds, train-only normalisation, repeatable numbers, the CLI."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from eegemo.evaluation import evaluate, run
from eegemo.preprocess.normalize import Normalizer

N_CH, N_B = 6, 5


class FakeStore:
    """A store stand-in with the contract's attributes, built from arrays and a DataFrame."""

    def __init__(self, index: pd.DataFrame, arrays: dict[str, np.ndarray]):
        self.index = index
        self._arrays = arrays
        self.arrays = tuple(arrays)
        self.label_names = {0: "negative", 1: "neutral", 2: "positive"}
        self.ch_names = [f"C{i}" for i in range(N_CH)]
        self.bands = ()
        self.sfreq = 200.0
        self.window = 1.0
        self.manifest = {"config": {"window": 1.0}, "simulated": True}
        self.path = None

    def load(self, name, rows=None):
        a = self._arrays[name]
        return (a if rows is None else a[np.asarray(rows)]).astype(np.float32)


def make_store(n_subjects=3, n_sessions=1, n_trials=15, n_windows=5, effect=1.0, seed=0,
               row_id=False) -> FakeStore:
    """Label-dependent features plus a per-subject offset (so subject normalisation matters)."""
    rng = np.random.default_rng(seed)
    pattern = rng.normal(size=(3, N_CH, N_B))
    rows, X = [], []
    for s in range(1, n_subjects + 1):
        offset = rng.normal(scale=3.0, size=(N_CH, N_B))
        for ses in range(1, n_sessions + 1):
            for t in range(1, n_trials + 1):
                label = (t - 1) % 3
                trial_shift = rng.normal(scale=0.3, size=(N_CH, N_B))
                for w in range(n_windows):
                    rows.append({"recording": f"{s}_{ses}", "dataset": "seed", "subject": str(s),
                                 "session": ses, "trial": t, "window": w, "label": label,
                                 "start": float(w), "stop": float(w + 1), "source": f"{s}_{ses}.mat",
                                 "simulated": True})
                    X.append(offset + trial_shift + effect * pattern[label]
                             + rng.normal(size=(N_CH, N_B)))
    X = np.asarray(X, dtype=np.float32)
    if row_id:
        X[:, 0, 0] = np.arange(len(X))
    return FakeStore(pd.DataFrame(rows), {"de": X})


def test_run_writes_the_run_folder(tmp_path, caplog):
    store = make_store()
    m = run(store, LogisticRegression(max_iter=300), "seed-standard", tmp_path / "run")
    files = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"metrics.json", "per_subject.csv", "predictions.parquet", "confusion.json",
            "history.json", "checkpoints"} <= files
    saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
    for key in ("summary", "per_subject", "per_fold", "protocol", "model", "config", "versions",
                "simulated"):
        assert key in saved
    for key in ("accuracy_mean", "accuracy_std", "balanced_accuracy_mean", "f1_macro_mean",
                "kappa_mean", "n_subjects"):
        assert key in saved["summary"]
    assert saved["protocol"]["name"] == "seed-standard" and saved["simulated"] is True
    assert saved["config"]["random_state"] == 0 and saved["config"]["array"] == "de"
    assert saved["summary"]["n_subjects"] == 3 and set(saved["per_subject"]) == {"1", "2", "3"}
    # a separable problem is learned (chance is 1/3)
    assert m["summary"]["accuracy_mean"] > 0.7
    # every test window of trials 10-15 is predicted exactly once
    pred = pd.read_parquet(tmp_path / "run" / "predictions.parquet")
    expected_rows = np.flatnonzero(store.index["trial"] >= 10)
    assert sorted(pred["row"]) == expected_rows.tolist()
    assert np.allclose(pred[["proba_0", "proba_1", "proba_2"]].sum(axis=1), 1.0)
    # the files that travel alone say the data were simulated too
    import pyarrow.parquet as pq

    meta = pq.read_schema(tmp_path / "run" / "predictions.parquet").metadata
    assert meta[b"eegemo.simulated"] == b"true"
    assert json.loads((tmp_path / "run" / "confusion.json").read_text())["simulated"] is True
    # the saved numbers follow from the predictions
    acc = (pred["pred"] == pred["label"]).groupby(pred["subject"]).mean()
    assert np.isclose(acc.mean(), saved["summary"]["accuracy_mean"])
    again = evaluate(tmp_path / "run")
    assert again["consistent"] and np.isclose(again["summary"]["accuracy_mean"], acc.mean())
    # mean ± std over folds (SEED papers' over-sessions figures) beside those over subjects
    fold_acc = (pred["pred"] == pred["label"]).groupby(pred["fold"]).mean()
    assert len(fold_acc) == saved["summary"]["n_folds_scored"] == len(saved["per_fold"])
    assert np.isclose(saved["summary"]["accuracy_mean_over_folds"], fold_acc.mean())
    assert np.isclose(saved["summary"]["accuracy_std_over_folds"], fold_acc.std(ddof=1))
    assert np.isclose(again["summary"]["accuracy_std_over_folds"], fold_acc.std(ddof=1))
    # the protocol says which trials trained and tested, and how the numbers were aggregated
    assert saved["protocol"]["split"].startswith("seed: first 9 trials of each session train")
    assert "over subjects" in saved["protocol"]["aggregate"]
    # an edited metrics.json: evaluate says which figure differs, saved and recomputed
    saved["summary"]["f1_macro_mean"] = 0.5
    (tmp_path / "run" / "metrics.json").write_text(json.dumps(saved))
    with caplog.at_level("WARNING", logger="eegemo"):
        assert not evaluate(tmp_path / "run")["consistent"]
    assert "f1_macro_mean 0.500 saved" in caplog.text and "accuracy_mean" not in caplog.text
    conf = json.loads((tmp_path / "run" / "confusion.json").read_text())
    assert np.asarray(conf["matrix"]).sum() == len(pred)


def test_shuffled_labels_drop_to_chance(tmp_path):
    store = make_store(n_subjects=2, n_trials=30, effect=1.0, seed=1)
    rng = np.random.default_rng(0)
    trial_label = rng.permutation(np.arange(60 * 2) % 3)  # one random label per trial
    key = store.index.groupby(["recording", "trial"]).ngroup().to_numpy()
    store.index["label"] = trial_label[key]
    m = run(store, LogisticRegression(max_iter=300), "trial-kfold", tmp_path / "run")
    assert m["summary"]["accuracy_mean"] < 0.55


def test_normaliser_sees_training_rows_only(tmp_path, monkeypatch):
    store = make_store(n_subjects=2, row_id=True)
    seen: list[np.ndarray] = []
    original = Normalizer.fit

    def spy(self, X, groups=None):
        seen.append(np.asarray(X)[:, 0, 0].astype(int))
        return original(self, X, groups)

    monkeypatch.setattr(Normalizer, "fit", spy)
    m = run(store, LogisticRegression(max_iter=200), "seed-standard", tmp_path / "run",
            normalize="subject")
    assert len(seen) == len(m["per_fold"]) == 2
    trial = store.index["trial"].to_numpy()
    subject = store.index["subject"].to_numpy()
    for rows, (name, fold) in zip(seen, m["per_fold"].items()):
        assert (trial[rows] <= 9).all()  # training trials only, never 10-15
        assert set(subject[rows]) == {fold["subject"]}
        assert len(rows) == fold["n_train"]


def test_repeated_run_gives_identical_metrics(tmp_path):
    store = make_store(n_subjects=2)
    model = LogisticRegression(max_iter=200)
    run(store, model, "trial-kfold", tmp_path / "a", random_state=7)
    run(store, model, "trial-kfold", tmp_path / "b", random_state=7)
    a = (tmp_path / "a" / "metrics.json").read_text()
    b = (tmp_path / "b" / "metrics.json").read_text()
    assert a == b
    pa = pd.read_parquet(tmp_path / "a" / "predictions.parquet")
    pb = pd.read_parquet(tmp_path / "b" / "predictions.parquet")
    pd.testing.assert_frame_equal(pa, pb)


def test_a_pipeline_with_random_steps_repeats_to_the_same_numbers(tmp_path):
    """A Pipeline's unseeded random step gets the fold's seed (the run records those seeds); a
    step the user seeded keeps its seed."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    store = make_store(n_subjects=2)
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5))
    for out in ("a", "b"):
        run(store, pipe, "trial-kfold", tmp_path / out, random_state=3)
    a = json.loads((tmp_path / "a" / "metrics.json").read_text())
    b = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert a["per_fold"] == b["per_fold"]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "predictions.parquet"),
                                  pd.read_parquet(tmp_path / "b" / "predictions.parquet"))
    assert pipe.get_params()["randomforestclassifier__random_state"] is None   # not the caller's
    seeded = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5,
                                                                    random_state=11))
    from eegemo.evaluation.runner import _configure

    _configure(seeded, random_state=5, device=None, n_threads=None, user_params={})
    assert seeded.get_params()["randomforestclassifier__random_state"] == 11
    bare = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5))
    _configure(bare, random_state=5, device=None, n_threads=None, user_params={})
    assert bare.get_params()["randomforestclassifier__random_state"] == 5


class _Failing(LogisticRegression):
    """An estimator whose training breaks, as a model can midway through a run."""

    def fit(self, X, y, *args, **kwargs):
        raise RuntimeError("fit failed")


def test_an_earlier_run_is_never_replaced_silently(tmp_path):
    from eegemo.errors import ConfigurationError

    store = make_store(n_subjects=2)
    run(store, LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "a")
    before = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir() if p.is_file()}
    with pytest.raises(ConfigurationError, match="run folder exists"):
        run(store, LogisticRegression(C=1e-3, max_iter=200), "seed-standard", tmp_path / "a")
    assert {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir() if p.is_file()} == before
    m = run(store, LogisticRegression(max_iter=200), "seed-standard", tmp_path / "a", overwrite=True)
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["protocol"] == m["protocol"]
    assert m["protocol"]["name"] == "seed-standard"
    # overwrite replaces the run's own files only: a user's notes, a report, a store kept in
    # the run folder stay (they were deleted with the earlier run)
    (tmp_path / "a" / "NOTES.md").write_text("precious")
    (tmp_path / "a" / "mystore" / "recordings").mkdir(parents=True)
    (tmp_path / "a" / "mystore" / "manifest.json").write_text("{}")
    old_metrics = (tmp_path / "a" / "metrics.json").read_text()
    run(store, LogisticRegression(C=0.5, max_iter=200), "seed-standard", tmp_path / "a",
        overwrite=True)
    assert (tmp_path / "a" / "NOTES.md").read_text() == "precious"
    assert (tmp_path / "a" / "mystore" / "manifest.json").read_text() == "{}"
    assert (tmp_path / "a" / "metrics.json").read_text() != old_metrics
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".a.old")]
    # killed between its renames (the new run in place, the earlier one set aside): the next
    # write beside it moves the user's files back before removing what was set aside
    aside = tmp_path / ".a.old-1-deadbeef"
    aside.mkdir()
    (tmp_path / "a" / "NOTES.md").rename(aside / "NOTES.md")
    (aside / "metrics.json").write_text("stale")
    run(store, LogisticRegression(max_iter=200), "seed-standard", tmp_path / "a", overwrite=True)
    assert (tmp_path / "a" / "NOTES.md").read_text() == "precious" and not aside.exists()
    assert (tmp_path / "a" / "metrics.json").read_text() != "stale"
    # a run that fails while training: the earlier run it was to replace is intact, and a fresh
    # folder is not left half-written (runs are written aside and renamed into place)
    before = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir() if p.is_file()}
    with pytest.raises(RuntimeError, match="fit failed"):
        run(store, _Failing(), "trial-kfold", tmp_path / "a", overwrite=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir() if p.is_file()} == before
    with pytest.raises(RuntimeError, match="fit failed"):
        run(store, _Failing(), "trial-kfold", tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    # a folder that is not a run is never deleted, not even with overwrite
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.tex").write_text("precious")
    with pytest.raises(ConfigurationError, match="not a run"):
        run(store, LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "notes",
            overwrite=True)
    assert (tmp_path / "notes" / "thesis.tex").read_text() == "precious"
    # a CUDA device this machine does not have: refused before a folder is made
    import torch

    n_cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
    missing = "cuda" if n_cuda == 0 else f"cuda:{n_cuda}"
    with pytest.raises(ConfigurationError, match=f"device '{missing}' requested"):
        run(store, "ccnn", "trial-kfold", tmp_path / "c", device=missing)
    assert not (tmp_path / "c").exists()
    # an unreachable scheduler: one line, and no run folder made
    with pytest.raises(ConfigurationError, match="Dask scheduler 'nowhere': cannot connect"):
        run(store, LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "d",
            scheduler="nowhere")
    assert not (tmp_path / "d").exists()


def test_loso_run_and_parallel_folds_match(tmp_path):
    store = make_store(n_subjects=3)
    m1 = run(store, LogisticRegression(max_iter=200), "loso", tmp_path / "seq", normalize="global")
    m2 = run(store, LogisticRegression(max_iter=200), "loso", tmp_path / "par", normalize="global",
             jobs=2)
    assert [f["subject"] for f in m1["per_fold"].values()] == ["1", "2", "3"]
    for f in m1["per_fold"].values():  # trained on the two other subjects' windows only
        assert f["n_train"] == 2 * 15 * 5 and f["n_test"] == 15 * 5
    assert m1["per_subject"] == m2["per_subject"] and m1["summary"] == m2["summary"]


def test_run_on_a_selection_is_the_run_on_a_store_of_those_rows(tmp_path):
    """subjects=/sessions= make the protocol see only those rows: LOSO on session 1 of three of
    four subjects gives the same folds and numbers as a store holding nothing else, and never
    trains or tests on another subject or session."""
    from eegemo.errors import ConfigurationError

    store = make_store(n_subjects=4, n_sessions=2, row_id=True)
    m = run(store, LogisticRegression(max_iter=200), "loso", tmp_path / "sel",
            subjects=["1", "2", "03"], sessions=[1], normalize="global")
    keep = (store.index["subject"].isin(["1", "2", "3"]) & (store.index["session"] == 1)).to_numpy()
    alone = FakeStore(store.index[keep].reset_index(drop=True),
                      {"de": store._arrays["de"][keep]})
    ref = run(alone, LogisticRegression(max_iter=200), "loso", tmp_path / "ref",
              normalize="global")
    assert list(m["per_fold"]) == list(ref["per_fold"]) == ["loso/1", "loso/2", "loso/3"]
    for name, f in m["per_fold"].items():
        assert f["n_train"] + f["n_val"] == 2 * 15 * 5 and f["n_test"] == 15 * 5
        assert f["accuracy"] == ref["per_fold"][name]["accuracy"]
    assert m["per_subject"] == ref["per_subject"]
    pred = pd.read_parquet(tmp_path / "sel" / "predictions.parquet")
    assert set(pred["subject"]) == {"1", "2", "3"} and set(pred["session"]) == {1}
    # the rows are the store's own positions: the row id written into the features says so
    assert np.array_equal(store._arrays["de"][pred["row"].to_numpy(), 0, 0], pred["row"])
    # named as the store names them ("03" asked for, "3" in the store)
    assert m["protocol"]["selection"] == "subjects 1, 2, 3; session 1"
    assert m["protocol"]["split"].endswith("on subjects 1, 2, 3; session 1 of the store only")
    assert m["config"]["subjects"] == ["1", "2", "3"] and m["config"]["sessions"] == [1]
    assert ref["protocol"]["selection"] is None and ref["config"]["subjects"] is None
    from eegemo.viz import make_report

    html = make_report(tmp_path / "r.html", runs=[tmp_path / "sel", tmp_path / "ref"]).read_text()
    assert html.count("loso on subjects 1, 2, 3; session 1 only") >= 2   # table and section
    # cross-session on one session has no fold; unknown subjects and sessions are named
    for kwargs, found in (({"protocol": "cross-session", "sessions": [2]},
                           r"no subject has two or more sessions.*\(evaluating session 2 of the "
                           r"store only\)"),
                          ({"subjects": ["9", "1"]}, r"subject\(s\) 9 not in the store \(expected "
                                                    r"some of 1, 2, 3, 4\)"),
                          ({"sessions": [3]}, r"session\(s\) 3 not in the store \(expected some "
                                              r"of 1, 2\)"),
                          ({"sessions": ["one"]}, "sessions must be session numbers"),
                          ({"subjects": []}, "subjects selects nothing")):
        kwargs = {"protocol": "seed-standard", **kwargs}
        with pytest.raises(ConfigurationError, match=found):
            run(store, LogisticRegression(max_iter=200), kwargs.pop("protocol"),
                tmp_path / "bad", **kwargs)
        assert not (tmp_path / "bad").exists()


class WarningLR(LogisticRegression):
    """Logistic regression that warns through eegemo's logger in every fit (as a model would)."""

    def fit(self, X, y, **kw):
        import logging

        logging.getLogger("eegemo").warning("a fold's warning: %d training rows", len(X))
        return super().fit(X, y, **kw)


def test_warnings_of_parallel_folds_reach_the_user(tmp_path, caplog):
    """Folds run in worker processes (jobs=2) log their warnings to no one unless they are
    collected and logged again here: each fold's warning is seen once, as in a serial run."""
    store = make_store(n_subjects=2)
    for jobs, out in ((1, "seq"), (2, "par")):
        caplog.clear()
        with caplog.at_level("WARNING", logger="eegemo"):
            m = run(store, WarningLR(max_iter=200), "seed-standard", tmp_path / out, jobs=jobs)
        assert caplog.text.count("a fold's warning") == len(m["per_fold"]) == 2, jobs


def test_dask_scheduler_runs_folds(tmp_path):
    distributed = pytest.importorskip("distributed")
    store = make_store(n_subjects=2)
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        # an address (as from the CLI) gives eegemo's own client, not dask's default one
        by_address = run(store, LogisticRegression(max_iter=200), "seed-standard",
                         tmp_path / "addr", scheduler=cluster.scheduler_address)
        with distributed.Client(cluster) as client:
            m = run(store, LogisticRegression(max_iter=200), "seed-standard", tmp_path / "dask",
                    scheduler=client)
    ref = run(store, LogisticRegression(max_iter=200), "seed-standard", tmp_path / "ref")
    assert m["per_fold"] == ref["per_fold"] == by_address["per_fold"]


def test_bad_settings_are_refused(tmp_path):
    from eegemo.errors import ConfigurationError

    store = make_store(n_subjects=1)
    with pytest.raises(ConfigurationError, match="array"):
        run(store, LogisticRegression(), "seed-standard", tmp_path / "r", array="de_grid")
    with pytest.raises(ConfigurationError, match="protocol"):
        run(store, LogisticRegression(), "kfold", tmp_path / "r")
    with pytest.raises(ConfigurationError, match="normalize"):
        run(store, LogisticRegression(), "seed-standard", tmp_path / "r", normalize="trial")
    # a model seed would be overridden by the fold's seed while recorded as used: refused
    with pytest.raises(ConfigurationError, match="random_state=5.*seeds each fold's model"):
        run(store, "logreg", "seed-standard", tmp_path / "r", model_params={"random_state": 5})


def _grid_store(n_subjects=2, n_windows=6) -> FakeStore:
    store = make_store(n_subjects=n_subjects, n_windows=n_windows)
    X = store._arrays["de"]
    grid = np.zeros((len(X), N_B, 9, 9), np.float32)
    grid[:, :, 2:2 + N_CH, 2:7] = X.transpose(0, 2, 1)[..., None]
    store._arrays["de_grid"] = grid
    store.arrays = tuple(store._arrays)
    return store


@pytest.mark.parametrize("name", ["ccnn", "attention-4d"])
def test_torch_models_checkpoints_history_and_repeatability(tmp_path, name):
    pytest.importorskip("torch")
    from eegemo.models import load_model

    store = _grid_store()
    params = {"max_epochs": 2, "batch_size": 16, "n_threads": 1}
    m1 = run(store, name, "seed-standard", tmp_path / "a", model_params=params, device="cpu",
             seq_len=3 if name == "attention-4d" else None)
    m2 = run(store, name, "seed-standard", tmp_path / "b", model_params=params, device="cpu",
             seq_len=3 if name == "attention-4d" else None)
    assert (tmp_path / "a" / "metrics.json").read_text() == (tmp_path / "b" / "metrics.json").read_text()
    assert m1["config"]["array"] == "de_grid"
    history = json.loads((tmp_path / "a" / "history.json").read_text())
    assert set(history) == set(m1["per_fold"])
    for fold, f in m1["per_fold"].items():
        assert len(history[fold]) == 2 and history[fold][0]["val_loss"] is not None
        assert f["n_val_trials"] == 2 and f["n_train_trials"] == 7  # 20 % of 9 training trials
        model = load_model(tmp_path / "a" / f["checkpoint"], device="cpu")
        assert model.input_kind == ("grid_seq" if name == "attention-4d" else "grid")
    # one prediction per test window, also for sequence models (left-padded first windows)
    pred = pd.read_parquet(tmp_path / "a" / "predictions.parquet")
    assert len(pred) == int((store.index["trial"] >= 10).sum())


def test_evaluate_command_prints_the_table(tmp_path, capsys):
    from eegemo.cli import main

    run(make_store(n_subjects=2), LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "run")
    assert main(["evaluate", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "trial-kfold" in out and "mean ± std over subjects" in out and "SIMULATED" in out
    assert main(["evaluate", str(tmp_path / "nothing")]) == 2
    # damaged predictions: one line naming the file, no traceback
    path = tmp_path / "run" / "predictions.parquet"
    pred = pd.read_parquet(path)
    capsys.readouterr()
    for found, write in {"unreadable": lambda: path.write_bytes(b"xx"),
                         "found no pred": lambda: pred.drop(columns="pred").to_parquet(path),
                         "no predictions": lambda: pred.iloc[:0].to_parquet(path)}.items():
        write()
        assert main(["evaluate", str(tmp_path / "run")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(path) in err and found in err, err
    # a hand-edited metrics.json of the wrong kinds: one line from every command that reads it
    mpath = tmp_path / "run" / "metrics.json"
    good = json.loads(mpath.read_text())
    for edit, found in ((lambda m: m["summary"].update(accuracy_mean="x"), "summary accuracy_mean"),
                        (lambda m: m.update(per_subject=5), "'per_subject' as an object"),
                        (lambda m: m["config"].update(sfreq="abc"), "config sfreq")):
        m = json.loads(json.dumps(good))
        edit(m)
        mpath.write_text(json.dumps(m))
        for argv in (["evaluate", str(tmp_path / "run")], ["info", str(tmp_path / "run")],
                     ["report", str(tmp_path / "run"), "--out", str(tmp_path / "r.html")]):
            assert main(argv) == 2
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and "damaged metrics.json" in err and found in err, err


def test_cli_unwritable_outputs_are_one_line_errors(tmp_path, capsys):
    from eegemo.cli import main

    run(make_store(n_subjects=2), LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "run")
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x")
    capsys.readouterr()
    for out, found in ((tmp_path / "folder", "is a folder"),               # checked before the work
                       (tmp_path / "file.txt" / "r.html", "is a file, not a folder")):
        assert main(["report", str(tmp_path / "run"), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and found in err and "Traceback" not in err, err
    assert (tmp_path / "file.txt").read_text() == "x"


def test_cli_train_and_predict_on_a_tiny_store(tmp_path, capsys):
    store_mod = pytest.importorskip("eegemo.store")
    if not hasattr(store_mod, "prepare"):
        pytest.skip("eegemo.store.prepare is not available yet")
    from eegemo.cli import main
    from eegemo.datasets.simulate import simulate

    data = simulate("seed", tmp_path / "data", subjects=2, sessions=1, duration_scale=0.03,
                    random_state=0)
    store = store_mod.prepare(data, tmp_path / "store", features=("de",), grid="seed9x9")
    rc = main(["train", str(store.path), "--model", "logreg", "--protocol", "seed-standard",
               "--out", str(tmp_path / "run"), "--seed", "1", "--fit-final"])
    out = capsys.readouterr().out
    assert rc == 0 and "seed-standard" in out and "accuracy" in out
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert m["summary"]["n_subjects"] == 2 and m["simulated"] is True
    assert m["config"]["store_manifest_hash"]
    # options that a model cannot use are refused, not silently dropped
    for extra, found in ((["--epochs", "3"], "--epochs: model logreg is not a torch network"),
                         (["--amp"], "--amp: model logreg is not a torch network"),
                         (["--seq-len", "3"], "seq_len: model logreg takes single windows")):
        assert main(["train", str(store.path), "--model", "logreg", "--protocol", "seed-standard",
                     "--out", str(tmp_path / "other"), *extra]) == 2
        assert found in capsys.readouterr().err
    assert not (tmp_path / "other").exists()
    assert main(["train", str(store.path), "--model", "logreg", "--protocol", "seed-standard",
                 "--test-session", "2", "--out", str(tmp_path / "other")]) == 2
    assert "test_session applies to the cross-session protocol only" in capsys.readouterr().err
    # one subject of the store, from the shell
    assert main(["train", str(store.path), "--model", "logreg", "--protocol", "seed-standard",
                 "--subjects", "2", "--sessions", "1", "--out", str(tmp_path / "one")]) == 0
    one = json.loads((tmp_path / "one" / "metrics.json").read_text())
    assert list(one["per_subject"]) == ["2"] and one["protocol"]["selection"] == "subject 2; session 1"
    assert "protocol seed-standard on subject 2; session 1 of the store" in capsys.readouterr().out
    for bad, found in ((["--subjects", ","], "--subjects: selects nothing"),
                       (["--subjects", "7"], "subject(s) 7 not in the store")):
        assert main(["train", str(store.path), "--model", "logreg", "--protocol",
                     "seed-standard", "--out", str(tmp_path / "other"), *bad]) == 2
        assert found in capsys.readouterr().err
    assert not (tmp_path / "other").exists()
    # predict on one of the simulated raw recordings (the store was prepared from raw EEG)
    rec_file = sorted((Path(data) / "Preprocessed_EEG").glob("*_*.mat"))[0]
    rc = main(["predict", str(tmp_path / "run"), str(rec_file), "--out", str(tmp_path / "p.csv")])
    assert rc == 0
    probs = pd.read_csv(tmp_path / "p.csv")
    pcols = [c for c in probs.columns if c.startswith("p_")]
    assert len(pcols) == 3 and np.allclose(probs[pcols].sum(axis=1), 1.0)
    assert len(probs) > 0 and {"trial", "window", "start", "pred"} <= set(probs.columns)
    # the final model by name, as the refusal of an unknown fold lists it
    assert main(["predict", str(tmp_path / "run"), str(rec_file), "--fold", "final",
                 "--out", str(tmp_path / "f.csv")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "f.csv"), probs)
    assert main(["predict", str(tmp_path / "run"), str(rec_file), "--fold", "9/s9"]) == 2
    assert "expected one of" in capsys.readouterr().err
    # outputs that would destroy data are refused before any work: the recording read, another
    # recording or label file, a CSV that is no predictions table; predict's own table is rewritten
    before = rec_file.read_bytes()
    (tmp_path / "notes.csv").write_text("my,notes\n1,2\n")
    capsys.readouterr()
    for out, found in ((rec_file, "is the file this command reads"),
                       (rec_file.with_name("label.mat"), "would write over an existing .mat"),
                       (tmp_path / "notes.csv", "is not a table eegemo predict wrote")):
        assert main(["predict", str(tmp_path / "run"), str(rec_file), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and found in err[0] and str(out) in err[0], err
    assert rec_file.read_bytes() == before
    assert (tmp_path / "notes.csv").read_text() == "my,notes\n1,2\n"
    assert main(["predict", str(tmp_path / "run"), str(rec_file), "--out",
                 str(tmp_path / "p.csv")]) == 0
    # values whose features overflow: one line naming the file (was numpy warnings, then an
    # error without it)
    import shutil

    import scipy.io

    huge = tmp_path / "huge" / rec_file.name
    huge.parent.mkdir()
    shutil.copy(rec_file.with_name("label.mat"), huge.parent)
    mat = {k: v * 1e300 for k, v in scipy.io.loadmat(rec_file).items() if not k.startswith("__")}
    scipy.io.savemat(huge, mat)
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert main(["predict", str(tmp_path / "run"), str(huge), "--out",
                     str(tmp_path / "h.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(huge) in err[0] and "non-finite" in err[0], err
    # a damaged metrics.json: one line naming it, or the saved file that refuses the rows
    for edit, found in ((lambda c: c.update(model=5), "expected 'model' as an object"),
                        (lambda c: c["config"]["store_config"].update(bands="x"),
                         "config store_config: band 'x' is not of the form"),
                        (lambda c: c["config"].update(ch_names=[1, 2]),
                         "expected config ch_names as a list of names"),
                        (lambda c: c["config"].update(ch_names=c["config"]["ch_names"][:10]),
                         "does not take the rows computed from")):
        shutil.rmtree(tmp_path / "bad", ignore_errors=True)
        shutil.copytree(tmp_path / "run", tmp_path / "bad")
        damaged = json.loads((tmp_path / "bad" / "metrics.json").read_text())
        edit(damaged)
        (tmp_path / "bad" / "metrics.json").write_text(json.dumps(damaged))
        assert main(["predict", str(tmp_path / "bad"), str(rec_file), "--out",
                     str(tmp_path / "b.csv")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and found in err[0] and str(tmp_path / "bad") in err[0], err
    # a truncated, foreign or missing saved normaliser is refused with one line naming the file
    nz = tmp_path / "run" / m["model"]["final_normalizer"]
    good = nz.read_text()
    capsys.readouterr()
    for broken in (good[: len(good) // 2], '{"scope": "subject"}', "[1, 2]", None):
        if broken is None:
            nz.unlink()
        else:
            nz.write_text(broken)
        rc = main(["predict", str(tmp_path / "run"), str(rec_file), "--out", str(tmp_path / "q.csv")])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and str(nz) in err[0] and "normaliser" in err[0], err
    assert not (tmp_path / "q.csv").exists()


@pytest.mark.parametrize("dataset, filters", [
    ("seed", {}), ("seed", {"bandpass": (1.0, 45.0), "notch": 50.0, "resample": 128.0}),
    # continuous .cnt files: trials are conditioned with the recording around them
    ("seed-v", {"bandpass": (1.0, 45.0), "notch": 50.0, "resample": 200.0})])
def test_predict_recomputes_the_store_features(tmp_path, dataset, filters):
    store_mod = pytest.importorskip("eegemo.store")
    if not hasattr(store_mod, "prepare"):
        pytest.skip("eegemo.store.prepare is not available yet")
    from eegemo.datasets import read
    from eegemo.datasets.simulate import simulate
    from eegemo.evaluation.predict import recording_arrays

    data = simulate(dataset, tmp_path / "data", subjects=1, sessions=1, duration_scale=0.02,
                    random_state=3, features=False)
    store = store_mod.prepare(data, tmp_path / "store", features=("de", "raw"), grid="seed9x9",
                              smoothing="lds", **filters)
    if filters:   # windows of the resampled signal: one second of samples
        rate = filters["resample"]
        assert store.sfreq == rate and store.shape("raw")[1:] == (62, int(rate))
    m = run(store, LogisticRegression(max_iter=200), "seed-standard", tmp_path / "run")
    rec = read(store.index["source"].iloc[0])[0]
    for array in ("de_grid", "raw"):
        X, meta = recording_arrays(rec, m["config"], array)
        rows = np.flatnonzero(store.index["source"] == store.index["source"].iloc[0])
        ref = store.load(array, rows)
        assert X.shape == ref.shape
        np.testing.assert_allclose(X, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
        assert meta["trial"].tolist() == store.index["trial"].iloc[rows].tolist()


def test_predict_reads_what_the_run_was_trained_on(tmp_path):
    """A run trained on released features predicts released features (the same one, de_movingAve
    here), not DE recomputed from raw EEG; a run trained on raw EEG refuses released features."""
    store_mod = pytest.importorskip("eegemo.store")
    from eegemo.datasets.simulate import simulate
    from eegemo.errors import DataFormatError
    from eegemo.evaluation import predict

    data = simulate("seed", tmp_path / "data", subjects=2, sessions=1, duration_scale=0.02,
                    random_state=3)
    feat = store_mod.prepare(data, tmp_path / "feat", kind="features", feature="de_movingAve",
                             jobs=1)
    raw = store_mod.prepare(data, tmp_path / "raw", kind="raw", jobs=1)
    for name, store in (("feat", feat), ("raw", raw)):
        run(store, "logreg", "seed-standard", tmp_path / f"run-{name}", fit_final=True)
    features_file = next((data / "ExtractedFeatures").glob("1_*.mat"))
    raw_file = next((data / "Preprocessed_EEG").glob("1_*.mat"))
    probs = predict(tmp_path / "run-feat", features_file, device="cpu")
    rows = feat.index["subject"].astype(str) == "1"
    assert len(probs) == int(rows.sum())     # one row per released window of that subject
    cols = [c for c in probs.columns if c.startswith("p_")]
    same = predict(tmp_path / "run-feat", features_file, device="cpu", feature="de_movingAve")
    other = predict(tmp_path / "run-feat", features_file, device="cpu", feature="de_LDS")
    np.testing.assert_allclose(probs[cols], same[cols])          # the default is the store's feature
    assert not np.allclose(probs[cols], other[cols])
    with pytest.raises(DataFormatError):     # raw EEG for a model of released features
        predict(tmp_path / "run-feat", raw_file, device="cpu")
    with pytest.raises(DataFormatError):     # released features for a model of raw EEG
        predict(tmp_path / "run-raw", features_file, device="cpu")
    assert len(predict(tmp_path / "run-raw", raw_file, device="cpu")) == int(
        (raw.index["subject"].astype(str) == "1").sum())


def test_cli_train_sets_the_augmentation_of_a_network(tmp_path, capsys):
    store_mod = pytest.importorskip("eegemo.store")
    from eegemo.cli import main
    from eegemo.datasets.simulate import simulate
    from eegemo.models import get_model, load_model

    data = simulate("seed", tmp_path / "data", subjects=1, sessions=1, duration_scale=0.02,
                    random_state=0)
    store = store_mod.prepare(data, tmp_path / "store", features=("de",), grid="seed9x9")
    for value, expected in (("None", None), ("gain", "gain")):
        run = tmp_path / f"run-{value}"
        rc = main(["train", str(store.path), "--model", "ccnn", "--protocol", "seed-standard",
                   "--out", str(run), "--device", "cpu", "--param", f"augment={value}",
                   "--param", "filters=(4,4)", "--param", "hidden=8", "--param", "max_epochs=2"])
        assert rc == 0
        ckpts = sorted((run / "checkpoints").glob("*.pt"))
        assert ckpts and load_model(ckpts[0]).augment == expected
    assert get_model("ccnn").augment == "smooth-gain"  # the default when --param is not given


def test_cli_trains_attention_with_ccnn_body(tmp_path):
    store_mod = pytest.importorskip("eegemo.store")
    from eegemo.cli import main
    from eegemo.datasets.simulate import simulate
    from eegemo.models import load_model

    data = simulate("seed", tmp_path / "data", subjects=1, sessions=1, duration_scale=0.02,
                    random_state=0)
    store = store_mod.prepare(data, tmp_path / "store", features=("de",), grid="seed9x9")
    run_dir = tmp_path / "run"
    rc = main(["train", str(store.path), "--model", "attention-4d", "--protocol", "seed-standard",
               "--out", str(run_dir), "--device", "cpu", "--param", "body=ccnn",
               "--param", "filters=(4,4)", "--param", "dense=8", "--param", "lstm_hidden=4",
               "--param", "max_epochs=2", "--seq-len", "2"])
    assert rc == 0
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["config"]["model_params"]["body"] == "ccnn"
    assert 0 <= metrics["summary"]["accuracy_mean"] <= 1
    model = load_model(sorted((run_dir / "checkpoints").glob("*.pt"))[0])
    assert model.body == "ccnn" and model._learning_rate() == 1e-4
    assert model.module_.gate_scale == 2.0


def test_cli_trains_eegnet_with_whitening_and_fourier_surrogates(tmp_path, capsys):
    store_mod = pytest.importorskip("eegemo.store")
    from eegemo.cli import main
    from eegemo.datasets.simulate import simulate
    from eegemo.models import load_model

    data = simulate("seed", tmp_path / "data", subjects=1, sessions=1, duration_scale=0.02,
                    random_state=0)
    store = store_mod.prepare(data, tmp_path / "store", features=("de", "raw"), grid="seed9x9")
    run_dir = tmp_path / "run"
    rc = main(["train", str(store.path), "--model", "eegnet", "--protocol", "seed-standard",
               "--out", str(run_dir), "--device", "cpu", "--param", "whiten=true",
               "--param", "augment=ft-surrogate", "--param", "augment_strength=0.5",
               "--param", "max_epochs=2", "--param", "F1=2", "--param", "D=1"])
    assert rc == 0
    ckpts = sorted((run_dir / "checkpoints").glob("*.pt"))
    model = load_model(ckpts[0])
    assert model.whiten is True and model.augment == "ft-surrogate"
    assert model.augment_strength == 0.5
    gain = model.module_.whiten_gain.cpu().numpy()
    assert gain.shape[0] == 62 and not np.allclose(gain, 1.0)  # fitted on the training windows
    rec_file = sorted(p for p in (Path(data) / "Preprocessed_EEG").glob("*.mat")
                      if "label" not in p.name)[0]  # raw EEG: the whitening filter is applied
    rc = main(["predict", str(run_dir), str(rec_file), "--out", str(tmp_path / "p.csv")])
    assert rc == 0
    probs = pd.read_csv(tmp_path / "p.csv")
    pcols = [c for c in probs.columns if c.startswith("p_")]
    assert len(probs) > 0 and np.allclose(probs[pcols].sum(axis=1), 1.0)


def test_the_one_array_of_a_kind_stands_in_for_the_default():
    from eegemo.evaluation.runner import _other_array

    assert _other_array("features", ("psd", "psd_grid")) == "psd"
    assert _other_array("grid", ("psd", "psd_grid")) == "psd_grid"
    assert _other_array("grid_seq", ("psd", "psd_grid", "raw")) == "psd_grid"
    assert _other_array("image", ("psd", "psd_image")) == "psd_image"
    assert _other_array("features", ("bird",)) == "bird"
    assert _other_array("features", ("psd", "bird")) is None       # two candidates: ask, not guess
    assert _other_array("raw", ("psd",)) is None
    assert _other_array("grid", ("bird",)) is None


def test_predict_on_a_file_of_another_rate_says_so(tmp_path, caplog):
    """DE of a 400 Hz export of a 200 Hz SEED session: predicted (band powers need no common rate)
    with a warning naming both rates; raw windows would be refused."""
    store_mod = pytest.importorskip("eegemo.store")
    from eegemo.datasets import read
    from eegemo.datasets.simulate import simulate
    from eegemo.errors import DataFormatError
    from eegemo.evaluation import predict

    data = simulate("seed", tmp_path / "data", subjects=2, sessions=1, duration_scale=0.02,
                    random_state=3)
    store = store_mod.prepare(data, tmp_path / "store", features=("de", "raw"), jobs=1)
    run(store, "logreg", "seed-standard", tmp_path / "run", fit_final=True)
    run(store, LogisticRegression(max_iter=200), "seed-standard", tmp_path / "run-raw",
        array="raw", fit_final=True)
    raw = read(next((data / "Preprocessed_EEG").glob("1_*.mat")))[0].to_mne()
    raw.resample(400.0, verbose="error").save(tmp_path / "s1_raw.fif", verbose="error")
    with caplog.at_level("WARNING", logger="eegemo"):
        probs = predict(tmp_path / "run", tmp_path / "s1_raw.fif", device="cpu")
    assert len(probs) > 0 and "400 Hz, the training store's windows were 200 Hz" in caplog.text
    with pytest.raises(DataFormatError, match="sampling rate differs"):
        predict(tmp_path / "run-raw", tmp_path / "s1_raw.fif", device="cpu")


def test_loso_normalisation_scales_every_subject_alike(tmp_path, monkeypatch, caplog):
    """Under LOSO the held-out subject has no training statistics: the default (auto) scales all
    subjects with the pooled statistics, and transductive runs give it its own (features only)."""
    store = make_store(n_subjects=4, seed=3)
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    original = Normalizer.fit_unlabelled

    def spy(self, X, groups):
        seen.append((np.asarray(X).copy(), np.asarray(groups)))
        return original(self, X, groups)

    monkeypatch.setattr(Normalizer, "fit_unlabelled", spy)
    auto = run(store, LogisticRegression(max_iter=300), "loso", tmp_path / "auto")
    assert auto["config"]["normalize"] == "global" and auto["config"]["normalize_requested"] == "auto"
    assert auto["protocol"]["normalize"] == "global" and auto["protocol"]["transductive"] is False
    assert not seen   # nothing transductive unless asked

    with caplog.at_level("WARNING", logger="eegemo"):
        subj = run(store, LogisticRegression(max_iter=300), "loso", tmp_path / "subj",
                   normalize="subject")
    assert "pooled training statistics" in caplog.text and "--transductive" in caplog.text

    trans = run(store, LogisticRegression(max_iter=300), "loso", tmp_path / "trans",
                transductive=True)
    assert trans["config"]["normalize"] == "subject" and trans["protocol"]["transductive"] is True
    assert trans["protocol"]["transductive_groups"] == ["1", "2", "3", "4"]
    assert "transductive" in trans["protocol"]["transductive_note"]
    # each fold's unlabelled statistics come from its test subject's rows only
    assert len(seen) == 4
    subject = store.index["subject"].to_numpy()
    X = store.load("de")
    for (Xs, groups), (name, fold) in zip(seen, trans["per_fold"].items()):
        assert set(groups) == {fold["subject"]} and len(Xs) == fold["n_test"]
        np.testing.assert_array_equal(Xs, X[subject == fold["subject"]])
    nz = json.loads((tmp_path / "trans" / next(iter(trans["per_fold"].values()))["normalizer"]).read_text())
    assert [k for k, v in nz["groups"].items() if v["transductive"]] == ["1"]
    # per-subject offsets (3 sd) swamp the emotion effect unless each subject is centred on its own
    best = max(subj["summary"]["accuracy_mean"], auto["summary"]["accuracy_mean"])
    assert trans["summary"]["accuracy_mean"] > best + 0.05 and trans["summary"]["accuracy_mean"] > 0.95
    from eegemo.evaluation import format_metrics

    assert "z-scored per subject (transductive)" in format_metrics(trans)
    assert "NOTE: transductive normalisation" in format_metrics(trans)
    assert "z-scored globally" in format_metrics(auto)
    # transductive statistics need a per-group scope
    from eegemo.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="transductive normalisation needs"):
        run(store, LogisticRegression(), "loso", tmp_path / "bad", normalize="global",
            transductive=True)
    assert not (tmp_path / "bad").exists()


def test_auto_normalisation_keeps_per_subject_within_subjects(tmp_path):
    from eegemo.evaluation.runner import resolve_normalize

    assert resolve_normalize("auto", "seed-standard") == "subject"
    assert resolve_normalize("auto", "trial-kfold") == "subject"
    assert resolve_normalize("auto", "cross-session") == "subject"
    assert resolve_normalize("auto", "cross-session", transductive=True) == "session"
    assert resolve_normalize("auto", "loso") == "global"
    assert resolve_normalize(None, "loso") is None
    m = run(make_store(n_subjects=2), LogisticRegression(max_iter=200), "seed-standard",
            tmp_path / "r")
    assert m["config"]["normalize"] == "subject"


def test_predict_on_a_subject_the_run_never_saw(tmp_path, monkeypatch, caplog, capsys):
    """A new subject gets the pooled training statistics (said), or, with --transductive, its own."""
    store_mod = pytest.importorskip("eegemo.store")
    from eegemo.cli import main
    from eegemo.datasets.simulate import simulate

    data = simulate("seed", tmp_path / "data", subjects=2, sessions=1, duration_scale=0.03,
                    random_state=2)
    store = store_mod.prepare(data, tmp_path / "store", features=("de",), grid="seed9x9")
    for scope in ("subject", "global"):
        assert main(["train", str(store.path), "--model", "logreg", "--protocol", "seed-standard",
                     "--out", str(tmp_path / scope), "--fit-final", "--normalize", scope]) == 0
    # make subject 1 unknown to the final model's normaliser: a recording of a new subject
    m = json.loads((tmp_path / "subject" / "metrics.json").read_text())
    nz = tmp_path / "subject" / m["model"]["final_normalizer"]
    saved = json.loads(nz.read_text())
    del saved["groups"]["1"]
    nz.write_text(json.dumps(saved))
    rec_file = sorted((Path(data) / "Preprocessed_EEG").glob("1_*.mat"))[0]

    scaled: list[np.ndarray] = []
    original = Normalizer.transform

    def spy(self, X, groups=None):
        scaled.append(original(self, X, groups))
        return scaled[-1]

    monkeypatch.setattr(Normalizer, "transform", spy)
    with caplog.at_level("WARNING", logger="eegemo"):
        assert main(["predict", str(tmp_path / "subject"), str(rec_file),
                     "--out", str(tmp_path / "p.csv")]) == 0
    assert "subject 1 not in the training data" in caplog.text and "--transductive" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="eegemo"):
        assert main(["predict", str(tmp_path / "subject"), str(rec_file), "--transductive",
                     "--out", str(tmp_path / "t.csv")]) == 0
    assert "not in the training data" not in caplog.text
    pooled, own = scaled
    # its own statistics centre the file's windows; the pooled ones leave its offset
    assert np.abs(own.mean(axis=0)).max() < 1e-4
    assert np.abs(pooled.mean(axis=0)).max() > 0.05
    assert len(pd.read_csv(tmp_path / "t.csv")) == len(own)
    capsys.readouterr()
    rc = main(["predict", str(tmp_path / "global"), str(rec_file), "--transductive",
               "--out", str(tmp_path / "g.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "transductive normalisation needs" in err[0]
    assert not (tmp_path / "g.csv").exists()


def test_an_estimator_without_probabilities_is_refused_before_training(tmp_path):
    from sklearn.linear_model import RidgeClassifier

    from eegemo.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="RidgeClassifier has no predict_proba"):
        run(make_store(n_subjects=2), RidgeClassifier(), "seed-standard", tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_string_labels_and_a_class_absent_from_a_test_side(tmp_path):
    """Labels need not be integers; a class missing from a subject's test trials is not scored 0."""
    st = make_store(n_subjects=2, n_windows=3, effect=4.0)
    names = {0: "neg", 1: "neu", 2: "pos"}
    st.index["label"] = st.index["label"].map(names).astype("string")
    # subject 1's test trials hold no "pos" clip: its pos test trials become copies of a neg one
    s1 = (st.index["subject"] == "1").to_numpy()
    neg = np.flatnonzero(s1 & (st.index["trial"] == 10).to_numpy())
    for t in (12, 15):
        pos = np.flatnonzero(s1 & (st.index["trial"] == t).to_numpy())
        st._arrays["de"][pos] = st._arrays["de"][neg]
        st.index.loc[pos, "label"] = "neg"
    st.label_names = {}
    m = run(st, LogisticRegression(max_iter=500), "seed-standard", tmp_path / "run")
    pred = pd.read_parquet(tmp_path / "run" / "predictions.parquet")
    assert set(pred["pred"]) <= {"neg", "neu", "pos"} and {"proba_neg", "proba_pos"} <= set(pred)
    s1 = m["per_subject"]["1"]
    assert s1["accuracy"] == 1.0 and s1["f1_macro"] == 1.0      # perfect: F1 1, not 2/3
    assert evaluate(tmp_path / "run")["consistent"]


def test_predict_uses_the_subjects_own_folds(tmp_path):
    """Under a within-subject protocol a file of a subject the run has folds of is judged by that
    subject's models alone: the others never saw the subject, their normalisers hold none of it."""
    store_mod = pytest.importorskip("eegemo.store")
    from eegemo.cli import main
    from eegemo.datasets.simulate import simulate

    data = simulate("seed", tmp_path / "data", subjects=2, sessions=1, duration_scale=0.03,
                    random_state=2)
    store = store_mod.prepare(data, tmp_path / "store", features=("de",), grid="seed9x9")
    assert main(["train", str(store.path), "--model", "logreg", "--protocol", "seed-standard",
                 "--out", str(tmp_path / "run")]) == 0
    folds = json.loads((tmp_path / "run" / "metrics.json").read_text())["per_fold"]
    own = [n for n, f in folds.items() if f["subject"] == "1"]
    assert len(folds) == 2 and len(own) == 1
    rec_file = sorted((Path(data) / "Preprocessed_EEG").glob("1_*.mat"))[0]
    for args, out in (([], "all.csv"), (["--fold", own[0]], "own.csv")):
        assert main(["predict", str(tmp_path / "run"), str(rec_file),
                     "--out", str(tmp_path / out), *args]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "all.csv"),
                                  pd.read_csv(tmp_path / "own.csv"))
    # a folder of both subjects: each subject's windows by its own folds, as file by file
    # (the folder's rows, then the two files' rows, in the same order)
    assert main(["predict", str(tmp_path / "run"), str(Path(data) / "Preprocessed_EEG"),
                 "--out", str(tmp_path / "folder.csv")]) == 0
    files = sorted((Path(data) / "Preprocessed_EEG").glob("*_*.mat"))
    for k, f in enumerate(files):
        assert main(["predict", str(tmp_path / "run"), str(f),
                     "--out", str(tmp_path / f"file{k}.csv")]) == 0
    folder = pd.read_csv(tmp_path / "folder.csv")
    one_by_one = pd.concat([pd.read_csv(tmp_path / f"file{k}.csv") for k in range(len(files))],
                           ignore_index=True)
    key = ["subject", "trial", "window"]
    folder = folder.sort_values(key, ignore_index=True)
    one_by_one = one_by_one.sort_values(key, ignore_index=True)
    assert set(folder["subject"].astype(str)) == {"1", "2"}
    pcols = [c for c in folder.columns if c.startswith("p_")]
    np.testing.assert_allclose(folder[pcols].to_numpy(), one_by_one[pcols].to_numpy(), atol=1e-9)
    assert (folder["pred"] == one_by_one["pred"]).all()


def test_predict_matches_subjects_by_value_as_selections_do():
    """A recording whose reader spells its subject "1" is judged by the folds of the run's
    subject "01" (numbers compare by value, as --subjects does), not by every subject's folds."""
    from eegemo.evaluation.predict import _model_groups

    metrics = {"protocol": {"name": "seed-standard"},
               "per_fold": {"s01": {"subject": "01"}, "s02": {"subject": "02"}}}
    meta = pd.DataFrame({"subject": ["1", "1", "7", "02"]})
    groups = _model_groups(metrics, None, meta)
    assert [(m.tolist(), s) for m, s in groups] == [
        ([False, False, False, True], "02"), ([True, True, False, False], "01"),
        ([False, False, True, False], None)]


def test_predict_refuses_eegmmidb_runs_of_another_task(eegmmidb_dir, tmp_path, capsys):
    """A run trained on eegmmidb's left/right-fist runs would call a fists/feet run's events by
    names that mean other things there: refused (prepare refuses such a mix too); the same run
    is predicted, runs of a folder are selected with --sessions, and --unlabelled predicts
    another task's windows without its truth."""
    from eegemo.cli import main
    from eegemo.store import prepare

    prepare(eegmmidb_dir, tmp_path / "store", features=("de",), sessions=(4, 8, 12),
            read_options={"labels": ["T1", "T2"]})
    assert main(["train", str(tmp_path / "store"), "--model", "logreg", "--protocol",
                 "trial-kfold", "--out", str(tmp_path / "run")]) == 0
    capsys.readouterr()
    run_dir = str(tmp_path / "run")
    assert main(["predict", run_dir, str(eegmmidb_dir / "S001R06.edf"),
                 "--out", str(tmp_path / "p6.csv")]) == 2
    err = capsys.readouterr().err
    assert ("S001R06.edf: eegmmidb runs [6] (T1/T2 = both_fists / both_feet) are another task "
            "than the run's training runs [4, 8, 12]") in err and "--unlabelled" in err
    assert not (tmp_path / "p6.csv").exists()
    assert main(["predict", run_dir, str(eegmmidb_dir / "S001R06.edf"), "--unlabelled",
                 "--out", str(tmp_path / "p6.csv")]) == 0
    assert pd.read_csv(tmp_path / "p6.csv")["label"].isna().all()
    assert main(["predict", run_dir, str(eegmmidb_dir), "--sessions", "8,12",
                 "--out", str(tmp_path / "p.csv")]) == 0
    probs = pd.read_csv(tmp_path / "p.csv")
    assert sorted(probs["session"].unique()) == [8, 12] and probs["label"].notna().all()
    # the report names the real data behind the numbers, and says one subject has no spread
    from eegemo.viz import make_report

    html = make_report(tmp_path / "r.html", runs=[tmp_path / "run"]).read_text()
    assert "generic: eegmmidb (real), 2 classes, chance 0.50" in html
    assert "one subject: no mean or spread over subjects" in html and "band: ± std" not in html


def test_predict_says_when_the_eegmmidb_task_cannot_be_checked(eegmmidb_dir, tmp_path, capsys,
                                                                caplog):
    """A run whose predictions.parquet is damaged (cut short): the check that a new eegmmidb run
    is the training runs' task was skipped without a word, and a fists/feet run was predicted
    with the left/right-fist class names; now a warning says the check could not be made."""
    from eegemo.cli import main
    from eegemo.store import prepare

    prepare(eegmmidb_dir, tmp_path / "store", features=("de",), sessions=(4, 8, 12),
            read_options={"labels": ["T1", "T2"]})
    assert main(["train", str(tmp_path / "store"), "--model", "logreg", "--protocol",
                 "trial-kfold", "--out", str(tmp_path / "run")]) == 0
    pq = tmp_path / "run" / "predictions.parquet"
    pq.write_bytes(pq.read_bytes()[:100])
    capsys.readouterr()
    with caplog.at_level("WARNING", logger="eegemo"):
        main(["predict", str(tmp_path / "run"), str(eegmmidb_dir / "S001R06.edf"),
              "--out", str(tmp_path / "p6.csv")])
    said = caplog.text + capsys.readouterr().err
    assert "predictions.parquet is unreadable" in said and "eegmmidb runs [6]" in said


def test_unreadable_metrics_with_an_empty_message_is_one_line(tmp_path, monkeypatch):
    """An error without a message while reading metrics.json (``OSError()``) is named by its
    type: quoting its first line was an IndexError of ``"".splitlines()[0]``."""
    from eegemo.errors import ConfigurationError, first_line

    assert first_line(ValueError("Expecting value: line 1\nmore")) == "Expecting value: line 1"
    assert first_line(OSError()) == "OSError"
    (tmp_path / "metrics.json").write_text("{}")
    real = Path.read_text

    def read_text(self, *args, **kwargs):
        if self.name == "metrics.json":
            raise OSError()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    with pytest.raises(ConfigurationError, match=r"unreadable metrics.json \(OSError\)$"):
        evaluate(tmp_path)
