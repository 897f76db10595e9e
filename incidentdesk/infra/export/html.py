"""A post-mortem as one self-contained, printable HTML page.

Inline CSS, no script, no external resource: the file opens the same offline, in a mail
client or years later. Section text is the team's CommonMark, rendered by markdown-it-py with
raw HTML shown as text (a ``<script>`` pasted from a chat stays words on the page) and images
turned into links (an image would be fetched from elsewhere). Facts from the journal are
escaped plain text. :func:`to_qt_html` is the same page in the HTML subset Qt's
QTextDocument understands, for the PDF.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from incidentdesk.core.postmortem.document import PostmortemDocument
from incidentdesk.infra.export.facts import ACTION_HEADERS, TIMELINE_HEADERS, metadata, utc_text
from incidentdesk.infra.export.markdown import SECTION_LEVEL, nest_headings

LANG = "en"  # the labels; the team's text is marked dir="auto" for right-to-left scripts

SCREEN_CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Helvetica Neue", Arial, sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 60rem;
  padding: 0 1.5rem; }
h1 { font-size: 1.8em; margin: 0 0 .2em; }
h2 { font-size: 1.35em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em;
  margin-top: 1.8em; }
h3 { font-size: 1.15em; } h4, h5, h6 { font-size: 1em; }
.kicker { color: #57606a; margin: 0 0 1em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; }
th, td { border: 1px solid #d0d7de; padding: .3em .5em; text-align: start;
  vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f5f7; }
table.meta th { width: 12em; }
table.timeline td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; padding: .6em .8em; overflow-x: auto; white-space: pre-wrap; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono",
  monospace; font-size: .92em; }
blockquote { border-inline-start: 3px solid #d0d7de; margin-inline-start: 0;
  padding-inline-start: 1em; color: #57606a; }
.empty { color: #57606a; font-style: italic; }
.status-done td, .status-won-t-do td { color: #57606a; }
footer { margin-top: 2.5em; color: #57606a; font-size: .9em; }
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; page-break-after: avoid; }
  tr, td, th, pre, blockquote, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; color: #57606a; }
}
"""

QT_CSS = """
body { font-size: 10pt; color: #1b1f24; }
h1 { font-size: 18pt; }
h2 { font-size: 14pt; margin-top: 14px; }
h3 { font-size: 12pt; } h4, h5, h6 { font-size: 10pt; }
.kicker { color: #57606a; }
th { background-color: #eef1f4; font-weight: bold; text-align: left; }
td, th { border-color: #9aa4ae; }
pre { background-color: #f3f5f7; font-family: "DejaVu Sans Mono", monospace; }
code { font-family: "DejaVu Sans Mono", monospace; }
.empty { color: #57606a; font-style: italic; }
.footer { color: #57606a; font-size: 8pt; }
"""


def to_html(doc: PostmortemDocument) -> str:
    """The post-mortem as a standalone HTML page (UTF-8, inline CSS, no script)."""
    return _page(doc, qt=False)


def to_qt_html(doc: PostmortemDocument) -> str:
    """The same page in the HTML subset QTextDocument renders (for the PDF)."""
    return _page(doc, qt=True)


def render_section_text(text: str) -> str:
    """A section's CommonMark as HTML, its headings nested under the section's ``<h2>``."""
    rendered: str = _renderer().render(nest_headings(text, SECTION_LEVEL + 1))
    return rendered


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def image_as_link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        # An <img> would load from elsewhere: the page stays self-contained with a link.
        token = tokens[idx]
        src = html.escape(str(token.attrGet("src") or ""), quote=True)
        alt = html.escape(token.content or "image")
        return f'<a href="{src}">Image: {alt}</a>'

    md.add_render_rule("image", image_as_link)
    return md


def _page(doc: PostmortemDocument, *, qt: bool) -> str:
    e = _esc
    title = e(doc.title)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{LANG}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{e(doc.generated_by)}">',
        f"<title>Post-mortem: {title}</title>",
        f"<style>{QT_CSS if qt else SCREEN_CSS}</style>",
        "</head>",
        "<body>",
        f'<h1 dir="auto">{title}</h1>',
        f'<p class="kicker">Post-mortem · {e(doc.severity)} · {e(doc.review_state)}</p>',
        _table(("Field", "Value"), metadata(doc), qt, css="meta", header_column=True),
        "<h2>Responders</h2>",
        _table(("Role", "Person"), doc.responders, qt, css="responders")
        if doc.responders
        else '<p class="empty">Nobody recorded.</p>',
    ]
    for section in doc.sections:
        parts.append(f'<h2 id="section-{e(section.key)}" dir="auto">{e(section.title)}</h2>')
        if section.text.strip():
            body = render_section_text(section.text)
            if qt:  # the team's tables get the same borders as ours
                parts.append(body.replace("<table>", _table_open(qt, "text")))
            else:
                parts.append(f'<div class="section" dir="auto">\n{body}</div>')
        else:
            parts.append('<p class="empty">Not written.</p>')
    parts.append("<h2>Timeline</h2>")
    if doc.timeline:
        rows = [(utc_text(r.at), r.kind, r.author, r.text) for r in doc.timeline]
        parts.append(_table(TIMELINE_HEADERS, rows, qt, css="timeline", time_column=True))
    else:
        parts.append('<p class="empty">No timeline entries.</p>')
    parts.append("<h2>Action items</h2>")
    if doc.action_items:
        parts.append(_actions(doc, qt))
    else:
        parts.append('<p class="empty">No action items.</p>')
    parts.append(f'<p class="footer"><small>Generated by {e(doc.generated_by)}.</small></p>')
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _cell_html(text: str) -> str:
    return "<br>".join(_esc(line) for line in text.strip().splitlines())


def _table_open(qt: bool, css: str) -> str:
    if qt:  # QTextDocument reads borders and padding from the attributes
        return (
            f'<table class="{css}" width="100%" border="1" cellspacing="0" cellpadding="4" '
            'style="border-collapse: collapse;">'
        )
    return f'<table class="{css}">'


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    qt: bool,
    *,
    css: str,
    header_column: bool = False,
    time_column: bool = False,
    widths: Sequence[int] = (),
) -> str:
    lines = [_table_open(qt, css)]
    if not header_column:
        lines.append(_head(headers, widths))
    lines.append("<tbody>")
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if header_column and index == 0:
                cells.append(f'<th scope="row">{_esc(value)}</th>')
            elif time_column and index == 0:
                cells.append(f'<td class="time" style="white-space: nowrap;">{_esc(value)}</td>')
            else:
                cells.append(f'<td dir="auto">{_cell_html(value)}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _head(headers: Sequence[str], widths: Sequence[int]) -> str:
    """A header row; ``widths``: percent per column, 0 (or missing) to size by content."""
    cells = []
    for index, header in enumerate(headers):
        width = f' width="{widths[index]}%"' if index < len(widths) and widths[index] else ""
        cells.append(f"<th{width}>{_esc(header)}</th>")
    return "<thead><tr>" + "".join(cells) + "</tr></thead>"


def _actions(doc: PostmortemDocument, qt: bool) -> str:
    lines = [_table_open(qt, "actions")]
    lines.append(_head(ACTION_HEADERS, (0, 34)))
    lines.append("<tbody>")
    for number, item in enumerate(doc.action_items, 1):
        url = item.tracker_url or ""
        if url.lower().startswith(("https://", "http://")):
            tracker = f'<a href="{_esc(url)}">{_esc(url)}</a>'
        else:  # a javascript: or otherwise odd URL is shown, never linked
            tracker = _esc(url) or "-"
        status_class = "".join(c if c.isalnum() else "-" for c in item.status.lower())
        cells = [
            f"<td>{number}</td>",
            f'<td dir="auto">{_cell_html(item.description)}</td>',
            f"<td>{_esc(item.type)}</td>",
            f'<td dir="auto">{_esc(item.owner)}</td>',
            f"<td>{_esc(item.priority)}</td>",
            f"<td>{_esc(item.due or '-')}</td>",
            f"<td>{_esc(item.status)}</td>",
            f"<td>{tracker}</td>",
        ]
        lines.append(f'<tr class="status-{status_class}">' + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)
