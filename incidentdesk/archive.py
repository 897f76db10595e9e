"""Archives: the whole local journal as JSON Lines, for offline review and backups.

The first line is a header, ``{"incidentdesk_archive": 1, "exported_at": …, "events": N}``;
then one event per line, in the order they arrived here, with every field of the journal
row and nothing else (``occurred_at`` in ISO 8601, UTC). The journal holds no secrets.

An import checks every line before it keeps anything, then adds the events in one
transaction as if they had been received from the shared server (already present ones are
skipped), and puts them in the outbox so a restored backup reaches the shared database.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from incidentdesk.core.errors import DomainError, UserError
from incidentdesk.core.events import KINDS, Event, validate_payload
from incidentdesk.core.text import clean_name
from incidentdesk.core.timefmt import format_utc
from incidentdesk.desk import Desk
from incidentdesk.export import sync_folder

FORMAT = 1
HEADER_KEY = "incidentdesk_archive"
FIELDS = ("id", "incident_id", "kind", "payload", "occurred_at", "hlc", "author", "device")
PROVENANCE = ("recorded_by", "received_at")  # optional: set once the server stamped it
MAX_PROBLEMS = 5  # the first few problems are reported; the rest are counted
DEVICE_MAX = 64  # the journal's column width
HLC_LIMIT = 1 << 63
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


class ArchiveError(UserError):
    """An archive cannot be written or read; the message says why and where."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes:
        added: events new to this journal.
        skipped: events that were already here.
        incidents: the incidents that received events.
    """

    added: int
    skipped: int
    incidents: tuple[str, ...]


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
            total = desk.read_journal(
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
    """Add the events of an archive to the local journal; nothing when any line is wrong.

    Importing the same archive again adds nothing.

    Raises:
        ArchiveError: the file cannot be read, or lines are wrong (the first few are named
            with their line numbers); nothing was imported.
    """
    path = Path(path)
    problems, count = check_archive(path)
    if problems:
        raise ArchiveError(_problems_message(path, problems, count))
    try:
        added, skipped, incidents = desk.restore(event for _n, event in _read_events(path))
    except _Problem as exc:  # the file changed between the check and the import
        raise ArchiveError(
            f"{path} changed while it was imported ({_one_line(str(exc))}); nothing was imported."
        ) from None
    return ImportResult(added, skipped, tuple(incidents))


def check_archive(path: Path) -> tuple[list[str], int]:
    """Check every line of an archive; returns (the first problems, how many in all)."""
    problems: list[str] = []
    count = 0

    def note(problem: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(problem)

    for _line_and_event in _read_lines(path, on_problem=note):
        pass  # only the problems matter here; the events are read again to be imported
    return problems, count


def _read_events(path: Path) -> Iterator[tuple[int, Event]]:
    def fail(problem: str) -> None:
        raise _Problem(problem)

    yield from _read_lines(path, on_problem=fail)


def _read_lines(path: Path, on_problem: Callable[[str], None]) -> Iterator[tuple[int, Event]]:
    """The events of an archive with their line numbers; each wrong line goes to
    ``on_problem`` instead (as ``line N: what is wrong``)."""
    seen: dict[str, int] = {}
    declared: int | None = None
    events = 0  # lines after the header
    number = 0
    try:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                events += number > 1
                try:
                    data = _decode(raw, cut=not raw.endswith(b"\n"))
                    if number == 1:
                        declared = _header(data)
                        continue
                    event = _event(data)
                    first = seen.setdefault(event.id, number)
                    if first != number:
                        raise _Problem(f"the event {event.id} is already on line {first}")
                except _Problem as exc:
                    on_problem(f"line {number}: {exc}")
                    continue
                yield number, event
    except FileNotFoundError:
        raise ArchiveError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise ArchiveError(f"{path} is a folder, not an archive.") from None
    except OSError as exc:
        raise ArchiveError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if number == 0:
        on_problem("line 1: the file is empty; an archive starts with its header")
    elif declared is not None and declared != events:
        on_problem(
            f"line {number}: the header counts {declared} events but the file holds {events}; "
            "it may be cut short"
        )


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


def _event(data: Any) -> Event:
    if not isinstance(data, dict):
        raise _Problem(f"an event must be a JSON object, not {_shown(data)}")
    missing = [name for name in FIELDS if name not in data]
    if missing:
        raise _Problem(f"the event has no '{missing[0]}'")
    extra = sorted(set(data) - set(FIELDS) - set(PROVENANCE))
    if extra:
        raise _Problem(f"the event has an unknown field '{extra[0]}'")
    event_id = _uuid(data["id"], "id")
    incident_id = _uuid(data["incident_id"], "incident_id")
    kind = data["kind"]
    if not isinstance(kind, str):
        raise _Problem(f"'kind' must be text, not {_shown(kind)}")
    if kind not in KINDS:
        raise _Problem(
            f"{_shown(kind)} is not a kind of event this version knows; the archive is damaged "
            "or comes from a newer IncidentDesk"
        )
    if kind == "incident.declared" and event_id != incident_id:
        raise _Problem("an incident.declared event must have its incident's id")
    payload = _payload(kind, data["payload"])
    hlc = data["hlc"]
    if type(hlc) is not int or not 0 <= hlc < HLC_LIMIT:
        raise _Problem(f"'hlc' must be a whole number from 0 to 2^63-1, not {_shown(hlc)}")
    return Event(
        id=event_id,
        incident_id=incident_id,
        kind=kind,
        payload=payload,
        occurred_at=_when(data["occurred_at"], "occurred_at"),
        hlc=hlc,
        author=_name(data["author"], "author", 100),
        device=_name(data["device"], "device", DEVICE_MAX),
        recorded_by=_recorder(data.get("recorded_by")),
        received_at=None
        if data.get("received_at") is None
        else _when(data["received_at"], "received_at"),
    )


def _recorder(value: Any) -> str | None:
    # A login role as the server stamped it (PostgreSQL names are at most 63 bytes).
    if value is None:
        return None
    return _name(value, "recorded_by", 63)


def _payload(kind: str, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise _Problem(f"'payload' must be an object, not {_shown(payload)}")
    try:
        clean = validate_payload(kind, payload)
    except DomainError as exc:
        raise _Problem(f"{kind}: {str(exc).rstrip('.')}") from None
    # The journal keeps payloads as written, and the fold reads them as they are: a value
    # that is valid only once normalised ('sev2', 2 for 'SEV2') is refused. A field left
    # out gets its default written in; fields a newer version added are kept.
    for key, value in clean.items():
        if key in payload and (payload[key] != value or type(payload[key]) is not type(value)):
            raise _Problem(
                f"{kind}: '{key}' is {_shown(payload[key])} where the journal stores "
                f"{_shown(value)}"
            )
    return {**payload, **clean}


def _uuid(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _UUID.match(value):
        raise _Problem(f"'{field}' must be a lowercase UUID, not {_shown(value)}")
    return value


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


def _name(value: Any, field: str, limit: int) -> str:
    try:
        clean = clean_name(value, field) if isinstance(value, str) else None
    except DomainError as exc:
        raise _Problem(str(exc).rstrip(".")) from None
    if clean is None or clean != value or len(clean) > limit:
        raise _Problem(f"'{field}' must be a name of up to {limit} characters, not {_shown(value)}")
    return clean


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _problems_message(path: Path, problems: list[str], count: int) -> str:
    more = f"; and {count - len(problems)} more" if count > len(problems) else ""
    found = "; ".join(_one_line(p) for p in problems)
    return f"{path} is not a valid IncidentDesk archive, nothing was imported: {found}{more}."


def _one_line(text: str) -> str:
    # Values from the file appear in the messages: a line break or a control character in
    # them must not break the one-line error (or the terminal).
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c
        for c in text
    )
