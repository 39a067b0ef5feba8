"""Dependencies: settings built once per app, the app's composition root, API-key checks.

Routes name what they need with the aliases below (the FastAPI template's deps.py style):
`core: CoreDep`, `service: ServiceDep`, `settings: SettingsDep`, `key: KeyDep`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from api.core import Praktijkbank
from catalogue.keys import ApiKey
from catalogue.settings import Settings
from search.service import SearchService


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    """The environment's settings, read once per process (the default of `create_app`)."""
    return Settings()


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with. Read from the app's state rather than swapped in
    through `dependency_overrides`: with any override in place, FastAPI analyses every route's
    dependencies again on each request (about 2 ms of a search at 10k practices).

    This one and the two below only read the app's state, so they are `async`: FastAPI runs a
    plain `def` dependency in its thread pool, a hop to another thread and back per request."""
    settings: Settings = request.app.state.settings
    return settings


async def get_core(request: Request) -> Praktijkbank:
    core: Praktijkbank = request.app.state.core
    return core


async def get_service(core: Annotated[Praktijkbank, Depends(get_core)]) -> SearchService:
    return core.search


def require_key(
    core: Annotated[Praktijkbank, Depends(get_core)],
    x_api_key: Annotated[str | None, Header(description="API-sleutel van een curator")] = None,
) -> ApiKey:
    """Writes need a valid key: 401 without one, 403 with an invalid or revoked one."""
    if not x_api_key:
        raise HTTPException(401, "Een API-sleutel is nodig (header X-API-Key).",
                            headers={"WWW-Authenticate": "ApiKey"})
    key = core.keys.verify(x_api_key)
    if key is None:
        raise HTTPException(403, "Deze API-sleutel is ongeldig of ingetrokken.")
    return key


SettingsDep = Annotated[Settings, Depends(get_settings)]
CoreDep = Annotated[Praktijkbank, Depends(get_core)]
ServiceDep = Annotated[SearchService, Depends(get_service)]
KeyDep = Annotated[ApiKey, Depends(require_key)]
