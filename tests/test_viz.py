"""Figure functions on simulated-like arrays: each returns a figure with the expected axes and data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from eegemo.bands import SEED_BANDS
from eegemo.channels import SEED_CHANNELS
from eegemo import viz


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def raw_windows():
    rng = np.random.default_rng(0)
    sfreq, n = 200.0, 200
    t = np.arange(n) / sfreq
    y = np.repeat([0, 1, 2], 20)
    X = rng.normal(0, 5e-6, (60, len(SEED_CHANNELS), n))
    X[y == 1] += 20e-6 * np.sin(2 * np.pi * 10 * t)  # class 1 has a strong alpha rhythm
    return X, y, sfreq


def test_plot_trial_shows_requested_channels(raw_windows):
    X, _, sfreq = raw_windows
    data = np.concatenate(list(X[:5]), axis=1)
    fig = viz.plot_trial(data, sfreq, SEED_CHANNELS, picks=["FP1", "CZ", "OZ"], duration=3)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["FP1", "CZ", "OZ"]
    assert len(ax.lines) == 3
    assert ax.lines[0].get_xdata()[-1] == pytest.approx(3 - 1 / sfreq)
    # by default up to 16 channels from the front to the back of the montage
    shown = [t.get_text() for t in viz.plot_trial(data, sfreq, SEED_CHANNELS).axes[0].get_yticklabels()]
    assert len(shown) == 16 and shown[0] == SEED_CHANNELS[0] and shown[-1] == SEED_CHANNELS[-1]


def test_psd_by_emotion_shows_alpha_peak_of_class_1(raw_windows):
    X, y, sfreq = raw_windows
    fig = viz.plot_psd_by_emotion(X, y, sfreq, {0: "negative", 1: "neutral", 2: "positive"})
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.lines}
    assert set(lines) == {"negative", "neutral", "positive"}
    f = lines["neutral"].get_xdata()
    i10 = np.argmin(np.abs(f - 10))
    assert lines["neutral"].get_ydata()[i10] > lines["negative"].get_ydata()[i10] + 10  # dB


def test_band_topomaps_grid_of_axes():
    rng = np.random.default_rng(1)
    feat = rng.normal(size=(30, 62, 5))
    y = np.repeat([0, 1, 2], 10)
    fig = viz.plot_band_topomaps(feat, y, SEED_CHANNELS, {0: "a", 1: "b", 2: "c"}, SEED_BANDS)
    topo_axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(topo_axes) == 6 * 5  # 3 emotions + 3 differences, 5 bands
    assert topo_axes[0].get_title() == "delta"


def test_topomap_puts_o1_inside_the_head_left_and_back():
    """A value on O1 alone peaks left-occipital inside the drawn head circle (radius 1), not
    outside it; Fpz, T7, T8 and Oz sit on the circle."""
    from eegemo.viz.figures import _topo_pos

    pos, keep = _topo_pos(SEED_CHANNELS)
    r = dict(zip([SEED_CHANNELS[i] for i in keep], np.linalg.norm(pos, axis=1)))
    for ch in ("FPZ", "T7", "T8", "OZ"):
        assert 0.85 < r[ch] < 1.1, (ch, r[ch])
    feat = np.zeros((2, 62, 1))
    feat[:, SEED_CHANNELS.index("O1"), 0] = 1.0
    fig = viz.plot_band_topomaps(feat, np.array([0, 1]), SEED_CHANNELS, difference=False)
    im = fig.axes[0].images[0]
    a = np.ma.filled(im.get_array(), np.nan)
    iy, ix = np.unravel_index(np.nanargmax(a), a.shape)
    x0, x1, y0, y1 = im.get_extent()
    x = x0 + (ix + 0.5) * (x1 - x0) / a.shape[1]
    y = y0 + (iy + 0.5) * (y1 - y0) / a.shape[0]          # origin "lower": row 0 at y0
    assert x < 0 and y < 0 and np.hypot(x, y) < 1.0


def test_montage_is_in_the_head_frame():
    """Template positions come with their fiducials, so MNE puts them in the head frame exactly
    as it places its own template (not an MRI frame read as head, ~4 cm too low)."""
    import warnings

    import mne

    from eegemo.channels import _standard_montage, make_montage

    ours = mne.create_info(list(SEED_CHANNELS), 200.0, "eeg")
    ours.set_montage(make_montage(SEED_CHANNELS), on_missing="ignore")
    names = ["Cz", "Oz", "T7", "T8", "Fpz"]
    ref = mne.create_info(names, 200.0, "eeg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ref.set_montage(_standard_montage())
    for i, name in enumerate(names):
        got = ours["chs"][SEED_CHANNELS.index(name.upper())]["loc"][:3]
        np.testing.assert_allclose(got, ref["chs"][i]["loc"][:3], atol=1e-6)


def test_band_topomaps_have_a_colour_bar_per_band():
    """Bands differ by orders of magnitude (PSD): every band column gets its own scale and bar."""
    rng = np.random.default_rng(1)
    scale = np.array([100.0, 20.0, 5.0, 1.0, 0.3])
    feat = scale * (1 + 0.1 * rng.normal(size=(30, 62, 5)))
    y = np.repeat([0, 1, 2], 10)
    fig = viz.plot_band_topomaps(feat, y, SEED_CHANNELS, {0: "a", 1: "b", 2: "c"}, SEED_BANDS)
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 2 * 5           # emotion rows (first five), then difference rows
    means = np.stack([feat[y == k].mean(axis=0) for k in range(3)])
    for b in range(5):                  # the emotion-row bars span each band's own range
        lo, hi = sorted(bars[b].get_xlim())
        assert lo == pytest.approx(means[:, :, b].min()) and hi == pytest.approx(means[:, :, b].max())
    diff = [max(abs(v) for v in bars[5 + b].get_xlim()) for b in range(5)]
    assert diff[0] > 50 * diff[4]       # delta's differences do not flatten gamma's


def test_topomaps_of_channels_without_positions(tmp_path, caplog):
    """Numbered channels (a Neuroscan CNT, say) have no scalp positions: a clear error for the figure,
    and a report that says so instead of failing."""
    from eegemo.errors import ConfigurationError
    from eegemo.recording import Recording, Trial
    from eegemo.store import prepare
    from eegemo.viz.report import make_report

    rng = np.random.default_rng(2)
    names = tuple(str(i) for i in range(1, 9))
    with pytest.raises(ConfigurationError, match="0 of 8 channels have a known 10-05 position"):
        viz.plot_band_topomaps(rng.normal(size=(6, 8, 5)), np.repeat([0, 1], 3), names)
    trials = [Trial(index=t + 1, label=t % 2, sfreq=200.0, ch_names=names, n_times=600,
                    data=rng.normal(0, 1e-5, (8, 600))) for t in range(4)]
    rec = Recording(dataset="generic", subject="1", session=1, trials=trials,
                    label_names={0: "a", 1: "b"}, source=tmp_path / "scan.cnt")
    store = prepare([rec], tmp_path / "st", jobs=1, grid=None)
    with caplog.at_level("WARNING", logger="eegemo"):
        page = make_report(tmp_path / "r.html", store=store)
    assert "Topomaps left out" in page.read_text()
    assert any("topomaps left out" in r.getMessage() for r in caplog.records)


def test_grids_and_images():
    g = np.arange(2 * 5 * 9 * 9, dtype=float).reshape(2, 5, 9, 9) + 1.0
    fig = viz.plot_grids(g, row_labels=["pos", "neg"])
    ims = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(ims) == 10
    np.testing.assert_array_equal(ims[0].get_array(), g[0, 0])


def test_grids_share_one_scale_and_leave_empty_cells_out():
    """DE grids are ~2.5 nats with zeros where no electrode sits: the zeros used to set the colour
    scale (every electrode one shade), and each panel had its own scale under one colour bar."""
    from eegemo.preprocess import to_grid

    rng = np.random.default_rng(0)
    de = 2.5 + 0.1 * rng.normal(size=(2, len(SEED_CHANNELS), 5))
    de[1, :, 4] -= 0.3                                    # a lower gamma in the second row
    g = to_grid(de, SEED_CHANNELS)                        # (2, 5, 9, 9), zeros off the electrodes
    empty = np.all(g == 0, axis=(0, 1))
    assert empty.any() and not empty.all()
    fig = viz.plot_grids(g, row_labels=["a", "b"])
    ims = [ax.images[0] for ax in fig.axes if ax.images]
    assert len({im.get_clim() for im in ims}) == 1        # one scale for every panel
    lo, hi = ims[0].get_clim()
    assert lo > 1.5 and hi < 3.5                          # set by the electrodes, not the zeros
    assert ims[0].get_array().mask[empty].all() and not ims[0].get_array().mask[~empty].any()


def test_training_curves_per_fold():
    hist = {"f1": [{"epoch": e, "train_loss": 1 / (e + 1), "val_loss": 1.2 / (e + 1),
                    "val_accuracy": 0.5 + e / 20} for e in range(5)],
            "f2": [{"epoch": e, "train_loss": 1 / (e + 2), "val_loss": None, "val_accuracy": None}
                   for e in range(3)]}
    fig = viz.plot_training_curves(hist)
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 4  # 2 loss keys × 2 folds
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), [1 / (e + 1) for e in range(5)])
    assert acc_ax.get_ylabel() == "accuracy" and acc_ax.get_ylim() == (-0.02, 1.02)
    # a WGAN's Wasserstein estimate is drawn with its losses
    gan = [{"epoch": e, "d_loss": -e, "g_loss": e, "wasserstein": 0.5 * e} for e in range(1, 4)]
    (ax,) = viz.plot_training_curves(gan).axes
    assert sorted(line.get_label() for line in ax.lines) == ["d_loss", "g_loss", "wasserstein"]


def test_confusion_names_in_numeric_label_order():
    cm = np.eye(11)
    fig = viz.plot_confusion(cm, {str(k): f"c{k}" for k in range(11)})   # keys as JSON gives them
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[:3] == ["c0", "c1", "c2"] and ticks[-1] == "c10"


def test_confusion_rates_and_counts():
    cm = np.array([[8, 2], [1, 9]])
    fig = viz.plot_confusion(cm, {0: "neg", 1: "pos"})
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.8, 0.2], [0.1, 0.9]])
    assert "(8)" in ax.texts[0].get_text()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["neg", "pos"]
    # cell text is light only on dark cells of the 0-1 scale, not relative to the largest cell
    low = viz.plot_confusion(np.array([[48, 52, 0], [40, 30, 30], [33, 33, 34]]),
                             {0: "a", 1: "b", 2: "c"}).axes[0]
    assert {t.get_color() for t in low.texts} == {"black"}
    assert ax.texts[3].get_color() == "white" and ax.texts[1].get_color() == "black"


def test_subject_accuracy_long_title_is_wrapped_not_cut():
    title = "logreg, loso (transductive) on subjects 1, 2, 3; session 1 only: accuracy per subject"
    fig = viz.plot_subject_accuracy({"1": 0.6, "2": 0.8}, title=title)
    fig.canvas.draw()
    shown = fig.axes[0].title
    assert shown.get_text().replace("\n", " ") == title
    box = shown.get_window_extent(renderer=fig.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1


def test_subject_accuracy_mean_line():
    fig = viz.plot_subject_accuracy({"1": 0.6, "2": 0.8, "3": 0.7}, chance=1 / 3)
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches if hasattr(p, "get_height")][:3] == [0.6, 0.8, 0.7]
    assert "0.700" in ax.get_legend().get_texts()[0].get_text()
    # the same std as metrics.json's accuracy_std (summarize: ddof=1), not numpy's default ddof=0
    from eegemo.evaluation import summarize

    std = summarize({k: {"accuracy": v} for k, v in {"1": 0.6, "2": 0.8, "3": 0.7}.items()})[
        "accuracy_std"]
    assert f"± {std:.3f}" in ax.get_legend().get_texts()[0].get_text()
    one = viz.plot_subject_accuracy({"1": 0.6}).axes[0].get_legend().get_texts()[0].get_text()
    assert "±" not in one and "no spread" in one


def test_overlapping_windows_give_each_sample_once():
    from eegemo.viz.report import _continuous

    x = np.arange(1000.0)[None, :]
    starts = np.arange(0, 8) * 0.5                   # 1-s windows at 100 Hz, 0.5-s stride
    windows = np.stack([x[:, int(s * 100): int(s * 100) + 100] for s in starts])
    np.testing.assert_array_equal(_continuous(windows, starts, 100.0), x[:, :450])


def test_real_vs_synthetic(raw_windows):
    X, y, sfreq = raw_windows
    fig = viz.plot_real_vs_synthetic_traces(X[0], X[30], sfreq, SEED_CHANNELS, n_channels=4)
    assert len(fig.axes[0].lines) == 4 and len(fig.axes[1].lines) == 4
    fig = viz.plot_real_vs_synthetic_psd(X[y == 0], X[y == 1], sfreq)
    labels = [ln.get_label() for ln in fig.axes[0].lines]
    assert labels == ["real", "synthetic"]
    feat = np.random.default_rng(2).normal(size=(20, 62, 5))
    fig = viz.plot_real_vs_synthetic_topomaps(feat[:10], feat[10:], SEED_CHANNELS)
    assert len([a for a in fig.axes if a.get_label() != "<colorbar>"]) == 10


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_embedding_separates_classes(method):
    rng = np.random.default_rng(3)
    X = np.r_[rng.normal(0, 1, (40, 10)), rng.normal(6, 1, (40, 10))]
    y = np.r_[np.zeros(40, int), np.ones(40, int)]
    fig = viz.plot_embedding(X, y, {0: "neg", 1: "pos"}, method=method)
    ax = fig.axes[0]
    a, b = (np.asarray(c.get_offsets()) for c in ax.collections)
    assert len(a) == len(b) == 40
    gap = np.linalg.norm(a.mean(0) - b.mean(0))
    assert gap > 2 * max(a.std(0).max(), b.std(0).max())


def test_embedding_of_one_feature_is_a_clear_error():
    from eegemo.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="at least 2 features and 3 rows, found 1"):
        viz.plot_embedding(np.arange(20.0)[:, None], np.repeat([0, 1], 10))


def test_embedding_of_real_vs_synthetic_tells_them_apart():
    """One emotion, real and synthetic: the two groups get different colours and the real points
    are drawn on top (they were the same colour, hidden under the synthetic ones)."""
    from matplotlib.colors import to_rgba

    rng = np.random.default_rng(4)
    X = np.r_[rng.normal(0, 1, (20, 6)), rng.normal(0, 1, (200, 6))]
    marks = np.r_[np.zeros(20, int), np.ones(200, int)]
    fig = viz.plot_embedding(X, np.zeros(len(X), int), {0: "neg"}, markers=marks,
                             marker_names={0: "real", 1: "synthetic"})
    real, fake = fig.axes[0].collections
    assert len(real.get_offsets()) == 20 and len(fake.get_offsets()) == 200
    assert to_rgba(real.get_facecolor()[0], 1) != to_rgba(fake.get_facecolor()[0], 1)
    assert real.get_zorder() > fake.get_zorder()


def _tiny_store(path, labels: dict, seed: int):
    from eegemo.recording import Recording, Trial
    from eegemo.store import prepare

    rng = np.random.default_rng(seed)
    names = SEED_CHANNELS[:8]
    recs = []
    for subject in ("1", "2"):
        trials = [Trial(index=t + 1, label=code, sfreq=200.0, ch_names=names, n_times=400,
                        data=rng.normal(0, 1e-5, (8, 400)))
                  for t, code in enumerate(list(labels) * 3)]
        recs.append(Recording(dataset="generic", subject=subject, session=1, trials=trials,
                              label_names=labels, source=path.parent / f"s{subject}.fif"))
    return prepare(recs, path, jobs=1, grid=None)


def test_report_with_another_store_keeps_the_runs_own_classes(tmp_path, monkeypatch, capsys):
    """A run trained on a 3-class store shown beside a 4-class store: the run's section keeps its
    own class names and chance level, and says that the store is another one."""
    from sklearn.linear_model import LogisticRegression

    from eegemo.cli import main
    from eegemo.evaluation import run
    from eegemo.viz import report as rep

    three = _tiny_store(tmp_path / "three", {-1: "negative", 0: "neutral", 1: "positive"}, 0)
    four = _tiny_store(tmp_path / "four", {0: "neutral", 1: "sad", 2: "fear", 3: "happy"}, 1)
    run(three, LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "run", n_folds=3)
    seen = {}
    draw_cm, draw_acc = rep.figures.plot_confusion, rep.figures.plot_subject_accuracy
    monkeypatch.setattr(rep.figures, "plot_confusion",
                        lambda cm, names, **kw: seen.setdefault("names", names) and draw_cm(cm, names, **kw))
    monkeypatch.setattr(rep.figures, "plot_subject_accuracy",
                        lambda acc, chance=None, **kw: seen.setdefault("chance", chance)
                        and draw_acc(acc, chance=chance, **kw))
    page = rep.make_report(tmp_path / "r.html", store=four, runs=[tmp_path / "run"])
    assert list(seen["names"]) == ["negative", "neutral", "positive"]
    assert seen["chance"] == pytest.approx(1 / 3)
    assert "trained on another store" in page.read_text()
    assert "run (another store)" in page.read_text()     # also in the summary table
    seen.clear()
    page = rep.make_report(tmp_path / "r.html", store=three, runs=[tmp_path / "run"])
    assert "trained on another store" not in page.read_text()
    # generic recordings hold classes, not emotions; no CB1/CB2 note where there are none
    text = page.read_text()
    assert "windows per class" in text and "per emotion" not in text and "CB1/CB2" not in text
    # which trials trained and tested, as metrics.json's protocol.split says
    assert "Trials: 3 folds of each subject&#x27;s trials" in text
    assert "sessions (recordings)" not in text
    # the CLI: a damaged metrics.json and an empty call are one-line errors, nothing written
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "metrics.json").write_bytes(b"\xff{")
    capsys.readouterr()
    for argv, found in ((["report", str(tmp_path / "bad")], "unreadable run metrics"),
                        (["report"], "nothing to report")):
        assert main(argv + ["--out", str(tmp_path / "x.html")]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and found in err, err
    assert not (tmp_path / "x.html").exists()


def test_report_one_subject_damaged_files_and_same_named_runs(tmp_path, caplog):
    """One subject: no 'std 0.000'; a damaged confusion.json is left out with a warning, not a
    traceback; two runs both named 'run' get told apart; a generic store's confusion caption says
    'class'."""
    import json
    import shutil

    from sklearn.linear_model import LogisticRegression

    from eegemo.evaluation import run
    from eegemo.viz import report as rep

    store = _tiny_store(tmp_path / "st", {0: "T1", 1: "T2"}, 0)
    run(store, LogisticRegression(max_iter=200), "trial-kfold", tmp_path / "a" / "run", n_folds=3)
    shutil.copytree(tmp_path / "a" / "run", tmp_path / "b" / "run")
    m = json.loads((tmp_path / "b" / "run" / "metrics.json").read_text())
    m["summary"]["n_subjects"] = 1                      # as a one-subject run writes it
    (tmp_path / "b" / "run" / "metrics.json").write_text(json.dumps(m))
    (tmp_path / "b" / "run" / "confusion.json").write_text(
        json.dumps({"labels": [0, 1, 2], "matrix": [[1, 2], [3, 4]]}))
    with caplog.at_level("WARNING", logger="eegemo"):
        page = rep.make_report(tmp_path / "r.html", store=store,
                               runs=[tmp_path / "a" / "run", tmp_path / "b" / "run"])
    text = page.read_text()
    assert "confusion.json is damaged" in caplog.text
    assert "a/run" in text and "b/run" in text
    assert "rows: true class" in text and "rows: true emotion" not in text
    assert "accuracy_std</td><td>– (1 subject)" in text


def test_undefined_figures_show_as_a_dash_not_none():
    """A std over one fold (or kappa on a one-class side) is undefined: '–' in the report."""
    from eegemo.viz.report import _fmt

    assert _fmt(None) == "–" and _fmt(0.5) == "0.500" and _fmt(3) == "3"
