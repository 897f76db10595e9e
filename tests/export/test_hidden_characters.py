"""Every export shows hidden characters (bidi overrides, zero-width) as visible markers."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest
from docsample import sample_document

from incidentdesk.core.postmortem.document import DocSection, DocTimelineRow
from incidentdesk.infra.export import export

SPOOF = "RTL \u202egnp.exe\u202c"
SHOWN = "RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩"


def spoofed_document():  # type: ignore[no-untyped-def]
    doc = sample_document(rows=3)
    row = DocTimelineRow(doc.timeline[0].at, "note", "Mall\u200bory", f"uploaded {SPOOF}")
    section = DocSection("summary", "Summary", f"The file {SPOOF} was opened.")
    return dataclasses.replace(
        doc,
        title=f"Incident {SPOOF}",
        timeline=(*doc.timeline, row),
        sections=(section, *doc.sections[1:]),
    )


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_text_exports_show_markers_never_the_controls(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"pm.{fmt}"
    export(spoofed_document(), fmt, path)
    text = path.read_text(encoding="utf-8")
    for hidden in ("\u202e", "\u202c", "\u200b"):
        assert hidden not in text
    assert f"Incident {SHOWN}" in text
    assert f"uploaded {SHOWN}" in text and "Mall⟨U+200B⟩ory" in text
    assert f"The file {SHOWN} was opened." in text


def test_the_pdf_shows_markers_never_the_controls(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "pm.pdf"
    export(spoofed_document(), "pdf", path)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "\u202e" not in text
    assert "U+202E" in text and "gnp.exe" in text
