"""The request bodies of the write endpoints, as the OpenAPI document shows them.

The catalogue's model (catalogue/model.py) validates every write, with Dutch messages and the
aliases curators use ('Antwerpen', 'sector', 'huisvesting'). These classes only describe what
it accepts, so that the spec marks the required fields and names the allowed values; the model
enforces them. A null is "not given" (the model ignores it), so only required fields refuse it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, WithJsonSchema
from pydantic.config import JsonDict

from catalogue.model import ID_PATTERN, MAX_EXTRA_BYTES, MAX_EXTRA_DEPTH, MAX_EXTRA_KEYS, Status
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS

# The model strips whitespace before it counts: "at least n characters" is a pattern on the
# characters from the first to the last one that is not whitespace. Whitespace is Python's
# (str.strip), which differs from a JSON Schema regex's \s in six characters: spelled out.
PY_SPACE = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
SOLID = f"[^{PY_SPACE}]"
TWO_CHARS = SOLID + r"[\s\S]*" + SOLID
TEN_CHARS = SOLID + r"[\s\S]{8,}" + SOLID
URL = f"^[Hh][Tt][Tt][Pp][Ss]?://[^{PY_SPACE}/$.?#]{SOLID}*$"
REQUIRED = ("title", "summary", "organisation", "region", "sectors", "krachtlijnen")

YEAR = r"^(1[89][0-9][0-9]|20[0-9][0-9]|2100)$"
SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "pattern": ID_PATTERN.pattern, "maxLength": 80,
           "description": "Ontbreekt het, dan wordt het uit de titel gemaakt."},
    "title": {"type": "string", "pattern": TWO_CHARS, "maxLength": 200},
    "summary": {"type": "string", "pattern": TEN_CHARS, "maxLength": 600},
    "description": {"type": "string", "maxLength": 20_000},
    "organisation": {"type": "string", "pattern": TWO_CHARS, "maxLength": 200},
    "region": {"type": "string", "enum": list(REGIONS.keys),
               "description": "Verplicht, tenzij `municipality` een gekende gemeente is: die vult de regio aan."},
    "municipality": {"type": "string", "maxLength": 100},
    "sectors": {"type": "array", "items": {"type": "string", "enum": list(SECTORS.keys)},
                "minItems": 1, "maxItems": 10},
    "krachtlijnen": {"type": "array", "items": {"type": "string", "enum": list(KRACHTLIJNEN.keys)},
                     "minItems": 1, "maxItems": 5},
    "target_groups": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 20},
    "themes": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 20},
    "website": {"type": "string", "pattern": URL, "maxLength": 500},
    "source_url": {"type": "string", "pattern": URL, "maxLength": 500},
    "contact": {"type": "string", "maxLength": 300},
    # Years also come as text (CSV, forms): "2019" is a year too, and "" leaves the field empty.
    "start_year": {"anyOf": [{"type": "integer", "minimum": 1800, "maximum": 2100},
                             {"type": "string", "pattern": YEAR}, {"type": "string", "maxLength": 0}],
                   "description": "Startjaar"},
    "end_year": {"anyOf": [{"type": "integer", "minimum": 1800, "maximum": 2100},
                           {"type": "string", "pattern": YEAR}, {"type": "string", "enum": ["lopend"]},
                           {"type": "string", "maxLength": 0}], "description": "Eindjaar, of 'lopend'"},
    "status": {"type": "string", "enum": [s.value for s in Status]},
    "last_reviewed": {"type": "string", "format": "date"},
}


def shown(name: str, *, required: bool = False) -> WithJsonSchema:
    schema = SCHEMAS[name]
    if required:
        return WithJsonSchema(schema)
    # null is "not given"; "" empties an optional text field (which a practice cannot do without
    # the fields of REQUIRED, nor a date).
    plain = schema.get("type") == "string" and "format" not in schema and name not in REQUIRED
    absent = [{"type": "string", "maxLength": 0}] if plain else []
    return WithJsonSchema({"anyOf": [schema, *absent, {"type": "null"}]})


_EXTRA: JsonDict = {
    "description": "Velden die niet in dit schema staan, worden bewaard in `extra` (samen hoogstens "
                   f"{MAX_EXTRA_KEYS} velden, {MAX_EXTRA_BYTES} bytes en {MAX_EXTRA_DEPTH} niveaus diep).",
}


class _Content(BaseModel):
    """What a practice says; every field optional."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_EXTRA)

    title: Annotated[str | None, shown("title")] = None
    summary: Annotated[str | None, shown("summary")] = None
    description: Annotated[str | None, shown("description")] = None
    organisation: Annotated[str | None, shown("organisation")] = None
    region: Annotated[str | None, shown("region")] = None
    municipality: Annotated[str | None, shown("municipality")] = None
    sectors: Annotated[list[str] | None, shown("sectors")] = None
    krachtlijnen: Annotated[list[str] | None, shown("krachtlijnen")] = None
    target_groups: Annotated[list[str] | None, shown("target_groups")] = None
    themes: Annotated[list[str] | None, shown("themes")] = None
    website: Annotated[str | None, shown("website")] = None
    source_url: Annotated[str | None, shown("source_url")] = None
    contact: Annotated[str | None, shown("contact")] = None
    start_year: Annotated[int | str | None, shown("start_year")] = None
    end_year: Annotated[int | str | None, shown("end_year")] = None


class PracticePatch(_Content):
    """Fields of a practice to change; every field is optional. The id is the one in the address."""

    status: Annotated[str | None, shown("status")] = None
    last_reviewed: Annotated[dt.date | None, shown("last_reviewed")] = None


class _Whole(_Content):
    """A whole practice: the fields the model needs are required."""

    model_config = ConfigDict(extra="allow", json_schema_extra={**_EXTRA, "required": list(REQUIRED)})

    title: Annotated[str | None, shown("title", required=True)] = None
    summary: Annotated[str | None, shown("summary", required=True)] = None
    organisation: Annotated[str | None, shown("organisation", required=True)] = None
    region: Annotated[str | None, shown("region", required=True)] = None
    sectors: Annotated[list[str] | None, shown("sectors", required=True)] = None
    krachtlijnen: Annotated[list[str] | None, shown("krachtlijnen", required=True)] = None


class SubmissionIn(_Whole):
    """A practice proposed by a practitioner; it is stored as a draft, without a review date."""

    id: Annotated[str | None, shown("id")] = None


class PracticeIn(_Whole):
    """A whole practice, as it replaces the one in the address."""

    status: Annotated[str | None, shown("status")] = None
    last_reviewed: Annotated[dt.date | None, shown("last_reviewed")] = None


class PracticeNew(PracticeIn):
    """A new practice; without an id, one is made from the title."""

    id: Annotated[str | None, shown("id")] = None
