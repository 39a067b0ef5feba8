"""`praktijkbank migrate`: the catalogue from SQLite into PostgreSQL or back, without embedding again."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from api.cli.context import console, err_console, fail, get_context, handle_errors
from api.cli.progress import Meter
from api.compare import SEARCHES, STATUS_LABELS, STATUSES
from api.migrate import MigrationReport, migrate_from_postgres, migrate_to_postgres

app = typer.Typer()

_SCHEMES = ("postgresql://", "postgres://")


@app.command("migrate")
@handle_errors
def migrate_cmd(
    ctx: typer.Context,
    to_url: Annotated[str | None, typer.Option(
        "--to", metavar="URL", help="Kopieer de SQLite-catalogus van PRAKTIJKBANK_HOME naar deze PostgreSQL-database")] = None,
    from_url: Annotated[str | None, typer.Option(
        "--from", metavar="URL", help="Kopieer deze PostgreSQL-database naar de SQLite-catalogus van PRAKTIJKBANK_HOME")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Vervang een doel dat al praktijken of API-sleutels bevat (standaard: weigeren)")] = False,
    searches: Annotated[int, typer.Option(
        "--searches", min=0, max=50, help="Zoekvragen uit de catalogus die na het kopiëren op beide kanten "
        "vergeleken worden (0: geen)")] = SEARCHES,
) -> None:
    """Kopieer de hele catalogus van SQLite naar PostgreSQL (--to) of van PostgreSQL naar SQLite (--from), zonder opnieuw in te bedden.

    Alle praktijken gaan mee (ook kladversies en inzendingen, met hun id's en datums), de API-sleutels (een ingetrokken sleutel blijft ingetrokken) en de vectoren; alleen praktijken waarvan de vectoren achterlopen of ontbreken worden opnieuw ingebed. --to leest de SQLite-catalogus van PRAKTIJKBANK_HOME, --from schrijft erin.

    Het doel moet leeg zijn, tenzij --overwrite. Lukt het kopiëren niet, dan blijft het doel zoals het was. Daarna worden beide kanten geteld en dezelfde zoekvragen op beide uitgevoerd. Afsluitcode 1: een fout of verschillende tellingen; 2: gekopieerd, maar een zoekvraag geeft een andere top 10."""
    if (to_url is None) == (from_url is None):
        raise fail("geef precies één van --to URL of --from URL.")
    url = to_url or from_url or ""
    if not url.startswith(_SCHEMES):
        raise fail(f"'{url}' is geen PostgreSQL-URL; ze begint met postgresql://.")
    settings = get_context(ctx).settings
    run = migrate_to_postgres if to_url else migrate_from_postgres
    with Meter("Kopiëren", console=err_console) as meter:
        report = run(settings, url, overwrite=overwrite, searches=searches, progress=meter.update)
    _show(report)
    if not report.verification.counts_match:
        raise fail("de tellingen van bron en doel verschillen (zie hierboven).")
    if report.verification.mismatches:
        raise typer.Exit(2)


def _show(report: MigrationReport) -> None:
    copied, checked = report.copied, report.verification
    console.print(f"[green]Gekopieerd[/] van {escape(report.source_name)} naar {escape(report.target_name)}: "
                  f"{copied.practices} praktijken en {copied.keys} API-sleutels; vectoren: {copied.vectors_copied} "
                  f"overgenomen, {copied.embedded} opnieuw ingebed.", soft_wrap=True)
    table = Table(title="Tellingen na het kopiëren")
    for column in ("", "bron", "doel"):
        table.add_column(column, justify="left" if not column else "right")
    rows: list[tuple[str, int | None, int | None, bool]] = [
        (STATUS_LABELS[status], checked.source.statuses[status], checked.target.statuses[status],
         checked.source.statuses[status] == checked.target.statuses[status]) for status in STATUSES]
    published = checked.target.statuses["published"]
    rows += [("API-sleutels", checked.source.keys, checked.target.keys, checked.source.keys == checked.target.keys),
             ("  waarvan ingetrokken", checked.source.revoked, checked.target.revoked,
              checked.source.revoked == checked.target.revoked),
             # the source's vectors may lag; the target needs one per published practice
             ("vectoren", checked.source.vectors, checked.target.vectors, (checked.target.vectors or 0) == published)]
    for label, source, target, fine in rows:
        table.add_row(label, _number(source), _number(target) + ("" if fine else " [red]≠[/]"))
    console.print(table)
    if not checked.searches:
        return
    if not checked.mismatches:
        console.print(f"Zoekvragen: {len(checked.searches)} op beide kanten uitgevoerd, telkens dezelfde top 10.")
        return
    console.print(f"[yellow]Zoekvragen:[/] {len(checked.mismatches)} van de {len(checked.searches)} geven een "
                  "andere top 10:")
    for check in checked.mismatches:
        console.print(f"  '{escape(check.query)}'\n    bron: {escape(', '.join(check.source) or '-')}\n"
                      f"    doel: {escape(', '.join(check.target) or '-')}", soft_wrap=True, highlight=False)


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)
