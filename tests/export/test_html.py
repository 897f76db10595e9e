"""The HTML export: self-contained, printable, user text escaped, the same bytes every time."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

from docsample import CJK, RTL, SCRIPT_TEXT, TITLE, sample_document

from incidentdesk.core.postmortem.document import DocSection, PostmortemDocument
from incidentdesk.infra.export import export
from incidentdesk.infra.export.html import to_html, to_qt_html


class Page(HTMLParser):
    """Every start tag with its attributes, and the visible text."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def test_self_contained_no_script_no_external_resource(document: PostmortemDocument) -> None:
    source = to_html(document)
    page = Page(source)

    assert page.named("script") == [] and page.named("link") == []
    assert page.named("img") == [] and page.named("iframe") == []
    assert not any("src" in attrs for _, attrs in page.tags)
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert "url(" not in source and "@import" not in source
    # The only links are the ones the team wrote.
    assert sorted(a["href"] or "" for a in page.named("a")) == [
        "https://runbooks.example.com/ledger",
        "https://status.example.com/incidents/881",
        "https://tracker.example.com/LEDGER-881",
    ]


def test_head_declares_utf8_language_and_title(document: PostmortemDocument) -> None:
    page = Page(to_html(document))

    assert page.named("html") == [{"lang": "en"}]
    assert {"charset": "utf-8"} in page.named("meta")
    assert f"Post-mortem: {TITLE}" in page.text
    assert page.named("h1") == [{"dir": "auto"}]


def test_printable(document: PostmortemDocument) -> None:
    source = to_html(document)

    assert "@media print" in source and "@page" in source
    print_css = source[source.index("@media print") :]
    assert re.search(r"tr[^{]*\{[^}]*page-break-inside: avoid", print_css)
    assert "display: table-header-group" in print_css


def test_user_text_is_escaped_never_markup(document: PostmortemDocument) -> None:
    source = to_html(document)
    page = Page(source)
    text = "".join(page.text)

    assert "<script" not in source and "<b>" not in source
    assert SCRIPT_TEXT in text  # shown as words: in a section, the timeline, an action item
    assert source.count("&lt;script&gt;") == 3
    assert "<b>bold?</b>" in text


def test_markdown_in_sections_is_rendered_with_nested_headings(
    document: PostmortemDocument,
) -> None:
    source = to_html(document)
    page = Page(source)

    assert [t for t, _ in page.tags if t in ("h1", "h2", "h3", "h4")][:8] == [
        "h1",
        "h2",  # Responders
        "h2",  # Overview
        "h2",  # What happened
        "h3",  # Sequence
        "h4",  # Detail
        "h2",  # Contributing factors
        "h2",  # Impact
    ]
    assert "<li>nested: staging data is 1% of production</li>" in source
    assert '<code class="language-sql">DROP INDEX ix_entries_account;' in source
    assert "<td>Failed payments</td>" in source  # the team's own Markdown table


def test_timeline_and_actions_tables(document: PostmortemDocument) -> None:
    source = to_html(document)
    timeline = source[source.index('<table class="timeline">') :]
    timeline = timeline[: timeline.index("</table>")]

    assert timeline.count("<tr>") == 1 + 40
    assert '<td class="time" style="white-space: nowrap;">2026-03-10 14:00:00</td>' in timeline
    assert f'<td dir="auto">{RTL}</td>' in timeline and f'<td dir="auto">{CJK}</td>' in timeline
    assert "Slow query log:<br>full scans on ledger_entries<br>since deploy" in timeline
    assert '<tr class="status-won-t-do">' in source


def test_images_become_links_and_unsafe_urls_are_not_linked() -> None:
    doc = dataclasses.replace(
        sample_document(2),
        sections=(
            DocSection(
                "support",
                "Supporting information",
                "![latency graph](https://grafana.example.com/render/p99.png)\n\n"
                "[click](javascript:alert(1))\n",
            ),
        ),
        action_items=(
            dataclasses.replace(
                sample_document().action_items[0], tracker_url="javascript:alert(1)"
            ),
        ),
    )
    page = Page(to_html(doc))

    assert page.named("img") == []
    hrefs = [a["href"] for a in page.named("a")]
    assert hrefs == ["https://grafana.example.com/render/p99.png"]
    assert "Image: latency graph" in page.text
    assert "javascript:alert(1)" in "".join(page.text)  # shown, never a link


def test_same_document_same_bytes(document: PostmortemDocument, tmp_path: Path) -> None:
    export(document, "html", tmp_path / "a.html")
    export(sample_document(), "html", tmp_path / "b.html")

    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == to_html(document)


def test_qt_variant_has_the_same_content_without_print_css(document: PostmortemDocument) -> None:
    qt = to_qt_html(document)

    assert "@media" not in qt and "<script" not in qt
    assert Page(qt).text.count("Timeline") == 1
    assert qt.count('border="1"') == 5  # metadata, responders, the team's table, timeline, actions
