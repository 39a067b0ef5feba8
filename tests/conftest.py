"""Shared fixtures: a store and settings on tmp_path, a deterministic fake embedder, sample data."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api.core import Praktijkbank
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.settings import Settings
from catalogue.store_sqlite import SqliteStore
from catalogue.text import analyze
from search.service import Tuning
from tests.postgres_fixture import (  # a real PostgreSQL, on request
    postgres_scratch,
    postgres_server,
    postgres_url,
)

ROOT = Path(__file__).resolve().parent.parent
# The catalogue backends that suites parametrised over backends run on.
STORE_BACKENDS = ["sqlite", "postgresql"]


class FakeEmbedder:
    """Hashes stemmed words into a small vector: deterministic, fast, and a little 'semantic'."""

    name = "fake/hashed-words-64"
    dim = 64
    min_score = 0.2

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for term in analyze(text):
            h = int(hashlib.md5(term.encode()).hexdigest(), 16)
            vec[h % self.dim] += 1.0 if (h >> 8) % 2 else -1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def encode_documents(self, texts: Sequence[str], *, progress: Any = None) -> np.ndarray:
        if progress:
            progress(len(texts))
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_documents(texts)


SAMPLE: list[dict[str, Any]] = [
    {"id": "taalcafe-gent", "title": "Taalcafé in de bibliotheek",
     "summary": "Nieuwkomers oefenen wekelijks Nederlands met vrijwilligers aan tafel.",
     "organisation": "Bibliotheek Gent", "municipality": "Gent", "sectors": ["inburgering", "cultuur"],
     "krachtlijnen": ["verbindend", "laagdrempelig"], "themes": ["taal"], "target_groups": ["nieuwkomers"],
     "source_url": "https://example.org/taalcafe"},
    {"id": "buurtrestaurant-antwerpen", "title": "Buurtrestaurant aan huis",
     "summary": "Een goedkope warme maaltijd voor buurtbewoners met een klein budget.",
     "organisation": "Buurtwerk Noord", "region": "Antwerpen", "sector": "armoede",
     "krachtlijnen": ["laagdrempelig"], "themes": ["voedsel", "armoede"]},
    {"id": "rechtenverkenners-limburg", "title": "Rechtenverkenners",
     "summary": "Sociaal werkers zoeken proactief wie recht heeft op een toelage maar die niet krijgt.",
     "organisation": "OCMW Genk", "municipality": "Genk", "sectors": ["lokaal-bestuur", "welzijn"],
     "krachtlijnen": ["politiserend", "generalistisch"], "themes": ["onderbescherming"]},
    {"id": "jeugdhuis-brussel", "title": "Jeugdhuis met huiswerkklas",
     "summary": "Jongeren krijgen hulp bij hun huiswerk en kunnen er na school samen sporten.",
     "organisation": "Jeugdwerk Molenbeek", "region": "brussel", "sectors": ["jeugd", "onderwijs"],
     "krachtlijnen": ["verbindend", "procesmatig"], "target_groups": ["jongeren"]},
    {"id": "digipunt-kortrijk", "title": "Digitaal hulppunt",
     "summary": "Hulp bij online formulieren, e-mail en de bankapp voor wie digitaal niet mee is.",
     "organisation": "Stad Kortrijk", "municipality": "Kortrijk", "sectors": ["welzijn"],
     "krachtlijnen": ["laagdrempelig"], "themes": ["digitale inclusie", "bureaucratie"]},
    {"id": "woonbegeleiding-leuven", "title": "Housing First Leuven",
     "summary": "Dakloze mensen krijgen eerst een eigen woning en daarna begeleiding op maat.",
     "organisation": "CAW Oost-Brabant", "municipality": "Leuven", "sectors": ["wonen", "welzijn"],
     "krachtlijnen": ["procesmatig", "generalistisch"], "target_groups": ["dak- en thuislozen"],
     "status": "published"},
]


def fts_hits(store: SqliteStore, terms: list[str], filters: Any, *, limit: int,
             rids: Sequence[int] | None = None) -> list[tuple[int, float]]:
    """BM25 hits as (rid, score) pairs, best first."""
    found, scores = store.fts_scores(terms, filters, limit=limit, rids=rids)
    return list(zip(found.tolist(), scores.tolist(), strict=True))


@pytest.fixture
def sample() -> list[dict[str, Any]]:
    return [dict(item) for item in SAMPLE]


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(tmp_path / "praktijkbank.db")
    yield s
    s.close()


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


def make_core(store: SqliteStore, *, index_path: Path, embedder: Any, tuning: Tuning | None = None) -> Praktijkbank:
    """The composition root over a test's store, with the embedder it chooses."""
    return Praktijkbank.over(store, index_path=index_path, embedder=embedder, tuning=tuning)


@pytest.fixture
def core(store: SqliteStore, tmp_path: Path, fake_embedder: FakeEmbedder) -> Praktijkbank:
    return make_core(store, index_path=tmp_path / "index.faiss", embedder=fake_embedder)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture(scope="session")
def real_embedder() -> Any:
    """The real default embedder (bundled e5-small + USE multilingual), loaded once."""
    from search.embedders import make_embedder

    return make_embedder(Settings.model_fields["embedder"].default)


# -- the e2e catalogue, started early -----------------------------------------------------------

_ON_THE_E2E_CATALOGUE = {"server", "postgres_e2e_server", "any_server"}


def _on_the_e2e_catalogue(item: pytest.Item) -> bool:
    return not _ON_THE_E2E_CATALOGUE.isdisjoint(getattr(item, "fixturenames", ()))


def _phase(item: pytest.Item) -> int:
    if _on_the_e2e_catalogue(item):
        return 2  # on the e2e server: after its catalogue is embedded
    return 1 if item.get_closest_marker("e2e") is not None else 0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests on the e2e server run last (stable order otherwise), so their catalogue has the
    whole rest of the suite to be embedded in the background (tests/e2e/catalogue.py). The e2e
    tests with servers of their own run just before them, while that embedding finishes, rather
    than after a wait for it."""
    items.sort(key=_phase)


@pytest.fixture(scope="session")
def e2e_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.e2e.catalogue import ADOPT, AdoptedCatalogue, PreparedCatalogue

    prepared: AdoptedCatalogue | PreparedCatalogue
    if (started := os.environ.get(ADOPT)) and Path(started).is_dir():  # started by scripts/test.sh
        prepared = AdoptedCatalogue(Path(started))
    else:
        prepared = PreparedCatalogue(tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("e2e-source"))
    yield prepared
    prepared.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_the_e2e_catalogue(request: pytest.FixtureRequest) -> None:
    """Start embedding the e2e server's catalogue with the session when a selected test needs it."""
    if any(_on_the_e2e_catalogue(item) for item in request.session.items):
        request.getfixturevalue("e2e_catalogue")
