"""PyTorch view of a store (imported only when :meth:`Store.to_torch` is called)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["StoreDataset"]


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
    """

    def __init__(self, store, name: str, rows: np.ndarray, transform: Callable | None = None):
        self.store = store
        self.name = name
        self.rows = np.asarray(rows, dtype=np.int64)
        self.transform = transform
        self.labels = store.labels(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def _pair(self, x: np.ndarray, y: int):
        if self.transform is not None:
            x = self.transform(x)
        return torch.as_tensor(np.asarray(x, dtype=np.float32)), torch.tensor(int(y), dtype=torch.int64)

    def __getitem__(self, i: int):
        x = self.store.load(self.name, self.rows[[i]])[0]
        return self._pair(x, self.labels[i])

    def __getitems__(self, idx: list[int]):
        idx = np.asarray(idx, dtype=np.int64)
        xs = self.store.load(self.name, self.rows[idx])
        return [self._pair(x, y) for x, y in zip(xs, self.labels[idx])]
