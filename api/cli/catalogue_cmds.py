"""Curator commands that keep the catalogue: ingest, add, show, list, edit, remove, export, stats."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import click
import typer
import yaml

from api.cli.context import console, err_console, fail, get_context, handle_errors
from api.cli.curation_cmds import CurationNotes, curation_notes
from api.cli.curation_view import additions_text, coverage_table, print_hint, theme_table, write_heatmap
from api.cli.progress import Meter
from api.cli.render import counts_table, practice_panel, practice_table, print_json, print_report
from catalogue.coverage import coverage_of
from catalogue.errors import InvalidRecord
from catalogue.model import LIST_FIELDS, Practice, parse_practice
from catalogue.spreadsheet import neutralise
from catalogue.store import FACET_KINDS, make_filters
from catalogue.vocab import KRACHTLIJNEN, REGIONS
from search.curation.suggest import Suggestions

app = typer.Typer()

KrachtlijnOpt = Annotated[list[str], typer.Option("--krachtlijn", "-k", help="Filter op krachtlijn (herhaalbaar)")]
RegionOpt = Annotated[list[str], typer.Option("--region", "--regio", "-r", help="Filter op regio (herhaalbaar)")]
SectorOpt = Annotated[list[str], typer.Option("--sector", "-s", help="Filter op sector (herhaalbaar)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON, voor scripts")]


@app.command("ingest")
@handle_errors
def ingest_cmd(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Bestanden of mappen (recursief)")],
    strict: Annotated[bool, typer.Option("--strict", help="Sla niets op als er één record afgekeurd wordt")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Toon wat er zou gebeuren, sla niets op")] = False,
    suggest: Annotated[bool, typer.Option("--suggest", help="Toon voorgestelde tags die nieuwe of gewijzigde "
                                                         "records nog niet hebben (er wordt niets aangepast)")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Lees praktijken uit JSON, JSONL, YAML, CSV of Markdown en sla ze op."""
    core = get_context(ctx).core(create=True)
    read = [0]

    def reading(n: int) -> None:
        read[0] += n
        meter.reading(n)

    with Meter("Inbedden en opslaan", console=err_console, enabled=not as_json) as meter:
        # Embedding reports per few practices; each stored batch (saved for good) sets the count.
        ingested = core.operations.ingest(
            paths, strict=strict, dry_run=dry_run, on_record=reading, on_stored=meter.update,
            on_embedded=lambda n: meter.update(meter.done + n, meter.total or read[0]))
    report = ingested.report
    notes = CurationNotes()
    if report.added or report.updated:
        notes = curation_notes(core, ingested.duplicates, report.added + report.updated,
                               suggest=suggest and not dry_run)
    if as_json:
        print_json({**report.as_dict(), **notes.as_dict()})
    else:
        print_report(report)
        notes.show()
    if report.strict_aborted or (report.rejected and strict):
        raise typer.Exit(1)
    if report.rejected:
        raise typer.Exit(2)


def _prompt_missing(values: dict[str, Any], offer: Callable[[dict[str, Any]], Suggestions | None]) -> dict[str, Any]:
    """Ask for missing fields; the suggested tags are offered as the answer to accept with Enter."""
    prompts = {
        "title": "Titel", "summary": "Korte samenvatting", "organisation": "Organisatie",
        "municipality": "Gemeente (leeg laten als Vlaanderenbreed)",
        "krachtlijnen": "Krachtlijnen (gescheiden door ;)", "sectors": "Sectoren (gescheiden door ;)",
    }
    suggestions: Suggestions | None = None
    for name, label in prompts.items():
        if not values.get(name):
            default = "" if name == "municipality" else None
            if name in ("krachtlijnen", "sectors"):
                suggestions = suggestions or offer(values)
                proposed = "; ".join(suggestions.suggested(name)) if suggestions else ""
                if proposed:
                    label, default = f"{label} [voorstel: Enter om te aanvaarden]", proposed
            answer = typer.prompt(label, default=default, show_default=default is not None and default != "")
            if answer:
                values[name] = answer
    if not values.get("region") and not values.get("municipality"):
        values["region"] = typer.prompt("Regio")
    return values


@app.command("add")
@handle_errors
def add_cmd(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Option(help="Titel")] = None,
    summary: Annotated[str | None, typer.Option(help="Korte samenvatting")] = None,
    organisation: Annotated[str | None, typer.Option(help="Organisatie")] = None,
    region: Annotated[str | None, typer.Option("--region", "--regio", help="Regio")] = None,
    municipality: Annotated[str | None, typer.Option("--municipality", "--gemeente", help="Gemeente")] = None,
    krachtlijn: Annotated[list[str], typer.Option("--krachtlijn", "-k", help="Krachtlijn (herhaalbaar)")] = [],  # noqa: B006
    sector: Annotated[list[str], typer.Option("--sector", "-s", help="Sector (herhaalbaar)")] = [],  # noqa: B006
    description: Annotated[str | None, typer.Option(help="Uitgebreide beschrijving")] = None,
    target_group: Annotated[list[str], typer.Option("--target-group", "--doelgroep", help="Doelgroep (herhaalbaar)")] = [],  # noqa: B006
    theme: Annotated[list[str], typer.Option("--theme", "--thema", help="Thema (herhaalbaar)")] = [],  # noqa: B006
    website: Annotated[str | None, typer.Option(help="Website van de praktijk")] = None,
    source_url: Annotated[str | None, typer.Option("--source-url", "--bron", help="Bron (webadres)")] = None,
    contact: Annotated[str | None, typer.Option(help="Contact")] = None,
    status: Annotated[str, typer.Option(help="draft, published of archived")] = "published",
    practice_id: Annotated[str | None, typer.Option("--id", help="Id (anders gemaakt uit de titel)")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Vraag niets; fout bij ontbrekende velden")] = False,
    apply_suggestions: Annotated[bool, typer.Option(
        "--apply-suggestions", help="Vul voorgestelde krachtlijnen, sectoren en regio aan (nooit iets weg)")] = False,
) -> None:
    """Voeg één praktijk toe; ontbrekende velden worden gevraagd, met voorgestelde tags."""
    context = get_context(ctx)
    values: dict[str, Any] = {
        "id": practice_id, "title": title, "summary": summary, "organisation": organisation,
        "region": region, "municipality": municipality, "krachtlijnen": krachtlijn, "sectors": sector,
        "description": description, "target_groups": target_group, "themes": theme,
        "website": website, "source_url": source_url, "contact": contact, "status": status,
    }
    values = {k: v for k, v in values.items() if v not in (None, [], "")}
    _add_practice(context, values, ask=not no_input, apply_suggestions=apply_suggestions)


def _add_practice(context: Any, values: dict[str, Any], *, ask: bool, apply_suggestions: bool) -> None:
    """Ask, validate, store, then warn about near-duplicates and offer the tags not chosen."""
    core = context.core(create=True)
    offered: dict[str, Suggestions] = {}

    def offer(current: dict[str, Any]) -> Suggestions | None:
        if "s" not in offered and _record_text(current):
            offered["s"] = core.suggester().for_text(_record_text(current))
        return offered.get("s")

    if ask:
        values = _prompt_missing(values, offer)
    if apply_suggestions and (suggestions := offer(values)):
        values = _with_suggestions(values, suggestions)
    practice = parse_practice(values, source="invoer")
    if core.operations.exists(practice.id):
        raise fail(f"er bestaat al een praktijk met id '{practice.id}'; gebruik 'praktijkbank edit {practice.id}'")
    stored = core.operations.add(practice)
    console.print(f"[green]Toegevoegd:[/] {practice.id}")
    CurationNotes(stored.duplicates).show()
    if (suggestions := offer(values)) and (additions := suggestions.additions(practice)):
        print_hint(f"Voorstel (niet toegepast): {additions_text(additions)}; "
                   f"voeg toe met 'praktijkbank edit {practice.id} --set ...' of gebruik --apply-suggestions.")


def _record_text(values: dict[str, Any]) -> str:
    parts = (values.get(k) for k in ("title", "summary", "description", "organisation", "municipality"))
    return "\n".join(str(p) for p in parts if p)


def _with_suggestions(values: dict[str, Any], suggestions: Suggestions) -> dict[str, Any]:
    """Add suggested tags (and a region when none is given); the curator's values all stay."""
    values = dict(values)
    added = []
    for kind in ("krachtlijnen", "sectors"):
        have = list(values.get(kind) or [])
        new = [key for key in suggestions.suggested(kind) if key not in have]
        if new:
            values[kind] = have + new
            added += new
    region = suggestions.region
    if region and not values.get("region") and not values.get("municipality"):
        values["region"] = region.region
        if region.municipality:
            values["municipality"] = region.municipality
        added.append(region.municipality or region.region)
    if added:
        console.print(f"Aangevuld uit voorstellen: {', '.join(added)}")
    return values


@app.command("show")
@handle_errors
def show_cmd(ctx: typer.Context, practice_id: Annotated[str, typer.Argument(metavar="ID")],
             as_json: JsonOpt = False) -> None:
    """Toon één praktijk met al haar velden."""
    practice = get_context(ctx).store().get(practice_id)
    if as_json:
        print_json(practice.model_dump(mode="json"))
    else:
        console.print(practice_panel(practice))


@app.command("list")
@handle_errors
def list_cmd(
    ctx: typer.Context,
    krachtlijn: KrachtlijnOpt = [],  # noqa: B006
    region: RegionOpt = [],  # noqa: B006
    sector: SectorOpt = [],  # noqa: B006
    status: Annotated[list[str], typer.Option("--status", help="draft, published of archived (herhaalbaar; standaard alle)")] = [],  # noqa: B006
    limit: Annotated[int | None, typer.Option(min=1, help="Hoogstens zoveel praktijken")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lijst de praktijken, met filters."""
    filters = make_filters(krachtlijn=krachtlijn, region=region, sector=sector,
                           status=status or ("draft", "published", "archived"))
    practices = get_context(ctx).store().list_practices(filters, limit=limit)
    if as_json:
        print_json([p.model_dump(mode="json") for p in practices])
    else:
        console.print(practice_table(practices, f"{len(practices)} praktijken"))


def _apply_sets(practice: Practice, assignments: list[str]) -> dict[str, Any]:
    data = practice.model_dump(mode="json")
    for assignment in assignments:
        if "=" not in assignment:
            raise fail(f"--set verwacht veld=waarde, niet '{assignment}'")
        name, value = (part.strip() for part in assignment.split("=", 1))
        if name not in Practice.model_fields or name in ("extra", "id"):
            raise fail(f"--set: onbekend of niet aanpasbaar veld '{name}'")
        data[name] = value if name not in LIST_FIELDS else [v for v in value.replace(",", ";").split(";") if v.strip()]
    return data


@app.command("edit")
@handle_errors
def edit_cmd(
    ctx: typer.Context,
    practice_id: Annotated[str, typer.Argument(metavar="ID")],
    assignments: Annotated[list[str], typer.Option("--set", help="veld=waarde (herhaalbaar); zonder --set opent $EDITOR")] = [],  # noqa: B006
    reviewed: Annotated[bool, typer.Option("--reviewed", help="Zet 'laatst nagekeken' op vandaag")] = False,
) -> None:
    """Pas een praktijk aan met --set, of in je editor."""
    core = get_context(ctx).core()
    practice = core.store.get(practice_id)
    if assignments or reviewed:
        data = _apply_sets(practice, assignments)
    else:
        original = yaml.safe_dump(practice.model_dump(mode="json", exclude={"extra"}),
                                  allow_unicode=True, sort_keys=False)
        edited = click.edit(original, extension=".yaml")
        if edited is None or edited == original:
            console.print("Niets gewijzigd.")
            return
        try:
            data = yaml.safe_load(edited)
        except yaml.YAMLError as e:
            raise fail(f"ongeldige YAML, niets opgeslagen: {e}") from e
        if isinstance(data, dict):
            data["extra"] = practice.extra
    if reviewed:
        data["last_reviewed"] = dt.date.today().isoformat()
    if isinstance(data, dict) and data.get("id", practice_id) != practice_id:
        raise fail("het id kan niet gewijzigd worden; voeg een nieuwe praktijk toe en verwijder de oude")
    try:
        updated = parse_practice(data, source=practice_id)
    except InvalidRecord as e:
        raise fail(f"niets opgeslagen: {e}") from e
    stored = core.operations.save(updated)
    console.print("[green]Bijgewerkt.[/]" if stored.changed else "Niets gewijzigd.")


@app.command("remove")
@handle_errors
def remove_cmd(
    ctx: typer.Context,
    practice_id: Annotated[str, typer.Argument(metavar="ID")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Niet om bevestiging vragen")] = False,
) -> None:
    """Verwijder een praktijk uit de catalogus en de zoekindex."""
    core = get_context(ctx).core()
    practice = core.store.get(practice_id)
    if not yes and not typer.confirm(f"'{practice.title}' verwijderen?"):
        raise typer.Exit(1)
    core.operations.remove(practice_id)
    console.print(f"[green]Verwijderd:[/] {practice_id}")


def _csv_row(data: dict[str, Any]) -> dict[str, Any]:
    row = dict(data)
    for name in LIST_FIELDS:
        row[name] = "; ".join(row[name])
    row["extra"] = json.dumps(row["extra"], ensure_ascii=False) if row["extra"] else ""
    # Drafts come from anonymous submissions: no cell may reach a spreadsheet as a formula.
    return {k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()}


@app.command("export")
@handle_errors
def export_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl of csv")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Bestand (standaard: stdout)")] = None,
    status: Annotated[list[str], typer.Option("--status", help="Alleen deze status (herhaalbaar)")] = [],  # noqa: B006
) -> None:
    """Exporteer de catalogus als JSONL of CSV (opnieuw in te lezen met ingest)."""
    if fmt not in ("jsonl", "csv"):
        raise fail(f"--format: kies jsonl of csv, niet '{fmt}'")
    filters = make_filters(status=status or ("draft", "published", "archived"))
    practices = get_context(ctx).store().list_practices(filters)
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "jsonl":
            for p in practices:
                out.write(json.dumps(p.model_dump(mode="json"), ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=list(Practice.model_fields))
            writer.writeheader()
            for p in practices:
                writer.writerow(_csv_row(p.model_dump(mode="json")))
    finally:
        if output:
            out.close()
    if output:
        err_console.print(f"{len(practices)} praktijken geëxporteerd naar {output}")


@app.command("stats")
@handle_errors
def stats_cmd(
    ctx: typer.Context,
    heatmap: Annotated[Path | None, typer.Option(
        "--heatmap", help="PNG met de dekking per krachtlijn en regio (standaard dekking.png in de "
                          "map van de catalogus)")] = None,
    no_heatmap: Annotated[bool, typer.Option("--no-heatmap", help="Geen PNG maken")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Tel de gepubliceerde praktijken per krachtlijn, regio en sector, en toon de dekking."""
    context = get_context(ctx)
    store = context.store()
    filters = make_filters()
    counts = store.tag_counts(filters)
    total = store.count(filters)
    by_status = {s: store.count(make_filters(status=[s])) for s in ("draft", "published", "archived")}
    coverage = coverage_of(store)
    png = None if no_heatmap else write_heatmap(coverage, heatmap or context.settings.home / "dekking.png")
    if as_json:
        print_json({"total": total, "by_status": by_status,
                    **{kind: counts[kind] for kind in FACET_KINDS},
                    "coverage": coverage.as_dict(), "heatmap": str(png) if png else None})
        return
    console.print(f"{total} gepubliceerde praktijken ({by_status['draft']} kladversies, "
                  f"{by_status['archived']} gearchiveerd)")
    console.print(counts_table(counts))
    console.print(coverage_table(coverage))
    console.print(theme_table(coverage))
    thin = ", ".join(f"{KRACHTLIJNEN.label(k)} in {REGIONS.label(r)} ({n})" for k, r, n in coverage.thinnest(3))
    console.print(f"Het dunst bezet: {thin}.")
    if png:
        console.print(f"Heatmap: {png}")
