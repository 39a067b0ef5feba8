"""The Dutch web pages: search, practice (with server-rendered title and Open Graph tags), about,
submission form, widget demo, the offline API docs, and the HTML 404 page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.http.convert import practice_url
from api.http.deps import CoreDep
from catalogue.errors import PracticeNotFound
from catalogue.model import Practice, Status

STATIC = Path(__file__).resolve().parent.parent / "static"
# Swagger UI and Redoc as installed files (the fastapi-offline package), never from a CDN.
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
_DOCS_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
}
_SCRIPTS = ("app.js", "over.js", "widget.js", "voorstellen.js", "docs-init.js", "redoc-init.js")
SITE_NAME = "Praktijkbank"
PAGE_METHODS = ["GET", "HEAD"]

router = APIRouter(include_in_schema=False)


def _page(name: str, media_type: str = "text/html; charset=utf-8") -> FileResponse:
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script expecting JSON)."""
    if request.url.path.startswith("/api/") or request.url.path == "/api":
        return False
    return "text/html" in request.headers.get("accept", "")


def not_found_page() -> HTMLResponse:
    """The Dutch 404 page with a way back."""
    return HTMLResponse((STATIC / "404.html").read_text(encoding="utf-8"), status_code=404,
                        headers={"Cache-Control": "no-cache"})


@router.api_route("/", methods=PAGE_METHODS)
def search_page() -> FileResponse:
    return _page("index.html")


def _first_sentences(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(".,;:") + "…"


def render_practice_head(template: str, practice: Practice, url: str) -> str:
    """The search page's HTML with the practice's <title>, description and Open Graph tags."""
    title = f"{practice.title} – {SITE_NAME}"
    description = _first_sentences(practice.summary or practice.description or practice.title)
    esc = html.escape
    tags = "\n".join([
        f'  <meta name="description" content="{esc(description)}">',
        f'  <link rel="canonical" href="{esc(url)}">',
        '  <meta property="og:type" content="article">',
        f'  <meta property="og:site_name" content="{SITE_NAME}">',
        f'  <meta property="og:title" content="{esc(practice.title)}">',
        f'  <meta property="og:description" content="{esc(description)}">',
        f'  <meta property="og:url" content="{esc(url)}">',
        '  <meta property="og:locale" content="nl_BE">',
        '  <meta name="twitter:card" content="summary">',
    ])
    page = re.sub(r"<title>.*?</title>", lambda _: f"<title>{esc(title)}</title>", template, count=1, flags=re.S)
    return re.sub(r'[ \t]*<meta name="description"[^>]*>', lambda _: tags, page, count=1)


@router.api_route("/praktijk/{practice_id}", methods=PAGE_METHODS, response_model=None)
def practice_page(request: Request, practice_id: str,
                  core: CoreDep) -> Response:
    """The practice page; the script fills in the body, the head is rendered here for shared links."""
    try:
        practice = core.store.get(practice_id)
    except PracticeNotFound:
        practice = None
    if practice is None or practice.status != Status.published:
        return not_found_page()
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    body = render_practice_head(template, practice, practice_url(request, practice.id))
    return HTMLResponse(body, headers={"Cache-Control": "no-cache"})


@router.api_route("/over", methods=PAGE_METHODS)
def about_page() -> FileResponse:
    """About the catalogue, with its coverage per krachtlijn and region."""
    return _page("over.html")


@router.api_route("/voorstellen", methods=PAGE_METHODS)
def submission_page() -> FileResponse:
    """The form to propose a practice; it posts to /api/submissions."""
    return _page("voorstellen.html")


@router.api_route("/widget", methods=PAGE_METHODS)
def widget_demo() -> FileResponse:
    return _page("widget-demo.html")


@router.api_route("/docs", methods=PAGE_METHODS)
def swagger_docs() -> FileResponse:
    """Swagger UI from installed files, under the site's strict CSP."""
    return _page("docs.html")


# Redoc builds its styles at run time in <style> elements (styled-components); scripts stay 'self' only.
REDOC_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
             "connect-src 'self'; worker-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


@router.api_route("/redoc", methods=PAGE_METHODS)
def redoc_docs() -> FileResponse:
    page = _page("redoc.html")
    page.headers["Content-Security-Policy"] = REDOC_CSP  # the Guard middleware keeps a header already set
    return page


@router.get("/docs-assets/{name}")
def docs_asset(name: str) -> FileResponse:
    if name not in _DOCS_FILES:
        raise HTTPException(404)
    return FileResponse(DOCS_ASSETS / name, media_type=_DOCS_FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/style.css")
def stylesheet() -> FileResponse:
    return _page("style.css", "text/css; charset=utf-8")


@router.get("/docs.css")
def docs_stylesheet() -> FileResponse:
    return _page("docs.css", "text/css; charset=utf-8")


def _script_route(name: str) -> None:
    def script() -> FileResponse:
        return _page(name, "text/javascript; charset=utf-8")

    script.__name__ = name.replace(".", "_").replace("-", "_")
    router.add_api_route("/" + name, script, methods=["GET"])


for _name in _SCRIPTS:
    _script_route(_name)
