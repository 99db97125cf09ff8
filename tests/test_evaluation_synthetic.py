"""Realism / usefulness metrics of eegemo.evaluation.synthetic: known values on identical and different sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eegemo.errors import ConfigurationError
from eegemo.evaluation import synthetic as M

SFREQ = 100.0


def _noise(n, c=4, s=200, seed=0, amp=1.0):
    return amp * np.random.default_rng(seed).normal(size=(n, c, s))


# --------------------------------------------------------------------------------- psd_distance
def test_psd_distance_identical_is_zero_and_doubled_amplitude_is_6db():
    x = _noise(60)
    assert M.psd_distance(x, x, SFREQ) == 0.0
    # twice the amplitude = four times the power = 10*log10(4) dB in every channel and band
    assert M.psd_distance(x, 2 * x, SFREQ) == pytest.approx(10 * np.log10(4), abs=1e-9)
    # two independent draws of the same process: small compared with 6 dB
    assert M.psd_distance(x, _noise(60, seed=1), SFREQ) < 0.6


def test_psd_distance_on_de_grids_in_db_ignores_empty_cells():
    rng = np.random.default_rng(0)
    de = rng.normal(size=(50, 5, 9, 9))
    de[:, :, 0, 0] = 0.0          # an empty grid cell
    fake = de + 0.5               # +0.5 nats of DE = power × e
    fake[:, :, 0, 0] = 0.0
    assert M.psd_distance(de, fake) == pytest.approx(0.5 * 20 / np.log(10))
    assert M.psd_distance(de, fake, kind="log") == pytest.approx(0.5)
    with pytest.raises(ConfigurationError, match="same shape"):
        M.psd_distance(de, fake[:, :4])


# --------------------------------------------------------------------------- topomap_correlation
def test_topomap_correlation_identical_one_and_scrambled_low():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    topo = rng.normal(size=(2, 30, 5)) * 2           # a distinct map per class and band
    real = topo[y] + 0.1 * rng.normal(size=(80, 30, 5))
    same = M.topomap_correlation(real, real, y, y)
    assert same["mean"] == pytest.approx(1.0)
    assert set(same["per_class"]) == {"0", "1"}
    other = real[:, rng.permutation(30)]              # channels scrambled
    assert M.topomap_correlation(real, other, y, y)["mean"] < 0.6
    # raw windows: amplitude scaled per class keeps the maps' shape (correlation ~1)
    x = _noise(40, c=6) * np.linspace(1, 3, 6)[None, :, None]
    yr = np.repeat([0, 1], 20)
    assert M.topomap_correlation(x, 5 * x, yr, yr, sfreq=SFREQ)["mean"] == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------ c2st
def test_c2st_half_for_same_distribution_and_high_for_different():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(300, 10)), rng.normal(size=(300, 10))
    assert abs(M.c2st(a, b, random_state=0) - 0.5) < 0.08
    # identical rows: each test row's twin sits on the other side of the training data, so the
    # score fluctuates a little below chance
    assert abs(M.c2st(a, a, random_state=0) - 0.5) < 0.12
    assert M.c2st(a, b + 1.0, random_state=0) > 0.9
    with pytest.raises(ConfigurationError, match="n_splits"):
        M.c2st(a[:3], b[:3])


def test_c2st_folds_by_trial_do_not_tell_trials_apart():
    """Two random halves of the same real trials: windows of a trial are alike, so window-level
    folds score well above 0.5 (the classifier recognises trials); folds of whole trials do not."""
    rng = np.random.default_rng(0)
    n_trials, per = 40, 20
    trial = np.repeat(np.arange(n_trials), per)
    X = rng.normal(scale=2.0, size=(n_trials, 10))[trial] + rng.normal(size=(len(trial), 10))
    half = rng.permutation(n_trials)[: n_trials // 2]
    a, b = np.isin(trial, half), ~np.isin(trial, half)
    windows = [M.c2st(X[a], X[b], random_state=s) for s in range(3)]
    trials = [M.c2st(X[a], X[b], random_state=s, groups_real=trial[a], groups_fake=trial[b])
              for s in range(3)]
    assert np.mean(windows) > 0.62   # 0.67 here
    assert abs(np.mean(trials) - 0.5) < 0.1
    # a synthetic row keeps the group of the real row it was drawn like: the fold split stays even
    assert M.c2st(X[a], X[a] + 3.0, random_state=0, groups_real=trial[a],
                  groups_fake=trial[a]) > 0.9
    with pytest.raises(ConfigurationError, match="one group per row"):
        M.c2st(X[a], X[b], groups_real=trial[a][:5])


# ---------------------------------------------------------------------------- frechet_distance
def test_frechet_distance_zero_and_known_mean_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert M.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([1.0, 2.0, 0.0])
    # same covariance, shifted mean: distance = |shift|^2
    assert M.frechet_distance(a, a + shift) == pytest.approx(5.0, rel=1e-6)
    # scaled covariance: trace term 3 * (1 - 2)^2 = 3 for N(0, I) vs N(0, 4I)
    assert M.frechet_distance(a, 2 * a) == pytest.approx(3.0, rel=0.05)


# ------------------------------------------------------------------------------------ diversity
def test_diversity_one_for_same_and_zero_for_collapse():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, 5, 4))
    assert M.diversity(real, real) == pytest.approx(1.0)
    collapsed = np.repeat(real[:1], 200, axis=0)
    assert M.diversity(collapsed, real) == pytest.approx(0.0)
    assert 0.9 < M.diversity(rng.normal(size=(200, 5, 4)), real) < 1.1


# ------------------------------------------------------------------------------------ tstr / trtr
def _classes(n, seed):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], n)
    X = rng.normal(size=(3 * n, 8, 5)) + 1.5 * np.eye(3)[y][:, :, None].repeat(8 // 3 + 1, 1)[:, :8]
    return X.astype(np.float32), y


def test_tstr_trtr_good_synthetic_matches_and_wrong_labels_fail():
    X_tr, y_tr = _classes(60, 0)
    X_te, y_te = _classes(60, 1)
    X_syn, y_syn = _classes(60, 2)       # a "perfect" generator: the same distribution
    trtr = M.trtr(X_tr, y_tr, X_te, y_te)
    tstr = M.tstr(X_syn, y_syn, X_te, y_te)
    assert trtr > 0.9 and tstr > 0.9 * trtr
    bad = M.tstr(X_syn, np.roll(y_syn, 60), X_te, y_te)    # labels of the wrong class
    assert bad < 0.2
    # grids are flattened for the feature models
    assert M.trtr(X_tr.reshape(-1, 8, 5, 1), y_tr, X_te.reshape(-1, 8, 5, 1), y_te) == trtr


# ---------------------------------------------------------------------------- augmentation_gain
class _Spy:
    """An sklearn-like classifier recording what it was fitted on and asked to predict."""

    fits: list = []
    predicts: list = []

    def __init__(self):
        pass

    def get_params(self, deep=True):
        return {}

    def set_params(self, **p):
        return self

    def fit(self, X, y):
        _Spy.fits.append(np.array(X))
        from sklearn.neighbors import NearestCentroid

        self.clf = NearestCentroid().fit(X.reshape(len(X), -1), y)
        return self

    def predict(self, X):
        _Spy.predicts.append(np.array(X))
        return self.clf.predict(X.reshape(len(X), -1))


def _index():
    rows = []
    for subject in ("1", "2", "3"):
        for trial in range(1, 7):
            for w in range(5):
                rows.append({"recording": f"r{subject}", "dataset": "seed", "subject": subject,
                             "session": 1, "trial": trial, "window": w, "label": (trial - 1) % 3})
    return pd.DataFrame(rows)


MARK = 777.0   # the value of every synthetic row of the augmentation tests


def _aug_case():
    """Index, labels, features, 2-fold trial k-fold, and synthetic rows all equal to MARK."""
    from eegemo.evaluation.splits import split

    index = _index()
    y = index["label"].to_numpy()
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(len(index), 4, 3)) + y[:, None, None]).astype(np.float32)
    folds = list(split(index, "trial-kfold", n_folds=2, val_fraction=0.0, random_state=0))

    def synth(fold):
        yy = y[fold.train_rows]
        return np.full((len(yy), 4, 3), MARK, np.float32), yy

    return index, y, X, folds, synth


def test_augmentation_never_puts_synthetic_rows_in_a_test_split():
    index, y, X, folds, synth = _aug_case()

    _Spy.fits.clear()
    _Spy.predicts.clear()
    res = M.augmentation_gain(X, y, folds, synth, model=_Spy(), normalize=False, index=index)
    assert res["n_folds"] == len(folds) == 6 and res["n_subjects"] == 3
    assert set(res["per_subject"]) == {"1", "2", "3"}
    assert res["mean"] == pytest.approx(np.mean(list(res["per_subject"].values())))
    assert res["std"] == pytest.approx(np.std(list(res["per_subject"].values()), ddof=1))
    # every prediction was made on exactly the fold's real test rows, never on synthetic ones
    test_sets = [X[f.test_rows].reshape(len(f.test_rows), -1) for f in folds for _ in (0, 1)]
    assert len(_Spy.predicts) == len(test_sets)
    for seen, want in zip(_Spy.predicts, test_sets):
        assert not np.any(seen == MARK)
        np.testing.assert_array_equal(seen, want)
    # baseline fits hold no synthetic rows, augmented fits exactly the fold's synthetic rows
    n_marked = [int(np.all(f == MARK, axis=1).sum()) for f in _Spy.fits]
    assert n_marked[0::2] == [0] * 6
    assert n_marked[1::2] == [len(f.train_rows) for f in folds]


def test_augmentation_control_replaces_the_synthetic_rows_with_real_ones():
    """The control fit sees as many real rows from outside the fold in the synthetic rows' place."""
    index, y, X, folds, synth = _aug_case()
    CTRL = -555.0

    def control(fold, y_syn):
        return (None if fold.subject == "3"
                else (np.full((len(y_syn), 4, 3), CTRL, np.float32), np.asarray(y_syn)))

    _Spy.fits.clear()
    res = M.augmentation_gain(X, y, folds, synth, model=_Spy(), normalize=False, index=index,
                              control=control)
    marks = [(int(np.all(f == MARK, axis=1).sum()), int(np.all(f == CTRL, axis=1).sum()))
             for f in _Spy.fits]
    # subjects 1 and 2: baseline, augmented, control; subject 3 (no control rows): two fits
    n = [len(f.train_rows) for f in folds]
    assert marks == [(0, 0), (n[0], 0), (0, n[0]), (0, 0), (n[1], 0), (0, n[1]),
                     (0, 0), (n[2], 0), (0, n[2]), (0, 0), (n[3], 0), (0, n[3]),
                     (0, 0), (n[4], 0), (0, 0), (n[5], 0)]
    with_ctl = [r for r in res["per_fold"] if "control" in r]
    assert len(with_ctl) == 4 and res["gain_over_control"]["n_folds"] == 4
    for r in with_ctl:
        assert r["gain_over_control"] == pytest.approx(r["augmented"] - r["control"])
    assert set(res["gain_over_control"]["per_subject"]) == {"1", "2"}


def test_augmentation_refuses_leaky_folds():
    from eegemo.evaluation.splits import Fold

    index = _index()
    y = index["label"].to_numpy()
    X = np.zeros((len(index), 2, 2), np.float32)
    leaky = Fold("bad", "1", np.arange(0, 7), np.arange(7, 12))   # trial 2 on both sides
    with pytest.raises(Exception, match="(?i)trial|both"):
        M.augmentation_gain(X, y, [leaky], lambda f: (X[:2], y[:2]), index=index)
