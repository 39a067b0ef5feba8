"""Limits on what one client can make the server do: body size on the bytes read, rate limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import (  # FastAPI lets its own HTTPException pass while it reads the body
    Depends,
    HTTPException,
    Request,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core import Praktijkbank
from api.http.deps import get_settings
from catalogue.rate_limits import RateLimiter
from catalogue.settings import Settings


def too_large(max_body: int) -> str:
    return f"De inhoud is te groot (hoogstens {max_body} bytes)."


class BodyLimit:
    """Refuse a request body once more than `max_body` bytes have been read.

    A Content-Length header is checked elsewhere (Guard) before anything is read; a chunked
    body has none, so the count here is on the bytes that actually arrive. The 413 is raised
    from `receive`, inside the route, so the app's own error handler renders it in Dutch.
    """

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        read = 0

        async def limited() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.max_body:
                    raise HTTPException(413, too_large(self.max_body))
            return message

        await self.app(scope, limited, send)



def rate_limits(request: Request) -> RateLimiter:
    """The app's rate limits: counted in this process, or in the database over PostgreSQL."""
    core: Praktijkbank = request.app.state.core
    return core.limits


def client_of(request: Request, *, trust_proxy: bool) -> str:
    """Who is asking: the peer address, or the first X-Forwarded-For hop behind a trusted proxy."""
    if trust_proxy and (forwarded := request.headers.get("x-forwarded-for")):
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "onbekend"


def limit_searches(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> None:
    """A dependency: 429 when this client searched more than PRAKTIJKBANK_SEARCH_RATE allows."""
    client = client_of(request, trust_proxy=settings.trust_proxy)
    if not rate_limits(request).hit(settings.search_rate, "search", client):
        raise HTTPException(429, "Te veel zoekvragen na elkaar. Probeer het over een minuut opnieuw.",
                            headers={"Retry-After": "60"})
