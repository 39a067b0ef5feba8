"""Rendering for the curator tools: suggestions, duplicate warnings, coverage table and heatmap."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from api.cli.context import console, err_console
from catalogue.coverage import Coverage
from catalogue.model import Practice
from catalogue.review import StaleItem
from catalogue.vocab import KRACHTLIJNEN, REGIONS
from search.curation.duplicates import DuplicateMatch
from search.curation.suggest import LabelScore, Suggestions

KIND_NAMES = {"krachtlijnen": "krachtlijn", "sectors": "sector"}


def _bar(confidence: float, width: int = 10) -> str:
    filled = round(confidence * width)
    return "█" * filled + "░" * (width - filled)


def suggestions_table(suggestions: Suggestions, current: Practice | None = None, *, title: str = "") -> Table:
    """Every label with its confidence; suggested ones marked, and what the practice already has."""
    table = Table(title=title or "Voorgestelde tags")
    table.add_column("soort")
    table.add_column("waarde")
    table.add_column("zekerheid")
    table.add_column("voorstel", justify="center")
    if current is not None:
        table.add_column("gekozen", justify="center")
    for kind in ("krachtlijnen", "sectors"):
        chosen = set(getattr(current, kind)) if current is not None else set()
        for score in getattr(suggestions, kind):
            if kind == "sectors" and not score.suggested and score.key not in chosen and score.confidence < 0.1:
                continue  # the long tail of unlikely sectors only adds noise
            row = [KIND_NAMES[kind], score.label, f"{_bar(score.confidence)} {score.confidence:.2f}",
                   "[green]✓[/]" if score.suggested else ""]
            if current is not None:
                row.append("●" if score.key in chosen else "")
            table.add_row(*row)
        table.add_section()
    return table


def region_line(suggestions: Suggestions) -> str:
    """The region found in the text, as plain text (no markup)."""
    guess = suggestions.region
    if guess is None:
        return "Regio: geen Vlaamse of Brusselse plaats gevonden in de tekst."
    place = f" — gemeente {guess.municipality}" if guess.municipality else ""
    named = f" (genoemd: {', '.join(guess.municipalities[:6])})" if guess.municipalities else ""
    return f"Regio: {guess.label}{place}, zekerheid {guess.confidence:.2f}{named}"


def additions_text(additions: dict[str, list[LabelScore]]) -> str:
    """'krachtlijn procesmatig (0.72), sector wonen (0.66)'."""
    return ", ".join(f"{KIND_NAMES[kind]} {s.key} ({s.confidence:.2f})"
                     for kind, scores in additions.items() for s in scores)


def print_duplicates(matches: Sequence[DuplicateMatch]) -> None:
    """One warning per suspected pair, on stderr so scripts can still read stdout."""
    for m in matches:
        err_console.print(f"[yellow]Let op:[/] {escape(m.practice_id)}: {escape(m.message)} — "
                          f"'{escape(m.other_title)}'. Er wordt niets samengevoegd.",
                          highlight=False, soft_wrap=True)


def duplicates_table(matches: Sequence[DuplicateMatch]) -> Table:
    table = Table(title=f"{len(matches)} mogelijke dubbels")
    table.add_column("praktijk", style="cyan", overflow="fold")
    table.add_column("lijkt op", style="cyan", overflow="fold")
    table.add_column("titel")
    table.add_column("gelijkenis", justify="right")
    for m in matches:
        table.add_row(escape(m.practice_id), escape(m.other_id), escape(m.other_title), f"{m.similarity:.3f}")
    return table


def coverage_table(coverage: Coverage) -> Table:
    """Krachtlijn x region counts; empty cells in red, thin ones (1) in yellow."""
    table = Table(title=f"Dekking: {coverage.total} praktijken per krachtlijn en regio")
    table.add_column("krachtlijn", no_wrap=True)
    for region in coverage.regions:
        table.add_column(REGIONS.label(region).replace("-", "-\n"), justify="right")
    table.add_column("totaal", justify="right", style="bold")
    for k, row in zip(coverage.krachtlijnen, coverage.matrix(), strict=False):
        cells = [f"[red]{n}[/]" if n == 0 else f"[yellow]{n}[/]" if n == 1 else str(n) for n in row]
        table.add_row(KRACHTLIJNEN.label(k).removesuffix(" werken"), *cells, str(coverage.per_krachtlijn[k]))
    table.add_section()
    table.add_row("praktijken", *(str(coverage.per_region[r]) for r in coverage.regions), str(coverage.total),
                  style="bold")
    return table


def theme_table(coverage: Coverage) -> Table:
    """Practices per theme; themes with fewer than 2 in red."""
    from catalogue.coverage import load_themes

    table = Table(title="Dekking per thema")
    table.add_column("thema")
    table.add_column("praktijken", justify="right")
    for theme in load_themes():
        n = coverage.per_theme.get(theme.key, 0)
        table.add_row(theme.label, f"[red]{n}[/]" if n < 2 else str(n))
    return table


def write_heatmap(coverage: Coverage, path: Path) -> Path:
    """A PNG heatmap of the krachtlijn x region counts (matplotlib, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matrix = coverage.matrix()
    figure = Figure(figsize=(9, 4), dpi=120, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    image = ax.imshow(matrix, cmap="YlGnBu", aspect="auto", vmin=0)
    ax.set_xticks(range(len(coverage.regions)), [REGIONS.label(r) for r in coverage.regions],
                  rotation=30, ha="right")
    ax.set_yticks(range(len(coverage.krachtlijnen)), [KRACHTLIJNEN.label(k) for k in coverage.krachtlijnen])
    top = max((n for row in matrix for n in row), default=0)
    for i, row in enumerate(matrix):
        for j, n in enumerate(row):
            ax.text(j, i, str(n), ha="center", va="center", color="white" if n > top / 2 else "black")
    ax.set_title(f"Praktijken per krachtlijn en regio ({coverage.total} gepubliceerd)")
    figure.colorbar(image, ax=ax, label="aantal praktijken")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def stale_table(items: Sequence[StaleItem], cutoff: Any) -> Table:
    table = Table(title=f"{len(items)} praktijken om na te kijken (niet nagekeken sinds {cutoff})")
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("titel")
    table.add_column("laatst nagekeken")
    table.add_column("dagen geleden", justify="right")
    for item in items:
        p = item.practice
        table.add_row(escape(p.id), escape(p.title), str(p.last_reviewed or "[red]nooit[/]"),
                      "-" if item.days is None else str(item.days))
    return table


def print_hint(message: str) -> None:
    console.print(f"[dim]{escape(message)}[/]", highlight=False, soft_wrap=True)
