"""Rate limits counted in PostgreSQL, so that a limit holds across every API server.

A sliding-window counter: each (bucket, window) row counts the requests of one fixed window,
and a request is allowed while the current count plus the previous window's count, weighted by
how much of that window still overlaps the last `period` seconds, stays within the limit. One
upsert and one read per request, in one round trip; old windows are deleted now and then.
"""

from __future__ import annotations

import random
from typing import Any

from limits import parse

# Share of requests that also delete windows older than the previous one.
CLEANUP_SHARE = 0.01

_HIT = """
WITH clock AS (
    SELECT to_timestamp(floor(extract(epoch FROM clock_timestamp()) / %(period)s) * %(period)s) AS start,
           extract(epoch FROM clock_timestamp()) AS now
), counted AS (
    INSERT INTO rate_limits (bucket, window_start, count)
    SELECT %(bucket)s, start, 1 FROM clock
    ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1
    RETURNING count
)
SELECT (SELECT count FROM counted),
       coalesce((SELECT r.count FROM rate_limits r, clock
                 WHERE r.bucket = %(bucket)s
                   AND r.window_start = clock.start - make_interval(secs => %(period)s)), 0),
       (SELECT (now - extract(epoch FROM start)) / %(period)s FROM clock)
"""


class PostgresRateLimits:
    """The RateLimiter of api/http/limits.py on the `rate_limits` table."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    def hit(self, rate: str, scope: str, client: str) -> bool:
        """Count one request; False when the client is over `rate` (e.g. '5/minute')."""
        item = parse(rate)
        period = int(item.get_expiry())
        bucket = f"{scope}:{client}"
        with self.pool.connection() as conn:
            current, previous, elapsed = conn.execute(
                _HIT, {"bucket": bucket, "period": period}).fetchone()
            if random.random() < CLEANUP_SHARE:  # when to tidy up (not security)
                conn.execute("DELETE FROM rate_limits WHERE window_start < now() - make_interval(secs => %s)",
                             [2 * period])
        estimate = current + previous * max(0.0, 1.0 - float(elapsed))
        return estimate <= item.amount
