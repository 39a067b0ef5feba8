"""Rate limits counted in PostgreSQL hold across API servers."""

from __future__ import annotations

from catalogue.postgres.connection import make_pool
from catalogue.postgres.rate_limits import PostgresRateLimits


def test_two_servers_share_one_limit(postgres_url):
    first, second = make_pool(postgres_url, min_size=1, max_size=2), make_pool(postgres_url, min_size=1, max_size=2)
    try:
        server_a, server_b = PostgresRateLimits(first), PostgresRateLimits(second)
        allowed = [limiter.hit("5/hour", "submission", "10.0.0.1")
                   for limiter in (server_a, server_b, server_a, server_b, server_a, server_b)]
        assert allowed == [True] * 5 + [False]
        # Another client and another scope have their own counts.
        assert server_b.hit("5/hour", "submission", "10.0.0.2")
        assert server_a.hit("5/hour", "search", "10.0.0.1")
    finally:
        first.close()
        second.close()
