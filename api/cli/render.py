"""Rendering for the CLI: rich tables and panels for people, JSON for scripts."""

from __future__ import annotations

import json
from typing import Any

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from api.cli.context import console
from catalogue.model import Practice
from catalogue.vocab import KRACHTLIJNEN, REGIONS, SECTORS, VOCABULARIES
from ingest.pipeline import IngestReport


def print_json(data: Any) -> None:
    """JSON on stdout, unstyled, for scripts."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def practice_table(practices: list[Practice], title: str = "") -> Table:
    table = Table(title=title or None, show_lines=False)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("titel")
    table.add_column("regio")
    table.add_column("krachtlijnen")
    table.add_column("status")
    for p in practices:
        table.add_row(escape(p.id), escape(p.title), REGIONS.label(p.region),
                      ", ".join(p.krachtlijnen), p.status)
    return table


def practice_panel(p: Practice) -> Panel:
    lines = [
        f"[bold]{escape(p.title)}[/]  [dim]({escape(p.id)})[/]",
        "",
        escape(p.summary),
        "",
        f"[bold]Organisatie:[/] {escape(p.organisation)}",
        f"[bold]Regio:[/] {REGIONS.label(p.region)}"
        + (f" — {escape(p.municipality)}" if p.municipality else ""),
        f"[bold]Krachtlijnen:[/] {', '.join(KRACHTLIJNEN.label(k) for k in p.krachtlijnen)}",
        f"[bold]Sectoren:[/] {', '.join(SECTORS.label(s) for s in p.sectors)}",
    ]
    if p.target_groups:
        lines.append(f"[bold]Doelgroepen:[/] {escape(', '.join(p.target_groups))}")
    if p.themes:
        lines.append(f"[bold]Thema's:[/] {escape(', '.join(p.themes))}")
    for label, value in (("Website", p.website), ("Bron", p.source_url), ("Contact", p.contact)):
        if value:
            lines.append(f"[bold]{label}:[/] {escape(value)}")
    lines.append(
        f"[bold]Status:[/] {p.status}   [dim]aangemaakt {p.created or '-'}, bijgewerkt "
        f"{p.updated or '-'}, nagekeken {p.last_reviewed or '-'}[/]"
    )
    if p.description:
        lines += ["", escape(p.description)]
    return Panel("\n".join(lines), expand=False)


def print_report(report: IngestReport) -> None:
    verb = "Zou" if report.dry_run else ""
    if report.strict_aborted:
        console.print("[bold red]--strict: niets opgeslagen omdat er afgekeurde records zijn.[/]")
    for rejection in report.rejected:
        console.print(f"[red]✗[/] {escape(str(rejection))}", highlight=False, soft_wrap=True)
    for skipped in report.skipped:
        console.print(f"[dim]overgeslagen: {escape(skipped.source)} ({skipped.reason})[/]",
                      highlight=False)
    table = Table(title=("Proefdraai (--dry-run): niets opgeslagen" if report.dry_run else None))
    table.add_column("bestanden", justify="right")
    table.add_column("records", justify="right")
    table.add_column(f"{verb} toegevoegd".strip(), justify="right", style="green")
    table.add_column("bijgewerkt", justify="right", style="yellow")
    table.add_column("ongewijzigd", justify="right")
    table.add_column("afgekeurd", justify="right", style="red")
    rejected_records = len({(r.source, r.locator) for r in report.rejected})
    table.add_row(str(report.files), str(report.records), str(len(report.added)),
                  str(len(report.updated)), str(len(report.unchanged)), str(rejected_records))
    console.print(table)


def counts_table(counts: dict[str, dict[str, int]]) -> Table:
    table = Table(title="Praktijken per krachtlijn, regio en sector")
    table.add_column("soort")
    table.add_column("waarde")
    table.add_column("aantal", justify="right")
    names = {"krachtlijn": "krachtlijn", "region": "regio", "sector": "sector"}
    for kind, values in counts.items():
        vocab = VOCABULARIES[kind]
        for key in vocab.keys:
            table.add_row(names[kind], vocab.label(key), str(values.get(key, 0)))
        table.add_section()
    return table
