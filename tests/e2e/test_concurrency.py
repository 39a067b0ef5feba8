"""50 searchers over HTTP while `praktijkbank reindex` rebuilds the bundled catalogue's indexes."""

from __future__ import annotations

import pytest

from benchmarks.concurrency import load_during_reindex

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]


def test_searches_keep_working_during_a_reindex(server, server_home):
    # The re-index swaps in a new FTS table (one transaction) and a new index file (atomic
    # rename); WAL readers and the server's reload-on-change must never see a half state.
    # 50 concurrent searchers, each pausing 4 s between searches (people pause 20-60 s): without
    # pauses they starve the re-index of CPU on 2 cores and the test takes minutes. The
    # benchmark (benchmarks/concurrency.py, BENCHMARKS.md) runs them without pause.
    result = load_during_reindex(server, server_home, searchers=50, pause=4.0)
    assert result.reindex_code == 0
    assert result.requests >= 50
    assert dict(result.errors) == {}
    assert result.missing == 0
