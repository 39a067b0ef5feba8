"""Review dates: ages like 2y / 18m / 90d and which practices are stale."""

from __future__ import annotations

import datetime as dt

import pytest

from catalogue.errors import InvalidInput
from catalogue.model import parse_practice
from catalogue.review import cutoff_for, months_before, stale_practices

TODAY = dt.date(2026, 3, 31)


@pytest.mark.parametrize("age, expected", [
    ("2y", dt.date(2024, 3, 31)), ("2j", dt.date(2024, 3, 31)), ("18m", dt.date(2024, 9, 30)),
    ("1m", dt.date(2026, 2, 28)), ("90d", dt.date(2025, 12, 31)), ("6w", dt.date(2026, 2, 17)),
    (" 3 Y ", dt.date(2023, 3, 31)),
])
def test_cutoff_for_ages(age, expected):
    assert cutoff_for(age, today=TODAY) == expected


@pytest.mark.parametrize("age", ["", "2", "twee jaar", "2x", "-1y", "9999y"])
def test_bad_ages_are_refused_in_dutch(age):
    with pytest.raises(InvalidInput) as e:
        cutoff_for(age, today=TODAY)
    assert e.value.parameter == "older-than"


def test_months_before_clips_to_the_end_of_the_month():
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_stale_honours_the_dates(sample):
    dates = {"taalcafe-gent": "2026-03-01", "buurtrestaurant-antwerpen": "2024-03-30",
             "rechtenverkenners-limburg": "2024-03-31", "jeugdhuis-brussel": "2020-01-01"}
    practices = [parse_practice({**d, "last_reviewed": dates.get(d["id"])}) for d in sample]
    items = stale_practices(practices, cutoff=cutoff_for("2y", today=TODAY), today=TODAY)
    ids = [i.practice.id for i in items]
    # Never reviewed first, then the oldest review first; 2024-03-31 is exactly 2 years: not stale.
    assert ids == ["digipunt-kortrijk", "woonbegeleiding-leuven", "jeugdhuis-brussel", "buurtrestaurant-antwerpen"]
    assert items[0].days is None and items[-1].days == 731
