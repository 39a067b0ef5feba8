"""Facet tags as boolean masks over rids: filters and facet counts at memory speed.

A derived, read-only view of `practice_tags` (krachtlijn, region, sector) and `practices.status`
that the SQLite store rebuilds whenever the database changed. It answers exactly what the SQL
answers; it exists because at 100k practices a three-facet filter cost SQLite 30-60 ms of
B-tree probes over some 70k tag rows, and the facet counts of a result list 10-130 ms, against
0.1 ms here (benchmarks/speed.py, BENCHMARKS.md "Speed").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from catalogue.store import FACET_KINDS, Filters


def _ids(csv: str | None) -> np.ndarray:
    return np.array(csv.split(","), dtype=np.int64) if csv else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class FacetMasks:
    """One boolean mask per facet value and per status, indexed by rid.

    The facet masks are the columns of one (rid x facet value) table, so that counting the
    facets of a result list is a single row gather and column sum.
    """

    version: int
    size: int
    keys: tuple[tuple[str, str], ...]  # (kind, value) of each table column
    table: np.ndarray  # bool, size x len(keys)
    status: dict[str, np.ndarray]

    @classmethod
    def load(cls, conn: sqlite3.Connection, version: int) -> FacetMasks:
        """Read the committed tags of a SQLite catalogue through `conn` (one GROUP BY per table)."""
        kinds = ", ".join(f"'{k}'" for k in FACET_KINDS)
        tags = conn.execute(f"SELECT kind, value, group_concat(rid) FROM practice_tags "
                            f"WHERE kind IN ({kinds}) GROUP BY kind, value").fetchall()
        status = conn.execute("SELECT status, group_concat(rid) FROM practices GROUP BY status").fetchall()
        size = int(conn.execute("SELECT coalesce(max(rid), 0) + 1 FROM practices").fetchone()[0])
        return cls.build(version, size, [(k, v, _ids(csv)) for k, v, csv in tags],
                         [(s, _ids(csv)) for s, csv in status])

    @classmethod
    def build(cls, version: int, size: int, tags: Iterable[tuple[str, str, Sequence[int] | np.ndarray]],
              status: Iterable[tuple[str, Sequence[int] | np.ndarray]]) -> FacetMasks:
        """Masks from (kind, value, rids) per facet value and (status, rids) per status, any backend;
        `size` is one more than the largest rid."""

        def mask(rids: Sequence[int] | np.ndarray) -> np.ndarray:
            out = np.zeros(size, dtype=bool)
            ids = np.asarray(rids, dtype=np.int64)
            out[ids[ids < size]] = True
            return out

        tag_list = [(k, v, rids) for k, v, rids in tags if k in FACET_KINDS]
        columns = [mask(rids) for _, _, rids in tag_list]
        table = np.stack(columns, axis=1) if columns else np.zeros((size, 0), dtype=bool)
        return cls(version, size, tuple((k, v) for k, v, _ in tag_list), table,
                   {s: mask(rids) for s, rids in status})

    @staticmethod
    def covers(filters: Filters) -> bool:
        """Whether these masks can answer the filters (free-text tags stay in SQL)."""
        return not (filters.target_group or filters.theme)

    def _any(self, masks: Iterable[np.ndarray | None]) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        for m in masks:
            if m is not None:
                out |= m
        return out

    def filter(self, filters: Filters) -> list[int]:
        """Matching rids in ascending order, as `SELECT rid ... ORDER BY rid` gives them."""
        statuses = filters.status or tuple(self.status)
        mask = self._any(self.status.get(s) for s in statuses)
        column = {key: j for j, key in enumerate(self.keys)}
        for kind, values in filters.by_kind().items():
            mask &= self._any(self.table[:, column[(kind, v)]] if (kind, v) in column else None
                              for v in values)
        return np.flatnonzero(mask).tolist()

    def counts(self, rids: Iterable[int] | np.ndarray) -> dict[str, dict[str, int]]:
        """Facet counts over the given rids, ordered by count (descending), then value."""
        idx = np.unique(rids if isinstance(rids, np.ndarray) else np.fromiter(rids, dtype=np.int64))
        idx = idx[(idx >= 0) & (idx < self.size)]
        totals = self.table[idx].sum(axis=0).tolist()
        found = [(kind, value, n) for (kind, value), n in zip(self.keys, totals, strict=False)]
        counts: dict[str, dict[str, int]] = {kind: {} for kind in FACET_KINDS}
        for kind, value, n in sorted(found, key=lambda item: (-item[2], item[1])):
            if n:
                counts[kind][value] = n
        return counts
