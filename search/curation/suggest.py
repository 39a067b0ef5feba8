"""Tag suggestions: krachtlijnen and sectors with a calibrated confidence, region from place names.

Two signals per label, combined by a logistic calibration fitted with leave-one-out on the
bundled catalogue (benchmarks/suggest.py, see BENCHMARKS.md):

- description: the cosine between the text and the label's Dutch profile (catalogue/vocab.py,
  PROFILES), centred on the catalogue's mean vector (so a label that is close to everything does
  not win everywhere) and standardised across the labels of its kind;
- neighbours: the similarity-weighted share of the nearest labelled practices in the vector
  index that carry the label.

With an empty index only the description signal is used, with its own calibration.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from catalogue.model import Practice
from catalogue.store import PracticeStore
from catalogue.vocab import KRACHTLIJNEN, PROFILES, SECTORS, Vocabulary
from search.curation.places import RegionGuess, guess_region
from search.embedders import Embedder
from search.index import VectorIndex, usable

# Practice field -> (vocabulary, profile kind).
KINDS: dict[str, tuple[Vocabulary, str]] = {
    "krachtlijnen": (KRACHTLIJNEN, "krachtlijn"),
    "sectors": (SECTORS, "sector"),
}
CENTROID_SAMPLE = 2000   # index vectors averaged for the centring vector (enough for a mean)
CHUNK_CHARS = 2000       # long texts are embedded in chunks of about this size and averaged
MAX_CHUNKS = 4


@dataclass(frozen=True)
class Calibration:
    """confidence = sigmoid(desc * description_z + knn * neighbour_vote + bias)."""

    desc: float
    knn: float
    bias: float

    def confidence(self, desc_z: np.ndarray, votes: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.desc * desc_z + self.knn * votes + self.bias)))


@dataclass(frozen=True)
class SuggestTuning:
    """Knobs of the suggester, set by measurement (benchmarks/suggest.py, BENCHMARKS.md)."""

    neighbours: int = 20
    temperature: float = 0.03   # softmax temperature over neighbour cosines
    threshold: float = 0.35     # a label is suggested from this confidence on
    max_suggested: dict[str, int] = field(default_factory=lambda: {"krachtlijnen": 3, "sectors": 4})
    # Fitted on the 58 bundled practices with the default embedder (e5+use) by
    # python -m benchmarks.suggest; the description-only pair serves an empty catalogue.
    with_neighbours: dict[str, Calibration] = field(default_factory=lambda: {
        "krachtlijnen": Calibration(desc=1.093, knn=6.119, bias=-3.183),
        "sectors": Calibration(desc=1.201, knn=7.373, bias=-3.885),
    })
    description_only: dict[str, Calibration] = field(default_factory=lambda: {
        "krachtlijnen": Calibration(desc=1.645, knn=0.0, bias=-0.116),
        "sectors": Calibration(desc=1.725, knn=0.0, bias=-2.150),
    })


@dataclass(frozen=True)
class LabelScore:
    """One label with its confidence; `suggested` when it passes the threshold."""

    key: str
    label: str
    confidence: float
    suggested: bool

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "confidence": round(self.confidence, 3),
                "suggested": self.suggested}


@dataclass(frozen=True)
class Suggestions:
    """Every krachtlijn and sector ordered by confidence (best first), and the region found."""

    krachtlijnen: tuple[LabelScore, ...]
    sectors: tuple[LabelScore, ...]
    region: RegionGuess | None
    neighbours: int

    def suggested(self, kind: str) -> list[str]:
        """Keys suggested for 'krachtlijnen' or 'sectors'."""
        return [s.key for s in getattr(self, kind) if s.suggested]

    def additions(self, current: dict[str, Any] | Practice) -> dict[str, list[LabelScore]]:
        """Suggested labels a record does not carry yet, per kind (empty kinds left out)."""
        values = current.model_dump() if isinstance(current, Practice) else current
        out: dict[str, list[LabelScore]] = {}
        for kind, (vocab, _) in KINDS.items():
            have = {vocab.resolve(v) for v in values.get(kind) or []}
            extra = [s for s in getattr(self, kind) if s.suggested and s.key not in have]
            if extra:
                out[kind] = extra
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"krachtlijnen": [s.as_dict() for s in self.krachtlijnen],
                "sectors": [s.as_dict() for s in self.sectors],
                "region": self.region.as_dict() if self.region else None,
                "neighbours": self.neighbours}


def centred_z(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Label cosines minus the catalogue's mean cosine per label, standardised across labels."""
    centred = scores - reference
    return (centred - centred.mean()) / (centred.std() + 1e-9)


def neighbour_votes(similarities: np.ndarray, labels: np.ndarray, *, temperature: float) -> np.ndarray:
    """Softmax-weighted share of neighbours carrying each label (rows: neighbours, columns: labels)."""
    if not len(similarities):
        return np.zeros(labels.shape[1] if labels.ndim == 2 else 0)
    weights = np.exp((similarities - similarities.max()) / temperature)
    return weights @ labels / weights.sum()


def embed_text(embedder: Embedder, text: str) -> np.ndarray:
    """One document vector for a text of any length: the mean of its chunks' vectors."""
    chunks, current = [], ""
    for paragraph in (p.strip() for p in text.split("\n") if p.strip()):
        if current and len(current) + len(paragraph) > CHUNK_CHARS:
            chunks.append(current)
            current = ""
        current = f"{current}\n{paragraph}" if current else paragraph
    chunks.append(current)
    vectors = embedder.encode_documents(chunks[:MAX_CHUNKS])
    mean = vectors.mean(axis=0)
    return (mean / (np.linalg.norm(mean) or 1.0)).astype(np.float32)


_label_cache: dict[str, dict[str, np.ndarray]] = {}
_label_lock = threading.Lock()


def _profile_key(embedder: Embedder) -> str:
    """A stamp of the embedder and the label profiles: a changed profile invalidates the cache."""
    blob = json.dumps([embedder.name, embedder.dim, PROFILES], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _compute_label_vectors(embedder: Embedder) -> dict[str, np.ndarray]:
    matrices = {}
    for kind, (vocab, profile_kind) in KINDS.items():
        rows = []
        for key in vocab.keys:
            # One sentence per call: e5 pads a batch to its longest sentence, which is slower.
            vectors = np.concatenate([embedder.encode_queries([s]) for s in PROFILES[profile_kind][key]])
            mean = vectors.mean(axis=0)
            rows.append(mean / (np.linalg.norm(mean) or 1.0))
        matrices[kind] = np.stack(rows).astype(np.float32)
    return matrices


def label_vectors(embedder: Embedder, *, cache_dir: Path | None = None) -> dict[str, np.ndarray]:
    """Per kind a (labels x dim) matrix: the mean of each label's profile sentences as queries.

    Embedding the profiles takes seconds with e5, so the result is kept in memory and, when
    cache_dir is given, in a small derived file there (labels-<stamp>.npz).
    """
    key = _profile_key(embedder)
    with _label_lock:
        if key in _label_cache:
            return _label_cache[key]
        path = cache_dir / f"labels-{key}.npz" if cache_dir else None
        matrices: dict[str, np.ndarray] | None = None
        if path is not None and path.exists():
            try:
                with np.load(path) as data:
                    matrices = {kind: data[kind] for kind in KINDS}
            except (OSError, ValueError, KeyError):
                matrices = None  # unreadable: recompute and overwrite
        if matrices is None:
            matrices = _compute_label_vectors(embedder)
            if path is not None:
                _save_quietly(path, matrices)
        _label_cache[key] = matrices
        return matrices


def _save_quietly(path: Path, matrices: dict[str, Any]) -> None:
    """Write the cache file atomically; a read-only home only costs the cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **matrices)
        os.replace(tmp, path)
        for old in path.parent.glob("labels-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


@dataclass(frozen=True)
class Features:
    """The raw signals for one text, per kind: description z-scores and neighbour votes."""

    desc_z: dict[str, np.ndarray]
    votes: dict[str, np.ndarray]
    neighbours: int


class TagSuggester:
    """Suggests krachtlijnen, sectors and a region for a stored practice or a free text."""

    def __init__(self, store: PracticeStore, index: VectorIndex, embedder: Embedder, *, cache_dir: Path,
                 tuning: SuggestTuning | None = None) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        self.cache_dir = cache_dir  # where the label vectors are kept per model
        self.tuning = tuning or SuggestTuning()
        self._reference: tuple[tuple[int, int], np.ndarray] | None = None

    def for_text(self, text: str) -> Suggestions:
        """Suggestions for an unsaved text (an article, or a record's title and summary)."""
        vector = embed_text(self.embedder, text)
        return self.decide(self.features(vector), text)

    def for_practice(self, practice_id: str) -> Suggestions:
        """Suggestions for a stored practice; it never votes for itself."""
        practice = self.store.get(practice_id)
        rid = self.store.rid_of(practice_id)
        index = self.index if usable(self.index) else None
        stored = index.vector(rid) if index is not None else None
        current = index is not None and index.stamp.entries.get(rid) == practice.content_hash()
        vector = stored if stored is not None and current else \
            self.embedder.encode_documents([practice.search_text()])[0]
        text = "\n".join([practice.title, practice.summary, practice.description or "", practice.organisation])
        return self.decide(self.features(vector, exclude=rid), text)

    def features(self, vector: np.ndarray, *, exclude: int | None = None,
                 use_catalogue: bool = True) -> Features:
        """Description z-scores and neighbour votes for a document vector.

        use_catalogue=False ignores the index, as for an empty catalogue (for measurements).
        """
        index = self.index if use_catalogue and usable(self.index) else None
        labels = label_vectors(self.embedder, cache_dir=self.cache_dir)
        reference = self._centroid(index)
        neighbours = self._neighbours(index, vector, exclude)
        practices = self.store.get_many(rid for rid, _ in neighbours)
        neighbours = [(rid, s) for rid, s in neighbours if rid in practices]
        sims = np.array([s for _, s in neighbours], dtype=np.float32)
        desc_z, votes = {}, {}
        for kind, (vocab, _) in KINDS.items():
            ref = labels[kind] @ reference if reference is not None else np.zeros(len(vocab.keys))
            desc_z[kind] = centred_z(labels[kind] @ vector, ref)
            carried = np.array([[key in getattr(practices[rid], kind) for key in vocab.keys]
                                for rid, _ in neighbours], dtype=np.float32)
            carried = carried.reshape(len(neighbours), len(vocab.keys))
            votes[kind] = neighbour_votes(sims, carried, temperature=self.tuning.temperature)
        return Features(desc_z, votes, len(neighbours))

    def decide(self, features: Features, text: str) -> Suggestions:
        """Calibrated confidences, ordered best first, and the labels that pass the threshold."""
        t = self.tuning
        ranked: dict[str, tuple[LabelScore, ...]] = {}
        for kind, (vocab, _) in KINDS.items():
            calibration = (t.with_neighbours if features.neighbours else t.description_only)[kind]
            conf = calibration.confidence(features.desc_z[kind], features.votes[kind])
            order = np.argsort(-conf, kind="stable")
            ranked[kind] = tuple(
                LabelScore(vocab.keys[i], vocab.label(vocab.keys[i]), float(conf[i]),
                           rank == 0 or (conf[i] >= t.threshold and rank < t.max_suggested[kind]))
                for rank, i in enumerate(order)
            )
        return Suggestions(ranked["krachtlijnen"], ranked["sectors"], guess_region(text), features.neighbours)

    # -- the index ------------------------------------------------------------------------

    def _neighbours(self, index: Any, vector: np.ndarray, exclude: int | None) -> list[tuple[int, float]]:
        if index is None:
            return []
        found = index.search(vector, self.tuning.neighbours + 1)
        return [(rid, s) for rid, s in found if rid != exclude][: self.tuning.neighbours]

    def _centroid(self, index: Any) -> np.ndarray | None:
        """The mean of (a sample of) the index vectors, cached until the index changes."""
        if index is None:
            return None
        key = (id(index.stamp), len(index))
        if self._reference is None or self._reference[0] != key:
            rids = sorted(index.stamp.entries)
            step = max(1, len(rids) // CENTROID_SAMPLE)
            vectors = np.stack([index.vector(rid) for rid in rids[::step]])
            self._reference = (key, vectors.mean(axis=0))
        return self._reference[1]
