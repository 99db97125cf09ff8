"""Shared fixtures: simulated SEED-family data and the real recordings in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("EEGEMO_NO_PROGRESS", "1")

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FIXTURES = SHARED / "fixtures"
EEGMMIDB = SHARED / "eegmmidb"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """../shared/data/fixtures (real files from MNE's testing data); skips where absent."""
    if not FIXTURES.is_dir():
        pytest.skip("../shared/data/fixtures is absent")
    return FIXTURES


@pytest.fixture(scope="session")
def eegmmidb_dir() -> Path:
    """../shared/data/eegmmidb (PhysioNet EEG Motor Movement/Imagery, subject 1); skips where absent."""
    if not EEGMMIDB.is_dir():
        pytest.skip("../shared/data/eegmmidb is absent")
    return EEGMMIDB


@pytest.fixture(scope="module")
def torch_one_thread():
    """One torch thread for a module's tests (tiny networks are slower with more; restored after)."""
    torch = pytest.importorskip("torch")
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
