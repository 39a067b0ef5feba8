"""Per-client rate limits: the protocol, and the in-process counter of a single server.

The counts of `MemoryRateLimits` live in one process: two server processes allow twice the rate.
Several servers over one PostgreSQL count in the database instead
(catalogue/postgres/rate_limits.py).
"""

from __future__ import annotations

from typing import Protocol

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimiter(Protocol):
    def hit(self, rate: str, scope: str, client: str) -> bool:
        """Count one request; False when the client is over `rate` (e.g. '5/minute')."""


class MemoryRateLimits:
    """Moving-window limits counted in this process."""

    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, rate: str, scope: str, client: str) -> bool:
        return bool(self._limiter.hit(parse(rate), scope, client))
