"""Worker pools: what to say when one breaks, and workers that end with the process that
started them."""

from __future__ import annotations

import os
import sys
import threading
import time

from .errors import ConfigurationError


def broken_pool_error(what: str) -> ConfigurationError:
    """A one-line error for a ``BrokenProcessPool``, naming the likely cause.

    A script that calls eegemo with several jobs at its top level, without an
    ``if __name__ == "__main__":`` block, breaks the pool: Python's ``spawn`` and ``forkserver``
    start methods import the script again in every worker, which then tries to start workers of
    its own. Otherwise a worker was most likely killed (out of memory).
    """
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    unguarded = False
    # a module run with ``python -m`` (eegemo's own CLI included) has a spec; only a plain script
    # can be the unguarded top level meant here
    if script and getattr(main, "__spec__", None) is None:
        try:
            with open(script, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            unguarded = "__main__" not in text
        except OSError:
            pass
    if unguarded:
        hint = (f"{script} calls eegemo at its top level; put those calls under `if __name__ == "
                f"\"__main__\":` (Python imports the script again in every worker process), or "
                f"pass jobs=1")
    else:
        hint = "a worker was killed, most likely out of memory; lower jobs (--jobs)"
    return ConfigurationError(f"{what}: a worker process ended abruptly; {hint}")


def watch_parent(pid: int, every: float = 1.0) -> None:
    """Pool initializer: end this worker when process ``pid`` (the one that started the pool) is
    gone.

    A pool's workers outlive a parent that is killed (SIGKILL by the out-of-memory killer, a
    batch system's time limit): they would go on computing for nobody, holding memory and CPU,
    while a new run already works on the same store. With ``forkserver`` the workers' own parent is
    the fork server, so the pid is passed explicitly.
    """
    if os.name != "posix":    # os.kill(pid, 0) would end the process on Windows
        return

    def watch() -> None:
        while True:
            time.sleep(every)
            if not _alive(pid):
                os._exit(1)

    threading.Thread(target=watch, name="eegemo-watch-parent", daemon=True).start()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (killed, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:     # alive, another user's (pid reused)
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):   # no /proc (macOS): a zombie parent goes unnoticed
        return True


def lost_worker_error(what: str, err: BaseException) -> ConfigurationError | None:
    """A one-line error for a Dask worker lost while computing (``KilledWorker``: it died, most
    likely out of memory, on every worker the task was tried on; ``CommClosedError``: the
    connection dropped) or unable to load eegemo's version check (an older eegemo), or None for
    any other exception."""
    name = type(err).__name__
    if name == "KilledWorker":
        return ConfigurationError(f"{what}: the Dask workers computing it died (most likely out of "
                                  "memory: fewer tasks per worker, or more memory)")
    if name == "CommClosedError":
        return ConfigurationError(f"{what}: the connection to the Dask scheduler or a worker "
                                  "closed")
    if isinstance(err, AttributeError) and "run_checked" in str(err):
        # a worker of an eegemo older than its version check cannot even load the check
        return ConfigurationError(f"{what}: a Dask worker runs an older eegemo (it cannot load "
                                  "eegemo._dask.run_checked); install the same eegemo on every "
                                  "worker")
    return None
