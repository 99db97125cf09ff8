"""The generic reader on every real file in ../shared/data/fixtures and eegmmidb, sidecars, bad input."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import mne
import numpy as np
import pytest

from eegemo.channels import channel_positions
from eegemo.datasets import generic
from eegemo.errors import ConfigurationError, DataFormatError

mne.set_log_level("error")


def check_recording(rec, *, n_ch=None, sfreq=None):
    """Conformance: lazy trials, shapes, volts, labels named, channel names unique."""
    assert rec.dataset == "generic" and rec.kind == "raw"
    assert len(rec.trials) >= 1
    assert len(set(rec.ch_names)) == len(rec.ch_names)
    if n_ch is not None:
        assert len(rec.ch_names) == n_ch
    if sfreq is not None:
        assert rec.sfreq == pytest.approx(sfreq)
    for t in rec.trials[:3]:
        assert t.ch_names == rec.ch_names and t.sfreq == rec.sfreq
        assert t.label is None or t.label in rec.label_names
        x = t.load()
        assert x.shape == (len(rec.ch_names), t.n_times)
        assert np.isfinite(x).all()
        assert 0 < np.abs(x).max() < 1.0  # volts, not microvolts
    assert [t.index for t in rec.trials] == list(range(1, len(rec.trials) + 1))


# ----------------------------------------------------------------------------------------- fixtures
def test_fixture_folder_is_fully_covered(fixtures_dir):
    """Every primary file of the fixtures folder is claimed by detect (so the tests below cover all)."""
    primaries = [p for p in fixtures_dir.rglob("*") if p.suffix.lower() in
                 (".edf", ".bdf", ".vhdr", ".set", ".cnt", ".mat")]
    assert len(primaries) == 14
    assert all(generic.detect(p) for p in primaries)
    assert generic.detect(fixtures_dir)
    assert not generic.detect(fixtures_dir / "Brainvision" / "test_NO.vmrk")


@pytest.mark.parametrize("fmt,bits", [("int16", 16), ("int32", 32)])
def test_cnt_16_and_32_bit(fixtures_dir, fmt, bits):
    name = "scan41_short.cnt" if bits == 16 else "test_CNT_events_mne_JWoess_clipped.cnt"
    path = fixtures_dir / "CNT" / name
    (rec,) = generic.read(path, duration=0.5)
    raw = mne.io.read_raw_cnt(path, data_format=fmt, preload=True)  # explicit format = reference
    # MNE types the 16-bit file's HEOG and VEOGR as EEG: their names leave them out
    eeg = [c for c in raw.ch_names if c not in ("HEOG", "VEOGR")]
    assert len(eeg) == len(raw.ch_names) - 2 * (bits == 16)
    check_recording(rec, n_ch=len(eeg), sfreq=raw.info["sfreq"])
    t = rec.trials[0]
    a = int(round(t.onset * rec.sfreq))
    np.testing.assert_allclose(t.load(), raw.get_data(picks=eeg, start=a, stop=a + t.n_times))
    descs = [d for d in raw.annotations.description if not d.startswith("BAD")]
    assert set(rec.label_names.values()) == set(descs)
    # the explicit format gives the same trials as the detected one
    (rec2,) = generic.read(path, duration=0.5, data_format=fmt)
    np.testing.assert_array_equal(rec2.trials[-1].load(), rec.trials[-1].load())
    if bits == 32:
        assert rec.ch_names == ("F8", "FCz") and rec.sfreq == 1000.0
        assert "KeyPad Response 1" in rec.label_names.values()
        assert not any(n.startswith("BAD") for n in rec.label_names.values())


def test_cnt_zero_length_events_need_duration(fixtures_dir):
    with pytest.raises(DataFormatError, match="zero duration.*duration="):
        generic.read(fixtures_dir / "CNT" / "scan41_short.cnt")


def test_edf_with_annotations_and_channel_names(fixtures_dir):
    path = fixtures_dir / "EDF" / "test_edf_overlapping_annotations.edf"
    (rec,) = generic.read(path)
    raw = mne.io.read_raw_edf(path)
    check_recording(rec, n_ch=64, sfreq=128.0)
    counts = Counter(raw.annotations.description)
    assert Counter(rec.label_names[lab] for lab in rec.labels) == counts
    assert rec.extra["file_ch_names"][0] == "Fc5." and rec.ch_names[0] == "FC5"
    assert len(channel_positions(rec.ch_names)) == 64  # every eegmmidb-style name has a position
    (sel,) = generic.read(path, labels=["T1", "T2"])
    assert sel.label_names == {0: "T1", 1: "T2"}
    assert Counter(sel.labels) == {0: counts["T1"], 1: counts["T2"]}


def test_edf_mixed_rates_and_utf8(fixtures_dir):
    (rec,) = generic.read(fixtures_dir / "EDF" / "test_reduced.edf")
    check_recording(rec, n_ch=138, sfreq=512.0)  # the stim channel is not EEG
    assert [rec.label_names[lab] for lab in rec.labels] == ["type A"] * 3
    (utf,) = generic.read(fixtures_dir / "EDF" / "test_utf8_annotations.edf")
    check_recording(utf, sfreq=200.0)
    assert [utf.label_names[lab] for lab in utf.labels] == ["仰卧"]
    assert utf.trials[0].n_times == 100  # 0.5 s at 200 Hz


def test_bdf_annotations_and_stim_channel(fixtures_dir, tmp_path):
    (multi,) = generic.read(fixtures_dir / "BDF" / "multiple_annotation_chans.bdf", duration=1.0)
    check_recording(multi, sfreq=125.0)
    assert multi.trials[0].n_times == 125
    # BDF types every channel as EEG: EMG, EOG, ECG and accelerometers are left out by name
    assert multi.ch_names == ("A1", "A2", "C3", "C4", "F3", "Fz", "F4", "P3", "Pz", "P4", "O1",
                              "O2")
    (every,) = generic.read(fixtures_dir / "BDF" / "multiple_annotation_chans.bdf",
                            duration=1.0, picks=None)
    assert {"EMG", "EOG", "ECG", "acc1"} <= set(every.extra["file_ch_names"])
    path = fixtures_dir / "BDF" / "test_bdf_stim_channel.bdf"
    with pytest.raises(DataFormatError, match="9 selected event.*zero duration"):
        generic.read(path)                            # its Status channel's triggers
    (whole,) = generic.read(path, unlabelled=True)
    check_recording(whole, n_ch=3, sfreq=500.0)
    assert whole.labels == [None] and whole.trials[0].n_times == 5000
    assert "Status" not in whole.ch_names
    side = tmp_path / "events.csv"
    side.write_text("onset,duration,label\n1.0,2.0,happy\n4.0,2.0,sad\n6.0,3.0,happy\n")
    (lab,) = generic.read(path, sidecar=side)
    check_recording(lab, n_ch=3)
    assert lab.label_names == {0: "happy", 1: "sad"} and lab.labels == [0, 1, 0]
    assert lab.extra["events_from"] == str(side)      # a sidecar wins over the stim channel
    assert [t.n_times for t in lab.trials] == [1000, 1000, 1500]
    np.testing.assert_array_equal(lab.trials[1].load(), whole.trials[0].load()[:, 2000:3000])


def test_brainvision_with_sidecar(fixtures_dir, tmp_path):
    path = fixtures_dir / "Brainvision" / "test_NO.vhdr"
    side = tmp_path / "ev.tsv"
    side.write_text("onset\tduration\ttrial_type\n0.0\t0.1\t1\n0.2\t0.1\t2\n")
    (rec,) = generic.read(path, sidecar=side)
    check_recording(rec, n_ch=63, sfreq=5000.0)       # 65 less EMGleft/EMGright, by their names
    assert rec.labels == [1, 2] and rec.label_names == {1: "1", 2: "2"}  # numeric labels kept
    assert rec.trials[1].n_times == 500


def test_brainvision_marker_file_missing_is_said(fixtures_dir, tmp_path, caplog):
    src = fixtures_dir / "Brainvision"
    for name in ("test_NO.vhdr", "test_NO.eeg"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    with caplog.at_level("WARNING", logger="eegemo"):
        generic.read(src / "test_NO.vhdr", unlabelled=True)
    assert "marker file" not in caplog.text                       # the whole set: no word
    with caplog.at_level("WARNING", logger="eegemo"):
        generic.read(tmp_path / "test_NO.vhdr", unlabelled=True)
    assert "test_NO.vhdr: its marker file test_NO.vmrk is missing" in caplog.text


def test_brainvision_data_file_cut_short_is_said(fixtures_dir, tmp_path, caplog):
    src = fixtures_dir / "Brainvision"
    for name in ("test_NO.vhdr", "test_NO.vmrk"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    (tmp_path / "test_NO.eeg").write_bytes((src / "test_NO.eeg").read_bytes()[:500_001])
    with caplog.at_level("WARNING", logger="eegemo"):
        generic.read(src / "test_NO.vhdr", unlabelled=True)
    assert "whole number of samples" not in caplog.text          # the intact file: no word
    with caplog.at_level("WARNING", logger="eegemo"):
        (rec,) = generic.read(tmp_path / "test_NO.vhdr", unlabelled=True)
    assert "test_NO.eeg is not a whole number of samples (21 bytes over" in caplog.text
    assert rec.trials[0].n_times == 500_001 // (65 * 4)


def test_eeglab_continuous_chanloc_and_epochs(fixtures_dir):
    path = fixtures_dir / "EEGLAB" / "test_raw.set"
    (rec,) = generic.read(path, duration=1.0)
    check_recording(rec, n_ch=32, sfreq=128.0)
    raw = mne.io.read_raw_eeglab(path)
    n_fit = sum(1 for o in raw.annotations.onset if o + 1.0 <= raw.times[-1] + 1 / 128)
    assert len(rec.trials) == n_fit
    assert Counter(rec.label_names[x] for x in rec.labels) <= Counter(raw.annotations.description)
    (loc,) = generic.read(fixtures_dir / "EEGLAB" / "test_raw_chanloc.set", unlabelled=True)
    check_recording(loc, n_ch=61)
    assert len(channel_positions(loc.ch_names)) >= 55
    (ep,) = generic.read(fixtures_dir / "EEGLAB" / "test_epochs.set")
    check_recording(ep, n_ch=2, sfreq=50.0)
    assert len(ep.trials) == 4 and ep.extra["epoched"]


def test_fieldtrip_v7_and_v73_agree_with_the_cnt(fixtures_dir):
    ft = fixtures_dir / "fieldtrip_CNT"
    (v7,) = generic.read(ft / "raw_v7.mat", unlabelled=True)
    (v73,) = generic.read(ft / "raw_v73.mat", unlabelled=True)
    check_recording(v7, n_ch=124, sfreq=400.0)
    check_recording(v73, n_ch=124, sfreq=400.0)   # 125 less HEOG
    assert v7.ch_names == v73.ch_names
    a, b = v7.trials[0].load(), v73.trials[0].load()
    np.testing.assert_allclose(a, b)
    # the same recording as the 16-bit CNT, stored in microvolts: volts after reading
    (cnt,) = generic.read(fixtures_dir / "CNT" / "scan41_short.cnt", unlabelled=True)
    rows = [cnt.ch_names.index(c) for c in v7.ch_names]
    np.testing.assert_allclose(a, cnt.trials[0].load()[rows, : a.shape[1]], rtol=1e-5, atol=1e-9)
    with pytest.raises(DataFormatError, match="no annotations and no sidecar"):
        generic.read(ft / "raw_v73.mat")


def test_fieldtrip_epoched_and_sidecar(fixtures_dir, tmp_path):
    ft = fixtures_dir / "fieldtrip_CNT"
    (ep,) = generic.read(ft / "epoched_v7.mat")
    check_recording(ep, n_ch=124, sfreq=400.0)          # 125 less HEOG, an EOG by its name
    assert "HEOG" not in ep.ch_names
    assert "HEOG" in generic.read(ft / "epoched_v7.mat", picks=None)[0].ch_names
    assert Counter(ep.label_names[x] for x in ep.labels) == {"7": 2, "109": 1}
    side = tmp_path / "ft.csv"
    side.write_text("onset,duration,label\n0.5,1.0,a\n2.0,1.5,b\n")
    (rec,) = generic.read(ft / "raw_v73.mat", sidecar=side)
    check_recording(rec)
    (whole,) = generic.read(ft / "raw_v73.mat", unlabelled=True)
    assert [t.n_times for t in rec.trials] == [400, 600]
    np.testing.assert_array_equal(rec.trials[1].load(), whole.trials[0].load()[:, 800:1400])


# ----------------------------------------------------------------------------------------- eegmmidb
def test_eegmmidb_left_right_runs(eegmmidb_dir):
    recs = generic.read_eegmmidb(eegmmidb_dir)
    assert [(r.subject, r.session) for r in recs] == [("S001", 4), ("S001", 8), ("S001", 12)]
    expected = Counter()
    for r in recs:
        check_recording(r, n_ch=64, sfreq=160.0)
        assert r.label_names == {0: "left_fist", 1: "right_fist"}
        ann = mne.io.read_raw_edf(r.source).annotations
        expected.update(d for d in ann.description if d in ("T1", "T2"))
        assert all(4.0 <= t.duration <= 4.3 for t in r.trials)
    got = Counter(lab for r in recs for lab in r.labels)
    assert got == {0: expected["T1"], 1: expected["T2"]} and sum(got.values()) == 45
    assert len(channel_positions(recs[0].ch_names)) == 64


def test_eegmmidb_trials_are_lazy_and_exact(eegmmidb_dir):
    path = eegmmidb_dir / "S001R04.edf"
    (rec,) = generic.read(path, labels=["T1", "T2"])
    assert all(t.data is None for t in rec.trials)
    raw = mne.io.read_raw_edf(path, preload=True)
    t = rec.trials[4]
    a = int(round(t.onset * 160))
    np.testing.assert_array_equal(t.load(), raw.get_data(start=a, stop=a + t.n_times))
    assert t.data is None  # not cached
    back = rec.to_mne()
    assert len(back.annotations) == len(rec.trials)
    assert set(back.annotations.description) == {"T1", "T2"}


def test_eegmmidb_folder_and_tmin_duration(eegmmidb_dir):
    recs = generic.read(eegmmidb_dir, sessions=[3, 4])
    assert [r.session for r in recs] == [3, 4]
    assert all(r.label_names == {0: "T0", 1: "T1", 2: "T2"} for r in recs)
    assert sum(len(r) for r in recs) == 60
    (rec,) = generic.read_eegmmidb(eegmmidb_dir / "S001R08.edf", runs=(8,), labels=("T0",),
                                   tmin=0.5, duration=2.0)
    assert rec.label_names == {0: "rest"} and all(t.n_times == 320 for t in rec.trials)
    with pytest.raises(ConfigurationError, match="mix"):
        generic.read_eegmmidb(eegmmidb_dir, runs=(4, 6))
    # the generic reader (the CLI's) refuses that mix too where T1/T2 are asked for, and says it
    # where every event is read (eegemo info); T0 alone, or one group, is fine
    with pytest.raises(ConfigurationError, match=r"runs \[4\] .*and \[6\] .* two meanings"):
        generic.read(eegmmidb_dir, sessions=[4, 6], labels=["T1", "T2"])
    assert len(generic.read(eegmmidb_dir, sessions=[4, 6], labels=["T0"])) == 2
    assert len(generic.read(eegmmidb_dir, sessions=[4, 8], labels=["T1", "T2"])) == 2


def test_sidecar_autofound_beside_the_file(eegmmidb_dir, tmp_path):
    link = tmp_path / "sub-01_ses-2_task-fist_eeg.edf"
    os.symlink(eegmmidb_dir / "S001R04.edf", link)
    (tmp_path / "sub-01_ses-2_task-fist_events.tsv").write_text(
        "onset\tduration\ttrial_type\n10\t4\tleft\n20\t4\tright\n30\t4\tleft\n")
    (rec,) = generic.read(link)
    assert (rec.subject, rec.session) == ("01", 2)
    assert rec.labels == [0, 1, 0] and rec.extra["events_from"].endswith("_events.tsv")
    assert [t.onset for t in rec.trials] == [10.0, 20.0, 30.0]


# ------------------------------------------------------------------------------------------ bad input
def test_bad_sidecars(eegmmidb_dir, tmp_path):
    path = eegmmidb_dir / "S001R04.edf"
    cases = {
        "onset,label\n1,a\n": "lacks column.*duration",
        "onset,duration,label\n1,nan,a\n": "not numeric or holds NaN",
        "onset,duration,label\nx,1,a\n": "not numeric",
        "onset,duration,label\n124,4,a\n": "outside the recording",
        "onset,duration,label\n-1,4,a\n": "negative",
    }
    for i, (text, msg) in enumerate(cases.items()):
        side = tmp_path / f"s{i}.csv"
        side.write_text(text)
        with pytest.raises(DataFormatError, match=msg) as err:
            generic.read(path, sidecar=side)
        assert "\n" not in str(err.value) and side.name in str(err.value)
    with pytest.raises(DataFormatError, match="sidecar not found"):
        generic.read(path, sidecar=tmp_path / "missing.tsv")
    commas = tmp_path / "commas.tsv"      # comma-separated, named .tsv
    commas.write_text("onset,duration,label\n1,4,a\n10,4,b\n")
    assert generic.read(path, sidecar=commas)[0].label_names == {0: "a", 1: "b"}


def test_bad_files(eegmmidb_dir, tmp_path):
    src = (eegmmidb_dir / "S001R04.edf").read_bytes()
    trunc = tmp_path / "trunc.edf"
    trunc.write_bytes(src[: len(src) // 3])
    with pytest.raises(DataFormatError, match="truncated EDF"):
        generic.read(trunc)
    as_bdf = tmp_path / "run.bdf"          # 2-byte samples read as 3-byte ones: a wrong signal
    as_bdf.write_bytes(src)
    with pytest.raises(DataFormatError,
                       match=r"run.bdf: an EDF file named .bdf .*rename it to .edf"):
        generic.read(as_bdf)
    junk = tmp_path / "junk.edf"
    junk.write_bytes(b"0" * 100)
    with pytest.raises(DataFormatError, match="junk.edf"):
        generic.read(junk)
    other = tmp_path / "notes.xyz"
    other.write_text("hello")
    with pytest.raises(DataFormatError, match="unknown file extension"):
        generic.read(other)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match="no EEG recording in folder"):
        generic.read(tmp_path / "empty")
    with pytest.raises(DataFormatError, match="no event matches"):
        generic.read(eegmmidb_dir / "S001R04.edf", labels=["T9"])
    with pytest.raises(ConfigurationError, match="labels name T1 more than once"):
        generic.read(eegmmidb_dir / "S001R04.edf", labels=["T1", "T2", "T1"])
    # a class that matches nothing would make a store of fewer classes than asked for
    from eegemo.store import prepare

    with pytest.raises(DataFormatError, match="class.*'T3' have no trial in any recording"):
        prepare(eegmmidb_dir / "S001R04.edf", tmp_path / "st", jobs=1,
                read_options={"labels": ["T1", "T3"]})
    assert not (tmp_path / "st").exists()
    # trials that share samples (12-s trials, events 8 s apart) would leak across a split
    with pytest.raises(DataFormatError, match=r"S001R04.edf: trials 1 and 2 overlap "
                       r"\(4.2–16.2 s and 12.5–24.5 s\)"):
        prepare(eegmmidb_dir / "S001R04.edf", tmp_path / "st", jobs=1,
                read_options={"labels": ["T1", "T2"], "duration": 12})
    with pytest.raises(ConfigurationError, match="duration"):
        generic.read(eegmmidb_dir / "S001R04.edf", duration=-1)
    with pytest.raises(DataFormatError, match="no channel matches"):
        generic.read(eegmmidb_dir / "S001R04.edf", picks="eog")
    (rec,) = generic.read(eegmmidb_dir / "S001R04.edf", picks=["Cz..", "C3.."])
    assert rec.ch_names == ("C3", "Cz")  # file order, normalised names
    # the names eegemo shows work too, and a comma list from --read-option picks=C3,Cz
    for picks in (["Cz", "C3"], "C3,Cz", ["C3..", "Cz"]):
        assert generic.read(eegmmidb_dir / "S001R04.edf", picks=picks)[0].ch_names == ("C3", "Cz")
    with pytest.raises(DataFormatError, match=r"no channel matches .*eeg: FC5, FC3"):
        generic.read(eegmmidb_dir / "S001R04.edf", picks=["XX"])
    # a typo beside names that match is not dropped silently; ints are indices, as in MNE
    with pytest.raises(DataFormatError, match=r"picks 'Xz9' match no channel"):
        generic.read(eegmmidb_dir / "S001R04.edf", picks="C3,C4,Xz9")
    assert generic.read(eegmmidb_dir / "S001R04.edf", picks=[5, 6])[0].ch_names == ("FC4", "FC6")
    # a --read-option arrives as text: a number is read, anything else is one line
    (rec,) = generic.read(eegmmidb_dir / "S001R04.edf", labels=["T1"], tmin="0.5", duration="1")
    assert rec.trials[0].n_times == 160
    with pytest.raises(ConfigurationError, match="tmin must be a number of seconds, got 'abc'"):
        generic.read(eegmmidb_dir / "S001R04.edf", tmin="abc")


def test_back_to_back_events_and_unasked_markers_are_prepared(eegmmidb_dir, tmp_path):
    """Events that end where the next starts share a rounded sample, not data; a zero-length
    marker read as one more event name (no labels asked for) is no class of the store."""
    from eegemo.store import prepare

    os.symlink(eegmmidb_dir / "S001R04.edf", tmp_path / "rec.edf")
    (tmp_path / "rec_events.tsv").write_text(
        "onset\tduration\ttrial_type\n0\t0\trecording_start\n1.004\t4.004\tA\n"
        "5.008\t4.004\tB\n9.012\t4.004\tA\n13.016\t4.004\tB\n")
    st = prepare(tmp_path / "rec.edf", tmp_path / "st", jobs=1)
    assert sorted(st.label_names.values()) == ["A", "B"] and len(st.index) == 16
    with pytest.raises(DataFormatError, match="'recording_start' have no trial"):
        prepare(tmp_path / "rec.edf", tmp_path / "st2", jobs=1,
                read_options={"labels": ["A", "B", "recording_start"]})


def test_one_recording_in_two_files_is_refused(eegmmidb_dir, tmp_path):
    """The same run saved as EDF and as MNE's FIF in one folder would be read as two recordings
    whose identical trials land on both sides of a split."""
    import shutil

    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(eegmmidb_dir / "S001R04.edf", folder)
    shutil.copy(eegmmidb_dir / "S001R08.edf", folder)
    raw = mne.io.read_raw_edf(folder / "S001R04.edf", verbose="error")
    raw.crop(0, 10).save(folder / "S001R04_raw.fif", verbose="error")
    assert generic.parse_name(folder / "S001R04_raw.fif") == ("S001", 4, {"run": 4})
    with pytest.raises(DataFormatError, match="same recording name as another file in its "
                       "folder .*found S001R04.edf and S001R04_raw.fif"):
        generic.read(folder, labels=["T1", "T2"])
    # a selection that leaves one of the two is read
    assert [r.session for r in generic.read(folder, labels=["T1", "T2"], sessions=[8])] == [8]


def test_truncated_eeglab_data_file_is_one_line_when_read_whole(fixtures_dir, tmp_path):
    """An EEGLAB .set whose .fdt was cut short: one line naming the file, when it is opened (not
    MNE's RuntimeError at the first trial past the cut)."""
    src = fixtures_dir / "EEGLAB"
    (tmp_path / "test_raw.set").write_bytes((src / "test_raw.set").read_bytes())
    (tmp_path / "test_raw.fdt").write_bytes((src / "test_raw.fdt").read_bytes()[:100_000])
    with pytest.raises(DataFormatError) as exc:
        generic.read(tmp_path / "test_raw.set", unlabelled=True)
    msg = str(exc.value)
    assert "\n" not in msg and "test_raw.set" in msg and "truncated EEGLAB data file" in msg


def test_nan_in_data_is_reported_on_load(tmp_path):
    info = mne.create_info(["Fz", "Cz", "Pz"], 100.0, "eeg")
    x = np.random.default_rng(0).normal(0, 1e-5, (3, 1000))
    x[1, 150] = np.nan
    raw = mne.io.RawArray(x, info)
    raw.set_annotations(mne.Annotations([0.0, 5.0], [2.0, 2.0], ["a", "b"]))
    path = tmp_path / "nan_raw.fif"
    raw.save(path)
    (rec,) = generic.read(path)
    assert rec.labels == [0, 1]
    np.testing.assert_allclose(rec.trials[1].load(), x[:, 500:700], rtol=1e-6)
    with pytest.raises(DataFormatError, match="non-finite"):
        rec.trials[0].load()


def test_detect_and_parse_name(tmp_path):
    from scipy.io import savemat

    savemat(tmp_path / "1_20131027.mat", {"djc_eeg1": np.zeros((62, 10))})
    assert not generic.detect(tmp_path / "1_20131027.mat")  # SEED .mat is not FieldTrip
    assert not generic.detect(tmp_path)
    assert not generic.detect(tmp_path / "nothing.edf")
    assert generic.parse_name(Path("x/S012R11.edf")) == ("S012", 11, {"run": 11})
    assert generic.parse_name("sub-ab_task-x_run-03_eeg.set") == ("ab", 3, {"run": 3})
    assert generic.parse_name("sub-ab_ses-pre_eeg.set") == ("ab", None, {"session_label": "pre"})
    assert generic.parse_name("recording.fif.gz") == ("recording", None, {})


def test_dispatcher_reads_generic(eegmmidb_dir):
    from eegemo.datasets import detect_dataset, read

    assert detect_dataset(eegmmidb_dir / "S001R04.edf") == "generic"
    (rec,) = read(eegmmidb_dir / "S001R04.edf", dataset="generic", labels=["T1", "T2"])
    assert len(rec) == 15


def _cell(*items):
    """A MATLAB cell array (1 x n) of ``items``, as scipy's savemat writes one."""
    c = np.empty((1, len(items)), dtype=object)
    for i, v in enumerate(items):
        c[0, i] = v
    return c


def _fieldtrip_mat(path, x, units):
    """A minimal FieldTrip raw struct (v7) with hdr.chanunit = ``units`` (None: no hdr)."""
    from scipy.io import savemat

    data = {"label": _cell("Fz", "Cz", "Pz"), "fsample": 200.0, "trial": _cell(x),
            "time": _cell(np.arange(x.shape[1]) / 200.0)}
    if units is not None:
        data["hdr"] = {"chanunit": _cell(*units)}
    savemat(path, {"data": data})
    return path


def test_fieldtrip_trialinfo_and_sampleinfo_rows_must_match_the_trials(tmp_path):
    """An epoched FieldTrip file with 4 trials and 3 trialinfo rows lost its 4th trial silently
    (zip of the codes and the trials); a row too many was ignored. A sampleinfo of 3 rows for
    4 trials was an IndexError traceback."""
    from scipy.io import savemat

    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(3, 100)) * 1e-6 for _ in range(4)]

    def epoched(name, times=(np.arange(100) / 200.0,) * 4, **fields):
        """4 epochs of 3 channels; ``fields``: trialinfo, sampleinfo."""
        f = tmp_path / name
        savemat(f, {"data": {"label": _cell("Fz", "Cz", "Pz"), "fsample": 200.0,
                             "trial": _cell(*xs), "time": _cell(*times), **fields}})
        return f

    for rows in (4, 3, 5):
        f = epoched(f"ft{rows}.mat", trialinfo=np.array([[1.0], [2.0]] * 3)[:rows])
        if rows == 4:
            (rec,) = generic.read(f)
            assert rec.labels == [1, 2, 1, 2]
            continue
        with pytest.raises(DataFormatError) as err:
            generic.read(f)
        assert str(err.value) == (f"{f}: FieldTrip data.trialinfo and data.trial disagree "
                                  f"(expected 4 rows, one per trial, found {rows} rows)")
    for rows in (4, 3, 5):   # sampleinfo: 3 rows for 4 trials was an IndexError traceback
        f = epoched(f"si{rows}.mat", trialinfo=np.array([[1.0], [2.0]] * 2),
                    sampleinfo=np.array([[1.0 + 200 * k, 100.0 + 200 * k] for k in range(rows)]))
        if rows == 4:
            (rec,) = generic.read(f)
            assert [t.onset for t in rec.trials] == [0.0, 1.0, 2.0, 3.0]
            continue
        with pytest.raises(DataFormatError) as err:
            generic.read(f)
        assert str(err.value) == (f"{f}: FieldTrip data.sampleinfo and data.trial disagree "
                                  f"(expected 4 rows of [first last] samples, one per trial, "
                                  f"found shape ({rows}, 2))")
    # time: 3 vectors for 4 trials placed tmin from 0 s instead of each event, without a word
    shifted = np.arange(100) / 200.0 - 0.2
    f = epoched("time3.mat", (shifted,) * 3, trialinfo=np.array([[1.0], [2.0]] * 2))
    with pytest.raises(DataFormatError, match="data.time and data.trial disagree "
                                              r"\(expected 4 time vectors, one per trial, found 3\)"):
        generic.read(f, tmin=0.0, duration=0.2)
    f = epoched("time4.mat", (shifted,) * 4, trialinfo=np.array([[1.0], [2.0]] * 2))
    (rec,) = generic.read(f, tmin=0.0, duration=0.2)
    (whole,) = generic.read(f)
    np.testing.assert_allclose(rec.trials[0].load(), whole.trials[0].load()[:, 40:80])


def test_fieldtrip_units_give_volts(tmp_path):
    x = np.random.default_rng(0).normal(size=(3, 400))
    for units, volts in ((None, [1e-6] * 3), (["uV"] * 3, [1e-6] * 3),
                         (["\u03bcV"] * 3, [1e-6] * 3),      # Greek mu, as MATLAB often writes it
                         (["\u00b5V"] * 3, [1e-6] * 3), (["mV"] * 3, [1e-3] * 3),
                         (["V"] * 3, [1.0] * 3), (["uV", "mV", "V"], [1e-6, 1e-3, 1.0])):
        (rec,) = generic.read(_fieldtrip_mat(tmp_path / "ft.mat", x, units), unlabelled=True)
        np.testing.assert_allclose(rec.trials[0].load(), x * np.array(volts)[:, None])
    with pytest.raises(DataFormatError, match="channel 1 is not in volts.*'T'"):
        generic.read(_fieldtrip_mat(tmp_path / "ft.mat", x, ["T"] * 3), unlabelled=True)


def test_fieldtrip_picks_follow_the_other_formats_rules(tmp_path):
    """picks on a FieldTrip .mat: names, a comma list, indices, 'eeg'/'all'; a typo refused (it
    was dropped without a word, and a comma list or an unknown name kept every channel)."""
    x = np.random.default_rng(0).normal(size=(3, 400))
    f = _fieldtrip_mat(tmp_path / "ft.mat", x, None)
    for picks, names in (("Fz,Pz", ("Fz", "Pz")), (["Cz"], ("Cz",)), ([0, 2], ("Fz", "Pz")),
                         ("Cz", ("Cz",)), ("all", ("Fz", "Cz", "Pz")), (None, ("Fz", "Cz", "Pz")),
                         ("eeg", ("Fz", "Cz", "Pz"))):
        (rec,) = generic.read(f, unlabelled=True, picks=picks)
        assert tuple(rec.ch_names) == names, picks
        np.testing.assert_allclose(rec.trials[0].load(),
                                   x[[("Fz", "Cz", "Pz").index(c) for c in names]] * 1e-6)
    (rec,) = generic.read(f, unlabelled=True, picks=["eeg"])     # a type in a list, as for EDF
    assert tuple(rec.ch_names) == ("Fz", "Cz", "Pz")
    for bad in (["Cz", "NOPE"], "NOPE", [5], "eog", [], ","):
        with pytest.raises(DataFormatError, match=r"ft.mat: (picks .* match no channel|no "
                           r"channel matches picks)") as exc:
            generic.read(f, unlabelled=True, picks=bad)
        assert "\n" not in str(exc.value)


def test_truncated_fieldtrip_named_as_unreadable(tmp_path):
    """A truncated FieldTrip file named on its own is reported as unreadable, not as an unknown
    layout; in a folder scan it is not claimed."""
    from eegemo.datasets import read

    x = np.random.default_rng(0).normal(size=(3, 4000))
    whole = _fieldtrip_mat(tmp_path / "whole.mat", x, None).read_bytes()
    cut = tmp_path / "cut" / "ft.mat"
    cut.parent.mkdir()
    cut.write_bytes(whole[: len(whole) // 3])
    assert generic.detect(cut) and not generic.detect(cut.parent)
    with pytest.raises(DataFormatError, match=r"ft\.mat: unreadable MATLAB file \(truncated"):
        read(cut, unlabelled=True)


def test_truncated_fieldtrip_in_a_folder_is_not_dropped(tmp_path):
    """A folder of FieldTrip files, one of them truncated: the folder was read without that
    recording and without a word (the scan took an unreadable .mat for another kind of file);
    reading the folder names it, and a subject selection that leaves it out still reads."""
    from eegemo.datasets import read

    x = np.random.default_rng(0).normal(size=(3, 4000))
    _fieldtrip_mat(tmp_path / "sub-01.mat", x, None)
    whole = _fieldtrip_mat(tmp_path / "sub-02.mat", x, None).read_bytes()
    (tmp_path / "sub-02.mat").write_bytes(whole[: len(whole) // 3])
    assert generic.detect(tmp_path)
    with pytest.raises(DataFormatError, match=r"sub-02\.mat: unreadable MATLAB file \(truncated"):
        read(tmp_path, unlabelled=True)
    (rec,) = read(tmp_path, unlabelled=True, subjects=["01"])
    assert rec.subject == "01"


def test_bids_events_with_na(eegmmidb_dir, tmp_path):
    """BIDS allows n/a durations (duration= then gives the length) and n/a trial types."""
    side = tmp_path / "events.tsv"
    side.write_text("onset\tduration\ttrial_type\n10\tn/a\tleft\n15\t4\tn/a\n20\tn/a\tright\n")
    (rec,) = generic.read(eegmmidb_dir / "S001R04.edf", sidecar=side, duration=4.0)
    assert rec.labels == [0, 1] and [t.onset for t in rec.trials] == [10.0, 20.0]
    assert rec.label_names == {0: "left", 1: "right"}
    with pytest.raises(DataFormatError, match="has no duration \\(n/a\\)"):
        generic.read(eegmmidb_dir / "S001R04.edf", sidecar=side)


def test_bids_sessions_named_in_words_are_numbered(tmp_path):
    """ses-pre / ses-post: numbered the same in every subject, whether the folder or one file is
    read (pre before post, whatever the dates), so cross-session protocols and --sessions can use
    them; the name is kept."""
    import mne

    rng = np.random.default_rng(0)
    files = {}
    for sub, ses in (("01", "pre"), ("01", "post"), ("02", "post"), ("03", "day10"),
                     ("03", "day2")):
        raw = mne.io.RawArray(1e-5 * rng.standard_normal((2, 2000)),
                              mne.create_info(["Cz", "Pz"], 100.0, "eeg"), verbose="error")
        raw.set_annotations(mne.Annotations([1.0, 8.0], [4.0, 4.0], ["a", "b"]))
        folder = tmp_path / f"sub-{sub}" / f"ses-{ses}" / "eeg"
        folder.mkdir(parents=True)
        files[sub, ses] = folder / f"sub-{sub}_ses-{ses}_task-x_eeg.fif"
        raw.save(files[sub, ses], verbose="error")
    want = {("01", "pre"): 1, ("01", "day2"): 2, ("03", "day2"): 2, ("03", "day10"): 3,
            ("01", "post"): 4, ("02", "post"): 4}
    recs = generic.read(tmp_path)
    got = {(r.subject, r.extra["session_label"]): r.session for r in recs}
    assert got == {k: v for k, v in want.items() if k in files}
    # one file is numbered as the folder numbers it (predict reads single files)
    (one,) = generic.read(files["02", "post"])
    assert one.session == 4
    # --sessions selects named sessions by their numbers
    assert {(r.subject, r.session) for r in generic.read(tmp_path, sessions=[4])} == {
        ("01", 4), ("02", 4)}


# ------------------------------------------------------------------------- epoched FIF, stim triggers
def _epochs(n=6, sfreq=100.0, n_times=200, *, events=True):
    """A small MNE EpochsArray: Fz, Cz, Pz (EEG) and HEOG (EOG), positive/neutral alternating."""
    info = mne.create_info(["Fz", "Cz", "Pz", "HEOG"], sfreq, ["eeg", "eeg", "eeg", "eog"])
    x = np.random.default_rng(0).normal(0, 1e-5, (n, 4, n_times))
    codes = np.array([1, 2] * (n // 2))
    ev = np.c_[np.arange(n) * n_times, np.zeros(n, int), codes] if events else None
    ep = mne.EpochsArray(x, info, events=ev,
                         event_id={"positive": 1, "neutral": 2} if events else None,
                         verbose="error")
    return ep, x, codes


@pytest.mark.parametrize("name", ["rec-epo.fif", "rec_epo.fif", "rec-epo.fif.gz", "rec_epo.fif.gz",
                                  "rec.fif"])
def test_epoched_fif_each_epoch_one_trial(tmp_path, name):
    """MNE Epochs saved to FIF (any of MNE's names, or a plain .fif holding epochs): each epoch one
    trial labelled by its event_id name (numbered by its code), lazily read, in volts, EEG channels
    only."""
    ep, x, codes = _epochs()
    path = tmp_path / name
    ep.save(path, overwrite=True, verbose="error")
    (rec,) = generic.read(path)
    check_recording(rec, n_ch=3, sfreq=100.0)
    assert rec.extra["epoched"] and rec.extra["events_from"] == "epochs"
    assert rec.label_names == {1: "positive", 2: "neutral"}        # event_id: name → code
    assert [rec.label_names[lab] for lab in rec.labels] == ["positive", "neutral"] * 3
    assert rec.ch_names == ("Fz", "Cz", "Pz") and rec.extra["file_ch_names"] == ["Fz", "Cz", "Pz"]
    assert rec.trials[0].data is None                              # read on load, not at open
    for k, t in enumerate(rec.trials):
        np.testing.assert_allclose(t.load(), x[k, :3], rtol=1e-6)
        assert t.onset == pytest.approx(k * 2.0)                   # from the events' samples
    assert rec.extra["events"] == {"positive": 3, "neutral": 3}
    # a copy sent to a worker process (prepare --jobs) reads the file again
    import cloudpickle

    np.testing.assert_allclose(cloudpickle.loads(cloudpickle.dumps(rec)).trials[4].load(),
                               x[4, :3], rtol=1e-6)
    # labels= / label_map= select and number epochs as they do annotations
    (pos,) = generic.read(path, labels=["positive"])
    assert pos.label_names == {0: "positive"} and len(pos.trials) == 3    # numbered as asked
    np.testing.assert_allclose(pos.trials[1].load(), x[2, :3], rtol=1e-6)
    (mapped,) = generic.read(path, label_map={"positive": 1, "neutral": 0})
    assert mapped.labels == [1, 0] * 3
    (every,) = generic.read(path, picks=None)
    assert every.ch_names == ("Fz", "Cz", "Pz", "HEOG")
    with pytest.raises(DataFormatError, match="no event matches.*found neutral, positive"):
        generic.read(path, labels=["angry"])


def test_epoched_fif_without_event_times_has_no_onsets(tmp_path):
    """EpochsArray's default events (samples 0, 1, 2, …) are no times: no onsets, so prepare does
    not take the epochs for overlapping trials."""
    ep, x, _ = _epochs(events=False)
    ep.save(tmp_path / "plain-epo.fif", verbose="error")
    (rec,) = generic.read(tmp_path / "plain-epo.fif")
    assert [t.onset for t in rec.trials] == [None] * 6
    assert rec.label_names == {1: "1"} and len(rec.trials) == 6   # MNE's default event_id {"1": 1}


def test_generated_epochs_round_trip_to_info_and_prepare(tmp_path, capsys):
    """What `eegemo generate --out x-epo.fif` writes (mne.EpochsArray.save) is read back by
    `eegemo info` and `prepare`; files of one emotion each keep the run's label numbers."""
    from eegemo.cli import main
    from eegemo.evaluation.generation import _to_mne_epochs
    from eegemo.store import prepare

    config = {"ch_names": ["Fz", "Cz", "Pz", "Oz"], "sfreq": 128.0}
    rng = np.random.default_rng(1)
    folder = tmp_path / "gen"
    folder.mkdir()
    for label, code in (("positive", 2), ("neutral", 1)):
        X = rng.normal(0, 10.0, (20, 4, 256))                        # µV, as the generator gives
        _to_mne_epochs(X, config, label, code).save(folder / f"{label}-epo.fif", verbose="error")
    (rec,) = generic.read(folder / "positive-epo.fif")
    assert rec.label_names == {2: "positive"} and rec.labels == [2] * 20
    assert rec.sfreq == 128.0 and rec.ch_names == ("Fz", "Cz", "Pz", "Oz")
    assert main(["info", str(folder / "positive-epo.fif")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"trials\s+20\b", out) and "positive" in out, out
    st = prepare(folder, tmp_path / "st", jobs=1)
    assert st.label_names == {1: "neutral", 2: "positive"}


def test_truncated_epoched_fif_is_one_unreadable_line(tmp_path):
    """An epochs FIF cut short fails when read (not on a later load), in one line that says what
    reading it as epochs found."""
    ep, _, _ = _epochs()
    ep.save(tmp_path / "whole-epo.fif", verbose="error")
    assert len(generic.read(tmp_path / "whole-epo.fif")[0].trials) == 6
    data = (tmp_path / "whole-epo.fif").read_bytes()
    for name, size in (("cut-epo.fif", len(data) // 2), ("cut.fif", len(data) // 2),
                       ("head-epo.fif", 100)):
        (tmp_path / name).write_bytes(data[:size])
        with pytest.raises(DataFormatError) as exc:
            generic.read(tmp_path / name)
        msg = str(exc.value)
        assert "\n" not in msg and name in msg and "unreadable fif file" in msg, msg
        assert "as epochs: " in msg, msg


def test_bdf_stim_channel_triggers_become_events(fixtures_dir):
    """BioSemi's Status channel: without annotations or a sidecar, its trigger codes are the
    events (zero-length, so duration= gives the trials), the codes their labels."""
    path = fixtures_dir / "BDF" / "test_bdf_stim_channel.bdf"
    raw = mne.io.read_raw_bdf(path, verbose="error")
    ev = mne.find_events(raw, verbose="error")
    assert len(ev) == 9
    with pytest.raises(DataFormatError, match="9 selected event.*zero duration"):
        generic.read(path)
    (rec,) = generic.read(path, duration=0.4)
    check_recording(rec, n_ch=3, sfreq=500.0)
    assert rec.extra["events_from"] == "stim:Status"
    assert rec.extra["events"] == dict(Counter(str(c) for c in ev[:, 2]))
    assert rec.label_names == {1: "1", 2: "2", 4: "4"}            # numeric codes keep their value
    assert rec.labels == ev[:, 2].tolist()
    assert "Status" not in rec.ch_names and rec.ch_names == ("C3", "C4", "Cz")
    assert [t.onset for t in rec.trials] == pytest.approx((ev[:, 0] / 500.0).tolist())
    np.testing.assert_allclose(rec.trials[2].load(),
                               raw.get_data(picks=["C3", "C4", "Cz"], start=ev[2, 0],
                                            stop=ev[2, 0] + 200))
    (sel,) = generic.read(path, labels=["2", "4"], duration=0.4, tmin=-0.1)
    assert sel.label_names == {0: "2", 1: "4"} and sel.labels == [1, 0]
    assert [t.onset for t in sel.trials] == pytest.approx([242 / 500 - 0.1, 310 / 500 - 0.1])
    # picks=None keeps every channel but the one whose codes are the labels
    (every,) = generic.read(path, duration=0.4, picks=None)
    assert every.ch_names == ("C3", "C4", "Cz")


def test_stim_channel_of_a_written_recording(tmp_path, caplog):
    """A RawArray with a stim channel, saved to FIF: triggers become events; annotations, where
    present, win; a stim channel without triggers is named in the error."""
    import logging

    sfreq = 100.0
    info = mne.create_info(["Fz", "Cz", "STI 014"], sfreq, ["eeg", "eeg", "stim"])
    x = np.random.default_rng(0).normal(0, 1e-5, (3, 3000))
    x[2] = 0
    for s, code in ((200, 255), (900, 3), (1600, 255), (2300, 3)):
        x[2, s:s + 5] = code
    raw = mne.io.RawArray(x, info, verbose="error")
    raw.save(tmp_path / "trig_raw.fif", verbose="error")
    with caplog.at_level(logging.INFO, logger="eegemo"):
        (rec,) = generic.read(tmp_path / "trig_raw.fif", duration=2.0)
    assert "events from stim channel STI 014" in caplog.text
    assert rec.extra["events_from"] == "stim:STI 014"
    assert rec.label_names == {3: "3", 255: "255"} and rec.labels == [255, 3, 255, 3]
    assert rec.ch_names == ("Fz", "Cz")
    np.testing.assert_allclose(rec.trials[1].load(), x[:2, 900:1100], rtol=1e-6)
    (one,) = generic.read(tmp_path / "trig_raw.fif", duration=2.0, label_map={"255": 0})
    assert one.labels == [0, 0] and [t.onset for t in one.trials] == [2.0, 16.0]
    # annotations win over the stim channel
    raw.set_annotations(mne.Annotations([5.0], [3.0], ["rest"]))
    raw.save(tmp_path / "ann_raw.fif", verbose="error")
    (ann,) = generic.read(tmp_path / "ann_raw.fif")
    assert ann.extra["events_from"] == "annotations" and ann.label_names == {0: "rest"}
    # a stim channel without any trigger: said in the error
    x[2] = 0
    mne.io.RawArray(x, info, verbose="error").save(tmp_path / "flat_raw.fif", verbose="error")
    with pytest.raises(DataFormatError, match=r"no annotations and no sidecar.*stim channel "
                       r"STI 014 holds no trigger"):
        generic.read(tmp_path / "flat_raw.fif")


def test_stim_events_from_the_combined_channel_every_change_and_no_leak(tmp_path):
    """Neuromag-style files put single-bit lines STI 001... before the combined STI 014: the
    events come from the combined channel (as mne.find_events's default); a code stepping to
    another without returning to 0, and a trigger high at the first sample, are events; no stim
    channel stays in the trials unless picks= names it."""
    sfreq = 100.0
    names = ["STI 001", "STI 002", "STI 003", "Fz", "Cz", "STI 014"]
    info = mne.create_info(names, sfreq, ["stim"] * 3 + ["eeg", "eeg", "stim"])
    x = np.zeros((6, 3000))
    x[3:5] = np.random.default_rng(1).normal(0, 1e-5, (2, 3000))
    # combined codes: 4 at the first sample, 1 stepping straight to 2, then 4 again
    for start, stop, code in ((0, 10, 4), (700, 720, 1), (720, 740, 2), (1600, 1610, 4)):
        x[5, start:stop] = code
        for bit in range(3):
            if code & (1 << bit):
                x[bit, start:stop] = 5.0
    mne.io.RawArray(x, info, verbose="error").save(tmp_path / "nm_raw.fif", verbose="error")
    (rec,) = generic.read(tmp_path / "nm_raw.fif", duration=1.0)
    assert rec.extra["events_from"] == "stim:STI 014"
    assert rec.labels == [4, 1, 2, 4] and [t.onset for t in rec.trials] == [0.0, 7.0, 7.2, 16.0]
    assert rec.ch_names == ("Fz", "Cz")
    (every,) = generic.read(tmp_path / "nm_raw.fif", duration=1.0, picks="all")
    assert every.ch_names == ("Fz", "Cz")                  # no trigger line leaks the label
    (kept,) = generic.read(tmp_path / "nm_raw.fif", duration=1.0, picks=["Fz", "STI 014"])
    assert kept.ch_names == ("Fz", "STI 014")              # named: kept, as asked


def test_bdf_status_left_out_with_picks_all(fixtures_dir):
    (rec,) = generic.read(fixtures_dir / "BDF" / "test_bdf_stim_channel.bdf", duration=0.4,
                          picks="all")
    assert rec.extra["events_from"] == "stim:Status" and "Status" not in rec.ch_names


def test_many_epoched_fif_files_hold_few_file_handles(tmp_path):
    """MNE keeps an epochs file open while its epochs are not preloaded: a folder of many
    -epo.fif files must not hold one handle per file (the OS limit is 256 on macOS)."""
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        pytest.skip("needs /proc/self/fd")
    ep, x, _ = _epochs(n=2)
    for k in range(40):
        ep.save(tmp_path / f"s{k:02d}-epo.fif", verbose="error")
    before = len(list(fd_dir.iterdir()))
    recs = generic.read(tmp_path)
    assert len(recs) == 40 and len(list(fd_dir.iterdir())) <= before + 2
    for r in recs:
        np.testing.assert_allclose(r.trials[1].load(), x[1, :3], rtol=1e-6)
    assert len(list(fd_dir.iterdir())) <= before + 2 + generic._MAX_OPEN_EPOCHS


def test_epochs_without_the_labels_asked_for_are_unlabelled_with_auto(tmp_path):
    """unlabelled="auto" (what predict passes): epochs whose names are not the run's labels are
    read as unlabelled trials, as a continuous file is read whole."""
    ep, x, _ = _epochs(n=4)
    ep.save(tmp_path / "rec-epo.fif", verbose="error")
    with pytest.raises(DataFormatError, match="no event matches"):
        generic.read(tmp_path / "rec-epo.fif", labels=["T1", "T2"])
    (rec,) = generic.read(tmp_path / "rec-epo.fif", labels=["T1", "T2"], unlabelled="auto")
    assert len(rec.trials) == 4 and rec.labels == [None] * 4 and rec.label_names == {}
    np.testing.assert_allclose(rec.trials[3].load(), x[3, :3], rtol=1e-6)


def test_subject_numbers_select_bids_ids_either_way(tmp_path):
    """"1" selects sub-01 (and "01" selects 1), as train --subjects and read() compare them."""
    info = mne.create_info(["Fz", "Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 500)), info, verbose="error")
    raw.set_annotations(mne.Annotations([0.5], [2.0], ["rest"]))
    for sub in ("01", "02"):
        d = tmp_path / f"sub-{sub}" / "eeg"
        d.mkdir(parents=True)
        raw.save(d / f"sub-{sub}_task-x_eeg_raw.fif", verbose="error")
    assert [r.subject for r in generic.read(tmp_path, subjects="1")] == ["01"]
    assert [r.subject for r in generic.read(tmp_path, subjects=["2", "01"])] == ["01", "02"]


def test_a_selection_that_matches_nothing_says_so_not_why_the_rest_fails(eegmmidb_dir):
    """Listing what is there reads the folder without the selection; where that fails (eegmmidb's
    two tasks), the answer is still that nothing matched what was asked."""
    from eegemo.datasets import read

    with pytest.raises(DataFormatError, match=r"no recording of the subjects/sessions asked for "
                       r"\(found none for the subjects all, sessions \[2\] asked for\)"):
        read(eegmmidb_dir, sessions=[2], labels=["T1", "T2"])


def test_tmin_and_duration_cut_every_epoch_around_its_event(tmp_path, fixtures_dir):
    """Epoched files: the defaults keep whole epochs; tmin=/duration= keep a window relative to each
    event (time 0, as mne.Epochs.crop), onsets follow, and a window outside the epochs is one line."""
    ep, x, _ = _epochs(n_times=200)                       # 100 Hz, epochs 0-2 s around events
    ep.shift_time(-0.5)                                   # epochs now -0.5 to 1.5 s
    path = tmp_path / "rec-epo.fif"
    ep.save(path, verbose="error")
    (whole,) = generic.read(path)
    assert [t.n_times for t in whole.trials] == [200] * 6 and "epoch_window_s" not in whole.extra
    (cut,) = generic.read(path, tmin=0.0, duration=1.0)   # the second after each event
    assert [t.n_times for t in cut.trials] == [100] * 6
    assert cut.extra["epoch_window_s"] == [0.0, 1.0]
    for k, t in enumerate(cut.trials):
        np.testing.assert_allclose(t.load(), x[k, :3, 50:150], rtol=1e-6)
        assert t.onset == pytest.approx(whole.trials[k].onset + 0.5)
    (tail,) = generic.read(path, tmin=0.25)               # from 0.25 s to the epoch's end
    np.testing.assert_allclose(tail.trials[3].load(), x[3, :3, 75:], rtol=1e-6)
    with pytest.raises(ConfigurationError, match=r"rec-epo.fif: tmin=1.0, duration=1.0 fall "
                       r"outside the epochs \(-0.5 to 1.5 s around each event"):
        generic.read(path, tmin=1.0, duration=1.0)
    # tmin=0 given is the event (the baseline dropped); not given, with no duration: whole epochs
    (from_event,) = generic.read(path, tmin=0.0)
    assert [t.n_times for t in from_event.trials] == [150] * 6
    # predict applies a store's window to new files: where it does not fit, whole epochs
    (fitted,) = generic.read(path, tmin=1.0, duration=1.0, epochs_window="fit")
    assert [t.n_times for t in fitted.trials] == [200] * 6
    # EEGLAB epochs (-0.06 to 0.1 s at 50 Hz) and FieldTrip trials (-0.01 to 0.01 s at 400 Hz)
    eeglab = fixtures_dir / "EEGLAB" / "test_epochs.set"
    (e,) = generic.read(eeglab)
    (e2,) = generic.read(eeglab, tmin=0.0, duration=0.06)
    assert [t.n_times for t in e2.trials] == [3] * 4
    np.testing.assert_allclose(e2.trials[2].load(), e.trials[2].load()[:, 3:6])
    ft = fixtures_dir / "fieldtrip_CNT" / "epoched_v7.mat"
    (f,) = generic.read(ft)
    (f2,) = generic.read(ft, tmin=0.0, duration=0.01)
    assert [t.n_times for t in f2.trials] == [4] * 3
    np.testing.assert_allclose(f2.trials[1].load(), f.trials[1].load()[:, 4:8])
    assert f2.trials[1].onset == pytest.approx(f.trials[1].onset + 0.01)
    with pytest.raises(ConfigurationError, match="fall outside the FieldTrip trial 1"):
        generic.read(ft, tmin=0.0, duration=1.0)


def test_trigger_channel_typed_as_eeg_by_its_name(tmp_path, caplog):
    """EDF types every channel as EEG: a channel named TRIG holding trigger codes gives the events
    (read back from the µV MNE converts it to), and stays out of the trials even with picks=None;
    a channel of that name holding an analog signal is no trigger channel."""
    import logging

    pytest.importorskip("edfio")
    sfreq = 100.0
    info = mne.create_info(["Fz", "Cz", "TRIG"], sfreq, "eeg")
    x = np.random.default_rng(0).normal(0, 1e-5, (3, 3000))
    x[2] = 0
    for s, code in ((200, 2), (900, 1), (1600, 2), (2300, 1)):
        x[2, s:s + 10] = code * 1e-6          # written as 1 and 2 µV: codes in the EDF
    mne.export.export_raw(tmp_path / "trig.edf", mne.io.RawArray(x, info, verbose="error"),
                          fmt="edf", verbose="error")
    with caplog.at_level(logging.INFO, logger="eegemo"):
        (rec,) = generic.read(tmp_path / "trig.edf", duration=2.0)
    assert rec.extra["events_from"] == "stim:TRIG"
    assert rec.labels == [2, 1, 2, 1] and [t.onset for t in rec.trials] == [2.0, 9.0, 16.0, 23.0]
    assert rec.ch_names == ("Fz", "Cz")
    (every,) = generic.read(tmp_path / "trig.edf", duration=2.0, picks=None)
    assert every.ch_names == ("Fz", "Cz")                 # the codes are the labels: left out
    # an analog signal on a channel named like a trigger channel: not searched, said at info level
    x[2] = np.random.default_rng(1).normal(0, 1e-5, 3000)
    mne.export.export_raw(tmp_path / "analog.edf", mne.io.RawArray(x, info, verbose="error"),
                          fmt="edf", verbose="error")
    with caplog.at_level(logging.INFO, logger="eegemo"), \
            pytest.raises(DataFormatError, match="no annotations and no sidecar"):
        generic.read(tmp_path / "analog.edf", duration=2.0)
    assert "TRIG is named as a trigger channel but holds an analog signal" in caplog.text
    # events from annotations: channels named as trigger channels (plurals too) are no EEG
    for name in ("Markers", "Events", "Marker"):
        named = mne.io.RawArray(x, mne.create_info(["Fz", "Cz", name], 100.0, "eeg"),
                                verbose="error")
        named.set_annotations(mne.Annotations([2, 9], [2, 2], ["a", "b"]))
        named.save(tmp_path / "named_raw.fif", overwrite=True, verbose="error")
        assert generic.read(tmp_path / "named_raw.fif")[0].ch_names == ("Fz", "Cz"), name


def test_trials_overlapping_bad_annotations_are_dropped(tmp_path, caplog, fixtures_dir):
    """As mne.Epochs(reject_by_annotation=True): a trial overlapping a BAD_/EDGE annotation is
    dropped with a warning naming how many; reject_by_annotation=False keeps it. Reader options
    that are no booleans, labels= with label_map=, and data_format= on a non-CNT are said."""
    import logging

    info = mne.create_info(["Fz", "Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (2, 4000)), info,
                          verbose="error")
    raw.set_annotations(mne.Annotations([2, 10, 18, 26, 11.5, 27.99], [4, 4, 4, 4, 0.5, 0.5],
                                        ["a", "b", "a", "b", "BAD_muscle", "EDGE boundary"]))
    raw.save(tmp_path / "r_raw.fif", verbose="error")
    with caplog.at_level(logging.WARNING, logger="eegemo"):
        (rec,) = generic.read(tmp_path / "r_raw.fif")
    assert [t.onset for t in rec.trials] == [2.0, 18.0]
    assert "2 trial(s) dropped, overlapping BAD/EDGE annotations (first at 10 s" in caplog.text
    (kept,) = generic.read(tmp_path / "r_raw.fif", reject_by_annotation=False)
    assert [t.onset for t in kept.trials] == [2.0, 10.0, 18.0, 26.0]
    (short,) = generic.read(tmp_path / "r_raw.fif", duration=1.0)    # 10-11 s ends before 11.5
    assert [t.onset for t in short.trials] == [2.0, 10.0, 18.0, 26.0]
    # the real CNT fixture: its 99 event lies inside BAD_0 (0-47.3 s)
    (cnt,) = generic.read(fixtures_dir / "CNT" / "test_CNT_events_mne_JWoess_clipped.cnt",
                          labels=["5", "99"], duration=1.0)
    assert cnt.label_names[cnt.labels[0]] == "5" and "99" not in {
        cnt.label_names[x] for x in cnt.labels}
    # BAD rows of a sidecar count as annotations do (a FieldTrip recording's too)
    side = tmp_path / "r_events.tsv"
    side.write_text("onset\tduration\tlabel\n2\t4\ta\n10\t4\tb\n18\t4\ta\n"
                    "19\t0.5\tBAD_muscle\n")
    (by_side,) = generic.read(tmp_path / "r_raw.fif", sidecar=side)
    assert [t.onset for t in by_side.trials] == [2.0]     # 10: the file's BAD, 18: the row
    ft_side = tmp_path / "ft.csv"
    ft_side.write_text("onset,duration,label\n0.5,1.0,a\n2.0,1.5,b\n2.2,0.1,BAD_jump\n")
    (ft,) = generic.read(fixtures_dir / "fieldtrip_CNT" / "raw_v73.mat", sidecar=ft_side)
    assert [t.onset for t in ft.trials] == [0.5]
    (ft_all,) = generic.read(fixtures_dir / "fieldtrip_CNT" / "raw_v73.mat", sidecar=ft_side,
                             reject_by_annotation=False)
    assert len(ft_all.trials) == 2
    for bad in (dict(unlabelled="yes"), dict(unlabelled=1), dict(reject_by_annotation="no")):
        with pytest.raises(ConfigurationError, match="must be true"):
            generic.read(tmp_path / "r_raw.fif", **bad)
    with pytest.raises(ConfigurationError, match="give labels= .* or label_map=, not both"):
        generic.read(tmp_path / "r_raw.fif", labels=["a", "b"], label_map={"a": 0})
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="eegemo"):
        generic.read(tmp_path / "r_raw.fif", data_format="int16")
    assert "data_format='int16' applies to Neuroscan .cnt files only" in caplog.text


def test_a_broken_link_in_a_folder_is_said(tmp_path):
    """A folder whose link to a recording is broken would silently lose that recording."""
    info = mne.create_info(["Fz", "Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 1000)), info, verbose="error")
    raw.set_annotations(mne.Annotations([1], [2], ["a"]))
    raw.save(tmp_path / "real_raw.fif", verbose="error")
    (tmp_path / "folder").mkdir()
    os.symlink(tmp_path / "real_raw.fif", tmp_path / "folder" / "s1_raw.fif")
    os.symlink(tmp_path / "gone_raw.fif", tmp_path / "folder" / "s2_raw.fif")
    with pytest.raises(DataFormatError, match=r"s2_raw.fif: file not found \(a broken link\)"):
        generic.read(tmp_path / "folder")
    from eegemo.datasets import read

    with pytest.raises(DataFormatError, match=r"s2_raw.fif: file not found \(a broken link\)"):
        read(tmp_path / "folder")                        # detected as generic, then read
    # a broken link of a subject not selected (a DataLad/git-annex folder fetched in part): read
    assert [r.subject for r in read(tmp_path / "folder", subjects="s1_raw")] == ["s1_raw"]
    (tmp_path / "folder" / "s2_raw.fif").unlink()
    assert len(generic.read(tmp_path / "folder")) == 1


@pytest.mark.parametrize("keep", ["half", "all but 100 bytes"])
def test_truncated_raw_fif_is_refused_not_read_in_part(tmp_path, keep):
    """A Raw FIF cut short: MNE reads the data before the cut as the whole recording and says so
    only in a warning ("Invalid tag ..."), which was silenced: half the trials went missing."""
    info = mne.create_info(["Fz", "Cz", "Pz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (3, 4000)), info)
    raw.set_annotations(mne.Annotations([2.0, 12.0, 22.0, 32.0], [2.0] * 4, ["a", "b"] * 2))
    raw.save(tmp_path / "whole_raw.fif")
    assert len(generic.read(tmp_path / "whole_raw.fif")[0].trials) == 4
    data = (tmp_path / "whole_raw.fif").read_bytes()
    cut = tmp_path / "cut_raw.fif"
    cut.write_bytes(data[: len(data) // 2 if keep == "half" else len(data) - 100])
    with pytest.raises(DataFormatError) as exc:
        generic.read(cut)
    msg = str(exc.value)
    assert "\n" not in msg and "cut_raw.fif: truncated fif file" in msg, msg
    assert "MNE: Invalid tag" in msg and str(tmp_path) not in msg.split("MNE:")[1], msg
    # a whole file whose last tag points at its end (next = 0, not -1): MNE warns alike but reads
    # it whole, and so do we (it was refused as truncated)
    import struct

    from mne._fiff.open import fiff_open

    fid, _, directory = fiff_open(tmp_path / "whole_raw.fif")
    fid.close()
    patched = bytearray(data)
    struct.pack_into(">i", patched, directory[-1].pos + 12, 0)
    (tmp_path / "nextzero_raw.fif").write_bytes(bytes(patched))
    assert len(generic.read(tmp_path / "nextzero_raw.fif")[0].trials) == 4


def test_fieldtrip_complex_trial_is_refused(tmp_path):
    """Complex samples in a FieldTrip trial were cast to real with only NumPy's ComplexWarning."""
    import warnings

    x = np.random.default_rng(0).normal(size=(3, 400)) + 1j
    (rec,) = generic.read(_fieldtrip_mat(tmp_path / "ft.mat", x, None), unlabelled=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataFormatError) as exc:
            rec.trials[0].load()
    msg = str(exc.value)
    assert "\n" not in msg and "ft.mat" in msg and "complex values in data.trial{1}" in msg, msg
