"""50 searchers over HTTP while `praktijkbank reindex` rebuilds a catalogue's indexes."""

from __future__ import annotations

import pytest

from benchmarks.concurrency import load_during_reindex, serve
from tests.e2e.conftest import copy_of

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]


@pytest.fixture(scope="module")
def small_server(small_catalogue, tmp_path_factory):
    """A server of its own over a copy of the 8 shortest bundled practices: re-indexing them with
    the real model takes seconds, where the whole bundled catalogue took minutes of the suite."""
    home = copy_of(small_catalogue, tmp_path_factory.mktemp("reindex") / "home")
    proc, base = serve(home)
    yield base, home
    proc.terminate()
    proc.wait(timeout=30)


def test_searches_keep_working_during_a_reindex(small_server):
    # The re-index swaps in a new FTS table (one transaction) and a new index file (atomic
    # rename); WAL readers and the server's reload-on-change must never see a half state.
    # Each searcher pauses 0.2 s between searches, so that the re-index gets CPU on 2 cores; the
    # benchmark (benchmarks/concurrency.py, BENCHMARKS.md) runs them without pause.
    base, home = small_server
    result = load_during_reindex(base, home, searchers=50, pause=0.2)
    assert result.reindex_code == 0
    assert result.requests >= 100
    assert dict(result.errors) == {}
    assert result.missing == 0
