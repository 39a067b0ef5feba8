"""Screenshots of every web page at desktop (1280x800) and phone (390x844) size, for review.

Usage (with a running server, e.g. after `bash scripts/start.sh`):

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out screenshots]

Uses Debian's Chromium through Playwright; writes one full-page PNG per page and size.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# name -> (path, selector that shows the page has rendered)
PAGES = {
    "home": ("/", "#results li.result"),
    "search": ("/?q=eenzaamheid%20bij%20ouderen", "#results li.result"),
    "filtered": ("/?q=jongeren&region=antwerpen", "#total:not(:empty)"),
    "no-results": ("/?q=xqzt%20vlmp", "#empty:not([hidden])"),
    "practice": (None, "#practice h1"),  # the first practice of the catalogue
    "over": ("/over", "#coverage:not([hidden])"),
    "widget": ("/widget", "praktijk-zoeker"),
    "form": ("/voorstellen", "#f-sectors input"),
    "docs": ("/docs", "#swagger-ui .opblock"),
    "redoc": ("/redoc", "#redoc h2"),
    "404": ("/bestaat-niet", "h1"),
}


def first_practice(page, base: str) -> str:
    body = page.request.get(f"{base}/api/practices?per_page=1").json()
    return "/praktijk/" + body["results"][0]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="address of the Praktijkbank")
    parser.add_argument("--out", default="screenshots", type=Path, help="folder for the PNG files")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=["--no-sandbox"])
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            for name, (path, ready) in PAGES.items():
                url = base + (path or first_practice(page, base))
                page.goto(url)
                try:
                    page.wait_for_selector(ready, state="attached", timeout=20_000)
                    page.wait_for_load_state("networkidle")
                except PlaywrightTimeout as e:  # keep going: the shot of a page that did not finish is a finding too
                    print(f"{name} ({size}): not ready: {e}")
                target = args.out / f"{name}-{size}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
