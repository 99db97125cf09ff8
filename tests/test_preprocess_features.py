"""Band features: closed forms for DE / band power, PSD, smoothing, sklearn transformers."""

from __future__ import annotations

import numpy as np
import pytest

from eegemo.bands import SEED_BANDS
from eegemo.errors import ConfigurationError
from eegemo.preprocess import features as F
from eegemo.preprocess.features import (band_power, check_bands, differential_entropy, lds_smooth,
                                        moving_average, psd_features)

SF = 200.0
LOG2PIE = np.log(2 * np.pi * np.e)


def _sine(amp, freq, n=200, sfreq=SF, phase=0.3):
    t = np.arange(n) / sfreq
    return amp * np.sin(2 * np.pi * freq * t + phase)


@pytest.mark.parametrize("freq,band", [(2.0, 0), (6.0, 1), (10.0, 2), (20.0, 3), (40.0, 4)])
def test_de_of_sinusoid_matches_closed_form(freq, band):
    amp = 3e-5  # volts
    de = differential_entropy(_sine(amp, freq), SF)
    assert de.shape == (5,)
    assert de[band] == pytest.approx(0.5 * np.log(2 * np.pi * np.e * amp ** 2 / 2), abs=1e-9)
    others = np.delete(de, band)
    assert np.all(others < de[band] - 10)  # no leakage of an on-bin sinusoid into other bands


def test_band_power_equals_variance_of_ideal_bandpass():
    rng = np.random.default_rng(0)
    for n in (250, 199):  # even n has a Nyquist bin, odd n has none
        xs = rng.standard_normal((7, n))
        p = band_power(xs, 250.0)
        spec = np.fft.fft(xs, axis=-1)
        f = np.abs(np.fft.fftfreq(n, 1 / 250.0))
        for j, b in enumerate(SEED_BANDS):
            mask = (f >= b.low) & (f < b.high)
            y = np.fft.ifft(spec * mask, axis=-1).real
            np.testing.assert_allclose(p[:, j], (y ** 2).mean(axis=-1), rtol=1e-10)
            np.testing.assert_allclose(p[:, j], y.var(axis=-1), rtol=1e-10)


def test_de_of_white_noise_matches_closed_form():
    rng = np.random.default_rng(1)
    sigma = 2.0
    x = sigma * rng.standard_normal((4000, 200))
    p = band_power(x, SF).mean(axis=0)
    expected = np.array([sigma ** 2 * (b.high - b.low) * 2 / SF for b in SEED_BANDS])
    np.testing.assert_allclose(p, expected, rtol=0.03)
    de = differential_entropy(x, SF)
    # DE of the mean band power equals the closed form 0.5 log(2 pi e sigma^2 bw 2 / sfreq)
    np.testing.assert_allclose(0.5 * (LOG2PIE + np.log(np.exp(2 * de - LOG2PIE).mean(axis=0))),
                               0.5 * (LOG2PIE + np.log(expected)), atol=0.02)


def test_psd_of_white_noise_is_flat():
    rng = np.random.default_rng(2)
    x = 1.5 * rng.standard_normal((3000, 200))
    psd = psd_features(x, SF).mean(axis=0)
    np.testing.assert_allclose(psd, 2 * 1.5 ** 2 / SF, rtol=0.04)  # one-sided density
    logpsd = psd_features(x[:5], SF, log=True)
    np.testing.assert_allclose(logpsd, np.log(psd_features(x[:5], SF)), rtol=1e-12)


def test_leading_dims_axis_dtype_out_and_chunking(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4, 200))
    ref = differential_entropy(x, SF)
    assert ref.shape == (6, 4, 5)
    np.testing.assert_allclose(differential_entropy(np.moveaxis(x, -1, 1), SF, axis=1), ref)
    np.testing.assert_allclose(differential_entropy(x[2, 1], SF), ref[2, 1])
    de32 = differential_entropy(x.astype(np.float32), SF)
    assert de32.dtype == np.float32
    np.testing.assert_allclose(de32, ref, atol=1e-4)
    out = np.empty((6, 4, 5))
    assert differential_entropy(x, SF, out=out) is out
    np.testing.assert_allclose(out, ref)
    with pytest.raises(ConfigurationError, match="out="):
        differential_entropy(x, SF, out=np.empty((6, 4, 4)))
    # small chunks over an overlapping strided view give the same numbers
    monkeypatch.setattr(F, "_CHUNK_SAMPLES", 1000)
    sig = rng.standard_normal((3, 2000))
    view = np.lib.stride_tricks.sliding_window_view(sig, 200, axis=-1)[:, ::50].swapaxes(0, 1)
    np.testing.assert_allclose(differential_entropy(view, SF),
                               differential_entropy(np.ascontiguousarray(view), SF), rtol=1e-12)


def test_band_above_nyquist_and_empty_band_error():
    with pytest.raises(ConfigurationError, match="Nyquist"):
        check_bands(SEED_BANDS, 80.0, "prepare --bands")
    with pytest.raises(ConfigurationError, match="Nyquist"):
        differential_entropy(np.zeros((2, 80)), 80.0)
    with pytest.raises(ConfigurationError, match="no FFT bin"):
        differential_entropy(np.zeros(200), SF, bands=[("narrow", 1.2, 1.8)])
    with pytest.raises(ConfigurationError, match="sampling rate"):
        check_bands(None, -1.0)
    assert check_bands([("gamma", 31, 50)], 100.0)[0].high == 50.0  # high == Nyquist is allowed
    # band names label the arrays' band axis, figures and xarray coordinates: unique, not empty
    from eegemo.bands import as_bands

    with pytest.raises(ConfigurationError, match="unique .found alpha more than once"):
        as_bands("alpha:8-13,alpha:14-30")
    with pytest.raises(ConfigurationError, match="has no name"):
        as_bands(":8-13")
    assert as_bands(("alpha", 8, 14)) == as_bands([("alpha", 8, 14)])     # one band, bare
    for bad in ({"alpha": 8}, [("alpha", 8)], 5):      # one line, not numpy's unpacking errors
        with pytest.raises(ConfigurationError, match="bands must be .name, low, high. triples"):
            as_bands(bad)


def test_flat_channel_gives_finite_de():
    de = differential_entropy(np.zeros((3, 200), dtype=np.float32), SF)
    assert np.all(np.isfinite(de))


def _noisy_constant(rng, n=400, shape=(62, 5)):
    return 5.0 + rng.standard_normal((n, *shape))


@pytest.mark.parametrize("smooth", [lambda f: moving_average(f, 5), lambda f: lds_smooth(f)])
def test_smoothing_reduces_variance_keeps_mean(smooth):
    rng = np.random.default_rng(4)
    x = _noisy_constant(rng)
    y = smooth(x)
    assert y.shape == x.shape
    assert abs(y.mean() - x.mean()) < 0.02
    assert y.var(axis=0).mean() < 0.3 * x.var(axis=0).mean()
    const = np.full((50, 3, 2), 7.5)
    np.testing.assert_allclose(smooth(const), const)


def test_moving_average_matches_direct_loop_and_edges():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((11, 3))
    for n in (1, 4, 5):
        y = moving_average(x, n)
        b, a = n // 2, n - 1 - n // 2
        direct = np.array([x[max(0, i - b):i + a + 1].mean(axis=0) for i in range(11)])
        np.testing.assert_allclose(y, direct)
    with pytest.raises(ConfigurationError):
        moving_average(x, 0)
    # a non-finite value spoils only the windows whose average includes it
    y = np.ones(10)
    y[3] = np.nan
    out = moving_average(y, 3)
    assert np.isnan(out[2:5]).all() and (out[[0, 1, 5, 6, 7, 8, 9]] == 1).all()


def test_lds_limits_and_float32():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((30, 4)).astype(np.float32)
    # almost no observation noise: the smoother returns the data
    np.testing.assert_allclose(lds_smooth(x, q=1.0, r=1e-8), x, atol=1e-5)
    y = lds_smooth(x)
    assert y.dtype == np.float32
    # default (SEED) settings smooth strongly: far smoother than a 5-window moving average
    assert np.diff(y, axis=0).std() < 0.5 * np.diff(moving_average(x, 5), axis=0).std()
    with pytest.raises(ConfigurationError):
        lds_smooth(x, q=0)
    with pytest.raises(ConfigurationError):
        lds_smooth(x, prior="median")


def test_sklearn_pipeline_end_to_end():
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from eegemo.preprocess.transformers import DE, PSD, Flatten, NormalizerTransformer, Windower

    rng = np.random.default_rng(7)

    def trial(alpha_amp):
        t = np.arange(20 * 200) / SF
        phases = rng.uniform(0, 2 * np.pi, (4, 1))
        return (1e-5 * rng.standard_normal((4, t.size))
                + alpha_amp * np.sin(2 * np.pi * 10 * t + phases))

    win = Windower(SF, length=1.0, overlap=0.5)
    X, y = [], []
    for k in range(6):
        label = k % 2
        w = win.fit_transform(trial(2e-6 + 6e-6 * label))
        X.append(w)
        y += [label] * len(w)
    X, y = np.concatenate(X), np.array(y)
    assert X.shape[1:] == (4, 200) and len(X) == 6 * 39
    train = np.arange(len(X)) < 4 * 39
    pipe = make_pipeline(DE(sfreq=SF), NormalizerTransformer(), Flatten(),
                         LogisticRegression(max_iter=500))
    pipe.fit(X[train], y[train])
    assert pipe.score(X[~train], y[~train]) > 0.9
    c = clone(pipe)
    assert c.get_params()["de__sfreq"] == SF
    assert PSD(SF, log=True).fit_transform(X[:3]).shape == (3, 4, 5)
    for cls in (DE, PSD, Windower):     # no default rate: a 250-Hz window is never read as 200 Hz
        with pytest.raises(TypeError, match="sfreq"):
            cls()
    with pytest.raises(ConfigurationError, match="Nyquist"):
        DE(sfreq=60.0).fit(X)


def test_real_eeg_band_power_matches_scipy_periodogram(eegmmidb_dir):
    import mne
    from scipy.signal import periodogram

    from eegemo.preprocess.grid import to_grid, to_image
    from eegemo.preprocess.windows import make_windows

    raw = mne.io.read_raw_edf(eegmmidb_dir / "S001R03.edf", preload=False, verbose="error")
    sfreq = raw.info["sfreq"]  # 160 Hz: gamma 31-50 Hz is below Nyquist (80 Hz)
    x = raw.get_data(start=0, stop=int(10 * sfreq))
    w = make_windows(x, sfreq, length=2.0, overlap=1.0)
    assert w.shape == (9, 64, 320)
    p = band_power(w, sfreq)
    f, pxx = periodogram(w, fs=sfreq, window="boxcar", detrend=False, scaling="density", axis=-1)
    df = f[1] - f[0]
    for j, b in enumerate(SEED_BANDS):
        sel = (f >= b.low) & (f < b.high)
        np.testing.assert_allclose(p[..., j], pxx[..., sel].sum(axis=-1) * df, rtol=1e-8)
    de = differential_entropy(w, sfreq)
    assert np.all(np.isfinite(de)) and np.all(de < 0)  # volts: powers far below 1 V^2
    # EDF names ("Fc5.") reach the grid and the topographic projection
    assert np.count_nonzero(to_grid(de[0], raw.ch_names)[0]) == 58
    assert to_image(de[:2], raw.ch_names, size=16).shape == (2, 5, 16, 16)
