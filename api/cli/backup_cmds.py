"""Backups of the catalogue: a consistent copy while serving, and a checked restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.context import console, get_context, handle_errors

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
) -> None:
    """Zet een back-up terug (vervangt de hele catalogus) en breng de zoekindex in lijn."""
    context = get_context(ctx)
    store = context.store(create=True)
    if not yes and not typer.confirm(
            f"De catalogus ({store.count()} praktijken) wordt vervangen door {path}. Doorgaan?"):
        raise typer.Exit(1)
    count = store.restore(path)
    report = context.engine().repair()
    console.print(f"[green]Hersteld:[/] {count} praktijken uit {path}; zoekindex: {report.total} vectoren "
                  f"({report.added} opnieuw ingebed, {report.removed} verwijderd).")
