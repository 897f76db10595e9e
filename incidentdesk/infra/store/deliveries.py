"""The delivery outbox: pages and chat posts waiting to be sent by this workstation.

A row is one message to one target (trigger, acknowledge, resolve or a chat post). It is
added in the same transaction as the journal event that asked for it, so a page requested
while offline, or before a crash, is still sent after a restart. It holds the secret's
*name* only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from incidentdesk.infra.store.schema import deliveries


@dataclass(frozen=True)
class Delivery:
    """One outbox row."""

    id: str
    incident_id: str
    ref_id: str
    purpose: str  # page | chat
    action: str  # trigger | acknowledge | resolve | post
    target: str
    adapter: str
    secret_name: str
    options: dict[str, Any]
    message: dict[str, Any]
    created_at_us: int
    next_attempt_at_us: int
    attempts: int = 0
    state: str = "pending"  # pending | done | failed | cancelled
    last_reason: str = ""


def _row(row: Any) -> Delivery:
    data = dict(row._mapping)
    data["options"] = json.loads(data["options"])
    data["message"] = json.loads(data["message"])
    return Delivery(**data)


class DeliveryQueries:
    """Outbox reads and writes of one transaction (mixed into ``StoreTxn``)."""

    conn: Connection

    def add_delivery(self, delivery: Delivery) -> None:
        """Queue a delivery."""
        values = {
            **delivery.__dict__,
            "options": json.dumps(delivery.options, sort_keys=True),
            "message": json.dumps(delivery.message, sort_keys=True, ensure_ascii=False),
        }
        self.conn.execute(insert(deliveries).values(values))

    def due_deliveries(self, now_us: int, limit: int = 20) -> list[Delivery]:
        """Pending deliveries whose next attempt is due, oldest request first."""
        query = (
            select(deliveries)
            .where(deliveries.c.state == "pending", deliveries.c.next_attempt_at_us <= now_us)
            .order_by(deliveries.c.next_attempt_at_us, deliveries.c.created_at_us)
            .limit(limit)
        )
        return [_row(r) for r in self.conn.execute(query)]

    def next_delivery_at(self) -> int | None:
        """When the next pending delivery is due (None when nothing waits)."""
        value = self.conn.execute(
            select(func.min(deliveries.c.next_attempt_at_us)).where(deliveries.c.state == "pending")
        ).scalar()
        return None if value is None else int(value)

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        """One delivery by id."""
        row = self.conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
        return None if row is None else _row(row)

    def deliveries_for(self, ref_id: str) -> list[Delivery]:
        """Every delivery of an escalation or chat post."""
        query = select(deliveries).where(deliveries.c.ref_id == ref_id)
        return [_row(r) for r in self.conn.execute(query.order_by(deliveries.c.created_at_us))]

    def pending_deliveries(self) -> list[Delivery]:
        """Everything still waiting to be sent."""
        query = select(deliveries).where(deliveries.c.state == "pending")
        return [_row(r) for r in self.conn.execute(query.order_by(deliveries.c.created_at_us))]

    def claim_due(
        self, now_us: int, lease_us: int, limit: int = 20, ref_id: str | None = None
    ) -> list[Delivery]:
        """Take the due deliveries (of one escalation or post, when ``ref_id`` is given) for
        one attempt: each is pushed ``lease_us`` into the future first, so another courier
        (the app's, a ``--wait`` command) does not send it too, and a courier that dies while
        sending leaves it due again once the lease runs out."""
        query = select(deliveries).where(
            deliveries.c.state == "pending", deliveries.c.next_attempt_at_us <= now_us
        )
        if ref_id is not None:
            query = query.where(deliveries.c.ref_id == ref_id)
        query = query.order_by(deliveries.c.next_attempt_at_us, deliveries.c.created_at_us)
        claimed = [_row(r) for r in self.conn.execute(query.limit(limit))]
        if claimed:
            self.conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_([d.id for d in claimed]))
                .values(next_attempt_at_us=now_us + lease_us)
            )
        return claimed

    def update_delivery(
        self, delivery_id: str, *, state: str, attempts: int, next_at_us: int, reason: str
    ) -> None:
        """Record an attempt's outcome on the row (a row cancelled meanwhile stays cancelled:
        a page resolved while its trigger was in flight is not sent again)."""
        self.conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id, deliveries.c.state == "pending")
            .values(
                state=state, attempts=attempts, next_attempt_at_us=next_at_us, last_reason=reason
            )
        )

    def cancel_deliveries(self, ref_id: str, action: str) -> int:
        """Stop sending pending deliveries of one action (say, a trigger no longer wanted)."""
        result = self.conn.execute(
            update(deliveries)
            .where(
                deliveries.c.ref_id == ref_id,
                deliveries.c.action == action,
                deliveries.c.state == "pending",
            )
            .values(state="cancelled")
        )
        return int(result.rowcount)
