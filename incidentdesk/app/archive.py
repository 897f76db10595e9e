"""Archives: the whole local journal as JSON Lines, for offline review and backups.

The first line is a header, ``{"incidentdesk_archive": 1, "exported_at": …, "events": N}``;
then one event per line, in the order they arrived here, with every field of the journal
row and nothing else (``occurred_at`` in ISO 8601, UTC). The journal holds no secrets.

An import checks every line at the trust boundary (``core/boundary.py``) and adds the events
in one transaction as if they had been received from the shared server (already present ones
are skipped), and puts them in the outbox so a restored backup reaches the shared database.
A line that cannot be read is quarantined and named with its number; the rest is imported.
"""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from incidentdesk.app.desk import Desk
from incidentdesk.core.errors import DomainError, UserError
from incidentdesk.core.journal.events import KINDS, Event, validate_payload
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import format_utc
from incidentdesk.infra.export import sync_folder
from incidentdesk.infra.files import ARCHIVE_LIMIT, ARCHIVE_LINE_LIMIT, BoundedLines

FORMAT = 1
HEADER_KEY = "incidentdesk_archive"
FIELDS = ("id", "incident_id", "kind", "payload", "occurred_at", "hlc", "author", "device")
# What the shared server stamped (a claim once in a file, as every field is): may be absent.
OPTIONAL = ("recorded_by", "received_at")
PROVENANCE = OPTIONAL  # set once the server stamped it
MAX_PROBLEMS = 5  # the first few problems are reported; the rest are counted


class ArchiveError(UserError):
    """An archive cannot be written or read; the message says why and where."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes:
        added: events new to this journal.
        skipped: events that were already here.
        incidents: the incidents that received events.
        quarantined: lines that could not be read, newly kept aside (never applied).
        problems: each line that could not be read, or was odd, as ``line N: what``.
    """

    added: int
    skipped: int
    incidents: tuple[str, ...]
    quarantined: int = 0
    problems: tuple[str, ...] = ()


class _Problem(Exception):
    """One line of an archive is wrong; the message says what."""


# ------------------------------------------------------------------------ export


def export_archive(desk: Desk, path: Path) -> int:
    """Write the whole local journal to ``path``; returns the number of events.

    The file appears complete or not at all: it is written beside the target, flushed to
    disk, then renamed over it.

    Raises:
        ArchiveError: the file cannot be written there.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ArchiveError(f"The folder {folder} does not exist; choose another place.")
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder; give the archive a file name.")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
            "wb", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise ArchiveError(f"Cannot write in {folder}: {exc.strerror}.") from None
    temp = Path(handle.name)
    try:
        with handle:
            total = desk.exchange.read_journal(
                lambda count: _write_header(handle, desk.clock(), count),
                lambda batch: _write_events(handle, batch),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        sync_folder(folder)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ArchiveError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return total


def _write_header(out: IO[bytes], now: datetime, count: int) -> None:
    header = {HEADER_KEY: FORMAT, "exported_at": format_utc(now), "events": count}
    out.write(_line(header))


def _write_events(out: IO[bytes], batch: list[Event]) -> None:
    out.write(b"".join(_line(event_json(e)) for e in batch))


def event_json(event: Event) -> dict[str, Any]:
    """One archive line's object: every field of the journal row."""
    return {
        "id": event.id,
        "incident_id": event.incident_id,
        "kind": event.kind,
        "payload": event.payload,
        "occurred_at": format_utc(event.occurred_at),
        "hlc": event.hlc,
        "author": event.author,
        "device": event.device,
        **_provenance_json(event),
    }


def _provenance_json(event: Event) -> dict[str, Any]:
    # What the shared server stamped, only for events that went through it: an archive of a
    # local-only journal stays readable by releases before these fields.
    if event.recorded_by is None:
        return {}
    received = None if event.received_at is None else format_utc(event.received_at)
    return {"recorded_by": event.recorded_by, "received_at": received}


def _line(data: dict[str, Any]) -> bytes:
    # json.dumps escapes line breaks inside strings: one object is always one line.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


# ------------------------------------------------------------------------ import


def import_archive(desk: Desk, path: Path) -> ImportResult:
    """Add the events of an archive to the local journal, in one transaction.

    Every line is checked at the trust boundary (``core/boundary.py``) and by the archive's
    own rules: a line that fails is quarantined (kept as written, never applied: source
    ``archive``, ``FILE:LINE``) and named in :attr:`ImportResult.problems`; the other lines
    are imported. Events of kinds this version does not know are kept as written, for newer
    peers. Importing the same archive again adds nothing.

    Raises:
        ArchiveError: the file cannot be read, or is not an IncidentDesk archive (its header
            line); nothing was imported.
    """
    path = Path(path)
    notes: list[str] = []
    lines = _read_lines(path, notes)
    received = desk.exchange.receive_rows(lines, "archive", precheck=_archive_rules, restore=True)
    problems = [f"line {ref.rsplit(':', 1)[1]}: {reason}" for ref, reason in received.problems]
    problems.extend(notes)
    problems.sort(key=_line_number)
    return ImportResult(
        len(received.added),
        received.skipped,
        tuple(received.changed),
        received.quarantined,
        tuple(_one_line(p) for p in problems),
    )


def _line_number(problem: str) -> int:
    return int(problem.split(":", 1)[0].removeprefix("line "))


def _read_lines(path: Path, notes: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(FILE:LINE, row)`` for each event line, after the header line is checked (a file
    that is not an archive raises :class:`ArchiveError` here, before anything is read on).

    A line that is not a JSON object becomes an :class:`_Unreadable` row ``{"line": …}``
    (quarantined as it is); blank lines, and a count that disagrees with the header, go to
    ``notes``.
    """
    try:
        lines = BoundedLines(path, "archive", ARCHIVE_LIMIT, ARCHIVE_LINE_LIMIT, ArchiveError)
    except FileNotFoundError:
        raise ArchiveError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise ArchiveError(f"{path} is a folder, not an archive.") from None
    except OSError as exc:
        raise ArchiveError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    handle = iter(lines)  # one pass: the bounds count every line, the header's too
    try:
        first = next(handle, b"")
        if not first:
            raise ArchiveError(f"{path} is empty; an archive starts with its header line.")
        declared = _header(_decode(first, cut=not first.endswith(b"\n")))
    except _Problem as exc:
        lines.close()
        raise ArchiveError(
            f"{path} is not an IncidentDesk archive, nothing was imported: line 1: "
            f"{_one_line(str(exc))}."
        ) from None
    except OSError as exc:
        lines.close()
        raise ArchiveError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except BaseException:
        lines.close()
        raise
    return _event_lines(lines, handle, path, declared, notes)


class _Unreadable(dict[str, Any]):
    """A line that is not a JSON object, kept as ``{"line": its text}`` (a class of its own:
    no line of the file can pass for one and choose the reason shown)."""

    def __init__(self, problem: str, raw: bytes) -> None:
        super().__init__(line=raw.decode("utf-8", "replace"))
        self.problem = problem


def _event_lines(
    lines: BoundedLines,
    handle: Iterator[bytes],
    path: Path,
    declared: int,
    notes: list[str],
) -> Iterator[tuple[str, dict[str, Any]]]:
    events = 0
    number = 1
    with lines:
        try:
            for number, raw in enumerate(handle, start=2):
                events += 1
                ref = f"{path}:{number}"
                try:
                    data = _decode(raw, cut=not raw.endswith(b"\n"))
                except _Problem as exc:
                    if str(exc) == "an empty line":
                        events -= 1  # not an event
                        notes.append(f"line {number}: an empty line (skipped)")
                        continue
                    yield ref, _Unreadable(str(exc), raw)
                    continue
                if not isinstance(data, dict):
                    problem = f"an event must be a JSON object, not {_shown(data)}"
                    yield ref, _Unreadable(problem, raw)
                    continue
                yield ref, data
        except OSError as exc:
            raise ArchiveError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if declared != events:
        notes.append(
            f"line {number}: the header counts {counted(declared, 'event')} but the file "
            f"holds {events}; "
            "it may be cut short"
        )


def _archive_rules(row: Mapping[str, Any]) -> str | None:
    """The archive's own rules for an event line (the boundary checks the rest)."""
    if isinstance(row, _Unreadable):
        return row.problem  # _read_lines already said what is wrong
    missing = [name for name in FIELDS if name not in row]
    if missing:
        return f"the event has no '{missing[0]}'"
    extra = sorted(set(row) - set(FIELDS) - set(OPTIONAL))
    if extra:
        return f"the event has an unknown field '{extra[0]}'"
    if row["kind"] in KINDS and isinstance(row["payload"], dict):
        return _normalised(row["kind"], row["payload"])
    return None


def _normalised(kind: str, payload: dict[str, Any]) -> str | None:
    # The journal keeps payloads as written, and the fold reads them as they are: a value
    # that is valid only once normalised ('sev2', 2 for 'SEV2') is refused. A field left
    # out gets its default written in; fields a newer version added are kept.
    try:
        clean = validate_payload(kind, payload)
    except (DomainError, TypeError, ValueError, AttributeError, KeyError):
        return None  # the boundary names what is wrong
    for key, value in clean.items():
        if key in payload and (payload[key] != value or type(payload[key]) is not type(value)):
            return (
                f"{kind}: '{key}' is {_shown(payload[key])} where the journal stores "
                f"{_shown(value)}"
            )
    return None


def _decode(raw: bytes, cut: bool) -> Any:
    hint = "; the file may be cut short" if cut else ""
    try:
        text = raw.removesuffix(b"\n").decode("utf-8")
    except UnicodeDecodeError:
        raise _Problem(f"not UTF-8 text{hint}") from None
    if not text.strip():
        raise _Problem("an empty line")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Problem(f"not valid JSON ({exc.msg}, column {exc.colno}){hint}") from None
    except RecursionError:
        raise _Problem("not valid JSON (nested too deeply)") from None


def _header(data: Any) -> int:
    if not isinstance(data, dict) or HEADER_KEY not in data:
        raise _Problem(
            f'not an IncidentDesk archive (its first line must be the header {{"{HEADER_KEY}": '
            f"{FORMAT}, …}})"
        )
    version = data[HEADER_KEY]
    if type(version) is not int or version < 1:
        raise _Problem(f"'{HEADER_KEY}' must be a format number, not {_shown(version)}")
    if version > FORMAT:
        raise _Problem(
            f"the archive has format {version}, from a newer IncidentDesk; this version reads "
            f"format {FORMAT}: upgrade IncidentDesk, then import it"
        )
    events = data.get("events")
    if type(events) is not int or events < 0:
        raise _Problem(f"'events' must be the number of events, not {_shown(events)}")
    _when(data.get("exported_at"), "exported_at")
    extra = sorted(set(data) - {HEADER_KEY, "exported_at", "events"})
    if extra:
        raise _Problem(f"the header has an unknown field '{extra[0]}'")
    return events


def _when(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise _Problem(f"'{field}' must be an ISO 8601 date and time, not {_shown(value)}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Problem(f"'{field}' is not an ISO 8601 date and time: {_shown(value)}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Problem(f"'{field}' has no UTC offset: {_shown(value)}")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise _Problem(f"'{field}' is out of range: {_shown(value)}") from None


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _one_line(text: str) -> str:
    # Values from the file appear in the messages: a line break or a control character in
    # them must not break the one-line error (or the terminal).
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c
        for c in text
    )
