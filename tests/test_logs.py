"""The log file: where it goes, how it rotates, and that no secret ever reaches it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from incidentdesk.cli.main import main
from incidentdesk.infra import logs

SECRET = "pg-Secret-4711-xyz"


@pytest.fixture(autouse=True)
def _fresh_logging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    yield
    logs.shutdown()
    logs.forget_values()


def lines_of(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_the_log_goes_beside_a_chosen_data_folder_else_to_the_platform_folder(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    assert logs.setup("cli", "default", home) == home / "logs" / "cli.log"
    assert logs.setup("app", "default", home) == home / "logs" / "incidentdesk.log"
    assert logs.setup("app", "training", home) == home / "logs" / "incidentdesk-training.log"
    platform_file = logs.setup("app", "default")
    assert platform_file.is_relative_to(tmp_path / "xdg-state")
    assert logs.current_log_file() == platform_file
    assert not platform_file.exists(), "nothing is created before the first line"
    logging.getLogger("incidentdesk.test").info("hello")
    assert "hello" in lines_of(platform_file)
    assert "[app default]" in lines_of(platform_file)


def test_the_file_rotates_at_one_megabyte_keeping_five(tmp_path: Path) -> None:
    path = logs.setup("app", "default", tmp_path)
    handler = logging.getLogger().handlers[-1]
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert (handler.maxBytes, handler.backupCount) == (1_000_000, 5)
    line = "x" * 10_000
    for _ in range(800):  # ~8 MB
        logging.getLogger("incidentdesk.test").info(line)
    handler.flush()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["incidentdesk.log"] + [f"incidentdesk.log.{n}" for n in range(1, 6)]
    assert all(p.stat().st_size <= 1_000_000 + 20_000 for p in path.parent.iterdir())


def test_other_libraries_log_only_warnings(tmp_path: Path) -> None:
    path = logs.setup("cli", "default", tmp_path)
    logging.getLogger("sqlalchemy.engine.Engine").info("SELECT * FROM events")
    logging.getLogger("sqlalchemy.pool").warning("pool exhausted")
    logging.getLogger("incidentdesk.runtime.sync").info("pulled 3 events")
    text = lines_of(path)
    assert "SELECT" not in text
    assert "pool exhausted" in text and "pulled 3 events" in text


def test_registered_values_are_masked_in_messages_arguments_and_tracebacks(
    tmp_path: Path,
) -> None:
    path = logs.setup("app", "default", tmp_path)
    logs.redact_value(SECRET)
    log = logging.getLogger("incidentdesk.test")
    log.info("typed %s by mistake", SECRET)
    log.warning(f"inline {SECRET}")
    try:
        raise RuntimeError(f"backend echoed {SECRET}")
    except RuntimeError:
        log.exception("step failed")
    text = lines_of(path)
    assert SECRET not in text
    assert text.count(logs.MASK) == 3
    assert "RuntimeError: backend echoed [secret]" in text


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("connecting to postgresql://app:hunter22@db.example.org:5432/x", "hunter22"),
        ("libpq: host=db user=app password=hunter22 sslmode=require", "hunter22"),
        ('{"token": "tok_live_ABC123"}', "tok_live_ABC123"),
        ("headers: Authorization: Bearer eyJhbGciOi.payload", "eyJhbGciOi.payload"),
        ("POST https://hooks.slack.com/services/T000/B000/XXXXSECRET", "XXXXSECRET"),
        ("api_key=AKIA1234 region=eu", "AKIA1234"),
    ],
)
def test_secret_shapes_nobody_registered_are_masked(line: str, hidden: str) -> None:
    masked = logs.redact(line)
    assert hidden not in masked and logs.MASK in masked


def test_ordinary_lines_are_left_alone() -> None:
    for line in (
        "tests passed: 12",
        "secret shared-db kept for this session only (no usable keyring)",
        "The system keyring refused to store the secret 'shared-db' (KeyringError).",
        "Saved postgresql://app@db.example.org:5432/incidents (sslmode require).",
    ):
        assert logs.redact(line) == line


def test_a_short_secret_is_masked_only_as_a_word(tmp_path: Path) -> None:
    logs.redact_value("abc")
    assert logs.redact("abc is it; abcdef is not") == "[secret] is it; abcdef is not"


def test_environment_secrets_never_reach_the_cli_log(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data_dir: Path,
) -> None:
    """A secret from the environment, then a bug whose message carries it: the command
    line's own error path logs the traceback, masked."""
    monkeypatch.setenv("INCIDENTDESK_SECRET_SHARED_DB", SECRET)
    import incidentdesk.cli.main as cli

    def broken(*_args: object) -> int:
        raise RuntimeError(f"could not use {SECRET} for postgresql://app:{SECRET}@db/x")

    monkeypatch.setitem(cli.HANDLERS, "incidents", broken)
    with pytest.raises(RuntimeError):
        main(["--data-dir", str(data_dir), "incidents"])
    path = data_dir / "logs" / "cli.log"
    text = lines_of(path)
    assert "incidentdesk incidents failed unexpectedly" in text
    assert "Traceback" in text and "RuntimeError" in text
    assert SECRET not in text
    capsys.readouterr()


def test_a_command_that_logs_nothing_leaves_no_log(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(data_dir), "incidents"]) == 0
    assert not (data_dir / "logs").exists()
    capsys.readouterr()
