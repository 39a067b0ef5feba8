"""Two `praktijkbank serve` processes over one PostgreSQL (issue 18): what one server writes, the
other finds; 50 searchers spread over both get whole answers while `praktijkbank reindex`
rewrites the index underneath; API keys, submissions and rate limits hold across both.

One database (a copy of the migrated template on the session's embedded PostgreSQL) holds the
8 shortest bundled practices, embedded by the real default model (the session's small SQLite
catalogue, copied in with `praktijkbank migrate --to`); two servers with catalogue
folders of their own serve it, as two machines behind a load balancer would. They trust
X-Forwarded-For (PRAKTIJKBANK_TRUST_PROXY, as behind that balancer), so every request names its
client: the low limits below are reached only by the tests that mean to reach them.

Deadlines are generous safety nets for a loaded machine, not timings: the delays measured here
are reported (pytest -s) and kept in BENCHMARKS.md.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.concurrency import QUERIES, wait_ready
from benchmarks.concurrency import start as start_server
from benchmarks.speed_util import stop
from tests.e2e.conftest import SMALL, cli

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]

# Per hour, so that no window turns during a test and the counts are exact.
SEARCH_LIMIT = 12
SUBMISSION_LIMIT = 3
DEADLINE_S = 10.0  # how long a change may take to show on the other server before the test fails
PAUSE_S = 1.0  # between one searcher's searches: 50 searchers then leave the re-index a share of two cores
START_S = 180.0  # two servers load the model at once on two shared cores

NEW = {"id": "fietsbieb-hasselt", "title": "Fietsbibliotheek voor kinderen",
       "summary": "Gezinnen lenen kinderfietsen voor een klein bedrag en ruilen ze als hun kind groeit.",
       "organisation": "Fietsbieb Hasselt", "municipality": "Hasselt", "sectors": ["mobiliteit"],
       "krachtlijnen": ["laagdrempelig"], "source_url": "https://example.org/fietsbieb"}
NEW_QUERY = "kinderfietsen lenen"
CHANGED_SUMMARY = "Gezinnen lenen kinderfietsen en bakfietsen, en vrijwilligers herstellen ze samen met de kinderen."


@dataclass
class Pair:
    """Two servers over one database, the curator's settings for the CLI, and an API key."""

    a: str
    b: str
    curator: Path  # the CLI's catalogue folder
    env: dict[str, str]  # PRAKTIJKBANK_DATABASE_URL
    key: str

    @property
    def url(self) -> str:
        return self.env["PRAKTIJKBANK_DATABASE_URL"]


@pytest.fixture(scope="module")
def pair(postgres_server, small_catalogue, tmp_path_factory) -> Iterator[Pair]:
    database = postgres_server.create_database()
    env = {"PRAKTIJKBANK_DATABASE_URL": postgres_server.url(database)}
    try:
        # The session's small SQLite catalogue, vectors included, copied into the database.
        moved = cli(small_catalogue, "migrate", "--to", env["PRAKTIJKBANK_DATABASE_URL"])
        assert moved.returncode == 0, moved.stdout + moved.stderr
        curator = tmp_path_factory.mktemp("curator")
        made = cli(curator, "keys", "create", "twee servers", env=env)
        assert made.returncode == 0, made.stdout + made.stderr
        key = made.stdout.strip().splitlines()[-1]
        served = {**env, "PRAKTIJKBANK_TRUST_PROXY": "true", "PRAKTIJKBANK_SEARCH_RATE": f"{SEARCH_LIMIT}/hour",
                  "PRAKTIJKBANK_SUBMISSION_RATE": f"{SUBMISSION_LIMIT}/hour"}
        with contextlib.ExitStack() as stack:
            servers = []
            for name in ("a", "b"):  # both load the model at the same time
                servers.append(start_server(tmp_path_factory.mktemp(f"server-{name}"), served))
                stack.callback(stop, servers[-1][0], timeout=30)
            for proc, base, log in servers:
                wait_ready(proc, base, log, within=START_S)
            yield Pair(servers[0][1], servers[1][1], curator, env, key)
    finally:
        postgres_server.drop_database(database)


# -- clients ------------------------------------------------------------------------------------

_addresses = itertools.count(1)


def anyone() -> dict[str, str]:
    """The headers of a client never seen before: its requests stay far from every limit."""
    n = next(_addresses)
    return {"X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


def search(base: str, query: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    r = httpx.get(f"{base}/api/search", params={"q": query, "per_page": 50, "facets": ""},
                  headers=headers or anyone(), timeout=60)
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def ids(results: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in results]


def wait_for(condition: Callable[[], bool], what: str) -> float:
    """Seconds until `condition` holds; fails after DEADLINE_S."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < DEADLINE_S, f"not within {DEADLINE_S:g} s: {what}"
        time.sleep(0.005)
    return time.monotonic() - start


def all_ids(base: str) -> set[str]:
    body = httpx.get(f"{base}/api/practices", params={"per_page": 50}, timeout=30).json()
    assert body["total"] <= 50
    return {p["id"] for p in body["results"]}


# -- the tests ----------------------------------------------------------------------------------


def test_a_write_through_one_server_is_found_through_the_other(pair):
    curator = {"X-API-Key": pair.key}
    for base in (pair.a, pair.b):  # both have built their views and embedded the query before the writes
        assert NEW["id"] not in ids(search(base, NEW_QUERY))

    created = httpx.post(f"{pair.a}/api/practices", json=NEW, headers=curator, timeout=120)
    assert created.status_code == 201, created.text
    seen_on_b = wait_for(lambda: NEW["id"] in ids(search(pair.b, NEW_QUERY)), "A's new practice found on B")

    changed = {k: v for k, v in NEW.items() if k != "id"} | {"summary": CHANGED_SUMMARY}
    replaced = httpx.put(f"{pair.b}/api/practices/{NEW['id']}", json=changed, headers=curator, timeout=120)
    assert replaced.status_code == 200, replaced.text

    def a_shows_the_change() -> bool:
        hits = [r for r in search(pair.a, NEW_QUERY) if r["id"] == NEW["id"]]
        return bool(hits) and hits[0]["summary"] == CHANGED_SUMMARY

    changed_on_a = wait_for(a_shows_the_change, "B's change shown in A's results")
    assert httpx.get(f"{pair.a}/api/practices/{NEW['id']}", timeout=30).json()["summary"] == CHANGED_SUMMARY

    removed = httpx.delete(f"{pair.b}/api/practices/{NEW['id']}", headers=curator, timeout=120)
    assert removed.status_code == 204, removed.text
    gone_from_a = wait_for(lambda: NEW["id"] not in ids(search(pair.a, NEW_QUERY)), "B's removal gone from A")
    assert httpx.get(f"{pair.a}/api/practices/{NEW['id']}", timeout=30).status_code == 404
    print(f"\ntwo servers: added via A, found on B after {seen_on_b:.3f} s; changed via B, shown on A "
          f"after {changed_on_a:.3f} s; removed via B, gone from A after {gone_from_a:.3f} s")


Answer = tuple[str, int, frozenset[str]]  # match, total, the practices of the first page


def answer(body: dict[str, Any]) -> Answer:
    """What a search found, without the order: every query here has at most one page of results,
    so only a score on the cut-off could change it, and re-embedding the same text does not move
    a score that far."""
    return body["match"], body["total"], frozenset(ids(body["results"]))


def answers(base: str) -> dict[str, Answer]:
    found = {}
    for query in QUERIES:
        r = httpx.get(f"{base}/api/search", params={"q": query, "per_page": 10}, headers=anyone(), timeout=60)
        assert r.status_code == 200 and r.json()["total"] <= 10, r.text  # one page, as `answer` needs
        found[query] = answer(r.json())
    return found


@dataclass
class Load:
    """What the searchers saw: (server, start, end) of every 200, answers other than before the
    re-index, and the failures by kind."""

    expected: dict[str, Answer]
    done: list[tuple[int, float, float]] = field(default_factory=list)
    changed: list[tuple[str, Answer]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    returned: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def completed(self, server: int, after: float, before: float) -> int:
        return sum(1 for s, _, end in self.done if s == server and after <= end <= before)


def searcher(bases: list[str], n: int, load: Load, stop: threading.Event) -> None:
    """Search the queries in turn on server n % 2, one client address per request, PAUSE_S apart."""
    server = n % len(bases)
    with httpx.Client(base_url=bases[server], timeout=60) as client:
        for i in itertools.count(n):
            if stop.is_set():
                return
            query = QUERIES[i % len(QUERIES)]
            start = time.monotonic()
            got: Answer | None = None
            try:
                r = client.get("/api/search", params={"q": query, "per_page": 10}, headers=anyone())
                if r.status_code == 200:
                    got, error = answer(r.json()), None
                else:
                    error = f"HTTP {r.status_code}: {r.text[:200]}"
            except (httpx.HTTPError, ValueError, KeyError) as e:
                error = f"{type(e).__name__}: {e}"
            end = time.monotonic()
            with load.lock:
                if got is None:
                    load.errors[error or "?"] += 1
                else:
                    load.done.append((server, start, end))
                    load.returned.update(got[2])
                    if got != load.expected[query]:
                        load.changed.append((query, got))
            stop.wait(PAUSE_S)


def catalogue_writes(url: str, heard: list[float], stop: threading.Event, listening: threading.Event) -> None:
    """The times of the catalogue-version notifications: when the re-index committed something."""
    from catalogue.postgres.connection import connect
    from catalogue.postgres.schema import NOTIFY_CHANNEL

    with connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        listening.set()
        while not stop.is_set():
            for _ in conn.notifies(timeout=0.1, stop_after=1):
                heard.append(time.monotonic())


def test_searches_over_both_servers_stay_whole_during_a_reindex(pair):
    known = all_ids(pair.a)
    assert all_ids(pair.b) == known and len(known) >= SMALL
    expected = answers(pair.a)
    assert answers(pair.b) == expected  # the two servers agree before the re-index
    load, stop, heard, listening = Load(expected), threading.Event(), [], threading.Event()
    watcher = threading.Thread(target=catalogue_writes, args=(pair.url, heard, stop, listening), daemon=True)
    watcher.start()
    assert listening.wait(30)
    threads = [threading.Thread(target=searcher, args=([pair.a, pair.b], n, load, stop), daemon=True)
               for n in range(50)]
    for t in threads:
        t.start()
    began = time.monotonic()
    reindex = cli(pair.curator, "reindex", env=pair.env)
    ended = time.monotonic()
    stop.set()
    for t in [*threads, watcher]:
        t.join(timeout=120)
    assert reindex.returncode == 0, reindex.stdout + reindex.stderr

    assert dict(load.errors) == {}
    assert load.changed == [], f"{len(load.changed)} answers differed from before the re-index, e.g. {load.changed[:3]}"
    assert load.returned <= known, f"results named missing records: {load.returned - known}"
    for pid in load.returned:  # and they are still there, on both servers
        for base in (pair.a, pair.b):
            assert httpx.get(f"{base}/api/practices/{pid}", timeout=30).status_code == 200, (base, pid)
    writes = [t for t in heard if began <= t <= ended]
    assert len(writes) >= 2, "the re-index committed no full text and no vectors"  # one commit each at least
    during = [load.completed(server, began, ended) for server in (0, 1)]
    rewriting = [load.completed(server, writes[0], ended) for server in (0, 1)]
    assert sum(during) >= 100 and min(during) >= 20, during
    assert min(rewriting) >= 1, rewriting  # each server answered after the first rewrite landed
    for base in (pair.a, pair.b):
        assert httpx.get(f"{base}/health", timeout=30).json()["ready"], base
    print(f"\nre-index over two servers: {ended - began:.1f} s, {len(writes)} catalogue writes in the last "
          f"{ended - writes[0]:.1f} s; searches completed on A and B: {during}, after the first write: {rewriting}")


def test_the_search_limit_is_counted_over_both_servers(pair):
    client = {"X-Forwarded-For": "203.0.113.7"}
    statuses = []
    for n in range(2 * SEARCH_LIMIT):  # A, B, A, B, ...: per process each would allow the limit
        base = (pair.a, pair.b)[n % 2]
        r = httpx.get(f"{base}/api/search", params={"q": "buurtwerk", "facets": ""}, headers=client, timeout=60)
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert r.headers["Retry-After"] == "60"
    assert statuses == [200] * SEARCH_LIMIT + [429] * SEARCH_LIMIT
    # `similar` counts in the same bucket; other clients keep their own
    r = httpx.get(f"{pair.b}/api/practices/{sorted(all_ids(pair.b))[0]}/similar", headers=client, timeout=60)
    assert r.status_code == 429
    assert search(pair.a, "buurtwerk", {"X-Forwarded-For": "203.0.113.8"})


def test_keys_and_submissions_work_across_servers(pair):
    from catalogue.keys import split_key
    from catalogue.postgres.connection import make_pool
    from catalogue.postgres.keys import PostgresKeyStore

    client = {"X-Forwarded-For": "203.0.113.9"}
    proposals = [{"id": f"inzending-{n}", "title": title, "summary": summary, "organisation": "Buurtwerk Noord",
                  "municipality": "Antwerpen", "sectors": ["welzijn"], "krachtlijnen": ["verbindend"]}
                 for n, (title, summary) in enumerate([
                     ("Soepbar op het plein", "Buurtbewoners koken wekelijks soep en delen die uit op het marktplein."),
                     ("Klusdienst voor huurders", "Vrijwilligers helpen huurders met kleine herstellingen in huis."),
                     ("Zangkoor in het woonzorgcentrum", "Bewoners en buren zingen samen elke zondagmiddag."),
                     ("Schaakclub in de bib", "Jongeren en ouderen spelen samen schaak in de bibliotheek.")])]
    codes = []
    for n, body in enumerate(proposals):  # A, B, A, B: the limit is counted over both
        r = httpx.post(f"{(pair.a, pair.b)[n % 2]}/api/submissions", json=body, headers=client, timeout=120)
        codes.append(r.status_code)
    assert codes == [201] * SUBMISSION_LIMIT + [429] * (len(proposals) - SUBMISSION_LIMIT)
    sent = {p["id"] for p in proposals[:SUBMISSION_LIMIT]}

    curator = {"X-API-Key": pair.key}
    for base in (pair.a, pair.b):
        drafts = httpx.get(f"{base}/api/submissions", headers=curator, timeout=30)
        assert drafts.status_code == 200 and {p["id"] for p in drafts.json()} == sent
    published = httpx.post(f"{pair.b}/api/submissions/inzending-0/publish", headers=curator, timeout=120)
    assert published.status_code == 200, published.text
    wait_for(lambda: "inzending-0" in ids(search(pair.a, "soep uitdelen op het marktplein")),
             "published through B, found on A")
    assert httpx.delete(f"{pair.a}/api/submissions/inzending-1", headers=curator, timeout=120).status_code == 204
    left = httpx.get(f"{pair.b}/api/submissions", headers=curator, timeout=30).json()
    assert {p["id"] for p in left} == {"inzending-2"}

    # A key made and revoked on the database works on both servers, then on neither.
    pool = make_pool(pair.url, min_size=1, max_size=1)
    try:
        keys = PostgresKeyStore(pool)
        temporary = keys.create("tijdelijk")
        for base in (pair.a, pair.b):
            assert httpx.get(f"{base}/api/submissions", headers={"X-API-Key": temporary}, timeout=30).status_code == 200
        parts = split_key(temporary)
        assert parts is not None
        keys.revoke(parts[0])
        for base in (pair.a, pair.b):
            assert httpx.get(f"{base}/api/submissions", headers={"X-API-Key": temporary}, timeout=30).status_code == 403
    finally:
        pool.close()

