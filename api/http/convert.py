"""Domain objects -> API schemas."""

from __future__ import annotations

from fastapi import Request

from api.http.schemas import PracticeOut, SearchItem
from catalogue.model import Practice
from search.service import Hit

_ID = "{practice_id}"


def practice_url(request: Request, practice_id: str) -> str:
    """The practice's page. `url_for` tries every route in turn, so a page of results builds
    the URL template once per request and fills in each id."""
    template: str | None = getattr(request.state, "practice_url_template", None)
    if template is None:
        template = str(request.url_for("practice_page", practice_id=_ID))
        request.state.practice_url_template = template
    return template.replace(_ID, practice_id)


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
