"""What every CLI command shares: settings built once, the store and the index opened lazily."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from api.core import Praktijkbank
from catalogue.errors import PraktijkbankError
from catalogue.settings import Settings
from catalogue.store import PracticeStore

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    """Per-invocation state, stored on typer's context object: the composition root, built on
    first use (the model itself loads only when a command embeds)."""

    settings: Settings
    _core: Praktijkbank | None = field(default=None, repr=False)

    def core(self, *, create: bool = False) -> Praktijkbank:
        if self._core is None:
            self._core = Praktijkbank.from_settings(self.settings, create=create)
        return self._core

    def store(self, *, create: bool = False) -> PracticeStore:
        return self.core(create=create).store

    def close(self) -> None:
        if self._core is not None:
            self._core.close()


def get_context(ctx: typer.Context) -> Context:
    context: Context = ctx.find_root().obj
    return context


def has_terminal() -> bool:
    """Whether a person is there to answer: stdin and stdout are terminals (not a pipe or a cron job)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]Fout:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Print service errors as 'Fout: ...' on stderr and exit non-zero, without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PraktijkbankError as e:
            raise fail(str(e)) from e
        except KeyboardInterrupt:
            err_console.print("Onderbroken.")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
