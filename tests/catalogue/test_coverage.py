"""Coverage counts per krachtlijn and region, straight from the data."""

from __future__ import annotations

from collections import Counter

from catalogue.coverage import count_coverage, coverage_of
from catalogue.model import parse_practice
from catalogue.vocab import KRACHTLIJNEN, REGIONS


def test_counts_match_the_data(sample):
    practices = [parse_practice(d) for d in sample]
    coverage = count_coverage(practices)
    expected = Counter((k, p.region) for p in practices for k in p.krachtlijnen)
    assert coverage.cells == dict(expected)
    assert coverage.total == len(practices)
    assert coverage.per_region == {r: sum(p.region == r for p in practices) for r in REGIONS.keys}
    assert coverage.per_krachtlijn == {k: sum(k in p.krachtlijnen for p in practices) for k in KRACHTLIJNEN.keys}
    assert coverage.count("laagdrempelig", "antwerpen") == 1
    assert coverage.count("politiserend", "brussel") == 0


def test_matrix_rows_are_krachtlijnen_and_columns_regions(sample):
    coverage = count_coverage(parse_practice(d) for d in sample)
    matrix = coverage.matrix()
    assert len(matrix) == len(KRACHTLIJNEN.keys) and all(len(row) == len(REGIONS.keys) for row in matrix)
    i, j = KRACHTLIJNEN.keys.index("generalistisch"), REGIONS.keys.index("limburg")
    assert matrix[i][j] == 1
    assert sum(map(sum, matrix)) == sum(len(d["krachtlijnen"]) for d in sample)
    data = coverage.as_dict()
    assert data["matrix"] == matrix and [r["key"] for r in data["regions"]] == REGIONS.keys
    assert all(c["count"] == 0 for c in data["thinnest"])  # six practices leave many cells empty


def test_only_published_practices_count_by_default(store, sample):
    store.upsert_many([parse_practice(d) for d in sample])
    draft = parse_practice({**sample[0], "id": "klad", "status": "draft"})
    store.upsert_many([draft])
    assert coverage_of(store).total == len(sample)
    assert coverage_of(store, status=("published", "draft")).total == len(sample) + 1


def test_empty_catalogue_has_zero_everywhere():
    coverage = count_coverage([])
    assert coverage.total == 0 and coverage.cells == {} and set(coverage.per_region.values()) == {0}
