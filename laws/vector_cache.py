"""Passage vectors cached by text digest, one folder per embedder, shared by every import.

A shard is two files written whole: `<name>.vectors.npy` (float16) and then `<name>.keys.npy`
(16-byte digests, one row each); a shard whose keys file is missing was interrupted and is ignored. Shards are
only added, so two processes (CI's SQLite run, then its PostgreSQL run) can share one folder:
the second finds the first's vectors and embeds nothing."""

import hashlib
import os
import re
import time
from pathlib import Path

import numpy as np

KEY_BYTES = 16


def passage_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=KEY_BYTES).digest()


def _folder_name(embedder_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_name)


class VectorCache:
    def __init__(self, directory: Path, embedder_name: str):
        self.directory = Path(directory) / _folder_name(embedder_name)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.where: dict[bytes, tuple[int, int]] = {}
        self.shards: list[np.ndarray] = []
        for keys_path in sorted(self.directory.glob("*.keys.npy")):
            vectors_path = keys_path.with_name(keys_path.name.replace(".keys.", ".vectors."))
            try:
                keys = np.load(keys_path)
                vectors = np.load(vectors_path, mmap_mode="r")
            except (OSError, ValueError):
                continue  # a damaged shard: its passages are embedded again
            self._add(keys, vectors)

    def _add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        shard = len(self.shards)
        self.shards.append(vectors)
        for row, key in enumerate(keys):
            self.where[bytes(key)] = (shard, row)

    def __contains__(self, key: bytes) -> bool:
        return key in self.where

    def __len__(self) -> int:
        return len(self.where)

    def put(self, keys: list[bytes], vectors: np.ndarray) -> None:
        if not keys:
            return
        stem = f"{time.time_ns()}-{os.getpid()}"
        vectors = np.ascontiguousarray(vectors, dtype=np.float16)
        # Raw bytes, not numpy's "S" strings, which drop a digest's trailing zero bytes.
        keys_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, KEY_BYTES)
        for suffix, array in (("vectors", vectors), ("keys", keys_array)):
            tmp = self.directory / f"{stem}.{suffix}.tmp.npy"
            np.save(tmp, array)
            tmp.replace(self.directory / f"{stem}.{suffix}.npy")
        self._add(keys_array, vectors)

    def get(self, keys: list[bytes]) -> np.ndarray:
        """The vectors of keys, in order (every key must be cached)."""
        if not keys:
            return np.zeros((0, 0), dtype=np.float16)
        dim = self.shards[self.where[keys[0]][0]].shape[1]
        out = np.empty((len(keys), dim), dtype=np.float16)
        for i, key in enumerate(keys):
            shard, row = self.where[key]
            out[i] = self.shards[shard][row]
        return out
