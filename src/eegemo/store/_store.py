"""Reading a prepared store: the index, arrays as NumPy, a PyTorch Dataset and an xarray Dataset."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import STORE_FORMAT
from .._logging import logger
from ..bands import Band
from ..errors import ConfigurationError, DataFormatError, data_error

__all__ = ["Store", "open_store", "manifest_hash", "MANIFEST", "FORMAT", "FORMAT_VERSION"]

MANIFEST = "manifest.json"
FORMAT = STORE_FORMAT     # also what _files.folder_kind recognises a store by
FORMAT_VERSION = 1


class Store:
    """A prepared store (use :func:`open_store` or :func:`eegemo.store.prepare` to get one).

    Rows are windows; the global row number is the position in :attr:`index`. Arrays are read lazily
    from the per-recording zarr groups. Normalisation is not baked in: fit
    :class:`eegemo.preprocess.Normalizer` on training rows.

    Parameters
    ----------
    path : path-like
        The store folder.
    manifest : dict
        Its parsed ``manifest.json``.
    """

    def __init__(self, path: str | os.PathLike, manifest: dict):
        self.path = Path(path)
        self.manifest = manifest
        self.summary: dict | None = None
        self._index = None
        self._zarr: dict[tuple[str, str], object] = {}
        rows = [int(e["rows"]) for e in manifest["recordings"]]
        self._keys = [e["key"] for e in manifest["recordings"]]
        self._key_pos = {k: i for i, k in enumerate(self._keys)}   # array opens: no list search
        self._offsets = np.concatenate([[0], np.cumsum(rows, dtype=np.int64)]).astype(np.int64)

    # --- metadata --------------------------------------------------------------------------------
    @property
    def index(self):
        """pandas DataFrame, one row per window (see ``docs/CONTRACTS.md`` for the columns)."""
        if self._index is None:
            import pandas as pd
            import pyarrow as pa

            path = self.path / "index.parquet"
            rebuild = "run eegemo prepare again with the same settings to rebuild it"
            if not path.is_file():
                raise data_error(path, f"store index is missing; {rebuild}",
                                 expected="the Parquet index written by eegemo prepare",
                                 found="no file")
            try:
                index = pd.read_parquet(path)
            except (pa.ArrowException, OSError) as err:
                raise data_error(path, f"unreadable store index; {rebuild}",
                                 expected="a Parquet table", found=str(err).split(": ")[-1]) from None
            if len(index) != len(self):
                raise data_error(path, f"store index does not match the manifest; {rebuild}",
                                 expected=f"{len(self)} rows", found=f"{len(index)}")
            _check_index(path, index, rebuild)
            self._index = index
        return self._index

    @property
    def arrays(self) -> tuple[str, ...]:
        """Names of the stored arrays (``"de"``, ``"psd"``, ``"raw"``, ``"de_grid"``, ...)."""
        return tuple(self.manifest["arrays"])

    @property
    def label_names(self) -> dict[int, str]:
        """Integer label → name."""
        return {int(k): v for k, v in self.manifest["label_names"].items()}

    @property
    def ch_names(self) -> tuple[str, ...]:
        """Channel names, in the channel order of the arrays."""
        return tuple(self.manifest["ch_names"])

    @property
    def bands(self) -> tuple[Band, ...]:
        """Frequency bands, in the band order of the arrays."""
        return tuple(Band(n, float(lo), float(hi)) for n, lo, hi in self.manifest["bands"])

    @property
    def sfreq(self) -> float | None:
        """Sampling rate of the raw signal (Hz); None for stores of released features."""
        return self.manifest["sfreq"]

    @property
    def window(self) -> float:
        """Window length in seconds."""
        return float(self.manifest["window"])

    @property
    def config(self):
        """The :class:`~eegemo.store.PrepareConfig` the store was prepared with."""
        from .config import PrepareConfig

        return PrepareConfig.from_dict(self.manifest["config"])

    @property
    def manifest_hash(self) -> str:
        """SHA-256 (16 hex digits) of the whole manifest: configuration, recordings and row counts.

        It changes whenever the store is prepared again or resumed with more recordings, so a run
        can tell whether the store it is given is the one it was trained on.
        """
        return manifest_hash(self.manifest)

    @property
    def filters(self) -> dict:
        """The notch, band-pass and resampling applied before windowing (only those set)."""
        cfg = self.manifest.get("config") or {}
        return {k: cfg[k] for k in ("bandpass", "notch", "resample") if cfg.get(k)}

    def __len__(self) -> int:
        return int(self._offsets[-1])

    def __repr__(self) -> str:
        sim = " simulated" if self.manifest.get("simulated") else ""
        return (f"<Store {self.path} {self.manifest.get('dataset')}{sim}: {len(self._keys)} "
                f"recordings, {len(self)} windows of {self.window:g} s, arrays {list(self.arrays)}>")

    def describe(self) -> dict:
        """What the store holds, from its manifest and index (no array is read).

        Returns
        -------
        facts : dict
            ``path``, ``dataset``, ``simulated``, ``kind``, ``n_recordings``, ``subjects``,
            ``sessions``, ``n_trials``, ``n_windows``, ``window_s``, ``overlap_s``, ``sfreq``,
            ``bands``, ``n_channels``, ``arrays`` (name → shape of one row), ``units``,
            ``labels`` (name → windows), ``filters`` (``bandpass``/``notch``/``resample`` when
            set), ``config_hash``, ``eegemo_version``, ``bytes``.
        """
        from .._files import dir_bytes
        from ..datasets.info import _natural

        idx = self.index
        names = self.label_names
        counts = idx["label"].value_counts().sort_index()
        trials = idx[["recording", "trial"]].drop_duplicates() if "recording" in idx else idx
        return {
            "path": str(self.path), "dataset": self.manifest.get("dataset"),
            "simulated": bool(self.manifest.get("simulated")), "kind": self.manifest.get("kind"),
            "n_recordings": len(self._keys),
            "subjects": sorted(map(str, idx["subject"].unique()), key=_natural),
            "sessions": sorted(int(v) for v in idx["session"].unique()),
            "n_trials": int(len(trials)), "n_windows": len(self), "window_s": self.window,
            "overlap_s": float(self.manifest.get("overlap") or 0.0),
            "sfreq": self.manifest.get("sfreq"), "bands": [b.name for b in self.bands],
            "n_channels": len(self.ch_names),
            "arrays": {n: list(self.manifest["shapes"][n]) for n in self.arrays},
            "units": {k: v for k, v in (self.manifest.get("units") or {}).items()
                      if any(a == k or a.startswith(k + "_") for a in self.arrays)},
            "labels": {names.get(int(k), str(k)): int(v) for k, v in counts.items()},
            "filters": self.filters,
            "config_hash": self.manifest["config_hash"],
            "eegemo_version": (self.manifest.get("versions") or {}).get("eegemo"),
            "bytes": dir_bytes(self.path),
        }

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_zarr"] = {}
        state["_index"] = None
        return state

    # --- arrays ----------------------------------------------------------------------------------
    def shape(self, name: str) -> tuple[int, ...]:
        """Shape of array ``name`` over the whole store.

        Parameters
        ----------
        name : str
            One of :attr:`arrays`.

        Returns
        -------
        shape : tuple of int
            ``(n_windows,)`` followed by the shape of one row, as :meth:`load` with ``rows=None``
            would return (read from the manifest; no array is read).
        """
        self._check_name(name)
        return (len(self),) + tuple(self.manifest["shapes"][name])

    def _check_name(self, name: str) -> None:
        if name not in self.arrays:
            raise ConfigurationError(f"{self.path}: no array {name!r} in this store "
                                     f"(expected one of {list(self.arrays)})")

    def _array(self, key: str, name: str):
        arr = self._zarr.get((key, name))
        if arr is None:
            import zarr

            path = self.path / "recordings" / f"{key}.zarr" / name
            if not path.is_dir():
                raise data_error(path, "array missing from the store", expected="a zarr array")
            try:
                arr = zarr.open_array(store=str(path), mode="r")
            except (ValueError, TypeError, KeyError, OSError) as err:  # JSONDecodeError included
                raise self._damaged(key, name, str(err)) from None
            k = self._key_pos[key]
            expected = (int(self._offsets[k + 1] - self._offsets[k]),) + tuple(
                self.manifest["shapes"][name])
            if tuple(arr.shape) != expected:
                # rows are read into buffers of the manifest's shape: refuse before any read
                raise data_error(self.path / MANIFEST, "damaged store: the manifest and an array "
                                 "disagree; run eegemo prepare again with --overwrite",
                                 expected=f"shape {list(expected)} (rows, then shapes[{name!r}])",
                                 found=f"{list(arr.shape)} in recordings/{key}.zarr/{name}")
            self._zarr[(key, name)] = arr
        return arr

    def _damaged(self, key: str, name: str, found: str):
        """The one-line error of an unreadable array of one recording, saying how to repair it."""
        return data_error(self.path / "recordings" / f"{key}.zarr" / name,
                          f"damaged store array; delete {key}.zarr and run eegemo prepare again with "
                          "the same settings to recompute that recording", found=found)

    def _read(self, arr, key: str, name: str, sel) -> np.ndarray:
        """Rows ``sel`` (a slice or sorted unique ints) of one recording's array, checked whole."""
        try:
            block = arr[sel] if isinstance(sel, slice) else arr.get_orthogonal_selection((sel,))
        except (RuntimeError, ValueError, OSError) as err:   # e.g. a chunk that fails to decompress
            raise self._damaged(key, name, str(err)) from None
        return self._checked_block(block, key=key, name=name)

    def _checked_block(self, block: np.ndarray, *, key: str, name: str) -> np.ndarray:
        """``block`` of one recording's array (a read of :meth:`load`, a dask block of
        :meth:`to_xarray`), refused where it holds fill values: every value written is finite
        (prepare checks) and the arrays' fill value is NaN, so a NaN is a chunk missing on disk,
        which zarr would otherwise read silently as fill values."""
        if block.size and np.isnan(block.min()):    # min propagates NaN, without a mask copy
            raise self._damaged(key, name, "missing chunks (NaN fill values where rows were "
                                "written)")
        return block

    def _rows(self, rows) -> np.ndarray:
        n = len(self)
        if rows is None:
            return np.arange(n, dtype=np.int64)
        if isinstance(rows, slice):
            return np.arange(n, dtype=np.int64)[rows]
        if isinstance(rows, pd.Series) and pd.api.types.is_bool_dtype(rows.dtype):
            rows = self._align_mask(rows)
            if not rows.any():   # e.g. idx.subject == 2 where the ids are strings
                logger.warning("%s: the boolean mask selects no row (subject ids and other "
                               "index columns are strings: idx.subject == '2', not 2)", self.path)
        r = np.asarray(rows)
        if r.dtype == bool:
            if r.shape != (n,):
                raise ConfigurationError(f"{self.path}: boolean rows must have length {n}, "
                                         f"found shape {r.shape}")
            return np.flatnonzero(r)
        if r.ndim == 0:
            r = r[None]
        if r.size and not np.issubdtype(r.dtype, np.integer):
            raise ConfigurationError(f"{self.path}: rows must be integers or a boolean mask, "
                                     f"found dtype {r.dtype}")
        r = r.astype(np.int64).ravel()
        if r.size and (r.min() < -n or r.max() >= n):
            raise ConfigurationError(f"{self.path}: row out of range (expected -{n} <= row < {n}, "
                                     f"found {r.min()}..{r.max()})")
        return np.where(r < 0, r + n, r)

    def _align_mask(self, mask: pd.Series) -> np.ndarray:
        """A boolean Series as pandas aligns it: by its index labels (the store's row numbers),
        so a mask built on a sorted or filtered frame of :attr:`index` selects the rows it names;
        rows it does not name are not selected."""
        labels = self.index.index
        if mask.index.equals(labels):
            return mask.to_numpy(dtype=bool)
        idx = mask.index
        if isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1:
            # renumbered (reset_index, a new frame): its labels are no store rows
            raise ConfigurationError(f"{self.path}: a boolean Series of {len(mask)} rows indexed "
                                     f"0..{len(mask) - 1} cannot be matched to the store's "
                                     f"{len(labels)} rows (a frame renumbered by reset_index?); "
                                     "build the mask on store.index or a frame taken from it "
                                     "without renumbering")
        if mask.index.has_duplicates or not mask.index.isin(labels).all():
            raise ConfigurationError(f"{self.path}: a boolean Series of rows must be indexed by "
                                     "the store's row numbers (a mask of store.index or of a "
                                     "frame taken from it), found other index labels")
        return mask.reindex(labels, fill_value=False).to_numpy(dtype=bool)

    def load(self, name: str, rows=None) -> np.ndarray:
        """Read rows of one array.

        Parameters
        ----------
        name : str
            One of :attr:`arrays`.
        rows : None | int | sequence of int | ndarray of bool | Series of bool | slice
            Global rows (positions in :attr:`index`), in the order wanted; ``None`` = all. A
            boolean Series is aligned by its index, as pandas does (a mask of a sorted or
            filtered frame of :attr:`index` selects the rows it is true for).

        Returns
        -------
        x : ndarray of float32, shape (n_rows, ...)
            ``(n, C, B)`` features, ``(n, C, S)`` raw windows (µV), ``(n, B, 9, 9)`` grids,
            ``(n, B, H, W)`` images. Rows are read recording by recording, touching only the chunks
            that hold them.
        """
        self._check_name(name)
        r = self._rows(rows)
        out = np.empty((len(r),) + tuple(self.manifest["shapes"][name]), dtype=np.float32)
        if not len(r):
            return out
        rec = np.searchsorted(self._offsets, r, side="right") - 1
        order = np.argsort(rec, kind="stable")
        bounds = np.flatnonzero(np.diff(rec[order])) + 1
        for grp in np.split(order, bounds):
            k = int(rec[grp[0]])
            local = r[grp] - self._offsets[k]
            key = self._keys[k]
            arr = self._array(key, name)
            lo, hi = int(local.min()), int(local.max()) + 1
            uniq, inv = np.unique(local, return_inverse=True)
            if len(uniq) * 2 >= hi - lo:
                # dense: contiguous reads, a few chunks at a time, so that what is held besides
                # ``out`` stays a few chunks, not a copy of the recording's rows
                by = np.argsort(local, kind="stable")
                ordered = local[by]
                step = max(1, int(arr.chunks[0])) * 4
                for a in range(lo, hi, step):
                    b = min(hi, a + step)
                    i0, i1 = np.searchsorted(ordered, [a, b])
                    if i1 > i0:
                        block = self._read(arr, key, name, slice(a, b))
                        out[grp[by[i0:i1]]] = block[ordered[i0:i1] - a]
            else:
                block = self._read(arr, key, name, uniq)
                out[grp] = block[inv]
        return out

    def labels(self, rows=None) -> np.ndarray:
        """Integer labels of ``rows`` (int64).

        Parameters
        ----------
        rows : None | int | sequence of int | ndarray of bool | Series of bool | slice
            Global rows, as in :meth:`load`; ``None`` = all.

        Returns
        -------
        y : ndarray of int64, shape (n_rows,)
            The store's label codes (``index["label"]``, e.g. SEED's -1, 0, 1), in the order of
            ``rows``.
        """
        return self.index["label"].to_numpy(np.int64)[self._rows(rows)]

    def to_torch(self, name: str, rows=None, transform: Callable | None = None, *,
                 shuffle: bool = False, buffer_chunks: int = 64,
                 random_state: int | None = None, target: str = "index"):
        """A torch dataset of ``(float32 tensor, int64 label)`` pairs, read lazily.

        Parameters
        ----------
        name : str
            Array to serve.
        rows : None | sequence of int | ndarray of bool | Series of bool
            Global rows in the dataset (default all), in this order (a boolean Series is aligned
            by its index, as in :meth:`load`).
        transform : callable | None
            Applied to each sample's NumPy array before it becomes a tensor (e.g. a fitted
            normaliser).
        shuffle : bool
            False (default): a map-style :class:`torch.utils.data.Dataset` in the order of
            ``rows``. True: an :class:`~torch.utils.data.IterableDataset` that serves the rows in a
            new random order every pass: it reads the chunks in a random order,
            ``buffer_chunks`` at a time, and shuffles the rows of each buffer; give it to a
            DataLoader without ``shuffle``. With DataLoader workers, call its
            ``set_epoch(epoch)`` before each epoch.
        buffer_chunks : int
            Chunks read and shuffled together when ``shuffle=True``; a chunk holds about 1 MiB of
            float32 rows, so this is about the MiB held per buffer. The larger, the closer to a
            full shuffle.
        random_state : int | None
            Seed of the shuffled orders (None: drawn once).
        target : {"index", "code"}
            The labels served: ``"index"`` (default), class indices 0..n_classes-1 as
            :class:`torch.nn.CrossEntropyLoss` expects, numbered in the order of the store's label
            codes (SEED's -1, 0, 1 → 0, 1, 2) whatever ``rows`` hold; ``"code"``, the store's own
            codes (:meth:`labels`). The dataset's ``classes`` attribute maps index → code.

        Returns
        -------
        dataset : torch.utils.data.Dataset
            Map-style: ``__getitems__`` serves a whole DataLoader batch with one grouped read, but a
            batch decompresses every chunk its rows fall in, so a DataLoader with ``shuffle=True``
            over a large array decompresses most chunks for every batch; ``shuffle=True`` here
            decompresses each chunk once per pass instead (``benchmarks/RESULTS.md``, section
            ``to-torch``). Where the array fits in memory, ``store.load(name, rows)`` served from
            memory is faster still (eegemo's own training does that).
        """
        self._check_name(name)
        if target not in ("index", "code"):
            raise ConfigurationError(f"{self.path}: target must be 'index' (class indices "
                                     f"0..n-1) or 'code' (the store's labels), found {target!r}")
        r = self._rows(rows)
        if not shuffle:
            from ._torch import StoreDataset

            return StoreDataset(self, name, r, transform, target)
        if (isinstance(buffer_chunks, bool) or not isinstance(buffer_chunks, (int, np.integer))
                or buffer_chunks < 1):
            raise ConfigurationError(f"{self.path}: buffer_chunks must be a positive number of "
                                     f"chunks, found {buffer_chunks!r}")
        from ._torch import ShuffledStoreDataset

        return ShuffledStoreDataset(self, name, r, transform, int(buffer_chunks), random_state,
                                    target)

    def to_xarray(self, name: str | None = None):
        """A lazily loaded :class:`xarray.Dataset` (dask arrays over the zarr chunks).

        Parameters
        ----------
        name : str | None
            One array, or all arrays when None.

        Returns
        -------
        ds : xarray.Dataset
            Dimension ``row`` with the index columns as coordinates (``label``, ``subject``,
            ``session``, ``trial``, ``window``, ``recording``, ``start``, ``stop``); ``channel``,
            ``band``, ``time`` (s) coordinates where they apply.
        """
        import dask.array as da
        import xarray as xr

        from ._compute import array_dims

        names = [name] if name is not None else list(self.arrays)
        for n in names:
            self._check_name(n)
        idx = self.index
        coords = {c: ("row", idx[c].to_numpy()) for c in
                  ("recording", "subject", "session", "trial", "window", "label", "start", "stop")}
        coords["row"] = np.arange(len(self))
        coords["channel"] = list(self.ch_names)
        coords["band"] = [b.name for b in self.bands]
        data_vars = {}
        for n in names:
            # each recording's chunks are checked as they are computed, as load() checks them: a
            # chunk missing on disk reads as NaN fill values and raises instead
            parts = []
            for k in self._keys:
                a = da.from_zarr(self._array(k, n))
                check = functools.partial(self._checked_block, key=k, name=n)
                parts.append(a.map_blocks(check, dtype=a.dtype))
            arr = da.concatenate(parts, axis=0) if parts else da.zeros((0,) + self.shape(n)[1:])
            dims = array_dims(n)
            data_vars[n] = (dims, arr)
            if n == "raw" and self.sfreq:
                coords["time"] = np.arange(arr.shape[-1]) / float(self.sfreq)
        ds = xr.Dataset(data_vars, coords=coords)
        ds.attrs.update({"dataset": str(self.manifest.get("dataset")),
                         "config_hash": self.manifest["config_hash"],
                         "label_names": json.dumps(self.manifest["label_names"]),
                         "window_s": self.window, "simulated": int(bool(self.manifest["simulated"]))})
        return ds

    def check_sources(self) -> list[str]:
        """Keys of the recordings whose source file, or a file it was read with (``label.mat``, a
        BrainVision ``.vmrk``/``.eeg``, an events sidecar), changed or vanished since they were
        prepared."""
        from ._prepare import same_source, source_fingerprint

        changed = []
        for e in self.manifest["recordings"]:
            fp = e.get("source_fingerprint", {})
            if "sha256_data" in fp:
                continue
            now = source_fingerprint(e["source"])
            if "companions" in fp:   # the files it was read with, as prepare fingerprinted them
                now["companions"] = {p: source_fingerprint(p) for p in fp["companions"]}
            if not same_source(fp, now):
                changed.append(e["key"])
        return changed


#: the kind of values of each column of the index that prepare writes (``_compute.INDEX_COLUMNS``)
_INDEX_KINDS = {"recording": "text", "dataset": "text", "subject": "text", "session": "integers",
                "trial": "integers", "window": "integers", "label": "integers", "start": "numbers",
                "stop": "numbers", "source": "text", "simulated": "true/false"}


def _values_kind(col: pd.Series) -> str:
    """What a column holds, in the words of :data:`_INDEX_KINDS`."""
    types = pd.api.types
    if types.is_bool_dtype(col.dtype):
        return "true/false"
    if types.is_integer_dtype(col.dtype):
        return "integers"
    if types.is_numeric_dtype(col.dtype):
        return "numbers with missing values" if col.isna().any() else "numbers"
    if types.is_string_dtype(col.dtype):
        return "text"
    return f"values of type {col.dtype}"


def _check_index(path: Path, index: pd.DataFrame, rebuild: str) -> None:
    """Refuse, in one line, a store index without the columns prepare writes, or with other kinds
    of values in them (string or missing labels), before a reader meets them."""
    if not len(index):
        return
    for name, kind in _INDEX_KINDS.items():
        if name not in index.columns:
            raise data_error(path, f"store index column {name!r} missing; {rebuild}")
        found = _values_kind(index[name])
        if found != kind and not (kind == "numbers" and found == "integers"):
            raise data_error(path, f"store index column {name!r} holds {found}; {rebuild}",
                             expected=kind)


def filters_text(filters: dict) -> str:
    """``"notch 50 Hz + harmonics, band-pass 1–75 Hz, resampled to 200 Hz"`` from
    :attr:`Store.filters` (``"none"`` when empty)."""
    parts = []
    if filters.get("notch"):
        parts.append(f"notch {filters['notch']:g} Hz + harmonics")
    if filters.get("bandpass"):
        low, high = filters["bandpass"]
        parts.append("band-pass " + (f"{low:g}" if low else "") + "–" + (f"{high:g}" if high else "")
                     + " Hz")
    if filters.get("resample"):
        parts.append(f"resampled to {filters['resample']:g} Hz")
    return ", ".join(parts) or "none"


def manifest_hash(manifest: dict) -> str:
    """SHA-256 (16 hex digits) of a parsed manifest (see :attr:`Store.manifest_hash`)."""
    import hashlib

    text = json.dumps(manifest, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_format_version(man: Path, manifest: dict) -> None:
    """Refuse, in one line, a store manifest of a format newer than this eegemo reads (or writes:
    ``prepare`` must not resume it and write it back as the older format)."""
    version = manifest.get("format_version", 0)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise DataFormatError(f"{man}: store format {version} is newer than this eegemo reads "
                              f"({FORMAT_VERSION}); upgrade eegemo")


def _check_manifest(man: Path, manifest) -> None:
    """Refuse, in one line, a manifest whose structure the store relies on is damaged."""
    def bad(what: str, found) -> DataFormatError:
        return data_error(man, "damaged store manifest; run eegemo prepare again with --overwrite",
                          expected=what, found=found)

    version = manifest.get("format_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad("an integer format_version", repr(version))
    number, optional = (int, float), (int, float, type(None))    # sfreq is null for features
    kinds = {"config": dict, "config_hash": str, "label_names": dict, "ch_names": list,
             "bands": list, "sfreq": optional, "window": number, "arrays": list,
             "shapes": dict, "recordings": list}
    for key, kind in kinds.items():
        if key not in manifest:
            raise bad(f"key {key!r}", "none")
        if not isinstance(manifest[key], kind) or isinstance(manifest[key], bool):
            what = {number: "a number", optional: "a number or null"}.get(kind) or kind.__name__
            raise bad(f"{key!r} as {what}", type(manifest[key]).__name__)
    for name in manifest["arrays"]:
        shape = manifest["shapes"].get(name) if isinstance(name, str) else None
        if not (isinstance(shape, list) and all(isinstance(n, int) and n > 0 for n in shape)):
            raise bad(f"a shape of positive ints for array {name!r}", repr(shape))
    for i, e in enumerate(manifest["recordings"]):
        if not (isinstance(e, dict) and isinstance(e.get("key"), str)
                and isinstance(e.get("rows"), int) and e["rows"] >= 0):
            raise bad(f"recording {i} with a key and a row count", repr(e)[:60])


def set_aside_store(path: str | os.PathLike) -> Path | None:
    """The earlier store that an interrupted ``prepare --overwrite`` set aside beside ``path``
    (``.<name>.old-*``), the newest where there are several: the one the next prepare puts back
    (see ``_prepare._recover_set_aside``); None where there is none."""
    import glob

    path = Path(path)
    aside = [q for q in path.parent.glob(f".{glob.escape(path.name)}.old-*")
             if (q / MANIFEST).is_file()]
    return max(aside, key=lambda q: q.stat().st_mtime) if aside else None


def _what_else(path: Path) -> str:
    """A hint for a path given where a store was expected: a run folder, or a dataset to prepare."""
    from .._files import NEXT_STEP, folder_kind

    kind = folder_kind(path)
    if kind is not None:
        return f", but {NEXT_STEP[kind]}"
    if not path.exists():
        return ""
    from ..datasets import detect_dataset

    try:
        name = detect_dataset(path)
    except DataFormatError:
        return ""
    return f", but a {name} dataset; prepare it first: `eegemo prepare {path} --out STORE`"


def open_store(path: str | os.PathLike, *, check_sources: bool = False) -> Store:
    """Open a store written by :func:`eegemo.store.prepare`.

    Parameters
    ----------
    path : path-like
        The store folder (holding ``manifest.json``).
    check_sources : bool
        Also fingerprint the source files and log a warning naming the recordings whose source changed
        or vanished since they were prepared (see :meth:`Store.check_sources`).

    Returns
    -------
    store : Store

    Raises
    ------
    DataFormatError
        If the folder is not an eegemo store.
    ConfigurationError
        If the store is incomplete (an interrupted ``prepare``; run it again to resume).
    """
    path = Path(path)
    man = path / MANIFEST
    if not path.exists():
        aside = set_aside_store(path)
        raise data_error(path, "path not found" + (
            f"; an interrupted `eegemo prepare --overwrite` set the earlier store aside as "
            f"{aside.name}, which the next `eegemo prepare` into {path.name} puts back first (or "
            f"rename it back to {path.name})" if aside else ""),
            expected="a store folder written by `eegemo prepare`", found="nothing at this path")
    if not man.is_file():
        raise data_error(path, "not an eegemo store", expected="a folder holding manifest.json",
                         found=f"no manifest.json{_what_else(path)}")
    try:
        manifest = json.loads(man.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise data_error(man, "manifest is not valid JSON", found=str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise data_error(man, "not an eegemo store manifest", expected=f"format {FORMAT!r}",
                         found=repr(manifest.get("format") if isinstance(manifest, dict)
                                    else type(manifest).__name__))
    version = manifest.get("format_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise data_error(man, "not an eegemo store manifest", expected="an integer format_version",
                         found=repr(version))
    _check_format_version(man, manifest)
    _check_manifest(man, manifest)
    if not manifest.get("complete"):
        aside = set_aside_store(path)
        raise ConfigurationError(
            f"{path}: store is incomplete (an interrupted prepare); run eegemo prepare again with "
            "the settings of the interrupted one to resume (a wider --subjects/--sessions "
            "selection too)" + (f"; an interrupted --overwrite set the earlier store aside as "
                                f"{aside.name}, which the next prepare into {Path(path).name} "
                                "puts back first" if aside else ""))
    store = Store(path, manifest)
    if check_sources:
        changed = store.check_sources()
        if changed:
            logger.warning("%s: the sources of %d recording(s) changed since they were prepared: %s; "
                           "run eegemo prepare again to update them", path, len(changed),
                           ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else ""))
    return store
