"""One conformance check that every reader's output must pass (after MNE's ``_test_raw_reader``).

Each case writes a tiny dataset (the simulator for the SEED family, real fixture files for the generic
MNE path) and reads it through :func:`eegemo.datasets.read` with auto-detection.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from eegemo.datasets import detect_dataset, read
from eegemo.recording import Recording

SIMULATED = [("seed", "raw"), ("seed", "features"), ("seed-iv", "raw"), ("seed-iv", "features"),
             ("seed-v", "raw"), ("seed-v", "features"), ("seed-ger", "raw"),
             ("seed-ger", "features"), ("seed-fra", "raw"), ("seed-fra", "features")]


def check_recordings(recs: list[Recording], *, kind: str | None = None, simulated: bool | None = None,
                     n_load: int = 2) -> None:
    """The invariants every reader promises (see docs/CONTRACTS.md and eegemo.recording)."""
    assert isinstance(recs, list) and recs, "a reader returns a non-empty list"
    for rec in recs:
        assert isinstance(rec, Recording)
        assert isinstance(rec.dataset, str) and isinstance(rec.subject, str) and rec.subject
        assert rec.session is None or (isinstance(rec.session, int) and rec.session >= 1)
        assert rec.kind in ("raw", "features") and (kind is None or rec.kind == kind)
        assert rec.source.exists()
        assert rec.label_names and all(isinstance(k, int) and isinstance(v, str)
                                       for k, v in rec.label_names.items())
        if simulated is not None:
            assert rec.simulated is simulated
        assert [t.index for t in rec.trials] == list(range(1, len(rec.trials) + 1)) or \
            len({t.index for t in rec.trials}) == len(rec.trials)
        for t in rec.trials:
            assert t.kind == rec.kind and t.sfreq > 0 and t.ch_names == rec.ch_names
            assert t.label in rec.label_names
            assert t.data is None and t.loader is not None, "trials load lazily"
        for t in rec.trials[:n_load]:
            x = t.load()
            assert t.data is None, "load() does not cache by default"
            assert isinstance(x, np.ndarray) and x.dtype.kind == "f" and np.isfinite(x).all()
            if rec.kind == "raw":
                assert x.ndim == 2 and x.shape == (len(t.ch_names), t.n_times)
                assert np.abs(x).max() < 1e-2, "raw data are in volts"
            else:
                assert x.ndim == 3 and x.shape[1] == len(t.ch_names) and x.shape[0] == t.n_times
                assert t.bands is not None and x.shape[2] == len(t.bands)
    if recs[0].kind == "raw":
        t = recs[0].trials[0]
        raw = t.to_mne(recs[0].label_names)
        np.testing.assert_allclose(raw.get_data(), t.load())
        assert raw.info["sfreq"] == t.sfreq


@pytest.fixture(scope="module")
def simulated_root(tmp_path_factory):
    if importlib.util.find_spec("eegemo.datasets.simulate") is None:
        pytest.skip("eegemo.datasets.simulate is not available yet")
    from eegemo.datasets.simulate import simulate

    root = tmp_path_factory.mktemp("sim")
    for ds in ("seed", "seed-iv", "seed-v", "seed-ger", "seed-fra"):
        simulate(ds, root / ds, subjects=1, sessions=1, duration_scale=0.005, random_state=1)
    return root


@pytest.mark.parametrize("dataset, kind", SIMULATED)
def test_simulated_reader_conformance(simulated_root, dataset, kind):
    path = simulated_root / dataset
    assert detect_dataset(path) == dataset
    recs = read(path, kind=kind)
    check_recordings(recs, kind=kind, simulated=True)
    assert all(r.dataset == dataset for r in recs)


def test_generic_reader_conformance(fixtures_dir):
    if importlib.util.find_spec("eegemo.datasets.generic") is None:
        pytest.skip("eegemo.datasets.generic is not available yet")
    path = fixtures_dir / "EDF" / "test_reduced.edf"
    assert detect_dataset(path) == "generic"
    check_recordings(read(path), kind="raw", simulated=False)
