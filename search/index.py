"""The vector index interface and its stamp.

The index is derived data: rebuilt from the store at any time. Its stamp records which
embedder made it, the dimension, and the (rid, content hash) of every vector, so a mismatch
with the catalogue or the configured embedder is detected instead of answering wrongly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from catalogue.errors import IndexOutOfDate
from catalogue.store import IndexEntry
from search.fusion import Ranking

INDEX_SCHEMA = 1


def entries_checksum(entries: Iterable[tuple[int, str]]) -> str:
    """A checksum over sorted (rid, content hash) pairs."""
    digest = hashlib.sha256()
    for rid, content_hash in sorted(entries):
        digest.update(f"{rid}:{content_hash}\n".encode())
    return digest.hexdigest()[:32]


@dataclass
class IndexStamp:
    """What an index holds and how it was made."""

    embedder: str
    dim: int
    entries: dict[int, str] = field(default_factory=dict)
    schema: int = INDEX_SCHEMA
    # How the practices' texts were cut into extra vectors ("sentences"), or None: one each.
    passages: str | None = None

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def checksum(self) -> str:
        return entries_checksum(self.entries.items())

    def summary(self) -> dict[str, object]:
        return {"embedder": self.embedder, "dim": self.dim, "count": self.count,
                "checksum": self.checksum, "schema": self.schema, "passages": self.passages}


class Model(Protocol):
    """The embedder's identity, as an index is checked against it."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...


def verify_stamp(stamp: IndexStamp, embedder: Model, passages: str | None) -> None:
    """Raise IndexOutOfDate when an index with this stamp was not made for the embedder and the
    sentence-vector scheme (`passages`, or None) that are configured."""
    if stamp.embedder != embedder.name or stamp.dim != embedder.dim:
        raise IndexOutOfDate(
            f"De zoekindex is gemaakt met '{stamp.embedder}' ({stamp.dim} dimensies), "
            f"maar de ingestelde embedder is '{embedder.name}' ({embedder.dim}). "
            "Herbouw de index met 'praktijkbank reindex'."
        )
    if stamp.passages != passages:
        made = "met" if stamp.passages else "zonder"
        wanted = "wel" if passages else "geen"
        raise IndexOutOfDate(
            f"De zoekindex is gemaakt {made} zinsvectoren, maar de instelling "
            f"PRAKTIJKBANK_PASSAGE_WEIGHT vraagt er {wanted}. Herbouw de index met 'praktijkbank reindex'."
        )


@dataclass(frozen=True)
class Drift:
    """Differences between the index and the catalogue."""

    missing: list[int]
    extra: list[int]
    stale: list[int]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def drift(stamp: IndexStamp, expected: Sequence[IndexEntry]) -> Drift:
    """Compare an index stamp with the entries the store says it must hold."""
    want = {e.rid: e.content_hash for e in expected}
    have = stamp.entries
    return Drift(
        missing=sorted(set(want) - set(have)),
        extra=sorted(set(have) - set(want)),
        stale=sorted(r for r in set(want) & set(have) if want[r] != have[r]),
    )


class VectorIndex(Protocol):
    """What search and the curator tools read: inner-product search over unit vectors keyed by
    the store's integer rids. FAISS in memory (search/index_faiss.py) and the FAISS file shared
    by processes (search/index_file.py) and pgvector (search/index_pgvector.py) implement it."""

    @property
    def stamp(self) -> IndexStamp:
        """How the index was made and the (rid, content hash) of every vector it holds."""

    @property
    def has_passages(self) -> bool:
        """Whether it holds sentence vectors besides one vector per practice."""

    def __len__(self) -> int: ...

    def search(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> list[tuple[int, float]]: ...

    def rank(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> Ranking: ...

    def passage_scores(self, query: np.ndarray, rids: Sequence[int] | np.ndarray) -> np.ndarray: ...

    def vector(self, rid: int) -> np.ndarray | None:
        """The stored vector of a practice, or None when the index does not hold it."""

    def passage_vectors(self, rid: int) -> np.ndarray | None:
        """The stored sentence vectors of a practice, in sentence order, as a float32
        (sentences x dim) matrix of the half-precision values the index keeps; None when it holds
        none for this practice (or no sentence vectors at all)."""


def usable(index: VectorIndex) -> bool:
    """Whether the index answers now (it exists and fits the embedder) and holds vectors."""
    try:
        return len(index) > 0
    except IndexOutOfDate:  # IndexMissing is one too
        return False
