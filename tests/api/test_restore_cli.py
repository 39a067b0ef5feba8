"""`praktijkbank restore` and `check` through the CLI: damaged backups, bad rows and API keys."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.api.conftest import ingest_sample


@pytest.fixture
def cli(make_cli, tmp_path, sample):
    run = make_cli(fake=True)
    ingest_sample(run, tmp_path, sample)
    return run


def said(result) -> str:
    return " ".join(result.output.split())


def test_restore_says_what_happened_to_the_keys(cli, tmp_path):
    assert cli("keys", "create", "curator").exit_code == 0
    target = tmp_path / "backup.db"
    assert cli("backup", target).exit_code == 0
    assert cli("keys", "create", "nieuw").exit_code == 0

    result = cli("restore", target, "--yes")
    assert result.exit_code == 0, result.output
    assert "API-sleutels: de 2 huidige behouden" in said(result)
    assert "--with-keys" in said(result)
    assert len(json.loads(cli("keys", "list", "--json").output)) == 2

    result = cli("restore", target, "--yes", "--with-keys")
    assert result.exit_code == 0, result.output
    assert "API-sleutels: de 1 uit de back-up teruggezet" in said(result)
    assert len(json.loads(cli("keys", "list", "--json").output)) == 1


def test_a_damaged_backup_restores_with_its_derived_tables_rebuilt(cli, tmp_path):
    target = tmp_path / "backup.db"
    assert cli("backup", target).exit_code == 0
    conn = sqlite3.connect(target)
    conn.execute("DROP TABLE practices_fts")
    conn.execute("DROP TABLE practice_tags")
    conn.commit()
    conn.close()
    result = cli("restore", target, "--yes")
    assert result.exit_code == 0, result.output
    assert json.loads(cli("check", "--json").output)["ok"]
    found = json.loads(cli("search", "taalcafé", "--mode", "lexical", "--json").output)
    assert found["results"][0]["id"] == "taalcafe-gent"


def test_a_backup_with_a_bad_row_is_refused_in_dutch(cli, tmp_path):
    target = tmp_path / "backup.db"
    assert cli("backup", target).exit_code == 0
    conn = sqlite3.connect(target)
    conn.execute("UPDATE practices SET themes = '[kapot' WHERE id = 'digipunt-kortrijk'")
    conn.commit()
    conn.close()
    result = cli("restore", target, "--yes")
    assert result.exit_code == 1
    assert "Fout:" in result.output and "digipunt-kortrijk" in said(result) and "niets hersteld" in said(result)
    assert "Traceback" not in result.output


def test_check_finds_a_bad_row_and_repair_rebuilds_the_derived_tables(cli, tmp_path):
    db = tmp_path / "home" / "praktijkbank.db"
    conn = sqlite3.connect(db)
    conn.execute("UPDATE practices SET region = 'mars' WHERE id = 'jeugdhuis-brussel'")
    conn.execute("DROP TABLE practices_fts")
    conn.commit()
    conn.close()
    result = cli("check", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert any("jeugdhuis-brussel" in p and "region" in p for p in problems)
    assert any("practices_fts" in p for p in problems)
    result = cli("check", "--repair", "--json")
    assert [p for p in json.loads(result.output)["problems"] if "jeugdhuis-brussel" not in p] == []
    found = json.loads(cli("search", "taalcafé", "--mode", "lexical", "--json").output)
    assert found["results"][0]["id"] == "taalcafe-gent"
