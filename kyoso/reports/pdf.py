"""HTML report documents to PDF with WeasyPrint, the Japanese font embedded.

The font is IPAexGothic from the ``matplotlib-fontja`` package, which ``pip install``
puts beside the code: a fresh machine set up by the README renders Japanese without
any system font. The package is located without importing it (importing it would
import matplotlib, which reports do not need).
"""

from __future__ import annotations

import atexit
import importlib.util
from functools import cache
from pathlib import Path

from django.conf import settings

FONT_FAMILY = "KyosoGothic"


class FontMissing(RuntimeError):
    pass


@cache
def font_path() -> Path:
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing(
            "matplotlib-fontja is not installed: run `make demo` or `pip install -e .`"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    if not path.is_file():
        raise FontMissing(f"The Japanese font is missing: {path}")
    return path


def report_css() -> str:
    """The report stylesheet (screen and print), shared with the in-app pages."""
    return (Path(settings.BASE_DIR) / "kyoso" / "static" / "kyoso" / "report.css").read_text(
        encoding="utf-8"
    )


def _fetcher(allowed: set[str]):
    """A WeasyPrint URL fetcher that opens only ``allowed`` URLs: report documents are
    self-contained, and a stray URL in user text must never reach a file or the network."""
    from weasyprint.urls import URLFetcher

    class OnlyAllowed(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"Report documents load no external resources: {url}")
            return super().fetch(url, headers)

    return OnlyAllowed(allowed_protocols=["file"])


@cache
def _renderer():
    """WeasyPrint objects reused for every PDF of a process: parsing the stylesheet and
    loading the font once saves about a third of each report's time."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    # Everything in the PDF, page numbers in the margins included, uses the bundled font,
    # so no glyph depends on what fonts the machine happens to have.
    font_face = (
        f"@font-face {{ font-family: {FONT_FAMILY}; src: url('{font_path().as_uri()}'); }}\n"
        f"@font-face {{ font-family: {FONT_FAMILY}; font-weight: bold; "
        f"src: url('{font_path().as_uri()}'); }}\n"
        f"html, body {{ font-family: {FONT_FAMILY}; }}\n"
        f"@page {{ font-family: {FONT_FAMILY}; }}\n"
    )
    atexit.register(_renderer.cache_clear)  # let WeasyPrint clean up before the interpreter
    stylesheet = CSS(
        string=font_face + report_css(),
        font_config=fonts,
        url_fetcher=_fetcher({font_path().as_uri()}),
    )
    return fonts, stylesheet


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    fonts, stylesheet = _renderer()
    return HTML(string=html, url_fetcher=_fetcher(set())).write_pdf(
        stylesheets=[stylesheet], font_config=fonts
    )
