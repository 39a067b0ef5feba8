"""Curator tools: tag suggestions, near-duplicates, drafts from articles, review dates."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import click
import typer
import yaml

from api.cli.context import console, err_console, fail, get_context, handle_errors, has_terminal
from api.cli.curation_view import (
    additions_text,
    duplicates_table,
    print_duplicates,
    print_hint,
    region_line,
    stale_table,
    suggestions_table,
)
from api.cli.render import print_json
from api.core import Praktijkbank
from catalogue.errors import InvalidRecord, PracticeNotFound, ReadError
from catalogue.model import Practice, parse_practice
from catalogue.review import cutoff_for, stale_practices
from catalogue.store import make_filters
from catalogue.text import slugify
from ingest.readers import split_front_matter
from search.curation.draft import Draft, make_draft
from search.curation.duplicates import DuplicateMatch
from search.curation.suggest import LabelScore

app = typer.Typer()

JsonOpt = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON, voor scripts")]
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")


# -- helpers shared with ingest and add --------------------------------------------------

def suggested_additions(core: Praktijkbank, practice_ids: Sequence[str]) -> dict[str, dict[str, list[LabelScore]]]:
    """Per stored practice, the suggested tags it does not carry (empty practices left out)."""
    suggester = core.suggester()
    out = {}
    for practice_id in practice_ids:
        additions = suggester.for_practice(practice_id).additions(core.store.get(practice_id))
        if additions:
            out[practice_id] = additions
    return out


@dataclass
class CurationNotes:
    """What the curator should know about records just stored: duplicates, unused suggestions."""

    duplicates: list[DuplicateMatch] = field(default_factory=list)
    additions: dict[str, dict[str, list[LabelScore]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"possible_duplicates": [m.as_dict() for m in self.duplicates],
                "suggestions": {pid: {kind: [s.as_dict() for s in scores] for kind, scores in adds.items()}
                                for pid, adds in self.additions.items()}}

    def show(self) -> None:
        print_duplicates(self.duplicates)
        for practice_id, additions in self.additions.items():
            print_hint(f"Voorstel voor {practice_id} (niet toegepast): {additions_text(additions)}")


def curation_notes(core: Praktijkbank, duplicates: list[DuplicateMatch], practice_ids: Sequence[str], *,
                   suggest: bool = False) -> CurationNotes:
    """Duplicate warnings (and, if asked, unused tag suggestions) for records just stored."""
    notes = CurationNotes(duplicates)
    if suggest:
        notes.additions = suggested_additions(core, practice_ids)
    return notes


def read_article(path: Path) -> str:
    """The text of a .txt or .md file (UTF-8, or UTF-16 with a BOM), front matter folded in."""
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise ReadError(f"{path}: verwacht een .txt- of .md-bestand")
    try:
        raw = path.read_bytes()
        encoding = "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
        text = raw.decode(encoding)
    except OSError as e:
        raise ReadError(f"{path}: kan het bestand niet lezen: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise ReadError(f"{path}: tekst is geen geldige UTF-8 of UTF-16; bewaar het als UTF-8") from e
    front, body = split_front_matter(text)
    if front is not None:
        try:
            meta = yaml.safe_load(front)
        except yaml.YAMLError:
            meta = None
        if isinstance(meta, dict):
            head = [str(meta[k]) for k in ("title", "summary") if meta.get(k)]
            return "\n\n".join([*head, body.strip()])
    return text


# -- suggest -----------------------------------------------------------------------------

@app.command("suggest")
@handle_errors
def suggest_cmd(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="ID|BESTAND",
                                          help="Id van een praktijk, of een .txt/.md-bestand")],
    as_json: JsonOpt = False,
) -> None:
    """Stel krachtlijnen, sectoren en een regio voor, met hoe zeker elk voorstel is."""
    core = get_context(ctx).core()
    suggester = core.suggester()
    path = Path(target)
    current: Practice | None = None
    if path.is_file():
        suggestions = suggester.for_text(read_article(path))
    else:
        try:
            current = core.store.get(target)
        except PracticeNotFound as e:
            if path.suffix.lower() in ARTICLE_SUFFIXES or "/" in target:
                raise ReadError(f"{target}: bestand niet gevonden (en geen praktijk met dat id)") from e
            raise
        suggestions = suggester.for_practice(target)
    if as_json:
        data = {"target": target, **suggestions.as_dict()}
        if current is not None:
            data["additions"] = {k: [s.key for s in v] for k, v in suggestions.additions(current).items()}
        print_json(data)
        return
    console.print(suggestions_table(suggestions, current, title=f"Voorstellen voor {target}"))
    console.print(region_line(suggestions), markup=False, highlight=False)
    if current is not None and (additions := suggestions.additions(current)):
        print_hint(f"Nog niet gekozen: {additions_text(additions)}. Voeg toe met "
                   f"'praktijkbank edit {current.id} --set ...' als je akkoord gaat.")
    if not suggestions.neighbours:
        print_hint("De catalogus heeft nog geen zoekindex: alleen de beschrijvingen van de labels telden mee.")


# -- duplicates --------------------------------------------------------------------------

@app.command("duplicates")
@handle_errors
def duplicates_cmd(
    ctx: typer.Context,
    threshold: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Eigen drempel (standaard: gekalibreerd)")] = None,
    drafts: Annotated[bool, typer.Option("--drafts/--no-drafts", help="Kladversies meenemen")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Toon paren praktijken die waarschijnlijk over hetzelfde gaan (er wordt niets samengevoegd)."""
    finder = get_context(ctx).core().duplicates(threshold=threshold)
    matches = finder.all_pairs(include_drafts=drafts)
    if as_json:
        print_json({"threshold": finder.space.threshold, "model": finder.space.model,
                    "pairs": [m.as_dict() for m in matches]})
        return
    if not matches:
        console.print(f"Geen mogelijke dubbels (drempel {finder.space.threshold:.2f}).")
        return
    console.print(duplicates_table(matches))
    print_hint(f"Drempel {finder.space.threshold:.2f}. Bekijk ze met 'praktijkbank show ID'; "
               "verwijder of pas zelf aan wat echt dubbel is.")


# -- draft -------------------------------------------------------------------------------

class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the description is pleasant to edit."""


_BlockDumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))


def draft_yaml(draft: Draft, record: dict[str, Any], source: str) -> str:
    """The draft as YAML for the editor, with what was found as comments on top."""
    s = draft.suggestions

    def listed(kind: str, suggested: bool) -> str:
        return ", ".join(f"{x.key} ({x.confidence:.2f})" for x in getattr(s, kind)
                         if x.suggested == suggested and (suggested or x.confidence >= 0.1)) or "-"

    lines = [
        f"# Kladversie uit {source}. Kijk alles na en bewaar; een leeg bestand bewaren annuleert.",
        "# Ze wordt opgeslagen als kladversie; publiceer met 'praktijkbank submissions publish ID'.",
        f"# Voorgestelde krachtlijnen: {listed('krachtlijnen', True)}; "
        f"ook mogelijk: {listed('krachtlijnen', False)}",
        f"# Voorgestelde sectoren: {listed('sectors', True)}; ook mogelijk: {listed('sectors', False)}",
        f"# {region_line(s)}",
        f"# Gevonden organisaties: {'; '.join(draft.organisations) or '-'}",
        *(f"# Let op: {w}" for w in draft.warnings),
    ]
    body = yaml.dump(record, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=100)
    return "\n".join(lines) + "\n" + body


def _review(text: str, edit: bool, keep: Path) -> dict[str, Any] | None:
    """The curator's version: edited in $EDITOR (closing without saving keeps the draft)."""
    if edit:
        edited = click.edit(text, extension=".yaml")
        text = text if edited is None else edited
    if not text.strip() or all(line.startswith("#") or not line.strip() for line in text.splitlines()):
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_text(text, encoding="utf-8")
        raise fail(f"ongeldige YAML, niets opgeslagen (je versie staat in {keep}): {e}") from e
    if not isinstance(data, dict):
        raise fail("de kladversie moet velden bevatten (naam: waarde); niets opgeslagen")
    return data


@app.command("draft")
@handle_errors
def draft_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="BESTAND", help="Artikel als .txt of .md")],
    no_edit: Annotated[bool, typer.Option("--no-edit", help="Niet openen in $EDITOR; meteen opslaan")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Toon de kladversie, sla niets op")] = False,
    practice_id: Annotated[str | None, typer.Option("--id", help="Id (anders gemaakt uit de titel)")] = None,
    central: Annotated[bool, typer.Option("--central", help="Samenvatting uit de meest centrale zinnen "
                                                         "in plaats van de eerste")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Maak van een artikel een kladversie: titel, samenvatting, tags, gemeente, organisatie."""
    context = get_context(ctx)
    core = context.core()
    draft = make_draft(read_article(path), suggester=core.suggester(), central=central)
    record = {"id": core.operations.free_id(practice_id or slugify(draft.title) or "kladversie"),
              **draft.record()}
    found = {"organisations": draft.organisations, "warnings": draft.warnings,
             "suggestions": draft.suggestions.as_dict()}
    if dry_run:
        if as_json:
            print_json({"record": record, **found, "stored": False})
        else:
            print(draft_yaml(draft, record, path.name))  # plain: rich would wrap the YAML
        return
    keep = context.settings.home / "kladversies" / f"{record['id']}.yaml"
    edit = not no_edit and not as_json
    if edit and not has_terminal():  # an editor without a terminal would wait for ever
        err_console.print("Geen terminal: de kladversie wordt niet in $EDITOR geopend maar meteen "
                          "opgeslagen (zoals met --no-edit).")
        edit = False
    data = _review(draft_yaml(draft, record, path.name), edit, keep)
    if data is None:
        console.print("Leeg bestand: niets opgeslagen.")
        raise typer.Exit(1)
    practice, matches = _store_draft(core, data, keep)
    if as_json:
        print_json({"record": practice.model_dump(mode="json"), **found, "stored": True,
                    "possible_duplicates": [m.as_dict() for m in matches]})
        return
    print_duplicates(matches)
    console.print(f"[green]Kladversie opgeslagen:[/] {practice.id} (status {practice.status}). "
                  f"Publiceer met 'praktijkbank submissions publish {practice.id}'.")


def _store_draft(core: Praktijkbank, data: dict[str, Any], keep: Path) -> tuple[Practice, list[DuplicateMatch]]:
    """Validate and store the curator's version; on a bad field keep it in a file and say where."""
    try:
        practice = parse_practice(data, source="kladversie")
    except InvalidRecord as e:
        keep.parent.mkdir(parents=True, exist_ok=True)
        kept = yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False)
        keep.write_text(kept, encoding="utf-8")
        raise fail(f"niets opgeslagen (je versie staat in {keep}): {e}") from e
    if core.operations.exists(practice.id):
        raise fail(f"er bestaat al een praktijk met id '{practice.id}'; kies een ander id")
    stored = core.operations.add(practice)
    return stored.practice, stored.duplicates


# -- stale -------------------------------------------------------------------------------

@app.command("stale")
@handle_errors
def stale_cmd(
    ctx: typer.Context,
    older_than: Annotated[str, typer.Option("--older-than", help="Duur: 2y, 18m, 6w of 90d")] = "2y",
    status: Annotated[list[str], typer.Option(
        "--status", help="Status (herhaalbaar; standaard published)")] = [],  # noqa: B006
    as_json: JsonOpt = False,
) -> None:
    """Toon praktijken die te lang niet nagekeken zijn; wie nooit nagekeken werd, telt mee."""
    cutoff = cutoff_for(older_than)
    practices = get_context(ctx).store().list_practices(make_filters(status=status or ("published",)))
    items = stale_practices(practices, cutoff=cutoff)
    if as_json:
        print_json({"cutoff": cutoff.isoformat(), "count": len(items),
                    "practices": [{"id": i.practice.id, "title": i.practice.title,
                                   "last_reviewed": i.practice.last_reviewed, "days": i.days} for i in items]})
        return
    if not items:
        console.print(f"Alles is nagekeken sinds {cutoff}.")
        return
    console.print(stale_table(items, cutoff))
    print_hint("Praktijken zonder datum 'laatst nagekeken' tellen mee. "
               "Markeer als nagekeken met 'praktijkbank edit ID --reviewed'.")
