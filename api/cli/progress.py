"""Progress of long commands (reindex, ingest): records per second and time left.

On a terminal a rich progress bar; otherwise (a cron job, a log file) one plain line every few
seconds, so that a long run is visibly alive without flooding the log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

# Seconds between two plain progress lines.
LINE_EVERY = 5.0


class RateColumn(ProgressColumn):
    """Records per second, as rich estimates it over the last seconds."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} records/s" if speed else "", style="progress.data.speed")


def duration(seconds: float) -> str:
    """'1 u 02 min', '3 min 05 s', '12 s'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} u {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


class Meter:
    """Counts records towards a total and shows the rate and the time left.

    `advance` adds embedded records, `update` sets the count (and total) at a checkpoint; the
    count never goes past the total. The rate is measured from the first report on, so that
    reading the files first does not count as slow embedding. `reading` counts records read
    before that (a spinner, on a terminal only). Used as a context manager around the work.
    """

    def __init__(self, label: str, *, console: Console, total: int | None = None, enabled: bool = True,
                 every: float = LINE_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.console = console
        self.total = total
        self.done = 0
        self.every = every
        self.clock = clock
        self.terminal = enabled and console.is_terminal
        self.plain = enabled and not console.is_terminal
        self._bar: Progress | None = None
        self._task: Any = None
        self._read_task: Any = None
        self._first: tuple[float, int] | None = None  # (time, count) of the first report
        self._last_line = 0.0

    def __enter__(self) -> Meter:
        if self.terminal:
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 RateColumn(), TextColumn("nog"), TimeRemainingColumn(), console=self.console,
                                 transient=True)
            self._bar.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, error, tb)

    def reading(self, n: int) -> None:
        if self._bar is not None and self._task is None:
            if self._read_task is None:
                self._read_task = self._bar.add_task("Records lezen", total=None)
            self._bar.advance(self._read_task, n)

    def advance(self, n: int) -> None:
        self.update(self.done + n)

    def update(self, done: int, total: int | None = None) -> None:
        now = self.clock()
        if self._first is None:
            self._first = (now, self.done)
            self._last_line = now
            if self._bar is not None:
                if self._read_task is not None:
                    self._bar.update(self._read_task, visible=False)
                self._task = self._bar.add_task(self.label, total=total or self.total)
        if total is not None:
            self.total = total
        self.done = min(done, self.total) if self.total is not None else done
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, total=self.total)
        if self.plain and now - self._last_line >= self.every:
            self._last_line = now
            self.console.print(self.line(), highlight=False, soft_wrap=True)

    def rate(self) -> float:
        """Records per second since the first report."""
        if self._first is None:
            return 0.0
        seconds = self.clock() - self._first[0]
        return (self.done - self._first[1]) / seconds if seconds > 0 else 0.0

    def line(self) -> str:
        """'Inbedden: 320/1000 (32%), 4.1 records/s, nog 2 min 46 s'."""
        rate = self.rate()
        if not self.total:
            return f"{self.label}: {self.done}, {rate:.1f} records/s"
        left = f", nog {duration((self.total - self.done) / rate)}" if rate > 0 else ""
        return (f"{self.label}: {self.done}/{self.total} ({100 * self.done // self.total}%), "
                f"{rate:.1f} records/s{left}")
