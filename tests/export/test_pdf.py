"""The PDF export, read back with poppler's ``pdftotext``: content, metadata, determinism, and
rendering from a command-line process and from a worker thread of a running app."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from docsample import SCRIPT_TEXT, TITLE, sample_document
from pytestqt.qtbot import QtBot

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.document import PostmortemDocument
from incidentdesk.infra.export import export
from incidentdesk.infra.export.pdf import to_pdf

REPO = Path(__file__).resolve().parents[2]


def pdf_text(path: Path, *extra: str) -> str:
    done = subprocess.run(
        ["pdftotext", *extra, str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (cells wrap)."""
    return " ".join(text.split())


def check_content(path: Path, doc: PostmortemDocument) -> None:
    text = flat(pdf_text(path))
    assert TITLE in text
    for section in doc.sections:
        assert section.title in text
    for heading in ("Responders", "Timeline", "Action items"):
        assert heading in text
    assert "in review (revision 2)" in text
    assert "Lena Novak, Dr. Ōtsuka Haruki" in text
    for row in doc.timeline:
        assert row.at.strftime("%Y-%m-%d %H:%M:%S") in text
    assert "Opened ticket LEDGER-881: migration linter must flag drops" in text
    assert "Migration linter flags dropped indexes" in text
    assert f"Review chat export {SCRIPT_TEXT}" in text
    assert "page 1 of" in text


@pytest.fixture
def pdf_path(tmp_path: Path) -> Path:
    return tmp_path / "postmortem.pdf"


def test_pdf_shows_the_whole_post_mortem(
    qtbot: QtBot, document: PostmortemDocument, pdf_path: Path
) -> None:
    to_pdf(document, pdf_path)

    check_content(pdf_path, document)
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True).stdout
    assert f"Title:           Post-mortem: {TITLE}" in info
    assert "Creator:         IncidentDesk" in info
    assert "Page size:       595 x 842 pts (A4)" in info


def test_timeline_is_a_table_of_rows(
    qtbot: QtBot, document: PostmortemDocument, pdf_path: Path
) -> None:
    to_pdf(document, pdf_path)

    lines = [" ".join(line.split()) for line in pdf_text(pdf_path, "-layout").splitlines()]
    # Time, kind, who and the start of what on one line: a table row, not a paragraph.
    assert "2026-03-10 14:04:02 milestone Maya Chen Acknowledged" in lines
    assert "2026-03-10 14:34:17 action Lena Novak CREATE INDEX CONCURRENTLY" in lines
    assert sum(line.startswith("Time (UTC) Kind Who What") for line in lines) >= 2  # repeated


def test_same_document_same_text(
    qtbot: QtBot, document: PostmortemDocument, tmp_path: Path
) -> None:
    to_pdf(document, tmp_path / "a.pdf")
    export(sample_document(), "pdf", tmp_path / "b.pdf")

    assert pdf_text(tmp_path / "a.pdf") == pdf_text(tmp_path / "b.pdf")


def test_cjk_emoji_and_rtl_do_not_break_it(qtbot: QtBot, pdf_path: Path) -> None:
    doc = sample_document(200)  # several pages of odd scripts

    to_pdf(doc, pdf_path)

    text = pdf_text(pdf_path)
    assert "שגיאה" in text  # Hebrew has a font here; CJK and emoji may not, and must not crash
    assert "page 5 of" in flat(text)


# A known defect, not the test's: the PDF writer (infra/export/pdf.py) lays its document out
# on a Python thread, which has no Qt event dispatcher, so the layout's deferred-relayout timer
# cannot start and Qt says so. The layout is forced at once (pageCount, drawContents), and the
# PDF is complete (read back here). To go when the writer runs on a QThread or without it.
@pytest.mark.qt_log_ignore(r"^QBasicTimer::start: current thread's event dispatcher has already")
def test_from_a_worker_thread_while_the_app_runs(
    qtbot: QtBot, document: PostmortemDocument, pdf_path: Path
) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            to_pdf(document, pdf_path)
        except BaseException as exc:  # reported to the test's thread
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=30_000)  # the GUI loop keeps running

    assert errors == []
    check_content(pdf_path, document)


def test_from_a_command_line_process_with_no_display(tmp_path: Path) -> None:
    out = tmp_path / "cli.pdf"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]);"
        "from docsample import sample_document; from incidentdesk.infra.export.pdf import to_pdf;"
        "to_pdf(sample_document(), Path(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(out), str(Path(__file__).parent)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    check_content(out, sample_document())


def test_unwritable_path_is_a_clear_error_and_leaves_nothing(
    qtbot: QtBot, document: PostmortemDocument, tmp_path: Path
) -> None:
    missing = tmp_path / "reports" / "pm.pdf"
    with pytest.raises(DomainError, match=f"Cannot write {missing}: the folder .* does not exist"):
        to_pdf(document, missing)

    with pytest.raises(DomainError, match="it is a folder"):
        export(document, "pdf", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_leaves_the_old_file(
    qtbot: QtBot, document: PostmortemDocument, pdf_path: Path
) -> None:
    pdf_path.write_bytes(b"%PDF previous export")
    broken = sample_document()
    object.__setattr__(broken, "sections", None)  # a bug mid-render

    with pytest.raises(TypeError):
        to_pdf(broken, pdf_path)

    assert pdf_path.read_bytes() == b"%PDF previous export"
    assert [p.name for p in pdf_path.parent.iterdir()] == [pdf_path.name]
