"""PyTorch views of a store (imported only when :meth:`Store.to_torch` is called)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

__all__ = ["StoreDataset", "ShuffledStoreDataset"]


def _targets(store, rows: np.ndarray, target: str) -> tuple[np.ndarray, np.ndarray]:
    """The labels served for ``rows`` and the store's label codes in index order (``classes``):
    ``target="index"`` serves 0..n_classes-1 (the position of each code among all of the store's
    codes, so any subset of rows numbers them alike), ``"code"`` the codes themselves."""
    codes = store.labels(rows)
    classes = np.unique(store.labels())
    return (np.searchsorted(classes, codes) if target == "index" else codes), classes


def _pair(x: np.ndarray, y: int, transform: Callable | None):
    if transform is not None:
        x = transform(x)
    return torch.as_tensor(np.asarray(x, dtype=np.float32)), torch.tensor(int(y), dtype=torch.int64)


class StoreDataset(Dataset):
    """Rows of one store array as ``(float32 tensor, int64 label)`` pairs, read lazily.

    Parameters
    ----------
    store : Store
    name : str
        Array name.
    rows : ndarray of int
        Global rows served, in order.
    transform : callable | None
        Applied to each sample (NumPy array) before conversion to a tensor.
    target : {"index", "code"}
        Labels served: class indices 0..n_classes-1 (default) or the store's label codes.

    Attributes
    ----------
    classes : ndarray of int64
        The store's label codes; class index ``i`` is code ``classes[i]``.
    """

    def __init__(self, store, name: str, rows: np.ndarray, transform: Callable | None = None,
                 target: str = "index"):
        self.store = store
        self.name = name
        self.rows = np.asarray(rows, dtype=np.int64)
        self.transform = transform
        self.labels, self.classes = _targets(store, self.rows, target)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int):
        x = self.store.load(self.name, self.rows[[i]])[0]
        return _pair(x, self.labels[i], self.transform)

    def __getitems__(self, idx: list[int]):
        idx = np.asarray(idx, dtype=np.int64)
        xs = self.store.load(self.name, self.rows[idx])
        return [_pair(x, y, self.transform) for x, y in zip(xs, self.labels[idx], strict=True)]


class ShuffledStoreDataset(IterableDataset):
    """Rows of one store array in a shuffled order that decompresses each chunk once per pass.

    Each pass puts the chunks the rows fall in into a random order, reads them ``buffer_chunks``
    chunks at a time (one grouped read) and serves the rows of each such buffer in a random
    order: rows of ``buffer_chunks`` chunks from anywhere in the store are mixed, and each chunk
    is decompressed once per pass, where a shuffled map-style DataLoader decompresses most chunks
    for every batch.

    Parameters
    ----------
    store : Store
    name : str
        Array name.
    rows : ndarray of int
        Global rows served (each once per pass).
    transform : callable | None
        Applied to each sample (NumPy array) before conversion to a tensor.
    buffer_chunks : int
        Chunks read and shuffled together (a chunk holds about 1 MiB of float32 rows).
    random_state : int | None
        Seed of the orders; pass ``p`` of a run uses ``(random_state, p)``. None draws a seed
        once, when the dataset is made.
    target : {"index", "code"}
        Labels served: class indices 0..n_classes-1 (default) or the store's label codes.

    Attributes
    ----------
    classes : ndarray of int64
        The store's label codes; class index ``i`` is code ``classes[i]``.

    Notes
    -----
    Passes are counted per process: with ``DataLoader(num_workers > 0)`` call
    :meth:`set_epoch` before each epoch (as with PyTorch's ``DistributedSampler``), or every epoch
    repeats the first one's order. The workers share the buffers of a pass between them.
    """

    def __init__(self, store, name: str, rows: np.ndarray, transform: Callable | None = None,
                 buffer_chunks: int = 64, random_state: int | None = None,
                 target: str = "index"):
        self.store = store
        self.name = name
        self.rows = np.asarray(rows, dtype=np.int64)
        self.transform = transform
        self.buffer_chunks = buffer_chunks
        self.labels, self.classes = _targets(store, self.rows, target)
        self.seed = (int(np.random.SeedSequence().entropy % 2**63) if random_state is None
                     else int(random_state))
        self.epoch = 0
        self._chunks = self._chunk_ids()

    def _chunk_ids(self) -> np.ndarray:
        """Per served row, a number that is the same for rows stored in the same chunk."""
        store = self.store
        rec = np.searchsorted(store._offsets, self.rows, side="right") - 1
        local = self.rows - store._offsets[rec]
        sizes = np.array([max(1, int(store._array(key, self.name).chunks[0]))
                          for key in store._keys], dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(-(-np.diff(store._offsets) // sizes))])
        return first[rec] + local // sizes[rec]

    def __len__(self) -> int:
        return len(self.rows)

    def set_epoch(self, epoch: int) -> None:
        """Use the order of pass ``epoch`` for the next pass (needed with DataLoader workers)."""
        self.epoch = int(epoch)

    def buffers(self, epoch: int) -> list[np.ndarray]:
        """Positions in ``rows`` served by pass ``epoch``, buffer by buffer, in serving order."""
        rng = np.random.default_rng([self.seed, epoch])
        uniq, inverse = np.unique(self._chunks, return_inverse=True)
        by_chunk = np.split(np.argsort(inverse, kind="stable"),
                            np.cumsum(np.bincount(inverse, minlength=len(uniq)))[:-1])
        order = rng.permutation(len(uniq))
        out = [np.concatenate([by_chunk[c] for c in order[i:i + self.buffer_chunks]])
               for i in range(0, len(order), self.buffer_chunks)]
        return [rng.permutation(pos) for pos in out]

    def __iter__(self) -> Iterator:
        epoch = self.epoch
        self.epoch += 1
        info = get_worker_info()
        buffers = self.buffers(epoch)
        if info is not None:       # each worker serves every num_workers-th buffer
            buffers = buffers[info.id::info.num_workers]
        for pos in buffers:       # load reads each chunk of a buffer once, whatever the order
            xs = self.store.load(self.name, self.rows[pos])
            for x, y in zip(xs, self.labels[pos], strict=True):
                yield _pair(x, y, self.transform)
