"""The PostgreSQL schema on a real server: migrations, the catalogue version, vectors, errors."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from psycopg import errors, sql
from psycopg.conninfo import make_conninfo

from catalogue.errors import StoreError
from catalogue.postgres import schema
from catalogue.postgres.connection import connect, make_pool, redact
from catalogue.postgres.errors import (
    DatabaseUnreachable,
    SchemaTooNew,
    VectorDimensionMismatch,
    VectorExtensionMissing,
)
from catalogue.postgres.server import MAINTENANCE_DB

TABLES = {"meta", "practices", "practice_tags", "terms", "doclen", "vectors", "passages", "api_keys",
          "rate_limits", "catalogue_version"}


@pytest.fixture
def empty_url(postgres_server) -> Iterator[str]:
    """A database praktijkbank never migrated (a copy of template1)."""
    name = postgres_server.create_database(template="template1")
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def _add_practice(conn, practice_id: str) -> int:
    rid = conn.execute(
        "INSERT INTO practices (id, title, summary, organisation, region, sectors, krachtlijnen, status, "
        "content_hash) VALUES (%s, 'Titel', 'Samenvatting', 'Organisatie', 'limburg', '[\"welzijn\"]', "
        "'[\"verbindend\"]', 'published', 'hash-1') RETURNING rid", [practice_id]).fetchone()[0]
    conn.execute("INSERT INTO practice_tags (kind, value, rid) VALUES ('region', 'limburg', %s)", [rid])
    conn.execute("INSERT INTO terms (rid, term, wtf) VALUES (%s, 'titel', 4.0), (%s, 'samenvat', 2.0)",
                 [rid, rid])
    conn.execute("INSERT INTO doclen (rid, len) VALUES (%s, 2)", [rid])
    return int(rid)


def test_migrations_apply_in_order_and_idempotently(empty_url):
    with connect(empty_url) as conn:
        assert schema.current_version(conn) == 0
        assert not _tables(conn)
        assert schema.migrate(conn) == schema.schema_version()
        assert _tables(conn) == TABLES
        assert schema.get_meta(conn, "schema_version") == str(schema.schema_version())
        assert schema.catalogue_version(conn) == 0
        assert schema.migrate(conn) == schema.schema_version()  # a second run changes nothing
        assert schema.catalogue_version(conn) == 0
    numbers = [m.version for m in schema.migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_migrations_from_two_servers_at_once(empty_url):
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with connect(empty_url) as conn:
                schema.migrate(conn)
        except BaseException as e:  # reported below, in the test's thread
            failures.append(e)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with connect(empty_url) as conn:
        assert schema.current_version(conn) == schema.schema_version()


def test_the_template_copy_is_migrated_and_has_the_vector_adapters(postgres_url):
    with connect(postgres_url) as conn:
        assert schema.current_version(conn) == schema.schema_version()
        row = conn.execute("SELECT '[1,2,3]'::vector, '[1,2]'::halfvec").fetchone()
        assert np.array_equal(row[0].to_numpy(), np.array([1, 2, 3], dtype=np.float32))
        assert np.array_equal(row[1].to_numpy(), np.array([1, 2], dtype=np.float16))


def test_a_write_transaction_bumps_the_version_once_and_notifies_at_commit(postgres_url):
    with connect(postgres_url, autocommit=True) as listener, connect(postgres_url) as writer:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(schema.NOTIFY_CHANNEL)))
        before = schema.catalogue_version(writer)
        writer.commit()
        _add_practice(writer, "eerste")  # four statements, four tables
        assert schema.catalogue_version(writer) == before + 1
        assert schema.bump_catalogue_version(writer) == before + 1  # once per transaction
        writer.commit()
        seen = [n.payload for n in listener.notifies(timeout=10, stop_after=1)]
        assert seen == [str(before + 1)]
        assert schema.catalogue_version(listener) == before + 1

        _add_practice(writer, "tweede")
        writer.rollback()
        assert [n.payload for n in listener.notifies(timeout=0.5)] == []
        assert schema.catalogue_version(listener) == before + 1

        writer.execute("DELETE FROM practices WHERE id = 'eerste'")  # cascades to tags and terms
        writer.commit()
        seen = [n.payload for n in listener.notifies(timeout=10, stop_after=1)]
        assert seen == [str(before + 2)]
        assert writer.execute("SELECT count(*) FROM terms").fetchone()[0] == 0


def test_concurrent_writers_get_distinct_versions_in_commit_order(postgres_url):
    with connect(postgres_url) as a, connect(postgres_url) as b:
        _add_practice(a, "van-a")
        version_a = schema.catalogue_version(a)
        b.execute("SET lock_timeout = '200ms'")
        b.commit()
        # b's write waits for a's row lock on the version, so it cannot take the same number.
        with pytest.raises(errors.LockNotAvailable):
            _add_practice(b, "van-b")
        b.rollback()
        a.commit()
        _add_practice(b, "van-b")
        assert schema.catalogue_version(b) == version_a + 1
        b.commit()


def test_vector_model_types_the_columns_and_guards_against_another_model(postgres_url):
    with connect(postgres_url) as conn:
        assert schema.vector_model(conn) is None
        rid = _add_practice(conn, "met-vector")
        schema.set_vector_model(conn, model="fake", dim=4)
        assert schema.vector_model(conn) == ("fake", 4)
        conn.execute("INSERT INTO vectors (rid, content_hash, embedding) VALUES (%s, 'hash-1', %s)",
                     [rid, np.array([0.5, 0.5, 0.5, 0.5], dtype=np.float32)])
        conn.execute("INSERT INTO passages (rid, n, embedding) VALUES (%s, 0, %s)",
                     [rid, np.array([1, 0, 0, 0], dtype=np.float16)])
        conn.commit()
        schema.set_vector_model(conn, model="fake", dim=4)  # the same model: nothing happens
        assert conn.execute("SELECT count(*) FROM vectors").fetchone()[0] == 1
        with pytest.raises(errors.DataException):
            conn.execute("INSERT INTO passages (rid, n, embedding) VALUES (%s, 1, '[1,2,3]')", [rid])
        conn.rollback()
        with pytest.raises(VectorDimensionMismatch, match="fake .4 dimensies.*reindex"):
            schema.set_vector_model(conn, model="other", dim=8)
        conn.rollback()
        schema.set_vector_model(conn, model="other", dim=8, reset=True)
        conn.commit()
        assert schema.vector_model(conn) == ("other", 8)
        assert conn.execute("SELECT count(*) FROM vectors").fetchone()[0] == 0
        typed = conn.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                             "WHERE attrelid = 'passages'::regclass AND attname = 'embedding'").fetchone()[0]
        assert typed == "halfvec(8)"


def _stored_out_of_line(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table} WHERE pg_column_toast_chunk_id(embedding) IS NOT NULL"
                        ).fetchone()[0]


def test_vectors_of_the_default_embedders_size_stay_in_their_rows(postgres_url):
    """pgvector would keep an 896-dimension vector out of line (TOAST), and an exact scan then
    fetched each one through the TOAST index: 2.7x slower at 100k practices."""
    with connect(postgres_url) as conn:
        rid = _add_practice(conn, "breed")
        schema.set_vector_model(conn, model="wide", dim=896)
        conn.execute("INSERT INTO vectors (rid, content_hash, embedding) VALUES (%s, 'hash-1', %s)",
                     [rid, np.full(896, 0.03, dtype=np.float32)])
        conn.execute("INSERT INTO passages (rid, n, embedding) VALUES (%s, 0, %s)",
                     [rid, np.full(896, 0.03, dtype=np.float16)])
        conn.commit()
        assert _stored_out_of_line(conn, "vectors") == 0 and _stored_out_of_line(conn, "passages") == 0
        # a database written before migration 0002: its vectors are rewritten into their rows
        conn.execute("ALTER TABLE vectors ALTER COLUMN embedding SET STORAGE EXTERNAL, RESET (toast_tuple_target)")
        conn.execute("UPDATE vectors SET embedding = embedding::real[]::vector")
        assert _stored_out_of_line(conn, "vectors") == 1
        conn.execute(next(m.sql for m in schema.migrations() if m.name == "vectors_inline"))
        assert _stored_out_of_line(conn, "vectors") == 0
        conn.rollback()


def test_rate_limit_counts_are_shared_between_connections(postgres_url):
    with connect(postgres_url, autocommit=True) as server_a, connect(postgres_url, autocommit=True) as server_b:
        counts = [schema.count_request(conn, "search:203.0.113.7", window_s=3600)
                  for conn in (server_a, server_b, server_a)]
        other = schema.count_request(server_b, "search:198.51.100.1", window_s=3600)
    # A window boundary may fall between the calls: then the count restarts at 1.
    assert counts in ([1, 2, 3], [1, 1, 2], [1, 2, 1])
    assert other == 1


def test_the_pool_hands_out_connections_with_the_vector_adapters(postgres_url):
    pool = make_pool(postgres_url, min_size=1, max_size=2)
    try:
        with pool.connection() as conn:
            assert conn.execute("SELECT '[3,4]'::vector").fetchone()[0].to_list() == [3.0, 4.0]
    finally:
        pool.close()


# -- the three Dutch errors ------------------------------------------------------------------


def test_an_unreachable_server_is_a_dutch_error_without_the_password(tmp_path):
    url = f"postgresql://praktijkbank:geheim@/praktijkbank?host={tmp_path}"
    with pytest.raises(DatabaseUnreachable, match="niet bereikbaar") as caught:
        connect(url, timeout=2)
    assert "geheim" not in str(caught.value)
    assert "praktijkbank:***@" in str(caught.value)
    assert isinstance(caught.value, StoreError)  # the edges already turn these into 'Fout: ...'
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"


def test_a_missing_vector_extension_is_a_dutch_error(empty_url, tmp_path):
    with connect(empty_url) as conn:
        # PostgreSQL 18 looks for extensions only here: as on a server without pgvector.
        conn.execute("SELECT set_config('extension_control_path', %s, false)", [str(tmp_path / "no-extensions")])
        conn.commit()
        with pytest.raises(VectorExtensionMissing, match="'vector'.*ontbreekt.*CREATE EXTENSION vector"):
            schema.migrate(conn)
        conn.rollback()
        assert schema.current_version(conn) == 0  # nothing half-done


def test_a_vector_extension_the_user_may_not_create_is_a_dutch_error(postgres_server):
    role = f"plain_{uuid.uuid4().hex[:8]}"
    name = postgres_server.create_database(template="template1")
    admin_url = postgres_server.url(MAINTENANCE_DB)
    try:
        with connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
            admin.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
                sql.Identifier(name), sql.Identifier(role)))
        with connect(postgres_server.url(name), autocommit=True) as owner:
            owner.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(role)))
        with connect(make_conninfo(postgres_server.url(name), user=role)) as conn:
            with pytest.raises(VectorExtensionMissing, match="mag niet aangemaakt"):
                schema.migrate(conn)
            conn.rollback()
            assert schema.current_version(conn) == 0
    finally:
        postgres_server.drop_database(name)
        with connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_a_schema_from_a_newer_version_is_a_dutch_error(postgres_url):
    newer = schema.schema_version() + 1
    with connect(postgres_url) as conn:
        schema.set_meta(conn, "schema_version", str(newer))
        conn.commit()
        with pytest.raises(SchemaTooNew, match=f"schemaversie {newer}.*hoogstens {newer - 1}.*Werk praktijkbank bij"):
            schema.migrate(conn)
