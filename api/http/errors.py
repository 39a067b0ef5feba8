"""One place that turns service errors and validation failures into Dutch JSON answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.http import routes_pages
from catalogue.errors import (
    DuplicatePractice,
    EmbedderUnavailable,
    IndexOutOfDate,
    InvalidInput,
    InvalidRecord,
    NotADraft,
    PracticeNotFound,
    PraktijkbankError,
    StoreReadOnly,
)

_STATUS = [
    (PracticeNotFound, 404), (InvalidRecord, 422), (InvalidInput, 422), (DuplicatePractice, 409), (NotADraft, 409),
    (IndexOutOfDate, 503), (EmbedderUnavailable, 503), (StoreReadOnly, 503),
]

_PYDANTIC_DUTCH = {
    "int_parsing": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "greater_than_equal": "is te klein",
    "less_than_equal": "is te groot",
    "missing": "ontbreekt",
    "string_too_long": "is te lang",
    "json_invalid": "is geen geldige JSON",
    "model_attributes_type": "moet een JSON-object zijn",
    "dict_type": "moet een JSON-object zijn",
    "list_type": "moet een lijst zijn",
    "string_type": "moet tekst zijn",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
}


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def _validation_item(error: dict[str, Any]) -> dict[str, str]:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path", "header")]
    if error["type"] == "json_invalid":
        loc = []  # its location is a character offset, not a field
    message = _PYDANTIC_DUTCH.get(error["type"], "ongeldige waarde")
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        bound = (error.get("ctx") or {}).get("ge", (error.get("ctx") or {}).get("le"))
        message = f"{message} (grens: {bound})"
    return {"parameter": ".".join(loc) or "body", "message": message}


def install(app: FastAPI) -> None:
    @app.exception_handler(PraktijkbankError)
    async def service_error(request: Request, exc: PraktijkbankError) -> JSONResponse:
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 400)
        errors: list[dict[str, str]] = []
        if isinstance(exc, InvalidRecord):
            errors = [{"parameter": i.field, "message": i.message} for i in exc.issues]
        elif isinstance(exc, InvalidInput):
            errors = [{"parameter": exc.parameter, "message": exc.message}]
        return JSONResponse(error_body(str(exc), errors), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        items = [_validation_item(e) for e in exc.errors()]
        names = ", ".join(dict.fromkeys(i["parameter"] for i in items))
        return JSONResponse(error_body(f"Ongeldige invoer: {names}.", items), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and routes_pages.wants_html(request):
            return routes_pages.not_found_page()  # browsers get a Dutch page; /api/* keeps JSON
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body its JSON parser gives up on (nested too deeply).
            items = [{"parameter": "body", "message": _PYDANTIC_DUTCH["json_invalid"]}]
            return JSONResponse(error_body("Ongeldige invoer: body.", items), status_code=422)
        detail = exc.detail if isinstance(exc.detail, str) else "Fout"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Deze pagina of dit adres bestaat niet."
        if exc.status_code == 405:
            detail = "Deze methode is hier niet toegestaan."
        return JSONResponse(error_body(detail), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - last resort
        return JSONResponse(error_body("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
                            status_code=500)
