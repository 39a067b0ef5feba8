"""The Practice model: one inspiring social-work practice, validated and normalised."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from catalogue.errors import FieldIssue, InvalidRecord
from catalogue.gazetteer import load_gazetteer
from catalogue.text import slugify
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS, Vocabulary

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
LIST_FIELDS = ("sectors", "krachtlijnen", "target_groups", "themes")
# Timestamps the store manages; they do not count as a change of content.
MANAGED_FIELDS = ("created", "updated")
# Caps on `extra`, the unknown fields a record brings along: every write path (ingest, CLI, API,
# anonymous submissions) goes through the model, so these bound what anyone can store.
MAX_EXTRA_BYTES = 20_000
MAX_EXTRA_KEYS = 50
MAX_EXTRA_DEPTH = 8


class Status(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


def _err(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _split(value: Any) -> Any:
    """CSV and prompts give lists as 'a; b' or 'a, b'."""
    if isinstance(value, str):
        sep = ";" if ";" in value else ","
        return [part.strip() for part in value.split(sep) if part.strip()]
    return value


def json_depth(value: Any) -> int:
    """How many lists and objects nest in a JSON value (0 for a scalar), counted without recursion."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, outer = todo.pop()
        if isinstance(item, dict | list | tuple):
            deepest = max(deepest, outer + 1)
            todo.extend((v, outer + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _check_extra(extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` as plain JSON, or an error when it is too big, has too many keys or nests too deeply."""
    if len(extra) > MAX_EXTRA_KEYS:
        raise _err("extra", f"te veel onbekende velden ({len(extra)}; hoogstens {MAX_EXTRA_KEYS})")
    for key, value in extra.items():
        if json_depth(value) > MAX_EXTRA_DEPTH:
            raise _err("extra", f"veld '{str(key)[:40]}' is te diep genest (hoogstens {MAX_EXTRA_DEPTH} niveaus)")
    blob = json.dumps(extra, default=str, ensure_ascii=False)
    if len(blob.encode("utf-8")) > MAX_EXTRA_BYTES:
        raise _err("extra", f"de onbekende velden zijn samen te groot (hoogstens {MAX_EXTRA_BYTES} bytes)")
    return json.loads(blob)


def _resolve_all(values: list[str], vocab: Vocabulary) -> list[str]:
    keys: list[str] = []
    for value in values:
        key = vocab.resolve(value)
        if key is None:
            allowed = ", ".join(vocab.keys)
            raise _err("vocabulary", f"onbekende waarde '{value}'; kies uit: {allowed}")
        if key not in keys:
            keys.append(key)
    return keys


class Practice(BaseModel):
    """A practice record, as stored in the catalogue."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", use_enum_values=True)

    id: str = Field(default="", max_length=80)
    title: str = Field(min_length=2, max_length=200)
    summary: str = Field(min_length=10, max_length=600)
    description: str | None = Field(default=None, max_length=20_000)
    organisation: str = Field(min_length=2, max_length=200)
    region: str = ""
    municipality: str | None = Field(default=None, max_length=100)
    sectors: list[str] = Field(min_length=1, max_length=10)
    krachtlijnen: list[str] = Field(min_length=1, max_length=5)
    target_groups: list[str] = Field(default_factory=list, max_length=20)
    themes: list[str] = Field(default_factory=list, max_length=20)
    website: str | None = Field(default=None, max_length=500)
    source_url: str | None = Field(default=None, max_length=500)
    contact: str | None = Field(default=None, max_length=300)
    status: Status = Status.published
    start_year: int | None = Field(default=None, ge=1800, le=2100)
    end_year: int | Literal["lopend"] | None = None
    created: dt.date | None = None
    updated: dt.date | None = None
    last_reviewed: dt.date | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            raise _err("record_type", "een record moet een object met velden zijn")
        data = {k: v for k, v in data.items() if v is not None and v != ""}
        if "sector" in data and "sectors" not in data:
            data["sectors"] = data.pop("sector")
        known = set(cls.model_fields)
        extra = dict(data.get("extra") or {})
        extra.update({k: v for k, v in data.items() if k not in known})
        data = {k: v for k, v in data.items() if k in known}
        if extra:
            # Rows already in the store are read as they are; the caps apply to what comes in.
            stored = bool(info.context and info.context.get("stored"))
            data["extra"] = json.loads(json.dumps(extra, default=str)) if stored else _check_extra(extra)
        for name in LIST_FIELDS:
            if name in data:
                data[name] = _split(data[name])
        return data

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if value and not ID_PATTERN.match(value):
            raise _err(
                "id", "een id bestaat uit kleine letters, cijfers en koppeltekens (bv. 'mijn-project')"
            )
        return value

    @field_validator("krachtlijnen")
    @classmethod
    def _krachtlijnen(cls, value: list[str]) -> list[str]:
        return _resolve_all(value, KRACHTLIJNEN)

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, value: list[str]) -> list[str]:
        return _resolve_all(value, SECTORS)

    @field_validator("target_groups", "themes")
    @classmethod
    def _free_terms(cls, value: list[str]) -> list[str]:
        terms: list[str] = []
        for item in value:
            term = re.sub(r"\s+", " ", str(item)).strip().lower()
            if len(term) > 80:
                raise _err("too_long", f"'{term[:30]}…' is langer dan 80 tekens")
            if term and term not in terms:
                terms.append(term)
        return terms

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        # Here, not only in _check_region, so that it is reported with the other fields' problems.
        if value and REGIONS.resolve(value) is None:
            raise _err("region", f"onbekende regio '{value}'; kies uit: {', '.join(REGIONS.keys)}")
        return value

    @field_validator("website", "source_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
            raise _err("url", "moet een webadres zijn dat begint met http:// of https://")
        return value

    @field_validator("end_year", mode="before")
    @classmethod
    def _end_year(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("lopend", "loopt nog", "ongoing", "en cours"):
                return "lopend"
            if text.isdigit():
                return int(text)
            raise _err("end_year", "een jaartal (bv. 2023) of 'lopend'")
        if isinstance(value, int) and not 1800 <= value <= 2100:
            raise _err("end_year", "een jaartal tussen 1800 en 2100, of 'lopend'")
        return value

    @model_validator(mode="after")
    def _derive(self) -> Practice:
        if not self.id:
            # A title without letters or digits ('🙂🙂') still gets a stable id.
            digest = hashlib.sha256(self.title.encode("utf-8")).hexdigest()[:8]
            self.id = slugify(self.title) or f"praktijk-{digest}"
        self._check_region()
        return self

    def _check_region(self) -> None:
        region = REGIONS.resolve(self.region) if self.region else None
        if self.region and region is None:
            allowed = ", ".join(REGIONS.keys)
            raise _err("region", f"onbekende regio '{self.region}'; kies uit: {allowed}")
        place = load_gazetteer().lookup(self.municipality) if self.municipality else None
        if place is not None:
            self.municipality = place.municipality
            if region is None:
                region = place.region
            elif region not in (place.region, "vlaanderen"):
                raise _err(
                    "region",
                    f"regio '{REGIONS.label(region)}' past niet bij gemeente "
                    f"'{place.municipality}' ({REGIONS.label(place.region)})",
                )
        if region is None:
            raise _err("region", "ontbreekt; geef een regio of een gekende gemeente op")
        self.region = region

    def content_hash(self) -> str:
        """A hash of everything a curator controls, to detect real changes."""
        payload = self.model_dump(mode="json", exclude=set(MANAGED_FIELDS))
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def search_text(self) -> str:
        """The text that is embedded for semantic search."""
        parts = [self.title, self.summary, self.description or ""]
        tags = [self.organisation, self.municipality or "", ", ".join(self.target_groups),
                ", ".join(self.themes)]
        return "\n".join(p for p in (*parts, " · ".join(t for t in tags if t)) if p)


# Dutch messages for pydantic's own error types; our validators already speak Dutch.
_DUTCH = {
    "missing": "verplicht veld ontbreekt",
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een object zijn",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "enum": "kies uit: draft, published, archived",
    "extra_forbidden": "onbekend veld",
}


def _dutch_message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("string_too_short", "too_short"):
        unit = "tekens" if kind.startswith("string") else "waarden"
        return f"te kort: minstens {ctx.get('min_length')} {unit}"
    if kind in ("string_too_long", "too_long") and "max_length" in ctx:
        unit = "tekens" if kind.startswith("string") else "waarden"
        return f"te lang: hoogstens {ctx.get('max_length')} {unit}"
    if kind in _DUTCH:
        return _DUTCH[kind]
    return str(error.get("msg", "ongeldige waarde")).removeprefix("Value error, ")


def _field_name(error: Mapping[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    if loc:
        return ".".join(loc)
    # Errors of the model-level validator name their field in the error type.
    return {"record_type": "record"}.get(error["type"], error["type"])


def validation_issues(exc: ValidationError) -> list[FieldIssue]:
    """Pydantic errors as Dutch field issues."""
    return [FieldIssue(_field_name(e), _dutch_message(e)) for e in exc.errors()]


def parse_practice(data: Any, *, source: str = "", locator: str = "") -> Practice:
    """Validate raw data into a Practice, or raise InvalidRecord with Dutch field messages."""
    try:
        return Practice.model_validate(data)
    except ValidationError as e:
        raise InvalidRecord(validation_issues(e), source=source, locator=locator) from e
