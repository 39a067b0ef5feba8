"""The SQLite catalogue's tables, their numbered migrations and the row format.

Tables (readable in Datasette or the sqlite3 shell):
- practices: one row per practice; list fields as JSON arrays; `rid` is the stable integer
  key that the vector index uses (AUTOINCREMENT, so a deleted rid is never reused).
- practice_tags: (rid, kind, value) for fast filters and facets.
- practices_fts: FTS5 over folded, Dutch-stemmed text (derived, rebuilt from practices).
- meta: schema_version and other stamps.
- api_keys: the curators' API keys, as hashes (catalogue/keys_sqlite.py).
"""

from __future__ import annotations

import json
from typing import Any

from catalogue.model import LIST_FIELDS, Practice
from catalogue.text import analyze
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS

SCHEMA_VERSION = 3
COLUMNS = (
    "id", "title", "summary", "description", "organisation", "region", "municipality",
    "sectors", "krachtlijnen", "target_groups", "themes", "website", "source_url", "contact",
    "status", "created", "updated", "last_reviewed", "extra", "start_year", "end_year",
)
TITLE_ORDER = "title COLLATE NOCASE, id"
# bm25() column weights: title, summary, body, tags.
FTS_WEIGHTS = (4.0, 2.0, 1.0, 1.5)
# get_many serves reads of up to this many rids (result pages) from a cache of parsed practices
# of at most SHOWN_CACHE_SIZE entries.
SHOWN_CACHE_BATCH = 100
SHOWN_CACHE_SIZE = 5000

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS practices (
    rid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT,
    organisation TEXT NOT NULL,
    region TEXT NOT NULL,
    municipality TEXT,
    sectors TEXT NOT NULL,
    krachtlijnen TEXT NOT NULL,
    target_groups TEXT NOT NULL DEFAULT '[]',
    themes TEXT NOT NULL DEFAULT '[]',
    website TEXT,
    source_url TEXT,
    contact TEXT,
    status TEXT NOT NULL,
    created TEXT,
    updated TEXT,
    last_reviewed TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS practices_status ON practices(status);
CREATE TABLE IF NOT EXISTS practice_tags (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    rid INTEGER NOT NULL REFERENCES practices(rid) ON DELETE CASCADE,
    PRIMARY KEY (kind, value, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS practice_tags_rid ON practice_tags(rid);
CREATE VIRTUAL TABLE IF NOT EXISTS practices_fts USING fts5(
    title, summary, body, tags, tokenize = 'unicode61 remove_diacritics 2'
);
"""

# Version 2: API keys for curators' writes, stored only as hashes.
_SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
"""

# A practice's period: start year, and end year or 'lopend'.
_SCHEMA_V3 = """
ALTER TABLE practices ADD COLUMN start_year INTEGER;
ALTER TABLE practices ADD COLUMN end_year TEXT
"""

# Migrations from version N-1 to N; version 1 is the initial schema.
MIGRATIONS: dict[int, str] = {1: SCHEMA_V1, 2: _SCHEMA_V2, 3: _SCHEMA_V3}


def tag_rows(rid: int, p: Practice) -> list[tuple[str, str, int]]:
    rows = [("region", p.region, rid)]
    for kind, values in (("krachtlijn", p.krachtlijnen), ("sector", p.sectors),
                         ("target_group", p.target_groups), ("theme", p.themes)):
        rows.extend((kind, v, rid) for v in values)
    return rows


def fts_row(p: Practice) -> tuple[str, str, str, str]:
    tags = [
        p.organisation, p.municipality or "", REGIONS.label(p.region),
        *(KRACHTLIJNEN.label(k) for k in p.krachtlijnen),
        *(SECTORS.label(s) for s in p.sectors), *p.target_groups, *p.themes,
    ]
    return (
        " ".join(analyze(p.title)),
        " ".join(analyze(p.summary)),
        " ".join(analyze(p.description or "")),
        " ".join(analyze(" ".join(tags))),
    )


def to_row(p: Practice) -> dict[str, Any]:
    data = p.model_dump(mode="json")
    for name in LIST_FIELDS:
        data[name] = json.dumps(data[name], ensure_ascii=False)
    data["extra"] = json.dumps(data["extra"], ensure_ascii=False)
    data["content_hash"] = p.content_hash()
    return data


def from_row(row: dict[str, Any]) -> Practice:
    data = {k: row[k] for k in COLUMNS}
    for name in LIST_FIELDS:
        data[name] = json.loads(data[name] or "[]")
    data["extra"] = json.loads(data["extra"] or "{}")
    return Practice.model_validate(data, context={"stored": True})  # stored rows skip the input caps
