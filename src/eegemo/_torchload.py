"""Reading torch checkpoints safely: weights only, checksums checked, every failure one line."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Any

from .errors import data_error

__all__ = ["load_weights_only"]


def _reason(err: Exception) -> str:
    """A short reason from torch.load's (long, multi-line, ANSI-coloured) error."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(err))
    match = re.search(r"Unsupported global: GLOBAL ([\w.]+)", text)
    if match:
        return f"a pickled object of type {match.group(1)}, which is never loaded"
    # torch's own boilerplate (the weights_only default of PyTorch 2.6, where to file an issue, a
    # link) says nothing about the file: keep the line that does, e.g. "Unsupported operand 225"
    boiler = ("Weights only load failed", "Please file an issue", "Check the documentation",
              "WeightsUnpickler error:")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(boiler)] or lines
    reason = lines[0][:100] if lines else ""
    return f"{type(err).__name__}: {reason}" if reason else type(err).__name__


def load_weights_only(path: str | os.PathLike, what: str, expected: str) -> Any:
    """``torch.load(path, weights_only=True)`` on the CPU, refusing damage in one line.

    torch.save writes a zip archive whose members carry CRC-32 checksums that ``torch.load`` does
    not check: a flipped byte inside the weights loads silently and samples garbage. They are
    checked here first.

    Parameters
    ----------
    path : path-like
        The checkpoint.
    what : str
        What it should be, for the message (``"eegemo checkpoint"``).
    expected : str
        Who writes such files, for the message.

    Raises
    ------
    eegemo.errors.DataFormatError
        A damaged archive, or anything ``torch.load(weights_only=True)`` refuses (a pickled object,
        another kind of file, one cut short).
    """
    import torch

    path = Path(path)
    is_zip = zipfile.is_zipfile(path)
    if is_zip:
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            bad = f"({type(err).__name__})"
        if bad:
            raise data_error(path, f"damaged {what} (a stored checksum does not match)",
                             expected=expected, found=f"member {bad} corrupt") from None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any failure of the unpickler means "not ours"
        note = ("" if is_zip else
                "; not the zip archive torch.save writes: cut short, or another kind of file")
        raise data_error(path, f"not a readable weights-only {what}", expected=expected,
                         found=_reason(err) + note) from None
