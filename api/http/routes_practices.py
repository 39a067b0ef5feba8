"""Practice records: public reads, curator writes (API key), public submissions (rate-limited)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from api.http.convert import practice_out, practice_url
from api.http.deps import get_engine, get_settings, require_key
from api.http.limits import client_of, rate_limits
from api.http.routes_search import KrachtlijnFilter, RegionFilter, SectorFilter, TermFilter, filters_from
from api.http.schemas import DuplicateOut, ErrorResponse, PracticeList, PracticeOut, SubmissionOut
from api.http.write_schemas import PracticeIn, PracticeNew, PracticePatch, SubmissionIn
from catalogue.errors import DuplicatePractice, InvalidInput, NotADraft, PracticeNotFound
from catalogue.keys import ApiKey
from catalogue.model import Practice, Status, parse_practice
from catalogue.settings import Settings
from ingest.pipeline import store_practices
from search.curation.duplicates import DuplicateFinder, RecordingUpdater
from search.engine import SearchEngine

router = APIRouter(prefix="/api", tags=["praktijken"])
WRITE_ERRORS = {401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
                409: {"model": ErrorResponse}, 413: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
                503: {"model": ErrorResponse}}


def _get(engine: SearchEngine, practice_id: str, *, public: bool = True) -> Practice:
    practice = engine.store.get(practice_id)
    if public and practice.status != Status.published:
        raise PracticeNotFound(practice_id)
    return practice


def _save(engine: SearchEngine, practice: Practice) -> None:
    store_practices(engine.store, [practice], indexer=engine.updater())


def _payload(body: BaseModel) -> dict[str, Any]:
    # Unknown fields are passed on as sent: the model caps them (size, keys, depth) and names
    # the one at fault, where dumping a deeply nested one here would fail (a 500).
    extra = body.model_extra or {}
    return {**body.model_dump(exclude_none=True, exclude=set(extra)), **extra}


@router.get("/practices", response_model=PracticeList, responses={422: {"model": ErrorResponse}})
def list_practices(
    request: Request,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
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
    practices = engine.store.list(filters, limit=per_page, offset=(page - 1) * per_page)
    return PracticeList(total=engine.store.count(filters), page=page, per_page=per_page,
                        results=[practice_out(request, p) for p in practices])


@router.get("/practices/{practice_id}", response_model=PracticeOut, responses={404: {"model": ErrorResponse}})
def get_practice(request: Request, response: Response, practice_id: str,
                 engine: Annotated[SearchEngine, Depends(get_engine)]) -> Any:
    """Eén praktijk met al haar velden (met ETag)."""
    practice = _get(engine, practice_id)
    etag = '"' + hashlib.sha256(f"{practice.content_hash()}{practice.updated}".encode()).hexdigest()[:20] + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=60"
    return practice_out(request, practice)


@router.post("/practices", response_model=PracticeOut, status_code=201, responses=WRITE_ERRORS)
def create_practice(request: Request, body: PracticeNew, engine: Annotated[SearchEngine, Depends(get_engine)],
                    key: Annotated[ApiKey, Depends(require_key)]) -> PracticeOut:
    """Nieuwe praktijk (curatoren, API-sleutel nodig)."""
    practice = parse_practice(_payload(body), source="body")
    try:
        engine.store.rid_of(practice.id)
    except PracticeNotFound:
        _save(engine, practice)
        return practice_out(request, engine.store.get(practice.id))
    raise DuplicatePractice(practice.id)


@router.put("/practices/{practice_id}", response_model=PracticeOut, responses=WRITE_ERRORS)
def replace_practice(request: Request, practice_id: str, body: PracticeIn,
                     engine: Annotated[SearchEngine, Depends(get_engine)],
                     key: Annotated[ApiKey, Depends(require_key)]) -> PracticeOut:
    """Vervang een praktijk volledig."""
    engine.store.get(practice_id)
    data = _payload(body)
    if data.get("id", practice_id) != practice_id:
        raise InvalidInput("id", "het id in de inhoud verschilt van het id in het adres")
    _save(engine, parse_practice({**data, "id": practice_id}, source="body"))
    return practice_out(request, engine.store.get(practice_id))


@router.patch("/practices/{practice_id}", response_model=PracticeOut, responses=WRITE_ERRORS)
def patch_practice(request: Request, practice_id: str, body: PracticePatch,
                   engine: Annotated[SearchEngine, Depends(get_engine)],
                   key: Annotated[ApiKey, Depends(require_key)]) -> PracticeOut:
    """Pas enkele velden van een praktijk aan."""
    current = engine.store.get(practice_id).model_dump(mode="json")
    changes = _payload(body)
    if changes.get("id", practice_id) != practice_id:
        raise InvalidInput("id", "het id kan niet gewijzigd worden")
    _save(engine, parse_practice({**current, **changes}, source="body"))
    return practice_out(request, engine.store.get(practice_id))


@router.delete("/practices/{practice_id}", status_code=204, responses=WRITE_ERRORS)
def delete_practice(practice_id: str, engine: Annotated[SearchEngine, Depends(get_engine)],
                    key: Annotated[ApiKey, Depends(require_key)]) -> Response:
    """Verwijder een praktijk uit de catalogus en de zoekindex."""
    engine.remove(practice_id)
    return Response(status_code=204)


@router.post("/submissions", response_model=SubmissionOut, status_code=201,
             responses={409: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
                        429: {"model": ErrorResponse}}, tags=["inzendingen"])
def submit(request: Request, body: SubmissionIn, engine: Annotated[SearchEngine, Depends(get_engine)],
           settings: Annotated[Settings, Depends(get_settings)]) -> Any:
    """Stel een praktijk voor; ze wordt bewaard als kladversie tot een curator ze publiceert."""
    client = client_of(request, trust_proxy=settings.trust_proxy)
    if not rate_limits(request).hit(settings.submission_rate, "submission", client):
        from fastapi import HTTPException

        raise HTTPException(429, "Te veel inzendingen na elkaar. Probeer het over een minuut opnieuw.",
                            headers={"Retry-After": "60"})
    data = {k: v for k, v in _payload(body).items() if k not in ("status", "last_reviewed")}
    practice = parse_practice({**data, "status": "draft"}, source="body")
    try:
        engine.store.rid_of(practice.id)
    except PracticeNotFound:
        recorder = RecordingUpdater(engine.updater())
        store_practices(engine.store, [practice], indexer=recorder)
        similar = [DuplicateOut(id=m.other_id, title=m.other_title, similarity=round(m.similarity, 3),
                                url=practice_url(request, m.other_id))
                   for m in DuplicateFinder(engine).check([practice], vectors=recorder.vectors)]
        message = "Bedankt! Een curator bekijkt je inzending voor ze verschijnt."
        if similar:
            message += (" Ze lijkt sterk op een praktijk die al in de catalogus staat; de curator "
                        "kijkt na of het om dezelfde gaat.")
        return SubmissionOut(id=practice.id, status="draft", message=message, possible_duplicates=similar)
    raise DuplicatePractice(practice.id)


@router.get("/submissions", response_model=list[PracticeOut], tags=["inzendingen"],
            responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
def list_submissions(request: Request, engine: Annotated[SearchEngine, Depends(get_engine)],
                     key: Annotated[ApiKey, Depends(require_key)]) -> list[PracticeOut]:
    """Kladversies die wachten op een curator."""
    drafts = engine.store.list(filters_from([], [], [], [], [], status=("draft",)))
    return [practice_out(request, p) for p in drafts]


@router.post("/submissions/{practice_id}/publish", response_model=PracticeOut, tags=["inzendingen"],
             responses=WRITE_ERRORS)
def publish_submission(request: Request, practice_id: str, engine: Annotated[SearchEngine, Depends(get_engine)],
                       key: Annotated[ApiKey, Depends(require_key)]) -> PracticeOut:
    """Publiceer een kladversie."""
    draft = _get(engine, practice_id, public=False)
    if draft.status != Status.draft:
        raise NotADraft(practice_id, draft.status)
    _save(engine, draft.model_copy(update={"status": Status.published}))
    return practice_out(request, engine.store.get(practice_id))


@router.delete("/submissions/{practice_id}", status_code=204, tags=["inzendingen"], responses=WRITE_ERRORS)
def reject_submission(practice_id: str, engine: Annotated[SearchEngine, Depends(get_engine)],
                      key: Annotated[ApiKey, Depends(require_key)]) -> Response:
    """Wijs een kladversie af (ze wordt verwijderd)."""
    draft = _get(engine, practice_id, public=False)
    if draft.status != Status.draft:
        raise NotADraft(practice_id, draft.status)
    engine.remove(practice_id)
    return Response(status_code=204)
