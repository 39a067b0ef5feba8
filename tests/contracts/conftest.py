"""Backends under the contract suites: each protocol's tests run once per implementation.

A new backend adds its name to the params below and a branch to the fixture; the contract
tests themselves do not change (txtai's per-backend test modules work the same way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from catalogue.keys import ApiKeyStore
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.store import PracticeStore
from catalogue.store_sqlite import SqliteStore
from search.index import VectorIndex
from search.index_faiss import PASSAGE_SCHEME, FaissIndex
from search.index_file import IndexFile
from tests.conftest import STORE_BACKENDS

INDEX_BACKENDS = ["faiss-memory", "faiss-file", "pgvector"]


class _Model:
    """Just enough of an embedder for an index file to check its stamp against."""

    name = "contract/unit-vectors"
    dim = 8
    min_score = 0.0

    def encode_documents(self, texts, *, progress=None):  # pragma: no cover - never called
        raise AssertionError("the index contract embeds nothing")

    def encode_queries(self, texts):  # pragma: no cover - never called
        raise AssertionError("the index contract embeds nothing")


@pytest.fixture(params=STORE_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_backend_store(backend: str, tmp_path: Path,
                       request: pytest.FixtureRequest) -> Iterator[Callable[[], PracticeStore]]:
    """Opens (another connection to) the same catalogue; every store opened is closed after."""
    opened: list[PracticeStore] = []
    # PostgreSQL: a migrated database of this test's own (tests/postgres_fixture.py), asked for
    # only here so that the SQLite runs start no server
    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else ""

    def open_one() -> PracticeStore:
        if backend == "sqlite":
            store: PracticeStore = SqliteStore(tmp_path / "contract.db")
        elif backend == "postgresql":
            from catalogue.postgres.backend import open_postgres

            store, _ = open_postgres(url)
        else:  # pragma: no cover - a backend listed above without a branch here
            raise AssertionError(f"no store for backend {backend}")
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def contract_store(open_backend_store: Callable[[], PracticeStore]) -> PracticeStore:
    return open_backend_store()


@pytest.fixture
def contract_keys(backend: str, contract_store: PracticeStore) -> ApiKeyStore:
    """The API keys kept beside the contract store, as its backend opens them."""
    if backend == "sqlite":
        return SqliteKeyStore(contract_store)
    from catalogue.postgres.keys import PostgresKeyStore

    return PostgresKeyStore(contract_store.pool, sessions=contract_store.sessions)


IndexBuilder = Callable[[dict[int, np.ndarray], dict[int, np.ndarray] | None], VectorIndex]


@pytest.fixture(params=INDEX_BACKENDS)
def build_index(request: pytest.FixtureRequest, tmp_path: Path) -> IndexBuilder:
    """Makes an index holding these vectors (and sentence vectors, when given) by rid."""
    if request.param == "pgvector":
        return _pgvector_builder(request)

    def build(vectors: dict[int, np.ndarray], passages: dict[int, np.ndarray] | None) -> VectorIndex:
        rids = sorted(vectors)
        index = FaissIndex(_Model.dim, _Model.name, passages=PASSAGE_SCHEME if passages is not None else None)
        index.upsert(rids, np.stack([vectors[r] for r in rids]), [f"h{r}" for r in rids],
                     [passages[r] for r in rids] if passages is not None else None)
        if request.param == "faiss-memory":
            return index
        path = tmp_path / "contract.faiss"
        index.save(path)
        return IndexFile(path, embedder=_Model(), passages=index.stamp.passages)

    return build


def _pgvector_builder(request: pytest.FixtureRequest) -> IndexBuilder:
    """Published practice rows and their vectors, inserted with SQL into this test's database."""
    from catalogue.postgres.connection import make_pool
    from search.index_pgvector import PgVectorIndex, record_model, write_vectors
    from tests.postgres.practice_rows import insert_rows

    pool = make_pool(request.getfixturevalue("postgres_url"), min_size=1, max_size=2)
    request.addfinalizer(pool.close)

    def build(vectors: dict[int, np.ndarray], passages: dict[int, np.ndarray] | None) -> VectorIndex:
        rids = sorted(vectors)
        scheme = PASSAGE_SCHEME if passages is not None else None
        with pool.connection() as conn:
            insert_rows(conn, rids)
            record_model(conn, _Model(), scheme)
            write_vectors(conn, [(r, f"h{r}", vectors[r]) for r in rids],
                          [passages[r] for r in rids] if passages is not None else None)
        return PgVectorIndex(pool, embedder=_Model(), passages=scheme)

    return build
