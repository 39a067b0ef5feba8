"""Practices as PostgreSQL rows, and the derived rows (tags, postings) the store writes with them.

The row format is the SQLite store's (catalogue/sqlite_schema.py: list fields as JSON text,
dates as ISO text): columns are written as text and cast by the server (jsonb, date), and read
back cast to text, so both backends share `to_row`, `from_row` and the backup's row checks.
"""

from __future__ import annotations

from typing import Any

from catalogue.lexicon import document_postings
from catalogue.model import Practice
from catalogue.sqlite_schema import COLUMNS, FTS_WEIGHTS, fts_row, tag_rows, to_row
from catalogue.store import Filters

__all__ = ["COLUMNS", "SELECT_COLUMNS", "TITLE_ORDER", "postings", "tag_rows", "to_row", "where"]

_TEXT_CAST = {"sectors", "krachtlijnen", "target_groups", "themes", "extra", "created", "updated",
              "last_reviewed"}
# The practice columns as the row format has them (json and dates as text).
SELECT_COLUMNS = ", ".join(f"{c}::text AS {c}" if c in _TEXT_CAST else c for c in COLUMNS)
# SQLite's `title COLLATE NOCASE, id`: ASCII letters folded, then byte order (lower() under the
# "C" collation folds ASCII only, as NOCASE does).
TITLE_ORDER = 'lower(title COLLATE "C"), id COLLATE "C"'


def postings(practice: Practice) -> tuple[list[tuple[str, float]], int]:
    """The practice's (term, column-weighted frequency) pairs and its length in tokens, as FTS5
    would count them over the analysed columns (catalogue/lexicon.py)."""
    wtf, length = document_postings(fts_row(practice), FTS_WEIGHTS)
    return list(wtf.items()), length


def insert_sql(row: dict[str, Any]) -> str:
    columns = ", ".join(row)
    return f"INSERT INTO practices ({columns}) VALUES ({', '.join(f'%({c})s' for c in row)}) RETURNING rid"


def update_sql(row: dict[str, Any]) -> str:
    assignments = ", ".join(f"{c} = %({c})s" for c in row if c != "id")
    return f"UPDATE practices SET {assignments} WHERE rid = %(rid)s"


def where(filters: Filters, *, alias: str = "") -> tuple[str, list[Any]]:
    """The WHERE clause of practices matching `filters` (rid and status of `alias`.)."""
    prefix = f"{alias}." if alias else ""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.status:
        clauses.append(f"{prefix}status = ANY(%s)")
        params.append(list(filters.status))
    for kind, values in filters.by_kind().items():
        clauses.append(f"{prefix}rid IN (SELECT rid FROM practice_tags WHERE kind = %s AND value = ANY(%s))")
        params.extend([kind, list(values)])
    return (" AND ".join(clauses) or "true"), params
