"""The board report: the dashboard's numbers laid out as a board paper, printed to PDF."""

from __future__ import annotations

from weasyprint import HTML


def _fetch_nothing(url: str, *args, **kwargs):
    """The report holds everything it shows (styles and charts are inline): it never fetches a
    URL, so no text in it can make the server reach out anywhere."""
    raise ValueError(f"The board report does not load {url[:80]}")


def board_report_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()
