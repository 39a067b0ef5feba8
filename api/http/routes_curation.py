"""Curator intelligence over HTTP: coverage (public, for the /over page) and tag suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.http.deps import get_engine, require_key
from api.http.schemas import (
    CoverageOut,
    ErrorResponse,
    LabelSuggestion,
    RegionSuggestion,
    SuggestIn,
    SuggestOut,
)
from catalogue.coverage import coverage_of
from catalogue.keys import ApiKey
from search.curation.suggest import TagSuggester
from search.engine import SearchEngine

router = APIRouter(prefix="/api", tags=["curatoren"])


@router.get("/coverage", response_model=CoverageOut, summary="Dekking per krachtlijn en regio")
def coverage(engine: Annotated[SearchEngine, Depends(get_engine)]) -> CoverageOut:
    """Aantal gepubliceerde praktijken per krachtlijn en regio: waar is de catalogus dun?"""
    return CoverageOut(**coverage_of(engine.store).as_dict())


@router.post("/suggestions", response_model=SuggestOut, summary="Voorgestelde tags voor een tekst",
             responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse},
                        422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
def suggestions(body: SuggestIn, engine: Annotated[SearchEngine, Depends(get_engine)],
                key: Annotated[ApiKey, Depends(require_key)]) -> SuggestOut:
    """Krachtlijnen en sectoren met een gekalibreerde zekerheid, en de regio uit de genoemde plaatsen
    (curatoren, API-sleutel nodig)."""
    found = TagSuggester(engine).for_text(body.text)
    region = found.region
    return SuggestOut(
        krachtlijnen=[LabelSuggestion(**s.as_dict()) for s in found.krachtlijnen],
        sectors=[LabelSuggestion(**s.as_dict()) for s in found.sectors],
        region=RegionSuggestion(region=region.region, label=region.label, confidence=round(region.confidence, 3),
                                municipality=region.municipality, municipalities=list(region.municipalities))
        if region else None,
    )
