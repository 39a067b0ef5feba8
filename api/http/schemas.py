"""Response and request schemas of the HTTP API (the OpenAPI document at /docs shows them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class SearchItem(BaseModel):
    id: str
    title: str
    summary: str
    snippet: str = Field(description="Plain text; highlight the ranges in `highlights`")
    highlights: list[tuple[int, int]] = Field(description="[start, end) character ranges in snippet")
    score: float
    region: str
    municipality: str | None
    organisation: str
    sectors: list[str]
    krachtlijnen: list[str]
    url: str


class Facets(BaseModel):
    """Counts per value of the kinds asked for in `facets`; a kind not asked for is null."""

    krachtlijn: dict[str, int] | None = None
    region: dict[str, int] | None = None
    sector: dict[str, int] | None = None


class SearchResponse(BaseModel):
    query: str
    mode: str
    total: int = Field(description="Aantal praktijken over de zoekvraag (met de filters); 0 bij `nearest`")
    page: int
    per_page: int
    results: list[SearchItem]
    facets: Facets = Field(description="Per waarde: het totaal dat die waarde aanvinken geeft. Een soort "
                                       "telt zonder haar eigen selectie (disjunctief): waarden binnen een "
                                       "soort combineren met OF, soorten met EN. Alleen de soorten uit de "
                                       "parameter `facets` worden geteld; de andere zijn null.")
    match: Literal["relevant", "nearest", "none"] = Field(
        "relevant", description="relevant: de resultaten gaan over de zoekvraag; nearest: geen praktijk "
        "gaat erover, `results` zijn de dichtstbijzijnde (total 0); none: de zoekvraag bevat geen "
        "herkenbare woorden en niets past")
    did_you_mean: str | None = Field(None, description="Verbeterde zoekvraag bij een tikfout; er is al "
                                                       "mee gezocht")


class PracticeOut(BaseModel):
    id: str
    title: str
    summary: str
    description: str | None
    organisation: str
    region: str
    municipality: str | None
    sectors: list[str]
    krachtlijnen: list[str]
    target_groups: list[str]
    themes: list[str]
    website: str | None
    source_url: str | None
    contact: str | None
    status: str
    start_year: int | None = None
    end_year: int | Literal["lopend"] | None = Field(None, description="Eindjaar, of 'lopend'")
    created: dt.date | None
    updated: dt.date | None
    last_reviewed: dt.date | None
    url: str


class PracticeList(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[PracticeOut]


class SimilarResponse(BaseModel):
    id: str
    results: list[SearchItem]


class VocabularyTerm(BaseModel):
    key: str
    label: str
    description: str
    count: int


class Vocabularies(BaseModel):
    krachtlijn: list[VocabularyTerm]
    region: list[VocabularyTerm]
    sector: list[VocabularyTerm]


class Health(BaseModel):
    status: str
    ready: bool
    practices: int
    published: int
    index_count: int | None
    embedder: str
    index_stamp: dict[str, Any] | None
    problems: list[str]
    # Whether the in-memory search views (BM25 postings) match the catalogue; until then the
    # answers are the same, only slower.
    warm: bool = False
    # While the vector index is rebuilt in the background (status "rebuilding"): the share done.
    rebuild_percent: float | None = None


class ErrorItem(BaseModel):
    parameter: str
    message: str


class ErrorResponse(BaseModel):
    detail: str
    errors: list[ErrorItem] = []


class DuplicateOut(BaseModel):
    """A published practice that a record closely resembles (nothing is merged)."""

    id: str
    title: str
    similarity: float = Field(description="Cosine similarity of the texts, 0 to 1")
    url: str


class SubmissionOut(BaseModel):
    id: str
    status: str
    message: str
    possible_duplicates: list[DuplicateOut] = Field(
        default_factory=list, description="Published practices this submission may duplicate")


class CoverageLabel(BaseModel):
    key: str
    label: str
    count: int


class CoverageCell(BaseModel):
    krachtlijn: str
    region: str
    count: int


class CoverageOut(BaseModel):
    """Published practices per krachtlijn and region."""

    total: int
    krachtlijnen: list[CoverageLabel]
    regions: list[CoverageLabel]
    matrix: list[list[int]] = Field(description="One row per krachtlijn, one column per region, "
                                                "in the order of `krachtlijnen` and `regions`")
    thinnest: list[CoverageCell]
    themes: list[CoverageLabel] = Field(default_factory=list,
                                        description="Gepubliceerde praktijken per thema (catalogue/data/themes.yaml)")


class SuggestIn(BaseModel):
    text: str = Field(min_length=20, max_length=20_000, description="Text about a practice (Dutch)")


class LabelSuggestion(BaseModel):
    key: str
    label: str
    confidence: float = Field(description="Calibrated probability that the label applies")
    suggested: bool


class RegionSuggestion(BaseModel):
    region: str
    label: str
    confidence: float
    municipality: str | None
    municipalities: list[str]


class SuggestOut(BaseModel):
    """Every krachtlijn and sector, highest confidence first, and the region named in the text."""

    krachtlijnen: list[LabelSuggestion]
    sectors: list[LabelSuggestion]
    region: RegionSuggestion | None
