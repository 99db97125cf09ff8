"""The store: prepare → zarr + Parquet, resume, refusal of a changed configuration, readers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eegemo.bands import SEED_BANDS
from eegemo.channels import SEED_CHANNELS
from eegemo.errors import ConfigurationError, DataFormatError
from eegemo.recording import Recording, Trial
from eegemo.store import PrepareConfig, open_store, prepare

SFREQ = 200.0
CH = SEED_CHANNELS[:12]   # 12 channels keep the tests fast; all are on the 9 × 9 grid


def make_recordings(n_subjects=2, n_trials=3, seconds=(7.3, 5.0, 6.6), random_state=0,
                    n_ch=len(CH), source_dir: Path | None = None):
    """In-memory raw recordings (volts) of a few short trials with a known per-trial sinusoid."""
    rng = np.random.default_rng(random_state)
    recs = []
    for s in range(1, n_subjects + 1):
        trials = []
        for t in range(n_trials):
            n = int(seconds[t % len(seconds)] * SFREQ)
            tt = np.arange(n) / SFREQ
            x = 10e-6 * rng.standard_normal((n_ch, n))
            x += 20e-6 * np.sin(2 * np.pi * (6 + t) * tt)
            trials.append(Trial(index=t + 1, label=t % 3, sfreq=SFREQ, ch_names=tuple(CH[:n_ch]),
                                n_times=n, data=x))
        src = (source_dir or Path("/nonexistent")) / f"{s}_2013.mat"
        recs.append(Recording(dataset="seed", subject=str(s), session=1, trials=trials,
                              label_names={0: "negative", 1: "neutral", 2: "positive"}, source=src))
    return recs


def feature_recordings(n_subjects=2, random_state=1):
    rng = np.random.default_rng(random_state)
    recs = []
    for s in range(1, n_subjects + 1):
        trials = [Trial(index=t + 1, label=t, sfreq=0.25, ch_names=tuple(SEED_CHANNELS),
                        kind="features", bands=SEED_BANDS,
                        data=15 + rng.standard_normal((4 + t, 62, 5)))
                  for t in range(3)]
        recs.append(Recording(dataset="seed-iv", subject=str(s), session=2, trials=trials,
                              label_names={0: "neutral", 1: "sad", 2: "fear"}, kind="features",
                              feature="de_LDS", source=Path(f"/nowhere/{s}_20160518.mat")))
    return recs


def assert_same_store(a, b):
    assert a.arrays == b.arrays
    assert a.manifest["config_hash"] == b.manifest["config_hash"]
    assert [e["key"] for e in a.manifest["recordings"]] == [e["key"] for e in b.manifest["recordings"]]
    import pandas.testing as pdt

    pdt.assert_frame_equal(a.index, b.index)
    for name in a.arrays:
        np.testing.assert_array_equal(a.load(name), b.load(name))


# ---------------------------------------------------------------------------------------------------
def test_prepare_raw_layout_index_and_values(tmp_path):
    recs = make_recordings()
    store = prepare(recs, tmp_path / "st", jobs=1, features=("de", "psd", "raw"), image_size=16)
    assert set(store.arrays) == {"de", "psd", "raw", "de_grid", "psd_grid", "de_image", "psd_image"}
    idx = store.index
    # windows per trial: floor(seconds) for 1-s windows without overlap (tails dropped)
    per_trial = idx.groupby(["subject", "trial"]).size().to_dict()
    assert per_trial[("1", 1)] == 7 and per_trial[("1", 2)] == 5 and per_trial[("1", 3)] == 6
    assert len(store) == len(idx) == 2 * (7 + 5 + 6)
    assert list(idx.columns) == ["recording", "dataset", "subject", "session", "trial", "window",
                                 "label", "start", "stop", "source", "simulated"]
    # windows never cross a trial's end
    dur = {(r.subject, t.index): t.n_times / SFREQ for r in recs for t in r.trials}
    assert all(stop <= dur[(s, tr)] + 1e-9 for s, tr, stop in zip(idx.subject, idx.trial, idx.stop))
    assert (idx.groupby(["subject", "trial"]).window.apply(lambda w: list(w) == list(range(len(w))))
            .all())
    # raw windows are the trial's samples in µV, DE is the closed form of their band power
    row = int(np.flatnonzero((idx.subject == "2") & (idx.trial == 3) & (idx.window == 4))[0])
    x = recs[1].trials[2].data[:, 800:1000] * 1e6
    np.testing.assert_allclose(store.load("raw", [row])[0], x, rtol=1e-5, atol=1e-3)
    spec = np.abs(np.fft.rfft(x, axis=-1)) ** 2
    c = np.full(101, 2.0)
    c[0] = c[-1] = 1.0
    f = np.arange(101)
    alpha = (f >= 8) & (f < 14)
    power = (spec[:, alpha] * c[alpha]).sum(-1) / 200 ** 2
    de_expected = 0.5 * np.log(2 * np.pi * math.e * power)
    np.testing.assert_allclose(store.load("de", row)[0, :, 2], de_expected, rtol=1e-5)
    np.testing.assert_allclose(store.load("psd", row)[0, :, 2], power / 6.0, rtol=1e-4)
    # grid places FP1 (channel 0) at row 0, column 3
    np.testing.assert_allclose(store.load("de_grid", row)[0, :, 0, 3], store.load("de", row)[0, 0])
    assert store.load("de_image", row).shape == (1, 5, 16, 16)
    # metadata
    assert store.ch_names == tuple(CH) and store.bands == SEED_BANDS and store.sfreq == SFREQ
    assert store.window == 1.0 and store.label_names[2] == "positive"
    man = json.loads((tmp_path / "st" / "manifest.json").read_text())
    assert man["complete"] and man["n_rows"] == len(idx) and man["versions"]["zarr"]
    assert all(e["source_fingerprint"].get("sha256_data") for e in man["recordings"])
    assert store.summary["windows"] == len(idx) and store.summary["bytes"] > 0


def test_load_orders_masks_and_access_paths_agree(tmp_path):
    store = prepare(make_recordings(), tmp_path / "st", jobs=1)
    full = store.load("de")
    rows = [30, 2, 17, 2, -1]
    np.testing.assert_array_equal(store.load("de", rows), full[rows])
    mask = (store.index.label == 1).to_numpy()
    np.testing.assert_array_equal(store.load("de", mask), full[mask])
    ds = store.to_xarray("de")
    np.testing.assert_array_equal(ds["de"].values, full)
    assert list(ds["label"].values) == list(store.index.label)
    tds = store.to_torch("de", rows=np.flatnonzero(mask))
    x0, y0 = tds[0]
    assert x0.dtype.__str__() == "torch.float32" and int(y0) == 1
    np.testing.assert_array_equal(x0.numpy(), full[mask][0])
    batch = tds.__getitems__([1, 0])
    np.testing.assert_array_equal(batch[0][0].numpy(), full[mask][1])
    import torch

    xb, yb = next(iter(torch.utils.data.DataLoader(tds, batch_size=4)))
    assert xb.shape == (4, len(CH), 5) and yb.dtype == torch.int64
    np.testing.assert_array_equal(xb.numpy(), full[mask][:4])
    with pytest.raises(ConfigurationError, match="no array 'raw'"):
        store.load("raw")


def test_to_torch_shuffled_reads_each_chunk_once(tmp_path, monkeypatch):
    """shuffle=True serves every row once per pass, in a new order each pass, and decompresses
    each chunk once per pass (a shuffled map-style DataLoader reads chunks for every batch)."""
    import torch

    from eegemo.store import _compute

    monkeypatch.setattr(_compute, "_CHUNK_BYTES", 4096)     # a few rows per chunk (jobs=1: here)
    store = prepare(make_recordings(n_subjects=3, n_trials=3), tmp_path / "st", jobs=1,
                    window=0.5, features=("raw",))
    full, labels = store.load("raw"), store.labels()
    n_chunks = sum(-(-int((store.index.recording == k).sum()) // store._array(k, "raw").chunks[0])
                   for k in store._keys)
    assert n_chunks >= 6         # several chunks per recording, so the order can be mixed
    rows = np.flatnonzero(store.index.label.to_numpy() != 2)
    ds = store.to_torch("raw", rows=rows, shuffle=True, buffer_chunks=2, random_state=3)
    assert len(ds) == len(rows)
    reads = []
    read = type(store)._read
    monkeypatch.setattr(type(store), "_read", lambda self, arr, key, name, sel:
                        reads.append((key, sel)) or read(self, arr, key, name, sel))
    passes = []
    for _ in range(2):
        xb, yb = zip(*torch.utils.data.DataLoader(ds, batch_size=5))
        x, y = torch.cat(xb).numpy(), torch.cat(yb).numpy()
        # every row once: match each served row to its stored row
        served = [int(np.flatnonzero((full[rows] == xi).all(axis=(1, 2)))[0]) for xi in x]
        assert sorted(served) == list(range(len(rows)))
        np.testing.assert_array_equal(y, labels[rows][served])
        passes.append(served)
    assert passes[0] != passes[1] and passes[0] != sorted(passes[0])
    assert len(reads) <= 2 * n_chunks          # one grouped read per recording and buffer
    again = store.to_torch("raw", rows=rows, shuffle=True, buffer_chunks=2, random_state=3)
    assert [p.tolist() for p in again.buffers(0)] == [p.tolist() for p in ds.buffers(0)]
    with pytest.raises(ConfigurationError, match="buffer_chunks must be a positive"):
        store.to_torch("raw", shuffle=True, buffer_chunks=0)


def test_smoothing_stays_within_trials(tmp_path):
    recs = make_recordings(n_subjects=1)
    plain = prepare(recs, tmp_path / "a", jobs=1, grid=None)
    ma = prepare(recs, tmp_path / "b", jobs=1, grid=None, smoothing="moving-average",
                 smoothing_window=3)
    lds = prepare(recs, tmp_path / "c", jobs=1, grid=None, smoothing="lds")
    de, de_ma, de_lds = plain.load("de"), ma.load("de"), lds.load("de")
    trials = plain.index.trial.to_numpy()
    for t in np.unique(trials):
        sel = trials == t
        x = de[sel]
        expected = np.array([x[max(0, i - 1):i + 2].mean(0) for i in range(len(x))])
        np.testing.assert_allclose(de_ma[sel], expected, rtol=1e-5)
        # LDS keeps each trial's mean roughly and reduces the window-to-window variance
        assert np.var(np.diff(de_lds[sel], axis=0)) < np.var(np.diff(x, axis=0))
    assert ma.manifest["config_hash"] != plain.manifest["config_hash"]


def test_overlap_and_interpolate_to(tmp_path):
    recs = make_recordings(n_subjects=1)
    st = prepare(recs, tmp_path / "o", jobs=1, window=2.0, overlap=1.0, grid=None)
    idx = st.index
    # trial 2 lasts 5 s: windows start at 0, 1, 2, 3 s
    assert list(idx[idx.trial == 2].start) == [0.0, 1.0, 2.0, 3.0]
    assert (idx.stop - idx.start == 2.0).all()
    st2 = prepare(recs, tmp_path / "i", jobs=1, interpolate_to=1000, grid=None)
    assert (st2.index.groupby("trial").size() == 5).all()


def test_released_features_ingested(tmp_path):
    recs = feature_recordings()
    store = prepare(recs, tmp_path / "f", jobs=1, image_size=8)
    assert set(store.arrays) == {"de", "de_grid", "de_image"}
    assert store.window == 4.0 and store.sfreq is None
    np.testing.assert_allclose(store.load("de")[:4], recs[0].trials[0].data.astype(np.float32))
    idx = store.index
    assert list(idx.start[:3]) == [0.0, 4.0, 8.0] and (idx.session == 2).all()
    assert len(store) == 2 * (4 + 5 + 6)
    # options that cannot change released features are refused, not recorded and left unapplied
    for kw, word in ((dict(window=2.0), "window"), (dict(overlap=0.5), "overlap"),
                     (dict(features=("de", "raw")), "features raw"), (dict(notch=50.0), "notch"),
                     (dict(bands="alpha:8-14"), "bands"), (dict(smoothing="lds"), "smoothing")):
        with pytest.raises(ConfigurationError, match=f"{word} cannot apply to released features"):
            prepare(recs, tmp_path / "g", jobs=1, **kw)
    assert len(prepare(recs, tmp_path / "g", jobs=1, window=4.0)) == len(store)   # as released


# --- resume, refusal, parallel ---------------------------------------------------------------------
def test_resume_after_crash_equals_uninterrupted(tmp_path, monkeypatch):
    recs = make_recordings(n_subjects=3)
    ref = prepare(recs, tmp_path / "ref", jobs=1)
    out = tmp_path / "st"
    monkeypatch.setenv("EEGEMO_TEST_FAIL", "seed-3-s1-3_2013:1")   # crash inside the 3rd recording
    with pytest.raises(RuntimeError, match="simulated crash"):
        prepare(recs, out, jobs=1)
    monkeypatch.delenv("EEGEMO_TEST_FAIL")
    man = json.loads((out / "manifest.json").read_text())
    assert not man["complete"] and len(man["recordings"]) == 2
    with pytest.raises(ConfigurationError, match="incomplete"):
        open_store(out)
    # a half-written folder left by a killed worker
    junk = out / "recordings" / ".tmp-seed-3-s1-3_2013-deadbeef"
    junk.mkdir()
    (junk / "garbage").write_bytes(b"x" * 10)
    resumed = prepare(recs, out, jobs=1)
    assert resumed.summary["skipped"] == 2 and resumed.summary["computed"] == 1
    assert not junk.exists()
    assert_same_store(resumed, ref)
    # a second run computes nothing
    again = prepare(recs, out, jobs=1)
    assert again.summary["computed"] == 0


def test_recordings_finished_beside_a_failing_one_are_kept(tmp_path, monkeypatch):
    """jobs=2: one recording fails while another is being computed; the one that finishes is
    committed (it was computed and thrown away), so the rerun computes only the failed one."""
    recs = make_recordings(n_subjects=2)
    monkeypatch.setenv("EEGEMO_MP_START", "spawn")       # workers see this process's environment
    monkeypatch.setenv("EEGEMO_TEST_FAIL", "seed-1-s1-1_2013:0")
    with pytest.raises(RuntimeError, match="simulated crash in seed-1-s1-1_2013"):
        prepare(recs, tmp_path / "st", jobs=2)
    monkeypatch.delenv("EEGEMO_TEST_FAIL")
    man = json.loads((tmp_path / "st" / "manifest.json").read_text())
    assert [e["key"] for e in man["recordings"]] == ["seed-2-s1-2_2013"]
    assert prepare(recs, tmp_path / "st", jobs=1).summary["computed"] == 1


def test_lazy_recordings_of_no_local_file_go_to_workers(tmp_path):
    """Trials read by a loader from elsewhere (an object store): the source names no local file,
    which is no reason to refuse them in a worker process."""
    def trials(seed):
        return [Trial(index=i + 1, label=i % 2, sfreq=SFREQ, ch_names=tuple(CH), kind="raw",
                      n_times=int(2 * SFREQ), onset=5.0 * i,
                      loader=lambda k=seed * 10 + i: 1e-5 * np.random.default_rng(k)
                      .standard_normal((len(CH), int(2 * SFREQ))))
                for i in range(4)]

    recs = [Recording(dataset="generic", subject=str(s), session=1, trials=trials(s),
                      label_names={0: "a", 1: "b"}, source=Path(f"s3://bucket/sub{s}.edf"))
            for s in (1, 2)]
    par = prepare(recs, tmp_path / "par", jobs=2)
    np.testing.assert_array_equal(par.load("de"), prepare(recs, tmp_path / "one", jobs=1).load("de"))


def test_damaged_index_refused_in_one_line_and_rebuilt_by_prepare(tmp_path):
    recs = make_recordings()
    good = prepare(recs, tmp_path / "s", window=1.0)
    path = tmp_path / "s" / "index.parquet"
    damage = {"unreadable store index": lambda: path.write_bytes(path.read_bytes()[:300]),
              "store index is missing": path.unlink,
              "does not match the manifest": lambda: good.index.iloc[:5].to_parquet(path),
              # a readable Parquet file of other columns: named, not a KeyError of a reader
              "column 'label' missing": lambda: good.index.drop(columns="label").to_parquet(path),
              r"column 'label' holds text.*expected integers":
                  lambda: good.index.assign(label=good.index["label"].astype(str)).to_parquet(path),
              r"column 'label' holds numbers with missing values.*expected integers":
                  lambda: good.index.assign(label=np.r_[np.nan, good.index["label"].iloc[1:]])
                  .to_parquet(path),
              r"column 'subject' holds integers.*expected text":
                  lambda: good.index.assign(subject=good.index["subject"].astype(int))
                  .to_parquet(path)}
    for problem, write in damage.items():
        write()
        with pytest.raises(DataFormatError, match=problem) as err:
            open_store(tmp_path / "s").index
        assert str(path) in str(err.value) and "prepare again" in str(err.value)
        assert len(str(err.value).splitlines()) == 1
        again = prepare(recs, tmp_path / "s", window=1.0)     # resuming rebuilds the index
        assert_same_store(again, good)
    # a recording's own index damaged the same way is recomputed by prepare, not copied into the
    # store's index (which reading would refuse, advising to prepare again, in a loop)
    key = good.manifest["recordings"][0]["key"]
    own = tmp_path / "s" / "recordings" / f"{key}.zarr" / "index.parquet"
    part = pd.read_parquet(own)
    part.assign(label=part["label"].astype(str)).to_parquet(own)
    again = prepare(recs, tmp_path / "s", window=1.0)
    assert_same_store(again, good)
    assert len(open_store(tmp_path / "s").index) == len(good.index)


@pytest.mark.parametrize("damage, found", [
    (lambda m: m.pop("recordings"), "expected key 'recordings'"),
    (lambda m: m.update(shapes={}), "shape of positive ints for array 'de'"),
    (lambda m: m.update(label_names=None), "'label_names' as dict"),
    (lambda m: m["recordings"][0].pop("rows"), "recording 0 with a key and a row count"),
    (lambda m: m.update(window="1"), "'window' as a number"),
])
def test_damaged_manifest_refused_in_one_line(tmp_path, damage, found):
    recs = make_recordings()
    prepare(recs, tmp_path / "s", window=1.0)
    path = tmp_path / "s" / "manifest.json"
    man = json.loads(path.read_text())
    damage(man)
    path.write_text(json.dumps(man))
    with pytest.raises(DataFormatError, match="damaged store manifest") as err:
        open_store(tmp_path / "s")
    assert str(err.value).startswith(str(path)) and found in str(err.value)
    assert len(str(err.value).splitlines()) == 1
    again = prepare(recs, tmp_path / "s", window=1.0, overwrite=True)   # the repair it names
    assert len(again.index) == len(again) > 0


@pytest.mark.parametrize("content", [b"[1, 2]", b"\x80\x81 binary", b'{"format": "eegemo-store", '
                                     b'"format_version": "one"}'])
def test_foreign_manifest_refused_in_one_line(tmp_path, content):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "manifest.json").write_bytes(content)
    with pytest.raises(DataFormatError) as err:
        open_store(tmp_path / "s")
    assert str(err.value).startswith(str(tmp_path / "s" / "manifest.json"))
    assert len(str(err.value).splitlines()) == 1


def test_damaged_or_missing_chunk_refused_not_read_as_zeros(tmp_path):
    import shutil

    recs = make_recordings()
    good = prepare(recs, tmp_path / "s", window=1.0, features=("de", "raw"))
    expected = {name: good.load(name) for name in good.arrays}
    key = good.manifest["recordings"][0]["key"]
    arr = tmp_path / "s" / "recordings" / f"{key}.zarr" / "de"
    chunk = next(p for p in sorted((arr / "c").rglob("*")) if p.is_file())
    damage = {"error during blosc decompression": lambda: chunk.write_bytes(b"junk"),
              "missing chunks": chunk.unlink,
              "Expecting": lambda: (arr / "zarr.json").write_text("{")}
    for found, write in damage.items():
        write()
        with pytest.raises(DataFormatError, match=found) as err:
            open_store(tmp_path / "s").load("de")
        msg = str(err.value)
        assert msg.startswith(str(arr)) and "prepare again" in msg and len(msg.splitlines()) == 1
        if found == "missing chunks":        # the lazy xarray view refuses them too
            with pytest.raises(DataFormatError, match=found):
                open_store(tmp_path / "s").to_xarray("de")["de"].values
        shutil.rmtree(arr.parent)          # the repair the message gives
        again = prepare(recs, tmp_path / "s", window=1.0, features=("de", "raw"))
        for name, x in expected.items():
            np.testing.assert_array_equal(again.load(name), x)


def test_manifest_shapes_that_disagree_with_the_arrays_are_refused_in_one_line(tmp_path):
    """A manifest shape (or an array's row count) that disagrees with the zarr array: one line
    naming the manifest and the array, from every reader, not NumPy's broadcast error."""
    recs = make_recordings()
    good = prepare(recs, tmp_path / "s", window=1.0)
    path = tmp_path / "s" / "manifest.json"
    man = json.loads(path.read_text())
    key = man["recordings"][0]["key"]
    for damaged in ({**man, "shapes": {**man["shapes"], "de": [len(CH) - 1, 5]}},
                    {**man, "recordings": [{**man["recordings"][0],
                                            "rows": man["recordings"][0]["rows"] - 2},
                                           *man["recordings"][1:]]}):
        path.write_text(json.dumps(damaged))
        store = open_store(tmp_path / "s")
        readers = [lambda: store.load("de")]
        if damaged["shapes"] != man["shapes"]:   # (a wrong row count: the index refuses first)
            readers += [lambda: store.to_torch("de")[0], lambda: store.to_xarray("de")]
        for read in readers:
            store._zarr.clear()
            with pytest.raises(DataFormatError, match="manifest and an array disagree") as err:
                read()
            msg = str(err.value)
            assert msg.startswith(str(path)) and f"recordings/{key}.zarr/de" in msg
            assert "--overwrite" in msg and len(msg.splitlines()) == 1
    again = prepare(recs, tmp_path / "s", window=1.0, overwrite=True)   # the repair it names
    np.testing.assert_array_equal(again.load("de"), good.load("de"))


def test_unreachable_scheduler_refused_before_anything_is_written(tmp_path):
    pytest.importorskip("distributed")
    import dask

    before = dask.config.get("scheduler", None)
    with pytest.raises(ConfigurationError, match="Dask scheduler 'nowhere': cannot connect"):
        prepare(make_recordings(), tmp_path / "s", scheduler="nowhere")
    assert not (tmp_path / "s").exists()
    # the failed client must not stay dask's default scheduler or client: later computations
    # still run (a registered client that never connected made Store.to_xarray wait for ever,
    # whenever the garbage collector had not yet collected it)
    assert dask.config.get("scheduler", None) == before
    import distributed

    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()
    store = prepare(make_recordings(), tmp_path / "ok", window=1.0)
    np.testing.assert_array_equal(store.to_xarray("de")["de"].values, store.load("de"))


def test_a_port_that_is_no_scheduler_is_refused_in_time(tmp_path):
    """Something else listening at the address (a web server that waits for a request, a
    service that greets first) made the Client hang for ever or die deep inside numpy."""
    pytest.importorskip("distributed")
    import socket
    import threading
    import time

    from eegemo._dask import connect

    for greeting in (None, b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n"):
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        held = []

        def serve(server=server, greeting=greeting, held=held):
            conn, _ = server.accept()
            held.append(conn)
            if greeting:
                conn.sendall(greeting)

        threading.Thread(target=serve, daemon=True).start()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        t0 = time.monotonic()
        with pytest.raises(ConfigurationError, match="cannot connect .*scheduler's port"):
            connect(address, timeout=2)
        assert time.monotonic() - t0 < 10
        for conn in held:
            conn.close()
        server.close()


def test_connect_inside_a_running_event_loop_and_to_a_cluster_object():
    """A Jupyter cell runs inside an event loop (asyncio.run is refused there); Client() also
    takes a LocalCluster object."""
    distributed = pytest.importorskip("distributed")
    import asyncio

    from eegemo._dask import connect

    with distributed.LocalCluster(n_workers=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        async def cell():
            return connect(cluster.scheduler_address, timeout=10)

        for client in (asyncio.run(cell()), connect(cluster, timeout=10)):
            assert isinstance(client, distributed.Client)
            client.close()


def test_changed_configuration_refused_or_overwritten(tmp_path):
    recs = make_recordings(n_subjects=1)
    prepare(recs, tmp_path / "st", jobs=1)
    with pytest.raises(ConfigurationError, match=r"another configuration \(differs in window: "
                       r"store 1\.0, asked 2\.0\)"):
        prepare(recs, tmp_path / "st", jobs=1, window=2.0)
    st = prepare(recs, tmp_path / "st", jobs=1, window=2.0, overwrite=True)
    assert st.window == 2.0 and st.config.window == 2.0
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigurationError, match="not an eegemo store"):
        prepare(recs, tmp_path / "other", jobs=1)
    # overwrite replaces stores only: a folder that is not one (a dataset, another tool's folder with
    # its own manifest.json) is never emptied, while a store with a damaged manifest can be rebuilt
    (tmp_path / "tool").mkdir()
    (tmp_path / "tool" / "manifest.json").write_text('{"name": "another tool"}')
    for folder in ("other", "tool"):
        with pytest.raises(ConfigurationError, match="only"):
            prepare(recs, tmp_path / folder, jobs=1, overwrite=True)
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
    assert (tmp_path / "tool" / "manifest.json").is_file()
    (tmp_path / "st" / "manifest.json").write_text("{")
    (tmp_path / "st" / "my_notes.txt").write_text("mine")       # a user's file in the store folder
    with pytest.raises(ConfigurationError, match="--overwrite to rebuild"):
        prepare(recs, tmp_path / "st", jobs=1)
    assert len(prepare(recs, tmp_path / "st", jobs=1, overwrite=True)) > 0
    assert (tmp_path / "st" / "my_notes.txt").read_text() == "mine"   # kept, not deleted


def test_widened_selection_adds_subjects(tmp_path):
    """More subjects (or all) with every other setting unchanged extend the store in place."""
    recs = make_recordings(n_subjects=3)
    one = prepare(recs, tmp_path / "st", jobs=1, subjects=["01"])
    assert set(one.index["subject"]) == {"1"}
    rows1 = one.load("de")
    two = prepare(recs, tmp_path / "st", jobs=1, subjects=["2", "1"])      # order, leading zero
    assert two.summary["computed"] == 1 and two.summary["skipped"] == 1
    assert set(two.index["subject"]) == {"1", "2"} and two.config.subjects == ("2", "1")
    np.testing.assert_array_equal(two.load("de", two.index["subject"] == "1"), rows1)
    every = prepare(recs, tmp_path / "st", jobs=1)                         # all subjects
    assert every.summary["computed"] == 1 and set(every.index["subject"]) == {"1", "2", "3"}
    fresh = prepare(recs, tmp_path / "fresh", jobs=1)
    np.testing.assert_array_equal(every.load("de"), fresh.load("de"))
    assert every.manifest["config_hash"] == fresh.manifest["config_hash"]
    for kw in ({"subjects": ["1"]}, {"subjects": ["1", "2", "3"], "window": 2.0}):
        with pytest.raises(ConfigurationError, match="another configuration"):
            prepare(recs, tmp_path / "st", jobs=1, **kw)    # narrower, or another setting too


def test_a_failed_widening_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    recs = make_recordings(n_subjects=3)
    one = prepare(recs, tmp_path / "st", jobs=1, subjects=["1"])
    before = one.manifest["config_hash"]
    monkeypatch.setenv("EEGEMO_TEST_FAIL", "seed-3-s1-3_2013:1")   # subject 2 is added, 3 fails
    with pytest.raises(RuntimeError, match="simulated crash"):
        prepare(recs, tmp_path / "st", jobs=1, subjects=["1", "2", "3"])
    monkeypatch.delenv("EEGEMO_TEST_FAIL")
    st = open_store(tmp_path / "st")
    assert st.manifest["config_hash"] == before and set(st.index["subject"]) == {"1"}
    assert prepare(recs, tmp_path / "st", jobs=1, subjects=["1"]).summary["computed"] == 0
    assert set(prepare(recs, tmp_path / "st", jobs=1).index["subject"]) == {"1", "2", "3"}


def test_changed_source_recomputed(tmp_path):
    recs = make_recordings(n_subjects=2)
    prepare(recs, tmp_path / "st", jobs=1)
    recs[1].trials[0].data = recs[1].trials[0].data * 2
    st = prepare(recs, tmp_path / "st", jobs=1)
    assert st.summary["computed"] == 1 and st.summary["skipped"] == 1


@pytest.mark.parametrize("kw, match", [
    ({"bands": "gamma:31-120"}, "Nyquist"),
    ({"window": 8.0}, "shorter than the window"),
    ({"overlap": 1.0}, "overlap"),
    ({"features": ("de", "wavelet")}, "features must be among"),
    ({"smoothing": "kalman"}, "smoothing"),
    ({"windw": 1.0}, "unknown setting"),
])
def test_bad_configurations(tmp_path, kw, match):
    with pytest.raises(ConfigurationError, match=match):
        prepare(make_recordings(n_subjects=1), tmp_path / "st", jobs=1, **kw)
    assert not (tmp_path / "st" / "manifest.json").exists()


def test_mismatched_recordings_refused(tmp_path):
    recs = make_recordings(n_subjects=1) + make_recordings(n_subjects=1, n_ch=10)
    with pytest.raises(DataFormatError, match="channels differ"):
        prepare(recs, tmp_path / "st", jobs=1)


def test_config_json_roundtrip_and_hash(tmp_path):
    cfg = PrepareConfig(bands="alpha:8-14,beta:14-31", smoothing="moving-average", grid="none",
                        features="de,psd")
    again = PrepareConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg and again.config_hash() == cfg.config_hash()
    assert cfg.smoothing == "moving_average" and cfg.grid is None and cfg.features == ("de", "psd")
    assert PrepareConfig(window=2).config_hash() != PrepareConfig().config_hash()
    # images: at most 256 pixels a side when a store is prepared, said before any work (5000 was
    # killed for memory); a configuration read back (an older store's, in a run) keeps its size
    assert PrepareConfig.from_dict(PrepareConfig(image_size=300).to_dict()).image_size == 300
    with pytest.raises(ConfigurationError, match=r"image_size must be at most 256 pixels a side, found 5000 "
                       r"\(2 band\(s\) x 1 feature\(s\)"):
        prepare([], tmp_path / "big", image_size=5000, bands="alpha:8-14,beta:14-31")
    assert not (tmp_path / "big").exists()


def test_read_options_are_part_of_the_configuration():
    plain = PrepareConfig()
    # absent from the JSON when unset, so stores prepared before the field existed keep their hash
    assert "read_options" not in plain.to_dict() and PrepareConfig(read_options={}) == plain
    labelled = PrepareConfig(read_options={"labels": ("T1", "T2"), "duration": 4})
    assert labelled.read_options == {"duration": 4, "labels": ["T1", "T2"]}
    assert labelled.config_hash() != plain.config_hash()
    assert PrepareConfig.from_dict(json.loads(labelled.to_json())) == labelled
    with pytest.raises(ConfigurationError, match="cannot set"):
        PrepareConfig(read_options={"kind": "raw"})
    with pytest.raises(ConfigurationError, match="JSON values"):
        PrepareConfig(read_options={"sidecar": Path("x.tsv")})


def test_process_pool_and_dask_match_serial(tmp_path):
    recs = make_recordings(n_subjects=3)
    serial = prepare(recs, tmp_path / "serial", jobs=1)
    pool = prepare(recs, tmp_path / "pool", jobs=2)
    assert_same_store(pool, serial)
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        # an address (as from the CLI): eegemo's own client, which is not dask's default one
        by_address = prepare(recs, tmp_path / "addr", scheduler=cluster.scheduler_address)
        with Client(cluster) as client:
            dask_store = prepare(recs, tmp_path / "dask", scheduler=client)
    assert_same_store(dask_store, serial)
    assert_same_store(by_address, serial)
    assert dask_store.summary["jobs"] == "dask"


_DASK_EVENTS: list[str] = []


def _counted_process_payload(*args, **kwargs):
    from eegemo.store._compute import process_payload

    out = process_payload(*args, **kwargs)
    _DASK_EVENTS.append("done")
    return out


def test_dask_prepare_pickles_a_few_recordings_at_a_time(tmp_path, monkeypatch):
    """In-memory recordings are pickled for Dask as tasks are submitted, a few in flight (twice
    the cluster's threads, at least 4), not all at once; the store equals a serial one."""
    from distributed import LocalCluster

    from eegemo.store import _prepare

    recs = make_recordings(n_subjects=8)
    events = _DASK_EVENTS
    events.clear()
    payload = _prepare._payload

    def counted_payload(rec):           # runs here: a closure will do
        events.append("pickled")
        return payload(rec)

    monkeypatch.setattr(_prepare, "_payload", counted_payload)
    # runs on the worker: Dask serialises the task even in-process, so a module-level function
    monkeypatch.setattr(_prepare, "process_payload", _counted_process_payload)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        dask_store = prepare(recs, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert events.count("pickled") == events.count("done") == 8
    in_flight = np.cumsum([1 if e == "pickled" else -1 for e in events])
    assert in_flight.max() <= 4                          # max(4, 2 x 1 thread), never 8 at once
    assert_same_store(dask_store, prepare(recs, tmp_path / "serial", jobs=1))


def test_one_prepare_per_store_and_no_silent_shrinking(tmp_path):
    """A second prepare on a store being written is refused; a source lacking some of the store's
    recordings is refused without --overwrite instead of deleting them."""
    import fcntl

    recs = make_recordings(n_subjects=2)
    out = tmp_path / "s"
    with open(tmp_path / ".s.lock", "a") as fh:        # another prepare holds the store
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(ConfigurationError, match="another eegemo prepare is writing"):
            prepare(recs, out, jobs=1)
        fcntl.flock(fh, fcntl.LOCK_UN)
    store = prepare(recs, out, jobs=1)
    rows = len(store.index)
    assert not (tmp_path / ".s.lock").exists()          # removed when released: no clutter
    with pytest.raises(ConfigurationError):
        prepare(recs, tmp_path / "afile.txt", jobs=1, window=-1)   # refused early: no lock left
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with pytest.raises(ConfigurationError, match="holds 1 recording.*that this source does not"):
        prepare(recs[:1], out, jobs=1)
    assert len(open_store(out).index) == rows           # nothing removed
    assert len(prepare(recs[:1], out, jobs=1, overwrite=True).index) < rows


def test_repeated_keys_stay_distinct():
    from eegemo.store._prepare import _unique_keys

    recs = make_recordings(n_subjects=1) * 2 + make_recordings(n_subjects=1)
    recs[2] = Recording(dataset="seed", subject="1", session=1, trials=recs[2].trials,
                        label_names=recs[2].label_names, source=Path("/nonexistent/1_2013-2.mat"))
    keys = _unique_keys(recs)
    assert len(set(keys)) == 3 and keys[2] == "seed-1-s1-1_2013-2" and keys[1] != keys[2]


def test_unlabelled_trials_are_left_out_not_stored_as_a_class(tmp_path, caplog):
    """SEED codes negative as -1: an unlabelled trial must not become one."""
    rec = make_recordings(n_subjects=1, n_trials=4)[0]
    rec.label_names = {-1: "negative", 0: "neutral", 1: "positive"}
    for t, lab in zip(rec.trials, (-1, None, 1, 0)):
        t.label = lab
    with caplog.at_level("WARNING", logger="eegemo"):
        st = prepare([rec], tmp_path / "s", jobs=1)
    assert sorted(st.index["trial"].unique()) == [1, 3, 4]
    assert st.index.groupby("trial")["label"].first().to_dict() == {1: -1, 3: 1, 4: 0}
    assert "1 trial(s) without a label left out of the store (trials 2)" in caplog.text
    for t in rec.trials:
        t.label = None
    with pytest.raises(DataFormatError, match="no labelled trials to store"):
        prepare([rec], tmp_path / "s2", jobs=1)
    assert not (tmp_path / "s2").exists()     # no half store that claims an interrupted run


def test_float32_trial_with_a_flat_channel(tmp_path, caplog):
    rec = make_recordings(n_subjects=1)[0]
    for t in rec.trials:
        t.data = t.data.astype(np.float32)
        t.data[0] = 0.0
    with caplog.at_level("WARNING", logger="eegemo"):
        de = prepare([rec], tmp_path / "s", jobs=1).load("de")
    assert np.isfinite(de).all() and de[:, 0].max() < -300        # the documented tiny floor
    assert "18 window(s) in 3 trial(s) carry no signal in channel(s) FP1 " in caplog.text


def test_a_zero_filled_second_does_not_pull_the_trial(tmp_path, caplog):
    """One window without signal (a dropout filled with zeros) gets a DE floored relative to its
    channel, so that LDS smoothing does not shift the trial's other windows, and is warned about;
    warnings of worker processes reach the user too (jobs=2)."""
    recs = make_recordings(n_subjects=2, seconds=(20.0,))
    clean = prepare(recs, tmp_path / "clean", jobs=1, smoothing="lds").load("de")
    for r in recs:
        r.trials[1].data = r.trials[1].data.copy()
        r.trials[1].data[3, int(10 * SFREQ):int(11 * SFREQ)] = 0.0      # window 10 of trial 2
    with caplog.at_level("WARNING", logger="eegemo"):
        st = prepare(recs, tmp_path / "gap", jobs=2, smoothing="lds")
    assert caplog.text.count("1 window(s) in 1 trial(s) carry no signal in channel(s) "
                             f"{CH[3]}") == 2                  # once per recording, not lost
    de, idx = st.load("de"), st.index
    hit = ((idx.trial == 2) & (idx.window == 10)).to_numpy()
    others = (idx.trial == 2).to_numpy() & ~hit
    shift = np.abs(de[others][:, 3] - clean[others][:, 3])
    assert shift.max() < 0.5     # 6.9 nats / 20 windows through the trial-mean prior; was ~17
    assert (de[~others & ~hit] == clean[~others & ~hit]).all()   # other trials untouched




def test_a_broken_worker_pool_says_why(tmp_path, monkeypatch):
    import sys
    import types

    from eegemo._processes import broken_pool_error

    script = tmp_path / "job.py"
    script.write_text("from eegemo.store import prepare\nprepare('SEED', 'st', jobs=2)\n")
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__file__=str(script)))
    msg = str(broken_pool_error("prepare st"))
    assert "if __name__ ==" in msg and str(script) in msg and "\n" not in msg
    script.write_text("if __name__ == '__main__':\n    pass\n")
    assert "out of memory" in str(broken_pool_error("prepare st"))
    # `python -m eegemo.cli`: the CLI's own __main__.py is not a user's unguarded script
    import importlib.util

    spec = importlib.util.find_spec("eegemo.cli.__main__")
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__file__=spec.origin,
                                                                       __spec__=spec))
    assert "out of memory" in str(broken_pool_error("prepare st"))


def test_a_changed_label_file_is_seen_and_recomputed(tmp_path):
    """label.mat (and any file a recording is read with) is part of its source fingerprint."""
    import scipy.io

    from eegemo.datasets.simulate import simulate

    data = simulate("seed", tmp_path / "sim", subjects=1, sessions=1, duration_scale=0.02,
                    random_state=0)
    src = Path(data) / "Preprocessed_EEG"
    store = prepare(src, tmp_path / "st", features=("de",), jobs=1)
    before = store.index.groupby("trial")["label"].first().to_numpy()
    labels = scipy.io.loadmat(src / "label.mat")["label"]
    scipy.io.savemat(src / "label.mat", {"label": -labels})
    assert open_store(tmp_path / "st").check_sources() == [store.manifest["recordings"][0]["key"]]
    after = prepare(src, tmp_path / "st", features=("de",), jobs=1)
    np.testing.assert_array_equal(after.index.groupby("trial")["label"].first().to_numpy(), -before)
    assert after.check_sources() == []


def test_a_failed_overwrite_keeps_the_old_store_and_a_damaged_index_is_recomputed(tmp_path):
    recs = make_recordings(n_subjects=2)
    out = tmp_path / "s"
    store = prepare(recs, out, jobs=1)
    rows = len(store.index)
    bad = make_recordings(n_subjects=2, seconds=(0.2,))      # trials shorter than a window
    with pytest.raises(ConfigurationError):
        prepare(bad, out, jobs=1, overwrite=True, window=2.0)
    assert len(open_store(out).index) == rows and not list(tmp_path.glob(".s.old-*"))
    # a truncated per-recording index: the next prepare recomputes that recording
    key = store.manifest["recordings"][0]["key"]
    part = out / "recordings" / f"{key}.zarr" / "index.parquet"
    part.write_bytes(part.read_bytes()[:40])
    again = prepare(recs, out, jobs=1)
    assert len(again.index) == rows and again.summary["computed"] == 1
    # an array's metadata deleted by hand: recomputed too, not reported as already there
    (out / "recordings" / f"{key}.zarr" / "de" / "zarr.json").unlink()
    again = prepare(recs, out, jobs=1)
    assert again.summary["computed"] == 1
    np.testing.assert_array_equal(again.load("de"), store.load("de"))


def test_a_killed_overwrite_is_undone_by_the_next_prepare(tmp_path):
    """SIGKILL during --overwrite leaves the earlier store set aside: the next prepare puts it back
    (or, where the new store was finished, removes the leftover)."""
    import os
    import shutil

    recs = make_recordings(n_subjects=2)
    out = tmp_path / "s"
    ref = prepare(recs, out, jobs=1)
    rows = len(ref.index)
    # what a kill leaves: the old store renamed aside, a half-written new one in its place
    aside = tmp_path / ".s.old-deadbeef"
    os.rename(out, aside)
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"format": "eegemo-store", "complete": False}))
    half = {**json.loads((aside / "manifest.json").read_text()), "complete": False}
    (out / "manifest.json").write_text(json.dumps(half))
    with pytest.raises(ConfigurationError, match=r"incomplete.*set the earlier store aside as "
                       r"\.s\.old-deadbeef, which the next prepare into s puts back first"):
        open_store(out)                                 # what train/info say meanwhile
    again = prepare(recs, out, jobs=1)                  # the old settings: resumed, not refused
    assert len(again.index) == rows and again.summary["computed"] == 0
    assert not aside.exists()
    assert_same_store(again, ref)
    # finished new store, leftover copy: removed
    shutil.copytree(out, aside)
    prepare(recs, out, jobs=1)
    assert not aside.exists() and len(open_store(out).index) == rows


def test_a_store_set_aside_by_a_killed_overwrite_is_named_where_the_store_is_missing(tmp_path):
    """Killed before the new store's folder was made: the store path is missing and the earlier
    store lies beside it as .<name>.old-*; reading names it, and the next prepare puts it back."""
    import os

    recs = make_recordings(n_subjects=1)
    out = tmp_path / "s"
    ref = prepare(recs, out, jobs=1)
    os.rename(out, tmp_path / ".s.old-deadbeef")
    with pytest.raises(DataFormatError) as err:
        open_store(out)
    msg = str(err.value)
    assert msg.startswith(f"{out}: path not found") and len(msg.splitlines()) == 1
    assert "set the earlier store aside as .s.old-deadbeef" in msg and \
        "the next `eegemo prepare` into s puts back first" in msg
    again = prepare(recs, out, jobs=1)
    assert again.summary["computed"] == 0 and not (tmp_path / ".s.old-deadbeef").exists()
    assert_same_store(again, ref)
    # a plain missing path says nothing more
    with pytest.raises(DataFormatError, match=r"path not found \(expected a store folder"):
        open_store(tmp_path / "other")


def test_a_failure_while_adding_to_a_whole_store_keeps_it_usable(tmp_path, monkeypatch):
    recs = make_recordings(n_subjects=3)
    out = tmp_path / "s"
    rows = len(prepare(recs[:2], out, jobs=1).index)
    monkeypatch.setenv("EEGEMO_TEST_FAIL", "seed-3-s1-3_2013:1")   # the new recording fails
    with pytest.raises(RuntimeError, match="simulated crash"):
        prepare(recs, out, jobs=1)
    monkeypatch.delenv("EEGEMO_TEST_FAIL")
    assert len(open_store(out).index) == rows           # still whole: train/info work
    # Ctrl-C while adding leaves it whole too
    from eegemo.store import _prepare

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(_prepare, "process_recording", interrupted)
        with pytest.raises(KeyboardInterrupt):
            prepare(recs, out, jobs=1)
    assert len(open_store(out).index) == rows
    assert prepare(recs, out, jobs=1).summary["computed"] == 1   # and the fixed source adds it


def test_a_manifest_with_a_damaged_structure_needs_overwrite(tmp_path):
    recs = make_recordings(n_subjects=1)
    out = tmp_path / "s"
    prepare(recs, out, jobs=1)
    man = json.loads((out / "manifest.json").read_text())
    for bad in ({**man, "recordings": 5}, None, 3):
        (out / "manifest.json").write_text(json.dumps(bad))
        with pytest.raises(ConfigurationError, match="not a readable eegemo store manifest"):
            prepare(recs, out, jobs=1)
    assert len(prepare(recs, out, jobs=1, overwrite=True).index) > 0


def test_prepare_refuses_to_resume_a_store_of_a_newer_format(tmp_path):
    """A store of a newer format is refused as reading refuses it, before anything is written,
    not resumed and written back as this eegemo's format."""
    recs = make_recordings(n_subjects=1)
    out = tmp_path / "s"
    prepare(recs, out, jobs=1)
    man = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**man, "format_version": 99}))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(DataFormatError) as read:
        open_store(out)
    with pytest.raises(DataFormatError) as err:
        prepare(recs, out, jobs=1)
    assert str(err.value) == str(read.value)
    assert str(err.value).startswith(str(out / "manifest.json")) and "newer than this eegemo" in \
        str(err.value) and len(str(err.value).splitlines()) == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(q.name for q in tmp_path.iterdir()) == ["s"]
    # a format_version that is no integer is a damaged manifest: --overwrite rebuilds it
    (out / "manifest.json").write_text(json.dumps({**man, "format_version": "one"}))
    with pytest.raises(ConfigurationError, match="not a readable eegemo store manifest"):
        prepare(recs, out, jobs=1)
    assert len(prepare(recs, out, jobs=1, overwrite=True).index) > 0


def test_workers_of_another_eegemo_version_are_refused(monkeypatch):
    """Workers that run another eegemo version would compute another version's windows."""
    distributed = pytest.importorskip("distributed")
    from eegemo import _dask

    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        client = _dask.connect(cluster, timeout=10)       # the same version: accepted
        client.close()
        monkeypatch.setattr(_dask, "_local_version", lambda: "0.0.0-other")
        with pytest.raises(ConfigurationError, match=r"another eegemo \(expected "
                           r"0\.0\.0-other, found [^ ]+ \(source [0-9a-f]{12}\) on "
                           r"(tcp|inproc)://"):
            _dask.connect(cluster.scheduler_address, timeout=10)

        def broken():
            raise ModuleNotFoundError("No module named 'eegemo'")

        monkeypatch.setattr(_dask, "_eegemo_version", broken)
        with pytest.raises(ConfigurationError, match=r"Dask worker (tcp|inproc)://\S+ cannot run "
                           r"eegemo \(ModuleNotFoundError"):
            _dask.connect(cluster.scheduler_address, timeout=10)


def test_a_worker_joining_after_the_check_is_refused_on_its_first_task(tmp_path, monkeypatch):
    """Workers connected when eegemo connects are checked at once; one that joins later (adaptive
    scaling) is checked by each task before it runs: prepare and train refuse it in one line, and
    no run folder or half-written recording is left as if it were this eegemo's."""
    distributed = pytest.importorskip("distributed")
    from sklearn.linear_model import LogisticRegression

    from eegemo import _dask
    from eegemo.evaluation import run

    recs = make_recordings(n_subjects=2)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        store = prepare(recs, tmp_path / "store", scheduler=cluster.scheduler_address)
        # as if the only worker had joined after the check at connection, running another eegemo
        monkeypatch.setattr(_dask, "check_workers", lambda client: None)
        monkeypatch.setattr(_dask, "_local_version", lambda: "0.0.0-other")
        pattern = (r"Dask worker (tcp|inproc)://\S+ runs another eegemo \(expected 0\.0\.0-other, "
                   r"found [^ ]+ \(source [0-9a-f]{12}\); it joined after")
        with pytest.raises(ConfigurationError, match=pattern):
            prepare(recs, tmp_path / "other", scheduler=cluster.scheduler_address)
        with pytest.raises(ConfigurationError, match=pattern):
            run(store, LogisticRegression(max_iter=200), "loso", tmp_path / "run",
                scheduler=cluster.scheduler_address)
    assert not (tmp_path / "run").exists()
    assert len(open_store(tmp_path / "store").index) == len(store.index)


def test_masks_align_by_index_and_torch_serves_class_indices(tmp_path, caplog):
    """A boolean Series of a sorted or filtered frame of store.index selects the rows it is true
    for (pandas' alignment, not positions); to_torch serves class indices 0..n-1 numbered over the
    whole store (SEED's -1/0/1 → 0/1/2), or the codes with target='code'."""
    recs = make_recordings(n_subjects=2)
    for r in recs:
        for t in r.trials:
            t.label -= 1                                  # codes -1, 0, 1 as SEED's
    store = prepare(recs, tmp_path / "st", jobs=1)
    idx, full = store.index, store.load("de")
    want = np.flatnonzero((idx.subject == "2").to_numpy())
    shuffled = idx.sort_values(["label", "trial"])       # another order, the same index labels
    np.testing.assert_array_equal(store.load("de", shuffled.subject == "2"), full[want])
    np.testing.assert_array_equal(store.labels(shuffled.subject == "2"), store.labels(want))
    part = idx[idx.trial == 1]                           # a filtered frame: other rows unselected
    np.testing.assert_array_equal(store.load("de", part.subject == "2"),
                                  full[np.flatnonzero(((idx.subject == "2") & (idx.trial == 1))
                                                      .to_numpy())])
    with caplog.at_level("WARNING", logger="eegemo"):
        assert store.load("de", idx.subject == 2).shape[0] == 0      # ids are strings
    assert "selects no row (subject ids and other index columns are strings" in caplog.text
    renumbered = idx[idx.subject == "2"].reset_index(drop=True)   # its labels are no rows
    with pytest.raises(ConfigurationError, match="cannot be matched to the store's"):
        store.load("de", renumbered.label == 1)
    foreign = pd.Series(True, index=np.arange(len(idx)) + 10_000)
    with pytest.raises(ConfigurationError, match="must be indexed by the store's row numbers"):
        store.load("de", foreign)
    # class indices by default, over the whole store: subject 2 alone numbers them alike
    ds = store.to_torch("de", rows=shuffled.subject == "2")
    assert ds.classes.tolist() == [-1, 0, 1]
    served = np.array([int(ds[i][1]) for i in range(len(ds))])
    np.testing.assert_array_equal(served, store.labels(want) + 1)
    codes = store.to_torch("de", rows=want, target="code", shuffle=True, random_state=0)
    assert sorted(int(y) for _, y in codes) == sorted(store.labels(want).tolist())
    with pytest.raises(ConfigurationError, match="target must be 'index'"):
        store.to_torch("de", target="onehot")


def test_one_recording_given_twice_is_refused_before_anything_is_written(tmp_path):
    """A copy of a file in another folder (or a renamed copy, or a link) is the same recording:
    stored twice, its trials would sit on both sides of every split (a reviewer found accuracy
    0.61 → 0.82 from one copied eegmmidb run). Refused in one line naming both; nothing is
    written. Several recordings read from one file are not copies."""
    import shutil

    import mne

    info = mne.create_info(["Fz", "Cz", "Pz"], 100.0, "eeg")
    x = np.random.default_rng(0).normal(0, 1e-5, (3, 3000))
    raw = mne.io.RawArray(x, info, verbose="error")
    raw.set_annotations(mne.Annotations([1, 6, 11, 16], [4, 4, 4, 4], ["a", "b", "a", "b"]))
    (tmp_path / "src" / "one").mkdir(parents=True)
    (tmp_path / "src" / "two").mkdir()
    raw.save(tmp_path / "src" / "one" / "s1_raw.fif", verbose="error")
    mne.io.RawArray(x[::-1].copy(), info, verbose="error").set_annotations(raw.annotations).save(
        tmp_path / "src" / "one" / "s2_raw.fif", verbose="error")        # another recording
    shutil.copy2(tmp_path / "src" / "one" / "s1_raw.fif", tmp_path / "src" / "two" / "s1_raw.fif")
    out = tmp_path / "st"
    with pytest.raises(DataFormatError, match=r"two/s1_raw.fif: the same recording as \S+one/"
                       r"s1_raw.fif \(identical bytes\).*both sides of a split"):
        prepare(tmp_path / "src", out, jobs=1)
    assert not out.exists()
    # in-memory recordings of the same data: the same refusal
    recs = make_recordings(n_subjects=1)
    twin = make_recordings(n_subjects=1)[0]
    twin.subject = "9"
    with pytest.raises(ConfigurationError, match=r"recording of subject 9 session 1 holds the "
                       r"same data as that of subject 1 session 1 \(in-memory"):
        prepare([recs[0], twin], tmp_path / "mem", jobs=1)
    # headers alike naming other data (BrainVision .vhdr beside its own .eeg) are no copies
    bv = tmp_path / "bv"
    vhdr = ("Brain Vision Data Exchange Header File Version 1.0\n[Common Infos]\n"
            "DataFile=rec.eeg\nMarkerFile=rec.vmrk\nDataFormat=BINARY\n"
            "DataOrientation=MULTIPLEXED\nNumberOfChannels=3\nSamplingInterval=10000\n"
            "[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n[Channel Infos]\n"
            + "".join(f"Ch{i + 1}={n},,1,µV\n" for i, n in enumerate(["Fz", "Cz", "Pz"])))
    vmrk = ("Brain Vision Data Exchange Marker File, Version 1.0\n[Common Infos]\n"
            "DataFile=rec.eeg\n[Marker Infos]\n"
            + "".join(f"Mk{k + 1}=Stimulus,{d},{int(o * 100) + 1},400,0\n"
                      for k, (o, d) in enumerate(zip([1, 6, 11, 16], "abab"))))
    for sub, seed in (("S01", 0), ("S02", 1)):
        (bv / sub).mkdir(parents=True)
        (bv / sub / "rec.vhdr").write_text(vhdr)
        (bv / sub / "rec.vmrk").write_text(vmrk)
        sig = np.random.default_rng(seed).normal(0, 10, (3000, 3)).astype("<f4")
        (bv / sub / "rec.eeg").write_bytes(sig.tobytes())
    assert len(prepare(bv, tmp_path / "bvstore", jobs=1).manifest["recordings"]) == 2
    # distinct recordings are fine
    (tmp_path / "src" / "two" / "s1_raw.fif").unlink()
    assert len(prepare(tmp_path / "src", out, jobs=1).manifest["recordings"]) == 2
