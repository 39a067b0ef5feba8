"""Progress of reindex and ingest: records/s and time left; plain lines when not on a terminal."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from api.cli.progress import Meter, duration


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def plain_console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=False, width=200), out


def test_plain_lines_every_few_seconds_with_rate_and_time_left() -> None:
    console, out = plain_console()
    clock = Clock()
    with Meter("Inbedden", console=console, total=1000, every=5.0, clock=clock) as meter:
        meter.advance(0)  # the first report starts the clock
        for _ in range(20):
            clock.now += 1.0
            meter.advance(10)  # 10 records/s
    lines = out.getvalue().splitlines()
    assert lines == [
        "Inbedden: 50/1000 (5%), 10.0 records/s, nog 1 min 35 s",
        "Inbedden: 100/1000 (10%), 10.0 records/s, nog 1 min 30 s",
        "Inbedden: 150/1000 (15%), 10.0 records/s, nog 1 min 25 s",
        "Inbedden: 200/1000 (20%), 10.0 records/s, nog 1 min 20 s",
    ]


def test_checkpoints_set_the_count_and_total_and_never_pass_it() -> None:
    console, out = plain_console()
    clock = Clock()
    with Meter("Opslaan", console=console, every=0.0, clock=clock) as meter:
        clock.now += 2
        meter.update(10, 40)
        clock.now += 2
        meter.advance(100)
        assert meter.done == 40
    assert out.getvalue().splitlines()[-1] == "Opslaan: 40/40 (100%), 20.0 records/s, nog 0 s"


def test_disabled_prints_nothing_and_a_terminal_gets_a_bar() -> None:
    console, out = plain_console()
    with Meter("Inbedden", console=console, total=10, enabled=False, every=0.0) as meter:
        meter.advance(5)
    assert out.getvalue() == ""
    term = io.StringIO()
    with Meter("Inbedden", console=Console(file=term, force_terminal=True, width=120), total=10) as meter:
        meter.advance(5)
    assert "Inbedden" in term.getvalue()


@pytest.mark.parametrize("seconds, shown", [(0, "0 s"), (12.4, "12 s"), (185, "3 min 05 s"), (3720, "1 u 02 min")])
def test_durations_in_dutch(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_reindex_and_ingest_print_progress_lines_when_not_on_a_terminal(make_cli, monkeypatch, tmp_path, sample):
    cli = make_cli(fake=True)
    original = Meter.__init__

    def every_report(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "every": 0.0})

    monkeypatch.setattr(Meter, "__init__", every_report)
    records = [{**sample[i % len(sample)], "id": f"praktijk-{i}"} for i in range(40)]
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingested = cli("ingest", path)
    assert ingested.exit_code == 0, ingested.output
    counts = [int(m) for m in re.findall(r"Inbedden en opslaan: (\d+)/40 \(\d+%\), [\d.]+ records/s", ingested.output)]
    assert counts and counts == sorted(counts) and counts[-1] == 40
    as_json = cli("ingest", path, "--json")  # stdout stays JSON: no progress lines
    assert json.loads(as_json.output)["unchanged"]
    reindexed = cli("reindex")
    assert reindexed.exit_code == 0, reindexed.output
    counts = [int(m) for m in re.findall(r"Inbedden: (\d+)/40 \(\d+%\), [\d.]+ records/s", reindexed.output)]
    assert counts == sorted(counts) and counts[-1] == 40 and len(counts) >= 3  # per 16 practices
