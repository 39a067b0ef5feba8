"""Review dates: which practices have not been checked by a curator for too long.

Ages are written as a number and a unit: '2y' (years), '18m' (months), '6w' (weeks) or '90d'
(days); Dutch 'j' for jaar works too. A practice without a last_reviewed date counts as stale.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalogue.errors import InvalidInput
from catalogue.model import Practice

_AGE = re.compile(r"^\s*(\d{1,4})\s*([yjmwd])\s*$", re.IGNORECASE)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day so many months earlier, clipped to the month's end (31 March - 1m = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def cutoff_for(age: str, *, today: dt.date | None = None) -> dt.date:
    """The date before which a review is too old, for an age such as '2y', '18m' or '90d'."""
    match = _AGE.match(age or "")
    if not match:
        raise InvalidInput("older-than", f"'{age}' is geen geldige duur; gebruik bv. 2y, 18m, 6w of 90d")
    amount, unit = int(match.group(1)), match.group(2).lower()
    today = today or dt.date.today()
    try:
        if unit in ("y", "j"):
            return months_before(today, 12 * amount)
        if unit == "m":
            return months_before(today, amount)
        return today - dt.timedelta(weeks=amount) if unit == "w" else today - dt.timedelta(days=amount)
    except (ValueError, OverflowError) as e:
        raise InvalidInput("older-than", f"'{age}' reikt te ver terug") from e


@dataclass(frozen=True)
class StaleItem:
    """A practice due for review, and for how many days (None: never reviewed)."""

    practice: Practice
    days: int | None


def stale_practices(practices: Iterable[Practice], *, cutoff: dt.date,
                    today: dt.date | None = None) -> list[StaleItem]:
    """Practices last reviewed before the cutoff, or never: never-reviewed first, then oldest first."""
    today = today or dt.date.today()
    items = [StaleItem(p, (today - p.last_reviewed).days if p.last_reviewed else None)
             for p in practices if p.last_reviewed is None or p.last_reviewed < cutoff]
    return sorted(items, key=lambda i: (i.days is not None, -(i.days or 0), i.practice.id))
