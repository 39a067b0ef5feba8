"""Dependencies: settings built once, the app's composition root, API-key checks.

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
def get_settings() -> Settings:
    return Settings()


def get_core(request: Request) -> Praktijkbank:
    core: Praktijkbank = request.app.state.core
    return core


def get_service(core: Annotated[Praktijkbank, Depends(get_core)]) -> SearchService:
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
