import csv
from pathlib import Path

import pytest

from kyoso.lib.lgcode import (
    InvalidCodeError,
    check_digit,
    is_valid_code,
    normalize_code,
    prefecture_code_of,
)

CODES = (
    Path(__file__).resolve().parents[2] / "municipalities" / "data" / "local-government-codes.csv"
)


def test_every_official_code_has_the_right_check_digit():
    with CODES.open(encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    assert len(codes) == 47 + 1741
    assert all(is_valid_code(code) for code in codes)


@pytest.mark.parametrize(
    ("first_five", "digit"),
    [("30201", "5"), ("30202", "3"), ("30000", "4"), ("13101", "6"), ("01100", "2")],
)
def test_check_digit(first_five, digit):
    assert check_digit(first_five) == digit


def test_check_digit_where_the_remainder_is_zero_or_one():
    # sum mod 11 == 0 gives 11 -> 1; sum mod 11 == 1 gives 10 -> 0.
    assert check_digit("00000") == "1"
    assert check_digit("10000") == "5"  # 6 -> 11 - 6 = 5
    assert check_digit("00002") == "7"  # 4 -> 7
    assert check_digit("20000") == "0"  # 12 mod 11 = 1 -> 10 mod 10 = 0


@pytest.mark.parametrize(
    "typed",
    ["302015", "30201", "３０２０１５", "３０２０１", " 302015 ", "\u3000302015"],
)
def test_normalize_code_accepts_the_forms_people_type(typed):
    assert normalize_code(typed) == "302015"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("302016", "チェックデジット"),
        ("3020", "6桁"),
        ("3020150", "6桁"),
        ("30201a", "数字"),
        ("", "数字"),
        ("和歌山市", "数字"),
    ],
)
def test_normalize_code_refuses_bad_codes_in_japanese(typed, message):
    with pytest.raises(InvalidCodeError, match=message):
        normalize_code(typed)


def test_prefecture_code_of():
    assert prefecture_code_of("302015") == "300004"
    assert prefecture_code_of("131016") == "130001"
