"""Weights-only checkpoints shared by every eegemo model.

A checkpoint is a :func:`torch.save` of one plain dict holding only tensors, str, int, float, bool,
None, lists and dicts::

    {"format": "eegemo-model", "format_version": 1, "eegemo_version": "0.1.0",
     "torch_version": "...", "model": "ccnn", "params": {...}, "classes": [...],
     "input_shape": [...], "history": [...], "state": {...}}

It is read back with ``torch.load(weights_only=True)``, which refuses to execute arbitrary pickled
code; anything that is not such a dict is refused with one-line :class:`~eegemo.errors.DataFormatError`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._logging import logger
from .._torchload import load_weights_only
from ..errors import ConfigurationError, data_error

__all__ = ["FORMAT", "FORMAT_VERSION", "write_checkpoint", "read_checkpoint", "encode", "decode",
           "params_for_checkpoint", "params_from_checkpoint"]

FORMAT = "eegemo-model"
FORMAT_VERSION = 1
_TUPLE = "__tuple__"


def encode(value: Any, what: str) -> Any:
    """Turn a value into something ``torch.load(weights_only=True)`` accepts.

    Parameters
    ----------
    value : object
        ndarray, numpy scalar, tensor, primitive, tuple, list or dict with str keys (recursively).
    what : str
        Name of the value, for the error message.

    Returns
    -------
    encoded : object
        Arrays become tensors, numpy scalars Python scalars, tuples ``{"__tuple__": [...]}``.
    """
    import torch

    if isinstance(value, np.generic):  # before the primitives: np.float64 is a float
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ConfigurationError(f"cannot save {what}: expected a numeric array, "
                                     f"found dtype {value.dtype}")
        return torch.from_numpy(np.ascontiguousarray(value).copy())
    if isinstance(value, tuple):
        return {_TUPLE: [encode(v, what) for v in value]}
    if isinstance(value, list):
        return [encode(v, what) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: encode(v, f"{what}.{k}") for k, v in value.items()}
    raise ConfigurationError(f"cannot save {what}: expected arrays, numbers, strings, lists or "
                             f"dicts, found {type(value).__name__}")


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`: tensors become ndarrays, tuple markers tuples."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.numpy()
    if isinstance(value, dict):
        if set(value) == {_TUPLE}:
            return tuple(decode(v) for v in value[_TUPLE])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def params_for_checkpoint(params: dict[str, Any]) -> dict[str, Any]:
    """Keep the constructor parameters that can be stored (a RandomState object becomes None)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, tuple):
            value = list(value)
        if value is None or isinstance(value, (bool, int, float, str)) or (
                isinstance(value, list)
                and all(isinstance(v, (bool, int, float, str)) for v in value)):
            out[key] = value
        else:
            logger.debug("checkpoint: parameter %s=%r is not stored", key, value)
            out[key] = None
    return out


def params_from_checkpoint(params: dict[str, Any]) -> dict[str, Any]:
    """Lists back to tuples (the constructors take tuples for layer widths)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def write_checkpoint(path: str | os.PathLike, payload: dict[str, Any]) -> Path:
    """Write ``payload`` (already encoded) with the format tag, atomically.

    Parameters
    ----------
    path : path-like
        Destination file (parent folders are created).
    payload : dict
        ``model``, ``params``, ``classes``, ``input_shape``, ``history``, ``state``.

    Returns
    -------
    path : Path
        The file written.
    """
    import torch

    from .. import __version__

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    full = {"format": FORMAT, "format_version": FORMAT_VERSION, "eegemo_version": __version__,
            "torch_version": str(torch.__version__), **payload}
    tmp = path.with_name(path.name + ".tmp")
    torch.save(full, tmp)
    os.replace(tmp, path)
    logger.debug("saved %s model to %s", payload.get("model"), path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a checkpoint written by :func:`write_checkpoint`.

    Parameters
    ----------
    path : path-like
        The checkpoint file.

    Returns
    -------
    payload : dict
        The stored dict (tensors still tensors).

    Raises
    ------
    DataFormatError
        The file is missing, unreadable, not weights-only, or not an eegemo checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise data_error(path, "no such checkpoint file", expected="a file written by save()",
                         found="nothing")
    payload = load_weights_only(path, "eegemo checkpoint",
                                "a file written by an eegemo model's save()")
    if not isinstance(payload, dict):
        raise data_error(path, "not an eegemo checkpoint", expected="a dict with format "
                         f"'{FORMAT}'", found=type(payload).__name__)
    tag = payload.get("format")
    if tag != FORMAT:
        raise data_error(path, "not an eegemo checkpoint", expected=f"format tag '{FORMAT}'",
                         found=f"format tag {tag!r}" if tag is not None else "no format tag")
    version = payload.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise data_error(path, "unsupported checkpoint format version",
                         expected=f"<= {FORMAT_VERSION}", found=repr(version))
    missing = [k for k in ("model", "params", "classes", "input_shape", "state")
               if k not in payload]
    if missing:
        raise data_error(path, "incomplete eegemo checkpoint", expected="model, params, "
                         "classes, input_shape and state", found="no " + ", ".join(missing))
    return payload
