"""The FastAPI application: API routes, the search page, security headers and limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core import Praktijkbank
from api.http import errors, routes_curation, routes_pages, routes_practices, routes_search
from api.http.deps import load_settings
from api.http.limits import BodyLimit
from catalogue.settings import Settings
from search.index_faiss import set_threads

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


class Guard:
    """Body-size limit (on the Content-Length header) and security headers on every response.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware runs the rest of the app in a task
    of its own and streams the response through it, which a search paid for on every request."""

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and (not length.isdigit() or int(length) > self.max_body):
            refusal = JSONResponse({"detail": f"De inhoud is te groot (hoogstens {self.max_body} bytes).",
                                    "errors": []}, status_code=413)
            await refusal(scope, receive, send)
            return
        is_widget = scope["path"] == "/widget.js"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if not is_widget:
                    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
                # /docs and /redoc too: their scripts are installed files (routes_pages), nothing inline.
                headers.setdefault("Content-Security-Policy", CSP)
                if is_widget:
                    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None, core: Praktijkbank | None = None) -> FastAPI:
    """The app for a catalogue; tests pass their own settings or composition root."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        set_threads(1)
        app.state.core = core or Praktijkbank.from_settings(settings)
        # After a crash, a restore or a lost index: the tables now, the index in a background
        # thread (logged, shown on /health); keyword search answers meanwhile. The in-memory
        # read views and the approximate index are warmed in a thread, without delaying start.
        app.state.core.start_serving()
        app.state.core.warm_model()  # before uvicorn serves: every worker is ready when it accepts
        yield
        app.state.core.close()

    app = FastAPI(
        title="Praktijkbank API",
        description="Zoek inspirerende sociaalwerkpraktijken uit Vlaanderen en Brussel. "
                    "Lezen is open; schrijven vraagt een API-sleutel (header X-API-Key).",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by routes_pages from installed files, under the strict CSP
        redoc_url=None,
    )
    app.state.settings = settings  # read by the get_settings dependency
    errors.install(app)
    # Chunked bodies, on the bytes read; inside Guard, so its 413 reaches the error handler.
    app.add_middleware(BodyLimit, max_body=settings.max_body_bytes)
    app.add_middleware(Guard, max_body=settings.max_body_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], max_age=600)
    app.include_router(routes_search.router)
    app.include_router(routes_practices.router)
    app.include_router(routes_curation.router)
    app.include_router(routes_search.health_router)
    app.include_router(routes_pages.router)
    app.mount("/static", StaticFiles(directory=routes_pages.STATIC, check_dir=False), name="static")
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn: `uvicorn --factory api.http.app:app_from_env`."""
    return create_app()
