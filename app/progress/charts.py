"""Charts as plain SVG, drawn here: no script, no inline style (CSP stays strict), colours with
words beside them, and the same numbers in a table next to every chart for screen readers.
WeasyPrint draws them in the board report just as browsers do."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

RAG_COLOURS = {"green": "#00703c", "amber": "#ffdd00", "red": "#d4351c"}
BAR_COLOUR = "#3d2b6b"
WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP = 40, 40, 20


@dataclass
class Series:
    label: str
    colour: str
    values: list[float]


def _frame(parts: list[str], title: str, description: str) -> Markup:
    body = "".join(parts)
    return Markup(  # noqa: S704 - every text in parts went through escape() below
        f'<svg class="portal-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{_id(title)}-title {_id(title)}-desc">'
        f'<title id="{_id(title)}-title">{escape(title)}</title>'
        f'<desc id="{_id(title)}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:40]


def _axis(labels: list[str], top: float) -> list[str]:
    plot_w = WIDTH - LEFT - 10
    step = plot_w / max(len(labels), 1)
    base = HEIGHT - BOTTOM
    text = 'text-anchor="end" font-size="11" fill="#0b0c0c"'
    parts = [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#0b0c0c"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" {text}>{escape(_fmt(top))}</text>',
        f'<text x="{LEFT - 6}" y="{base}" {text}>0</text>',
    ]
    for i, label in enumerate(labels):
        x = LEFT + step * i + step / 2
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
    return parts


def _fmt(value: float) -> str:
    return f"{value:.0f}"


def stacked_bars(title: str, labels: list[str], series: list[Series]) -> Markup:
    """One bar per label, the series stacked (e.g. green, amber and red updates each month)."""
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_h = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT - 10) / max(len(labels), 1)
    parts = _axis(labels, top)
    for i in range(len(labels)):
        y = HEIGHT - BOTTOM
        for s in series:
            h = s.values[i] / top * plot_h
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{LEFT + step * i + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                f'height="{h:.1f}" fill="{s.colour}" stroke="#0b0c0c" stroke-width="0.5">'
                f"<title>{escape(labels[i])}: {escape(_fmt(s.values[i]))} {escape(s.label)}</title></rect>"
            )
    key = "; ".join(f"{s.label}" for s in series)
    return _frame(
        parts,
        title,
        f"Stacked bars for {', '.join(labels)}. Key: {key}. The table beside it has the numbers.",
    )


def bars(title: str, labels: list[str], values: list[float], *, maximum: float | None = None) -> Markup:
    top = maximum or max(values, default=0) or 1
    plot_h = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT - 10) / max(len(labels), 1)
    parts = _axis(labels, top)
    for i, value in enumerate(values):
        h = value / top * plot_h
        parts.append(
            f'<rect x="{LEFT + step * i + step * 0.15:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="{BAR_COLOUR}">'
            f"<title>{escape(labels[i])}: {escape(_fmt(value))}</title></rect>"
        )
        parts.append(
            f'<text x="{LEFT + step * i + step / 2:.1f}" y="{HEIGHT - BOTTOM - h - 4:.1f}" '
            f'text-anchor="middle" font-size="11" fill="#0b0c0c">{escape(_fmt(value))}</text>'
        )
    return _frame(parts, title, f"Bars for {', '.join(labels)}. The table beside it has the numbers.")
