"""Domain objects -> API schemas."""

from __future__ import annotations

from fastapi import Request

from api.http.schemas import PracticeOut, SearchItem
from catalogue.model import Practice
from search.service import Hit


def practice_url(request: Request, practice_id: str) -> str:
    return str(request.url_for("practice_page", practice_id=practice_id))


def search_item(request: Request, hit: Hit) -> SearchItem:
    p = hit.practice
    return SearchItem(
        id=p.id, title=p.title, summary=p.summary, snippet=hit.snippet.text,
        highlights=hit.snippet.highlights, score=round(hit.score, 6), region=p.region,
        municipality=p.municipality, organisation=p.organisation, sectors=p.sectors,
        krachtlijnen=p.krachtlijnen, url=practice_url(request, p.id),
    )


def practice_out(request: Request, p: Practice) -> PracticeOut:
    data = p.model_dump(exclude={"extra"})
    return PracticeOut(**data, url=practice_url(request, p.id))
