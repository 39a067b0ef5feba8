"""The `praktijkbank` command: the curator's tool for the catalogue and its search index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli import dutch

dutch.install()  # before the commands are built: typer reads some of its words at definition

from api.cli import (  # noqa: E402
    admin_cmds,
    backup_cmds,
    catalogue_cmds,
    curation_cmds,
    db_cmds,
    migrate_cmds,
    search_cmds,
)
from api.cli.context import Context, console, get_context, handle_errors  # noqa: E402
from catalogue.settings import Settings  # noqa: E402

app = typer.Typer(
    name="praktijkbank",
    help="Praktijkbank: beheer en doorzoek de catalogus van inspirerende sociaalwerkpraktijken.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(catalogue_cmds.app)
app.add_typer(search_cmds.app)
app.add_typer(backup_cmds.app)
app.add_typer(migrate_cmds.app)
app.add_typer(curation_cmds.app)
app.add_typer(admin_cmds.keys_app, name="keys")
app.add_typer(admin_cmds.submissions_app, name="submissions")
app.add_typer(db_cmds.app, name="db")


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[Path | None, typer.Option("--home", envvar="PRAKTIJKBANK_HOME",
                                              help="Map van de catalogus (standaard ~/.local/share/praktijkbank)")] = None,
) -> None:
    """Bouw de instellingen één keer op, voor alle commando's."""
    settings = Settings(home=home) if home else Settings()
    context = Context(settings=settings)
    ctx.obj = context
    ctx.call_on_close(context.close)


@app.command("init")
@handle_errors
def init_cmd(ctx: typer.Context) -> None:
    """Maak een lege catalogus aan (of controleer een bestaande)."""
    context = get_context(ctx)
    store = context.store(create=True)
    console.print(f"Catalogus klaar in {context.settings.home} ({store.count()} praktijken).")


@app.command("serve")
@handle_errors
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Adres om op te luisteren")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Poort")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Aantal serverprocessen; meer dan één helpt alleen met vrije processorkernen "
        "(BENCHMARKS.md)")] = 1,
) -> None:
    """Start de zoekpagina en de API (uvicorn)."""
    from api.http.server import serve

    context = get_context(ctx)
    context.store(create=True)
    processes = f", {workers} serverprocessen" if workers > 1 else ""
    console.print(f"Praktijkbank op http://{host}:{port}/  (API-documentatie: /docs{processes})")
    serve(context.settings, host=host, port=port, workers=workers)


if __name__ == "__main__":  # pragma: no cover
    app()
