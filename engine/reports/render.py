"""Rendering a :class:`History` with the Jinja2 templates shipped in ``engine/reports/templates``.

``report.html.j2`` gives one self-contained page: inline CSS, inline SVG charts drawn by the
macros in ``charts.svg.j2``, no script and no network resource, so it opens offline and prints.
``report.md.j2`` gives Markdown for a code host, with text bars instead of charts.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from engine.reports.history import History

FORMATS = ("html", "md")
_ESCAPED = (".html.j2", ".svg.j2", ".css.j2")
_EMPHASIS = re.compile(r"\*(\S[^*]*?)\*")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def duration(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def day(moment: date | datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.date().isoformat() if isinstance(moment, datetime) else moment.isoformat()


def text_bar(value: float | None, width: int = 10) -> str:
    filled = round((value or 0.0) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def md_cell(text: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def number(value: float) -> str:
    """At most one decimal, and none when it is whole: 9.5, 12."""
    return f"{round(value, 1):g}"


def inline_markdown(text: str) -> Markup:
    """Bank and catalog text for HTML: escaped, with Markdown `code` spans and *emphasis* kept as such."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:
        return escape(text)
    html = []
    for index, part in enumerate(parts):
        escaped = str(escape(part))
        html.append(f"<code>{escaped}</code>" if index % 2 else _EMPHASIS.sub(r"<em>\1</em>", escaped))
    return Markup("".join(html))


def tone(value: float | None) -> str:
    if value is None or value < 50:
        return "low"
    return "mid" if value < 80 else "high"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("engine.reports", "templates"),
        autoescape=lambda name: name is not None and name.endswith(_ESCAPED),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        inline=inline_markdown, num=number, percent=percent, duration=duration, day=day, text_bar=text_bar, md_cell=md_cell, tone=tone
    )
    return env


def render(history: History, fmt: str = "html") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"the format must be one of {', '.join(FORMATS)}")
    return environment().get_template(f"report.{fmt}.j2").render(h=history, s=history.summary)
