"""Read endpoints: search, similar practices, vocabularies, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from api.http.convert import search_item
from api.http.deps import CoreDep, ServiceDep, SettingsDep
from api.http.limits import limit_searches
from api.http.schemas import (
    ErrorResponse,
    Facets,
    Health,
    SearchResponse,
    SimilarResponse,
    Vocabularies,
    VocabularyTerm,
)
from catalogue.errors import InvalidInput, PracticeNotFound
from catalogue.store import make_filters
from catalogue.vocab import VOCABULARIES
from search.query_bounds import bound_query
from search.service import Mode

router = APIRouter(prefix="/api", tags=["zoeken"])
ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}



def _keys(kind: str) -> dict[str, object]:
    # Documents the keys; labels and aliases ('Antwerpen') are accepted as well (make_filters).
    return {"items": {"type": "string", "enum": list(VOCABULARIES[kind].keys)}}


KrachtlijnFilter = Annotated[list[str], Query(max_length=20, json_schema_extra=_keys("krachtlijn"))]
RegionFilter = Annotated[list[str], Query(max_length=20, json_schema_extra=_keys("region"))]
SectorFilter = Annotated[list[str], Query(max_length=20, json_schema_extra=_keys("sector"))]
# Comma-separated facet kinds; blanks and empty parts are ignored (facet_list).
FACETS_PATTERN = r"^\s*(?:(?:krachtlijn|region|sector)\s*)?(?:,\s*(?:(?:krachtlijn|region|sector)\s*)?)*$"
FacetsParam = Annotated[list[str] | None, Query(
    max_length=20, description="Welke facetten geteld worden: `krachtlijn`, `region`, `sector`, herhaald of "
    "met komma's gescheiden (`facets=krachtlijn,region`). Leeg (`facets=`) telt er geen: het snelste "
    "antwoord, voor wie geen filters toont. Zonder de parameter worden alle soorten geteld, zoals "
    "vroeger, zodat bestaande toepassingen blijven werken.",
    json_schema_extra={"items": {"type": "string", "maxLength": 80, "pattern": FACETS_PATTERN}})]
TermFilter = Annotated[list[str], Query(max_length=20, json_schema_extra={"items": {"type": "string", "maxLength": 80}})]


def facet_list(values: list[str] | None) -> list[str] | None:
    """The kinds of a repeatable, comma-separated parameter; None when it was not given."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def filters_from(krachtlijn: list[str], region: list[str], sector: list[str], target_group: list[str],
                 theme: list[str], status: tuple[str, ...] = ("published",)):
    for name, values in (("target_group", target_group), ("theme", theme)):
        if any(len(v) > 80 for v in values):
            raise InvalidInput(name, "waarde is te lang (hoogstens 80 tekens)")
    return make_filters(krachtlijn=krachtlijn, region=region, sector=sector,
                        target_group=target_group, theme=theme, status=status)


@router.get("/search", response_model=SearchResponse, responses=ERRORS, summary="Zoek praktijken",
            dependencies=[Depends(limit_searches)])
def search(
    request: Request,
    core: CoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(description="Zoekvraag in eigen woorden; leeg = bladeren",
                            json_schema_extra={"maxLength": 500})] = "",
    krachtlijn: KrachtlijnFilter = [],  # noqa: B006
    region: RegionFilter = [],  # noqa: B006
    sector: SectorFilter = [],  # noqa: B006
    target_group: TermFilter = [],  # noqa: B006
    theme: TermFilter = [],  # noqa: B006
    mode: Annotated[Mode, Query(description="hybrid, semantic of lexical")] = Mode.hybrid,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, description="Per pagina; begrensd door de instelling max_per_page")] = 10,
    facets: FacetsParam = None,
) -> SearchResponse:
    """Hybride zoeken (semantisch + BM25) met filters, facetten en paginering."""
    if len(q) > settings.max_query_chars:
        raise InvalidInput("q", f"de zoekvraag is te lang (hoogstens {settings.max_query_chars} tekens)")
    filters = filters_from(krachtlijn, region, sector, target_group, theme)
    per_page = min(per_page, settings.max_per_page)
    q = bound_query(q)  # NFC, no floods of combining marks, capped words: a bounded cost
    if core.indexing.rebuilding:
        mode = Mode.lexical  # the vector index is being rebuilt: keywords answer, nobody waits
    result = core.search.search(q, filters=filters, mode=mode, page=page, per_page=per_page,
                                facets=facet_list(facets))
    return SearchResponse(
        query=q, mode=result.mode, total=result.total, page=result.page, per_page=result.per_page,
        results=[search_item(request, h) for h in result.hits], facets=Facets(**result.facets),
        match=result.match, did_you_mean=result.did_you_mean,
    )


@router.get("/practices/{practice_id}/similar", response_model=SimilarResponse,
            responses={404: {"model": ErrorResponse}, **ERRORS}, summary="Gelijkaardige praktijken",
            dependencies=[Depends(limit_searches)])
def similar(
    request: Request,
    practice_id: str,
    service: ServiceDep,
    krachtlijn: KrachtlijnFilter = [],  # noqa: B006
    region: RegionFilter = [],  # noqa: B006
    sector: SectorFilter = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SimilarResponse:
    filters = filters_from(krachtlijn, region, sector, [], [])
    if service.store.get(practice_id).status != "published":
        raise PracticeNotFound(practice_id)  # a draft is hidden here too, as on GET
    hits = service.similar(practice_id, filters=filters, limit=limit)
    return SimilarResponse(id=practice_id, results=[search_item(request, h) for h in hits])


@router.get("/vocabularies", response_model=Vocabularies, summary="Krachtlijnen, regio's en sectoren")
def vocabularies(core: CoreDep) -> Vocabularies:
    counts = core.store.tag_counts(make_filters())
    return Vocabularies(**{
        kind: [VocabularyTerm(key=t.key, label=t.label, description=t.description,
                              count=counts[kind].get(t.key, 0)) for t in vocab.terms]
        for kind, vocab in VOCABULARIES.items()
    })


health_router = APIRouter(tags=["beheer"])


@health_router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(core: CoreDep) -> JSONResponse:
    """Klaar (200) alleen als de zoekindex overeenkomt met de catalogus; anders 503. Terwijl de
    zoekindex opnieuw opgebouwd wordt: 200 met status "rebuilding" en het percentage; zoeken
    werkt dan op woorden."""
    rebuilding = core.indexing.progress()
    if rebuilding is not None:
        published = len(core.store.index_entries())
        body = Health(status="rebuilding", ready=False, practices=published, published=published,
                      index_count=None, embedder=core.embedder.name_if_loaded(), index_stamp=None,
                      problems=["De zoekindex wordt opnieuw opgebouwd; zoeken werkt intussen op woorden."],
                      warm=core.is_warm(), rebuild_percent=rebuilding)
        return JSONResponse(body.model_dump(), status_code=200)
    health = core.health_check()
    report, stamp = health.check, health.index_stamp
    body = Health(status="ok" if report.ok else "niet klaar", ready=report.ok, practices=report.published,
                  published=report.published, index_count=report.index_count,
                  embedder=report.configured_embedder, index_stamp=stamp, problems=report.problems,
                  warm=core.is_warm())
    return JSONResponse(body.model_dump(), status_code=200 if report.ok else 503)
