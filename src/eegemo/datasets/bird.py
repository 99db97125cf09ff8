"""The Bird et al. "Feeling Emotions" feature table (Kaggle ``emotions.csv``).

Bird, Ekart, Buckingham & Faria (2019), *Mental emotional sentiment classification with an EEG-based
brain-machine interface*: a Muse headband (TP9, AF7, AF8, TP10), 2132 rows of ~2548 statistical
features (means, standard deviations, covariance, eigenvalues, FFT bins, … computed over sliding
windows) and a ``label`` column in {POSITIVE, NEUTRAL, NEGATIVE}. The first column's header is
``# mean_0_a`` (a leading ``#``), which :func:`read_table` strips.

Representation chosen. The table has no signal, no subject column and no trial structure, so
:func:`read` returns **one** :class:`~eegemo.recording.Recording` (``dataset="bird"``,
``subject="all"``, ``session=None``, ``kind="features"``, ``feature="bird"``) holding one trial per
row. Each trial's data has the feature-trial shape ``(n_windows, n_channels, n_bands)`` =
``(1, n_features, 1)``: one window, each feature column a "channel" (``ch_names`` are the column
names), one band; ``sfreq`` is 1.0 nominal and ``bands`` ``None``. ``extra["columns"]`` lists the
feature names and ``extra["channels"]`` the four Muse electrodes. Labels follow SEED's convention:
1 positive, 0 neutral, -1 negative. For classical models :func:`read_table` gives the plain
``(X, y)`` pair instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._logging import logger
from ..errors import data_error
from ..recording import Recording, Trial

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["detect", "read", "read_table", "LABELS", "MUSE_CHANNELS"]

DATASET = "bird"
#: Label text → integer (SEED's convention).
LABELS: dict[str, int] = {"POSITIVE": 1, "NEUTRAL": 0, "NEGATIVE": -1}
#: The Muse headband's electrodes.
MUSE_CHANNELS: tuple[str, ...] = ("TP9", "AF7", "AF8", "TP10")
_FILENAME = "emotions.csv"


def _csv_in(path: Path) -> Path | None:
    if path.is_file():
        return path
    if path.is_dir():
        cand = path / _FILENAME
        if cand.is_file():
            return cand
        found = sorted(p for p in path.glob("*.csv") if _looks_like_bird(p))
        return found[0] if found else None
    return None


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        line = f.readline()
    return [c.strip().lstrip("#").strip() for c in line.rstrip("\r\n").split(",")]


def _looks_like_bird(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    try:
        cols = _header(path)
    except OSError:
        return False
    return "label" in cols and any(c.startswith("mean_0_") for c in cols)


def detect(path: str | os.PathLike) -> bool:
    """Whether ``path`` is the Bird ``emotions.csv`` (or a folder holding it): checked from the header.

    Parameters
    ----------
    path : path-like
        A ``.csv`` file, or a folder holding ``emotions.csv`` or another ``.csv`` with Bird's
        columns.

    Returns
    -------
    bool
        ``True`` when the file's header has a ``label`` column and ``mean_0_*`` feature columns.
    """
    p = Path(path)
    f = _csv_in(p)
    return f is not None and _looks_like_bird(f)


def read_table(path: str | os.PathLike) -> tuple[pd.DataFrame, pd.Series]:
    """The table as features and labels.

    Parameters
    ----------
    path : path-like
        ``emotions.csv`` or the folder holding it.

    Returns
    -------
    X : pandas.DataFrame, shape (n_rows, n_features)
        float64 features; column names without the leading ``#``.
    y : pandas.Series of str
        ``"POSITIVE"``, ``"NEUTRAL"`` or ``"NEGATIVE"`` per row (map with :data:`LABELS`).

    Raises
    ------
    eegemo.errors.DataFormatError
        Missing file, no ``label`` column, unknown label values, non-numeric or NaN cells.
    """
    import pandas as pd

    p = Path(path)
    f = _csv_in(p)
    if f is None:
        raise data_error(p, "Bird table not found", expected=f"{_FILENAME} (a CSV with a label column)",
                         found="no such file" if not p.exists() else "no matching CSV")
    try:
        df = pd.read_csv(f)
    except Exception as exc:
        raise data_error(f, "unreadable CSV (truncated or corrupt?)",
                         found=f"{type(exc).__name__}: {exc}") from None
    df.columns = [str(c).strip().lstrip("#").strip() for c in df.columns]
    if "label" not in df.columns:
        raise data_error(f, "no label column", expected="a column 'label' (POSITIVE/NEUTRAL/NEGATIVE)",
                         found=f"{len(df.columns)} columns, last {df.columns[-1]!r}")
    if len(df) == 0:
        raise data_error(f, "no rows", expected="one row per sample", found="header only")
    y = df.pop("label")
    y = y.astype(object).where(y.notna(), "").astype(str).str.strip().str.upper()  # blank: ""
    unknown = sorted(set(y) - set(LABELS))
    if unknown:
        row = int(np.flatnonzero(~y.isin(list(LABELS)).to_numpy())[0]) + 2   # 1-based, after header
        raise data_error(f, f"unknown label value(s) in column 'label' (first in row {row})",
                         expected=", ".join(LABELS),
                         found=", ".join(u or "(blank: a short or truncated row?)" for u in unknown[:5]))
    if df.shape[1] == 0:
        raise data_error(f, "no feature columns", expected="feature columns before 'label'",
                         found="only 'label'")
    nonnum = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if nonnum:
        c = nonnum[0]
        vals = pd.to_numeric(df[c], errors="coerce")
        row = int(np.flatnonzero(vals.isna().to_numpy() & df[c].notna().to_numpy())[0])
        raise data_error(f, f"non-numeric cell in column {c!r}", expected="numbers",
                         found=f"{df[c].iloc[row]!r} in row {row + 2} ({len(nonnum)} column(s) affected)")
    X = df.astype(float)
    bad = ~np.isfinite(X.to_numpy())
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise data_error(f, "NaN/inf cell(s)", expected="finite numbers",
                         found=f"{int(bad.sum())} cells, first in column {X.columns[c]!r} row {r + 2}")
    y.name = "label"
    logger.info("%s: %d rows × %d features", f.name, X.shape[0], X.shape[1])
    return X, y


def read(path: str | os.PathLike, **kw: Any) -> list[Recording]:
    """Read ``emotions.csv`` as one feature recording with one trial per row.

    Parameters
    ----------
    path : path-like
        ``emotions.csv`` or the folder holding it.
    **kw
        Accepted and ignored (options of :func:`eegemo.datasets.read` meant for other readers).

    Returns
    -------
    recordings : list of Recording
        One recording; see the module docstring for the layout of its trials.
    """
    from ._family import is_simulated

    X, y = read_table(path)
    f = _csv_in(Path(path))
    cols = tuple(X.columns)
    arr = X.to_numpy(dtype=float)
    labels = y.map(LABELS).to_numpy()
    trials = [Trial(index=i + 1, label=int(labels[i]), sfreq=1.0, ch_names=cols, kind="features",
                    n_times=1, onset=None, bands=None, data=arr[i].reshape(1, -1, 1))
              for i in range(arr.shape[0])]
    rec = Recording(dataset=DATASET, subject="all", session=None, trials=trials,
                    label_names={v: k.lower() for k, v in LABELS.items()}, source=f, kind="features",
                    feature="bird", simulated=is_simulated(f),
                    extra={"columns": list(cols), "channels": MUSE_CHANNELS,
                           "layout": "(1, n_features, 1) per row"})
    return [rec]
