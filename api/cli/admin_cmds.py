"""Curator commands for API keys and practitioners' submissions."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.context import console, get_context, handle_errors
from api.cli.render import practice_table, print_json

keys_app = typer.Typer(help="API-sleutels voor schrijven via de API.", no_args_is_help=True)
submissions_app = typer.Typer(help="Inzendingen van praktijkwerkers (kladversies).", no_args_is_help=True)


@keys_app.command("create")
@handle_errors
def keys_create(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Voor wie of waarvoor")]) -> None:
    """Maak een sleutel; hij wordt één keer getoond en alleen als hash bewaard."""
    key = get_context(ctx).core(create=True).keys.create(name)
    console.print("Nieuwe API-sleutel (bewaar hem nu, hij wordt niet meer getoond):")
    print(key)


@keys_app.command("list")
@handle_errors
def keys_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Toon de sleutels (zonder geheim)."""
    keys = get_context(ctx).core().keys.list_keys()
    if as_json:
        print_json([k.__dict__ for k in keys])
        return
    table = Table(title="API-sleutels")
    for column in ("id", "naam", "aangemaakt", "ingetrokken"):
        table.add_column(column)
    for k in keys:
        table.add_row(k.key_id, k.name, k.created, k.revoked or "-")
    console.print(table)


@keys_app.command("revoke")
@handle_errors
def keys_revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Trek een sleutel in."""
    get_context(ctx).core().keys.revoke(key_id)
    console.print(f"Sleutel {key_id} ingetrokken.")


@submissions_app.command("list")
@handle_errors
def submissions_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Toon de kladversies die wachten op een curator."""
    drafts = get_context(ctx).core().operations.drafts()
    if as_json:
        print_json([p.model_dump(mode="json") for p in drafts])
    else:
        console.print(practice_table(drafts, f"{len(drafts)} inzendingen"))


@submissions_app.command("publish")
@handle_errors
def submissions_publish(ctx: typer.Context, practice_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Publiceer een kladversie: ze verschijnt dan in de zoekresultaten."""
    get_context(ctx).core().operations.publish(practice_id)
    console.print(f"[green]Gepubliceerd:[/] {practice_id}")


@submissions_app.command("reject")
@handle_errors
def submissions_reject(ctx: typer.Context, practice_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Wijs een kladversie af (ze wordt verwijderd)."""
    get_context(ctx).core().operations.reject(practice_id)
    console.print(f"Afgewezen en verwijderd: {practice_id}")
