"""``incidentdesk postmortem lint FILE.md [--people FILE] [--json]``: output, exit codes, bad
input; through ``run_lint`` and through the ``incidentdesk`` command line."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from incidentdesk.cli.lint import run_lint
from incidentdesk.cli.main import main

POSTMORTEM = """# Checkout outage

## What happened

At 14:02 the error rate rose. We should have caught this in staging.
Alice broke the deploy, and the root cause was a full disk.

> Bob: I just restarted it, obviously

```
just restart it
```
"""


def lint(path: Path, people: Path | None = None, as_json: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    args = argparse.Namespace(file=str(path), people=str(people) if people else None, json=as_json)
    return run_lint(args, out), out.getvalue()


@pytest.fixture
def postmortem(tmp_path: Path) -> Path:
    path = tmp_path / "pm.md"
    path.write_text(POSTMORTEM, encoding="utf-8")
    return path


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.txt"
    path.write_text("# the on-call rota\nAlice\n\n  Bob  \n", encoding="utf-8")
    return path


def test_findings_are_listed_one_per_line_with_a_summary_and_exit_1(postmortem: Path) -> None:
    code, out = lint(postmortem)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f'{postmortem}:5:34: counterfactual: "should have" — A counterfactual describes what'
        " did not happen, judged with hindsight nobody had at the time. (suggestion: Describe"
        " what did happen, what people knew then, and what made that choice reasonable.)"
    )
    assert lines[1].startswith(f'{postmortem}:6:29: root-cause: "the root cause was" — ')
    assert lines[-1] == f"{postmortem}: 2 findings (1 counterfactual, 1 root-cause)."
    assert len(lines) == 3


def test_people_are_named_from_the_people_file(postmortem: Path, people: Path) -> None:
    code, out = lint(postmortem, people)
    assert code == 1
    assert f'{postmortem}:6:1: named-person: "Alice broke" — ' in out
    assert out.splitlines()[-1] == (
        f"{postmortem}: 3 findings (1 counterfactual, 1 named-person, 1 root-cause)."
    )


def test_json_lists_every_finding_with_exact_offsets(postmortem: Path, people: Path) -> None:
    code, out = lint(postmortem, people, as_json=True)
    assert code == 1
    findings = json.loads(out)
    text = postmortem.read_text(encoding="utf-8")
    assert [f["text"] for f in findings] == ["should have", "Alice broke", "the root cause was"]
    for finding in findings:
        assert set(finding) == {
            "file", "line", "column", "start", "end", "text", "rule", "category",
            "explanation", "suggestion",
        }  # fmt: skip
        assert finding["file"] == str(postmortem)
        assert text[finding["start"] : finding["end"]] == finding["text"]
        line = text.splitlines()[finding["line"] - 1]
        assert line[finding["column"] - 1 :].startswith(finding["text"])
    assert findings[1]["rule"] == "named-person.did-mistake"


def test_a_clean_file_exits_0(tmp_path: Path) -> None:
    clean = tmp_path / "clean.md"
    clean.write_text("# Review\n\nThe pod failed to start; the JIT compiler was cold.\n", "utf-8")
    assert lint(clean) == (0, f"{clean}: no findings.\n")
    assert lint(clean, as_json=True) == (0, "[]\n")


def test_a_byte_order_mark_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeffObviously.".encode())
    code, out = lint(path, as_json=True)
    assert code == 1
    assert json.loads(out)[0]["start"] == 0 and json.loads(out)[0]["column"] == 1


def test_odd_unicode_keeps_spans_exact(tmp_path: Path) -> None:
    path = tmp_path / "odd.md"
    text = "😀 \u200fשלום\u200e e\u0301\u0301 👩🏽‍💻 Zoë simply forgot to check.\n"
    path.write_text(text, encoding="utf-8")
    names = tmp_path / "names.txt"
    names.write_text("Zoë\n", encoding="utf-8")
    code, out = lint(path, names, as_json=True)
    assert code == 1
    [finding] = json.loads(out)
    assert finding["text"] == "Zoë simply forgot to"
    assert text[finding["start"] : finding["end"]] == finding["text"]


def _bad_input(capsys: pytest.CaptureFixture[str], path: Path, people: Path | None = None) -> str:
    assert lint(path, people) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith("incidentdesk: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, postmortem: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.md"
    assert f"The post-mortem file {missing} does not exist." in _bad_input(capsys, missing)
    assert "is a folder" in _bad_input(capsys, tmp_path)
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "is not text (it holds NUL bytes)" in _bad_input(capsys, binary)
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes("Le déploiement.".encode("latin-1"))
    assert "is not UTF-8 text (byte 4 cannot be read)" in _bad_input(capsys, latin1)


def test_a_bad_people_file_exits_2_naming_the_line(
    tmp_path: Path, postmortem: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nobody.txt"
    assert f"The people file {missing} does not exist." in _bad_input(capsys, postmortem, missing)
    bad = tmp_path / "people.txt"
    bad.write_text("Alice\nBo\x07b\n", encoding="utf-8")
    err = _bad_input(capsys, postmortem, bad)
    assert f"{bad}, line 2: " in err and "control character" in err
    bad.write_bytes(b"Alice\n\xff\n")
    assert "is not UTF-8 text" in _bad_input(capsys, postmortem, bad)


@pytest.mark.slow
@pytest.mark.timeout(900)  # a hang fails here; how fast it is, lint_bench.py measures
def test_a_10_mb_file_is_checked_without_hanging(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    block = (
        'We should have "quoted `code" and `more` ‘text’ \u202e 😀 it\'s just a bug.\n'
        "> Alice: obviously\n\n    indented\n\n``` unclosed? no\nfenced\n```\n"
        "https://example.com/just [link](https://x.y/z) <!-- c --> The root cause was X.\n\n"
    )
    path.write_text(block * (10_000_000 // len(block)), encoding="utf-8")
    code, out = lint(path)
    assert code == 1
    assert out.splitlines()[-1].endswith("root-cause).")


# --- through the command line --------------------------------------------------------------


def test_postmortem_lint_runs_from_the_command_line_without_a_database(
    data_dir: Path, postmortem: Path, people: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(data_dir), "postmortem", "lint", str(postmortem)]
    assert main([*args, "--people", str(people), "--json"]) == 1
    out = capsys.readouterr().out
    assert [f["category"] for f in json.loads(out)] == [
        "counterfactual",
        "named-person",
        "root-cause",
    ]
    assert not list(data_dir.glob("*.sqlite3"))  # no local database was opened
    assert main(args) == 1
    assert capsys.readouterr().out.splitlines()[-1].endswith("(1 counterfactual, 1 root-cause).")


def test_postmortem_lint_from_the_command_line_exits_2_on_bad_input(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data-dir", str(data_dir), "postmortem", "lint", str(tmp_path / "none.md")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("incidentdesk: The post-mortem file") and err.count("\n") == 1


def test_postmortem_lint_from_the_command_line_exits_0_when_clean(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.md"
    clean.write_text("The pod failed to start.\n", encoding="utf-8")
    assert main(["--data-dir", str(data_dir), "postmortem", "lint", str(clean)]) == 0
    assert capsys.readouterr().out == f"{clean}: no findings.\n"
