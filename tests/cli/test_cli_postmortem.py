"""``incidentdesk postmortem export`` on the demo incident, and the ``postmortem`` parsers."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from incidentdesk.cli.main import build_parser, main

DEMO_TITLE = "EU checkout failing: payments-api 5xx from ledger-service timeouts"


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--data-dir", str(data_dir), *args], out)
    return code, out.getvalue()


@pytest.fixture
def demo(data_dir: Path) -> tuple[Path, str]:
    code, out = run(data_dir, "demo")
    assert code == 0
    return data_dir, out.strip()


def test_export_markdown_and_html_by_id_prefix(demo: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, incident = demo
    md, page = tmp_path / "pm.md", tmp_path / "pm.html"

    code, _ = run(data_dir, "postmortem", "export", incident[:13], "--format", "md", "-o", str(md))
    assert code == 0
    code, out = run(data_dir, "postmortem", "export", incident, "-o", str(page))  # from .html

    assert code == 0 and out.strip() == str(page)
    text = md.read_text(encoding="utf-8")
    assert text.startswith(f"# {DEMO_TITLE}\n")
    assert "| Ops Lead | Priya Raman |" in text and "## Timeline" in text
    assert "Hypothesis: migration 0142 dropped index ix\\_entries\\_account" in text
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_export_pdf_reads_back(demo: tuple[Path, str], tmp_path: Path, qtbot: QtBot) -> None:
    # qtbot: this process's QApplication exists first (making one is tested in tests/export).
    data_dir, incident = demo
    target = tmp_path / "pm.pdf"

    code, _ = run(data_dir, "postmortem", "export", incident, "--format", "pdf", "-o", str(target))

    assert code == 0
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(target), "-"], capture_output=True, text=True
        ).stdout.split()
    )
    assert DEMO_TITLE in text and "Timeline" in text and "Priya Raman" in text
    assert "Hypothesis: migration 0142 dropped index ix_entries_account" in text


def test_export_same_data_same_bytes(demo: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, incident = demo
    for name in ("a.md", "b.md"):
        run(data_dir, "postmortem", "export", incident, "-o", str(tmp_path / name))

    assert (tmp_path / "a.md").read_bytes() == (tmp_path / "b.md").read_bytes()


def test_export_errors_are_one_sentence(
    demo: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, incident = demo

    code, _ = run(data_dir, "postmortem", "export", incident, "-o", str(tmp_path / "pm.docx"))
    assert code == 1
    assert "Cannot tell the format of" in capsys.readouterr().err

    missing = tmp_path / "no-such-folder" / "pm.pdf"
    code, _ = run(data_dir, "postmortem", "export", incident, "-o", str(missing))
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"incidentdesk: Cannot write {missing}: the folder")
    assert "Traceback" not in err
    assert not missing.parent.exists()


def test_lint_runs_without_the_database_and_export_with_it() -> None:
    parser = build_parser()

    lint = parser.parse_args(["postmortem", "lint", "pm.md", "--people", "names.txt", "--json"])
    export = parser.parse_args(["postmortem", "export", "0195", "-o", "x.pdf"])

    assert (lint.command, lint.postmortem_command, lint.no_desk) == ("postmortem", "lint", True)
    assert (lint.file, lint.people, lint.json) == ("pm.md", "names.txt", True)
    assert not getattr(export, "no_desk", False)
    assert (export.id, export.output, export.format) == ("0195", "x.pdf", None)


def test_postmortem_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["postmortem"])
    assert exit_info.value.code == 2
    assert "ACTION" in capsys.readouterr().err
