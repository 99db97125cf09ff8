"""Generators (dense-gan, wgan-4d, wgan-raw, ddpm): fitting, sampling, checkpoints and input checks."""

from __future__ import annotations

import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from eegemo.errors import ConfigurationError, DataFormatError  # noqa: E402
from eegemo.generative import (GENERATORS, get_generator, list_generators,  # noqa: E402
                               load_generator)

#: device of the generator tests: "cpu" here and in CI; EEGEMO_TEST_DEVICE=cuda runs them on a GPU
DEVICE = os.environ.get("EEGEMO_TEST_DEVICE", "cpu")

NAMES = {0: "negative", 1: "neutral", 2: "positive"}

#: tiny settings for every registered generator (the registry test fails when one is missing)
TINY = {
    "dense-gan": ("grid", dict(hidden=(32, 64), latent_dim=8, lr=1e-3)),
    "wgan-4d": ("grid", dict(width=8, latent_dim=8)),
    "wgan-raw": ("raw", dict(width=8, latent_dim=8, n_up=2)),
    "ddpm": ("raw", dict(width=8, timesteps=100, sample_steps=10)),
}


pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _toy(kind: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], 40)
    if kind == "grid":
        X = rng.normal(size=(120, 3, 9, 9)) + 2 * y[:, None, None, None] + 5
        X[:, :, 0, 0] = 0.0               # a grid cell without electrode
    else:
        t = np.arange(32) / 32
        X = 10 * (0.3 * rng.normal(size=(120, 4, 32))
                  + 3 * np.sin(2 * np.pi * 2 * (1 + y)[:, None, None] * t))
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def fitted():
    """One tiny fit per generator, shared by the tests of this module."""
    out = {}
    for name, (kind, params) in TINY.items():
        X, y = _toy(kind)
        gen = get_generator(name, epochs=15, batch_size=32, random_state=0, label_names=NAMES,
                            device=DEVICE, **params)
        out[name] = (gen.fit(X, y), X, y)
    return out


def test_registry_has_a_tiny_case_for_every_generator():
    assert set(TINY) == set(GENERATORS) == set(list_generators())
    with pytest.raises(ConfigurationError, match="unknown generator"):
        get_generator("vae")
    with pytest.raises(ConfigurationError, match="allowed values"):
        get_generator("wgan-4d", widht=3)


@pytest.mark.parametrize("name", list(TINY))
def test_tiny_fit_reduces_loss_and_samples_requested_class_and_shape(fitted, name):
    gen, X, y = fitted[name]
    hist = gen.history_
    assert [h["epoch"] for h in hist] == list(range(1, 16))
    key = "loss" if name == "ddpm" else "d_loss"
    first, last = np.mean([h[key] for h in hist[:2]]), np.mean([h[key] for h in hist[-2:]])
    assert last < first, f"{name}: {key} did not go down ({first:.3f} -> {last:.3f})"
    if name != "dense-gan":     # the reference GAN learns the moments too slowly for 15 tiny epochs
        assert hist[-1]["moment_gap"] < hist[0]["moment_gap"]
    fake = gen.sample(7, "positive", random_state=1)
    assert fake.shape == (7,) + X.shape[1:] and fake.dtype == np.float32
    assert np.isfinite(fake).all()
    np.testing.assert_array_equal(fake, gen.sample(7, 2, random_state=1))   # name == label value
    assert not np.array_equal(fake, gen.sample(7, "positive", random_state=2))
    assert gen.sample(0, "neutral").shape == (0,) + X.shape[1:]
    if X.ndim == 4:      # constant cells come back constant
        assert np.all(gen.sample(5, 0)[:, :, 0, 0] == 0.0)
    with pytest.raises(ConfigurationError, match="unknown emotion"):
        gen.sample(3, "happy")
    with pytest.raises(ConfigurationError, match="unknown emotion"):
        gen.sample(3, 7)


def test_wgan_4d_learns_the_class_conditional_means():
    X, y = _toy("grid")
    gen = get_generator("wgan-4d", epochs=40, batch_size=32, width=8, latent_dim=8, lr=1e-3,
                        random_state=0, device=DEVICE).fit(X, y)
    means = [gen.sample(200, c, random_state=0)[:, :, 1:, 1:].mean() for c in (0, 1, 2)]
    # real class means are 5, 7, 9: the ordering and spacing must be picked up
    assert means[0] < means[1] < means[2]
    assert means[2] - means[0] > 2.0


@pytest.mark.parametrize("name", list(TINY))
def test_save_load_round_trip(fitted, name, tmp_path):
    gen, X, _ = fitted[name]
    path = gen.save(tmp_path / f"{name}.pt")
    again = load_generator(path)
    assert type(again) is type(gen) and again.get_params()["random_state"] == 0
    assert again.label_names == NAMES and again.history_ == gen.history_
    np.testing.assert_allclose(again.sample(5, "neutral", random_state=3),
                               gen.sample(5, "neutral", random_state=3), rtol=1e-5, atol=1e-5)
    assert type(gen).load(path).input_shape_ == X.shape[1:]


@pytest.mark.parametrize("name", ["wgan-raw", "ddpm"])
def test_spectral_whitening_is_exact_and_flattens_the_spectrum(fitted, name):
    gen, X, _ = fitted[name]
    assert gen.whiten and gen.spectrum_.shape == (X.shape[1], X.shape[2] // 2 + 1)
    Z = gen._scale(X)
    np.testing.assert_allclose(gen._unscale(Z), X, rtol=1e-4, atol=1e-3)  # invertible
    power = (np.abs(np.fft.rfft(Z, axis=-1, norm="ortho")) ** 2).mean(axis=0)
    np.testing.assert_allclose(power, 1.0, rtol=1e-3)  # every channel and frequency weighs the same
    raw = (np.abs(np.fft.rfft(X - X.mean(axis=(0, 2), keepdims=True), axis=-1)) ** 2).mean(axis=0)
    assert raw.max() / raw.min() > 100  # the toy data are far from flat before whitening
    plain = get_generator(name, whiten=False, epochs=1, device="cpu", **TINY[name][1]).fit(*_toy("raw"))
    assert plain.spectrum_ is None


def test_checkpoint_errors_are_one_line(fitted, tmp_path):
    gen = fitted["wgan-4d"][0]
    good = gen.save(tmp_path / "g.pt")
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(good.read_bytes()[:200])
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    pickled = tmp_path / "pickled.pt"
    torch.save(ConfigurationError("not weights"), pickled)      # an arbitrary object: refused
    for path in (corrupt, foreign, pickled, tmp_path / "missing.pt"):
        with pytest.raises(DataFormatError) as err:
            load_generator(path)
        assert "\n" not in str(err.value) and str(path) in str(err.value)
    with pytest.raises(DataFormatError, match="another generator"):
        type(fitted["ddpm"][0]).load(good)


def test_generators_clone_as_scikit_learn_estimators():
    from sklearn.base import clone

    from eegemo.generative import get_generator

    gen = get_generator("wgan-4d", latent_dim=7)
    twin = clone(gen)
    assert twin is not gen and twin.get_params() == gen.get_params()
    assert twin.get_params(deep=False)["latent_dim"] == 7


def test_unknown_generator_parameters_name_the_close_one():
    from eegemo.generative import get_generator

    with pytest.raises(ConfigurationError, match="'max_epochs' .did you mean epochs.*allowed values"):
        get_generator("wgan-4d", max_epochs=3)
    with pytest.raises(ConfigurationError, match="'sample_step' .did you mean sample_steps"):
        get_generator("ddpm", sample_step=3)
    with pytest.raises(ConfigurationError, match="unknown parameter 'widht'"):
        get_generator("wgan-raw").set_params(widht=3)


def test_subject_conditioning_and_input_checks():
    X, y = _toy("grid")
    subjects = np.where(np.arange(len(y)) % 2, "s1", "s2")
    gen = get_generator("wgan-4d", epochs=2, width=4, latent_dim=4, condition_subject=True,
                        random_state=0, device=DEVICE).fit(X, y, subjects=subjects)
    assert gen.subjects_ == ["s1", "s2"]
    assert gen.sample(4, 1, subject="s2").shape == (4, 3, 9, 9)
    # without a subject the rows are a mix over the training subjects, not the first one
    Xs = X + np.where(subjects == "s1", 10.0, 0.0)[:, None, None, None]   # s1 sits 10 above s2
    gen = get_generator("wgan-4d", epochs=1, width=4, latent_dim=4, condition_subject=True,
                        random_state=0, device=DEVICE).fit(Xs, y, subjects=subjects)
    level = {s: float(gen.sample(300, 1, random_state=2, subject=s)[:, :, 1:, 1:].mean())
             for s in ("s1", "s2")}
    mixed = gen.sample(300, 1, random_state=2)[:, :, 1:, 1:].mean(axis=(1, 2, 3))
    assert level["s1"] - level["s2"] > 8
    assert abs(float(mixed.mean()) - (level["s1"] + level["s2"]) / 2) < 2
    assert ((mixed > level["s1"] - 3).mean() > 0.3) and ((mixed < level["s2"] + 3).mean() > 0.3)
    with pytest.raises(ConfigurationError, match="unknown subject"):
        gen.sample(4, 1, subject="s9")
    # sample_like with fewer subjects than labels returned uninitialised rows for the rest (zip
    # of y and subjects), with more it ignored the extra ones
    for subj in (["s1", "s2"], ["s1", "s2", "s1", "s2", "s1"]):
        with pytest.raises(ConfigurationError, match=r"subjects must have one entry per label of "
                           rf"y \(expected 4, found {len(subj)}\)"):
            gen.sample_like([0, 1, 1, 0], random_state=1, subjects=subj)
    assert gen.sample_like([0, 1, 1, 0], random_state=1, subjects=["s1", "s2"] * 2).shape == (
        4, 3, 9, 9)
    plain = get_generator("wgan-4d", epochs=1, width=4, latent_dim=4, device="cpu")
    with pytest.raises(ConfigurationError, match="not fitted"):
        plain.sample(2, 0)
    with pytest.raises(ConfigurationError, match="dimensions"):
        plain.fit(X[:, 0], y)
    bad = X.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ConfigurationError, match="NaN"):
        plain.fit(bad, y)
    with pytest.raises(ConfigurationError, match="epochs"):
        get_generator("ddpm", epochs=0).fit(_toy("raw")[0], y)


def test_wgan4d_condition_means_come_from_the_training_rows(tmp_path):
    X, y = _toy("grid")                       # class k is offset by +2k in every cell
    means = {}
    for flag in (True, False):
        gen = get_generator("wgan-4d", epochs=2, width=4, latent_dim=4, condition_mean=flag,
                            random_state=0, device="cpu").fit(X, y)
        means[flag] = [float(gen.sample(200, k, random_state=1)[:, :, 1:, 1:].mean()) for k in
                       (0, 1, 2)]
    real = [float(X[y == k][:, :, 1:, 1:].mean()) for k in (0, 1, 2)]
    # two epochs cannot learn the offsets; the condition means give them from the start
    assert np.allclose(means[True], real, atol=0.5)
    assert not np.allclose(means[False], real, atol=0.5)
    gen = get_generator("wgan-4d", epochs=1, width=4, latent_dim=4, random_state=0,
                        device="cpu").fit(X, y)
    assert gen.cond_mean_.shape == (3, 1) + X.shape[1:]
    path = gen.save(tmp_path / "g.pt")
    back = load_generator(path)
    np.testing.assert_array_equal(back.sample(5, 1, random_state=3), gen.sample(5, 1, random_state=3))
    payload = torch.load(path, weights_only=True)
    payload["cond_mean"] = None                # parameters say True, the means are missing
    torch.save(payload, tmp_path / "bad.pt")
    with pytest.raises(DataFormatError, match="condition means"):
        load_generator(tmp_path / "bad.pt")


@pytest.mark.parametrize("name", ["wgan-4d", "dense-gan"])
def test_log_scale_gives_positive_band_powers(name, tmp_path):
    """Band powers (V²/Hz, ~1e-12) span decades: log_scale models their log, so every sample is a
    positive power of the data's order; a checkpoint keeps the setting."""
    X, y = _toy("grid")
    P = (np.exp(0.5 * X) * 1e-12).astype(np.float32)          # positive, log-normal powers
    params = dict(epochs=1, latent_dim=4, random_state=0, device="cpu")
    params.update(width=4) if name == "wgan-4d" else params.update(hidden=16)
    gen = get_generator(name, log_scale=True, **params).fit(P, y)
    S = gen.sample(200, 1, random_state=2)
    assert (S > 0).all()
    ratio = np.median(S) / np.median(P[y == 1])
    assert 0.1 < ratio < 10
    back = load_generator(gen.save(tmp_path / "g.pt"))
    assert back.log_scale is True
    np.testing.assert_array_equal(back.sample(5, 1, random_state=3), gen.sample(5, 1, random_state=3))
    with pytest.raises(ConfigurationError, match="log_scale=True needs positive rows"):
        get_generator(name, log_scale=True, **params).fit(P - 2e-12, y)


def test_dense_gan_takes_one_width_and_refuses_nonsense():
    X, y = _toy("grid")
    gen = get_generator("dense-gan", hidden=16, epochs=1, latent_dim=4, random_state=0,
                        device="cpu").fit(X, y)
    assert gen.sample(3, 0).shape == (3,) + X.shape[1:]
    for bad in ("wide", (16, 0), ()):
        with pytest.raises(ConfigurationError, match="hidden must be positive widths"):
            get_generator("dense-gan", hidden=bad, epochs=1, device="cpu").fit(X, y)
    with pytest.raises(ConfigurationError, match="latent_dim must be a positive int"):
        get_generator("dense-gan", latent_dim=0, epochs=1, device="cpu").fit(X, y)


def test_weak_network_output_is_said_at_calibration(monkeypatch, caplog):
    """Where a network puts out almost nothing, its spectrum cannot be restored: training says so."""
    X, y = _toy("raw")
    cls = type(get_generator("wgan-raw"))
    real = cls._generate
    monkeypatch.setattr(cls, "_generate", lambda self, yt, st, g: 1e-4 * real(self, yt, st, g))
    with caplog.at_level("WARNING", logger="eegemo"):
        get_generator("wgan-raw", epochs=1, random_state=0, device="cpu",
                      **TINY["wgan-raw"][1]).fit(X, y)
    assert "near zero in 100% of the (channel, frequency) bins" in caplog.text


def test_condition_spectra_give_each_class_its_power(tmp_path):
    X, y = _toy("raw")                        # class k: a sinusoid at 2(k+1) cycles per window
    err = {}
    for flag in (True, False):
        gen = get_generator("ddpm", epochs=5, condition_spectrum=flag, random_state=0,
                            device="cpu", **TINY["ddpm"][1]).fit(X, y)
        assert (gen.cond_spectrum_ is not None) == flag
        rel = []
        for k in (0, 1, 2):                   # mean |log10 power ratio| over frequencies
            p_fake = (np.abs(np.fft.rfft(gen.sample(100, k, random_state=1), axis=-1)) ** 2).mean(
                axis=(0, 1))
            p_real = (np.abs(np.fft.rfft(X[y == k], axis=-1)) ** 2).mean(axis=(0, 1))
            rel.append(np.abs(np.log10(p_fake / p_real)).mean())
        err[flag] = float(np.mean(rel))
    assert err[True] < 0.15 < err[False]     # measured here: 0.07 vs 0.38
    for flag in (True, False):               # both settings survive a checkpoint round trip
        gen = get_generator("wgan-raw", epochs=1, condition_spectrum=flag, random_state=0,
                            device="cpu", **TINY["wgan-raw"][1]).fit(X, y)
        back = load_generator(gen.save(tmp_path / f"g{flag}.pt"))
        assert (back.cond_spectrum_ is not None) == flag
        np.testing.assert_array_equal(back.sample(4, 2, random_state=5),
                                      gen.sample(4, 2, random_state=5))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("name", list(TINY))
def test_cuda_fit_samples_and_checkpoint_moves_to_cpu(name, tmp_path):
    kind, params = TINY[name]
    X, y = _toy(kind)
    gen = get_generator(name, epochs=5, batch_size=32, random_state=0, label_names=NAMES,
                        device="cuda", **params).fit(X, y)
    assert gen.device_.type == "cuda"
    S = gen.sample(7, "positive", random_state=1)
    assert S.shape == (7,) + X.shape[1:] and np.isfinite(S).all()
    back = load_generator(gen.save(tmp_path / "g.pt"), device="cpu")
    S2 = back.sample(7, "positive", random_state=1)
    assert S2.shape == S.shape and np.isfinite(S2).all()


def test_calibration_and_long_sampling_show_a_progress_bar(fitted, monkeypatch, capsys):
    """ddpm's post-training calibration and a many-batch draw take minutes on a CPU: a bar says so."""
    X, y = _toy("raw")
    monkeypatch.setenv("EEGEMO_NO_PROGRESS", "0")
    gen = get_generator("ddpm", epochs=1, random_state=0, device=DEVICE, verbose=True,
                        **TINY["ddpm"][1]).fit(X, y)
    err = capsys.readouterr().err
    assert "ddpm calibration" in err and "condition" in err
    gen.sample(10, 0, batch_size=4)
    assert "ddpm sampling" in capsys.readouterr().err
    gen.sample(3, 0, batch_size=4)                  # one batch: no bar
    assert "sampling" not in capsys.readouterr().err


def test_a_damaged_or_foreign_checkpoint_is_one_line_not_garbage(fitted, tmp_path):
    """torch.load does not check the archive's checksums: a flipped byte in the weights loaded
    and sampled values of 1e23. Text files crashed the unpickler with a traceback."""
    gen = fitted["wgan-4d"][0]
    data = bytearray(gen.save(tmp_path / "g.pt").read_bytes())
    mid = len(data) // 2
    data[mid:mid + 200] = bytes(b ^ 0xFF for b in data[mid:mid + 200])
    (tmp_path / "flipped.pt").write_bytes(bytes(data))
    (tmp_path / "hello.pt").write_text("hello")
    (tmp_path / "notes.pt").write_text("some notes")
    for name, found in (("flipped.pt", "checksum does not match"),
                        ("hello.pt", "not a readable weights-only"),
                        ("notes.pt", "not a readable weights-only")):
        with pytest.raises(DataFormatError) as err:
            load_generator(tmp_path / name)
        msg = str(err.value)
        assert "\n" not in msg and "\x1b" not in msg and found in msg, msg


def test_one_seed_gives_each_emotion_its_own_noise_and_unseeded_draws_reproduce(fitted, tmp_path,
                                                                               monkeypatch):
    gen = fitted["wgan-4d"][0]
    seen = []
    real = type(gen)._generate

    def spy(self, y, s, g):
        seen.append(torch.randn(4, generator=g).tolist())    # the draw's first noise values
        return real(self, y, s, g)

    monkeypatch.setattr(type(gen), "_generate", spy)
    gen.sample(3, 0, random_state=7)
    gen.sample(3, 1, random_state=7)
    gen.sample(3, 0, random_state=7)
    assert seen[0] != seen[1] and seen[0] == seen[2]
    monkeypatch.undo()
    # sample_like without a seed continues from the seed saved in the checkpoint, like sample
    path = gen.save(tmp_path / "g.pt")
    y = np.array([0, 1, 2, 2])
    a = load_generator(path).sample_like(y)
    b = load_generator(path).sample_like(y)
    np.testing.assert_array_equal(a, b)
