"""Notch, band-pass and resampling before windowing (eegemo.preprocess.filters, MNE's filters)."""

from __future__ import annotations

import numpy as np
import pytest

from eegemo.errors import ConfigurationError
from eegemo.preprocess import condition


def _amplitude(x: np.ndarray, sfreq: float, f: float) -> float:
    """Amplitude of the sinusoid at ``f`` Hz (middle half of the signal, away from the edges)."""
    n = x.shape[-1]
    seg = x[..., n // 4: 3 * n // 4]
    t = np.arange(seg.shape[-1]) / sfreq
    return float(2 * np.abs((seg * np.exp(-2j * np.pi * f * t)).mean(-1)).mean())


def test_notch_bandpass_and_resample_keep_the_band_and_remove_the_rest():
    sfreq, n = 1000.0, 20_000
    t = np.arange(n) / sfreq
    alpha = 10e-6 * np.sin(2 * np.pi * 10 * t)
    line = 20e-6 * np.sin(2 * np.pi * 50 * t) + 5e-6 * np.sin(2 * np.pi * 150 * t)
    drift = 50e-6 * np.sin(2 * np.pi * 0.1 * t)
    x = np.stack([alpha + line + drift, 2 * alpha + line])
    y, rate = condition(x, sfreq, bandpass=(1.0, 40.0), notch=50.0, resample=200.0)
    assert rate == 200.0 and y.shape == (2, 4000) and y.dtype == np.float64
    assert _amplitude(y[:1], rate, 10) == pytest.approx(10e-6, rel=0.05)    # the band is kept
    assert _amplitude(y[1:], rate, 10) == pytest.approx(20e-6, rel=0.05)
    assert _amplitude(y[:1], rate, 50) < 0.01 * 20e-6                      # line noise gone
    assert _amplitude(y[:1], rate, 0.1) < 0.05 * 50e-6                     # drift gone
    # notch alone: 50 Hz and its harmonic removed, 10 Hz untouched, rate unchanged
    z, rate = condition(x, sfreq, notch=50.0)
    assert rate == sfreq and z.shape == x.shape
    assert _amplitude(z[:1], sfreq, 150) < 0.05 * 5e-6
    assert _amplitude(z[:1], sfreq, 10) == pytest.approx(10e-6, rel=0.02)
    # nothing asked: the signal comes back as it was
    same, rate = condition(x, sfreq)
    np.testing.assert_array_equal(same, x)


def test_conditioning_errors_are_one_line():
    x = np.zeros((2, 1000))
    for kwargs, found in ((dict(bandpass=(1.0, 600.0)), "bandpass high edge must be below"),
                          (dict(notch=500.0), "notch must be below"),
                          (dict(bandpass=(1.0, 150.0), resample=200.0), "of the resampled signal"),
                          # a high-pass above the new Nyquist would leave nothing to featurise
                          (dict(bandpass=(70.0, None), resample=128.0),
                           "low edge must be below the Nyquist frequency of the resampled"),
                          # MNE turns low > high into a band-stop: not what was asked for
                          (dict(bandpass=(40.0, 10.0)), "low edge must be below its high edge"),
                          # at the new Nyquist nothing would notch it (it was silently skipped)
                          (dict(notch=50.0, resample=100.0),
                           "notch must be below the Nyquist frequency of the resampled"),
                          (dict(bandpass=(-1.0, 40.0)), "low edge must be a positive number"),
                          (dict(resample=-100.0), "resample must be a positive number"),
                          (dict(notch=-50.0), "notch must be a positive number")):
        with pytest.raises(ConfigurationError, match=found):
            condition(x, 1000.0, **kwargs)
    with pytest.raises(ConfigurationError, match="shape"):
        condition(np.zeros(100), 1000.0, notch=50.0)


def test_prepare_config_takes_filters_without_changing_old_hashes():
    from eegemo.store import PrepareConfig

    plain = PrepareConfig()
    assert "bandpass" not in plain.to_dict() and "resample" not in plain.to_dict()
    cfg = PrepareConfig(bandpass="1,", notch=50, resample=128)
    assert cfg.bandpass == (1.0, None) and cfg.notch == 50.0 and cfg.resample == 128.0
    assert PrepareConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.config_hash() != plain.config_hash()
    for bad, found in (("40,1", "low edge must be below"), ("a,b", "must be a number"),
                       ((1, 2, 3), "must be \\(l_freq, h_freq\\)")):
        with pytest.raises(ConfigurationError, match=found):
            PrepareConfig(bandpass=bad)
    with pytest.raises(ConfigurationError, match="resample must be > 0"):
        PrepareConfig(resample=-5)


def test_filters_longer_than_short_trials_are_warned_about(tmp_path, caplog):
    """Each trial is filtered on its own: where the filter is longer than half the shortest
    trial, most of its windows carry edge effects, and prepare says so (MNE's own warning was
    hidden)."""
    from eegemo.preprocess import filter_seconds
    from eegemo.recording import Recording, Trial
    from eegemo.store import prepare

    assert filter_seconds(160.0, bandpass=(1.0, 45.0)) == pytest.approx(3.3, abs=0.01)
    assert filter_seconds(200.0, notch=50.0) == pytest.approx(6.6)
    assert filter_seconds(1000.0, bandpass=(1.0, 40.0), resample=100.0) == pytest.approx(3.3,
                                                                                       abs=0.02)
    assert filter_seconds(200.0) == 0.0
    rng = np.random.default_rng(0)
    trials = [Trial(index=i + 1, label=i % 2, sfreq=160.0, ch_names=("Cz", "Pz"), n_times=n,
                    data=1e-5 * rng.standard_normal((2, n)))
              for i, n in enumerate(int(s * 160) for s in (4.1, 4.1, 30.0, 30.0))]
    rec = Recording(dataset="generic", subject="1", session=1, trials=trials,
                    label_names={0: "a", 1: "b"}, source=tmp_path / "x.edf")
    with caplog.at_level("WARNING", logger="eegemo"):
        prepare([rec], tmp_path / "s", jobs=1, window=1.0, bandpass=(1.0, 40.0))
    assert ("filters are up to 3.3 s long, more than half of the shortest trial filtered "
            "without the signal around it (4.1 s"
            in caplog.text)
    caplog.clear()
    with caplog.at_level("WARNING", logger="eegemo"):
        prepare([rec], tmp_path / "s2", jobs=1, window=1.0, bandpass=(4.0, 40.0))
    assert "filters are up to" not in caplog.text        # 0.8 s: short enough


def _annotated_fif(path, sfreq=200.0, seconds=60.0, onsets=(0.5, 12.0, 24.0, 36.0, 48.0)):
    """A continuous recording with a slow drift and 50-Hz line noise, trials of 4 s at onsets."""
    import mne

    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * sfreq)) / sfreq
    x = (1e-5 * rng.standard_normal((2, t.size)) + 6e-5 * np.sin(2 * np.pi * 0.3 * t)
         + 2e-5 * np.sin(2 * np.pi * 50 * t))
    raw = mne.io.RawArray(x, mne.create_info(["Cz", "Pz"], sfreq, "eeg"), verbose="error")
    raw.set_annotations(mne.Annotations(list(onsets), [4.0] * len(onsets),
                                        ["a", "b"] * (len(onsets) // 2) + ["a"] * (len(onsets) % 2)))
    raw.save(path, verbose="error")
    return x


@pytest.mark.parametrize("kw", [dict(bandpass=(1.0, 40.0), notch=50.0),
                                dict(bandpass=(1.0, 40.0), resample=125.0)])
def test_trials_of_a_recording_are_filtered_as_part_of_it(tmp_path, kw):
    """A trial cut from a continuous recording is conditioned with the signal around it, so its
    windows are those of the whole recording filtered first and cut after (MNE's usual order);
    filtering the 4-s trial alone puts a 3.3-s high-pass's edge effects in most of its windows."""
    import mne

    from eegemo.datasets import generic
    from eegemo.store import open_store, prepare

    sfreq, onsets = 200.0, (0.5, 12.0, 24.0, 36.0, 48.0)
    x = _annotated_fif(tmp_path / "run_raw.fif", sfreq, onsets=onsets)
    (rec,) = generic.read(tmp_path / "run_raw.fif")
    prepare([rec], tmp_path / "s", jobs=1, window=1.0, features=("raw",), **kw)
    store = open_store(tmp_path / "s")
    got, index = store.load("raw"), store.index
    rate = kw.get("resample", sfreq)
    y = x
    if kw.get("resample"):
        # padding of a whole number of output samples (800 at 200 Hz = 500 at 125 Hz)
        y = mne.filter.resample(y, up=rate, down=sfreq, npad=800, verbose="error")
    if kw.get("notch"):
        y = mne.filter.notch_filter(y, rate, [50.0], verbose="error")
    y = mne.filter.filter_data(y, rate, 1.0, 40.0, verbose="error") * 1e6
    n = got.shape[-1]
    errors = {}
    for k, row in enumerate(index.itertuples()):
        a = int(round((onsets[row.trial - 1] + row.start) * rate))
        errors.setdefault(row.trial, []).append(
            np.abs(got[k] - y[:, a:a + n]).max() / np.abs(y[:, a:a + n]).max())
    assert sorted(errors) == [1, 2, 3, 4, 5] and all(len(e) == 4 for e in errors.values())
    # trials 2-5 have 12 s of recording around them: the samples of the whole recording's
    assert max(max(errors[t]) for t in (2, 3, 4, 5)) < 1e-3
    # trial 1, 0.5 s after the file's start, takes the 0.5 s there is (not compared: both sides
    # pad by reflection within a filter length of it, at slightly different places)
    assert rec.trials[0].room[0] == 100


@pytest.mark.parametrize("sfreq, n, rate", [
    (250.0, 2902, 125.0),   # MNE's auto padding: 597 + 598 samples, a half-sample shift
    (250.0, 2901, 125.0),   # an odd length: MNE's round(n / 2) output samples stretch the grid
    (160.0, 656, 128.0),    # eegmmidb's trials to 128 Hz
    (999.412, 3001, 200.0),  # no whole-sample ratio within 1 s
])
def test_resampling_keeps_a_trial_on_its_own_time_axis(sfreq, n, rate):
    """Output sample k of a resampled trial is the signal at k / rate after the trial's start."""
    t = np.arange(n) / sfreq
    f = (3.0, 7.3)
    x = np.vstack([np.sin(2 * np.pi * f[0] * t), np.sin(2 * np.pi * f[1] * t + 1.0)])
    y, got_rate = condition(x, sfreq, resample=rate)
    assert got_rate == rate and y.shape == (2, int(round(n * rate / sfreq)))
    tk = np.arange(y.shape[1]) / rate
    want = np.vstack([np.sin(2 * np.pi * f[0] * tk), np.sin(2 * np.pi * f[1] * tk + 1.0)])
    edge = int(0.5 * rate)
    assert np.abs(y - want)[:, edge:-edge].max() < 0.01      # 0.16-0.18 shifted or stretched


def test_padded_trials_resample_onto_the_trials_time_axis():
    """With signal around the trial (trim=), also where the rates have no whole-sample ratio, or
    one only in blocks of several seconds (999.9 → 200 Hz: 9999 samples)."""
    for sfreq, rate in ((250.0, 125.0), (160.0, 128.0), (999.412, 200.0),   # 1-Hz high-pass:
                        (999.9, 200.0)):                                    # 1.65 s each side
        n_all = int(20 * sfreq)
        t = np.arange(n_all) / sfreq
        x = np.vstack([np.sin(2 * np.pi * 2.0 * t), np.sin(2 * np.pi * 5.1 * t + 0.3)])
        a, n = int(5 * sfreq) + 3, int(4.3 * sfreq)
        nb, na = int(2 * sfreq) + 1, int(2 * sfreq)
        y, _ = condition(x[:, a - nb:a + n + na], sfreq, bandpass=(1.0, 30.0), resample=rate,
                         trim=(nb, na))
        tk = a / sfreq + np.arange(y.shape[1]) / rate
        want = np.vstack([np.sin(2 * np.pi * 2.0 * tk), np.sin(2 * np.pi * 5.1 * tk + 0.3)])
        assert y.shape[1] == int(round(n * rate / sfreq))
        assert np.abs(y - want).max() < 0.02, (sfreq, rate)


def test_load_padded_takes_what_the_recording_has():
    from eegemo.recording import Trial

    full = np.arange(40, dtype=float).reshape(2, 20)
    a, b = 3, 10

    def context(before, after):
        return full[:, a - before:b + after].copy()

    t = Trial(index=1, label=0, sfreq=10.0, ch_names=("Cz", "Pz"), n_times=b - a,
              loader=lambda: full[:, a:b].copy(), context=context, room=(a, 20 - b))
    x, nb, na = t.load_padded(100, 4)
    assert (nb, na) == (3, 4)
    np.testing.assert_array_equal(x, full[:, 0:14])
    x, nb, na = t.load_padded(100, 100, multiple=2)     # 3 before, rounded down to 2, and
    assert (nb, na) == (2, 9)                           # 2 + 7 + 9 even: 10 after is too many
    np.testing.assert_array_equal(x, full[:, 1:19])
    x, nb, na = t.load_padded(2, 4, multiple=2)         # 2 + 7 + 4 odd: one more after
    assert (nb, na) == (2, 5)
    assert t.load_padded(0, 0)[1:] == (0, 0)
    alone = Trial(index=1, label=0, sfreq=10.0, ch_names=("Cz", "Pz"), data=full[:, a:b])
    x, nb, na = alone.load_padded(5, 5)
    assert (nb, na) == (0, 0) and x.shape == (2, 7)
    bad = full.copy()
    bad[0, 0] = np.nan                                  # NaN before the trial: the trial alone
    t2 = Trial(index=1, label=0, sfreq=10.0, ch_names=("Cz", "Pz"), n_times=b - a,
               loader=lambda: bad[:, a:b].copy(),
               context=lambda p, q: bad[:, a - p:b + q].copy(), room=(a, 20 - b))
    x, nb, na = t2.load_padded(5, 5)
    assert (nb, na) == (0, 0) and np.isfinite(x).all() and x.shape == (2, 7)


def test_a_store_conditioned_by_an_earlier_eegemo_is_not_resumed(tmp_path, caplog):
    """Windows filtered trial by trial (before session 20) never land beside windows filtered
    with the recording around them: resuming or widening such a store is refused in one line,
    and predict with a run of it warns."""
    import hashlib
    import json

    from eegemo.datasets import generic
    from eegemo.errors import ConfigurationError
    from eegemo.evaluation.predict import recording_arrays
    from eegemo.store import PrepareConfig, prepare

    _annotated_fif(tmp_path / "run_raw.fif")
    (rec,) = generic.read(tmp_path / "run_raw.fif")
    prepare([rec], tmp_path / "s", jobs=1, window=1.0, bandpass=(1.0, 40.0))
    man_path = tmp_path / "s" / "manifest.json"
    man = json.loads(man_path.read_text())
    assert man["config"]["conditioning"] == 2
    old = {k: v for k, v in man["config"].items() if k != "conditioning"}    # as written before
    man["config"] = old
    man["config_hash"] = hashlib.sha256(json.dumps(old, sort_keys=True, separators=(",", ":"))
                                        .encode()).hexdigest()[:16]
    man_path.write_text(json.dumps(man))
    with pytest.raises(ConfigurationError, match="differs in conditioning: store None, asked 2: "
                       "the store's trials were filtered or resampled by an earlier eegemo"):
        prepare([rec], tmp_path / "s", jobs=1, window=1.0, bandpass=(1.0, 40.0))
    assert PrepareConfig.from_dict(old) == PrepareConfig.from_dict(
        PrepareConfig.from_dict(old).to_dict())
    with caplog.at_level("WARNING", logger="eegemo"):
        recording_arrays(rec, {"store_config": old, "store_kind": "raw"}, "de")
    assert "filtered or resampled by an earlier eegemo" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="eegemo"):
        recording_arrays(rec, {"store_config": {**old, "conditioning": 2}, "store_kind": "raw"},
                         "de")
    assert "earlier eegemo" not in caplog.text
