"""Japanese text normalisation shared by forms, imports and loaders."""

from __future__ import annotations

import unicodedata


def normalize_width(value: str) -> str:
    """Fold full-width ASCII (digits, letters, hyphen) to half-width and trim spaces.

    NFKC also turns the ideographic space (U+3000) into a normal space, so
    ``"　３０２０１５　"`` becomes ``"302015"``. Katakana stays full-width (NFKC maps
    half-width katakana to full-width, which is what Japanese users expect).
    """
    return unicodedata.normalize("NFKC", value).strip()


_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def to_katakana(value: str) -> str:
    """``かいなん`` → ``カイナン``: readings are stored in katakana."""
    return value.translate(_HIRAGANA_TO_KATAKANA)
