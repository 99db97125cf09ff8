"""The Bird "Feeling Emotions" emotions.csv reader on a small table written like the Kaggle file."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from eegemo.datasets import bird
from eegemo.errors import DataFormatError


def _columns() -> list[str]:
    """Feature names in the Kaggle file's style (a subset of its ~2548 columns)."""
    cols = [f"mean_{i}_a" for i in range(5)] + [f"mean_d_{i}_a" for i in range(10)]
    cols += [f"stddev_{i}_a" for i in range(5)] + [f"covmat_{i}_a" for i in range(25)]
    cols += [f"eigen_{i}_a" for i in range(5)] + [f"fft_{i}_b" for i in range(30)]
    return cols


def write_emotions(path, n=30, seed=0, **edits):
    rng = np.random.default_rng(seed)
    cols = _columns()
    X = rng.normal(10, 5, (n, len(cols))).round(3)
    labels = rng.choice(["POSITIVE", "NEUTRAL", "NEGATIVE"], n)
    df = pd.DataFrame(X, columns=cols)
    df["label"] = labels
    for (r, c), v in edits.get("cells", {}).items():
        df[c] = df[c].astype(object)
        df.loc[r, c] = v
    df = df.rename(columns={"mean_0_a": "# mean_0_a"})
    if edits.get("drop_label"):
        df = df.drop(columns="label")
    df.to_csv(path, index=False)
    return X, labels


def test_read_rows_as_feature_trials(tmp_path):
    path = tmp_path / "emotions.csv"
    X, labels = write_emotions(path)
    assert bird.detect(path) and bird.detect(tmp_path)
    (rec,) = bird.read(tmp_path)
    assert rec.dataset == "bird" and rec.kind == "features" and rec.feature == "bird"
    assert len(rec) == 30 and rec.extra["columns"][0] == "mean_0_a"
    assert rec.extra["channels"] == ("TP9", "AF7", "AF8", "TP10")
    t = rec.trials[7]
    assert t.load().shape == (1, X.shape[1], 1) and t.ch_names == tuple(rec.extra["columns"])
    np.testing.assert_allclose(t.load()[0, :, 0], X[7])
    want = Counter({"POSITIVE": 1, "NEUTRAL": 0, "NEGATIVE": -1}[s] for s in labels)
    assert Counter(rec.labels) == want
    assert rec.label_names == {1: "positive", 0: "neutral", -1: "negative"}


def test_read_table(tmp_path):
    path = tmp_path / "emotions.csv"
    X, labels = write_emotions(path, n=12, seed=3)
    Xd, y = bird.read_table(path)
    assert Xd.shape == X.shape and list(Xd.columns) == _columns()
    np.testing.assert_allclose(Xd.to_numpy(), X)
    assert list(y) == list(labels)


def test_bad_tables(tmp_path):
    p = tmp_path / "a.csv"
    write_emotions(p, drop_label=True)
    with pytest.raises(DataFormatError, match="no label column"):
        bird.read(p)
    write_emotions(p, cells={(4, "fft_3_b"): "abc"})
    with pytest.raises(DataFormatError, match=r"non-numeric cell in column 'fft_3_b'.*row 6"):
        bird.read(p)
    write_emotions(p, cells={(2, "mean_1_a"): np.nan})
    with pytest.raises(DataFormatError, match="NaN/inf.*mean_1_a"):
        bird.read(p)
    write_emotions(p, cells={(0, "label"): "ANGRY"})
    with pytest.raises(DataFormatError,
                       match=r"unknown label.*column .label. \(first in row 2\).*ANGRY"):
        bird.read(p)
    write_emotions(p)
    p.write_text(p.read_text() + "1.0,2.0,3.0\n")
    with pytest.raises(DataFormatError, match=r"first in row 32.*blank: a short or truncated row"):
        bird.read(p)
    with pytest.raises(DataFormatError, match="not found"):
        bird.read(tmp_path / "nope.csv")
    assert not bird.detect(tmp_path / "nope.csv")


def test_dispatcher_and_info_see_bird(tmp_path):
    from eegemo.datasets import detect_dataset, read
    from eegemo.datasets.info import summarize

    write_emotions(tmp_path / "emotions.csv", n=9)
    assert detect_dataset(tmp_path) == "bird"
    (rec,) = read(tmp_path)
    d = summarize([rec])
    assert d["dataset"] == "bird" and d["n_trials"] == 9 and d["kind"] == "features"
    assert d["total_duration_s"] is None and sum(d["labels"].values()) == 9
    from eegemo.datasets.info import format_summary

    rate = next(line for line in format_summary(d).splitlines() if line.startswith("rate"))
    assert "windows/s" not in rate and "no signal" in rate      # a table, not a 1-Hz signal


def test_bird_table_from_the_shell_to_a_run(tmp_path, capsys):
    """prepare the table, then train a feature model without naming the array: the store's only
    feature array ('bird') is read, as 'de' would be for SEED."""
    import json

    from eegemo.cli import main

    write_emotions(tmp_path / "emotions.csv", n=60)
    assert main(["prepare", str(tmp_path / "emotions.csv"), "--out", str(tmp_path / "st")]) == 0
    capsys.readouterr()
    assert main(["info", str(tmp_path / "st")]) == 0      # no SEED bands or session -1 claimed
    text = capsys.readouterr().out
    assert "- (one value per feature)" in text and "- (none in the source)" in text
    assert "delta" not in text and "table rows (no signal" in text and "of 1 s" not in text
    assert main(["train", str(tmp_path / "st"), "--model", "logreg", "--protocol", "trial-kfold",
                 "--out", str(tmp_path / "run")]) == 0
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert m["config"]["array"] == "bird" and m["summary"]["n_subjects"] == 1
    assert "no trial structure" in m["protocol"]["note"]               # said, not hidden
    out = capsys.readouterr().out
    assert "NOTE: the Bird table has no trial structure" in out
    assert "row-level splits" in out and "trial-disjoint" not in out      # the header agrees
    assert main(["report", str(tmp_path / "run"), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    assert "splits are made of rows, not trials" in page and "made of whole trials" not in page
    # predict: the table's rows in, one probability row per table row out
    import pandas as pd

    assert main(["predict", str(tmp_path / "run"), str(tmp_path / "emotions.csv"), "--out",
                 str(tmp_path / "p.csv")]) == 0
    probs = pd.read_csv(tmp_path / "p.csv")
    assert len(probs) == 60 and {"p_negative", "p_neutral", "p_positive"} <= set(probs.columns)
    assert "no trial structure" in (tmp_path / "r.html").read_text()
    # columns are matched by name, as channels are: a table with two columns swapped predicts the
    # same; one with a column missing is refused naming the file (they were taken by position)
    table = pd.read_csv(tmp_path / "emotions.csv")
    cols = list(table.columns)
    cols[2], cols[3] = cols[3], cols[2]
    (tmp_path / "swapped").mkdir()
    table[cols].to_csv(tmp_path / "swapped" / "emotions.csv", index=False)
    assert main(["predict", str(tmp_path / "run"), str(tmp_path / "swapped" / "emotions.csv"),
                 "--out", str(tmp_path / "s.csv")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s.csv").drop(columns="recording"),
                                  probs.drop(columns="recording"))
    (tmp_path / "fewer").mkdir()
    table.drop(columns=cols[3]).to_csv(tmp_path / "fewer" / "emotions.csv", index=False)
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "run"), str(tmp_path / "fewer" / "emotions.csv"),
                 "--out", str(tmp_path / "f.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("eegemo predict: error:") and "fewer" in err and cols[3] in err, err
    # a grid model cannot read it: one line naming the arrays there and --array
    capsys.readouterr()
    assert main(["train", str(tmp_path / "st"), "--model", "ccnn", "--protocol", "trial-kfold",
                 "--out", str(tmp_path / "run2")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "found bird" in err and "--array" in err
