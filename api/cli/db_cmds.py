"""`praktijkbank db`: an embedded PostgreSQL server in a folder of the catalogue home."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from api.cli.context import console, get_context, handle_errors
from catalogue.postgres import server

app = typer.Typer(help="Een ingebouwde PostgreSQL-server (voor ontwikkeling, tests en één machine).",
                  no_args_is_help=True)

FolderOption = Annotated[Path | None, typer.Option(
    "--folder", help="Map van de server (standaard de map 'postgres' in de catalogusmap)")]


def _folder(ctx: typer.Context, folder: Path | None) -> Path:
    return folder if folder is not None else server.default_folder(get_context(ctx).settings.home)


@app.command("start")
@handle_errors
def start_cmd(ctx: typer.Context, folder: FolderOption = None) -> None:
    """Start de server (de eerste keer wordt de map aangemaakt); de laatste regel is de URL.

    De server blijft draaien tot 'praktijkbank db stop', ook nadat dit commando klaar is."""
    where = _folder(ctx, folder)
    began = time.monotonic()
    running, started = server.start(where)
    if started:
        console.print(f"PostgreSQL gestart in {where} ({time.monotonic() - began:.1f} s, pid {running.pid}).")
    else:
        console.print(f"PostgreSQL draaide al in {where} (pid {running.pid}).")
    print(running.url())  # plain, unwrapped: scripts take the last line


@app.command("stop")
@handle_errors
def stop_cmd(ctx: typer.Context, folder: FolderOption = None) -> None:
    """Stop de server (lopende verbindingen worden afgesloten, de gegevens blijven bewaard)."""
    where = _folder(ctx, folder)
    began = time.monotonic()
    if server.stop(where):
        console.print(f"PostgreSQL gestopt in {where} ({time.monotonic() - began:.1f} s).")
    else:
        console.print(f"Er draaide geen PostgreSQL in {where}.")


@app.command("status")
@handle_errors
def status_cmd(ctx: typer.Context, folder: FolderOption = None) -> None:
    """Toon of de server draait, en zo ja zijn URL (laatste regel); afsluitcode 1 als hij niet draait."""
    where = _folder(ctx, folder)
    running = server.status(where)
    if running is None:
        console.print(f"PostgreSQL draait niet in {where}. Start hem met 'praktijkbank db start'.")
        raise typer.Exit(1)
    console.print(f"PostgreSQL draait in {where} (pid {running.pid}).")
    print(running.url())
