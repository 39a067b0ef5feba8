"""Search commands: search, similar, reindex and check."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from api.cli.catalogue_cmds import JsonOpt, KrachtlijnOpt, RegionOpt, SectorOpt
from api.cli.context import console, err_console, get_context, handle_errors
from api.cli.progress import Meter
from api.cli.render import print_json
from catalogue.store import make_filters
from search.service import Hit, SearchResult
from search.snippets import Snippet

app = typer.Typer()


def hit_json(hit: Hit) -> dict[str, Any]:
    p = hit.practice
    return {"id": p.id, "title": p.title, "score": round(hit.score, 6), "summary": p.summary,
            "snippet": hit.snippet.text, "highlights": hit.snippet.highlights,
            "region": p.region, "sectors": p.sectors, "krachtlijnen": p.krachtlijnen}


def _marked(snippet: Snippet) -> str:
    out, last = [], 0
    for start, end in snippet.highlights:
        out += [escape(snippet.text[last:start]), "[bold yellow]", escape(snippet.text[start:end]), "[/]"]
        last = end
    out.append(escape(snippet.text[last:]))
    return "".join(out)


def _print_result(result: SearchResult, query: str) -> None:
    if result.did_you_mean:
        console.print(f"Bedoelde je: [bold]{escape(result.did_you_mean)}[/]? Daarmee is gezocht.")
    if not result.hits:
        console.print("Geen resultaten.")
        return
    title = f"{result.total} resultaten ({result.mode})"
    if result.match == "nearest":
        title = f"Geen praktijk gaat precies over '{escape(query)}'. Deze liggen het dichtst in de buurt."
    table = Table(title=title, show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("praktijk")
    table.add_column("score", justify="right")
    offset = (result.page - 1) * result.per_page
    for i, hit in enumerate(result.hits, start=1 + offset):
        p = hit.practice
        table.add_row(str(i), f"[bold]{escape(p.title)}[/] [dim]({escape(p.id)})[/]\n{_marked(hit.snippet)}",
                      f"{hit.score:.3f}")
    console.print(table)


@app.command("search")
@handle_errors
def search_cmd(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Zoekvraag (leeg: bladeren met filters)")] = "",
    krachtlijn: KrachtlijnOpt = [],  # noqa: B006
    region: RegionOpt = [],  # noqa: B006
    sector: SectorOpt = [],  # noqa: B006
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Aantal resultaten")] = 10,
    page: Annotated[int, typer.Option(min=1, help="Pagina")] = 1,
    mode: Annotated[str, typer.Option(help="hybrid, semantic of lexical")] = "hybrid",
    as_json: JsonOpt = False,
) -> None:
    """Zoek praktijken in je eigen woorden."""
    service = get_context(ctx).core().search
    filters = make_filters(krachtlijn=krachtlijn, region=region, sector=sector)
    # --json reports every facet kind; the table shows none, so it does not count them.
    result = service.search(query, filters=filters, mode=mode, page=page, per_page=limit,
                            facets=None if as_json else ())
    if as_json:
        print_json({"query": query, "mode": result.mode, "total": result.total, "page": result.page,
                    "per_page": result.per_page, "results": [hit_json(h) for h in result.hits],
                    "facets": result.facets, "match": result.match, "did_you_mean": result.did_you_mean})
    else:
        _print_result(result, query)


@app.command("similar")
@handle_errors
def similar_cmd(
    ctx: typer.Context,
    practice_id: Annotated[str, typer.Argument(metavar="ID")],
    krachtlijn: KrachtlijnOpt = [],  # noqa: B006
    region: RegionOpt = [],  # noqa: B006
    sector: SectorOpt = [],  # noqa: B006
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Toon praktijken die op deze praktijk lijken."""
    service = get_context(ctx).core().search
    filters = make_filters(krachtlijn=krachtlijn, region=region, sector=sector)
    hits = service.similar(practice_id, filters=filters, limit=limit)
    if as_json:
        print_json({"id": practice_id, "results": [hit_json(h) for h in hits]})
        return
    table = Table(title=f"Lijkt op {practice_id}")
    table.add_column("praktijk")
    table.add_column("gelijkenis", justify="right")
    for hit in hits:
        table.add_row(f"{escape(hit.practice.title)} [dim]({hit.practice.id})[/]", f"{hit.score:.3f}")
    console.print(table)


@app.command("reindex")
@handle_errors
def reindex_cmd(ctx: typer.Context) -> None:
    """Herbouw de volledige-tekstindex en de zoekindex uit de catalogus."""
    core = get_context(ctx).core()
    with Meter("Inbedden", console=err_console, total=len(core.store.index_entries())) as meter:
        report = core.indexing.reindex(progress=meter.advance)
    console.print(f"[green]Zoekindex herbouwd:[/] {report.total} praktijken met {core.embedder.name}.")


@app.command("check")
@handle_errors
def check_cmd(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="Breng de indexen weer in lijn met de catalogus")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Controleer of de volledige-tekstindex en de zoekindex overeenkomen met de catalogus."""
    indexing = get_context(ctx).core().indexing
    report = indexing.check()
    if repair and not report.ok:
        indexing.repair()
        after = indexing.check()
        if not as_json:
            console.print("[yellow]Hersteld.[/]" if after.ok else "[red]Herstel mislukt.[/]")
        report = after
    if as_json:
        print_json({"ok": report.ok, "practices": report.practices, "published": report.published,
                    "fts_rows": report.fts_rows, "index_count": report.index_count,
                    "index_embedder": report.index_embedder,
                    "configured_embedder": report.configured_embedder, "problems": report.problems})
    else:
        console.print(f"Catalogus: {report.practices} praktijken, {report.published} gepubliceerd")
        console.print(f"Volledige-tekstindex: {report.fts_rows} rijen")
        console.print(f"Zoekindex: {report.index_count if report.index_count is not None else '-'} vectoren "
                      f"({report.index_embedder or '-'}); ingestelde embedder: {report.configured_embedder}")
        for problem in report.problems:
            console.print(f"[red]✗[/] {escape(problem)}")
        if report.ok:
            console.print("[green]Alles in orde.[/]")
    if not report.ok:
        raise typer.Exit(1)
