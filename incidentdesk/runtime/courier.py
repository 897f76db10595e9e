"""The courier: sends the delivery outbox (pages, acknowledgements, chat posts).

It takes due deliveries from the local store, reads each target's secret (keyring or
environment), makes one HTTP attempt through ``incidentdesk.infra.paging`` and records the outcome
in the journal (``Desk.deliveries.record_attempt``), which schedules a retry with backoff when the
failure is worth retrying. It runs in its own thread in the app (:class:`CourierService`)
and inline for ``incidentdesk escalate --wait``. Never on the GUI thread: it blocks on the
network and the keyring.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from incidentdesk.app.escalations import AttemptOutcome
from incidentdesk.core.escalation.backoff import should_give_up
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import from_micros
from incidentdesk.infra import paging
from incidentdesk.infra.secrets import SecretError, env_name, get_secret

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk
    from incidentdesk.infra.store.deliveries import Delivery

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 10.0


class Courier:
    """Delivers what is due, one attempt each, and records what happened.

    Args:
        desk: the Desk to read the outbox from and record outcomes with (this thread's own).
        timeout: seconds each HTTP request may take (connect and read).
    """

    def __init__(self, desk: Desk, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.desk = desk
        self.timeout = timeout
        self._session: paging.Session | None = None

    def run_due(self, ref_id: str | None = None) -> list[str]:
        """Attempt every delivery due now (of one escalation or post, given ``ref_id``);
        returns the incidents that got new events."""
        changed: list[str] = []
        for delivery in self.desk.deliveries.claim_due(ref_id=ref_id):
            try:
                outcome = self.attempt(delivery)
            except Exception as exc:  # a bug: the row is tried again, not lost nor hammered
                log.exception("delivery %s failed unexpectedly", delivery.id)
                outcome = AttemptOutcome(
                    False, False, f"IncidentDesk failed to send it ({type(exc).__name__})."
                )
            try:
                self.desk.deliveries.record_attempt(delivery, outcome)
            except Exception:  # a full disk, a bug: the claim's lease keeps it from a re-send
                log.exception("could not record the outcome of delivery %s", delivery.id)
                continue
            if delivery.incident_id not in changed:
                changed.append(delivery.incident_id)
        return changed

    def attempt(self, delivery: Delivery) -> AttemptOutcome:
        """One attempt at one delivery (never raises for network or keyring trouble)."""
        unwanted = self.desk.deliveries.unwanted(delivery)
        if unwanted is not None:  # answered or resolved meanwhile, maybe on another desk
            return AttemptOutcome(False, True, unwanted)
        requested = from_micros(delivery.created_at_us)
        action = "trigger" if delivery.action == "trigger" else "resolve"
        now = self.desk.clock()
        if should_give_up(requested, now, action=action):
            minutes = int((now - requested).total_seconds() // 60)
            return AttemptOutcome(
                False,
                True,
                f"Not sent: requested {counted(minutes, 'minute')} ago and never delivered; "
                "IncidentDesk does not wake people for a stale page. Page again if it is still "
                "needed.",
            )
        try:
            secret = get_secret(delivery.secret_name)
        except SecretError as exc:
            return AttemptOutcome(False, False, str(exc))
        if secret is None:  # permanent: retrying cannot make a secret appear
            return AttemptOutcome(
                False,
                True,
                f"The secret '{delivery.secret_name}' is not set on this workstation: set it "
                f"with 'incidentdesk secret set {delivery.secret_name}' (or the environment "
                f"variable {env_name(delivery.secret_name)}), then page again.",
                fix="secret",
            )
        target = paging.Target(
            name=delivery.target, adapter=delivery.adapter, options=delivery.options
        )
        message = message_from(delivery)
        base_url = delivery.options.get("base_url")
        if self._session is None:
            self._session = paging.new_session()
        result = paging.send(
            target,
            message,
            secret,
            base_url=base_url if isinstance(base_url, str) else None,
            timeout=self.timeout,
            session=self._session,
        )
        return AttemptOutcome(
            delivered=result.delivered,
            final=result.final,
            reason=result.reason,
            status_code=result.status,
            retry_after=result.retry_after,
            fix=result.fix,
        )

    def close(self) -> None:
        """Release the HTTP connections."""
        if self._session is not None:
            self._session.close()
            self._session = None


def message_from(delivery: Delivery) -> paging.PageMessage:
    """The adapter message for a queued delivery (its JSON fields, typed)."""
    m = delivery.message
    return paging.PageMessage(
        action=delivery.action if delivery.action != "post" else "trigger",
        dedup_key=m["dedup_key"],
        summary=m["summary"],
        severity=m["severity"],
        source=m.get("source", "IncidentDesk"),
        component=m.get("component", ""),
        group=m.get("group", ""),
        incident_id=m["incident_id"],
        incident_url=m.get("incident_url"),
        commander=m.get("commander"),
        details={str(k): str(v) for k, v in m.get("details", {}).items()},
        links=tuple((link["href"], link["text"]) for link in m.get("links", [])),
        timestamp=from_micros(delivery.created_at_us),
        text=m.get("text", m["summary"]),
        facts=tuple((str(k), str(v)) for k, v in m.get("facts", [])),
    )


def deliver_until_settled(
    desk: Desk, ref_id: str, wait: float, sleep: Callable[[float], None] = time.sleep
) -> list[Delivery]:
    """Send one escalation's (or post's) deliveries, retrying as scheduled, for up to ``wait``
    seconds; returns its deliveries as they ended (``done``, ``failed`` or still ``pending``).
    """
    courier = Courier(desk)
    deadline = time.monotonic() + max(0.0, wait)
    try:
        while True:
            courier.run_due(ref_id)  # only its own: the app's courier sends the rest
            with desk.store.reading() as tx:
                rows = tx.deliveries_for(ref_id)
            pending = [d for d in rows if d.state == "pending"]
            if not pending or time.monotonic() >= deadline:
                return rows
            due = min(from_micros(d.next_attempt_at_us) for d in pending)
            pause = (due - datetime.now(UTC)).total_seconds()
            sleep(max(0.05, min(pause, deadline - time.monotonic(), 5.0)))
    finally:
        courier.close()


class CourierService(threading.Thread):
    """The app's courier thread: sends what is due, sleeps until the next retry or a wake.

    Args:
        desk_factory: opens this thread's own Desk on the local store.
        on_changed: called (from this thread) with incidents that got new outcome events.
        idle: longest sleep between looks at the outbox, in seconds (a page queued by
            another process on this workstation is noticed within this long).
    """

    def __init__(
        self,
        desk_factory: Callable[[], Desk],
        on_changed: Callable[[list[str]], None] = lambda _c: None,
        idle: float = 2.0,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(name="incidentdesk-courier", daemon=True)
        self._desk_factory = desk_factory
        self._on_changed = on_changed
        self._idle = idle
        self._timeout = timeout
        self._stopping = threading.Event()
        self._wake = threading.Event()

    def wake(self) -> None:
        """Something was queued: look at the outbox now (safe from any thread)."""
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop and wait for the thread (an attempt in flight ends by its own timeout)."""
        self._stopping.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        desk = self._desk_factory()
        courier = Courier(desk, self._timeout)
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    changed = courier.run_due()
                    next_at = desk.deliveries.next_at()
                except Exception:
                    log.exception("the courier could not read the outbox")
                    changed, next_at = [], None
                if changed:
                    self._on_changed(changed)
                pause = self._idle
                if next_at is not None:
                    pause = min(pause, max(0.0, (next_at - desk.clock()).total_seconds()))
                if pause > 0:
                    self._wake.wait(pause)
        finally:
            courier.close()
            desk.close()
