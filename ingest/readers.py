"""Readers for practice files: JSON, JSONL, YAML, CSV and Markdown with YAML front matter.

Every reader yields RawRecord (data to validate) or Problem (a part of the file that could not
be read), each with the file and a locator ('regel 3', 'record 2') so errors can name them.
JSONL and CSV are streamed line by line; they may be far larger than memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from catalogue.spreadsheet import unquote

SUFFIXES = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml",
    ".csv": "csv", ".md": "markdown", ".markdown": "markdown",
}
MAX_LINE_CHARS = 1_000_000


@dataclass(frozen=True)
class RawRecord:
    """One record as read from a file, before validation."""

    source: str
    locator: str
    data: Any


@dataclass(frozen=True)
class Problem:
    """A part of a file that could not be read."""

    source: str
    locator: str
    message: str
    field: str = "bestand"


@dataclass
class Skipped:
    """A file that holds no practice (e.g. a README without front matter)."""

    source: str
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)


Item = RawRecord | Problem | Skipped


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases, so 'YAML bombs' cannot expand."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML-aliassen (*naam) worden niet aanvaard", event.start_mark
            )
        return super().compose_node(parent, index)


def _yaml_load_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=_NoAliasLoader))


def discover(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read under the given files and folders (recursive, hidden ones skipped)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and child.suffix.lower() in SUFFIXES and not any(
                    part.startswith(".") for part in rel.parts
                ):
                    files.append(child)
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                files.append(path)
            else:
                problems.append(Problem(str(path), "", f"onbekend bestandstype '{path.suffix}'; "
                                        f"gebruik {', '.join(sorted(SUFFIXES))}"))
        else:
            problems.append(Problem(str(path), "", "bestand of map bestaat niet"))
    return files, problems


def _open_text(path: Path) -> TextIO:
    """Open with BOM detection: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    with path.open("rb") as fh:
        head = fh.read(4)
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    return path.open(encoding=encoding, errors="strict", newline="")


def _decode_problem(path: Path, e: UnicodeDecodeError, locator: str = "") -> Problem:
    return Problem(str(path), locator, "tekst is geen geldige UTF-8 of UTF-16; "
                   "bewaar het bestand als UTF-8", "codering")


def read_file(path: Path) -> Iterator[Item]:
    """All records of one file, by its suffix."""
    kind = SUFFIXES[path.suffix.lower()]
    reader = {"json": _read_json, "jsonl": _read_jsonl, "yaml": _read_yaml,
              "csv": _read_csv, "markdown": _read_markdown}[kind]
    try:
        yield from reader(path)
    except UnicodeDecodeError as e:
        yield _decode_problem(path, e)
    except OSError as e:
        yield Problem(str(path), "", f"kan het bestand niet lezen: {e.strerror or e}")


def _records(path: Path, value: Any, prefix: str = "record") -> Iterator[Item]:
    if isinstance(value, list):
        for i, item in enumerate(value, start=1):
            yield RawRecord(str(path), f"{prefix} {i}", item)
    elif value is None:
        yield Skipped(str(path), "leeg bestand")
    else:
        yield RawRecord(str(path), f"{prefix} 1", value)


# JSON, YAML and Markdown are parsed whole; beyond this size only the streamed formats will do.
MAX_WHOLE_FILE_BYTES = 32 * 1024 * 1024


def _too_big(path: Path) -> Problem | None:
    size = path.stat().st_size
    if size <= MAX_WHOLE_FILE_BYTES:
        return None
    return Problem(str(path), "", f"te groot om in één keer te lezen ({size // 2**20} MB, hoogstens "
                   f"{MAX_WHOLE_FILE_BYTES // 2**20} MB); gebruik JSONL of CSV, die regel per regel "
                   "gelezen worden", "bestand")


def _read_json(path: Path) -> Iterator[Item]:
    if problem := _too_big(path):
        yield problem
        return
    with _open_text(path) as fh:
        text = fh.read()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        yield Problem(str(path), f"regel {e.lineno}, kolom {e.colno}",
                      f"ongeldige JSON: {e.msg}", "json")
        return
    if isinstance(value, dict) and isinstance(value.get("practices"), list):
        value = value["practices"]
    yield from _records(path, value)


def _read_jsonl(path: Path) -> Iterator[Item]:
    with _open_text(path) as fh:
        lineno = 0
        while True:
            try:
                line = fh.readline(MAX_LINE_CHARS + 1)
            except UnicodeDecodeError as e:
                yield _decode_problem(path, e, f"na regel {lineno}")
                return
            if not line:
                return
            lineno += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                yield Problem(str(path), f"regel {lineno}", "regel is te lang (meer dan 1 MB)", "regel")
                while line and not line.endswith("\n"):  # skip the rest of the long line
                    line = fh.readline(MAX_LINE_CHARS)
                continue
            if not line.strip():
                continue
            try:
                yield RawRecord(str(path), f"regel {lineno}", json.loads(line))
            except json.JSONDecodeError as e:
                yield Problem(str(path), f"regel {lineno}", f"ongeldige JSON: {e.msg} (kolom {e.colno})", "json")


def _read_yaml(path: Path) -> Iterator[Item]:
    if problem := _too_big(path):
        yield problem
        return
    with _open_text(path) as fh:
        text = fh.read()
    try:
        documents = _yaml_load_all(text)
    except yaml.YAMLError as e:
        yield Problem(str(path), _yaml_locator(e), f"ongeldige YAML: {_yaml_reason(e)}", "yaml")
        return
    if len(documents) == 1:
        value = documents[0]
        if isinstance(value, dict) and isinstance(value.get("practices"), list):
            value = value["practices"]
        yield from _records(path, value)
        return
    for i, doc in enumerate(documents, start=1):
        yield RawRecord(str(path), f"document {i}", doc)


def _yaml_locator(e: yaml.YAMLError) -> str:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    return f"regel {mark.line + 1}" if mark else ""


def _yaml_reason(e: yaml.YAMLError) -> str:
    return str(getattr(e, "problem", None) or e).strip()


def _read_csv(path: Path) -> Iterator[Item]:
    with _open_text(path) as fh:
        sample = fh.read(4096)
        fh.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(fh, delimiter=delimiter, strict=True)
        try:
            header = reader.fieldnames
        except csv.Error as e:
            yield Problem(str(path), "regel 1", f"ongeldige CSV-kop: {e}", "csv")
            return
        if not header:
            yield Skipped(str(path), "leeg bestand")
            return
        row_start = 2
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield Problem(str(path), f"regel {reader.line_num}", f"ongeldige CSV: {e}", "csv")
                return
            locator = f"regel {row_start}"
            row_start = reader.line_num + 1
            if None in row:
                yield Problem(str(path), locator, "meer kolommen dan in de kop", "csv")
                continue
            # Cells our export quoted against spreadsheet formulas come back as they were.
            data = {k.strip(): unquote(v) for k, v in row.items() if k is not None and v not in (None, "")}
            if data:
                yield RawRecord(str(path), locator, data)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """('yaml text', 'body') for a Markdown file with front matter; (None, text) without."""
    lines = io.StringIO(text).readlines()
    if not lines or lines[0].strip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1:])
    return None, text


def _read_markdown(path: Path) -> Iterator[Item]:
    if problem := _too_big(path):
        yield problem
        return
    with _open_text(path) as fh:
        text = fh.read()
    front, body = split_front_matter(text)
    if front is None:
        yield Skipped(str(path), "geen YAML-kop (front matter); geen praktijk")
        return
    try:
        docs = _yaml_load_all(front)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        locator = f"regel {mark.line + 2}" if mark else "kop"
        yield Problem(str(path), locator, f"ongeldige YAML in de kop: {_yaml_reason(e)}", "yaml")
        return
    data = docs[0] if docs else None
    if not isinstance(data, dict):
        yield Problem(str(path), "kop", "de kop moet velden bevatten (naam: waarde)", "yaml")
        return
    if body.strip() and not data.get("description"):
        data["description"] = body.strip()
    yield RawRecord(str(path), "kop", data)
