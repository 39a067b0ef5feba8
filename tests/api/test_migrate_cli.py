"""How `praktijkbank migrate` reports a copy whose check found differences (the copy itself is
tested against a real PostgreSQL in tests/postgres/test_migrate.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from api.compare import Census, SearchCheck, Verification
from api.migrate import Copied, MigrationReport

SIDE = Census({"draft": 2, "published": 6, "archived": 1}, keys=2, revoked=1, vectors=6)


def report(target: Census, searches: list[SearchCheck]) -> MigrationReport:
    return MigrationReport("SQLite in /thuis", "PostgreSQL postgresql://db/pb", Copied(9, 2, 5, 1),
                           Verification(SIDE, target, searches))


@pytest.fixture
def run(tmp_path, monkeypatch):
    def run(result: MigrationReport):
        monkeypatch.setattr("api.cli.migrate_cmds.migrate_to_postgres", lambda *a, **k: result)
        return CliRunner().invoke(app, ["--home", str(tmp_path), "migrate", "--to", "postgresql://db/pb"])

    return run


def test_a_search_with_another_top_10_is_shown_and_exits_2(run):
    same = SearchCheck("warme maaltijd", ["a", "b"], ["a", "b"])
    other = SearchCheck("taalcafé", ["a", "b", "c"], ["a", "c", "b"])
    result = run(report(SIDE, [same, other]))
    said = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "5 overgenomen, 1 opnieuw ingebed" in said
    assert "1 van de 2 geven een andere top 10" in said and "'taalcafé'" in said
    assert "bron: a, b, c" in said and "doel: a, c, b" in said


def test_counts_that_differ_are_marked_and_exit_1(run):
    fewer = Census({"draft": 1, "published": 6, "archived": 1}, keys=2, revoked=1, vectors=6)
    result = run(report(fewer, []))
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "kladversies │ 2 │ 1 ≠" in said
    assert "Fout: de tellingen van bron en doel verschillen" in said


def test_a_target_without_a_vector_per_published_practice_does_not_count_as_equal(run):
    lagging = Census({"draft": 2, "published": 6, "archived": 1}, keys=2, revoked=1, vectors=5)
    result = run(report(lagging, []))
    assert result.exit_code == 1 and "vectoren │ 6 │ 5 ≠" in " ".join(result.output.split())
    assert run(report(SIDE, [])).exit_code == 0
