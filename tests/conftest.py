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
