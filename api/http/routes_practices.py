"""Practice records: public reads, curator writes (API key), public submissions (rate-limited).

Writes go through the operations shared with the CLI (api/operations.py)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel

from api.http.convert import practice_out, practice_url
from api.http.deps import CoreDep, KeyDep, SettingsDep
from api.http.limits import client_of, rate_limits
from api.http.routes_search import KrachtlijnFilter, RegionFilter, SectorFilter, TermFilter, filters_from
from api.http.schemas import DuplicateOut, ErrorResponse, PracticeList, PracticeOut, SubmissionOut
from api.http.write_schemas import PracticeIn, PracticeNew, PracticePatch, SubmissionIn
from catalogue.errors import PracticeNotFound
from catalogue.model import Status, parse_practice

router = APIRouter(prefix="/api", tags=["praktijken"])
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
                409: {"model": ErrorResponse}, 413: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
                503: {"model": ErrorResponse}}


def _payload(body: BaseModel) -> dict[str, Any]:
    # Unknown fields are passed on as sent: the model caps them (size, keys, depth) and names
    # the one at fault, where dumping a deeply nested one here would fail (a 500).
    extra = body.model_extra or {}
    return {**body.model_dump(exclude_none=True, exclude=set(extra)), **extra}


@router.get("/practices", response_model=PracticeList, responses={422: {"model": ErrorResponse}})
def list_practices(
    request: Request,
    core: CoreDep,
    settings: SettingsDep,
    krachtlijn: KrachtlijnFilter = [],  # noqa: B006
    region: RegionFilter = [],  # noqa: B006
    sector: SectorFilter = [],  # noqa: B006
    target_group: TermFilter = [],  # noqa: B006
    theme: TermFilter = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1)] = 20,
) -> PracticeList:
    """Gepubliceerde praktijken op titel, met filters."""
    filters = filters_from(krachtlijn, region, sector, target_group, theme)
    per_page = min(per_page, settings.max_per_page)
    practices = core.store.list_practices(filters, limit=per_page, offset=(page - 1) * per_page)
    return PracticeList(total=core.store.count(filters), page=page, per_page=per_page,
                        results=[practice_out(request, p) for p in practices])


@router.get("/practices/{practice_id}", response_model=PracticeOut, responses={404: {"model": ErrorResponse}})
def get_practice(request: Request, response: Response, practice_id: str,
                 core: CoreDep) -> Any:
    """Eén praktijk met al haar velden (met ETag)."""
    practice = core.store.get(practice_id)
    if practice.status != Status.published:
        raise PracticeNotFound(practice_id)
    etag = '"' + hashlib.sha256(f"{practice.content_hash()}{practice.updated}".encode()).hexdigest()[:20] + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=60"
    return practice_out(request, practice)


@router.post("/practices", response_model=PracticeOut, status_code=201, responses=WRITE_ERRORS)
def create_practice(request: Request, body: PracticeNew, core: CoreDep, key: KeyDep) -> PracticeOut:
    """Nieuwe praktijk (curatoren, API-sleutel nodig)."""
    stored = core.operations.add(parse_practice(_payload(body), source="body"))
    return practice_out(request, stored.practice)


@router.put("/practices/{practice_id}", response_model=PracticeOut, responses=WRITE_ERRORS)
def replace_practice(request: Request, practice_id: str, body: PracticeIn,
                     core: CoreDep, key: KeyDep) -> PracticeOut:
    """Vervang een praktijk volledig."""
    return practice_out(request, core.operations.replace(practice_id, _payload(body)).practice)


@router.patch("/practices/{practice_id}", response_model=PracticeOut, responses=WRITE_ERRORS)
def patch_practice(request: Request, practice_id: str, body: PracticePatch,
                   core: CoreDep, key: KeyDep) -> PracticeOut:
    """Pas enkele velden van een praktijk aan."""
    return practice_out(request, core.operations.patch(practice_id, _payload(body)).practice)


@router.delete("/practices/{practice_id}", status_code=204, responses=WRITE_ERRORS)
def delete_practice(practice_id: str, core: CoreDep, key: KeyDep) -> Response:
    """Verwijder een praktijk uit de catalogus en de zoekindex."""
    core.operations.remove(practice_id)
    return Response(status_code=204)


@router.post("/submissions", response_model=SubmissionOut, status_code=201,
             responses={409: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
                        429: {"model": ErrorResponse}}, tags=["inzendingen"])
def submit(request: Request, body: SubmissionIn, core: CoreDep, settings: SettingsDep) -> Any:
    """Stel een praktijk voor; ze wordt bewaard als kladversie tot een curator ze publiceert."""
    client = client_of(request, trust_proxy=settings.trust_proxy)
    if not rate_limits(request).hit(settings.submission_rate, "submission", client):
        raise HTTPException(429, "Te veel inzendingen na elkaar. Probeer het over een minuut opnieuw.",
                            headers={"Retry-After": "60"})
    stored = core.operations.submit(_payload(body))
    similar = [DuplicateOut(id=m.other_id, title=m.other_title, similarity=round(m.similarity, 3),
                            url=practice_url(request, m.other_id)) for m in stored.duplicates]
    message = "Bedankt! Een curator bekijkt je inzending voor ze verschijnt."
    if similar:
        message += (" Ze lijkt sterk op een praktijk die al in de catalogus staat; de curator "
                    "kijkt na of het om dezelfde gaat.")
    return SubmissionOut(id=stored.practice.id, status="draft", message=message, possible_duplicates=similar)


@router.get("/submissions", response_model=list[PracticeOut], tags=["inzendingen"],
            responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
def list_submissions(request: Request, core: CoreDep, key: KeyDep) -> list[PracticeOut]:
    """Kladversies die wachten op een curator."""
    return [practice_out(request, p) for p in core.operations.drafts()]


@router.post("/submissions/{practice_id}/publish", response_model=PracticeOut, tags=["inzendingen"],
             responses=WRITE_ERRORS)
def publish_submission(request: Request, practice_id: str, core: CoreDep, key: KeyDep) -> PracticeOut:
    """Publiceer een kladversie."""
    return practice_out(request, core.operations.publish(practice_id).practice)


@router.delete("/submissions/{practice_id}", status_code=204, tags=["inzendingen"], responses=WRITE_ERRORS)
def reject_submission(practice_id: str, core: CoreDep, key: KeyDep) -> Response:
    """Wijs een kladversie af (ze wordt verwijderd)."""
    core.operations.reject(practice_id)
    return Response(status_code=204)
