"""The curator tools through typer's CliRunner, with the fake embedder (fast)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.api.conftest import ingest_sample
from tests.search.test_curation import ARTICLE


@pytest.fixture
def cli(make_cli):
    return make_cli(fake=True)


@pytest.fixture
def loaded(cli, tmp_path, sample):
    assert "mogelijk dubbel" not in ingest_sample(cli, tmp_path, sample).output
    return cli


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_suggest_for_an_id_and_for_a_file(loaded, tmp_path):
    data = json.loads(loaded("suggest", "taalcafe-gent", "--json").output)
    assert [s["confidence"] for s in data["krachtlijnen"]] == sorted(
        (s["confidence"] for s in data["krachtlijnen"]), reverse=True)
    assert len(data["sectors"]) == 15 and data["region"]["region"] == "oost-vlaanderen"
    assert "additions" in data
    article = tmp_path / "artikel.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    shown = loaded("suggest", article)
    assert shown.exit_code == 0 and "Voorstellen voor" in shown.output
    assert "Mechelen" in shown.output and "Antwerpen" in shown.output


def test_suggest_unknown_target_fails_in_dutch(loaded):
    result = loaded("suggest", "bestaat-niet")
    assert result.exit_code == 1 and "Fout:" in result.output and "bestaat-niet" in result.output
    result = loaded("suggest", "weg/artikel.txt")
    assert result.exit_code == 1 and "bestand niet gevonden" in result.output


def test_ingest_flags_a_planted_duplicate_and_duplicates_lists_it(loaded, tmp_path, sample):
    copy = {**sample[0], "id": "taalcafe-kopie"}
    path = tmp_path / "kopie.json"
    path.write_text(json.dumps(copy), encoding="utf-8")
    result = loaded("ingest", path)
    assert result.exit_code == 0, result.output
    assert "mogelijk dubbel met taalcafe-gent (gelijkenis" in _flat(result.output)
    assert loaded("show", "taalcafe-kopie").exit_code == 0  # flagged, not merged or refused
    pairs = json.loads(loaded("duplicates", "--json").output)["pairs"]
    assert [{p["id"], p["other_id"]} for p in pairs] == [{"taalcafe-gent", "taalcafe-kopie"}]
    assert "taalcafe-kopie" in loaded("duplicates").output


def test_distinct_practices_are_not_duplicates(loaded):
    result = loaded("duplicates")
    assert result.exit_code == 0 and "Geen mogelijke dubbels" in result.output


def test_ingest_suggest_offers_tags_without_changing_records(cli, tmp_path, sample):
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in sample) + "\n", encoding="utf-8")
    data = json.loads(cli("ingest", path, "--suggest", "--json").output)
    assert data["possible_duplicates"] == [] and isinstance(data["suggestions"], dict)
    for practice_id, kinds in data["suggestions"].items():
        shown = json.loads(cli("show", practice_id, "--json").output)
        original = next(d for d in sample if d["id"] == practice_id)
        assert shown["krachtlijnen"] == original["krachtlijnen"]
        for kind, scores in kinds.items():
            assert not {s["key"] for s in scores} & set(shown[kind])


def test_add_offers_suggestions_and_applies_them_only_when_asked(loaded):
    base = ["add", "--no-input", "--title", "Soepbar", "--summary", "Buurtbewoners koken samen soep in Mechelen.",
            "--organisation", "Buurtwerk Noord", "--gemeente", "Mechelen"]
    refused = loaded(*base, "--id", "soepbar-1")
    assert refused.exit_code == 1 and "krachtlijnen" in refused.output  # nothing filled in silently
    result = loaded(*base, "--id", "soepbar-2", "-k", "verbindend", "-s", "welzijn")
    assert result.exit_code == 0, result.output
    assert json.loads(loaded("show", "soepbar-2", "--json").output)["krachtlijnen"] == ["verbindend"]
    applied = loaded(*base, "--id", "soepbar-3", "-k", "procesmatig", "--apply-suggestions")
    assert applied.exit_code == 0, applied.output
    shown = json.loads(loaded("show", "soepbar-3", "--json").output)
    assert shown["krachtlijnen"][0] == "procesmatig" and shown["sectors"]
    assert "Aangevuld uit voorstellen" in applied.output


def test_add_prompt_offers_the_suggested_tags_as_default(loaded):
    answers = "Praatgroep\nOuders praten over opvoeden.\nHuis van het Kind\nHasselt\n\n\n"
    result = loaded("add", input=answers)
    assert result.exit_code == 0, result.output
    assert "voorstel" in result.output
    shown = json.loads(loaded("show", "praatgroep", "--json").output)
    assert shown["krachtlijnen"] and shown["sectors"] and shown["region"] == "limburg"


def test_draft_from_a_text_is_stored_as_draft_with_municipality_and_region(loaded, tmp_path):
    article = tmp_path / "soepbar.md"
    article.write_text(ARTICLE, encoding="utf-8")
    preview = loaded("draft", article, "--dry-run")
    assert preview.exit_code == 0 and "municipality: Mechelen" in preview.output
    assert loaded("show", "soepbar-in-mechelen").exit_code == 1  # a dry run stores nothing
    result = loaded("draft", article, "--no-edit")
    assert result.exit_code == 0, result.output
    assert "Kladversie opgeslagen: soepbar-in-mechelen" in _flat(result.output)
    shown = json.loads(loaded("show", "soepbar-in-mechelen", "--json").output)
    assert shown["status"] == "draft" and shown["municipality"] == "Mechelen" and shown["region"] == "antwerpen"
    assert loaded("submissions", "publish", "soepbar-in-mechelen").exit_code == 0
    again = json.loads(loaded("draft", article, "--no-edit", "--json").output)
    assert again["record"]["id"] == "soepbar-in-mechelen-2" and again["record"]["status"] == "draft"
    assert [d["other_id"] for d in again["possible_duplicates"]] == ["soepbar-in-mechelen"]


def test_draft_is_reviewed_in_the_editor(loaded, tmp_path, monkeypatch):
    monkeypatch.setattr("api.cli.curation_cmds.has_terminal", lambda: True)  # as a curator at a terminal
    article = tmp_path / "soepbar.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("EDITOR", "sed -i 's/^organisation: .*/organisation: Buurtwerk Noord vzw/'")
    result = loaded("draft", article)
    assert result.exit_code == 0, result.output
    assert json.loads(loaded("show", "soepbar-in-mechelen", "--json").output)["organisation"] == "Buurtwerk Noord vzw"


def test_draft_with_a_broken_edit_keeps_the_curators_version(loaded, tmp_path, monkeypatch):
    monkeypatch.setattr("api.cli.curation_cmds.has_terminal", lambda: True)  # as a curator at a terminal
    article = tmp_path / "soepbar.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("EDITOR", "sed -i 's/^title: .*/title: X/'")
    result = loaded("draft", article)
    assert result.exit_code == 1 and "Fout:" in result.output and "title" in result.output
    assert list((tmp_path / "home" / "kladversies").glob("*.yaml"))


def test_stale_honours_the_dates_and_counts_never_reviewed(loaded):
    today = dt.date.today()
    old = (today - dt.timedelta(days=800)).isoformat()
    loaded("edit", "taalcafe-gent", "--reviewed")
    loaded("edit", "jeugdhuis-brussel", "--set", f"last_reviewed={old}")
    data = json.loads(loaded("stale", "--older-than", "2y", "--json").output)
    ids = [p["id"] for p in data["practices"]]
    assert "taalcafe-gent" not in ids and "jeugdhuis-brussel" in ids and len(ids) == 5
    assert json.loads(loaded("stale", "--older-than", "900d", "--json").output)["count"] == 4
    shown = loaded("stale", "--older-than", "18m")
    assert shown.exit_code == 0 and "nooit" in shown.output
    bad = loaded("stale", "--older-than", "twee jaar")
    assert bad.exit_code == 1 and "Fout:" in bad.output and "2y" in bad.output


def test_stats_writes_the_coverage_table_and_heatmap(loaded, tmp_path, sample):
    png = tmp_path / "dekking.png"
    result = loaded("stats", "--heatmap", png)
    assert result.exit_code == 0, result.output
    assert "Dekking" in result.output and "Oost-Vlaanderen" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(loaded("stats", "--json", "--no-heatmap").output)
    coverage = data["coverage"]
    assert data["heatmap"] is None and coverage["total"] == len(sample)
    assert sum(map(sum, coverage["matrix"])) == sum(len(d["krachtlijnen"]) for d in sample)
    assert loaded("stats").exit_code == 0 and (tmp_path / "home" / "dekking.png").exists()
