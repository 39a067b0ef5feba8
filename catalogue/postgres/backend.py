"""Opening the PostgreSQL backend from a URL: the pool, the schema migrated, the store and its keys."""

from __future__ import annotations

from catalogue.postgres.connection import make_pool
from catalogue.postgres.keys import PostgresKeyStore
from catalogue.postgres.schema import migrate
from catalogue.postgres.store import PostgresStore


def open_postgres(url: str, *, max_connections: int = 8) -> tuple[PostgresStore, PostgresKeyStore]:
    """The store and the key store over the database at `url`, migrated to this version's schema.

    Raises the backend's Dutch StoreErrors: DatabaseUnreachable (no server answers),
    VectorExtensionMissing (pgvector absent or too old) and SchemaTooNew (a newer praktijkbank
    migrated the database). Both share one pool; `store.close()` closes it.
    """
    pool = make_pool(url, max_size=max_connections)
    try:
        with pool.connection() as conn:
            migrate(conn)
        store = PostgresStore(pool)
    except BaseException:
        pool.close()
        raise
    return store, PostgresKeyStore(pool, sessions=store.sessions)
