"""CSV cells that a spreadsheet will not run as formulas (OWASP, "CSV Injection").

A cell that starts with = + - @, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets. On export such a cell gets a leading single quote, which the
spreadsheet shows as text. A cell that already starts with quotes before one of those
characters gets one more, so that reading takes exactly one off and every value round-trips.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r"
_EXPORTED = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """The cell text to write: quoted when a spreadsheet would run it."""
    return "'" + value if _EXPORTED.match(value) else value


def unquote(value: str) -> str:
    """The value of a cell written by `neutralise` (other cells come back unchanged)."""
    return value[1:] if _QUOTED.match(value) else value
