"""Fiscal years and eras at every edge: April 1, the Tokyo day boundary, era changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kyoso.lib.fiscal import (
    current_fiscal_year,
    era_of,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_label_en,
    fiscal_year_of,
    fiscal_year_short_label,
    wareki_date,
)

UTC = dt.UTC
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (dt.date(2024, 3, 31), 2023),
        (dt.date(2024, 4, 1), 2024),
        (dt.date(2024, 12, 31), 2024),
        (dt.date(2025, 1, 1), 2024),
        (dt.date(2025, 3, 31), 2024),
        (dt.date(2025, 4, 1), 2025),
    ],
)
def test_fiscal_year_starts_on_april_first(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_fiscal_year_is_judged_in_tokyo_time():
    # 2025-03-31 15:00 UTC is 2025-04-01 00:00 in Tokyo: already the new fiscal year.
    assert fiscal_year_of(dt.datetime(2025, 3, 31, 14, 59, 59, tzinfo=UTC)) == 2024
    assert fiscal_year_of(dt.datetime(2025, 3, 31, 15, 0, 0, tzinfo=UTC)) == 2025


def test_naive_datetime_is_taken_as_tokyo_time():
    assert fiscal_year_of(dt.datetime(2025, 3, 31, 23, 59)) == 2024
    assert fiscal_year_of(dt.datetime(2025, 4, 1, 0, 0)) == 2025


def test_current_fiscal_year_uses_the_given_moment():
    assert current_fiscal_year(dt.datetime(2026, 11, 27, 12, tzinfo=TOKYO)) == 2026
    assert current_fiscal_year(dt.datetime(2027, 2, 1, 12, tzinfo=TOKYO)) == 2026


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2024) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2019, 4, 30), "平成31年"),
        (dt.date(2019, 5, 1), "令和元年"),
        (dt.date(2020, 1, 1), "令和2年"),
        (dt.date(2024, 4, 1), "令和6年"),
        (dt.date(1989, 1, 7), "昭和64年"),
        (dt.date(1989, 1, 8), "平成元年"),
    ],
)
def test_era_of_a_date_across_era_changes(day, label):
    assert era_of(day).label == label


def test_era_change_is_judged_in_tokyo_time():
    # 2019-04-30 15:00 UTC is already 2019-05-01 (令和) in Tokyo.
    assert era_of(dt.datetime(2019, 4, 30, 14, 59, tzinfo=UTC)).label == "平成31年"
    assert era_of(dt.datetime(2019, 4, 30, 15, 0, tzinfo=UTC)).label == "令和元年"


def test_wareki_date():
    assert wareki_date(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki_date(dt.date(2024, 5, 7)) == "令和6年5月7日"
    assert wareki_date(dt.date(2019, 4, 30)) == "平成31年4月30日"


@pytest.mark.parametrize(
    ("fiscal_year", "label", "short"),
    [
        (1988, "昭和63年度", "S63"),
        (1989, "平成元年度", "H1"),
        (2018, "平成30年度", "H30"),
        (2019, "令和元年度", "R1"),
        (2020, "令和2年度", "R2"),
        (2023, "令和5年度", "R5"),
        (2024, "令和6年度", "R6"),
        (2025, "令和7年度", "R7"),
    ],
)
def test_fiscal_year_labels(fiscal_year, label, short):
    assert fiscal_year_label(fiscal_year) == label
    assert fiscal_year_short_label(fiscal_year) == short


def test_fiscal_year_label_in_english():
    assert fiscal_year_label_en(2024) == "FY2024 (Reiwa 6)"
    assert fiscal_year_label_en(2019) == "FY2019 (Reiwa 1)"


def test_dates_before_showa_are_refused():
    with pytest.raises(ValueError, match="not supported"):
        era_of(dt.date(1926, 12, 24))
