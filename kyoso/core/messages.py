"""Compile the translation catalogues (.po → .mo) without GNU gettext.

Django's ``compilemessages`` needs ``msgfmt``, which a fresh Windows or macOS machine
lacks; Babel does the same in pure Python. ``make`` runs this before the demo and the
tests, and the test suite's conftest runs it when a catalogue is stale.

    python -m kyoso.core.messages
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def stale_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The .po files whose .mo is missing or older."""
    return [
        po
        for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]


def compile_catalogues(locale_dir: Path = LOCALE_DIR, force: bool = False) -> list[Path]:
    """Write a .mo beside every (stale) .po; returns the .mo files written."""
    written = []
    targets = (
        sorted(locale_dir.glob("*/LC_MESSAGES/*.po")) if force else stale_catalogues(locale_dir)
    )
    for po_path in targets:
        with po_path.open("rb") as handle:
            catalogue = read_po(handle)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues(force=True):
        print(f"compiled {path}")
