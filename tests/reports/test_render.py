"""Both report formats rendered from the seeded history (conftest.py) and from an empty one."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from engine.reports.render import duration, inline_markdown, md_cell, render, text_bar

SECTIONS = ["summary", "study-next", "mastery", "over-time", "drills", "quiz", "exams", "rehearsals"]
MD_HEADINGS = ["# Progress report", "## Summary", "## What to study next", "## Mastery by topic", "### By lesson section",
               "## Scores over time", "## Drill attempts", "### Bugs you make most often", "## Quiz accuracy by topic",
               "### Questions missed most often", "## Mock exams", "## Assessment rehearsals"]


class Outline(HTMLParser):
    """Section ids, headings, and every tag and attribute, to check what the page is made of."""

    def __init__(self):
        super().__init__()
        self.ids, self.headings, self.tags, self.attributes, self._heading = [], [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs
        if tag == "section":
            self.ids.append(dict(attrs)["id"])
        if tag in ("h1", "h2", "h3"):
            self._heading = ""

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(self._heading.strip())
            self._heading = None


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_the_html_report_has_every_section_with_its_numbers(history):
    html = render(history, "html")
    page = outline(html)
    assert page.ids == SECTIONS
    assert page.headings[:3] == ["Progress report", "Summary", "What to study next"]
    assert {"Mastery by topic", "By lesson section", "Scores over time", "Drill attempts", "Bugs you make most often",
            "Quiz accuracy by topic", "Questions missed most often", "Mock exams"} <= set(page.headings)
    for text in [
        "quiz accuracy (3 of 7 answers)", ">43%<", ">1/3<", "drills passed (5 attempts)", ">42%<", "best mock exam (1 taken)",
        "75%  (2/4 questions, 1/1 drills)", "17%  (1/3 questions, 0/1 drills)", "50%  (2 of 4)",
        "Title of fwd.a", "2 times in Title of fake_forward", "Explanation of fwd.a, with <code>code</code>.",
        "What is <code>q(x_t | x_0)</code> in closed form?", "2 of 3", "2:30 / 10:00", "2:30 of 10:00",
        "<code>drill quiz --review</code>", "1 question is due", "2025-01-06", "2025-01-10",
    ]:
        assert text in html, text
    assert "Welcome" not in html


def test_the_html_report_is_one_self_contained_file(history):
    html = render(history, "html")
    page = outline(html)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    urls = re.findall(r"(?:https?:)?//[\w.-]+", html)
    assert set(urls) == {"http://www.w3.org"}  # only the SVG namespace, which is a name, not a download
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert page.tags.count("style") == 1 and "@media print" in html and "break-inside: avoid" in html
    assert page.tags.count("svg") >= 4 + len(history.sections)  # four charts, and a bar per section
    assert html.count('class="line quiz"') == 1 and html.count('class="dot exam"') == 2  # one exam point, one legend dot


def test_the_markdown_report_has_every_section_with_its_numbers(history):
    md = render(history, "md")
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == MD_HEADINGS
    for text in [
        "| Quiz accuracy | **43%** (3 of 7 answers) |",
        "| Drills passed | **1/3** (5 attempts) |",
        "| Best mock exam | **42%** (1 taken) |",
        "| ddpm | 75% | `████████░░` | 2/4 | 1/1 |",
        "| unet | 17% | `██░░░░░░░░` | 1/3 | 0/1 |",
        "| 2025-01-06 | 50% | 4 | 40% | 1 | — |",
        "| 2025-01-10 | 0% | 1 | 50% | 1 | 42% |",
        "| Title of fake_forward (`fake_forward`) | ddpm | 3 | 100% | passed | 2025-01-08 |",
        "- **Title of fwd.a** — 2 times in Title of fake_forward, last 2025-01-08",
        "Explanation of fwd.a, with `code`.",
        "| What is `q(x_t \\| x_0)` in closed form? (`ddpm-0`) | ddpm | 2 of 3 | right |",
        "| 1 (seed 3) | 2025-01-10 | 42% (2.5/6) | 2/2 | 2:30 of 10:00 | cfg 42% |",
        "1. **Review what is due** — `drill quiz --review`",
    ]:
        assert text in md, text


def test_markdown_tables_are_well_formed(history):
    """Every row of a table has as many cells as its header: no stray pipe from the content."""
    lines = render(history, "md").splitlines()
    for index, line in enumerate(lines):
        if line.startswith(("| ---", "| --- ")):
            width = _cells(lines[index - 1])
            row = index + 1
            while row < len(lines) and lines[row].startswith("|"):
                assert _cells(lines[row]) == width, lines[row]
                row += 1


def _cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line)) - 2


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_an_empty_history_renders_a_friendly_report(empty_history, fmt):
    text = render(empty_history, fmt)
    assert "Welcome!" in text and "There is no history yet" in text
    assert "drill start fake_forward" in text and "drill quiz --count 10" in text
    assert "No drill attempts yet" in text and "No quiz answers yet" in text and "No mock exam yet" in text
    assert "Mastery appears here once" in text


def test_an_empty_html_report_keeps_its_sections(empty_history):
    page = outline(render(empty_history, "html"))
    assert page.ids == SECTIONS and "svg" not in page.tags


def test_an_unknown_format_is_refused(history):
    with pytest.raises(ValueError, match="html, md"):
        render(history, "pdf")


def test_filters():
    assert [duration(s) for s in (0, 61, 3600, 3725.4)] == ["0:00", "1:01", "1:00:00", "1:02:05"]
    assert text_bar(55) == "██████░░░░" and text_bar(None) == "░" * 10
    assert md_cell("a | b\nc") == "a \\| b c"
    assert str(inline_markdown("use `x<y` and *this*")) == "use <code>x&lt;y</code> and <em>this</em>"
    assert str(inline_markdown("odd ` tick <b>")) == "odd ` tick &lt;b&gt;"
