"""Vectors for the speed benchmarks: real ones cached on disk, derived ones past the real budget.

Embedding 100k texts with e5 on two cores takes hours, so the benchmark embeds the first
`real_limit` records of the corpus for real (cached in benchmarks/.cache/, keyed by a digest of
the text) and derives the vectors of later records: a real corpus vector chosen by the text's
digest, plus seeded Gaussian noise, renormalised. A flat FAISS scan costs the same whatever the
vectors hold, so latency is unaffected; relevance is only measured on real vectors.

`CachedEmbedder` satisfies the Embedder protocol (search/embedders/base.py), so the real ingest
pipeline and the SearchEngine run unchanged on top of it; the txtai peer uses it as its
transform function, so both engines see exactly the same vectors.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from search.embedders.base import Embedder, Progress, normalise

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / "benchmarks" / ".cache"
# Noise norm relative to the unit base vector: cosine(derived, base) is about 1/sqrt(1 + 0.15^2)
# = 0.989, so query-document scores (and what passes the dense cut-off) stay close to real ones.
NOISE = 0.15
SAVE_EVERY = 256


def digest(text: str, kind: str) -> bytes:
    """A 16-byte key for a text embedded as a passage or a query."""
    return hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=16).digest()


class VectorCache:
    """Vectors by text digest, kept in one .npz file per embedder."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = Path(path)
        self.dim = dim
        self._rows: dict[bytes, np.ndarray] = {}
        self._dirty = False
        if self.path.exists():
            with np.load(self.path) as data:
                keys, vectors = data["keys"], data["vectors"].astype(np.float32)
            # Keys are stored as rows of 16 bytes. (Files of the first version used numpy's S16,
            # which drops trailing NUL bytes: pad them back.)
            self._rows = {bytes(k).ljust(16, b"\0"): v for k, v in zip(keys, vectors, strict=False)}

    @classmethod
    def for_embedder(cls, name: str, dim: int, cache_dir: Path = CACHE_DIR) -> VectorCache:
        slug = "".join(c if c.isalnum() else "-" for c in name)
        return cls(cache_dir / f"vectors-{slug}-{dim}.npz", dim)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: bytes) -> np.ndarray | None:
        return self._rows.get(key)

    def put(self, key: bytes, vector: np.ndarray) -> None:
        self._rows[key] = np.asarray(vector, dtype=np.float32)
        self._dirty = True

    def save(self) -> None:
        """Write the file atomically, only when something changed."""
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.frombuffer(b"".join(self._rows), dtype=np.uint8).reshape(-1, 16)
        vectors = np.stack(list(self._rows.values())) if self._rows else np.zeros((0, self.dim), np.float32)
        fd, tmp = tempfile.mkstemp(prefix=".vectors-", suffix=".npz", dir=self.path.parent)
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, keys=keys, vectors=vectors)
        os.replace(tmp, self.path)
        self._dirty = False


def derive(bases: np.ndarray, key: bytes) -> np.ndarray:
    """A deterministic unit vector near bases[key % n]: the base plus seeded noise."""
    seed = int.from_bytes(key[:8], "little")
    base = bases[seed % len(bases)]
    noise = np.random.default_rng(seed).standard_normal(base.shape[0]).astype(np.float32)
    return normalise(base + noise * (NOISE / np.sqrt(base.shape[0])))[0]


def derived_matrix(bases: np.ndarray, n: int, *, seed: int = 7, chunk: int = 100_000) -> np.ndarray:
    """n derived unit vectors (row i from bases[i % len(bases)]), for index-only runs."""
    rng = np.random.default_rng(seed)
    dim = bases.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        rows = bases[np.arange(start, stop) % len(bases)]
        noise = rng.standard_normal((stop - start, dim), dtype=np.float32) * np.float32(NOISE / np.sqrt(dim))
        out[start:stop] = normalise(rows + noise)
    return out


class CachedEmbedder:
    """An Embedder that serves cached real vectors and, once bases are set, derived ones.

    Texts missing from the cache go to the real model (and into the cache) unless bases are
    set, in which case they get a derived vector. It carries the real model's name, dimension
    and cut-off, so an index built through it is valid for a server using the real model.
    """

    def __init__(self, real: Embedder | Callable[[], Embedder], cache: VectorCache, *,
                 name: str, dim: int, min_score: float) -> None:
        self._real = real
        self.cache = cache
        self.name, self.dim, self.min_score = name, dim, min_score
        self.bases: np.ndarray | None = None
        self.real_seconds = 0.0  # time spent in the real model
        self.derived = 0

    @classmethod
    def wrap(cls, real: Embedder, cache_dir: Path = CACHE_DIR) -> CachedEmbedder:
        cache = VectorCache.for_embedder(real.name, real.dim, cache_dir)
        return cls(real, cache, name=real.name, dim=real.dim, min_score=real.min_score)

    @property
    def real(self) -> Embedder:
        if not isinstance(self._real, Embedder):
            self._real = self._real()
        return self._real

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        keys = [digest(t, "passage") for t in texts]
        missing: list[int] = []
        for i, key in enumerate(keys):
            vec = self.cache.get(key)
            if vec is not None:
                out[i] = vec
            elif self.bases is not None:
                out[i] = derive(self.bases, key)
                self.derived += 1
            else:
                missing.append(i)
        if missing:
            vectors = self._timed(lambda: self.real.encode_documents([texts[i] for i in missing]))
            for i, vec in zip(missing, vectors, strict=False):
                out[i] = vec
                self.cache.put(keys[i], vec)
        if progress:
            progress(len(texts))
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            key = digest(text, "query")
            vec = self.cache.get(key)
            if vec is None:
                vec = self._timed(lambda t=text: self.real.encode_queries([t]))[0]
                self.cache.put(key, vec)
            out[i] = vec
        return out

    def _timed(self, fn: Callable[[], np.ndarray]) -> np.ndarray:
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.real_seconds += time.perf_counter() - start

    def warm(self, texts: Sequence[str], *, log: Callable[[str], None] = print) -> None:
        """Embed and cache every text not cached yet, saving as it goes (a rerun resumes)."""
        todo = [t for t in dict.fromkeys(texts) if self.cache.get(digest(t, "passage")) is None]
        if todo:
            log(f"embedding {len(todo)} texts with {self.name} (cached in {self.cache.path})")
        for start in range(0, len(todo), SAVE_EVERY):
            self.encode_documents(todo[start:start + SAVE_EVERY])
            self.cache.save()
            log(f"  {min(start + SAVE_EVERY, len(todo))}/{len(todo)}")

    def set_bases(self, texts: Sequence[str]) -> None:
        """Derive vectors for uncached texts from the cached vectors of these texts."""
        rows = [self.cache.get(digest(t, "passage")) for t in texts]
        self.bases = np.stack([r for r in rows if r is not None])


class TimedEmbedder:
    """Wraps an Embedder and adds up the time spent encoding documents."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim, self.min_score = inner.name, inner.dim, inner.min_score
        self.seconds = 0.0

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        start = time.perf_counter()
        try:
            return self.inner.encode_documents(texts, progress=progress)
        finally:
            self.seconds += time.perf_counter() - start

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)
