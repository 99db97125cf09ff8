"""Lazy, per-variable access to MATLAB ``.mat`` files of both generations.

MATLAB v5/v7 files are read with :func:`scipy.io.loadmat`; v7.3 files are HDF5 and read with h5py (their
arrays are stored transposed, which this module undoes so both generations give MATLAB's shape).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._logging import logger
from ..errors import data_error

__all__ = ["MatFile", "is_hdf5"]

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def is_hdf5(path: str | os.PathLike) -> bool:
    """Whether ``path`` is an HDF5 file (MATLAB v7.3 ``.mat``): its signature at offset 0 or 512."""
    with open(path, "rb") as f:
        head = f.read(520)
    return head[:8] == _HDF5_MAGIC or head[512:520] == _HDF5_MAGIC


class MatFile:
    """Read variables of one ``.mat`` file on demand.

    Parameters
    ----------
    path : path-like
        A MATLAB v5/v7 or v7.3 (HDF5) file.

    Raises
    ------
    eegemo.errors.DataFormatError
        If the file is missing, truncated or not a MATLAB file.

    Examples
    --------
    >>> m = MatFile("1_20131027.mat")                     # doctest: +SKIP
    >>> [k for k in m.keys() if k.endswith("_eeg1")]      # doctest: +SKIP
    ['djc_eeg1']
    >>> m.shape("djc_eeg1"), m.load("djc_eeg1").dtype     # doctest: +SKIP
    ((62, 47001), dtype('float64'))
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.is_file():
            raise data_error(self.path, "file not found", expected="a MATLAB .mat file")
        try:
            self.hdf5 = is_hdf5(self.path)
            self._vars = self._whos()
        except Exception as exc:  # scipy/h5py raise many types for corrupt files
            raise data_error(self.path, "not a readable MATLAB file",
                             found=f"{type(exc).__name__}: {exc}") from None

    def _whos(self) -> dict[str, tuple[tuple[int, ...], str]]:
        if self.hdf5:
            import h5py

            out = {}
            with h5py.File(self.path, "r") as f:
                for k, v in f.items():
                    if isinstance(v, h5py.Dataset) and not k.startswith("#"):
                        out[k] = (tuple(reversed(v.shape)), str(v.dtype))
                    elif isinstance(v, h5py.Group) and not k.startswith("#"):
                        out[k] = ((), "struct")
            return out
        from scipy.io import whosmat

        return {name: (tuple(shape), cls) for name, shape, cls in whosmat(self.path)}

    def keys(self) -> list[str]:
        """Variable names, in stored order."""
        return list(self._vars)

    def __contains__(self, name: str) -> bool:
        return name in self._vars

    def shape(self, name: str) -> tuple[int, ...]:
        """MATLAB shape of variable ``name`` without reading it."""
        return self._vars[name][0]

    def load(self, name: str) -> np.ndarray:
        """Read variable ``name`` as a NumPy array (MATLAB's shape in both generations).

        In v7.3 files a struct comes back as a dict of its fields, a cell array as an object array
        and a char array as ``str``; in v5/v7 files as scipy's ``loadmat`` gives them.

        Raises
        ------
        eegemo.errors.DataFormatError
            If the variable is missing or cannot be read (truncated file).
        """
        if name not in self._vars:
            raise data_error(self.path, f"variable {name!r} missing",
                             found=f"variables {', '.join(self.keys()[:20])}")
        try:
            if self.hdf5:
                import h5py

                with h5py.File(self.path, "r") as f:
                    return _h5_value(f, f[name])
            return np.asarray(_loadmat(self.path, [name])[name])
        except Exception as exc:
            raise data_error(self.path, f"variable {name!r} unreadable (truncated or corrupt file?)",
                             found=f"{type(exc).__name__}: {exc}") from None

    def load_all(self, names=None) -> dict[str, np.ndarray]:
        """Read several variables in one pass (faster than :meth:`load` per variable for v5 files)."""
        names = list(self._vars) if names is None else list(names)
        missing = [n for n in names if n not in self._vars]
        if missing:
            raise data_error(self.path, f"variables {missing} missing",
                             found=f"variables {', '.join(self.keys()[:20])}")
        if self.hdf5:
            return {n: self.load(n) for n in names}
        try:
            d = _loadmat(self.path, names)
        except Exception as exc:
            raise data_error(self.path, "unreadable (truncated or corrupt file?)",
                             found=f"{type(exc).__name__}: {exc}") from None
        return {n: np.asarray(d[n]) for n in names}


def _loadmat(path: Path, names: list[str]) -> dict:
    """:func:`scipy.io.loadmat` of ``names``; where scipy's check of a compressed variable's length
    fails (scipy issue #6999: files MATLAB itself reads, with a few bytes more in the compressed
    element than the variable needs), read again without that check, with a warning."""
    from scipy.io import loadmat

    try:
        return loadmat(path, variable_names=names)
    except ValueError as exc:
        try:
            d = loadmat(path, variable_names=names, verify_compressed_data_integrity=False)
        except Exception:
            raise exc from None
        logger.warning("%s: scipy's check of the compressed data failed (%s); read without it, "
                       "as MATLAB reads such files", Path(path).name, str(exc).split("\n")[0])
        return d


def _h5_value(f, obj):
    """One MATLAB v7.3 (HDF5) object as Python: arrays in MATLAB's shape, structs as dicts of their
    fields, cell arrays as object arrays, char arrays as ``str``."""
    import h5py

    if isinstance(obj, h5py.Group):
        return {k: _h5_value(f, v) for k, v in obj.items() if not k.startswith("#")}
    cls = obj.attrs.get("MATLAB_class", b"")
    cls = cls.decode() if isinstance(cls, bytes) else str(cls)
    if obj.attrs.get("MATLAB_empty", 0):
        return np.zeros((0,))
    data = obj[()]
    if obj.dtype.kind == "O" or h5py.check_dtype(ref=obj.dtype) is not None:  # cell: references
        refs = np.asarray(data).T
        out = np.empty(refs.shape, dtype=object)
        for i, ref in np.ndenumerate(refs):
            out[i] = _h5_value(f, f[ref])
        return out
    if cls == "char":
        return "".join(map(chr, np.asarray(data, dtype=np.uint32).T.ravel()))
    if cls == "logical":
        return np.asarray(data).T.astype(bool)
    return np.asarray(data).T
