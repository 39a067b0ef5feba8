"""scripts/screenshots.py makes a full-page PNG of every page at both widths from the real server."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.realmodel]


def test_screenshot_script_covers_every_page_at_both_widths(server, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--base", server,
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not ready" not in done.stdout
    shots = sorted(p.name for p in tmp_path.glob("*.png"))
    pages = ["home", "search", "filtered", "no-results", "practice", "over", "widget", "form", "docs", "redoc", "404"]
    assert shots == sorted(f"{name}-{size}.png" for name in pages for size in ("desktop", "phone"))
    assert all((tmp_path / name).read_bytes().startswith(b"\x89PNG") for name in shots)
