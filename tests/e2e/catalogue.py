"""The e2e server's catalogue: data/ plus two hostile records, ingested with the real default model.

Embedding the whole bundled catalogue is the slowest step of the suite. It runs in a subprocess
that starts with the session (tests/conftest.py asks for it when an e2e test will need the
server), on one thread, so it overlaps with the tests that need no server instead of adding to
them; the e2e tests run last (see `pytest_collection_modifyitems`). The `server` fixture waits
for it explicitly: nothing depends on it having finished by itself.

scripts/test.sh starts it even earlier, beside the lint and type checks, with
`python -m tests.e2e.catalogue FOLDER`, and names FOLDER in PRAKTIJKBANK_TEST_E2E_CATALOGUE;
the session then adopts that run (`AdoptedCatalogue`) instead of starting its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADOPT = "PRAKTIJKBANK_TEST_E2E_CATALOGUE"  # a folder where `python -m tests.e2e.catalogue` runs
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
    """`praktijkbank init` then `ingest data/ hostile.jsonl` into `home`, started at construction.

    With `own_group`, the ingest runs in a process group of its own, so that `stop` ends the
    shell and the ingest under it together."""

    def __init__(self, home: Path, scratch: Path, *, own_group: bool = True) -> None:
        self.home = home
        extra = scratch / "hostile.jsonl"
        extra.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
        self._log = scratch / "ingest.log"
        # One thread: the rest of the suite keeps the other core.
        env = {**os.environ, "PRAKTIJKBANK_HOME": str(home), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        script = (f"{sys.executable} -m api.cli.main init && "
                  f"{sys.executable} -m api.cli.main ingest {ROOT / 'data'} {extra}")
        with self._log.open("w") as log:
            self._proc = subprocess.Popen(["sh", "-c", script], cwd=ROOT, env=env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=own_group)
        self._own_group = own_group

    def exit_code(self) -> int:
        """The ingest's exit code, once it has ended."""
        return self._proc.wait(timeout=1800)  # a safety net for a hung run, not a timing

    def wait(self) -> Path:
        """The home, once the ingest has finished; its output if it failed."""
        if self.exit_code() != 0:
            raise RuntimeError(self._log.read_text(encoding="utf-8"))
        return self.home

    def stop(self) -> None:
        if self._proc.poll() is None:
            if self._own_group:
                os.killpg(self._proc.pid, signal.SIGKILL)
            else:
                self._proc.kill()
            self._proc.wait()


class AdoptedCatalogue:
    """The catalogue that `python -m tests.e2e.catalogue FOLDER` prepares in FOLDER/home: done
    when FOLDER/exit-code appears (written last, by a rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.home = folder / "home"

    def wait(self) -> Path:
        deadline = time.monotonic() + 1800  # a safety net for a hung run, not a timing
        done = self.folder / "exit-code"
        while not done.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the e2e catalogue in {self.folder} was not ready after 30 minutes")
            time.sleep(0.5)
        if done.read_text().strip() != "0":
            raise RuntimeError((self.folder / "ingest.log").read_text(encoding="utf-8"))
        return self.home

    def stop(self) -> None:
        """End an unfinished preparation (its whole process group) and remove the folder."""
        pgid = self.folder / "pgid"
        if not (self.folder / "exit-code").exists() and pgid.exists():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pgid.read_text()), signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Prepare the catalogue in FOLDER/home; this process and the ingest share a process group
    of their own (its id in FOLDER/pgid), and FOLDER/exit-code is written at the end."""
    folder = Path((argv or sys.argv[1:])[0])
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)
    (folder / "pgid").write_text(str(os.getpgrp()))
    code = PreparedCatalogue(folder / "home", folder, own_group=False).exit_code()
    staged = folder / "exit-code.tmp"
    staged.write_text(str(code))
    staged.rename(folder / "exit-code")
    return code


if __name__ == "__main__":
    sys.exit(main())
