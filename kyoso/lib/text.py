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
