"""Protocols are made of whole trials; the leakage guard catches window-level splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eegemo.errors import ConfigurationError, EegemoError
from eegemo.evaluation.splits import LeakageError, check_no_leakage, split


def make_index(n_subjects=3, n_sessions=2, n_trials=15, n_windows=4, dataset="seed",
               seed=0) -> pd.DataFrame:
    """A store-like window index; window counts vary per trial, labels cycle over 3 emotions."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(1, n_subjects + 1):
        for ses in range(1, n_sessions + 1):
            rec = f"{s}_{ses}"
            for t in range(1, n_trials + 1):
                for w in range(n_windows + int(rng.integers(0, 3))):
                    rows.append({"recording": rec, "dataset": dataset, "subject": str(s),
                                 "session": ses, "trial": t, "window": w, "label": (t - 1) % 3})
    return pd.DataFrame(rows)


def trial_keys(index, rows):
    sub = index.iloc[rows]
    return set(zip(sub["recording"], sub["trial"]))


def test_seed_standard_uses_first_nine_trials_for_seed():
    index = make_index()
    folds = list(split(index, "seed-standard", val_fraction=0.2))
    assert len(folds) == 3 * 2  # one per subject and session
    for f in folds:
        train = index.iloc[np.union1d(f.train_rows, f.val_rows)]
        test = index.iloc[f.test_rows]
        assert sorted(train["trial"].unique()) == list(range(1, 10))
        assert sorted(test["trial"].unique()) == list(range(10, 16))
        # one recording (= subject and session) per fold, and the fold's subject
        assert train["recording"].nunique() == 1 and set(test["recording"]) == set(train["recording"])
        assert set(test["subject"]) == {f.subject}


@pytest.mark.parametrize("dataset,n_trials,n_train", [
    ("seed-iv", 24, 16), ("generic", 10, 6),
    # the train/test boundary of the released DE files of SEED-GER / SEED-FRA / Multimodal Chinese
    ("seed-ger", 18, 12), ("seed-fra", 21, 12), ("seed-multimodal-chinese", 15, 9)])
def test_seed_standard_other_datasets(dataset, n_trials, n_train):
    index = make_index(n_subjects=2, n_sessions=1, n_trials=n_trials, dataset=dataset)
    for f in split(index, "seed-standard"):
        train_trials = sorted(index.iloc[np.union1d(f.train_rows, f.val_rows)]["trial"].unique())
        assert train_trials == list(range(1, n_train + 1))
        assert index.iloc[f.test_rows]["trial"].min() == n_train + 1


def test_seed_standard_is_seed_v_three_folds_of_trial_blocks():
    """SEED-V's published protocol: fold k tests trials 5k-4..5k of every session."""
    index = make_index(n_subjects=2, n_sessions=3, n_trials=15, dataset="seed-v")
    folds = list(split(index, "seed-standard", val_fraction=0.2))
    assert [f.name for f in folds] == [f"{s}/block{k}" for s in "12" for k in (1, 2, 3)]
    for k, f in enumerate(folds):
        block = range(5 * (k % 3) + 1, 5 * (k % 3) + 6)
        test = index.iloc[f.test_rows]
        train = index.iloc[np.union1d(f.train_rows, f.val_rows)]
        assert set(test["subject"]) == set(train["subject"]) == {f.subject}
        for ses in (1, 2, 3):   # one block of every session tests, the other two train
            assert sorted(test.loc[test["session"] == ses, "trial"].unique()) == list(block)
            assert sorted(train.loc[train["session"] == ses, "trial"].unique()) == \
                [t for t in range(1, 16) if t not in block]
        check_no_leakage(index, np.union1d(f.train_rows, f.val_rows), f.test_rows)
    # every window of a subject is tested exactly once over its three folds
    tested = np.concatenate([f.test_rows for f in folds])
    assert len(tested) == len(np.unique(tested)) == len(index)
    # train_trials asks for the first-trials split instead; a session without 15 trials is refused
    (first, *_) = split(index, "seed-standard", train_trials=9)
    assert index.iloc[first.test_rows]["trial"].min() == 10 and first.name == "1/s1"
    short = index[~((index["subject"] == "2") & (index["session"] == 3) & (index["trial"] == 15))]
    with pytest.raises(ConfigurationError, match="subject 2 session 3 has 14 trial"):
        list(split(short.reset_index(drop=True), "seed-standard"))


def test_seed_standard_train_trials_override_and_errors():
    index = make_index(n_subjects=1, n_sessions=1)
    (f,) = split(index, "seed-standard", train_trials=12)
    assert index.iloc[f.test_rows]["trial"].min() == 13
    with pytest.raises(ConfigurationError, match="train_trials"):
        list(split(index, "seed-standard", train_trials=15))
    with pytest.raises(ConfigurationError, match="protocol"):
        list(split(index, "window-kfold"))
    with pytest.raises(ConfigurationError, match="loso"):
        list(split(index, "loso"))
    with pytest.raises(ConfigurationError, match="cross-session"):
        list(split(index, "cross-session"))
    with pytest.raises(ConfigurationError, match="label"):
        list(split(index.drop(columns="label"), "loso"))


def test_guard_catches_window_level_split():
    from sklearn.model_selection import KFold

    index = make_index(n_subjects=1, n_sessions=1)
    train, test = next(KFold(5, shuffle=True, random_state=0).split(np.zeros(len(index))))
    with pytest.raises(LeakageError, match="both the train and the test"):
        check_no_leakage(index, train, test)
    assert issubclass(LeakageError, EegemoError)
    # the same guard accepts a trial-level split
    f = next(split(index, "trial-kfold"))
    check_no_leakage(index, np.union1d(f.train_rows, f.val_rows), f.test_rows)
    # and a subject-level check for LOSO
    with pytest.raises(LeakageError, match="subject"):
        idx2 = make_index(n_subjects=2, n_sessions=1)
        s1 = np.flatnonzero((idx2["subject"] == "1") & (idx2["trial"] <= 5))
        s1b = np.flatnonzero((idx2["subject"] == "1") & (idx2["trial"] > 5))
        check_no_leakage(idx2, s1, s1b, subject_disjoint=True)


@pytest.mark.parametrize("protocol", ["seed-standard", "trial-kfold", "cross-session", "loso"])
def test_every_protocol_is_made_of_whole_trials(protocol):
    index = make_index()
    folds = list(split(index, protocol, random_state=3))
    assert folds and len({f.name for f in folds}) == len(folds)
    tid = index["recording"] + "#" + index["trial"].astype(str)
    for f in folds:
        sides = [f.train_rows, f.val_rows, f.test_rows]
        for a in range(3):  # rows disjoint, trials disjoint between every pair of sides
            for b in range(a + 1, 3):
                assert not set(sides[a]) & set(sides[b])
                assert not set(tid.iloc[sides[a]]) & set(tid.iloc[sides[b]])
        for side in sides:  # every trial that appears brings all of its windows
            keys = set(tid.iloc[side])
            assert len(side) == int(tid.isin(keys).sum())
        check_no_leakage(index, np.union1d(f.train_rows, f.val_rows), f.test_rows,
                         subject_disjoint=protocol == "loso")
    # the folds are a function of the seed only
    again = list(split(index, protocol, random_state=3))
    assert all(np.array_equal(a.val_rows, b.val_rows) and np.array_equal(a.test_rows, b.test_rows)
               for a, b in zip(folds, again))


def test_trial_kfold_tests_each_trial_once_and_is_stratified():
    index = make_index(n_subjects=2, n_sessions=1, n_trials=15)
    folds = list(split(index, "trial-kfold", n_folds=5))
    assert len(folds) == 2 * 5
    for subject in ("1", "2"):
        tested = [trial_keys(index, f.test_rows) for f in folds if f.subject == subject]
        all_trials = trial_keys(index, np.flatnonzero(index["subject"] == subject))
        assert set().union(*tested) == all_trials and sum(map(len, tested)) == len(all_trials)
    for f in folds:  # 15 trials, 5 per label, 5 folds: one trial of each label per test fold
        labels = index.iloc[f.test_rows].groupby(["recording", "trial"])["label"].first()
        assert sorted(labels) == [0, 1, 2]


def test_loso_never_trains_on_the_test_subject():
    index = make_index(n_subjects=4, n_sessions=1)
    folds = list(split(index, "loso"))
    assert [f.subject for f in folds] == ["1", "2", "3", "4"]
    for f in folds:
        train_subjects = set(index.iloc[np.union1d(f.train_rows, f.val_rows)]["subject"])
        assert f.subject not in train_subjects and len(train_subjects) == 3
        assert set(index.iloc[f.test_rows]["subject"]) == {f.subject}
        assert len(f.test_rows) == int((index["subject"] == f.subject).sum())


def test_cross_session_holds_out_one_session():
    index = make_index(n_subjects=2, n_sessions=3)
    folds = list(split(index, "cross-session"))
    assert len(folds) == 6
    for f in folds:
        test = index.iloc[f.test_rows]
        train = index.iloc[np.union1d(f.train_rows, f.val_rows)]
        assert test["session"].nunique() == 1
        assert test["session"].iloc[0] not in set(train["session"])
        assert set(train["subject"]) == set(test["subject"]) == {f.subject}


def test_cross_session_on_one_test_session():
    """test_session=3: sessions 1 and 2 train, session 3 tests (one fold per subject)."""
    index = make_index(n_subjects=2, n_sessions=3)
    folds = list(split(index, "cross-session", test_session=3))
    assert [f.name for f in folds] == ["1/s3", "2/s3"]
    for f in folds:
        assert set(index.iloc[f.test_rows]["session"]) == {3}
        assert set(index.iloc[np.union1d(f.train_rows, f.val_rows)]["session"]) == {1, 2}
    with pytest.raises(ConfigurationError, match=r"including session 4 \(expected a subject "
                       r"recorded in several sessions, found sessions 1, 2, 3 in the store\)"):
        list(split(index, "cross-session", test_session=4))
    one = make_index(n_subjects=2, n_sessions=1).drop(columns="session")
    with pytest.raises(ConfigurationError, match=r"found no session numbers in the store; its "
                       r"reader gave the recordings no session\)"):
        list(split(one, "cross-session"))
    with pytest.raises(ConfigurationError, match="cross-session protocol only"):
        list(split(index, "loso", test_session=3))


def test_standard_train_trials_follow_the_dataset_tables():
    from eegemo.datasets._family import load_table
    from eegemo.evaluation.splits import STANDARD_TRAIN_TRIALS

    for ds, table in (("seed", "seed"), ("seed-iv", "seed_iv"), ("seed-ger", "seed_ger"),
                      ("seed-fra", "seed_fra"),
                      ("seed-multimodal-chinese", "seed_multimodal_chinese")):
        assert STANDARD_TRAIN_TRIALS[ds] == load_table(table)["n_train_trials"], ds


def test_validation_rows_are_whole_training_trials():
    index = make_index(n_subjects=1, n_sessions=1, n_trials=15)
    (f,) = split(index, "seed-standard", val_fraction=0.34)
    val_trials = index.iloc[f.val_rows]["trial"].unique()
    assert len(val_trials) == 3  # round(0.34 * 9)
    assert set(val_trials) <= set(range(1, 10))
    assert sorted(index.iloc[f.val_rows].groupby("trial")["label"].first()) == [0, 1, 2]  # stratified
    (f0,) = split(index, "seed-standard", val_fraction=0)
    assert len(f0.val_rows) == 0
    assert set(index.iloc[f0.train_rows]["trial"]) == set(range(1, 10))


def test_validation_never_takes_a_labels_last_training_trial():
    """Three training trials of three labels, or a large val_fraction: every label keeps a trial."""
    index = make_index(n_subjects=1, n_sessions=1, n_trials=6)
    for train_trials, frac in ((3, 0.2), (4, 0.5), (5, 0.9)):
        (f,) = split(index, "seed-standard", train_trials=train_trials, val_fraction=frac)
        train = set(index.iloc[f.train_rows]["label"])
        assert train == set(index.iloc[np.union1d(f.train_rows, f.val_rows)]["label"])
        assert set(index.iloc[f.val_rows]["label"]) <= train
    (f,) = split(index, "seed-standard", train_trials=3, val_fraction=0.2)
    assert len(f.val_rows) == 0            # one trial per label: nothing can be held out


def test_validation_carve_follows_the_label_mix():
    """An imbalanced training side keeps its proportions in validation (not equal counts per label)."""
    index = make_index(n_subjects=1, n_sessions=1, n_trials=50, n_windows=2)
    index["label"] = np.where(index["trial"] <= 40, 0, 1)     # 40 trials of label 0, 10 of label 1
    f = next(iter(split(index, "trial-kfold", n_folds=5, val_fraction=0.25)))
    val = index.iloc[f.val_rows].groupby("trial")["label"].first().value_counts()
    train = index.iloc[f.train_rows].groupby("trial")["label"].first().value_counts()
    # 40 training trials (32 + 8): 10 for validation, 8 + 2 as the mix (was 5 + 5)
    assert (val[0], val[1]) == (8, 2) and (train[0], train[1]) == (24, 6)


def test_validation_carve_breaks_label_ties_at_random():
    """SEED's 9 training trials are 3 per emotion and the carve takes 2: which two emotions is
    drawn, not fixed by label order (a fixed pick left 'positive' out of validation for every
    subject and seed, and over-represented in training)."""
    index = make_index(n_subjects=1, n_sessions=1)
    index["label"] = index["label"] - 1                    # -1 / 0 / 1 as SEED codes them
    left_out = set()
    for seed in range(12):
        (f,) = split(index, "seed-standard", val_fraction=0.2, random_state=seed)
        val = set(index.iloc[f.val_rows]["label"])
        assert len(val) == 2                               # still one trial each of two labels
        left_out |= {-1, 0, 1} - val
    assert left_out == {-1, 0, 1}


def test_split_of_a_filtered_frame_gives_the_stores_rows_and_folds_unpack_for_sklearn():
    """split() of index[index.subject == "2"] gives the store's row numbers (its index labels),
    not positions in the filtered frame, so store.load(array, fold.train_rows) reads subject 2;
    check_no_leakage takes the same frame and rows; a fold unpacks as scikit-learn's (train, test)
    with validation rows counted as training, so cross_val_score(cv=...) runs on it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    index = make_index()
    sub = index[index.subject == "2"]
    folds = list(split(sub, "trial-kfold", n_folds=3, random_state=1))
    alone = list(split(sub.reset_index(drop=True), "trial-kfold", n_folds=3, random_state=1))
    offset = sub.index[0]                         # subject 2's rows are one block of the store
    for f, a in zip(folds, alone):
        assert set(index.subject.iloc[np.r_[f.train_rows, f.val_rows, f.test_rows]]) == {"2"}
        np.testing.assert_array_equal(f.test_rows, a.test_rows + offset)
        np.testing.assert_array_equal(f.val_rows, a.val_rows + offset)
        check_no_leakage(sub, np.union1d(f.train_rows, f.val_rows), f.test_rows, what=f.name)
        check_no_leakage(index, np.union1d(f.train_rows, f.val_rows), f.test_rows, what=f.name)
        train, test = f
        np.testing.assert_array_equal(train, np.union1d(f.train_rows, f.val_rows))
        np.testing.assert_array_equal(test, f.test_rows)
    with pytest.raises(ConfigurationError, match="train row 0 is not in the index given"):
        check_no_leakage(sub, [0], folds[0].test_rows)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(index), 4)) + index["label"].to_numpy()[:, None]
    scores = cross_val_score(LogisticRegression(), X, index["label"].to_numpy(),
                             cv=list(split(index, "trial-kfold", n_folds=3)))
    assert len(scores) == 3 * 3 and scores.mean() > 0.6           # subjects × folds
