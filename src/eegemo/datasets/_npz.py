"""Safe reading of the SEED family's ``.npz`` files, whose members hold pickled dicts of arrays.

SEED-V's ``EEG_DE_features/<subject>_123.npz`` and the SEED Multimodal ``*.npz`` files store Python
dicts as pickles, either inside a 0-d bytes array (``np.array(pickle.dumps(d))``, read back with
``pickle.loads(npz["data"])``) or as a 0-d object array. ``np.load(..., allow_pickle=True)`` would run
any code a crafted file asks for, so eegemo unpickles through :class:`RestrictedUnpickler`, which admits
only the few globals NumPy arrays, dtypes and scalars need. Everything else is refused with a one-line
:class:`~eegemo.errors.DataFormatError`.
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from ..errors import EegemoError, data_error

__all__ = ["ALLOWED_GLOBALS", "RestrictedUnpickler", "restricted_loads", "load_npz"]

#: ``(module, name)`` pairs the unpickler may resolve: NumPy array/dtype/scalar reconstruction
#: (both the NumPy 1 ``numpy.core`` and NumPy 2 ``numpy._core`` spellings) and ``_codecs.encode``
#: (protocol-2 pickles of bytes). Containers (dict, list, tuple) need no global.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),
    ("collections", "OrderedDict"),
})


class _Forbidden(Exception):
    """A pickle asked for a global outside :data:`ALLOWED_GLOBALS`."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`ALLOWED_GLOBALS` (dicts of NumPy arrays and numbers)."""

    def find_class(self, module: str, name: str):  # noqa: D102 (pickle API)
        if (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise _Forbidden(f"{module}.{name}")

    def persistent_load(self, pid):  # noqa: D102
        raise _Forbidden("persistent id")


def restricted_loads(data: bytes, path: str | os.PathLike | None = None, what: str = "pickle"):
    """Unpickle ``data`` admitting only NumPy arrays, dtypes, scalars and plain containers.

    Parameters
    ----------
    data : bytes-like
        The pickle stream.
    path : path-like | None
        File named in error messages.
    what : str
        Which member of the file, for error messages.

    Returns
    -------
    obj : object
        Typically a dict of arrays.

    Raises
    ------
    eegemo.errors.DataFormatError
        If the pickle needs a forbidden global or is truncated/corrupt.
    """
    try:
        return RestrictedUnpickler(io.BytesIO(bytes(data))).load()
    except _Forbidden as exc:
        raise data_error(path, f"{what} asks to load a forbidden Python object (refused for safety)",
                         expected="only dicts, numbers and NumPy arrays", found=str(exc)) from None
    except Exception as exc:
        raise data_error(path, f"{what} is not a readable pickle (truncated or corrupt?)",
                         found=f"{type(exc).__name__}: {exc}") from None


def _looks_pickled(arr: np.ndarray) -> bool:
    """A 0-d bytes array holding a pickle: protocol 2+ opens with PROTO (0x80); protocols 0 and 1
    (``pickle.dumps(obj, 0)``) open with MARK, EMPTY_DICT or EMPTY_LIST and end with STOP."""
    if arr.ndim != 0 or arr.dtype.kind not in "SV":
        return False
    raw = bytes(arr.tobytes()).rstrip(b"\x00")
    return raw[:1] == b"\x80" or (raw[:1] in (b"(", b"}", b"]") and raw.endswith(b"."))


def _read_member(zf: zipfile.ZipFile, member: str, path: Path):
    with zf.open(member) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        if dtype.hasobject:
            arr = restricted_loads(f.read(), path, what=f"member {member!r}")
            if not isinstance(arr, np.ndarray):
                raise data_error(path, f"member {member!r} is not an array", found=type(arr).__name__)
        else:
            count = int(np.prod(shape)) if shape else 1
            raw = f.read(count * dtype.itemsize)
            if len(raw) != count * dtype.itemsize:
                raise data_error(path, f"member {member!r} is truncated",
                                 expected=f"{count * dtype.itemsize} bytes", found=f"{len(raw)}")
            arr = np.frombuffer(raw, dtype=dtype)
            arr = arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)
    return arr


def load_npz(path: str | os.PathLike, keys=None, *, unpickle: bool = True) -> dict:
    """Read members of an ``.npz`` file, unpickling dict members safely.

    Parameters
    ----------
    path : path-like
        The ``.npz`` file.
    keys : iterable of str | None
        Members to read (all when ``None``).
    unpickle : bool
        Turn 0-d pickled-bytes and 0-d object members into the Python object they hold.

    Returns
    -------
    members : dict of str -> object
        Arrays, or the unpickled objects (usually dicts of arrays).

    Raises
    ------
    eegemo.errors.DataFormatError
        Missing or truncated file, a missing member, or a forbidden pickle.
    """
    path = Path(path)
    if not path.is_file():
        raise data_error(path, "file not found", expected="a NumPy .npz file")
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:
        raise data_error(path, "not a readable .npz (truncated or corrupt zip?)",
                         found=f"{type(exc).__name__}: {exc}") from None
    with zf:
        members = {n[:-4] if n.endswith(".npy") else n: n for n in zf.namelist()}
        want = list(members) if keys is None else list(keys)
        missing = [k for k in want if k not in members]
        if missing:
            raise data_error(path, f"member(s) {', '.join(missing)} missing",
                             found=f"members {', '.join(sorted(members)) or 'none'}")
        out = {}
        for k in want:
            try:
                arr = _read_member(zf, members[k], path)
            except Exception as exc:
                if isinstance(exc, EegemoError):
                    raise
                raise data_error(path, f"member {k!r} unreadable (truncated or corrupt?)",
                                 found=f"{type(exc).__name__}: {exc}") from None
            if unpickle and _looks_pickled(arr):
                out[k] = restricted_loads(arr.tobytes(), path, what=f"member {k!r}")
            elif unpickle and arr.ndim == 0 and arr.dtype.hasobject:
                out[k] = arr.item()
            else:
                out[k] = arr
    return out
