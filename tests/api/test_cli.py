"""The curator CLI through typer's CliRunner, with the real default embedder on small data."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from tests.api.conftest import ingest_sample
from tests.conftest import SAMPLE


@pytest.fixture
def cli(make_cli):
    return make_cli()


@pytest.fixture(scope="module")
def ingested_home(tmp_path_factory) -> Path:
    """The sample, ingested once per module through the CLI with the real default model."""
    scratch = tmp_path_factory.mktemp("cli-sample")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PRAKTIJKBANK_HOME", str(scratch / "home"))
        env.delenv("PRAKTIJKBANK_EMBEDDER", raising=False)  # the real default
        runner = CliRunner()
        ingest_sample(lambda *args: runner.invoke(app, [str(a) for a in args]), scratch,
                      [dict(item) for item in SAMPLE])
    return scratch / "home"


@pytest.fixture
def loaded(cli, tmp_path, ingested_home):
    """The CLI over a copy of the ingested sample (and its file, tmp_path/sample.jsonl): each test
    may change its own."""
    shutil.copytree(ingested_home, tmp_path / "home")
    shutil.copy(ingested_home.parent / "sample.jsonl", tmp_path / "sample.jsonl")
    return cli


def test_init_and_help_are_dutch(cli):
    result = cli("init")
    assert result.exit_code == 0 and "Catalogus klaar" in result.output
    assert "praktijken" in cli("--help").output


def test_clicks_own_words_are_dutch_too(cli):
    shown = cli("search", "--help").output
    assert "Gebruik:" in shown and "Opties" in shown and "Argumenten" in shown and "standaard: 10" in shown
    assert "Usage" not in shown and "Options" not in shown
    wrong = cli("search", "--limit", "veel")
    assert wrong.exit_code == 2 and "Fout" in wrong.output and "voor hulp" in wrong.output


def test_ingest_reports_and_is_idempotent(loaded, tmp_path):
    again = loaded("ingest", tmp_path / "sample.jsonl", "--json")
    data = json.loads(again.output)
    assert again.exit_code == 0 and data["added"] == [] and len(data["unchanged"]) == 6


def test_ingest_with_rejections_exits_2_and_names_file_line_field(cli, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "Iets"}\n', encoding="utf-8")
    result = cli("ingest", path)
    assert result.exit_code == 2
    assert "bad.jsonl" in result.output and "regel 1" in result.output and "summary" in result.output


def test_list_show_stats_json(loaded, sample):
    listed = json.loads(loaded("list", "--region", "Antwerpen", "--json").output)
    assert [p["id"] for p in listed] == ["buurtrestaurant-antwerpen"]
    shown = json.loads(loaded("show", "taalcafe-gent", "--json").output)
    assert shown["region"] == "oost-vlaanderen" and shown["municipality"] == "Gent"
    stats = json.loads(loaded("stats", "--json").output)
    assert stats["total"] == 6 and stats["region"]["antwerpen"] == 1
    assert sum(stats["krachtlijn"].values()) == sum(len(d["krachtlijnen"]) for d in sample)


def test_unknown_id_and_bad_filter_exit_nonzero_without_traceback(loaded):
    result = loaded("show", "bestaat-niet")
    assert result.exit_code == 1 and "Fout" in result.output and "Traceback" not in result.output
    result = loaded("list", "--krachtlijn", "creatief")
    assert result.exit_code == 1 and "krachtlijn: onbekende waarde 'creatief'" in result.output


def test_add_with_flags_then_duplicate_refused(loaded):
    args = ["add", "--no-input", "--title", "Fietsherstelplaats", "--summary", "Buurtbewoners herstellen samen fietsen.",
            "--organisation", "Vzw Velo", "--gemeente", "Brugge", "-k", "verbindend", "-s", "mobiliteit"]
    result = loaded(*args)
    assert result.exit_code == 0, result.output
    shown = json.loads(loaded("show", "fietsherstelplaats", "--json").output)
    assert shown["region"] == "west-vlaanderen"
    assert loaded(*args).exit_code == 1
    found = json.loads(loaded("search", "fietsen repareren", "--json").output)
    assert found["results"][0]["id"] == "fietsherstelplaats"


def test_add_prompts_for_missing_fields(loaded):
    answers = "Praatgroep\nOuders praten over opvoeden.\nHuis van het Kind\nHasselt\nverbindend\njeugd\n"
    result = loaded("add", input=answers)
    assert result.exit_code == 0, result.output
    assert json.loads(loaded("show", "praatgroep", "--json").output)["region"] == "limburg"


def test_add_invalid_is_reported_and_not_stored(loaded):
    result = loaded("add", "--no-input", "--title", "X", "--summary", "kort", "--organisation", "O",
                    "--region", "Limburg", "-k", "verbindend", "-s", "welzijn")
    assert result.exit_code == 1 and "title" in result.output and "summary" in result.output


def test_edit_set_and_reviewed(loaded):
    result = loaded("edit", "taalcafe-gent", "--set", "summary=Taalcafé voor iedereen die Nederlands leert.",
                    "--set", "krachtlijnen=verbindend;procesmatig", "--reviewed")
    assert result.exit_code == 0, result.output
    shown = json.loads(loaded("show", "taalcafe-gent", "--json").output)
    assert shown["krachtlijnen"] == ["verbindend", "procesmatig"] and shown["last_reviewed"]
    bad = loaded("edit", "taalcafe-gent", "--set", "region=Limburg")
    assert bad.exit_code == 1 and "past niet bij gemeente" in bad.output
    assert json.loads(loaded("show", "taalcafe-gent", "--json").output)["region"] == "oost-vlaanderen"


def test_edit_in_editor(loaded, monkeypatch):
    monkeypatch.setenv("EDITOR", "sed -i 's/Bibliotheek Gent/Bib Gent/'")
    assert loaded("edit", "taalcafe-gent").exit_code == 0
    assert json.loads(loaded("show", "taalcafe-gent", "--json").output)["organisation"] == "Bib Gent"


def test_remove_updates_catalogue_and_index(loaded):
    assert loaded("remove", "digipunt-kortrijk", "--yes").exit_code == 0
    assert loaded("show", "digipunt-kortrijk").exit_code == 1
    check = loaded("check", "--json")
    assert check.exit_code == 0 and json.loads(check.output)["index_count"] == 5


def test_export_jsonl_and_csv_round_trip(loaded, tmp_path, cli):
    out = tmp_path / "export.jsonl"
    assert loaded("export", "-o", out).exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 6
    csv_text = loaded("export", "--format", "csv").output
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == 6 and rows[0]["krachtlijnen"]
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(csv_text, encoding="utf-8")
    for path in (out, csv_path):
        data = json.loads(loaded("ingest", path, "--json").output)
        assert len(data["unchanged"]) == 6 and data["rejected"] == []


def test_search_json_shape_and_check(loaded):
    data = json.loads(loaded("search", "warme maaltijd voor mensen met weinig geld", "--json", "-n", "3").output)
    assert set(data) >= {"results", "total", "facets"}
    assert set(data["results"][0]) >= {"id", "title", "score", "snippet"}
    assert data["results"][0]["id"] == "buurtrestaurant-antwerpen"
    assert set(data["facets"]) == {"krachtlijn", "region", "sector"}
    assert loaded("check").exit_code == 0
    similar = json.loads(loaded("similar", "taalcafe-gent", "--json").output)
    assert "taalcafe-gent" not in [r["id"] for r in similar["results"]]


def test_backup_then_restore_brings_back_catalogue_and_index(loaded, tmp_path):
    target = tmp_path / "backup.db"
    result = loaded("backup", target)
    assert result.exit_code == 0 and "(6 praktijken)" in " ".join(result.output.split())
    assert loaded("remove", "digipunt-kortrijk", "--yes").exit_code == 0
    assert loaded("restore", target).exit_code == 1  # asks first; no answer means no
    assert loaded("show", "digipunt-kortrijk").exit_code == 1
    result = loaded("restore", target, "--yes")
    assert result.exit_code == 0, result.output
    assert "Hersteld: 6 praktijken" in " ".join(result.output.split())
    assert loaded("show", "digipunt-kortrijk").exit_code == 0
    check = json.loads(loaded("check", "--json").output)
    assert check["ok"] and check["index_count"] == 6


def test_restore_of_a_bad_file_says_so_in_dutch(loaded, tmp_path):
    bad = tmp_path / "kapot.db"
    bad.write_text("geen database", encoding="utf-8")
    result = loaded("restore", bad, "--yes")
    assert result.exit_code == 1
    assert "Fout:" in result.output and "kapot.db" in result.output and "niets hersteld" in result.output
    assert json.loads(loaded("check", "--json").output)["index_count"] == 6
