"""FAISS vector index: IndexIDMap2 over an exact inner-product index, keyed by store rids.

IndexIDMap2 keeps our ids stable across removals (a bare flat index renumbers on remove_ids)
and can reconstruct a vector by id, which 'similar practices' needs. The file holds the
serialised index and its stamp together and is replaced atomically (temp file, fsync, rename).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import faiss
import numpy as np

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.faults import crash_point
from search.index import INDEX_SCHEMA, IndexStamp

# Below this many candidate ids an exact scan of the subset beats a selector over everything.
SUBSET_SCAN_LIMIT = 20_000


class FaissIndex:
    """VectorIndex on FAISS."""

    def __init__(self, dim: int, embedder: str) -> None:
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.stamp = IndexStamp(embedder=embedder, dim=dim)
        self._row_lookup: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return int(self.index.ntotal)

    # -- updates ----------------------------------------------------------------------

    def upsert(self, rids: Sequence[int], vectors: np.ndarray, hashes: Sequence[str]) -> None:
        if not len(rids):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(rids), self.stamp.dim):
            raise ValueError(f"expected {len(rids)}x{self.stamp.dim} vectors, got {vectors.shape}")
        self.remove(rids)
        self.index.add_with_ids(vectors, np.asarray(rids, dtype=np.int64))
        self.stamp.entries.update(zip((int(r) for r in rids), hashes))
        self._row_lookup = None

    def remove(self, rids: Iterable[int]) -> None:
        present = [int(r) for r in rids if int(r) in self.stamp.entries]
        if not present:
            return
        self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(present, dtype=np.int64)))
        for rid in present:
            del self.stamp.entries[rid]
        self._row_lookup = None

    # -- queries ----------------------------------------------------------------------

    def _ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map)

    def _matrix(self) -> np.ndarray:
        flat = faiss.downcast_index(self.index.index)
        return faiss.rev_swig_ptr(flat.get_xb(), len(self) * self.stamp.dim).reshape(len(self), self.stamp.dim)

    def _rows(self, rids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Matrix rows of the given rids (unknown rids are dropped)."""
        if self._row_lookup is None:
            ids = self._ids()
            order = np.argsort(ids, kind="stable")
            self._row_lookup = (ids[order], order)
        sorted_ids, order = self._row_lookup
        wanted = np.asarray(rids, dtype=np.int64)
        pos = np.searchsorted(sorted_ids, wanted)
        pos = np.clip(pos, 0, max(len(sorted_ids) - 1, 0))
        known = (sorted_ids[pos] == wanted) if len(sorted_ids) else np.zeros(len(wanted), bool)
        return wanted[known], order[pos[known]]

    def search(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (rid, cosine) by inner product, restricted to rids when given (never post-filtered)."""
        n = len(self)
        if n == 0 or k <= 0:
            return []
        _apply_threads()
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if rids is not None:
            if len(rids) == 0:
                return []
            if len(rids) <= SUBSET_SCAN_LIMIT:
                return self._scan_subset(query[0], rids, k)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(rids, dtype=np.int64)))
            scores, ids = self.index.search(query, min(k, len(rids), n), params=params)
        else:
            scores, ids = self.index.search(query, min(k, n))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _scan_subset(self, query: np.ndarray, rids: Sequence[int], k: int) -> list[tuple[int, float]]:
        known, rows = self._rows(rids)
        if not len(rows):
            return []
        scores = self._matrix()[rows] @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(known[i]), float(scores[i])) for i in top]

    def vector(self, rid: int) -> np.ndarray | None:
        if int(rid) not in self.stamp.entries:
            return None
        return self.index.reconstruct(int(rid))

    # -- persistence ------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write index and stamp to one file, atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"schema": INDEX_SCHEMA, "embedder": self.stamp.embedder, "dim": self.stamp.dim,
                "entries": [[rid, h] for rid, h in sorted(self.stamp.entries.items())]}
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, index=faiss.serialize_index(self.index),
                         meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
                fh.flush()
                os.fsync(fh.fileno())
            crash_point("index:temp-written")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> FaissIndex:
        if not path.exists():
            raise IndexMissing(f"Er is nog geen zoekindex ({path}). Maak er een met 'praktijkbank reindex'.")
        try:
            with np.load(path) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                raw = data["index"]
                index = faiss.deserialize_index(raw)
        except Exception as e:  # noqa: BLE001 - any corrupt file is one error for the user
            raise IndexOutOfDate(
                f"De zoekindex {path} is onleesbaar ({e}). Herbouw hem met 'praktijkbank reindex'."
            ) from e
        if meta.get("schema") != INDEX_SCHEMA:
            raise IndexOutOfDate(
                f"De zoekindex heeft een ander formaat (versie {meta.get('schema')}). "
                "Herbouw hem met 'praktijkbank reindex'."
            )
        self = cls.__new__(cls)
        self.index = faiss.downcast_index(index) if not isinstance(index, faiss.IndexIDMap2) else index
        self.stamp = IndexStamp(embedder=meta["embedder"], dim=int(meta["dim"]),
                                entries={int(r): h for r, h in meta["entries"]})
        self._row_lookup = None
        if len(self) != self.stamp.count:
            raise IndexOutOfDate("De zoekindex is inconsistent. Herbouw hem met 'praktijkbank reindex'.")
        return self


# OpenMP's thread count is a per-thread setting: set only in the server's main thread, it would
# not reach the request threads, which would each start a full team of OpenMP workers. So the
# serving count is remembered here and applied in each thread on its first search.
_serving_threads: int | None = None
_thread_state = threading.local()


def set_threads(n: int) -> None:
    """FAISS OpenMP threads for every thread that searches; one serves single queries fastest."""
    global _serving_threads
    _serving_threads = n
    faiss.omp_set_num_threads(n)


def _apply_threads() -> None:
    if _serving_threads is not None and getattr(_thread_state, "threads", None) != _serving_threads:
        faiss.omp_set_num_threads(_serving_threads)
        _thread_state.threads = _serving_threads


