"""Time-ordered ids and the hybrid logical clock.

An event id is a UUIDv7 (RFC 9562): sortable by creation time, unique without coordination.
The hybrid logical clock (HLC) value orders events across workstations: it never runs
backwards on one device, and it moves past any value the device has seen from others, so a
reply is always ordered after what it replies to even when wall clocks disagree.
"""

from __future__ import annotations

import os
import time
import uuid

_COUNTER_BITS = 16
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1


def new_event_id(now_ms: int | None = None) -> str:
    """Return a new UUIDv7 as a string."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = rand >> 68 & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def hlc_pack(physical_ms: int, counter: int) -> int:
    """Pack a wall-clock millisecond and a counter into one sortable integer."""
    return physical_ms << _COUNTER_BITS | counter


def hlc_unpack(value: int) -> tuple[int, int]:
    """Split an HLC integer into (physical milliseconds, counter)."""
    return value >> _COUNTER_BITS, value & _COUNTER_MAX


def hlc_next(latest_seen: int, wall_ms: int) -> int:
    """The HLC value for a new local event.

    Args:
        latest_seen: the largest HLC value this device has recorded or received (0 if none).
        wall_ms: the device's wall clock, in milliseconds since the epoch.
    """
    seen_ms, seen_counter = hlc_unpack(latest_seen)
    if wall_ms > seen_ms:
        return hlc_pack(wall_ms, 0)
    if seen_counter >= _COUNTER_MAX:
        # 65,535 events in one millisecond: borrow the next millisecond rather than wrap.
        return hlc_pack(seen_ms + 1, 0)
    return hlc_pack(seen_ms, seen_counter + 1)


def new_device_id() -> str:
    """A random id naming one workstation's local store."""
    return uuid.uuid4().hex[:12]


# The service catalog is kept in the journal under this reserved incident id (never declared,
# so it never shows as an incident); it syncs like any other event (see core/catalog.py).
CATALOG_ID = "00000000-0000-7000-8000-000000000000"
