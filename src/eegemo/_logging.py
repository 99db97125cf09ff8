"""The package logger and the ``verbose`` convention shared by public functions."""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger("eegemo")
logger.addHandler(logging.NullHandler())

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
