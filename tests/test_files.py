"""Files named by a person or a peer are read with a bound, and only when they are files.

Real FIFOs, real devices, real symlinks: a load must neither hang nor read without end.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from incidentdesk.cli.main import main
from incidentdesk.core.postmortem.blameless import RulesError
from incidentdesk.infra.files import MIB, BoundedLines, FileRefused, read_bounded, read_bounded_text
from incidentdesk.infra.rules import load_rules
from incidentdesk.infra.templates import load_templates

# Each test is bounded: a FIFO that blocked the open or the read would fail it, not hang CI.
pytestmark = pytest.mark.timeout(60)


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def zero_link(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


def oversize(path: Path, size: int) -> Path:
    path.write_bytes(b"#" * size)
    return path


# Each hostile kind of file, made at a given path, and the words its refusal must use.
HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (fifo, "is a named pipe (FIFO)"),
    "symlink to /dev/zero": (zero_link, "is a character device (it links to /dev/zero)"),
    "/dev/zero": (lambda _path: Path("/dev/zero"), "/dev/zero is a character device"),
    "folder": (lambda path: (path.mkdir(), path)[1], "is a folder"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_anything_but_a_regular_file_is_refused_in_one_sentence(kind: str, tmp_path: Path) -> None:
    make, says = HOSTILE[kind]
    path = make(tmp_path / "catalog.toml")
    with pytest.raises(FileRefused) as caught:
        read_bounded(path, MIB, "catalog")
    message = str(caught.value)
    assert says in message and "not a regular file" in message
    assert message.startswith("The catalog ") and message.count(". ") == 0


def test_a_file_over_its_limit_is_refused_and_one_at_the_limit_is_read(tmp_path: Path) -> None:
    exact = oversize(tmp_path / "exact.toml", MIB)
    assert len(read_bounded(exact, MIB, "catalog")) == MIB
    big = oversize(tmp_path / "big.toml", MIB + 1)
    with pytest.raises(FileRefused, match=r"big.toml is larger than 1 MiB"):
        read_bounded(big, MIB, "catalog")


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_text("key = 1\n", encoding="utf-8")
    (tmp_path / "link.toml").symlink_to(real)
    assert read_bounded_text(tmp_path / "link.toml", MIB, "catalog") == "key = 1\n"


def test_not_utf8_text_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"name = '\xe9'\n")
    with pytest.raises(FileRefused, match=r"is not UTF-8 text \(byte 8"):
        read_bounded_text(path, MIB, "template")


def test_lines_are_streamed_with_a_cap_per_line_and_in_all(tmp_path: Path) -> None:
    path = tmp_path / "archive.jsonl"
    path.write_bytes(b"short\n" + b"x" * 100 + b"\nend\n")
    with BoundedLines(path, "archive", 1000, 200) as lines:
        assert [len(line) for line in lines] == [6, 101, 4]
    with (
        BoundedLines(path, "archive", 1000, 50) as lines,
        pytest.raises(FileRefused, match=r"Line 2 of the archive .* is longer than 50 bytes"),
    ):
        list(lines)
    with (
        BoundedLines(path, "archive", 100, 200) as lines,
        pytest.raises(FileRefused, match=r"is larger than 100 bytes"),
    ):
        list(lines)


# ------------------------------------------------------------------ where the app reads


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_team_template_that_is_not_a_file_is_reported_and_the_rest_load(
    kind: str, tmp_path: Path
) -> None:
    make, says = HOSTILE[kind]
    folder = tmp_path / "templates"
    folder.mkdir()
    if kind == "/dev/zero":
        (folder / "zero.toml").symlink_to("/dev/zero")
        says = "is a character device"
    else:
        make(folder / "hostile.toml")
    loaded = load_templates(tmp_path)
    assert loaded.get("standard") is not None, "the shipped templates still load"
    assert len(loaded.errors) == 1 and says in str(loaded.errors[0])


def test_an_oversize_template_is_reported(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    oversize(tmp_path / "templates" / "huge.toml", 300 * 1024)
    errors = load_templates(tmp_path).errors
    assert len(errors) == 1 and "is larger than 256 KiB" in str(errors[0])


@pytest.mark.parametrize("kind", ["fifo", "symlink to /dev/zero", "/dev/zero"])
def test_a_rules_file_that_is_not_a_file_is_refused(kind: str, tmp_path: Path) -> None:
    make, says = HOSTILE[kind]
    path = make(tmp_path / "team-rules.toml")
    with pytest.raises(RulesError, match=r"not a regular file") as caught:
        load_rules([path])
    assert says in str(caught.value)


def test_an_oversize_rules_file_is_refused(tmp_path: Path) -> None:
    path = oversize(tmp_path / "team-rules.toml", MIB + 1)
    with pytest.raises(RulesError, match=r"is larger than 1 MiB"):
        load_rules([path])


def run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *args])
    _out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize(
    ("command", "name", "code"),
    [
        (("catalog", "import"), "catalog.toml", 1),
        (("catalog", "import"), "catalog-info.yaml", 1),
        (("archive", "import"), "backup.jsonl", 1),
        (("postmortem", "lint"), "pm.md", 2),
    ],
)
def test_the_cli_refuses_hostile_files_with_one_line_and_an_exit_code(
    kind: str,
    command: tuple[str, ...],
    name: str,
    code: int,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, says = HOSTILE[kind]
    path = make(tmp_path / name)
    got, err = run(data_dir, capsys, *command, str(path))
    assert got == code, err
    assert says in err and "not a regular file" in err
    assert err.count("\n") == 1, err


@pytest.mark.parametrize(
    ("command", "name", "size", "says", "code"),
    [
        (("catalog", "import"), "catalog.toml", 16 * MIB + 1, "is larger than 16 MiB", 1),
        (("postmortem", "lint"), "pm.md", 10 * MIB + 1, "is larger than 10 MiB", 2),
    ],
)
def test_the_cli_refuses_an_oversize_file(
    command: tuple[str, ...],
    name: str,
    size: int,
    says: str,
    code: int,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = oversize(tmp_path / name, size)
    got, err = run(data_dir, capsys, *command, str(path))
    assert got == code and says in err, err


def test_lint_refuses_a_people_file_that_is_a_fifo(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post_mortem = tmp_path / "pm.md"
    post_mortem.write_text("# Summary\n\nThe cache expired.\n", encoding="utf-8")
    people = fifo(tmp_path / "people.txt")
    got, err = run(
        data_dir, capsys, "postmortem", "lint", str(post_mortem), "--people", str(people)
    )
    assert got == 2 and "people file" in err and "named pipe (FIFO)" in err, err


def test_an_archive_line_longer_than_the_cap_is_refused_and_nothing_imported(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incidentdesk.app import archive

    monkeypatch.setattr(archive, "ARCHIVE_LINE_LIMIT", 1024)
    path = tmp_path / "backup.jsonl"
    path.write_bytes(
        b'{"incidentdesk_archive": 1, "exported_at": "2026-12-01T00:00:00+00:00", "events": 1}\n'
        + b"{"
        + b" " * 4096
        + b"}\n"
    )
    got, err = run(data_dir, capsys, "archive", "import", str(path))
    assert got == 1 and "Line 2 of the archive" in err and "longer than 1 KiB" in err, err
    assert run(data_dir, capsys, "incidents")[0] == 0
