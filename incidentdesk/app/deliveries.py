"""The outbox of pages and chat posts (``desk.deliveries``): what is due, claiming it for an
attempt, and recording how the attempt went.

The courier (``incidentdesk.runtime.courier``, its own thread) claims what is due, sends it
and records each outcome with :meth:`Deliveries.record_attempt`. Nothing here speaks HTTP or
reads a secret.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from incidentdesk.core.escalation.backoff import max_age_for, next_delay, should_give_up
from incidentdesk.core.escalation.model import STATEFUL_ADAPTERS
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.journal.ids import new_event_id
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import from_micros, to_micros
from incidentdesk.infra.store.deliveries import Delivery

if TYPE_CHECKING:
    from incidentdesk.app.recorder import Recorder
    from incidentdesk.core.journal.events import Event
    from incidentdesk.infra.store.local import StoreTxn

LEASE = timedelta(seconds=60)  # longer than any attempt (requests time out after seconds)


@dataclass(frozen=True)
class AttemptOutcome:
    """What one delivery attempt came to (what the courier reports back)."""

    delivered: bool
    final: bool
    reason: str = ""
    status_code: int | None = None
    retry_after: float | None = None
    fix: str | None = None  # a final failure a person can fix: "secret" or "catalog"


class Deliveries:
    """The outbox of pages and chat posts.

    Args:
        recorder: records each attempt's outcome (and holds the store and the folds).
    """

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self._folds = recorder.folds

    def pending(self) -> list[Delivery]:
        """Everything this workstation still has to send."""
        with self._recorder.store.reading() as tx:
            return tx.pending_deliveries()

    def due(self, limit: int = 20) -> list[Delivery]:
        """Deliveries whose next attempt is due now."""
        with self._recorder.store.reading() as tx:
            return tx.due_deliveries(to_micros(self._recorder.clock()), limit)

    def claim_due(self, limit: int = 20, ref_id: str | None = None) -> list[Delivery]:
        """Take the deliveries due now for one attempt each (see ``StoreTxn.claim_due``):
        nobody else sends them for :data:`LEASE` unless their outcome is recorded first."""
        now = to_micros(self._recorder.clock())
        with self._recorder.store.writing() as tx:
            return tx.claim_due(now, int(LEASE.total_seconds() * 1_000_000), limit, ref_id)

    def unwanted(self, delivery: Delivery) -> str | None:
        """Why a queued trigger should no longer go out (None: send it): its page was
        answered or resolved — here or on another workstation — or the incident is over."""
        if delivery.purpose != "page" or delivery.action != "trigger":
            return None
        state = self._folds.state(delivery.incident_id)
        page = state.escalation.pages.get(delivery.ref_id)
        if page is not None and page.resolved_at is not None:
            return "Not sent: the page was resolved before it went out."
        if page is not None and page.acknowledged_at is not None:
            return f"Not sent: {page.acknowledged_by} answered before it went out."
        if not state.active:
            return f"Not sent: the incident is {state.status}."
        return None

    def next_at(self) -> datetime | None:
        """When the next pending delivery is due (None when nothing waits)."""
        with self._recorder.store.reading() as tx:
            value = tx.next_delivery_at()
        return None if value is None else from_micros(value)

    def record_attempt(self, delivery: Delivery, outcome: AttemptOutcome) -> str:
        """Record how one delivery attempt went, and when (if ever) to try again.

        Writes ``escalation.sent``/``escalation.failed`` (or ``chat.sent``/``chat.failed``)
        and updates the outbox row in one transaction. A retryable failure of a trigger
        older than its maximum age (``core.backoff.max_age_for``: 30 minutes) is given up:
        nobody is woken for a stale page.
        """
        now = self._recorder.clock()
        attempt = delivery.attempts + 1
        final, reason, retry_in = _retry(delivery, outcome, attempt, now)
        kind, payload = _outcome_event(delivery, outcome, attempt, final, reason, retry_in)
        row_state = "done" if outcome.delivered else ("failed" if final else "pending")
        next_at = now + timedelta(seconds=retry_in or 0)
        follow_ups: list[Delivery] = []

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            # A trigger delivered after its page was answered or resolved (the click came
            # while it was in flight): tell the receiver that too, or its alert stays open.
            if outcome.delivered:
                follow_ups.extend(_late_follow_up(state, delivery, now))

        def then(tx: StoreTxn, event: Event) -> int:
            tx.update_delivery(
                delivery.id,
                state=row_state,
                attempts=attempt,
                next_at_us=to_micros(next_at),
                reason=reason,
            )
            return queue_deliveries(follow_ups)(tx, event)

        return self._recorder.record(delivery.incident_id, kind, payload, None, check, then=then).id


# ----------------------------------------------------------------- helpers


def _retry(
    delivery: Delivery, outcome: AttemptOutcome, attempt: int, now: datetime
) -> tuple[bool, str, float | None]:
    """Whether the failure is final, its reason and the seconds to the next attempt: a
    retryable failure is given up past the action's maximum age."""
    created = from_micros(delivery.created_at_us)
    max_age = max_age_for("trigger" if delivery.action == "trigger" else "resolve")
    final = outcome.final
    reason = outcome.reason
    retry_in: float | None = None
    if not outcome.delivered and not final:
        # A Retry-After past the maximum age (or absurd) means: give up now.
        retry_in = min(
            next_delay(attempt, outcome.retry_after, random.Random()), max_age.total_seconds() + 1
        )
        if should_give_up(created, now + timedelta(seconds=retry_in), max_age):
            final = True
            minutes = int(max_age.total_seconds() // 60)
            reason = (
                f"{reason} Gave up: not delivered within {counted(minutes, 'minute')} of "
                "the request; page again if it is still needed."
            )
    return final, reason, retry_in


def _outcome_event(
    delivery: Delivery,
    outcome: AttemptOutcome,
    attempt: int,
    final: bool,
    reason: str,
    retry_in: float | None,
) -> tuple[str, dict[str, Any]]:
    """The kind and payload of the event that records an attempt."""
    chat = delivery.purpose == "chat"
    if outcome.delivered:
        kind = "chat.sent" if chat else "escalation.sent"
    else:
        kind = "chat.failed" if chat else "escalation.failed"
    payload: dict[str, Any] = {"target": delivery.target, "attempt": attempt}
    if chat:
        payload.update(post_id=delivery.ref_id, reason=reason, final=final or False)
        return kind, payload
    payload.update(
        escalation_id=delivery.ref_id, action=delivery.action, status_code=outcome.status_code
    )
    if not outcome.delivered:
        payload.update(reason=reason, final=final, retry_in_seconds=retry_in)
        if final and outcome.fix is not None:
            payload["fix"] = outcome.fix
        if final and outcome.fix == "secret":
            payload["secret"] = delivery.secret_name
    return kind, payload


def _late_follow_up(state: IncidentState, delivery: Delivery, now: datetime) -> list[Delivery]:
    """For a trigger delivered after its page was answered or resolved: the acknowledge or
    resolve that the receiver still needs (stateful adapters only)."""
    page = state.escalation.pages.get(delivery.ref_id)
    if delivery.action != "trigger" or page is None:
        return []
    action = (
        "resolve"
        if page.resolved_at is not None
        else "acknowledge"
        if page.acknowledged_at is not None
        else None
    )
    if action is None or delivery.adapter not in STATEFUL_ADAPTERS:
        return []
    message = {**delivery.message, "action": action}
    return [
        replace(
            delivery,
            id=new_event_id(),
            action=action,
            message=message,
            created_at_us=to_micros(now),
            next_attempt_at_us=to_micros(now),
            attempts=0,
            last_reason="",
        )
    ]


def queue_deliveries(queued: list[Delivery]) -> Callable[[StoreTxn, Event], int]:
    """A ``then`` hook that adds ``queued`` to the outbox in the event's transaction (and
    says how many, so the change reports it)."""

    def then(tx: StoreTxn, _event: Event) -> int:
        for delivery in queued:
            tx.add_delivery(delivery)
        return len(queued)

    return then


def new_delivery(
    incident_id: str,
    ref_id: str,
    purpose: str,
    action: str,
    target: Any,
    message: dict[str, Any],
    now: datetime,
) -> Delivery:
    """An outbox row for one target, due now."""
    return Delivery(
        id=new_event_id(),
        incident_id=incident_id,
        ref_id=ref_id,
        purpose=purpose,
        action=action,
        target=target.name,
        adapter=target.adapter,
        secret_name=target.secret,
        options=dict(target.options),
        message={**message, "action": action},
        created_at_us=to_micros(now),
        next_attempt_at_us=to_micros(now),
    )
