"""Errors raised by eegemo.

Every problem with user input is reported as one :class:`EegemoError` whose message is a single line
naming the file (when there is one), what was expected and what was found. The command-line interface
prints that line and exits with status 2 instead of showing a traceback.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["EegemoError", "DataFormatError", "ConfigurationError", "InputTypeError", "data_error",
           "first_line", "check_output_file", "check_parent_folders", "unknown_parameters",
           "DATA_SUFFIXES"]


class EegemoError(Exception):
    """Base class of every error eegemo raises on purpose."""


class DataFormatError(EegemoError, ValueError):
    """A file or folder does not hold what its format promises."""


class ConfigurationError(EegemoError, ValueError):
    """A setting is impossible or contradicts the data or an existing store."""


class InputTypeError(ConfigurationError, TypeError):
    """An argument of the wrong type (non-numeric array values, say).

    Also a :class:`TypeError`, as scikit-learn raises for such input, so code written for either
    catches it.
    """


def first_line(err: BaseException) -> str:
    """The first line of an exception's message, for a one-line error that quotes the cause; its
    type's name where the message is empty (``str(OSError())`` is ``""``)."""
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__


def data_error(path: str | os.PathLike | None, problem: str, *, expected: str | None = None,
               found: str | None = None) -> DataFormatError:
    """Build a one-line :class:`DataFormatError`.

    Parameters
    ----------
    path : path-like | None
        The file or folder at fault.
    problem : str
        What is wrong, in a few words.
    expected, found : str | None
        What the format requires and what the file holds instead.

    Returns
    -------
    err : DataFormatError
        The error, for the caller to ``raise``.

    Examples
    --------
    >>> raise data_error("1_20131027.mat", "wrong channel count", expected="62 rows", found="61")
    Traceback (most recent call last):
    ...
    eegemo.errors.DataFormatError: 1_20131027.mat: wrong channel count (expected 62 rows, found 61)
    """
    msg = f"{os.fspath(path)}: {problem}" if path is not None else problem
    details = [f"expected {expected}" if expected else None, f"found {found}" if found else None]
    details = [d for d in details if d]
    if details:
        msg += " (" + ", ".join(details) + ")"
    return DataFormatError(" ".join(msg.split()))


def check_parent_folders(path: str | os.PathLike) -> None:
    """Refuse an output path below an existing file (``--out notes.txt/run``), before any work.

    Parameters
    ----------
    path : path-like
        The output file or folder about to be written (it need not exist; relative paths are
        taken from the current folder).

    Raises
    ------
    ConfigurationError
        If a folder above ``path`` exists as a file.
    """
    from pathlib import Path

    for parent in Path(path).absolute().parents:
        if parent.exists() and not parent.is_dir():
            raise ConfigurationError(f"{os.fspath(path)}: {parent} is a file, not a folder")


#: suffixes of recordings, datasets and arrays eegemo reads (lower case): a table, report or JSON
#: written over one of them destroys data
DATA_SUFFIXES = frozenset({".mat", ".npz", ".npy", ".cnt", ".edf", ".bdf", ".gdf", ".fif",
                           ".set", ".fdt", ".vhdr", ".vmrk", ".eeg", ".h5", ".hdf5", ".nwb",
                           ".zarr", ".parquet"})


def check_output_file(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (),
                      data_ok: bool = False) -> None:
    """Refuse, before any work, an output file that cannot or must not be written.

    Parameters
    ----------
    path : path-like
        The file a command will write at its end (a report, metrics, probabilities).
    inputs : iterable of path-like
        Files and folders the command reads: ``path`` must not be one of those files.
    data_ok : bool
        Whether ``path`` may replace an existing file with a recording's or an array's suffix
        (:data:`DATA_SUFFIXES`): True only for commands that write such files themselves
        (``generate``); a CSV, HTML or JSON written there would destroy a recording.

    Raises
    ------
    ConfigurationError
        If ``path`` is an existing folder, lies inside an eegemo store, is one of the files of a
        recognition or generator run (``metrics.json``, ``generator.pt``, ...), is one of
        ``inputs``, is an existing recording or array file (unless ``data_ok``), or its folder is
        an existing file.
    """
    from pathlib import Path

    from ._files import RUN_OWN_FILES, folder_kind

    p = Path(os.path.abspath(path))      # ".." normalised: where the file really lands
    if p.is_dir():
        raise ConfigurationError(f"{os.fspath(path)}: is a folder (expected the name of a file to "
                                 f"write)")
    check_parent_folders(p)
    parts = p.parts
    for depth in range(len(parts) - 1, 0, -1):
        folder = Path(*parts[:depth])
        kind = folder_kind(folder)
        if kind == "store" or (kind in RUN_OWN_FILES and parts[depth] in RUN_OWN_FILES[kind]):
            what = ("lies inside the eegemo store" if kind == "store"
                    else f"would write over a file of the eegemo {kind}")
            raise ConfigurationError(f"{os.fspath(path)}: {what} {folder} (choose a file "
                                     f"outside it{'' if kind == 'store' else ' or another name'})")
    if p.is_file():
        for given in inputs:
            try:
                same = os.path.samefile(p, given)
            except OSError:
                same = False
            if same:
                raise ConfigurationError(f"{os.fspath(path)}: is the file this command reads "
                                         f"({os.fspath(given)}); choose another output name")
        if not data_ok and p.suffix.lower() in DATA_SUFFIXES:
            raise ConfigurationError(f"{os.fspath(path)}: would write over an existing "
                                     f"{p.suffix} file (a recording or array); choose another "
                                     f"output name")


def unknown_parameters(owner: str, given: Iterable[str],
                       valid: Iterable[str]) -> ConfigurationError | None:
    """The error for constructor parameters that ``owner`` does not have, with a close match.

    Parameters
    ----------
    owner : str
        Who was given them (``"model 'ccnn'"``, ``"wgan-4d"``).
    given, valid : iterable of str
        The parameter names passed and those that exist.

    Returns
    -------
    err : ConfigurationError | None
        None when every name is valid.

    Examples
    --------
    >>> raise unknown_parameters("ccnn", ["epochs"], ["max_epochs", "lr"])
    Traceback (most recent call last):
    ...
    eegemo.errors.ConfigurationError: ccnn: unknown parameter 'epochs' (did you mean max_epochs?); allowed values are lr, max_epochs
    """
    import difflib

    valid = sorted(valid)
    unknown = sorted(set(given) - set(valid))
    if not unknown:
        return None
    parts = []
    for key in unknown:
        close = [v for v in valid if v.lower() == key.lower()]
        close = close or difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
        close = close or [v for v in valid if key in v or v in key][:1]
        parts.append(f"{key!r}" + (f" (did you mean {close[0]}?)" if close else ""))
    return ConfigurationError(f"{owner}: unknown parameter{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(parts)}; allowed values are {', '.join(valid)}")
