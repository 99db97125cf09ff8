"""Worker pools (eegemo._processes): workers end with the process that started them."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

import pytest

from eegemo._processes import watch_parent


def _watched(pid: int) -> None:
    watch_parent(pid, every=0.1)
    time.sleep(30)          # a long computation: it must not outlive its parent


def test_a_worker_ends_when_its_parent_is_gone():
    """A killed prepare/train (out-of-memory killer, batch time limit) left its pool's workers
    computing for nobody; with the watcher they end within about a second."""
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    worker = multiprocessing.get_context("spawn").Process(target=_watched, args=(parent.pid,))
    worker.start()
    parent.wait()                       # gone (and reaped): its pid no longer exists
    worker.join(timeout=15)
    alive = worker.is_alive()
    if alive:
        worker.kill()
    assert not alive and worker.exitcode == 1
    # killed but not yet reaped (a zombie, its pid still there): gone all the same
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    watched = multiprocessing.get_context("spawn").Process(target=_watched, args=(zombie.pid,))
    watched.start()
    watched.join(timeout=15)            # zombie.wait() is never called while it is watched
    alive = watched.is_alive()
    if alive:
        watched.kill()
    zombie.wait()
    assert not alive and watched.exitcode == 1
    # a parent that lives on keeps its worker
    keeper = multiprocessing.get_context("spawn").Process(target=_watched, args=(os.getpid(),))
    keeper.start()
    time.sleep(1.5)
    assert keeper.is_alive()
    keeper.kill()
    keeper.join()


def test_a_lost_dask_worker_is_one_line():
    distributed = pytest.importorskip("distributed")
    from eegemo._processes import lost_worker_error

    err = lost_worker_error("prepare st, rec-1", distributed.KilledWorker("task", "worker", 3))
    assert "rec-1: the Dask workers computing it died" in str(err) and "\n" not in str(err)
    from distributed.comm.core import CommClosedError

    assert "connection" in str(lost_worker_error("run", CommClosedError("closed")))
    assert lost_worker_error("run", ValueError("a fold's own error")) is None
    # a worker of an older eegemo cannot unpickle the version check it is sent
    old = AttributeError("Can't get attribute 'run_checked' on <module 'eegemo._dask'>")
    assert "a Dask worker runs an older eegemo" in str(lost_worker_error("run", old))
    assert lost_worker_error("run", AttributeError("'NoneType' object has no attribute 'x'")) \
        is None
