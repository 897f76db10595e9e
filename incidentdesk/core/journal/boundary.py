"""The trust boundary: every journal row from outside this process is checked here first.

A row from the shared server or a line of an archive is a mapping of plain values as read
(``id``, ``incident_id``, ``kind``, ``payload`` as JSON text or already parsed,
``occurred_at`` or ``occurred_at_us``, ``hlc``, ``author``, ``device``, and optionally
``recorded_by`` and ``received_at`` / ``received_at_us``). :func:`check_row` turns it into an
:class:`Event` or a :class:`Rejected` naming one reason in a few words; it never raises for
what the row holds. What is rejected is kept as received (see :func:`canonical_raw`) and
never applied.

The rules: ids are lowercase UUIDs; a kind is dotted lowercase words (a well-formed kind this
version does not know is accepted and kept for newer peers, as the fold skips it); the payload
is a JSON object of at most 1 MiB with no NUL and no lone surrogate in any string, and a known
kind's payload keeps its kind's rules; ``hlc`` is a whole number whose physical part lies in
1970..2200 and at most a day ahead of this workstation's clock; ``occurred_at`` lies in
1970..2200; author and device are short names without control characters.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.events import VALIDATORS, Event, Payload
from incidentdesk.core.journal.ids import hlc_pack, hlc_unpack

PAYLOAD_MAX_BYTES = 1 << 20  # 1 MiB of JSON text
HLC_LIMIT = 1 << 63  # the journal's BIGINT
AUTHOR_MAX = 200  # the journal's column widths
DEVICE_MAX = 64
KIND_MAX = 64
AHEAD_MAX = timedelta(days=1)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_EARLIEST_US = 0
_LATEST_US = int((LATEST - EARLIEST).total_seconds()) * 1_000_000
_AHEAD_MS = int(AHEAD_MAX.total_seconds() * 1000)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\Z")
_BAD_CATEGORIES = ("Cc", "Cs")  # control characters, lone surrogates
# What a rejected row is shown by (id, kind, …): cut so that a huge field cannot flood a list.
SHOWN_MAX = 200
RAW_KEEP_BYTES = 2 << 20  # a payload beyond this is kept as its size, hash and first bytes
RAW_HEAD_CHARS = 64 * 1024


@dataclass(frozen=True)
class Rejected:
    """A row that cannot be read, and how to name it.

    Attributes:
        reason: what is wrong, in a few words (``payload is not JSON``).
        event_id, incident_id, kind, author, device, recorded_by: as received, as text,
            shortened and with control characters escaped so they can be shown.
    """

    reason: str
    event_id: str
    incident_id: str
    kind: str
    author: str
    device: str
    recorded_by: str | None = None


class _Bad(Exception):
    """One rule is broken; the message says which."""


def check_row(
    row: Mapping[str, Any], now: datetime, *, keep_extra: bool = False
) -> Event | Rejected:
    """Check one raw journal row from outside.

    Args:
        row: the row as read (see the module doc).
        now: this workstation's clock (UTC), for the "not a day ahead" rule.
        keep_extra: keep payload fields this version does not know (an archive keeps the
            payload as written); by default a known kind's payload is stored as this
            version reads it (normalised, defaults filled in), as received events always were.

    Returns:
        The event, or why it was rejected. Never raises for what the row holds.
    """
    try:
        return _event(row, now, keep_extra)
    except _Bad as exc:
        return rejection(row, str(exc))
    except (RecursionError, MemoryError):
        return rejection(row, "the row is nested too deeply to read")


def rejection(row: Mapping[str, Any], reason: str) -> Rejected:
    """A :class:`Rejected` for ``row`` with this reason (fields shown as received)."""
    recorded = row.get("recorded_by")
    return Rejected(
        reason=reason,
        event_id=shown(row.get("id")),
        incident_id=shown(row.get("incident_id")),
        kind=shown(row.get("kind")),
        author=shown(row.get("author")),
        device=shown(row.get("device")),
        recorded_by=None if recorded is None else shown(recorded),
    )


def _event(row: Mapping[str, Any], now: datetime, keep_extra: bool) -> Event:
    event_id = _uuid(row.get("id"), "id")
    incident_id = _uuid(row.get("incident_id"), "incident_id")
    kind = _kind(row.get("kind"))
    if kind == "incident.declared" and event_id != incident_id:
        raise _Bad("an incident.declared event must have its incident's id")
    # The cheap checks first: a flood of bad rows costs little.
    hlc = _hlc(row.get("hlc"), now)
    occurred_at = _moment(row, "occurred_at")
    author = _name(row.get("author"), "author", AUTHOR_MAX)
    device = _name(row.get("device"), "device", DEVICE_MAX)
    payload = _payload(row.get("payload"))
    validator = VALIDATORS.get(kind)
    if validator is not None:
        try:
            clean = validator(payload)
        except DomainError as exc:
            raise _Bad(f"payload breaks the rules of {kind}: {str(exc).rstrip('.')}") from None
        except Exception:  # a shape no validator expected (a list for a name, say)
            raise _Bad(f"payload has the wrong shape for {kind}") from None
        payload = {**payload, **clean} if keep_extra else clean
    recorded_by = row.get("recorded_by")
    if recorded_by is not None:
        recorded_by = _name(recorded_by, "recorded_by", AUTHOR_MAX)
    received_at = None
    if row.get("received_at") is not None or row.get("received_at_us") is not None:
        received_at = _moment(row, "received_at")
    return Event(
        event_id,
        incident_id,
        kind,
        payload,
        occurred_at,
        hlc,
        author,
        device,
        recorded_by,
        received_at,
    )


def _uuid(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _UUID.match(value):
        raise _Bad(f"{field} is not a lowercase UUID")
    return value


def _kind(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("kind is not text")
    if not value:
        raise _Bad("kind is empty")
    if len(value) > KIND_MAX or not _KIND.match(value):
        raise _Bad("kind is not dotted lowercase words")
    return value


def _payload(value: Any) -> Payload:
    if isinstance(value, bytes | bytearray):
        if len(value) > PAYLOAD_MAX_BYTES:
            raise _Bad(_too_large(len(value)))
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad("payload is not UTF-8 text") from None
    if isinstance(value, str):
        # A cheap bound first (characters), then the exact one (bytes).
        if len(value) > PAYLOAD_MAX_BYTES or len(value.encode("utf-8", "surrogatepass")) > (
            PAYLOAD_MAX_BYTES
        ):
            raise _Bad(_too_large(len(value.encode("utf-8", "surrogatepass"))))
        try:
            value = json.loads(value)
        except ValueError:
            raise _Bad("payload is not JSON") from None
        except RecursionError:
            raise _Bad("payload is nested too deeply") from None
    elif isinstance(value, Mapping):
        size = len(
            json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8", "surrogatepass"
            )
        )
        if size > PAYLOAD_MAX_BYTES:
            raise _Bad(_too_large(size))
    else:
        raise _Bad("payload is not a JSON object")
    if not isinstance(value, dict):
        raise _Bad("payload is not a JSON object")
    _check_strings(value)
    return value


def _too_large(size: int) -> str:
    return f"payload is too large ({size:,} bytes; the limit is {PAYLOAD_MAX_BYTES:,})"


def _check_strings(payload: dict[str, Any]) -> None:
    """No NUL and no lone surrogate in any key or string, however deep (no recursion)."""
    stack: list[Any] = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                _check_text(key)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):  # not JSON: no round trip
            raise _Bad("payload holds a number that is not finite (NaN or Infinity)")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise _Bad("payload text holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Bad("payload text holds a lone surrogate") from None


def _hlc(value: Any, now: datetime) -> int:
    if type(value) is not int:
        raise _Bad("hlc is not a whole number")
    if not 0 <= value < HLC_LIMIT:
        raise _Bad("hlc is out of range")
    physical_ms, _counter = hlc_unpack(value)
    if physical_ms * 1000 >= _LATEST_US:
        raise _Bad("hlc is after the year 2200")
    if physical_ms > _ms(now) + _AHEAD_MS:
        raise _Bad("hlc is more than a day ahead of this workstation's clock")
    return value


def hlc_ceiling(now: datetime) -> int:
    """The first HLC value past what the boundary accepts at ``now`` (a day ahead): a new
    local event's clock is computed from the journal's events below it, so a row an older
    version let in with a clock far ahead (``hlc`` 2^63-1, say) cannot stop writing."""
    return hlc_pack(_ms(now) + _AHEAD_MS + 1, 0)


def _ms(moment: datetime) -> int:
    delta = moment - EARLIEST
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _moment(row: Mapping[str, Any], field: str) -> datetime:
    """``field`` as a datetime, ISO text, or ``field_us`` microseconds; within 1970..2200."""
    micros = row.get(f"{field}_us")
    if micros is not None or field not in row:
        if type(micros) is not int:
            raise _Bad(f"{field} is not a time")
        if not _EARLIEST_US <= micros < _LATEST_US:
            raise _Bad(f"{field} is outside 1970..2200")
        return EARLIEST + timedelta(microseconds=micros)
    value = row[field]
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _Bad(f"{field} is not an ISO 8601 time") from None
    if not isinstance(value, datetime):
        raise _Bad(f"{field} is not a time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise _Bad(f"{field} has no UTC offset")
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise _Bad(f"{field} is outside 1970..2200") from None
    if not EARLIEST <= value < LATEST:
        raise _Bad(f"{field} is outside 1970..2200")
    return value


def _name(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{field} is empty")
    if len(value) > limit:
        raise _Bad(f"{field} is longer than {limit} characters")
    # isprintable() is false for every control character and surrogate (and a few more,
    # which the exact check below then lets through): the common case costs one C call.
    if not value.isprintable() and any(unicodedata.category(c) in _BAD_CATEGORIES for c in value):
        raise _Bad(f"{field} holds a control character")
    return value


def shown(value: Any) -> str:
    """A received value as short, printable text (for lists and messages)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)[:SHOWN_MAX]
    text = text[:SHOWN_MAX]
    if text.isprintable():
        return text
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c
        for c in text
    )


def canonical_raw(row: Mapping[str, Any]) -> tuple[str, str]:
    """The row as kept in quarantine (JSON text, ASCII), and its fingerprint (sha256 hex).

    The fingerprint is of the whole row, so the same row received twice is one entry. A
    payload larger than ``RAW_KEEP_BYTES`` is kept as its size, hash and first characters:
    a hostile peer must not fill every workstation's disk.
    """
    plain = {str(k): _plain(v) for k, v in row.items()}
    try:
        whole = json.dumps(plain, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    except (RecursionError, TypeError, ValueError):  # nested too deeply: keep it as text
        plain = {k: v if isinstance(v, str | int | None) else repr(v) for k, v in plain.items()}
        whole = json.dumps(plain, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    fingerprint = hashlib.sha256(whole.encode("ascii")).hexdigest()
    if len(whole) <= RAW_KEEP_BYTES:
        return whole, fingerprint
    payload = plain.get("payload")
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=True)
    plain["payload"] = {
        "truncated": True,
        "chars": len(text),
        "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "head": text[:RAW_HEAD_CHARS],
    }
    kept = json.dumps(plain, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return kept, fingerprint


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "backslashreplace")
    return value
