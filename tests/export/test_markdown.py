"""The Markdown export, parsed back with markdown-it-py: headings, tables, escaping, bytes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from docsample import CJK, EMOJI, RTL, SCRIPT_TEXT, TITLE, sample_document
from markdown_it import MarkdownIt
from markdown_it.token import Token

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.document import DocSection, PostmortemDocument
from incidentdesk.infra.export import export
from incidentdesk.infra.export.markdown import nest_headings, to_markdown

MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def headings(text: str) -> list[tuple[str, str]]:
    tokens = MD.parse(text)
    return [(t.tag, plain(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]


def plain(inline: Token) -> str:
    """What a reader sees in an inline token (escapes resolved, links as their text)."""
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def tables(text: str) -> list[list[list[str]]]:
    """Every table as rows of cell text (header row first)."""
    found: list[list[list[str]]] = []
    row: list[str] = []
    tokens = MD.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append(plain(tokens[index + 1]))
        elif token.type == "tr_close":
            found[-1].append(row)
    return found


def table_after(text: str, heading: str) -> list[list[str]]:
    """The first table after the ``##`` heading with this text."""
    start = text.index(f"\n## {heading}\n")
    return tables(text[start:])[0]


def test_headings_in_order_with_section_headings_nested(document: PostmortemDocument) -> None:
    got = headings(to_markdown(document))

    assert got[0] == ("h1", TITLE)
    assert [content for tag, content in got if tag == "h2"] == [
        "Responders",
        "Overview",
        "What happened",
        "Contributing factors",
        "Impact",
        "How'd we do | lessons",
        "Timeline",
        "Action items",
    ]
    # "# Sequence" and "## Detail" in the text, a setext "Impact" heading: under their section.
    assert ("h3", "Sequence") in got and ("h4", "Detail") in got and ("h3", "Impact") in got
    assert [tag for tag, _ in got].count("h1") == 1


def test_code_blocks_are_not_headings_and_stay_verbatim(document: PostmortemDocument) -> None:
    text = to_markdown(document)

    assert "# not a heading: inside code" not in [c for _, c in headings(text)]
    assert "```sql\nDROP INDEX ix_entries_account;\n# not a heading: inside code\n```" in text


def test_metadata_table_has_review_reviewers_and_times(document: PostmortemDocument) -> None:
    rows = dict(tuple(r) for r in tables(to_markdown(document))[0][1:])

    assert rows["Severity"] == "SEV2"
    assert rows["Review"] == "in review (revision 2)"
    assert rows["Reviewers"] == "Lena Novak, Dr. Ōtsuka Haruki"
    assert rows["Approved by"] == "Lena Novak"
    assert rows["Services"] == "payments-api, ledger-service"
    assert rows["Started (UTC)"] == "2026-03-10 14:00:00"
    assert rows["Resolved (UTC)"] == "2026-03-10 15:20:00"
    assert rows["Time to acknowledge"] == "4 min"


def test_timeline_table_round_trips_every_cell(document: PostmortemDocument) -> None:
    rows = table_after(to_markdown(document), "Timeline")

    assert rows[0] == ["Time (UTC)", "Kind", "Who", "What"]
    assert len(rows) == 1 + 40
    for row, entry in zip(rows[1:], document.timeline, strict=True):
        # Pipes, <script>, RTL, CJK and emoji show exactly as written; line breaks as <br>.
        what = "<br>".join(line.strip() for line in entry.text.splitlines())
        assert row == [entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.kind, entry.author, what]
    texts = [row[3] for row in rows[1:]]
    assert "Bridge open: #inc-checkout-eu | Zoom link pinned in channel" in texts
    assert f"Pasted from chat: {SCRIPT_TEXT}" in texts
    assert {RTL, CJK, EMOJI} <= set(texts)
    assert "Slow query log:<br>full scans on ledger_entries<br>since deploy" in texts


def test_action_items_table(document: PostmortemDocument) -> None:
    rows = table_after(to_markdown(document), "Action items")

    assert rows[0][:2] == ["#", "Action"]
    assert rows[1] == [
        "1",
        "Migration linter flags dropped indexes",
        "prevent",
        "Lena Novak",
        "P1",
        "2026-03-24",
        "in progress",
        "https://tracker.example.com/LEDGER-881",
    ]
    assert rows[3][1] == "Runbook: recreate an index | safely"
    assert rows[4][1] == f"Review chat export {SCRIPT_TEXT}"
    assert rows[4][6] == "won't do"


def test_plain_text_never_becomes_html(document: PostmortemDocument) -> None:
    rendered = MD.render(to_markdown(document))

    # Only the section's own text is Markdown; with raw HTML off, nothing becomes a tag.
    assert "<script" not in rendered
    assert "&lt;script&gt;" in rendered


def test_same_document_same_bytes(document: PostmortemDocument) -> None:
    again = dataclasses.replace(document, sections=tuple(document.sections))

    first = to_markdown(document)
    assert first == to_markdown(again)
    assert first.endswith("\n") and not first.endswith("\n\n")


def test_empty_parts_say_so() -> None:
    bare = dataclasses.replace(
        sample_document(0),
        responders=(),
        action_items=(),
        sections=(DocSection("summary", "Summary", "  \n"),),
        started_at=None,
        resolved_at=None,
        reviewers=(),
    )
    text = to_markdown(bare)

    assert "*Not written.*" in text and "*No timeline entries.*" in text
    assert "*No action items.*" in text and "*Nobody recorded.*" in text
    rows = dict(tuple(r) for r in tables(text)[0][1:])
    assert rows["Resolved (UTC)"] == "not resolved" and rows["Reviewers"] == "-"


def test_an_unclosed_code_fence_cannot_swallow_the_rest() -> None:
    doc = dataclasses.replace(
        sample_document(3),
        sections=(DocSection("summary", "Summary", "Log:\n\n```\nERROR pool exhausted\n"),),
    )
    got = [c for tag, c in headings(to_markdown(doc)) if tag == "h2"]

    assert got == ["Responders", "Summary", "Timeline", "Action items"]


def test_nest_headings_moves_the_biggest_heading_to_the_top_level() -> None:
    text = "### Low\n\ntext\n\n#### Lower\n\nSetext\n------\n\n    # indented code\n"

    nested = nest_headings(text, 3)

    # The setext "------" heading is a level 2: the biggest, so it becomes the level 3.
    assert headings(nested) == [("h4", "Low"), ("h5", "Lower"), ("h3", "Setext")]
    assert "    # indented code" in nested
    assert nest_headings("###### Six\n\n# One\n", 3).startswith("###### Six\n\n### One")


def test_export_writes_the_file_atomically(document: PostmortemDocument, tmp_path: Path) -> None:
    target = tmp_path / "pm.md"
    target.write_text("old")

    export(document, "md", target)

    assert target.read_bytes() == to_markdown(document).encode()
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


@pytest.mark.parametrize("case", ["missing folder", "folder is a file", "target is a folder"])
def test_unwritable_path_is_a_clear_error_and_leaves_nothing(
    document: PostmortemDocument, tmp_path: Path, case: str
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep me")
    target = {
        "missing folder": tmp_path / "nope" / "pm.md",
        "folder is a file": blocker / "pm.md",
        "target is a folder": tmp_path,
    }[case]

    with pytest.raises(DomainError, match=f"Cannot write {target}"):
        export(document, "md", target)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert blocker.read_text() == "keep me"


def test_unknown_format_is_refused(document: PostmortemDocument, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="'docx' is not an export format"):
        export(document, "docx", tmp_path / "pm.docx")
    assert list(tmp_path.iterdir()) == []
