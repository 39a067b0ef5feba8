"""The e2e server's catalogue: data/ plus two hostile records, ingested with the real default model.

Embedding the whole bundled catalogue is the slowest step of the suite. It runs in a subprocess
that starts with the session (tests/conftest.py asks for it when an e2e test will need the
server), on one thread, so it overlaps with the tests that need no server instead of adding to
them; the e2e tests run last (see `pytest_collection_modifyitems`). The `server` fixture waits
for it explicitly: nothing depends on it having finished by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XSS_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE = [
    {"id": "xss-test", "title": XSS_TITLE, "summary": "Een praktijk met een gevaarlijke titel voor de test.",
     "organisation": "<script>alert(2)</script>", "region": "limburg", "sector": "welzijn",
     "krachtlijnen": ["verbindend"], "source_url": "https://example.org/xss"},
    {"id": "regelbreuken-test", "title": "Tekst met harde regelbreuken",
     "summary": "Een praktijk waarvan de beschrijving regelbreuken midden in zinnen heeft.",
     "description": "De eerste alinea loopt\nover twee regels.\n\nDe tweede alinea\nook.",
     "organisation": "Testorganisatie", "region": "limburg", "sector": "welzijn",
     "krachtlijnen": ["verbindend"], "source_url": "https://example.org/regels"},
]


class PreparedCatalogue:
    """`praktijkbank init` then `ingest data/ hostile.jsonl` into `home`, started at construction."""

    def __init__(self, home: Path, scratch: Path) -> None:
        self.home = home
        extra = scratch / "hostile.jsonl"
        extra.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
        self._log = scratch / "ingest.log"
        # One thread: the rest of the suite keeps the other core.
        env = {**os.environ, "PRAKTIJKBANK_HOME": str(home), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        script = (f"{sys.executable} -m api.cli.main init && "
                  f"{sys.executable} -m api.cli.main ingest {ROOT / 'data'} {extra}")
        with self._log.open("w") as log:
            self._proc = subprocess.Popen(["sh", "-c", script], cwd=ROOT, env=env,
                                          stdout=log, stderr=subprocess.STDOUT)

    def wait(self) -> Path:
        """The home, once the ingest has finished; its output if it failed."""
        code = self._proc.wait(timeout=1800)  # a safety net for a hung run, not a timing
        if code != 0:
            raise RuntimeError(self._log.read_text(encoding="utf-8"))
        return self.home

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
