"""Windowing: starts, strided views, trial boundaries, errors, interpolate-to-length."""

from __future__ import annotations

import numpy as np
import pytest

from eegemo.errors import ConfigurationError
from eegemo.preprocess.windows import (interpolate_to_length, make_windows, window_samples,
                                       window_starts)


def test_window_starts_with_overlap_and_tail_dropped():
    starts = window_starts(1049, 100.0, length=1.0, overlap=0.5)
    np.testing.assert_array_equal(starts, np.arange(0, 901, 50))
    assert starts[-1] + 100 <= 1049
    assert len(window_starts(1050, 100.0)) == 10  # incomplete 0.5-s tail dropped
    assert len(window_starts(100, 100.0)) == 1
    assert window_samples(200.0, 4.0, 1.0) == (800, 600)


def test_make_windows_is_a_view_with_the_right_content():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 730))
    w = make_windows(x, 200.0, length=1.0, overlap=0.25)
    starts = window_starts(730, 200.0, 1.0, 0.25)
    assert w.shape == (len(starts), 3, 200)
    assert np.shares_memory(w, x) and not w.flags.writeable
    for i, s in enumerate(starts):
        np.testing.assert_array_equal(w[i], x[:, s:s + 200])
    w1 = make_windows(x[0], 200.0)
    assert w1.shape == (3, 200)
    np.testing.assert_array_equal(w1[2], x[0, 400:600])


def test_windows_never_cross_trial_boundaries():
    # Three trials of different lengths, each a constant: every window must be constant and come
    # from one trial only, and no window may be built from the samples after a trial's end.
    trials = [np.full((2, n), float(k)) for k, n in enumerate([450, 613, 200])]
    for length, overlap in [(1.0, 0.0), (1.0, 0.5), (0.7, 0.3)]:
        for k, tr in enumerate(trials):
            w = make_windows(tr, 200.0, length, overlap)
            assert np.all(w == k)
            starts = window_starts(tr.shape[1], 200.0, length, overlap)
            assert starts[-1] + w.shape[-1] <= tr.shape[1]
            assert len(w) == len(starts)


@pytest.mark.parametrize("kwargs,match", [
    (dict(n_times=150, sfreq=200.0, length=1.0), "longer than the trial"),
    (dict(n_times=1000, sfreq=200.0, length=1.0, overlap=1.0), "overlap"),
    (dict(n_times=1000, sfreq=200.0, length=1.0, overlap=1.5), "overlap"),
    (dict(n_times=1000, sfreq=200.0, length=0.0), "positive"),
    (dict(n_times=1000, sfreq=200.0, length=-1.0), "positive"),
    (dict(n_times=1000, sfreq=200.0, length=1.0, overlap=-0.1), ">= 0"),
    (dict(n_times=1000, sfreq=200.0, length=1e-4), "one sample"),
    (dict(n_times=1000, sfreq=0.0, length=1.0), "sfreq"),
])
def test_bad_configurations_error(kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        window_starts(**kwargs)


def test_make_windows_errors():
    with pytest.raises(ConfigurationError, match="longer than the trial"):
        make_windows(np.zeros((62, 100)), 200.0, 1.0)
    with pytest.raises(ConfigurationError, match="shape"):
        make_windows(np.zeros((2, 3, 400)), 200.0, 1.0)


def test_interpolate_to_length():
    ramp = np.linspace(0.0, 9.0, 10)
    y = interpolate_to_length(np.vstack([ramp, 2 * ramp]), 19)
    assert y.shape == (2, 19)
    np.testing.assert_allclose(y[0], np.linspace(0, 9, 19))
    np.testing.assert_allclose(y[1], 2 * np.linspace(0, 9, 19))
    z = interpolate_to_length(np.arange(12.0).reshape(3, 4), 7, axis=0)
    assert z.shape == (7, 4)
    np.testing.assert_allclose(z[[0, -1]], [[0, 1, 2, 3], [8, 9, 10, 11]])
    # information is lost: a stretched-then-squeezed sine is not the original
    x = np.sin(np.linspace(0, 40 * np.pi, 1000))
    back = interpolate_to_length(interpolate_to_length(x, 97), 1000)
    assert np.abs(back - x).max() > 0.1
    with pytest.raises(ConfigurationError):
        interpolate_to_length(x, 1)


def test_windower_transformer_keeps_trials_apart():
    from eegemo.preprocess.transformers import Windower

    trials = [np.full((2, n), float(k)) for k, n in enumerate([450, 613])]
    w = Windower(200.0, 1.0, 0.5).fit_transform(trials)
    assert w.shape == (3 + 5, 2, 200) and w.flags.writeable
    assert np.all(w[:3] == 0) and np.all(w[3:] == 1)
    same = Windower(200.0).fit_transform(np.stack([trials[0], trials[0] + 2]))
    assert same.shape == (4, 2, 200) and np.all(same[2:] == 2)
    with pytest.raises(ConfigurationError, match="overlap"):
        Windower(200.0, 1.0, 1.0).fit(trials)
