"""Japan's local government codes (全国地方公共団体コード, JIS X 0402).

A code has five digits and a sixth check digit: weights 6, 5, 4, 3, 2 on the first
five, check = (11 - sum mod 11) mod 10. The first two digits are the prefecture
(01 北海道 … 47 沖縄県); a prefecture's own code is ``PP000`` plus its check digit.
People type and import codes in many forms, so :func:`normalize_code` accepts the
6-digit form, the 5-digit form without check digit, and full-width digits.
"""

from __future__ import annotations

from .text import normalize_width

_WEIGHTS = (6, 5, 4, 3, 2)


class InvalidCodeError(ValueError):
    """A value that is not a valid local government code; the message is for users."""


def check_digit(first_five: str) -> str:
    """Return the check digit for the first five digits of a code."""
    if len(first_five) != 5 or not first_five.isascii() or not first_five.isdigit():
        raise ValueError(f"need exactly five ASCII digits, got {first_five!r}")
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def is_valid_code(code: str) -> bool:
    """True for a 6-digit ASCII code whose last digit is the right check digit."""
    return len(code) == 6 and code.isascii() and code.isdigit() and check_digit(code[:5]) == code[5]


def normalize_code(value: str) -> str:
    """Return the 6-digit code for what a person typed, or raise InvalidCodeError.

    Accepts ``"302015"``, ``"30201"`` (check digit added), ``"３０２０１５"`` and
    surrounding spaces. A 6-digit value with a wrong check digit is refused rather
    than silently corrected: it is more likely a typo than a missing digit.
    """
    text = normalize_width(str(value))
    if not text.isascii() or not text.isdigit():
        raise InvalidCodeError(f"団体コード「{value}」は数字で入力してください。")
    if len(text) == 5:
        return text + check_digit(text)
    if len(text) == 6:
        if not is_valid_code(text):
            raise InvalidCodeError(
                f"団体コード「{value}」は存在しないコードです（6桁目のチェックデジットが"
                f"合いません）。入力を確認してください。"
            )
        return text
    raise InvalidCodeError(
        f"団体コード「{value}」は6桁（またはチェックデジットを除いた5桁）で入力してください。"
    )


def prefecture_code_of(code: str) -> str:
    """The 6-digit code of the prefecture a municipality code belongs to."""
    first_five = code[:2] + "000"
    return first_five + check_digit(first_five)
