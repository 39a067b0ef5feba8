"""Dependencies: settings built once, the shared store and engine, API-key checks."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from catalogue.keys import ApiKey, KeyStore
from catalogue.settings import Settings
from search.engine import SearchEngine
from search.service import SearchService


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def get_engine(request: Request) -> SearchEngine:
    return request.app.state.engine  # type: ignore[no-any-return]


def get_service(engine: Annotated[SearchEngine, Depends(get_engine)]) -> SearchService:
    return engine.service()


def require_key(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="API-sleutel van een curator")] = None,
) -> ApiKey:
    """Writes need a valid key: 401 without one, 403 with an invalid or revoked one."""
    if not x_api_key:
        raise HTTPException(401, "Een API-sleutel is nodig (header X-API-Key).",
                            headers={"WWW-Authenticate": "ApiKey"})
    key = KeyStore(request.app.state.engine.store).verify(x_api_key)
    if key is None:
        raise HTTPException(403, "Deze API-sleutel is ongeldig of ingetrokken.")
    return key
