"""Curator commands for API keys and practitioners' submissions."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.context import console, get_context, handle_errors
from api.cli.render import practice_table, print_json
from catalogue.errors import NotADraft
from catalogue.keys import KeyStore
from catalogue.model import Status
from catalogue.store import make_filters
from ingest.pipeline import store_practices

keys_app = typer.Typer(help="API-sleutels voor schrijven via de API.", no_args_is_help=True)
submissions_app = typer.Typer(help="Inzendingen van praktijkwerkers (kladversies).", no_args_is_help=True)


@keys_app.command("create")
@handle_errors
def keys_create(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Voor wie of waarvoor")]) -> None:
    """Maak een sleutel; hij wordt één keer getoond en alleen als hash bewaard."""
    key = KeyStore(get_context(ctx).store(create=True)).create(name)
    console.print("Nieuwe API-sleutel (bewaar hem nu, hij wordt niet meer getoond):")
    print(key)


@keys_app.command("list")
@handle_errors
def keys_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Toon de sleutels (zonder geheim)."""
    keys = KeyStore(get_context(ctx).store()).list()
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
    KeyStore(get_context(ctx).store()).revoke(key_id)
    console.print(f"Sleutel {key_id} ingetrokken.")


@submissions_app.command("list")
@handle_errors
def submissions_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Toon de kladversies die wachten op een curator."""
    drafts = get_context(ctx).store().list(make_filters(status=["draft"]))
    if as_json:
        print_json([p.model_dump(mode="json") for p in drafts])
    else:
        console.print(practice_table(drafts, f"{len(drafts)} inzendingen"))


def _draft(ctx: typer.Context, practice_id: str):
    practice = get_context(ctx).store().get(practice_id)
    if practice.status != Status.draft:
        raise NotADraft(practice_id, practice.status)
    return practice


@submissions_app.command("publish")
@handle_errors
def submissions_publish(ctx: typer.Context, practice_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Publiceer een kladversie: ze verschijnt dan in de zoekresultaten."""
    context = get_context(ctx)
    draft = _draft(ctx, practice_id)
    store_practices(context.store(), [draft.model_copy(update={"status": Status.published})],
                    indexer=context.engine().updater())
    console.print(f"[green]Gepubliceerd:[/] {practice_id}")


@submissions_app.command("reject")
@handle_errors
def submissions_reject(ctx: typer.Context, practice_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Wijs een kladversie af (ze wordt verwijderd)."""
    _draft(ctx, practice_id)
    get_context(ctx).engine().remove(practice_id)
    console.print(f"Afgewezen en verwijderd: {practice_id}")
