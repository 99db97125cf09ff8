"""What to say when a pool of worker processes breaks."""

from __future__ import annotations

import sys

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
