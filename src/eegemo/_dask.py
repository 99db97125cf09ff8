"""Connecting to a Dask distributed scheduler, with a one-line error when it cannot be reached."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import ConfigurationError, first_line


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
        check_workers(scheduler)
        return scheduler
    try:
        # asked first, with a deadline on the whole exchange: a Client built for something that is
        # not a scheduler (a web server on that port: no answer; another service: bytes that
        # deserialise to nonsense) hung for ever or crashed, and a half-built Client hung the
        # process at exit while it tried to close itself
        # a LocalCluster (or anything with a scheduler_address) is asked at its address
        kind = _identity(str(getattr(scheduler, "scheduler_address", scheduler)),
                         timeout).get("type")
        if kind != "Scheduler":
            raise ValueError(f"it answers as {kind!r}, not as a Dask scheduler")
        # not the process's default client: eegemo submits to it explicitly, and a default client
        # that failed to start stayed registered until garbage-collected, so a later dask
        # computation (Store.to_xarray ...) could pick it up and wait on it for ever
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except Exception as err:   # noqa: BLE001 - OSError, TimeoutError, a garbled answer ...
        what = first_line(err)
        if isinstance(err, TimeoutError) and not str(err):
            what = f"no Dask answer within {timeout:g} s: is it the scheduler's port?"
        elif isinstance(err, MemoryError):   # another service's bytes read as a message length
            what = "its answer is not Dask's protocol: is it the scheduler's port?"
        raise ConfigurationError(f"Dask scheduler {scheduler!r}: cannot connect ({what})"
                                 ) from None
    try:
        check_workers(client)
    except BaseException:
        client.close()
        raise
    return client


def _eegemo_version() -> str:
    """This process's eegemo: its version and a digest of its source files (run on the workers by
    :func:`check_workers`; two commits of one version differ in the digest)."""
    import hashlib
    from pathlib import Path

    from . import __version__

    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for f in sorted(root.rglob("*.py")):
        digest.update(str(f.relative_to(root)).encode())
        digest.update(f.read_bytes())
    return f"{__version__} (source {digest.hexdigest()[:12]})"


def _local_version() -> str:
    return _eegemo_version()


def check_workers(client) -> None:
    """Refuse, in one line naming a worker, workers that run another eegemo (version or source)
    than this process or cannot import it: their windows, features and models would not be this
    one's.

    Only the workers connected now are checked here; every task eegemo submits checks its worker
    again before it runs (:func:`run_checked`), so a worker that joins later (adaptive scaling)
    is refused on its first task.
    """
    mine = _local_version()
    try:
        versions = client.run(_eegemo_version, on_error="return")
    except Exception as err:   # noqa: BLE001 - the scheduler lost, a run that cannot start ...
        what = first_line(err)
        raise ConfigurationError(f"Dask workers cannot be asked which eegemo they run "
                                 f"({type(err).__name__}: {what})") from None
    failed = {a: v for a, v in versions.items() if isinstance(v, BaseException)}
    if failed:
        addr, err = sorted(failed.items())[0]
        what = first_line(err)
        raise ConfigurationError(f"Dask worker {addr} cannot run eegemo ({type(err).__name__}: "
                                 f"{what})" + (f" nor can {len(failed) - 1} more" if len(failed) > 1
                                               else "") + f"; install eegemo {mine} on every "
                                 "worker")
    other = {addr: v for addr, v in versions.items() if v != mine}
    if other:
        addr, v = sorted(other.items())[0]
        raise ConfigurationError(f"Dask workers run another eegemo (expected {mine}, found {v} on "
                                 f"{addr}" + (f" and {len(other) - 1} more worker(s)"
                                              if len(other) > 1 else "")
                                 + "); install the same eegemo on every worker")


@functools.lru_cache(maxsize=1)
def _worker_version() -> str:
    """:func:`_eegemo_version` of this worker process, computed once."""
    return _eegemo_version()


def run_checked(expected: str, fn, /, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` on a Dask worker once the worker is seen to run the eegemo
    ``expected`` (:func:`_local_version` of the process that submitted it).

    :func:`check_workers` asks the workers connected when eegemo connects; a worker that joins
    later (adaptive scaling) is checked here, on its first task, and refused in one line naming
    it instead of computing another version's windows or folds.
    """
    found = _worker_version()
    if found != expected:
        try:
            from distributed import get_worker

            where = f"Dask worker {get_worker().address}"
        except Exception:   # noqa: BLE001 - run outside a worker
            where = "a Dask worker"
        raise ConfigurationError(f"{where} runs another eegemo (expected {expected}, found "
                                 f"{found}; it joined after eegemo checked the workers); install "
                                 "the same eegemo on every worker")
    return fn(*args, **kwargs)


def _identity(address: str, timeout: float) -> dict:
    """The ``identity`` answer of whatever listens at ``address``, within ``timeout`` seconds.

    Asked on an event loop of its own, in a thread of its own: the caller may be inside a running
    loop (a Jupyter cell), where ``asyncio.run`` is refused. TLS settings come from Dask's
    configuration, as a ``Client``'s do.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect as comm_connect
    from distributed.security import Security

    connection_args = Security().get_connection_args("client")

    async def ask():
        comm = await comm_connect(address, timeout=timeout, **connection_args)
        try:
            await comm.write({"op": "identity", "reply": True})
            answer = await comm.read()
        finally:
            comm.abort()
        if not isinstance(answer, dict):
            raise ValueError(f"it answers {type(answer).__name__}, not as a Dask scheduler")
        return answer

    async def bounded():
        return await asyncio.wait_for(ask(), timeout)

    with ThreadPoolExecutor(1, thread_name_prefix="eegemo-dask-probe") as pool:
        return pool.submit(lambda: asyncio.run(bounded())).result()


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
