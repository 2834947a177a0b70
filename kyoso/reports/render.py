"""One report to bytes in a format: standalone HTML, PDF (from that HTML) or Excel."""

from __future__ import annotations

from django.template.loader import render_to_string

from . import excel, figures
from .data import MunicipalityReport
from .pdf import html_to_pdf, report_css
from .summary import SummaryReport

FORMATS = ("pdf", "xlsx", "html")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def municipality_html(report: MunicipalityReport, *, standalone: bool) -> str:
    """The report as one HTML document; ``standalone`` embeds the stylesheet (for the
    downloaded file, opened without the app); the PDF renderer adds it itself."""
    return render_to_string(
        "reports/document.html",
        {
            "body": "reports/_municipality.html",
            "title": f"{report.municipality.name} {report.survey.title}",
            "report": report,
            "charts": figures.municipality_charts(report),
            "css": report_css() if standalone else "",
        },
    )


def summary_html(report: SummaryReport, *, standalone: bool) -> str:
    return render_to_string(
        "reports/document.html",
        {
            "body": "reports/_summary.html",
            "title": f"{report.survey.prefecture.name} {report.survey.title}",
            "report": report,
            "charts": figures.summary_charts(report),
            "css": report_css() if standalone else "",
        },
    )


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def render_municipality(report: MunicipalityReport, fmt: str) -> bytes:
    _check(fmt)
    if fmt == "xlsx":
        return excel.municipality_workbook(report)
    html = municipality_html(report, standalone=fmt == "html")
    return html.encode("utf-8") if fmt == "html" else html_to_pdf(html)


def render_summary(report: SummaryReport, fmt: str) -> bytes:
    _check(fmt)
    if fmt == "xlsx":
        return excel.summary_workbook(report)
    html = summary_html(report, standalone=fmt == "html")
    return html.encode("utf-8") if fmt == "html" else html_to_pdf(html)
