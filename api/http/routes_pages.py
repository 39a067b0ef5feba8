"""The Dutch search page, the practice pages, the widget script and its demo page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


def _page(name: str, media_type: str = "text/html; charset=utf-8") -> FileResponse:
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})


@router.get("/")
def search_page() -> FileResponse:
    return _page("index.html")


@router.get("/praktijk/{practice_id}")
def practice_page(practice_id: str) -> FileResponse:
    # The page script loads the practice by the id in the path.
    return _page("index.html")


@router.get("/over")
def about_page() -> FileResponse:
    """About the catalogue, with its coverage per krachtlijn and region."""
    return _page("over.html")


@router.get("/over.js")
def about_script() -> FileResponse:
    return _page("over.js", "text/javascript; charset=utf-8")


@router.get("/widget")
def widget_demo() -> FileResponse:
    return _page("widget-demo.html")


@router.get("/app.js")
def app_script() -> FileResponse:
    return _page("app.js", "text/javascript; charset=utf-8")


@router.get("/style.css")
def stylesheet() -> FileResponse:
    return _page("style.css", "text/css; charset=utf-8")


@router.get("/widget.js")
def widget_script() -> FileResponse:
    return _page("widget.js", "text/javascript; charset=utf-8")
