"""Fiscal years (年度) and Japanese eras (和暦).

Japanese public bodies run their fiscal year from 1 April to 31 March. We store a
fiscal year as the Western year of its April start (令和6年度 = 2024) and show it in
the era calendar. Dates are judged in Asia/Tokyo: a timestamp of 2025-03-31 20:00 UTC
is already 1 April in Japan, hence already the next fiscal year.

Fiscal-year labels follow government practice: a fiscal year takes the era in force
at the end of the calendar year in which it starts, so FY2019 (April 2019, still
平成31年 on 1 April) is 令和元年度 and FY1988 is 昭和63年度.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    name_en: str  # Reiwa
    start: dt.date  # first day of the era


# Newest first; dates from the Cabinet orders that set each era.
ERAS: tuple[Era, ...] = (
    Era("令和", "Reiwa", dt.date(2019, 5, 1)),
    Era("平成", "Heisei", dt.date(1989, 1, 8)),
    Era("昭和", "Showa", dt.date(1926, 12, 25)),
)


@dataclass(frozen=True)
class EraYear:
    era: Era
    year: int  # 1 for the first (元) year

    @property
    def label(self) -> str:
        """``令和元年``, ``令和6年``."""
        return f"{self.era.name}{'元' if self.year == 1 else self.year}年"


def to_tokyo_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date in Japan of a date or datetime.

    Naive datetimes are taken to be Tokyo time already; aware ones are converted.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(TOKYO)
        return value.date()
    return value


def era_of(value: dt.date | dt.datetime) -> EraYear:
    """The era and era year of a date: 2019-04-30 is 平成31年, 2019-05-01 令和元年."""
    day = to_tokyo_date(value)
    for era in ERAS:
        if day >= era.start:
            return EraYear(era, day.year - era.start.year + 1)
    raise ValueError(f"dates before {ERAS[-1].start} (昭和) are not supported: {day}")


def wareki_date(value: dt.date | dt.datetime) -> str:
    """``令和6年4月1日`` for 2024-04-01."""
    day = to_tokyo_date(value)
    return f"{era_of(day).label}{day.month}月{day.day}日"


def fiscal_year_of(value: dt.date | dt.datetime) -> int:
    """The fiscal year (Western year of its April start) that a date falls in."""
    day = to_tokyo_date(value)
    return day.year if day.month >= 4 else day.year - 1


def current_fiscal_year(now: dt.datetime | None = None) -> int:
    return fiscal_year_of(now or dt.datetime.now(TOKYO))


def fiscal_year_bounds(fiscal_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a fiscal year: (April 1, March 31 of the next year)."""
    return dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)


def fiscal_year_era(fiscal_year: int) -> EraYear:
    """The era year a fiscal year is named by (era in force on 31 December)."""
    return era_of(dt.date(fiscal_year, 12, 31))


def fiscal_year_label(fiscal_year: int) -> str:
    """``令和6年度`` for 2024, ``令和元年度`` for 2019, ``平成30年度`` for 2018."""
    return f"{fiscal_year_era(fiscal_year).label}度"


def fiscal_year_short_label(fiscal_year: int) -> str:
    """``R6`` for 2024, ``H30`` for 2018: the short form used in tables (R6年度)."""
    era_year = fiscal_year_era(fiscal_year)
    return f"{era_year.era.name_en[0]}{era_year.year}"


def fiscal_year_label_en(fiscal_year: int) -> str:
    """``FY2024 (Reiwa 6)``."""
    era_year = fiscal_year_era(fiscal_year)
    return f"FY{fiscal_year} ({era_year.era.name_en} {era_year.year})"
