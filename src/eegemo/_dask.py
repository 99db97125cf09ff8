"""Connecting to a Dask distributed scheduler, with a one-line error when it cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .errors import ConfigurationError


def connect(scheduler, timeout: float = 30.0):
    """A ``distributed.Client`` for ``scheduler`` (an address), or ``scheduler`` itself if a Client.

    Parameters
    ----------
    scheduler : str | distributed.Client
        ``"tcp://host:8786"`` (or any address Dask accepts), or a connected client.
    timeout : float
        Seconds to wait for the scheduler.

    Returns
    -------
    client : distributed.Client
        The caller closes it when it is not ``scheduler``.

    Raises
    ------
    eegemo.errors.ConfigurationError
        Dask is not installed, or the address is malformed or nothing answers there.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ConfigurationError("a Dask scheduler was given, but the distributed package is not "
                                 "installed (pip install distributed)") from None
    if isinstance(scheduler, Client):
        return scheduler
    try:
        # not the process's default client: eegemo submits to it explicitly, and a default client
        # that failed to start stayed registered until garbage-collected, so a later dask
        # computation (Store.to_xarray ...) could pick it up and wait on it for ever
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, ValueError, TypeError) as err:   # TimeoutError is an OSError
        raise ConfigurationError(f"Dask scheduler {scheduler!r}: cannot connect "
                                 f"({str(err).splitlines()[0] if str(err) else type(err).__name__})"
                                 ) from None


@contextmanager
def connected(scheduler) -> Iterator:
    """:func:`connect` for a ``with`` block: yields None when ``scheduler`` is None, and closes at
    the end a client it opened itself (never one it was given)."""
    if scheduler is None:
        yield None
        return
    client = connect(scheduler)
    try:
        yield client
    finally:
        if client is not scheduler:
            client.close()
