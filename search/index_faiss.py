"""FAISS vector index: IndexIDMap2 over an exact inner-product index, keyed by store rids.

IndexIDMap2 keeps our ids stable across removals (a bare flat index renumbers on remove_ids)
and can reconstruct a vector by id, which 'similar practices' needs. The file holds the
serialised index and its stamp together and is replaced atomically (temp file, fsync, rename).

For large catalogues an approximate index can answer instead (`nprobe` > 0): a FAISS
`IndexIVFFlat` over the same vectors, grouped around k-means centroids, of which a search scans
the `nprobe` nearest groups. Its scores are exact, its candidates approximate; the flat index
stays the source of truth (subset scans, `vector`, removals), and the IVF is derived from it.

Optionally the index also holds one vector per sentence of each practice, in a second
IndexIDMap2 (float16, `IndexScalarQuantizer` QT_fp16) keyed by (rid << PASSAGE_BITS | n). Search never scans them; the
service rescores its best document hits by their best-matching sentence (`passage_scores`).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from threadpoolctl import threadpool_limits

from catalogue.errors import IndexMissing, IndexOutOfDate
from catalogue.faults import crash_point
from search.fusion import Ranking
from search.index import INDEX_SCHEMA, IndexStamp

# Below this many candidate ids an exact scan of the subset beats a selector over everything.
SUBSET_SCAN_LIMIT = 20_000
# The approximate index (see `FaissIndex.nprobe`) serves catalogues of at least this many practices;
# below it an exact scan costs under 2 ms.
IVF_MIN_ROWS = 20_000
# Sentence vectors are keyed rid << PASSAGE_BITS | n; split_sentences keeps at most 64 per text.
PASSAGE_BITS = 7
PASSAGE_SCHEME = "sentences"


class FaissIndex:
    """VectorIndex on FAISS."""

    def __init__(self, dim: int, embedder: str, *, passages: str | None = None) -> None:
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.passages = faiss.IndexIDMap2(_half_precision(dim)) if passages else None
        self.stamp = IndexStamp(embedder=embedder, dim=dim, passages=passages)
        self._row_lookup: tuple[np.ndarray, np.ndarray] | None = None
        self._passage_counts: dict[int, int] = {}
        self._passage_lookup: tuple[np.ndarray, np.ndarray] | None = None
        self._init_ivf(None)

    def _init_ivf(self, ivf: faiss.IndexIVFFlat | None) -> None:
        # Groups to scan per search: 0 searches exactly. The engine sets it from its tuning.
        self.nprobe = 0
        self.ivf = ivf
        self._ivf_lock = threading.Lock()

    def __len__(self) -> int:
        return int(self.index.ntotal)

    # -- updates ----------------------------------------------------------------------

    def upsert(self, rids: Sequence[int], vectors: np.ndarray, hashes: Sequence[str],
               passages: Sequence[np.ndarray] | None = None) -> None:
        """Add or replace practices; `passages` holds one (sentences x dim) matrix per rid."""
        if not len(rids):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(rids), self.stamp.dim):
            raise ValueError(f"expected {len(rids)}x{self.stamp.dim} vectors, got {vectors.shape}")
        if self.passages is not None:
            if passages is None or len(passages) != len(rids):
                raise ValueError("this index holds sentence vectors: one matrix per practice is needed")
            for matrix in passages:
                if matrix.ndim != 2 or matrix.shape[1] != self.stamp.dim or not 0 < len(matrix) <= 1 << PASSAGE_BITS:
                    raise ValueError(f"sentence vectors must be 1..{1 << PASSAGE_BITS} x {self.stamp.dim}")
        self.remove(rids)
        self.index.add_with_ids(vectors, np.asarray(rids, dtype=np.int64))
        if self.ivf is not None:
            self.ivf.add_with_ids(vectors, np.asarray(rids, dtype=np.int64))
        if self.passages is not None and passages is not None:
            ids = np.concatenate([(int(r) << PASSAGE_BITS) + np.arange(len(m), dtype=np.int64)
                                  for r, m in zip(rids, passages, strict=False)])
            self.passages.add_with_ids(np.ascontiguousarray(np.vstack(passages), dtype=np.float32), ids)
            self._passage_counts.update((int(r), len(m)) for r, m in zip(rids, passages, strict=False))
            self._passage_lookup = None
        self.stamp.entries.update(zip((int(r) for r in rids), hashes, strict=False))
        self._row_lookup = None

    def remove(self, rids: Iterable[int]) -> None:
        present = [int(r) for r in rids if int(r) in self.stamp.entries]
        if not present:
            return
        self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(present, dtype=np.int64)))
        if self.ivf is not None:
            self.ivf.remove_ids(faiss.IDSelectorBatch(np.asarray(present, dtype=np.int64)))
        if self.passages is not None:
            ids = [(rid << PASSAGE_BITS) + n for rid in present for n in range(self._passage_counts.pop(rid, 0))]
            if ids:
                self.passages.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))
            self._passage_lookup = None
        for rid in present:
            del self.stamp.entries[rid]
        self._row_lookup = None

    # -- queries ----------------------------------------------------------------------

    def _ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map)

    def _matrix(self) -> np.ndarray:
        return _flat_matrix(self.index, self.stamp.dim)

    def _rows(self, rids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Matrix rows of the given rids (unknown rids are dropped)."""
        if self._row_lookup is None:
            self._row_lookup = _sorted_ids(self.index)
        wanted = np.asarray(rids, dtype=np.int64)
        known, rows = _lookup(self._row_lookup, wanted)
        return wanted[known], rows

    @property
    def has_passages(self) -> bool:
        return self.passages is not None

    def passage_scores(self, query: np.ndarray, rids: Sequence[int] | np.ndarray) -> np.ndarray:
        """For each rid, the best inner product of the query with one of its sentences.

        A rid without sentence vectors scores -inf. Cost: one small matrix product over the
        sentences of these rids only (the service passes its best few hundred hits).
        """
        out = np.full(len(rids), -np.inf, dtype=np.float32)
        if self.passages is None or not len(rids):
            return out
        if self._passage_lookup is None:
            self._passage_lookup = _sorted_ids(self.passages)
        # A practice's sentences are consecutive in the sorted id table: find each one's first
        # (the id rid << PASSAGE_BITS) and last, then take the rows in between.
        sorted_ids, order = self._passage_lookup
        base = np.asarray(rids, dtype=np.int64) << PASSAGE_BITS
        first = np.searchsorted(sorted_ids, base)
        counts = np.searchsorted(sorted_ids, base + (1 << PASSAGE_BITS)) - first
        owners = np.flatnonzero(counts)
        if not len(owners):
            return out
        counts = counts[owners]
        starts = np.cumsum(counts) - counts
        positions = np.repeat(first[owners] - starts, counts) + np.arange(int(counts.sum()))
        inner = faiss.downcast_index(self.passages.index)
        # FAISS's SIMD float16 inner products over a scratch index of just these codes: 4x
        # faster than decoding them to float32 first (0.17 against 0.71 ms for 600 sentences).
        scratch = _half_precision(self.stamp.dim)
        scratch.add_sa_codes(_codes(inner)[order[positions]])
        found, rows = scratch.search(np.asarray(query, dtype=np.float32).reshape(1, -1), len(positions))
        scores = np.empty(len(positions), dtype=np.float32)
        scores[rows[0]] = found[0]
        out[owners] = np.maximum.reduceat(scores, starts)
        return out

    def search(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (rid, cosine) by inner product, restricted to rids when given (never post-filtered)."""
        return self.rank(query, k, rids=rids).pairs()

    def rank(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> Ranking:
        """`search` as arrays, for the service's hot path."""
        n = len(self)
        if n == 0 or k <= 0 or (rids is not None and len(rids) == 0):
            return Ranking.empty()
        _apply_threads()
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if rids is not None and len(rids) <= SUBSET_SCAN_LIMIT:
            return self._scan_subset(query[0], rids, k)
        selector = faiss.IDSelectorBatch(np.asarray(rids, dtype=np.int64)) if rids is not None else None
        k = min(k, n if rids is None else len(rids))
        # A search never builds the IVF (16 s at 100k): sync and the server's warm-up do.
        ivf = self.ivf if self.nprobe > 0 and n >= IVF_MIN_ROWS else None
        if ivf is not None:
            # Under a filter, scan proportionally more groups: as many matching vectors are
            # expected as an unfiltered search sees.
            share = 1.0 if rids is None else len(rids) / n
            params = faiss.SearchParametersIVF(nprobe=min(ivf.nlist, math.ceil(self.nprobe / share)))
            if selector is not None:
                params.sel = selector
            scores, ids = ivf.search(query, k, params=params)
        elif selector is not None:
            scores, ids = self.index.search(query, k, params=faiss.SearchParameters(sel=selector))
        else:
            scores, ids = self.index.search(query, k)
        found = ids[0] >= 0
        return Ranking(ids[0][found], scores[0][found].astype(np.float64))

    def _scan_subset(self, query: np.ndarray, rids: Sequence[int], k: int) -> Ranking:
        known, rows = self._rows(rids)
        if not len(rows):
            return Ranking.empty()
        scores = self._matrix()[rows] @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return Ranking(known[top], scores[top].astype(np.float64))

    def ensure_ivf(self) -> bool:
        """Build the approximate index if the catalogue is large enough for one; whether it is ready.

        It is trained once, and again when the catalogue has grown four times (its number of
        groups follows the square root of the size); updates in between go into its groups.
        Until it exists, searches scan exactly.
        """
        if len(self) < IVF_MIN_ROWS:
            return False
        with self._ivf_lock:
            if self.ivf is None or _ivf_groups(len(self)) >= 2 * self.ivf.nlist:
                self.ivf = _build_ivf(self._matrix(), self._ids())
        return True

    def vector(self, rid: int) -> np.ndarray | None:
        if int(rid) not in self.stamp.entries:
            return None
        return np.asarray(self.index.reconstruct(int(rid)), dtype=np.float32)

    def passage_vectors(self, rid: int) -> np.ndarray | None:
        """The sentence vectors of a practice, decoded from float16, in sentence order (ids
        rid << PASSAGE_BITS | n, n = 0 .. count - 1); None when it has none."""
        count = self._passage_counts.get(int(rid), 0)
        if self.passages is None or not count:
            return None
        first = int(rid) << PASSAGE_BITS
        return np.stack([self.passages.reconstruct(first + n) for n in range(count)]).astype(np.float32)

    # -- persistence ------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write index and stamp to one file, atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"schema": INDEX_SCHEMA, "embedder": self.stamp.embedder, "dim": self.stamp.dim,
                "passages": self.stamp.passages,
                "entries": [[rid, h] for rid, h in sorted(self.stamp.entries.items())]}
        arrays: dict[str, Any] = {"index": faiss.serialize_index(self.index),
                  "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}
        if self.passages is not None:
            arrays["passages"] = faiss.serialize_index(self.passages)
        if self.ivf is not None:
            arrays["ivf"] = faiss.serialize_index(self.ivf)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
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
                index = faiss.deserialize_index(data["index"])
                passages = faiss.deserialize_index(data["passages"]) if "passages" in data.files else None
                ivf = faiss.deserialize_index(data["ivf"]) if "ivf" in data.files else None
        except Exception as e:
            raise IndexOutOfDate(
                f"De zoekindex {path} is onleesbaar ({e}). Herbouw hem met 'praktijkbank reindex'."
            ) from e
        if meta.get("schema") != INDEX_SCHEMA:
            raise IndexOutOfDate(
                f"De zoekindex heeft een ander formaat (versie {meta.get('schema')}). "
                "Herbouw hem met 'praktijkbank reindex'."
            )
        self = cls.__new__(cls)
        # Only the object deserialize_index returned owns the C++ index: keep that one.
        self.index = _as_idmap(index)
        self.passages = _as_idmap(passages) if passages is not None else None
        self.stamp = IndexStamp(embedder=meta["embedder"], dim=int(meta["dim"]),
                                entries={int(r): h for r, h in meta["entries"]},
                                passages=meta.get("passages"))
        self._row_lookup = None
        self._passage_lookup = None
        self._passage_counts = {}
        # The IVF is derived data: one that does not hold every vector is dropped and rebuilt.
        self._init_ivf(ivf if isinstance(ivf, faiss.IndexIVFFlat) and ivf.ntotal == index.ntotal else None)
        if self.passages is not None:
            owners, counts = np.unique(faiss.vector_to_array(self.passages.id_map) >> PASSAGE_BITS,
                                       return_counts=True)
            self._passage_counts = dict(zip(owners.tolist(), counts.tolist(), strict=False))
        if len(self) != self.stamp.count or (self.passages is None) != (self.stamp.passages is None) \
                or (self.passages is not None and set(self._passage_counts) != set(self.stamp.entries)):
            raise IndexOutOfDate("De zoekindex is inconsistent. Herbouw hem met 'praktijkbank reindex'.")
        return self


def _ivf_groups(rows: int) -> int:
    """Number of k-means groups for a catalogue of this size: 4 x sqrt(rows), at most 4096, and
    few enough that FAISS has its 39 training vectors per group."""
    return int(max(1, min(4096, 4 * math.sqrt(rows), rows // 39)))


def _build_ivf(vectors: np.ndarray, ids: np.ndarray) -> faiss.IndexIVFFlat:
    """Train k-means groups on the vectors (FAISS samples 256 per group, seeded) and fill them."""
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    ivf = faiss.IndexIVFFlat(quantizer, vectors.shape[1], _ivf_groups(len(vectors)), faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    ivf.add_with_ids(vectors, ids)
    # The quantizer is owned by the IVF from here on (SWIG would otherwise free it with this frame).
    ivf.own_fields = True
    quantizer.this.disown()
    return ivf


def _as_idmap(index: faiss.Index) -> faiss.IndexIDMap2:
    if isinstance(index, faiss.IndexIDMap2):
        return index
    raise IndexOutOfDate("De zoekindex heeft een onverwachte opbouw. Herbouw hem met 'praktijkbank reindex'.")


def _half_precision(dim: int) -> faiss.Index:
    """Sentence vectors in float16: half the memory and disk of float32, for cosines that differ
    by about 1e-3 (they only rescore hits, and are never scanned)."""
    return faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)


def _codes(index: faiss.Index) -> np.ndarray:
    """The codes of a flat-codes index (float16 vectors here) as a (rows x code size) byte view."""
    n, size = int(index.ntotal), int(index.code_size)
    if not n:
        return np.zeros((0, size), dtype=np.uint8)
    return np.frombuffer(faiss.rev_swig_ptr(index.codes.data(), n * size), dtype=np.uint8).reshape(n, size)


def _flat_matrix(index: faiss.IndexIDMap2, dim: int) -> np.ndarray:
    """The vectors of an ID-mapped flat index as a (rows x dim) view, without copying."""
    flat = faiss.downcast_index(index.index)
    n = int(index.ntotal)
    return faiss.rev_swig_ptr(flat.get_xb(), n * dim).reshape(n, dim)


def _sorted_ids(index: faiss.IndexIDMap2) -> tuple[np.ndarray, np.ndarray]:
    ids = faiss.vector_to_array(index.id_map)
    order = np.argsort(ids, kind="stable")
    return ids[order], order


def _lookup(table: tuple[np.ndarray, np.ndarray], wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of the wanted ids present in a sorted id table, their matrix rows)."""
    sorted_ids, order = table
    if not len(sorted_ids):
        return np.zeros(len(wanted), dtype=bool), order[:0]
    pos = np.clip(np.searchsorted(sorted_ids, wanted), 0, len(sorted_ids) - 1)
    known = sorted_ids[pos] == wanted
    return known, order[pos[known]]


# OpenMP's thread count is a per-thread setting: set only in the server's main thread, it would
# not reach the request threads, which would each start a full team of OpenMP workers. So the
# serving count is remembered here and applied in each thread on its first search.
_serving_threads: int | None = None
_thread_state = threading.local()


def set_threads(n: int) -> None:
    """FAISS OpenMP and BLAS threads for every thread that searches; one serves single queries
    fastest. BLAS runs the filtered scans' matrix products (the sentence rescoring once ran one
    too): with its threads on a busy 2-core machine such a product waited for a second core, 33
    ms instead of 11 ms of dense time per query at 10k practices (BENCHMARKS.md, "Equal work")."""
    global _serving_threads
    _serving_threads = n
    faiss.omp_set_num_threads(n)
    threadpool_limits(limits=n, user_api="blas")


def _apply_threads() -> None:
    if _serving_threads is not None and getattr(_thread_state, "threads", None) != _serving_threads:
        faiss.omp_set_num_threads(_serving_threads)
        _thread_state.threads = _serving_threads


