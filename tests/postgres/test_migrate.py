"""`praktijkbank migrate`: a SQLite catalogue into PostgreSQL and back, with its drafts, dates, API
keys and vectors, without embedding again; a target in use or another model is refused and
nothing is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from api.cli.main import app
from api.compare import census, verify
from api.core import Praktijkbank
from api.migrate import Copied, copy_catalogue, migrate_from_postgres
from catalogue.errors import CopyRefused
from catalogue.keys import split_key
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.model import parse_practice
from catalogue.settings import Settings
from catalogue.store import Filters
from catalogue.store_sqlite import SqliteStore
from ingest.pipeline import store_practices
from search.service import Tuning
from tests.conftest import SAMPLE, FakeEmbedder

EVERY_STATUS = Filters(status=())
QUERIES = ["taal oefenen nieuwkomers", "warme maaltijd", "jongeren huiswerk", "dakloos wonen",
           "digitale hulp formulieren", "recht op een toelage"]


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, remembering every call that embedded documents (queries are not counted)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode_documents(self, texts, *, progress: Any = None) -> np.ndarray:
        self.calls.append(list(texts))
        return super().encode_documents(texts, progress=progress)

    def encode_queries(self, texts) -> np.ndarray:
        return super().encode_documents(texts)


class OtherEmbedder(FakeEmbedder):
    name = "fake/another-model"


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def cores(tmp_path: Path, postgres_url: str):
    """Makes SQLite + FAISS cores in folders of tmp_path and PostgreSQL cores over this test's
    database; all are closed after the test."""
    opened: list[Praktijkbank] = []

    def lite(embedder: Any, name: str = "lite", tuning: Tuning | None = None) -> Praktijkbank:
        core = Praktijkbank.over(SqliteStore(tmp_path / name / "praktijkbank.db"),
                                 index_path=tmp_path / name / "index.faiss", embedder=embedder, tuning=tuning)
        opened.append(core)
        return core

    def pg(embedder: Any, tuning: Tuning | None = None) -> Praktijkbank:
        core = Praktijkbank.over_postgres(postgres_url, embedder=embedder, tuning=tuning, cache_dir=tmp_path / "pg")
        opened.append(core)
        return core

    yield lite, pg
    for core in opened:
        core.close()


def fill(core: Praktijkbank) -> dict[str, str]:
    """The sample published, an archived practice with old dates, two submitted drafts, a valid
    and a revoked API key; returns the keys by name."""
    store_practices(core.store, [parse_practice(dict(d)) for d in SAMPLE], indexer=core.indexing)
    core.operations.add(parse_practice({**SAMPLE[1], "id": "soepbar-oud", "title": "Soepbar (gestopt)",
                                        "status": "archived", "created": "2019-03-01", "updated": "2021-04-02"}))
    core.operations.submit({**{k: v for k, v in SAMPLE[3].items() if k != "region"}, "id": "huiswerkhulp-gent",
                            "title": "Huiswerkhulp in Gent", "municipality": "Gent"})
    core.operations.submit({**SAMPLE[4], "id": "digicafe-brugge", "title": "Digicafé Brugge",
                            "municipality": "Brugge"})
    keys = {"curator": core.keys.create("curator"), "oud": core.keys.create("oud")}
    core.keys.revoke(split_key(keys["oud"])[0])
    return keys


def practices(core: Praktijkbank) -> dict[str, dict[str, Any]]:
    return {p.id: p.model_dump(mode="json") for p in core.store.list_practices(EVERY_STATUS)}


def assert_same_catalogue(a: Praktijkbank, b: Praktijkbank) -> None:
    """Every practice field for field, the keys, the vectors and the searches."""
    assert practices(a) == practices(b)
    assert [(k.key_id, k.name, k.key_hash, k.revoked) for k in a.keys.export_keys()] == \
        [(k.key_id, k.name, k.key_hash, k.revoked) for k in b.keys.export_keys()]
    published = [p.id for p in a.store.list_practices(Filters())]
    assert len(b.index) == len(published) and b.indexing.check().ok
    for practice_id in published:
        ra, rb = a.store.rid_of(practice_id), b.store.rid_of(practice_id)
        assert np.allclose(a.index.vector(ra), b.index.vector(rb), atol=1e-6)
        sa, sb = a.index.passage_vectors(ra), b.index.passage_vectors(rb)
        assert sa is not None and sb is not None and sa.shape == sb.shape
        assert np.allclose(sa, sb, atol=1e-3)  # float16 sentence vectors
    for query in QUERIES:
        for mode in ("hybrid", "semantic", "lexical"):
            found = [[h.practice.id for h in core.search.search(query, mode=mode).hits] for core in (a, b)]
            assert found[0] == found[1], (query, mode)


def test_sqlite_into_postgresql_and_back_copies_everything_without_embedding(cores, embedder):
    lite, pg = cores
    source = lite(embedder)
    keys = fill(source)
    embedder.calls.clear()

    target = pg(embedder)
    assert copy_catalogue(source, target) == Copied(practices=9, keys=2, vectors_copied=6, embedded=0)
    assert embedder.calls == []
    assert_same_catalogue(source, target)
    assert target.store.get("soepbar-oud").created.isoformat() == "2019-03-01"
    assert target.store.get("soepbar-oud").updated.isoformat() == "2021-04-02"
    assert [p.id for p in target.operations.drafts()] == ["digicafe-brugge", "huiswerkhulp-gent"]
    assert target.keys.verify(keys["curator"]) is not None
    assert target.keys.verify(keys["oud"]) is None  # revoked stays revoked

    back = lite(embedder, "back")
    assert copy_catalogue(target, back) == Copied(practices=9, keys=2, vectors_copied=6, embedded=0)
    assert embedder.calls == []
    assert_same_catalogue(target, back)
    assert back.keys.verify(keys["curator"]) is not None and back.keys.verify(keys["oud"]) is None

    checked = verify(source, target)
    assert checked.counts_match and checked.searches and not checked.mismatches
    assert checked.target.statuses == {"draft": 2, "published": 6, "archived": 1}
    assert (checked.target.keys, checked.target.revoked, checked.target.vectors) == (2, 1, 6)


def test_only_practices_whose_vectors_lag_are_embedded(cores, embedder):
    lite, pg = cores
    source = lite(embedder)
    fill(source)
    changed = parse_practice({**SAMPLE[1], "summary": "Een warme maaltijd en een babbel, elke dag."})
    source.store.upsert_many([changed])  # past the index: its vectors lag
    embedder.calls.clear()

    target = pg(embedder)
    copied = copy_catalogue(source, target)
    assert (copied.vectors_copied, copied.embedded) == (5, 1)
    assert len(embedder.calls) == 2 and embedder.calls[0] == [changed.search_text()]  # then its sentences
    assert target.indexing.check().ok
    assert target.index.vector(target.store.rid_of(changed.id)) is not None


def _analyzed(core: Praktijkbank) -> dict[str, bool]:
    with core.store.pool.connection() as conn:
        return {name: analyzed for name, analyzed in conn.execute(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname IN ('vectors', 'passages')").fetchall()}


def test_a_large_copy_refreshes_the_planners_statistics(cores, embedder, monkeypatch):
    """Without statistics, `rid = ANY(...)` over the sentence vectors ran as a sequential scan
    right after a migrate (31 instead of 1.5 ms at 10k practices) until autovacuum came by."""
    import search.indexing_pg

    lite, pg = cores
    source = lite(embedder)
    fill(source)
    small = pg(embedder)
    monkeypatch.setattr(search.indexing_pg, "ANALYZE_AFTER", 7)  # the sample has 6 published practices
    copy_catalogue(source, small)
    assert _analyzed(small) == {"vectors": False, "passages": False}
    monkeypatch.setattr(search.indexing_pg, "ANALYZE_AFTER", 6)
    copy_catalogue(source, small, overwrite=True)
    assert _analyzed(small) == {"vectors": True, "passages": True}


def test_a_target_in_use_is_refused_in_dutch_and_nothing_is_written(cores, embedder):
    lite, pg = cores
    source = lite(embedder)
    fill(source)
    target = pg(embedder)
    target.operations.add(parse_practice({**SAMPLE[0], "id": "al-daar"}))
    before = (practices(target), census(target))

    with pytest.raises(CopyRefused, match="is niet leeg: 1 praktijken en 0 API-sleutels.*--overwrite"):
        copy_catalogue(source, target)
    assert (practices(target), census(target)) == before

    def broken(keys):
        raise OSError("schijf vol")

    target.keys.import_keys = broken  # fails after the practices and vectors were written
    with pytest.raises(OSError):
        copy_catalogue(source, target, overwrite=True)
    assert (practices(target), census(target)) == before


def test_overwrite_replaces_everything_in_the_target(cores, embedder):
    lite, pg = cores
    source = lite(embedder)
    fill(source)
    target = pg(embedder)
    target.operations.add(parse_practice({**SAMPLE[0], "id": "al-daar"}))
    stale_key = target.keys.create("van het doel")

    copy_catalogue(source, target, overwrite=True)
    assert_same_catalogue(source, target)
    assert not target.store.exists("al-daar") and target.keys.verify(stale_key) is None


def test_another_model_or_sentence_scheme_is_refused_in_dutch(cores, embedder):
    lite, pg = cores
    source = lite(embedder)
    fill(source)

    with pytest.raises(CopyRefused, match="dezelfde embedder en zinsvectoren"):
        copy_catalogue(source, pg(OtherEmbedder()))
    with pytest.raises(CopyRefused, match="zonder zinsvectoren"):
        copy_catalogue(source, pg(embedder, tuning=Tuning(passage_weight=0.0)))
    source.close()  # the same catalogue, configured with a model its index was not made with
    with pytest.raises(CopyRefused, match="De zoekindex van de bron .* past niet"):
        copy_catalogue(lite(OtherEmbedder()), pg(OtherEmbedder()))
    assert census(pg(embedder)).statuses == {"draft": 0, "published": 0, "archived": 0}


def test_a_failed_copy_into_sqlite_leaves_the_live_catalogue_as_it_was(cores, embedder, tmp_path, postgres_url,
                                                                      monkeypatch):
    lite, pg = cores
    fill(pg(embedder))
    monkeypatch.setattr("api.core.make_embedder", lambda *a, **k: embedder)
    home = tmp_path / "home"
    existing = lite(embedder, "home")
    existing.operations.add(parse_practice({**SAMPLE[2], "id": "lokaal"}))
    settings = Settings(home=home, passage_weight=0.3)
    url = postgres_url

    with pytest.raises(CopyRefused, match="niet leeg"):
        migrate_from_postgres(settings, url)

    def broken(self, keys):
        raise OSError("schijf vol")

    monkeypatch.setattr(SqliteKeyStore, "import_keys", broken)
    with pytest.raises(OSError):
        migrate_from_postgres(settings, url, overwrite=True)
    after = lite(embedder, "home")
    assert [p.id for p in after.store.list_practices(EVERY_STATUS)] == ["lokaal"]
    assert after.indexing.check().ok
    assert [p.name for p in home.iterdir() if p.name.startswith(".migrate-")] == []


# -- the command ------------------------------------------------------------------------------


def test_the_command_copies_both_ways_and_reports_in_dutch(tmp_path, postgres_url, monkeypatch):
    embedder = CountingEmbedder()
    monkeypatch.setattr("api.core.make_embedder", lambda *a, **k: embedder)
    monkeypatch.delenv("PRAKTIJKBANK_DATABASE_URL", raising=False)
    runner = CliRunner()

    def cli(home: str, *args: object):
        return runner.invoke(app, ["--home", str(tmp_path / home), *[str(a) for a in args]])

    source = tmp_path / "sample.jsonl"
    source.write_text("\n".join(json.dumps(d) for d in SAMPLE) + "\n", encoding="utf-8")
    assert cli("a", "ingest", source).exit_code == 0
    key = cli("a", "keys", "create", "curator").output.strip().splitlines()[-1]
    embedder.calls.clear()

    result = cli("a", "migrate", "--to", postgres_url)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Gekopieerd van SQLite in" in said and "6 praktijken en 1 API-sleutels" in said
    assert "6 overgenomen, 0 opnieuw ingebed" in said and "telkens dezelfde top 10" in said
    assert embedder.calls == []

    again = cli("a", "migrate", "--to", postgres_url)
    assert again.exit_code == 1 and "Fout:" in again.output and "niet leeg" in again.output

    back = cli("b", "migrate", "--from", postgres_url)
    assert back.exit_code == 0, back.output
    assert embedder.calls == []
    found = json.loads(cli("b", "search", "warme maaltijd", "--json").output)
    assert found["results"][0]["id"] == "buurtrestaurant-antwerpen"
    assert [k["name"] for k in json.loads(cli("b", "keys", "list", "--json").output)] == ["curator"]
    assert SqliteKeyStore(SqliteStore(tmp_path / "b" / "praktijkbank.db")).verify(key) is not None


def test_the_command_wants_one_postgresql_url(tmp_path):
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    neither = runner.invoke(app, [*home, "migrate"])
    assert neither.exit_code == 1 and "precies één van --to URL of --from URL" in neither.output
    wrong = runner.invoke(app, [*home, "migrate", "--to", str(tmp_path / "x.db")])
    assert wrong.exit_code == 1 and "geen PostgreSQL-URL" in wrong.output
    shown = " ".join(runner.invoke(app, ["migrate", "--help"]).output.split())
    assert "--to" in shown and "--from" in shown and "--overwrite" in shown and "opnieuw ingebed" in shown
