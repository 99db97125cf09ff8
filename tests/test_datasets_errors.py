"""Bad input: every reader answers with one clear, one-line DataFormatError naming the file."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.io

from eegemo.channels import SEED_CHANNELS, SEED_CNT_CHANNELS
from eegemo.datasets import detect_dataset, read
from eegemo.errors import ConfigurationError, DataFormatError

from test_datasets_seed import (build_cnt, build_multimodal_npz, build_seed_raw, build_seed_v_npz,
                                short_times)


def _one_line(exc: pytest.ExceptionInfo, *words: str) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, msg
    return msg


def test_missing_label_file(tmp_path, caplog):
    """Without label.mat SEED's published labels are used, with a warning; files that do not
    hold SEED's 15 trials then disagree with them in one line."""
    build_seed_raw(tmp_path)
    (tmp_path / "Preprocessed_EEG" / "label.mat").unlink()
    (tmp_path / "Preprocessed_EEG" / "readme.txt").write_text("x")
    with caplog.at_level("WARNING", logger="eegemo"), pytest.raises(DataFormatError) as exc:
        read(tmp_path / "Preprocessed_EEG")
    _one_line(exc, "1_20131027.mat", "trial and label counts disagree", "found 3 trials")
    assert "no label.mat beside the subject files" in caplog.text


def test_seed_files_copied_to_a_folder_of_ones_own(tmp_path, caplog):
    """Subject files copied without label.mat into a folder of another name: read as SEED when
    SEED is chosen (not detected: SEED-IV's files are named alike), with the published labels."""
    from eegemo.datasets._family import load_table

    build_seed_raw(tmp_path / "src", n_trials=15, labels=load_table("seed")["labels"])
    mine = tmp_path / "mine"
    mine.mkdir()
    for f in (tmp_path / "src" / "Preprocessed_EEG").glob("1_*.mat"):
        f.rename(mine / f.name)
    with pytest.raises(DataFormatError, match="unknown dataset layout"):
        detect_dataset(mine)
    with caplog.at_level("WARNING", logger="eegemo"):
        recs = read(mine, dataset="seed")
    assert [(r.subject, r.session) for r in recs] == [("1", 1), ("1", 3)]   # by published dates
    assert recs[0].labels == load_table("seed")["labels"]
    assert "using SEED's published labels" in caplog.text
    (one,) = read(mine / "1_20131027.mat")                # one file names its reader itself
    assert one.labels == load_table("seed")["labels"]


def test_label_file_recoded_012_is_refused_not_misnamed(tmp_path):
    """A label.mat re-coded 0/1/2 would have its negative clips named neutral by SEED's table."""
    seed_labels = [1, 0, -1]
    build_seed_raw(tmp_path, labels=[v + 1 for v in seed_labels])
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path / "Preprocessed_EEG")
    _one_line(exc, "label.mat", "labels coded otherwise", "found values [0, 1, 2]")
    (rec,) = read(tmp_path / "Preprocessed_EEG", labels=seed_labels)[:1]
    assert rec.labels == seed_labels


@pytest.mark.parametrize("label", [np.array([["a"] * 15]), np.array([[1 + 2j] * 15])])
def test_label_file_of_text_or_complex_values(tmp_path, label):
    build_seed_raw(tmp_path)
    scipy.io.savemat(tmp_path / "Preprocessed_EEG" / "label.mat", {"label": label})
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path / "Preprocessed_EEG")
    _one_line(exc, "label.mat", "labels must be whole numbers")


def test_wrong_channel_count(tmp_path):
    build_seed_raw(tmp_path, n_ch=61)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "abc_eeg1", "expected (62, n_times)", "found (61,")


def test_wrong_feature_shape(tmp_path):
    d = tmp_path / "ExtractedFeatures"
    d.mkdir()
    scipy.io.savemat(d / "1_20131027.mat", {"de_LDS1": np.ones((62, 4, 4))})
    scipy.io.savemat(d / "label.mat", {"label": np.array([[1.0]])})
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, kind="features")
    _one_line(exc, "1_20131027.mat", "de_LDS1", "(62, n_windows, 5)", "(62, 4, 4)")


def test_label_trial_count_mismatch(tmp_path):
    build_seed_raw(tmp_path, labels=[1, 0, -1, 1])
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "trial and label counts disagree", "expected 4 trials", "found 3")


def test_truncated_mat(tmp_path):
    build_seed_raw(tmp_path, subjects={"1": ["20131027"]})
    f = tmp_path / "Preprocessed_EEG" / "1_20131027.mat"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    with pytest.raises(DataFormatError) as exc:
        recs = read(tmp_path)
        for t in recs[0].trials:
            t.load()
    _one_line(exc, "1_20131027.mat")


def test_nan_detected_when_trial_loads(tmp_path):
    arrays = build_seed_raw(tmp_path, subjects={"1": ["20131027"]})
    bad = arrays[("1", "20131027")][1].copy()
    bad[3, 5] = np.nan
    bad[4, 6] = np.inf
    scipy.io.savemat(tmp_path / "Preprocessed_EEG" / "1_20131027.mat",
                     {"abc_eeg1": arrays[("1", "20131027")][0], "abc_eeg2": bad,
                      "abc_eeg3": arrays[("1", "20131027")][2]})
    (r,) = read(tmp_path)                               # reading the layout is fine
    r.trials[0].load()
    with pytest.raises(DataFormatError) as exc:
        r.trials[1].load()
    _one_line(exc, "abc_eeg2", "non-finite", "2 NaN/inf")


def test_unknown_layout(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataFormatError) as exc:
        detect_dataset(tmp_path)
    _one_line(exc, "unknown dataset layout", "SEED-IV", "SEED-V", "dataset=")
    with pytest.raises(DataFormatError):
        read(tmp_path)
    # one file: what kind of file was expected, not the folder layouts of every dataset
    with pytest.raises(DataFormatError) as exc:
        detect_dataset(tmp_path / "notes.txt")
    _one_line(exc, "not a recording eegemo reads (.txt)", "EDF/BDF", "dataset=")
    assert "Preprocessed_EEG" not in str(exc.value)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, "seed-v")
    _one_line(exc, "no SEED-V layout")
    with pytest.raises(ConfigurationError):
        read(tmp_path, "seed-vi")


def test_forbidden_pickle_global_is_refused(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            import os
            return (os.system, (f"touch {marker}",))

    d = tmp_path / "EEG_DE_features"
    d.mkdir()
    np.savez(d / "1_123.npz", data=np.array(pickle.dumps({0: Evil()})),
             label=np.array(pickle.dumps({0: np.zeros(2)})))
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_123.npz", "forbidden", "system")
    assert not marker.exists()


def test_forbidden_global_in_object_array_member(tmp_path):
    """An object-dtype .npy member (np.load would need allow_pickle=True) goes through the same guard."""
    import io

    class Evil:
        def __reduce__(self):
            return (eval, ("1+1",))

    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array({"delta": Evil()}, dtype=object), allow_pickle=True)
    import zipfile

    d = tmp_path / "German" / "02-EEG-DE-feature" / "eeg_used_1s"
    d.mkdir(parents=True)
    with zipfile.ZipFile(d / "1_1.npz", "w") as z:
        for k in ("train_data", "test_data", "train_label", "test_label"):
            z.writestr(f"{k}.npy", buf.getvalue())
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_1.npz", "forbidden", "eval")


def test_corrupt_npz(tmp_path):
    build_seed_v_npz(tmp_path)
    f = tmp_path / "EEG_DE_features" / "1_123.npz"
    f.write_bytes(f.read_bytes()[:200])
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_123.npz")


def test_seed_v_npz_labels_vary_within_trial(tmp_path):
    build_seed_v_npz(tmp_path, bad_label=True)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_123.npz", "trial key 0", "labels vary")


def test_multimodal_labels_do_not_match_table(tmp_path):
    build_multimodal_npz(tmp_path, "seed-ger")
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, labels=[1] * 18)
    _one_line(exc, "1_1.npz", "window labels do not match", "labels=")


def test_multimodal_wrong_language_names_the_one_found(tmp_path):
    build_multimodal_npz(tmp_path, "seed-ger")
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, "seed-multimodal-chinese")
    _one_line(exc, "no seed-multimodal-chinese layout", "found seed-ger data only")


def test_multimodal_band_of_another_length_is_named(tmp_path):
    build_multimodal_npz(tmp_path, "seed-ger")
    f = tmp_path / "German" / "02-EEG-DE-feature" / "eeg_used_1s" / "1_1.npz"
    parts = dict(np.load(f, allow_pickle=True))
    bands = pickle.loads(parts["train_data"].item())
    bands["delta"] = bands["delta"][:-3]                     # only delta is short
    parts["train_data"] = np.array(pickle.dumps(bands))
    np.savez(f, **parts)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_1.npz", "band delta has", "theta")


def test_truncated_cnt(tmp_path):
    f = tmp_path / "EEG_raw" / "1_1_20180804.cnt"
    build_cnt(f, SEED_CNT_CHANNELS, 11.0)
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 3])
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, trial_times=short_times(15))
    _one_line(exc, "1_1_20180804.cnt", "truncated")


def test_trial_beyond_recording(tmp_path):
    build_cnt(tmp_path / "EEG_raw" / "1_1_20180804.cnt", SEED_CNT_CHANNELS, 5.0)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, trial_times=short_times(15))
    _one_line(exc, "1_1_20180804.cnt", "trial 8 ends after the recording", "found 5.000 s")


@pytest.mark.parametrize("seconds, n_trials, last", [(10.0, 14, 500), (10.4, 15, 300)])
def test_recording_that_stops_during_its_last_trial(tmp_path, caplog, seconds, n_trials, last):
    """A recording that ends early loses only the trials past its end (a trial keeping half its
    length is cut), with a warning, instead of stopping the read of every other file."""
    build_cnt(tmp_path / "EEG_raw" / "1_1_20180804.cnt", SEED_CNT_CHANNELS, seconds)
    build_cnt(tmp_path / "EEG_raw" / "2_1_20180805.cnt", SEED_CNT_CHANNELS, 11.0)
    with caplog.at_level("WARNING", logger="eegemo"):
        recs = read(tmp_path, trial_times=short_times(15))
    assert [len(r.trials) for r in recs] == [n_trials, 15]
    assert recs[0].trials[-1].n_times == last and recs[0].trials[-1].index == n_trials
    assert recs[0].trials[-1].load().shape == (62, last)
    assert "1_1_20180804.cnt: the recording ends at" in caplog.text
    assert ("cut at the end" if last == 300 else "15 dropped") in caplog.text


def test_cnt_missing_channels(tmp_path):
    build_cnt(tmp_path / "EEG_raw" / "1_1_20180804.cnt", SEED_CHANNELS[:60], 11.0)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, trial_times=short_times(15))
    _one_line(exc, "2 EEG channel(s) missing", "O2, CB2", "found 60 channels")


def test_cnt_unknown_vendor_and_ant_without_antio(tmp_path):
    from eegemo.datasets._cnt import cnt_vendor, open_cnt

    f = tmp_path / "x.cnt"
    f.write_bytes(b"GARBAGE!" * 20)
    with pytest.raises(DataFormatError) as exc:
        cnt_vendor(f)
    _one_line(exc, "unrecognised .cnt header", "RIFF")
    f.write_bytes(b"RIFF\x00\x00\x00\x00CNT " + b"\x00" * 100)
    assert cnt_vendor(f) == "ant"
    try:
        import antio  # noqa: F401
    except ImportError:
        with pytest.raises(DataFormatError) as exc:
            open_cnt(f)
        _one_line(exc, "antio")
    else:  # antio present: the fake file must still fail cleanly
        with pytest.raises(DataFormatError):
            open_cnt(f)


def test_bad_options(tmp_path):
    build_seed_raw(tmp_path)
    with pytest.raises(ConfigurationError):
        read(tmp_path, kind="spikes")
    with pytest.raises(ConfigurationError):
        read(tmp_path, kind="features", feature="xyz")
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path, kind="features")
    _one_line(exc, "no SEED features")


def test_unknown_reader_option(tmp_path):
    build_seed_raw(tmp_path)
    with pytest.raises(ConfigurationError, match="unknown option.*repaird"):
        read(tmp_path, repaird=True)


@pytest.mark.parametrize("cut", [0, 5, 9, 9 + 19 * 12])
def test_cnt_cut_inside_its_event_table_is_refused(fixtures_dir, tmp_path, cut):
    """MNE reads the events a cut event table still holds and drops the rest silently (7 of 9
    trials were stored from the real fixture cut after its 12th event), or reads none: a file cut
    inside its event table is one line saying so."""
    from eegemo.datasets import generic
    from eegemo.datasets._cnt import _header

    src = fixtures_dir / "CNT" / "test_CNT_events_mne_JWoess_clipped.cnt"
    ev = _header(src)[2]
    bad = tmp_path / "cut.cnt"
    bad.write_bytes(src.read_bytes()[: ev + cut])
    with pytest.raises(DataFormatError) as exc:
        generic.read(bad, labels=["5", "99"], duration=1.0)
    _one_line(exc, "cut.cnt", "truncated Neuroscan .cnt event table")
    # the whole file (the table ends well before the file does) reads
    (rec,) = generic.read(src, labels=["5"], duration=1.0)
    assert len(rec.trials) == 8


def test_empty_and_foreign_files_say_what_they_are(tmp_path, fixtures_dir):
    """A 0-byte file of any format, a text file or another format named .edf: one line saying so,
    not MNE's internals or raw header bytes."""
    from eegemo.datasets import generic

    for name in ("zero.fif", "zero.edf", "zero.vhdr", "zero.set", "zero.cnt"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(DataFormatError) as exc:
            generic.read(tmp_path / name)
        _one_line(exc, name, "empty file (0 bytes)")
    (tmp_path / "text.edf").write_text("hello, not EEG")
    with pytest.raises(DataFormatError) as exc:
        generic.read(tmp_path / "text.edf")
    _one_line(exc, "text.edf", "not an EDF file (too short for its header)", "found 14 bytes")
    (tmp_path / "cnt.edf").write_bytes((fixtures_dir / "CNT" / "scan41_short.cnt").read_bytes()
                                       [:4096])
    with pytest.raises(DataFormatError) as exc:
        generic.read(tmp_path / "cnt.edf")
    _one_line(exc, "cnt.edf", "unreadable EDF header")
    assert "\\x" not in str(exc.value)                   # printable, not escaped bytes
    (tmp_path / "bin.edf").write_bytes(bytes(range(200, 256)) * 8)
    with pytest.raises(DataFormatError) as exc:
        generic.read(tmp_path / "bin.edf")
    _one_line(exc, "bin.edf", "not an EDF file")


def test_edf_with_a_date_in_its_version_field_is_read(tmp_path, eegmmidb_dir):
    """Emotiv writes a date in the EDF version field; MNE reads such files, and so does eegemo."""
    from eegemo.datasets import generic

    data = (eegmmidb_dir / "S001R04.edf").read_bytes()
    (tmp_path / "S001R04.edf").write_bytes(b"20160817" + data[8:])
    (rec,) = generic.read(tmp_path / "S001R04.edf", labels=["T1", "T2"])
    assert len(rec.trials) == 15


def test_missing_or_short_companion_data_files(tmp_path, fixtures_dir):
    """A header whose data file is missing says so (not "truncated or corrupt?"); an EEGLAB .fdt
    holding fewer samples than its .set says is refused when opened (MNE failed at the first trial
    past the cut, asking for a bug report)."""
    import shutil

    from eegemo.datasets import generic

    shutil.copy(fixtures_dir / "EEGLAB" / "test_raw.set", tmp_path)
    for name in ("test_NO.vhdr", "test_NO.vmrk"):
        shutil.copy(fixtures_dir / "Brainvision" / name, tmp_path)
    for name, missing in (("test_raw.set", "test_raw.fdt"), ("test_NO.vhdr", "test_NO.eeg")):
        with pytest.raises(DataFormatError) as exc:
            generic.read(tmp_path / name, unlabelled=True)
        _one_line(exc, name, "a data file it names is missing", missing)
    fdt = (fixtures_dir / "EEGLAB" / "test_raw.fdt").read_bytes()
    (tmp_path / "test_raw.fdt").write_bytes(fdt[: len(fdt) // 2])
    with pytest.raises(DataFormatError) as exc:
        generic.read(tmp_path / "test_raw.set", unlabelled=True)
    _one_line(exc, "test_raw.set", "truncated EEGLAB data file test_raw.fdt",
              f"expected {len(fdt)} bytes", f"found {len(fdt) // 2} bytes")


def test_files_named_as_another_format_say_so(tmp_path, fixtures_dir):
    """A FieldTrip .mat or a text file named .set, an EDF named .fif: 'not an EEGLAB .set file' /
    'not a FIF file', not MNE's AttributeError, IndexError or file-id-tag wording."""
    from eegemo.datasets import generic

    (tmp_path / "ft.set").write_bytes((fixtures_dir / "fieldtrip_CNT" / "raw_v7.mat").read_bytes())
    (tmp_path / "text.set").write_text("no MATLAB here")
    (tmp_path / "edf.fif").write_bytes((fixtures_dir / "EDF" / "test_reduced.edf").read_bytes())
    for name, words in (("ft.set", ("not an EEGLAB .set file", "variables cfg_local, data")),
                        ("text.set", ("not an EEGLAB .set file (not a MATLAB file)",)),
                        ("edf.fif", ("not a FIF file",))):
        with pytest.raises(DataFormatError) as exc:
            generic.read(tmp_path / name, unlabelled=True)
        _one_line(exc, name, *words)
        assert "Error" not in str(exc.value)


def _rewrite_seed_v_npz(root, data, label):
    np.savez(root / "EEG_DE_features" / "1_123.npz", data=np.array(pickle.dumps(data)),
             label=np.array(pickle.dumps(label)))


@pytest.mark.parametrize("case, words", [
    ("text key", ("member 'data' has a key that is not a trial number", "key 'abc'")),
    ("text labels", ("values that are not numbers in the labels of trial key 0", "'pos'")),
    ("text values", ("values that are not numbers in trial key 0", "'a'")),
    ("complex values", ("complex values in trial key 0",)),
])
def test_seed_v_npz_of_text_or_complex_entries(tmp_path, case, words):
    """Text keys, labels or values in a SEED-V DE file: one line naming the file and what was
    found, not int()'s or NumPy's ValueError (complex values lost their imaginary part)."""
    data, label = build_seed_v_npz(tmp_path, sessions=(1,))
    if case == "text key":
        data["abc"], label["abc"] = data[0], label[0]
    elif case == "text labels":
        label[0] = np.array(["pos"] * len(label[0]))
    elif case == "text values":
        data[0] = np.full(data[0].shape, "a")
    else:
        data[0] = data[0] + 1j
    _rewrite_seed_v_npz(tmp_path, data, label)
    with pytest.raises(DataFormatError) as exc:
        for rec in read(tmp_path):
            for t in rec.trials:
                t.load()
    _one_line(exc, "1_123.npz", *words)


def test_seed_v_npz_digit_string_keys_are_trial_numbers(tmp_path):
    data, label = build_seed_v_npz(tmp_path, sessions=(1,))
    _rewrite_seed_v_npz(tmp_path, {str(k): v for k, v in data.items()}, label)
    (rec,) = read(tmp_path)
    np.testing.assert_array_equal(rec.trials[2].load(), data[2].reshape(-1, 62, 5))
    # whole-number float keys (0.0, np.float64(2.0)) were read before the key check: still read
    _rewrite_seed_v_npz(tmp_path, {(float(k) if k % 2 else np.float64(k)): v
                                   for k, v in data.items()}, label)
    (rec,) = read(tmp_path)
    np.testing.assert_array_equal(rec.trials[2].load(), data[2].reshape(-1, 62, 5))
    _rewrite_seed_v_npz(tmp_path, {**data, "0": data[0]}, label)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_123.npz", "member 'data' holds trial key 0 twice")
    _rewrite_seed_v_npz(tmp_path, {**data, 2.5: data[0]}, label)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_123.npz", "member 'data' has a key that is not a trial number")


def test_seed_v_npz_label_outside_the_datasets_codes(tmp_path):
    """SEED-V codes its emotions 0-4; a 99 was read as a class of its own."""
    data, label = build_seed_v_npz(tmp_path, sessions=(1,))
    label[4] = np.full(len(label[4]), 99.0)
    _rewrite_seed_v_npz(tmp_path, data, label)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_123.npz", "trial key 4: label outside SEED-V's codes", "0 disgust",
              "4 happy", "found values [99]")


@pytest.mark.parametrize("member, words", [
    ("train_data", ("values that are not numbers in member 'train_data' band delta", "'x'")),
    ("train_label", ("values that are not numbers in member 'train_label'", "'pos'")),
    ("complex", ("complex values in member 'test_data' band gamma",)),
])
def test_multimodal_npz_of_text_or_complex_entries(tmp_path, member, words):
    build_multimodal_npz(tmp_path, "seed-ger")
    f = tmp_path / "German" / "02-EEG-DE-feature" / "eeg_used_1s" / "1_1.npz"
    parts = dict(np.load(f, allow_pickle=True))
    if member == "train_label":
        parts["train_label"] = np.array(["pos"] * len(parts["train_label"]))
    else:
        side = "train_data" if member == "train_data" else "test_data"
        bands = pickle.loads(parts[side].item())
        band = "delta" if member == "train_data" else "gamma"
        bands[band] = np.full(bands[band].shape, "x") if member == "train_data" \
            else bands[band] + 1j
        parts[side] = np.array(pickle.dumps(bands))
    np.savez(f, **parts)
    with pytest.raises(DataFormatError) as exc:
        read(tmp_path)
    _one_line(exc, "1_1.npz", *words)


@pytest.mark.parametrize("kind", ["raw", "features"])
def test_seed_mat_of_complex_values_is_refused(tmp_path, kind):
    """Complex trials were cast to real with only NumPy's ComplexWarning, the imaginary part lost."""
    import warnings

    if kind == "raw":
        arrays = build_seed_raw(tmp_path, subjects={"1": ["20131027"]})[("1", "20131027")]
        f = tmp_path / "Preprocessed_EEG" / "1_20131027.mat"
        arrays[1] = arrays[1] + 2j
        scipy.io.savemat(f, {f"abc_eeg{t + 1}": a for t, a in enumerate(arrays)})
        name = "abc_eeg2"
    else:
        d = tmp_path / "ExtractedFeatures"
        d.mkdir()
        f = d / "1_20131027.mat"
        scipy.io.savemat(f, {"de_LDS1": np.ones((62, 4, 5)), "de_LDS2": np.ones((62, 3, 5)) + 1j})
        scipy.io.savemat(d / "label.mat", {"label": np.array([[1.0, 0.0]])})
        name = "de_LDS2"
    (rec,) = read(tmp_path, kind=kind)
    rec.trials[0].load()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no ComplexWarning on the way
        with pytest.raises(DataFormatError) as exc:
            rec.trials[1].load()
    _one_line(exc, "1_20131027.mat", f"complex values in variable {name}")


def test_seed_folder_whose_first_file_has_no_trial_variables(tmp_path):
    """Preprocessed_EEG named on its own, or a folder with label.mat, whose first file holds
    neither <prefix>_eegN nor feature variables: the file and its variables are named, as when
    the parent folder is given (it said "unknown dataset layout")."""
    build_seed_raw(tmp_path, subjects={"1": ["20131027"]})
    scipy.io.savemat(tmp_path / "Preprocessed_EEG" / "1_20131027.mat", {"foo": np.ones(3)})
    for path in (tmp_path, tmp_path / "Preprocessed_EEG"):
        with pytest.raises(DataFormatError) as exc:
            read(path)
        _one_line(exc, "1_20131027.mat", "no <prefix>_eeg<n> variables", "djc_eeg1",
                  "found variables foo")
    mine = tmp_path / "mine"
    (tmp_path / "Preprocessed_EEG").rename(mine)
    with pytest.raises(DataFormatError) as exc:
        read(mine)
    _one_line(exc, "1_20131027.mat", "no <prefix>_eeg<n> variables", "found variables foo")


def test_cnt_of_sampling_rate_0_is_one_line_without_warnings(tmp_path):
    """A Neuroscan header saying 0 samples per second: MNE divided by it, printing NumPy's
    RuntimeWarnings before the ZeroDivisionError became one line."""
    import struct
    import warnings

    f = tmp_path / "EEG_raw" / "1_1_20180804.cnt"
    build_cnt(f, SEED_CNT_CHANNELS, 2.0)
    b = bytearray(f.read_bytes())
    b[376:378] = struct.pack("<H", 0)
    f.write_bytes(bytes(b))
    with warnings.catch_warnings(record=True) as caught, pytest.raises(DataFormatError) as exc:
        warnings.simplefilter("always")
        read(tmp_path, trial_times=short_times(15))
    _one_line(exc, "1_1_20180804.cnt", "corrupt Neuroscan header", "sampling rate", "rate 0")
    assert not caught, [str(w.message) for w in caught]
