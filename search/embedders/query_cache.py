"""A process-wide LRU of query vectors, in front of any Embedder.

Search-as-you-type, popular terms and every visitor of a regional widget send the same query
texts again and again; the model costs tens of milliseconds per query, a dictionary lookup
microseconds. The cache is keyed by (embedder name, normalised text), bounded in entries and in
bytes, and shared by every thread (and every engine) of a process. Documents are never cached:
they are embedded once per content hash anyway.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from search.embedders.base import Embedder, Progress

# A key's text counts towards the byte bound too; a query is capped at 500 characters upstream.
_ENTRY_OVERHEAD = 200


def normalise_query(text: str) -> str:
    """The form a query is embedded and cached under: NFC, single spaces, no edges.

    Nothing that changes what the model sees beyond what the search service already does
    (it collapses whitespace): case and accents stay, since the models read them.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


class QueryCache:
    """A thread-safe LRU of (embedder name, text) -> read-only float32 vector."""

    def __init__(self, max_entries: int, *, max_bytes: int = 64 * 2**20) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise ValueError("cache bounds must be 0 or more")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._rows: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)

    @property
    def nbytes(self) -> int:
        """Bytes held by the vectors and keys (an estimate for the keys)."""
        with self._lock:
            return self._bytes

    @staticmethod
    def _size(key: tuple[str, str], vector: np.ndarray) -> int:
        return int(vector.nbytes) + len(key[1]) + _ENTRY_OVERHEAD

    def get(self, embedder: str, text: str) -> np.ndarray | None:
        key = (embedder, text)
        with self._lock:
            vector = self._rows.get(key)
            if vector is None:
                self.misses += 1
                return None
            self._rows.move_to_end(key)
            self.hits += 1
            return vector

    def put(self, embedder: str, text: str, vector: np.ndarray) -> None:
        key = (embedder, text)
        stored = np.array(vector, dtype=np.float32, copy=True)
        stored.setflags(write=False)  # shared by every caller: nobody may change it in place
        size = self._size(key, stored)
        if self.max_entries == 0 or size > self.max_bytes:
            return
        with self._lock:
            old = self._rows.pop(key, None)
            if old is not None:
                self._bytes -= self._size(key, old)
            self._rows[key] = stored
            self._bytes += size
            while len(self._rows) > self.max_entries or self._bytes > self.max_bytes:
                evicted_key, evicted = self._rows.popitem(last=False)
                self._bytes -= self._size(evicted_key, evicted)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._bytes = 0
            self.hits = self.misses = 0


class CachedQueries:
    """An Embedder whose `encode_queries` asks a QueryCache first; everything else passes through."""

    def __init__(self, inner: Embedder, cache: QueryCache) -> None:
        self.inner = inner
        self.cache = cache
        self.name, self.dim, self.min_score = inner.name, inner.dim, inner.min_score
        # An ensemble's parts (search/curation/duplicates.py reads them); () for a single model.
        self.parts: Sequence[tuple[Any, float]] = getattr(inner, "parts", ())

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        return self.inner.encode_documents(texts, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        keys = [normalise_query(t) for t in texts]
        found = [self.cache.get(self.name, k) for k in keys]
        missing = list(dict.fromkeys(k for k, v in zip(keys, found, strict=True) if v is None))
        fresh: dict[str, np.ndarray] = {}
        if missing:
            fresh = dict(zip(missing, self.inner.encode_queries(missing), strict=True))
            for key, vector in fresh.items():
                self.cache.put(self.name, key, vector)
        vectors = [fresh[k] if v is None else v for k, v in zip(keys, found, strict=True)]
        if not vectors:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack(vectors).astype(np.float32, copy=False)


@lru_cache(maxsize=8)
def shared_cache(max_entries: int) -> QueryCache:
    """The process's cache for this bound: every engine (and thread) built with it shares it."""
    return QueryCache(max_entries)


def with_query_cache(embedder: Embedder, max_entries: int) -> Embedder:
    """The embedder behind the process's query cache; unchanged when the cache is off (0)."""
    if max_entries <= 0:
        return embedder
    return CachedQueries(embedder, shared_cache(max_entries))
