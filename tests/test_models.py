"""Recognition models: learning, chance on shuffled labels, determinism, safe checkpoints."""

from __future__ import annotations

import logging
import os
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import DataConversionWarning  # noqa: E402

from eegemo.errors import ConfigurationError, DataFormatError  # noqa: E402
from eegemo.models import get_model, list_models, load_model, model_class  # noqa: E402
from eegemo.models.attention import windows_to_sequences  # noqa: E402

LABELS = np.array([-1, 0, 1])  # SEED's labels: not 0..n-1, to exercise the label mapping
N_TRAIN, N_TEST = 150, 90
#: device of the model tests: "cpu" here and in CI; EEGEMO_TEST_DEVICE=cuda runs them on a GPU
DEVICE = os.environ.get("EEGEMO_TEST_DEVICE", "cpu")
CUDA = torch.cuda.is_available()
TINY = dict(max_epochs=12, batch_size=32, n_threads=1, device=DEVICE)

# The toy classes below differ by broad blocks of +1 on one band, as large as the smooth band-gain
# fields of the default augmentation; the 12-epoch learning checks run without it (it has its own
# tests at the end of this file).
NO_AUG = dict(augment=None)
# Small widths so that each fit takes well under a second on one core.
PARAMS = {
    "svm": {},
    "logreg": {},
    "seed-cnn": dict(widths=(16, 16, 16), dense=32, lr=5e-3, **NO_AUG, **TINY),
    "ccnn": dict(filters=(8, 8, 8, 8), hidden=32, lr=3e-3, **NO_AUG, **TINY),
    "attention-4d": dict(filters=(8, 8), dense=16, lstm_hidden=8, spatial_hidden=8, lr=1e-2,
                         **NO_AUG, **TINY),
    "image-cnn": dict(widths=(8, 16), convs_per_block=1, hidden=16, lr=3e-3, **NO_AUG, **TINY),
    "eegnet": dict(sfreq=128.0, F1=4, D=2, lr=1e-2, **TINY),
}
#: opt-in variants that go through the same learning and checkpoint tests: case -> (model, params)
VARIANTS = {"attention-4d/body=ccnn": ("attention-4d",
                                       dict(PARAMS["attention-4d"], body="ccnn", lr=3e-3))}


def _case(name):
    """(model name, test parameters) of a model name or a VARIANTS case."""
    return VARIANTS.get(name, (name, PARAMS.get(name)))


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _grid(rng, y, n_bands=5):
    """(n, bands, 9, 9) noise; class k raises band k+1 in rows 3k..3k+2 of the grid."""
    X = rng.standard_normal((len(y), n_bands, 9, 9)).astype(np.float32)
    for k, label in enumerate(LABELS):
        X[y == label, k + 1, 3 * k:3 * k + 3, :] += 1.0
    return X


def _features(rng, y):
    """(n, 62, 5) noise; class k raises band k on channels 20k..20k+19."""
    X = rng.standard_normal((len(y), 62, 5)).astype(np.float32)
    for k, label in enumerate(LABELS):
        X[y == label, 20 * k:20 * k + 20, k] += 0.8
    return X


def _grid_seq(rng, y, T=3):
    return np.stack([_grid(rng, y) for _ in range(T)], axis=1)


def _image(rng, y, size=16):
    """(n, 3, size, size) noise; class k adds a Gaussian blob at its own place."""
    X = rng.standard_normal((len(y), 3, size, size)).astype(np.float32)
    yy, xx = np.mgrid[:size, :size]
    for k, label in enumerate(LABELS):
        cy, cx = [(4, 4), (4, 11), (11, 8)][k]
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 8.0).astype(np.float32)
        X[y == label] += 1.5 * blob
    return X


def _raw(rng, y, n_channels=8, sfreq=128.0, n_samples=128):
    """(n, channels, samples): a 6, 12 or 24 Hz sinusoid (random phase) in white noise."""
    t = np.arange(n_samples) / sfreq
    freqs = dict(zip(LABELS.tolist(), (6.0, 12.0, 24.0)))
    phase = rng.uniform(0, 2 * np.pi, len(y))
    sig = np.stack([np.sin(2 * np.pi * freqs[int(label)] * t + p) for label, p in zip(y, phase)])
    gains = rng.uniform(0.5, 1.0, n_channels)
    X = sig[:, None, :] * gains[None, :, None] + rng.standard_normal((len(y), n_channels,
                                                                      n_samples))
    return X.astype(np.float32)


MAKERS = {"features": _features, "grid": _grid, "grid_seq": _grid_seq, "image": _image,
          "raw": _raw}


def _data(name, seed=0):
    rng = np.random.default_rng(seed)
    y = np.resize(LABELS, N_TRAIN + N_TEST)
    rng.shuffle(y)
    X = MAKERS[model_class(_case(name)[0]).input_kind](rng, y)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def _model(name, **extra):
    model, params = _case(name)
    return get_model(model, **{**params, "random_state": 0, **extra})


_FITTED: dict[str, object] = {}


def _fitted(name):
    if name not in _FITTED:
        Xtr, ytr, _, _ = _data(name)
        _FITTED[name] = _model(name).fit(Xtr, ytr)
    return _FITTED[name]


def test_every_model_has_a_test_case():
    assert set(PARAMS) == set(list_models())
    for name in list_models():
        cls = model_class(name)
        assert cls.name == name and cls.CITATION and cls.input_kind in MAKERS


@pytest.mark.parametrize("name", [*PARAMS, *VARIANTS])
def test_learns_and_chance_on_shuffled_labels(name):
    Xtr, ytr, Xte, yte = _data(name)
    model = _fitted(name)
    acc = model.score(Xte, yte)
    assert acc >= 0.8, f"{name} held-out accuracy {acc:.2f}"
    assert set(np.unique(model.predict(Xte))) <= set(LABELS.tolist())
    proba = model.predict_proba(Xte)
    assert proba.shape == (len(Xte), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(model.classes_[proba.argmax(1)], model.predict(Xte))
    shuffled = np.random.default_rng(1).permutation(ytr)
    chance = _model(name).fit(Xtr, shuffled).score(Xte, yte)
    assert chance <= 0.6, f"{name} accuracy {chance:.2f} on shuffled labels"
    assert acc - chance >= 0.3


@pytest.mark.parametrize("name", [n for n in PARAMS if n not in ("svm", "logreg")])
def test_torch_repeatable_history_embed(name):
    Xtr, ytr, Xte, _ = _data(name)
    first = _fitted(name)
    again = _model(name).fit(Xtr, ytr)
    np.testing.assert_array_equal(first.predict_proba(Xte), again.predict_proba(Xte))
    assert len(first.history_) == PARAMS[name]["max_epochs"]
    assert set(first.history_[0]) == {"epoch", "train_loss", "val_loss", "val_accuracy"}
    assert first.history_[-1]["train_loss"] < first.history_[0]["train_loss"]
    emb = first.embed(Xte[:5])
    assert emb.ndim == 2 and emb.shape[0] == 5 and np.isfinite(emb).all()


def test_early_stopping_uses_validation(caplog):
    Xtr, ytr, Xte, yte = _data("ccnn")
    # batches of 1: 90 steps an epoch, so `patience` epochs exceed the 100-step floor at 2
    model = _model("ccnn", max_epochs=40, patience=2, lr=3e-3, dropout=0.0, batch_size=1)
    with caplog.at_level(logging.INFO, logger="eegemo"):
        model.fit(Xtr[:90], ytr[:90], Xtr[90:], ytr[90:])
    hist = model.history_
    stop = [r.getMessage() for r in caplog.records if "early stop" in r.getMessage()]
    assert len(hist) < 40 and stop  # it does stop early here
    # the message gives the kept epoch's own validation accuracy, never nan
    kept = hist[model.best_epoch_ - 1]["val_accuracy"]
    assert stop[0].endswith(f"val accuracy {kept:.3f})"), stop[0]
    assert all(h["val_loss"] is not None and 0 <= h["val_accuracy"] <= 1 for h in hist)
    best = min(range(len(hist)), key=lambda i: hist[i]["val_loss"])
    assert model.best_epoch_ == hist[best]["epoch"]
    if len(hist) < 40:  # stopped early: exactly `patience` epochs after the best one
        assert len(hist) - model.best_epoch_ == 2
    # the restored weights are those of the best epoch
    val_loss = torch.nn.functional.cross_entropy(
        torch.from_numpy(model.decision_function(Xtr[90:])),
        torch.from_numpy(np.searchsorted(model.classes_, ytr[90:])))
    assert float(val_loss) == pytest.approx(hist[best]["val_loss"], rel=1e-4)


def test_early_stopping_waits_enough_steps_and_says_when_epoch_one_is_kept(caplog):
    """One step per epoch (batch = training set): patience=2 epochs would stop a network that has
    barely moved; stopping waits 100 optimiser steps. Where the first epoch stays the best (here:
    validation labels that contradict the training labels), the returned network is said to be
    barely trained."""
    Xtr, ytr, Xte, yte = _data("ccnn")
    classes = np.unique(ytr)
    wrong = {c: classes[(i + 1) % len(classes)] for i, c in enumerate(classes)}
    y_val = np.array([wrong[v] for v in ytr[:90]])
    model = _model("ccnn", max_epochs=12, patience=2, batch_size=90)
    with caplog.at_level(logging.WARNING, logger="eegemo"):
        model.fit(Xtr[:90], ytr[:90], Xtr[:90], y_val)
    assert len(model.history_) == 12                   # 1 step an epoch: no stop within 12
    assert model.best_epoch_ == 1 and "barely trained" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="eegemo"):
        model.fit(Xtr[:90], ytr[:90], Xtr[90:], ytr[90:])
    assert model.best_epoch_ > 1 and "barely trained" not in caplog.text


def test_early_stopping_on_validation_accuracy_keeps_latest_best():
    Xtr, ytr, Xte, yte = _data("ccnn")
    model = _model("ccnn", max_epochs=12, patience=3, lr=3e-2, dropout=0.0, monitor="val_accuracy")
    model.fit(Xtr[:90], ytr[:90], Xtr[90:], ytr[90:])
    acc = [h["val_accuracy"] for h in model.history_]
    best = max(acc)
    # the latest epoch with the best accuracy is kept, and its weights are the ones restored
    assert model.best_epoch_ == max(i + 1 for i, a in enumerate(acc) if a == best)
    assert model.score(Xtr[90:], ytr[90:]) == pytest.approx(best, abs=1e-6)
    with pytest.raises(ConfigurationError, match="monitor"):
        _model("ccnn", monitor="loss").fit(Xtr[:90], ytr[:90])


@pytest.mark.parametrize("name", [*PARAMS, *VARIANTS])
def test_save_load_round_trip(name, tmp_path):
    _, _, Xte, _ = _data(name)
    model = _fitted(name)
    path = model.save(tmp_path / "model.pt")
    back = load_model(path)
    assert type(back) is type(model) and back.get_params() == model.get_params()
    np.testing.assert_array_equal(back.classes_, model.classes_)
    np.testing.assert_array_equal(back.predict(Xte), model.predict(Xte))
    np.testing.assert_allclose(back.predict_proba(Xte), model.predict_proba(Xte), rtol=1e-6,
                               atol=1e-7)
    assert type(model).load(path).name == _case(name)[0]
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == "eegemo-model" and raw["model"] == _case(name)[0]
    # pickle (joblib, multiprocessing) keeps a fitted model whole, and leaves the original fitted
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict_proba(Xte), model.predict_proba(Xte))
    assert hasattr(model, "classes_") and model.predict(Xte).shape == (len(Xte),)


def _assert_refused(path, *needles):
    with pytest.raises(DataFormatError) as info:
        load_model(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg
    for needle in needles:
        assert needle in msg, msg
    return msg


def test_corrupted_and_foreign_checkpoints_refused(tmp_path):
    good = _fitted("seed-cnn").save(tmp_path / "good.pt")
    data = good.read_bytes()

    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    _assert_refused(truncated, "not a readable")

    noise = tmp_path / "noise.pt"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    msg = _assert_refused(noise, "not a readable", "cut short, or another kind of file")
    assert "PyTorch 2.6" not in msg            # torch's boilerplate says nothing about the file
    _assert_refused(truncated, "cut short")

    foreign = tmp_path / "foreign.pt"
    torch.save(torch.nn.Linear(3, 2).state_dict(), foreign)
    _assert_refused(foreign, "no format tag")

    pickled = tmp_path / "object.pt"  # an arbitrary pickled object is never unpickled
    with open(pickled, "wb") as fh:
        pickle.dump(ConfigurationError("boom"), fh, protocol=2)
    _assert_refused(pickled, "not a readable")

    payload = torch.load(good, weights_only=True)
    payload["state"] = {k.replace("dense", "other"): v for k, v in payload["state"].items()}
    wrong_keys = tmp_path / "wrong_keys.pt"
    torch.save(payload, wrong_keys)
    _assert_refused(wrong_keys, "do not fit", "missing")

    payload = torch.load(good, weights_only=True)
    first = next(iter(payload["state"]))
    payload["state"][first] = torch.zeros(3, 3)
    wrong_shape = tmp_path / "wrong_shape.pt"
    torch.save(payload, wrong_shape)
    _assert_refused(wrong_shape, "do not fit")

    payload = torch.load(good, weights_only=True)
    payload["model"] = "ccnn"  # another architecture's name on seed-cnn weights
    renamed = tmp_path / "renamed.pt"
    torch.save(payload, renamed)
    _assert_refused(renamed)

    payload = torch.load(_fitted("logreg").save(tmp_path / "lr.pt"), weights_only=True)
    payload["state"]["clf"]["coef_"] = torch.zeros(3, 7, dtype=torch.float64)
    bad_lr = tmp_path / "bad_lr.pt"
    torch.save(payload, bad_lr)
    _assert_refused(bad_lr, "does not fit")

    with pytest.raises(DataFormatError, match="another model"):
        model_class("ccnn").load(good)
    _assert_refused(tmp_path / "missing.pt", "no such")


@pytest.mark.parametrize("name", ["svm", "logreg"])
def test_classical_models_pass_scikit_learns_estimator_checks(name):
    """svm and logreg on 2-D feature rows are scikit-learn estimators in full: every common check
    passes (n_features_in_ checked at predict, sparse/complex/object input, y=None, a column
    vector y warned as DataConversionWarning, n_iter_), so GridSearchCV and Pipelines take them."""
    import inspect
    from unittest import SkipTest

    from sklearn.utils.estimator_checks import check_estimator

    if "on_fail" in inspect.signature(check_estimator).parameters:
        results = check_estimator(get_model(name), on_fail=None)
    else:   # scikit-learn < 1.6 has no on_fail: run the same generated checks one by one
        results = []
        for estimator, check in check_estimator(get_model(name), generate_only=True):
            result = {"check_name": getattr(check, "func", check).__name__, "status": "passed",
                      "exception": None}
            try:
                check(estimator)
            except SkipTest:
                result["status"] = "skipped"
            except Exception as exc:   # noqa: BLE001 - collected and reported as failed
                result.update(status="failed", exception=exc)
            results.append(result)
    failed = {r["check_name"]: str(r["exception"]).splitlines()[0] for r in results
              if r["status"] == "failed"}
    assert len(results) > 40 and not failed, failed


def test_wrong_input_types_are_one_line_errors_scikit_learn_recognises(tmp_path):
    from scipy.sparse import csr_matrix

    from eegemo.errors import InputTypeError

    rng = np.random.default_rng(0)
    Xd, yd = rng.normal(size=(12, 6)), np.array([0, 1, 2] * 4)
    with pytest.raises(ConfigurationError, match=r"^logreg: X is a sparse csr_matrix; sparse "
                       r"input is not supported \(pass X.toarray\(\)\)$"):
        get_model("logreg").fit(csr_matrix(Xd), yd)
    with pytest.raises(ConfigurationError, match="requires y to be passed, but the target y is "
                       "None"):
        get_model("svm").fit(Xd, None)
    obj = Xd.astype(object)
    obj[0, 0] = {"a": 1}
    with pytest.raises(TypeError, match="must be a numeric array") as exc:   # as scikit-learn
        get_model("svm").fit(obj, yd)
    assert isinstance(exc.value, InputTypeError) and isinstance(exc.value, ConfigurationError)
    with pytest.raises(ConfigurationError, match="found 1 class"):
        get_model("logreg").fit(Xd[:1], yd[:1])
    with pytest.raises(ConfigurationError, match="Reshape your data"):
        get_model("logreg").fit(Xd, yd).predict(Xd[0])
    fitted = get_model("logreg").fit(Xd, yd)
    assert fitted.n_iter_ >= 1
    Xtr, ytr, _, _ = _data("ccnn")
    net = _model("ccnn").fit(Xtr, ytr)
    assert net.n_iter_ == len(net.history_) >= 1
    net.save(tmp_path / "net.pt")
    fitted.save(tmp_path / "lr.pt")
    assert load_model(tmp_path / "net.pt").n_iter_ == net.n_iter_          # kept by a checkpoint
    assert load_model(tmp_path / "lr.pt").n_iter_ == fitted.n_iter_
    # the reshape hint is for 2-D feature models; a network needing 4-D rows is not told it
    with pytest.raises(ConfigurationError, match="found shape \\(\\)$"):
        net.predict(Xtr[0, 0, 0, 0])


def test_bad_input_and_params_are_one_line_errors():
    Xtr, ytr, _, _ = _data("ccnn")
    with pytest.raises(ConfigurationError, match="shape"):
        _model("ccnn").fit(Xtr[:, 0], ytr)
    with pytest.raises(ConfigurationError, match="at least 2 classes"):
        _model("ccnn").fit(Xtr, np.zeros(len(Xtr), int))
    with pytest.raises(ConfigurationError, match=r"ccnn: X has \d+ features, but CCNN "
                       r"is expecting \d+ features as input \(rows of shape"):
        _fitted("ccnn").predict(Xtr[:, :4])
    bad = Xtr.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(DataFormatError, match="NaN"):
        _model("ccnn").fit(bad, ytr)
    with pytest.raises(ConfigurationError, match="allowed values"):
        get_model("resnet")
    with pytest.raises(ConfigurationError, match="unknown parameter 'filterz' .did you mean filters"):
        get_model("ccnn", filterz=(3,))
    # generators say epochs, models max_epochs (as braindecode): the error names the other one
    with pytest.raises(ConfigurationError, match="'epochs' .did you mean max_epochs"):
        get_model("ccnn", epochs=3)
    with pytest.raises(ConfigurationError, match="'c' .did you mean C"):
        get_model("svm", c=1.0)
    # scikit-learn's own parameter checks (made when fitting) are one line, not its traceback
    Xd, yd = np.random.default_rng(0).normal(size=(12, 4, 5)), [0, 1, 2] * 4
    for name, kw in (("svm", {"C": "abc"}), ("logreg", {"C": -1.0})):
        with pytest.raises(ConfigurationError, match=rf"^{name}: The 'C' parameter") as exc:
            get_model(name, **kw).fit(Xd, yd)
        assert "\n" not in str(exc.value)
    with pytest.raises(ConfigurationError, match="too short"):
        _model("eegnet").fit(np.zeros((6, 2, 16), np.float32), [0, 1] * 3)
    # ratings are no classes (scikit-learn: "Unknown label type: continuous"); complex X is no
    # real signal; a column vector y is read as 1-D, as scikit-learn does (with a warning)
    ratings = np.random.default_rng(1).uniform(1, 9, len(Xd))
    for name in ("logreg", "ccnn"):
        X_ = Xd if name == "logreg" else Xtr
        with pytest.raises(ConfigurationError, match=f"^{name}: y must hold class labels, found "
                           "continuous values"):
            get_model(name).fit(X_, ratings[:len(X_)] if name == "logreg" else
                                np.resize(ratings, len(X_)))
    with pytest.raises(ConfigurationError, match="holds complex numbers"):
        get_model("logreg").fit(Xd + 1j, yd)
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        col = get_model("logreg").fit(Xd, np.asarray(yd)[:, None])
    assert col.n_features_in_ == 4 * 5                      # scikit-learn's attribute
    np.testing.assert_array_equal(col.predict(Xd), get_model("logreg").fit(Xd, yd).predict(Xd))
    for name in ("svm", "logreg"):    # float64 probabilities, as every other model gives
        proba = get_model(name).fit(Xd, yd).predict_proba(Xd)
        assert proba.dtype == np.float64
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    n_cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
    missing = "cuda" if n_cuda == 0 else f"cuda:{n_cuda}"     # a device this machine does not have
    with pytest.raises(ConfigurationError, match=f"device '{missing}' requested"):
        _model("ccnn").set_params(device=missing).fit(Xtr, ytr)
    for name in PARAMS:  # the scikit-learn contract: clone keeps parameters
        model = _model(name)
        assert clone(model).get_params() == model.get_params()
    # layer sizes of 0 (a network that predicts one class) and negative decay are refused up front
    for name, bad, msg in (("ccnn", {"hidden": 0}, "hidden must be a positive int"),
                           ("seed-cnn", {"dense": 0}, "dense must be a positive int"),
                           ("eegnet", {"F2": 0}, "F2 must be a positive int"),
                           ("ccnn", {"filters": (64, 0)}, "filters must be positive ints"),
                           ("ccnn", {"weight_decay": -1.0}, "weight_decay must be >= 0")):
        X, y, _, _ = _data(name)
        with pytest.raises(ConfigurationError, match=msg):
            _model(name).set_params(**bad).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_checkpoint_saved_for_cuda_loads_on_the_cpu(tmp_path, caplog):
    import copy

    model = copy.deepcopy(_fitted("ccnn"))      # the shared fitted model keeps its device
    X = _data("ccnn")[2]
    path = model.set_params(device="cuda").save(tmp_path / "m.pt")
    with caplog.at_level("WARNING", logger="eegemo"):
        back = load_model(path)
    assert "loaded on the CPU" in caplog.text and back.device == "cpu"
    np.testing.assert_allclose(back.predict_proba(X), model.predict_proba(X), atol=1e-6)


def test_mixed_precision_on_cpu_learns():
    Xtr, ytr, Xte, yte = _data("ccnn")
    model = _model("ccnn", amp=True, device="cpu").fit(Xtr, ytr)
    assert model.score(Xte, yte) >= 0.8
    np.testing.assert_allclose(model.predict_proba(Xte).sum(axis=1), 1.0, atol=1e-3)


def test_fit_restores_global_torch_state(tmp_path):
    Xtr, ytr, Xte, _ = _data("seed-cnn")
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    rng_before = torch.get_rng_state()
    model = _model("seed-cnn", max_epochs=1, n_threads=2, amp=True, verbose=True, device="cpu")
    model.fit(Xtr, ytr)  # amp: bfloat16 autocast on the CPU; bar hidden by EEGEMO_NO_PROGRESS
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == det
    assert torch.equal(torch.get_rng_state(), rng_before)  # seeding happened in a forked RNG
    assert len(model.history_) == 1 and model.device_.type == "cpu"
    back = load_model(model.save(tmp_path / "m.pt"), device="cpu")
    assert back.device == "cpu"
    np.testing.assert_array_equal(back.predict(Xte), model.predict(Xte))


def test_eegnet_kernels_follow_sfreq():
    assert get_model("eegnet", sfreq=128).kernel_lengths() == (64, 16)
    assert get_model("eegnet", sfreq=200).kernel_lengths() == (100, 25)


def test_attention_weights_shapes():
    model = _fitted("attention-4d")
    _, _, Xte, _ = _data("attention-4d")
    w = model.attention_weights(Xte[:4])
    assert w["spectral"].shape == (4, 3, 5) and w["spatial"].shape == (4, 3, 9, 9)
    assert ((w["spatial"] >= 0) & (w["spatial"] <= 1)).all()


def test_attention_ccnn_body_gates_leave_the_identity():
    # learning, chance on shuffled labels and checkpoints: the VARIANTS case of the tests above
    model = _fitted("attention-4d/body=ccnn")
    assert model.body == "ccnn"
    w = model.attention_weights(_data("attention-4d/body=ccnn")[2][:4])
    assert ((w["spatial"] >= 0) & (w["spatial"] <= 2)).all()
    assert not np.allclose(w["spatial"], 1.0)  # training moved the gates off the identity


def test_attention_ccnn_body_architecture_and_defaults():
    paper, body = get_model("attention-4d"), get_model("attention-4d", body="ccnn")
    assert paper._learning_rate() == 1e-3 and body._learning_rate() == 1e-4
    assert get_model("attention-4d", body="ccnn", lr=0.01)._learning_rate() == 0.01
    torch.manual_seed(0)
    net = body._build_module((3, 5, 9, 9), 3)
    convs = [m for m in net.cnn if isinstance(m, torch.nn.Conv2d)]
    assert [c.kernel_size for c in convs] == [(4, 4)] * 4
    assert not any(isinstance(m, (torch.nn.MaxPool2d, torch.nn.Dropout)) for m in net.cnn)
    dense = [m for m in net.cnn if isinstance(m, torch.nn.Linear)][0]
    assert dense.in_features == 64 * 81 and dense.out_features == 1024
    x = torch.randn(7, 5, 9, 9)
    spectral, spatial = net.step_attention(x)
    assert torch.equal(spectral, torch.ones(7, 5)) and torch.equal(spatial, torch.ones(7, 81))
    assert net.cnn(x).shape == (7, 1024)
    pnet = paper._build_module((3, 5, 9, 9), 3)
    assert any(isinstance(m, torch.nn.MaxPool2d) for m in pnet.cnn)
    assert [m for m in pnet.cnn if isinstance(m, torch.nn.Linear)][0].out_features == 512
    with pytest.raises(ConfigurationError, match="body must be one of"):
        get_model("attention-4d", body="resnet", **TINY).fit(*_data("attention-4d")[:2])


def test_windows_to_sequences_never_crosses_trials():
    rng = np.random.default_rng(0)
    lengths = {"a": 7, "b": 2, "c": 5, "d": 4}
    ids = np.concatenate([[k] * n for k, n in lengths.items()])
    order = np.argsort(rng.random(len(ids)), kind="stable")  # interleave trials...
    ids = ids[order]
    pos_in_trial = np.zeros(len(ids), int)  # ...but keep each trial's windows in time order
    for key in lengths:
        pos_in_trial[ids == key] = np.arange((ids == key).sum())
    X = np.stack([np.array([ord(k), p], float) for k, p in zip(ids, pos_in_trial)])
    for T, stride in [(3, 1), (2, 2), (5, 1), (8, 1)]:
        Xs, sid, last = windows_to_sequences(X, ids, T, stride=stride)
        expected = sum(len(range(0, n - T + 1, stride)) for n in lengths.values() if n >= T)
        assert Xs.shape == (expected, T, 2) and len(sid) == len(last) == expected
        for seq, key, pos in zip(Xs, sid, last):
            assert (seq[:, 0] == ord(key)).all()  # one trial only
            np.testing.assert_array_equal(np.diff(seq[:, 1]), 1)  # consecutive windows
            np.testing.assert_array_equal(X[pos], seq[-1])
            assert ids[pos] == key
    with pytest.raises(ConfigurationError, match="positive int"):
        windows_to_sequences(X, ids, 0)


def test_gain_augmentation_fields():
    from eegemo.models._augment import GainAugmenter

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5, 9, 9)).astype(np.float32)
    X[:, :, 0, 0] = 0.0                                # an empty grid cell stays empty
    xb = torch.zeros(64, 5, 9, 9)
    smooth = GainAugmenter("smooth-gain", 1.0, 0.25, X, "grid", seed=0)(xb)
    assert torch.all(smooth[:, :, 0, 0] == 0)
    valid = smooth.flatten(2)[:, :, 1:]
    sd_map = valid.std(dim=2)                          # about 1 over the map, per example and band
    assert 0.8 < float(sd_map.mean()) < 1.2
    # smooth: neighbouring cells are strongly correlated, unlike white noise
    a, b = smooth[:, :, 4, 4].flatten(), smooth[:, :, 4, 5].flatten()
    assert float(torch.corrcoef(torch.stack([a, b]))[0, 1]) > 0.7
    flat = GainAugmenter("gain", 0.5, 0.25, X, "grid", seed=0)(xb)
    ratio = torch.from_numpy(X[:, :, 3, 3].std(0) / X[:, :, 7, 2].std(0))
    assert torch.allclose(flat[:, :, 3, 3], flat[:, :, 7, 2] * ratio, atol=1e-5)
    seq = GainAugmenter("smooth-gain", 1.0, 0.25, np.stack([X, X], 1), "grid_seq", seed=0)
    out = seq(torch.zeros(8, 2, 5, 9, 9))
    assert torch.equal(out[:, 0], out[:, 1])           # one field for all steps of a sequence
    again = GainAugmenter("smooth-gain", 1.0, 0.25, X, "grid", seed=0)(xb)
    assert torch.equal(smooth, again)


def test_augment_param_checked_and_off_switch():
    Xtr, ytr, Xte, yte = _data("ccnn")
    with pytest.raises(ConfigurationError, match="augment must be"):
        _model("ccnn", augment="flip").fit(Xtr, ytr)
    with pytest.raises(ConfigurationError, match="augment_strength"):
        _model("ccnn", augment_strength=0).fit(Xtr, ytr)
    assert get_model("ccnn").augment == "smooth-gain"
    augmented = _model("ccnn", augment="smooth-gain", augment_strength=0.3).fit(Xtr, ytr)
    assert augmented.score(Xte, yte) >= 0.8
    assert not np.array_equal(augmented.predict_proba(Xte), _fitted("ccnn").predict_proba(Xte))


def test_ft_surrogate_keeps_spectra_and_cross_spectra():
    from eegemo.models._augment import FTSurrogate

    rng = np.random.default_rng(0)
    xb = torch.from_numpy(rng.standard_normal((16, 4, 100)).astype(np.float32))
    xb[:, 1:] += xb[:, :1]                                        # correlated channels
    out = FTSurrogate(1.0, seed=0)(xb)
    spec_in, spec_out = torch.fft.rfft(xb.double(), dim=-1), torch.fft.rfft(out.double(), dim=-1)
    # every channel's amplitude spectrum, and every cross-spectrum, is unchanged
    assert torch.allclose(spec_out.abs(), spec_in.abs(), rtol=1e-3, atol=1e-3)
    cross_in = spec_in[:, 0] * spec_in[:, 2].conj()
    cross_out = spec_out[:, 0] * spec_out[:, 2].conj()
    assert torch.allclose(cross_out, cross_in, rtol=1e-3, atol=1e-2)
    # ... but the waveforms are new
    r = np.corrcoef(xb[:, 1].flatten().numpy(), out[:, 1].flatten().numpy())[0, 1]
    assert abs(r) < 0.2
    assert torch.equal(out, FTSurrogate(1.0, seed=0)(xb))         # its own seeded generator
    weak = FTSurrogate(0.02, seed=0)(xb)                          # small phase noise: near copy
    assert float(((weak - xb) ** 2).mean() / (xb ** 2).mean()) < 0.01


def test_whitening_flattens_the_training_spectrum_and_is_saved(tmp_path):
    from eegemo.models.eegnet import whitening_gains

    rng = np.random.default_rng(1)
    X = np.cumsum(rng.standard_normal((60, 3, 128)), -1).astype(np.float32)   # 1/f^2 spectra
    X -= X.mean(-1, keepdims=True)
    gain = whitening_gains(X)
    power = (np.abs(np.fft.rfft(X, axis=-1)) ** 2).mean(0)
    white = power * gain ** 2
    flat = white[:, 1:]                       # the mean was removed: bin 0 is at the floor
    assert flat.std(1).max() / flat.mean() < 0.05 < power[:, 1:].std(1).min() / power.mean()
    np.testing.assert_allclose(white.sum(1), power.sum(1), rtol=0.03)  # total power kept
    with pytest.raises(ConfigurationError, match="augment_strength"):
        _model("eegnet", augment="ft-surrogate", augment_strength=1.5).fit(*_data("eegnet")[:2])
    with pytest.raises(ConfigurationError, match="augment must be"):
        _model("eegnet", augment="smooth-gain").fit(*_data("eegnet")[:2])
    with pytest.raises(ConfigurationError, match="whiten must be True or False, found 'yes'"):
        _model("eegnet", whiten="yes").fit(*_data("eegnet")[:2])
    Xtr, ytr, Xte, yte = _data("eegnet")
    assert get_model("eegnet").whiten is False and get_model("eegnet").augment is None
    model = _model("eegnet", whiten=True, augment="ft-surrogate").fit(Xtr, ytr)
    assert model.score(Xte, yte) >= 0.8
    np.testing.assert_allclose(model.module_.whiten_gain.cpu().numpy(), whitening_gains(Xtr),
                               rtol=1e-6)
    back = load_model(model.save(tmp_path / "m.pt"))
    assert torch.equal(back.module_.whiten_gain.cpu(), model.module_.whiten_gain.cpu())
    # a checkpoint written before whitening and augmentation existed loads as the paper's network
    plain = _model("eegnet", whiten=False, augment=None).fit(Xtr, ytr)
    payload = torch.load(plain.save(tmp_path / "plain.pt"), weights_only=True)
    for key in ("whiten", "augment", "augment_strength"):
        payload["params"].pop(key)
    torch.save(payload, tmp_path / "old.pt")
    old = load_model(tmp_path / "old.pt")
    assert old.whiten is False and old.augment is None
    np.testing.assert_array_equal(old.predict_proba(Xte), plain.predict_proba(Xte))


@pytest.mark.skipif(not CUDA, reason="no CUDA device")
@pytest.mark.parametrize("name", [n for n in PARAMS if n not in ("svm", "logreg")])
@pytest.mark.parametrize("amp", [False, True])
def test_cuda_fit_learns_and_checkpoint_moves_to_cpu(name, amp, tmp_path):
    Xtr, ytr, Xte, yte = _data(name)
    model = _model(name, device="cuda", amp=amp).fit(Xtr, ytr)
    assert model.device_.type == "cuda"
    assert model.score(Xte, yte) >= 0.8
    back = load_model(model.save(tmp_path / "m.pt"), device="cpu")
    assert back.device == "cpu"
    p_gpu, p_cpu = model.predict_proba(Xte), back.predict_proba(Xte)
    np.testing.assert_allclose(p_cpu, p_gpu, atol=0.02 if amp else 1e-3)
