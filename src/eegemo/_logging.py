"""The package logger and the ``verbose`` convention shared by public functions."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator

logger = logging.getLogger("eegemo")
# No NullHandler: where the application configures no logging, Python's last-resort handler
# writes eegemo's warnings to stderr (a Python user sees "barely trained network" or "sfreq not
# given" as the CLI's user does); INFO stays silent until set_log_level(True) or logging config.

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR}


class _StderrHandler(logging.StreamHandler):
    """A stream handler that writes to the current ``sys.stderr`` (it may be replaced after the
    handler is made, e.g. by a notebook kernel or a test's output capture)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns it; sys.stderr wins
        pass


def set_log_level(verbose: bool | str | int | None = None) -> None:
    """Set the level of the ``eegemo`` logger and make sure messages reach stderr.

    Parameters
    ----------
    verbose : bool | str | int | None
        ``True`` or ``"info"`` shows progress messages, ``False``/``None`` only warnings,
        ``"debug"`` everything; an int is used as a :mod:`logging` level.
    """
    if verbose is None or verbose is False:
        level = logging.WARNING
    elif verbose is True:
        level = logging.INFO
    elif isinstance(verbose, str):
        level = _LEVELS[verbose.lower()]
    else:
        level = int(verbose)
    logger.setLevel(level)
    if not any(getattr(h, "_eegemo", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._eegemo = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def progress_disabled() -> bool:
    """Whether progress bars should be hidden (``EEGEMO_NO_PROGRESS=1`` or a non-terminal CI run)."""
    return os.environ.get("EEGEMO_NO_PROGRESS", "") not in ("", "0")


class _Collected(logging.Handler):
    """Warnings the thread that made it logs, appended to ``records`` as (level, message)."""

    def __init__(self, records: list) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.records.append((record.levelno, record.getMessage()))


@contextlib.contextmanager
def worker_warnings(same_process: bool = False) -> Iterator[list]:
    """Collect the warnings logged in this block where this process shows none itself.

    A worker process (a process pool's, a Dask worker's) has no handler on the ``eegemo`` logger,
    so what it warns about would be lost; the list this yields collects it, as (level, message)
    pairs, for the process that started the work to log again with :func:`relog`. Where this
    process shows eegemo's messages (:func:`set_log_level` ran here), or is the one that started
    the work (``same_process``: a thread of it, whose records reach its handlers already), the
    list stays empty.
    """
    records: list = []
    if same_process or any(getattr(h, "_eegemo", False) for h in logger.handlers):
        yield records
        return
    handler = _Collected(records)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def relog(records) -> None:
    """Log again the (level, message) pairs a worker collected with :func:`worker_warnings`."""
    for level, message in records or ():
        logger.log(level, message)
