"""The store: windows, features, grids and images of a dataset in zarr arrays plus a Parquet index.

:func:`prepare` turns recordings (a dataset folder, or :class:`~eegemo.recording.Recording` objects)
into a store, in parallel and resumably; :func:`open_store` reads one back as NumPy arrays, a PyTorch
Dataset or an xarray Dataset. See :mod:`eegemo.store._prepare` for the layout on disk.
"""

from __future__ import annotations

from ._store import Store, open_store
from .config import PrepareConfig
from ._prepare import prepare, recording_key, source_fingerprint

__all__ = ["PrepareConfig", "prepare", "open_store", "Store", "recording_key", "source_fingerprint"]
