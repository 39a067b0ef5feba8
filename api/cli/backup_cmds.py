"""Backups of the catalogue: a consistent copy while serving, and a checked restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.context import console, get_context, handle_errors
from catalogue.store import RestoreResult

app = typer.Typer()


@app.command("backup")
@handle_errors
def backup_cmd(ctx: typer.Context, path: Annotated[Path, typer.Argument(help="Bestand voor de back-up")]) -> None:
    """Maak een back-up van de catalogus (veilig terwijl de server draait)."""
    count = get_context(ctx).store().backup(path)
    console.print(f"[green]Back-up gemaakt:[/] {path} ({count} praktijken).")


@app.command("restore")
@handle_errors
def restore_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Een back-up gemaakt met 'praktijkbank backup'")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Niet om bevestiging vragen")] = False,
    with_keys: Annotated[bool, typer.Option(
        "--with-keys", help="Zet ook de API-sleutels uit de back-up terug (standaard blijven de huidige)")] = False,
) -> None:
    """Zet een back-up terug (vervangt de hele catalogus) en breng de zoekindex in lijn.

    De back-up wordt eerst volledig gecontroleerd; is er iets mis, dan blijft alles zoals het was."""
    context = get_context(ctx)
    store = context.store(create=True)
    if not yes and not typer.confirm(
            f"De catalogus ({store.count()} praktijken) wordt vervangen door {path}. Doorgaan?"):
        raise typer.Exit(1)
    result = store.restore(path, with_keys=with_keys)
    report = context.core().indexing.repair()
    console.print(f"[green]Hersteld:[/] {result.practices} praktijken uit {path}; zoekindex: {report.total} "
                  f"vectoren ({report.added} opnieuw ingebed, {report.removed} verwijderd).")
    console.print(_keys_message(result))


def _keys_message(result: RestoreResult) -> str:
    if result.with_keys:
        return (f"API-sleutels: de {result.keys_in_backup} uit de back-up teruggezet; "
                "sleutels van na de back-up werken niet meer.")
    return (f"API-sleutels: de {result.keys_kept} huidige behouden; de {result.keys_in_backup} uit de back-up "
            "niet teruggezet (--with-keys om ze terug te zetten).")
