"""Curator intelligence over HTTP: coverage (public, for the /over page) and tag suggestions."""

from __future__ import annotations

from fastapi import APIRouter

from api.http.deps import CoreDep, KeyDep
from api.http.schemas import (
    CoverageOut,
    ErrorResponse,
    LabelSuggestion,
    RegionSuggestion,
    SuggestIn,
    SuggestOut,
)
from catalogue.coverage import coverage_of

router = APIRouter(prefix="/api", tags=["curatoren"])


@router.get("/coverage", response_model=CoverageOut, summary="Dekking per krachtlijn en regio")
def coverage(core: CoreDep) -> CoverageOut:
    """Aantal gepubliceerde praktijken per krachtlijn en regio: waar is de catalogus dun?"""
    return CoverageOut(**coverage_of(core.store).as_dict())


@router.post("/suggestions", response_model=SuggestOut, summary="Voorgestelde tags voor een tekst",
             responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse},
                        422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
def suggestions(body: SuggestIn, core: CoreDep, key: KeyDep) -> SuggestOut:
    """Krachtlijnen en sectoren met een gekalibreerde zekerheid, en de regio uit de genoemde plaatsen
    (curatoren, API-sleutel nodig)."""
    found = core.suggester().for_text(body.text)
    region = found.region
    return SuggestOut(
        krachtlijnen=[LabelSuggestion(**s.as_dict()) for s in found.krachtlijnen],
        sectors=[LabelSuggestion(**s.as_dict()) for s in found.sectors],
        region=RegionSuggestion(region=region.region, label=region.label, confidence=round(region.confidence, 3),
                                municipality=region.municipality, municipalities=list(region.municipalities))
        if region else None,
    )
