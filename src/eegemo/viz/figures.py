"""Figures for data, features, recognition and generation.

Every function takes arrays (never files), draws with matplotlib (topomaps with MNE), and returns the
:class:`matplotlib.figure.Figure` without showing it. Pass ``ax``/``fig`` options where offered to embed a
figure in your own layout. Raw signals are expected in volts (MNE's convention) and shown in µV.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..bands import SEED_BANDS, Band, as_bands

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "plot_trial", "plot_psd_by_emotion", "plot_band_topomaps", "plot_grids", "plot_training_curves",
    "plot_confusion", "plot_subject_accuracy", "plot_real_vs_synthetic_traces",
    "plot_real_vs_synthetic_psd", "plot_real_vs_synthetic_topomaps", "plot_embedding",
    "class_means",
]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _names(label_names: Mapping[int, str] | None, labels) -> dict[int, str]:
    label_names = dict(label_names or {})
    return {int(k): str(label_names.get(int(k), k)) for k in labels}


def class_means(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``X`` per class.

    Parameters
    ----------
    X : ndarray, shape (n_rows, ...)
        Rows of any shape (e.g. DE features or grids).
    y : ndarray, shape (n_rows,)
        Label of each row.

    Returns
    -------
    classes : ndarray of int, shape (n_classes,)
        The distinct labels of ``y``, sorted.
    means : ndarray, shape (n_classes, *X.shape[1:])
        ``means[i]`` is the mean of the rows of class ``classes[i]``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    classes = np.unique(y)
    return classes, np.stack([X[y == c].mean(axis=0) for c in classes])


def plot_trial(data: np.ndarray, sfreq: float, ch_names: Sequence[str], *, picks: Sequence[str] | None = None,
               tmin: float = 0.0, duration: float = 10.0, spacing: float | None = None,
               title: str | None = None) -> Figure:
    """Stacked traces of a raw trial.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_times)
        Volts.
    sfreq : float
    ch_names : sequence of str
    picks : sequence of str | None
        Channels to show (default: up to 16 spread over the montage).
    tmin, duration : float
        Seconds to show.
    spacing : float | None
        Vertical distance between traces in µV (default: 6 × the median channel std).
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    data = np.asarray(data, dtype=float)
    ch_names = list(ch_names)
    if picks is None:   # up to 16, evenly over the whole montage (front to back)
        idx = np.unique(np.linspace(0, len(ch_names) - 1, min(16, len(ch_names)))
                        .round().astype(int)).tolist()
    else:
        upper = [c.upper() for c in ch_names]
        idx = [upper.index(p.upper()) for p in picks]
    start = int(round(tmin * sfreq))
    stop = min(data.shape[1], start + int(round(duration * sfreq)))
    seg = data[idx, start:stop] * 1e6
    seg = seg - seg.mean(axis=1, keepdims=True)
    if spacing is None:
        spacing = 6 * float(np.median(seg.std(axis=1))) or 1.0
    t = tmin + np.arange(seg.shape[1]) / sfreq
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(idx) + 1.5), layout="constrained")
    offsets = -spacing * np.arange(len(idx))
    ax.plot(t, (seg + offsets[:, None]).T, lw=0.6, color="k")
    ax.set_yticks(offsets, [ch_names[i] for i in idx])
    ax.set_xlabel("time (s)")
    ax.set_xlim(t[0], t[-1] if len(t) > 1 else t[0] + 1)
    ax.set_title(title or f"raw EEG, {len(idx)} of {len(ch_names)} channels (spacing {spacing:.0f} µV)")
    return fig


def _welch(windows: np.ndarray, sfreq: float):
    from scipy.signal import welch

    nper = min(windows.shape[-1], int(2 * sfreq))
    return welch(windows, fs=sfreq, nperseg=nper, axis=-1)


def plot_psd_by_emotion(windows: np.ndarray, y: np.ndarray, sfreq: float,
                        label_names: Mapping[int, str] | None = None, *, fmax: float | None = 60.0,
                        bands: Sequence[Band] | None = SEED_BANDS,
                        title: str | None = None) -> Figure:
    """Power spectral density averaged over channels and windows, one line per emotion.

    Parameters
    ----------
    windows : ndarray, shape (n_windows, n_channels, n_samples)
        Raw windows in volts.
    y : ndarray, shape (n_windows,)
        Labels.
    sfreq : float
    label_names : dict of int -> str | None
    fmax : float | None
        Highest frequency shown.
    bands : sequence of Band | None
        Shaded in the background.
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    freqs, psd = _welch(np.asarray(windows, dtype=float) * 1e6, sfreq)
    psd = psd.mean(axis=1)  # over channels
    classes, means = class_means(np.log10(psd + 1e-20), np.asarray(y))
    names = _names(label_names, classes)
    keep = freqs <= (fmax or freqs[-1])
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for b in as_bands(bands) if bands else ():
        ax.axvspan(b.low, b.high, alpha=0.06, color="grey")
        ax.text((b.low + b.high) / 2, 1.0, b.name, transform=ax.get_xaxis_transform(), ha="center",
                va="top", fontsize=7, color="grey")
    for c, m in zip(classes, means, strict=True):
        ax.plot(freqs[keep], 10 * m[keep], label=names[int(c)])
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD (dB re 1 µV²/Hz)")
    ax.legend(frameon=False)
    ax.set_title(title or "spectrum per emotion (mean over channels and windows)")
    return fig


def _topo_pos(ch_names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """2-D topomap positions of the channels that have a 10-05 position, and their indices.

    The same azimuthal equidistant projection as the topographic images
    (:func:`eegemo.preprocess.grid.project_positions`): the distance from the centre is the polar
    angle from the vertex over 90°, so Fpz, T7, T8 and Oz lie on the drawn head circle (radius 1),
    as in EEGLAB's convention, and the hand-placed CB1/CB2 just below it.
    """
    from ..preprocess.grid import project_positions

    xy = project_positions(list(ch_names))
    keep = np.array([i for i, ch in enumerate(ch_names) if ch in xy], dtype=int)
    pos = np.array([xy[ch_names[i]] for i in keep], dtype=float).reshape(len(keep), 2)
    return pos, keep


#: the head circle of :func:`_topo_pos` positions, for ``mne.viz.plot_topomap(sphere=...)``
_TOPO_SPHERE = (0.0, 0.0, 0.0, 1.0)


def plot_band_topomaps(features: np.ndarray, y: np.ndarray, ch_names: Sequence[str],
                       label_names: Mapping[int, str] | None = None, bands: Sequence[Band] | None = None,
                       *, difference: bool = True, title: str | None = None,
                       unit: str | None = None) -> Figure:
    """Topomaps of a band feature (e.g. DE) per band and emotion, and each emotion minus the mean.

    Parameters
    ----------
    features : ndarray, shape (n_windows, n_channels, n_bands)
    y : ndarray, shape (n_windows,)
    ch_names : sequence of str
        Channels without a known position are left out; fewer than 3 with one raise
        :class:`~eegemo.errors.ConfigurationError`.
    label_names : dict of int -> str | None
    bands : sequence of Band | None
    difference : bool
        Add one row per emotion showing its difference from the mean over emotions (diverging
        colours). Every band has its own colour scale, in the emotion rows and in the difference
        rows, each with its own colour bar: bands differ by orders of magnitude (PSD), and one
        shared scale would leave the weak bands blank.
    title : str | None
    unit : str | None
        Label of the colour bars (e.g. ``"DE (nats of µV²)"``); the difference rows' bars say
        "difference" before it.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    import mne

    plt = _plt()
    features = np.asarray(features, dtype=float)
    bands = as_bands(bands) if bands is not None else SEED_BANDS[: features.shape[-1]]
    classes, means = class_means(features, np.asarray(y))
    names = _names(label_names, classes)
    pos, keep = _topo_pos(ch_names)
    if len(keep) < 3:
        from ..errors import ConfigurationError

        raise ConfigurationError(f"topomaps need scalp positions, but {len(keep)} of {len(ch_names)} "
                                 f"channels have a known 10-05 position (expected at least 3, found "
                                 f"names such as {', '.join(list(ch_names)[:3])})")
    means = means[:, keep, :]
    grand = means.mean(axis=0)
    rows = [(f"{names[int(c)]}", m) for c, m in zip(classes, means, strict=True)]
    if difference:
        rows += [(f"{names[int(c)]} − mean", m - grand)
                 for c, m in zip(classes, means, strict=True)]
    n_b = means.shape[-1]
    fig, axes = plt.subplots(len(rows), n_b, figsize=(1.8 * n_b + 0.8, 1.8 * len(rows) + 0.6),
                             layout="constrained", squeeze=False)
    diff_lim = np.abs(means - grand).max(axis=(0, 1))          # one per band
    n_c = len(classes)
    for r, (name, m) in enumerate(rows):
        is_diff = r >= n_c
        for b in range(n_b):
            ax = axes[r, b]
            if is_diff:
                lim = float(diff_lim[b]) or 1.0
                vlim = (-lim, lim)
                cmap = "RdBu_r"
            else:
                col = means[:, :, b]
                vlim = (float(col.min()), float(col.max()))
                cmap = "viridis"
            im, _ = mne.viz.plot_topomap(m[:, b], pos, axes=ax, show=False, vlim=vlim, cmap=cmap,
                                         contours=0, sensors=False, sphere=_TOPO_SPHERE)
            if r == 0:
                ax.set_title(bands[b].name if b < len(bands) else f"band {b}", fontsize=9)
            if b == 0:
                ax.text(-0.15, 0.5, name, transform=ax.transAxes, rotation=90, ha="right", va="center",
                        fontsize=8)
            if r in (n_c - 1, len(rows) - 1):    # a bar under each block of each band column
                block = axes[:n_c, b] if r == n_c - 1 else axes[n_c:, b]
                cb = fig.colorbar(im, ax=block, location="bottom", shrink=0.8, aspect=12)
                cb.ax.tick_params(labelsize=6)
                if unit:
                    cb.set_label(unit if r == n_c - 1 else f"difference, {unit}", fontsize=6)
    fig.suptitle(title or f"band feature per emotion ({len(keep)} of {len(ch_names)} channels placed)",
                 fontsize=10)
    return fig


def plot_grids(grids: np.ndarray, bands: Sequence[Band] | None = None, *, title: str | None = None,
               row_labels: Sequence[str] | None = None, unit: str | None = None) -> Figure:
    """The 9 × 9 grids or topographic images a model sees.

    Every panel shares one colour scale (1st–99th percentile of the cells that hold data), so panels
    compare directly. Cells that are exactly zero in every panel are the grid's empty positions (no
    electrode, or outside the head of an image): they are drawn grey and kept out of the scale.

    Parameters
    ----------
    grids : ndarray, shape (n_bands, H, W) or (n_rows, n_bands, H, W)
        One example (or one per row, e.g. per emotion).
    bands : sequence of Band | None
    title : str | None
    row_labels : sequence of str | None
    unit : str | None
        Label of the colour bar (e.g. ``"DE (nats of µV²)"``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    g = np.asarray(grids, dtype=float)
    if g.ndim == 3:
        g = g[None]
    n_r, n_b = g.shape[:2]
    empty = np.all(g == 0, axis=(0, 1))
    if empty.all():
        empty[:] = False
    g = np.ma.masked_array(g, mask=np.broadcast_to(empty, g.shape) | ~np.isfinite(g))
    values = g.compressed()
    vmin, vmax = (np.percentile(values, [1, 99]) if values.size else (0.0, 1.0))
    if vmax <= vmin:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    cmap = plt.get_cmap("viridis").with_extremes(bad="0.85")
    bands = as_bands(bands) if bands is not None else SEED_BANDS[:n_b]
    fig, axes = plt.subplots(n_r, n_b, figsize=(1.7 * n_b + 0.6, 1.7 * n_r + 0.6), squeeze=False,
                             layout="constrained")
    for r in range(n_r):
        for b in range(n_b):
            ax = axes[r, b]
            im = ax.imshow(g[r, b], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(bands[b].name if b < len(bands) else f"band {b}", fontsize=9)
            if b == 0 and row_labels is not None:
                ax.set_ylabel(row_labels[r], fontsize=8)
    cb = fig.colorbar(im, ax=axes, shrink=0.7 if n_r > 1 else 0.9)
    if unit:
        cb.set_label(unit, fontsize=8)
    fig.suptitle(title or f"model input, {g.shape[-2]} × {g.shape[-1]} per band", fontsize=10)
    return fig


def plot_training_curves(history: Sequence[Mapping[str, Any]]
                         | Mapping[str, Sequence[Mapping[str, Any]]], *,
                         title: str | None = None) -> Figure:
    """Loss (and validation accuracy) per epoch.

    Parameters
    ----------
    history : list of dict | dict of str -> list of dict
        One list of ``{epoch, train_loss, val_loss, val_accuracy}`` (or any ``*loss*`` keys, e.g. a
        generator's ``d_loss``/``g_loss``), or a mapping fold name → such a list (one thin line per fold).
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    runs = history if isinstance(history, Mapping) else {"": history}
    runs = {k: v for k, v in runs.items() if v}
    keys = sorted({k for h in runs.values() for row in h for k in row
                   if k != "epoch" and isinstance(row.get(k), (int, float)) and row.get(k) is not None})
    loss_keys = [k for k in keys if "loss" in k or k == "wasserstein"]   # a WGAN's estimate too
    acc_keys = [k for k in keys if "acc" in k]
    fig, axes = plt.subplots(1, 2 if acc_keys else 1, figsize=(9 if acc_keys else 5, 3.5),
                             squeeze=False, layout="constrained")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    # one axis where there is no accuracy panel: the acc_keys (empty then) are left out
    for panel, ks in zip(axes[0], (loss_keys, acc_keys), strict=False):
        for i, k in enumerate(ks):
            for j, (name, h) in enumerate(runs.items()):
                ep = [row.get("epoch", n) for n, row in enumerate(h)]
                val = [row.get(k, np.nan) for row in h]
                val = [np.nan if v is None else v for v in val]
                panel.plot(ep, val, color=colors[i % len(colors)], lw=1 if len(runs) > 1 else 1.6,
                           alpha=0.6 if len(runs) > 1 else 1, label=k if j == 0 else None)
        panel.set_xlabel("epoch")
        panel.xaxis.get_major_locator().set_params(integer=True)
        panel.legend(frameon=False, fontsize=8)
    axes[0, 0].set_ylabel("loss")
    if acc_keys:
        axes[0, 1].set_ylabel("accuracy")
        axes[0, 1].set_ylim(-0.02, 1.02)
    fig.suptitle(title or f"training curves ({len(runs)} fold{'s' if len(runs) != 1 else ''})",
                 fontsize=10)
    return fig


def plot_confusion(cm: np.ndarray, label_names: Mapping[int, str] | Sequence[str] | None = None, *,
                   normalize: bool = True, title: str | None = None) -> Figure:
    """Confusion matrix (rows: true emotion, columns: predicted).

    Parameters
    ----------
    cm : ndarray, shape (n_classes, n_classes)
        Counts.
    label_names : dict | sequence of str | None
        Class names in the matrix's order.
    normalize : bool
        Show row-normalised rates (counts are printed too).
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    cm = np.asarray(cm, dtype=float)
    n = cm.shape[0] if cm.ndim else 0
    if isinstance(label_names, Mapping):
        # the matrix's order is the sorted labels: numbers as numbers ("10" after "2")
        def order(k):
            try:
                return (0, float(k), "")
            except (TypeError, ValueError):
                return (1, 0.0, str(k))

        names = [str(label_names[k]) for k in sorted(label_names, key=order)]
    else:
        names = [str(v) for v in label_names] if label_names is not None else \
            [str(i) for i in range(n)]
    if cm.ndim != 2 or cm.shape[1] != n or len(names) != n:
        from ..errors import ConfigurationError

        raise ConfigurationError(f"plot_confusion: a square matrix with one name per class is "
                                 f"needed, found a {cm.shape} matrix and {len(names)} names")
    rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    fig, ax = plt.subplots(figsize=(1.0 * n + 2.5, 1.0 * n + 1.8), layout="constrained")
    im = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    for i in range(n):
        for j in range(n):
            txt = f"{rates[i, j]:.2f}\n({int(cm[i, j])})" if normalize else f"{int(cm[i, j])}"
            ax.text(j, i, txt, ha="center", va="center", fontsize=8,
                    # against the colour scale (0-1 for rates), not the largest cell
                    color="white" if rates[i, j] > 0.6 * (1.0 if normalize
                                                         else np.nanmax(rates)) else "black")
    ax.set_xticks(range(n), names, rotation=30, ha="right")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(title or ("confusion matrix (rows sum to 1)" if normalize
                           else "confusion matrix (counts)"), fontsize=10)
    return fig


def plot_subject_accuracy(per_subject: Mapping[str, float], *, chance: float | None = None,
                          title: str | None = None) -> Figure:
    """Accuracy per subject with the mean ± std over subjects.

    The std is the sample standard deviation (``ddof=1``), as in a run's ``metrics.json``, so the
    figure and the table beside it show the same number; one subject has none (no band drawn).

    Parameters
    ----------
    per_subject : dict of subject -> accuracy
    chance : float | None
        Drawn as a dashed line.
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    subs = [s for s in per_subject if per_subject[s] is not None]   # a subject without a score
    acc = np.array([float(per_subject[s]) for s in subs])
    mean = float(acc.mean())
    fig, ax = plt.subplots(figsize=(max(4.8, 0.45 * len(subs) + 2), 3.5), layout="constrained")
    ax.bar(range(len(subs)), acc, color="tab:blue", alpha=0.8)
    if len(acc) > 1:
        std = float(acc.std(ddof=1))
        ax.axhline(mean, color="k", lw=1.2, label=f"mean {mean:.3f} ± {std:.3f}")
        ax.axhspan(mean - std, mean + std, color="k", alpha=0.08)
    else:
        ax.axhline(mean, color="k", lw=1.2, label=f"one subject {mean:.3f} (no spread)")
    if chance is not None:
        ax.axhline(chance, color="tab:red", ls="--", lw=1, label=f"chance {chance:.2f}")
    ax.set_xticks(range(len(subs)), subs, rotation=0 if len(subs) < 12 else 90)
    ax.set_xlabel("subject")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    import textwrap

    width = max(30, int(fig.get_figwidth() * 9))   # characters that fit at fontsize 10
    ax.set_title(textwrap.fill(title or "accuracy per subject", width), fontsize=10)
    return fig


def plot_real_vs_synthetic_traces(real: np.ndarray, fake: np.ndarray, sfreq: float,
                                  ch_names: Sequence[str], *, n_channels: int = 6,
                                  title: str | None = None, real_name: str = "real") -> Figure:
    """One real and one synthetic raw window side by side (same channels, same scale).

    Parameters
    ----------
    real, fake : ndarray, shape (n_channels, n_samples)
        Volts.
    sfreq : float
    ch_names : sequence of str
    n_channels : int
    title : str | None
    real_name : str
        What to call the data (e.g. ``"data (simulated)"`` for simulated recordings).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    idx = np.linspace(0, len(ch_names) - 1, n_channels).round().astype(int)
    r = np.asarray(real, float)[idx] * 1e6
    f = np.asarray(fake, float)[idx] * 1e6
    r = r - r.mean(axis=1, keepdims=True)
    f = f - f.mean(axis=1, keepdims=True)
    spacing = 6 * float(np.median(r.std(axis=1))) or 1.0
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.5 * n_channels + 1.5), sharey=True,
                             layout="constrained")
    offsets = -spacing * np.arange(n_channels)
    for ax, x, name in zip(axes, (r, f), (real_name, "synthetic"), strict=True):
        t = np.arange(x.shape[1]) / sfreq
        ax.plot(t, (x + offsets[:, None]).T, lw=0.7, color="k" if x is r else "tab:purple")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("time (s)")
    axes[0].set_yticks(offsets, [ch_names[i] for i in idx])
    fig.suptitle(title or f"{real_name} vs synthetic window (spacing {spacing:.0f} µV)",
                 fontsize=10)
    return fig


def plot_real_vs_synthetic_psd(real: np.ndarray, fake: np.ndarray, sfreq: float, *,
                               fmax: float | None = 60.0, title: str | None = None,
                               real_name: str = "real") -> Figure:
    """Mean PSD (over windows and channels) of real and synthetic raw windows, with the 10–90 % band.

    Power is averaged over channels, then over windows in dB (a geometric mean of the windows'
    channel-mean power).

    Parameters
    ----------
    real, fake : ndarray, shape (n_windows, n_channels, n_samples)
        Volts.
    sfreq : float
    fmax : float | None
    title : str | None
    real_name : str
        What to call the data (e.g. ``"data (simulated)"``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for x, name, color in ((real, real_name, "k"), (fake, "synthetic", "tab:purple")):
        freqs, psd = _welch(np.asarray(x, float) * 1e6, sfreq)
        db = 10 * np.log10(psd.mean(axis=1) + 1e-20)
        keep = freqs <= (fmax or freqs[-1])
        lo, hi = np.percentile(db, [10, 90], axis=0)
        ax.plot(freqs[keep], db.mean(axis=0)[keep], color=color, label=name)
        ax.fill_between(freqs[keep], lo[keep], hi[keep], color=color, alpha=0.15)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD (dB re 1 µV²/Hz)")
    ax.legend(frameon=False)
    ax.set_title(title or f"spectrum, {real_name} vs synthetic (mean in dB and 10–90 % of "
                          "windows)", fontsize=10)
    return fig


def plot_real_vs_synthetic_topomaps(real: np.ndarray, fake: np.ndarray, ch_names: Sequence[str],
                                    bands: Sequence[Band] | None = None, *,
                                    title: str | None = None, real_name: str = "real",
                                    unit: str | None = None) -> Figure:
    """Mean band topography of real and synthetic features (rows), per band (columns).

    Parameters
    ----------
    real, fake : ndarray, shape (n_windows, n_channels, n_bands)
        Band features (e.g. DE) of one emotion, or of all.
    ch_names : sequence of str
    bands : sequence of Band | None
    title : str | None
    real_name : str
        What to call the data (e.g. ``"data (simulated)"``).
    unit : str | None
        Colour-bar label.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    X = np.concatenate([np.asarray(real, float), np.asarray(fake, float)])
    y = np.r_[np.zeros(len(real), int), np.ones(len(fake), int)]
    return plot_band_topomaps(X, y, ch_names, {0: real_name, 1: "synthetic"}, bands,
                              difference=False, unit=unit,
                              title=title or f"band topography, {real_name} vs synthetic")


def plot_embedding(X: np.ndarray, y: np.ndarray, label_names: Mapping[int, str] | None = None, *,
                   method: str = "pca", markers: np.ndarray | None = None,
                   marker_names: Mapping[int, str] | None = None, max_points: int = 3000,
                   random_state: int = 0, title: str | None = None) -> Figure:
    """2-D embedding of feature vectors coloured by emotion.

    Parameters
    ----------
    X : ndarray, shape (n_samples, ...)
        Flattened inside; standardised before embedding.
    y : ndarray, shape (n_samples,)
    label_names : dict of int -> str | None
    method : {"pca", "tsne"}
    markers : ndarray of int | None
        A second grouping drawn with marker shapes (e.g. 0 real, 1 synthetic).
    marker_names : dict of int -> str | None
    max_points : int
        Random subsample for speed.
    random_state : int
    title : str | None

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    from sklearn.preprocessing import StandardScaler

    from ..errors import ConfigurationError

    plt = _plt()
    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    y = np.asarray(y)
    rng = np.random.default_rng(random_state)
    take = rng.permutation(len(X))[:max_points]
    X, y = X[take], y[take]
    markers = None if markers is None else np.asarray(markers)[take]
    Z = StandardScaler().fit_transform(X)
    if X.shape[1] < 2 or len(X) < 3:
        raise ConfigurationError(f"plot_embedding: needs at least 2 features and 3 rows, found "
                                 f"{X.shape[1]} feature(s) and {len(X)} row(s)")
    if method == "pca":
        Z = PCA(n_components=2, random_state=random_state).fit_transform(Z)
    elif method == "tsne":
        Z = PCA(n_components=min(30, Z.shape[1], len(Z)), random_state=random_state).fit_transform(Z)
        Z = TSNE(n_components=2, random_state=random_state, init="pca",
                 perplexity=min(30.0, max(2.0, (len(Z) - 1) / 3))).fit_transform(Z)
    else:
        raise ConfigurationError(f"embedding method {method!r} is unknown (expected 'pca' or 'tsne')")
    classes = np.unique(y)
    names = _names(label_names, classes)
    shapes = ["o", "^", "s", "x"]
    fig, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    groups = [None] if markers is None else list(np.unique(markers))
    # one emotion, several groups (real vs synthetic): the groups get the colours, and the first
    # group is drawn on top, so that a few real points are not hidden under many synthetic ones
    by_group = len(classes) == 1 and len(groups) > 1
    for gi, g in enumerate(groups):
        for ci, c in enumerate(classes):
            sel = (y == c) if g is None else (y == c) & (markers == g)
            label = names[int(c)] if g is None else f"{names[int(c)]} ({(marker_names or {}).get(g, g)})"
            ax.scatter(Z[sel, 0], Z[sel, 1], s=6 if gi else 9, alpha=0.6,
                       color=colors[(gi if by_group else ci) % len(colors)],
                       marker=shapes[gi % len(shapes)], label=label, zorder=len(groups) - gi)
    ax.set_xlabel(f"{method.upper()} 1")
    ax.set_ylabel(f"{method.upper()} 2")
    ax.legend(frameon=False, fontsize=7, markerscale=2)
    ax.set_title(title or f"feature embedding ({method.upper()}, {len(Z)} windows)", fontsize=10)
    return fig
