"""Sync between a workstation's local journal and the shared PostgreSQL server.

Sync is copying journal rows the other side lacks. **Push**: events written here go up with
``INSERT … ON CONFLICT (id) DO NOTHING`` and are marked pushed only after the server
committed. **Pull**: rows after a cursor in the server's (transaction, ``seq``) order, below
the transaction horizon, so the cursor never skips a late commit (``shared.Cursor``).
**Live**: the workstation's one connection LISTENs between its pulls and pushes; a
notification (one per insert statement, naming its highest ``seq``) wakes the puller, which
drains every notification waiting and pulls at most once per :data:`COALESCE_S`. LISTEN
first, then catch up, then rely on notifications; a periodic check notices a dropped link;
reconnect with backoff and catch up again. Offline is normal: writing goes on locally and
waits in the outbox.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from incidentdesk.app.desk import Desk
from incidentdesk.app.profile import move_old_shared_secret
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.sync_state import LOCAL_ONLY, OFFLINE, ONLINE, SYNCING, SyncStatus
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import format_utc, utc_now
from incidentdesk.infra.config import (
    SHARED_SECRET,
    Profile,
    known_shared_secret_name,
)
from incidentdesk.infra.secrets import SecretError, env_name, get_secret
from incidentdesk.infra.store.listener import Listener
from incidentdesk.infra.store.shared import (
    LINK_ERRORS,
    Cursor,
    SchemaMismatch,
    SharedConfig,
    SharedError,
    SharedStore,
)

__all__ = [
    "LOCAL_ONLY",
    "OFFLINE",
    "ONLINE",
    "SECRET_NAME",
    "SYNCING",
    "SchemaMismatch",
    "SharedConfig",
    "SharedError",
    "SharedStore",
    "Sync",
    "SyncReport",
    "SyncService",
    "SyncStatus",
    "open_shared",
    "shared_config",
    "status_once",
]

SECRET_NAME = SHARED_SECRET  # the name before profile ids (and of the environment variable);
# a profile's own secret is config.shared_secret_name(data_dir)
PUSH_BATCH = 500
PULL_BATCH = 1000
# At most one pull per this many seconds however many notifications arrive: a 10,000-event
# push (20 statements) wakes each receiver a few dozen times, not 10,000.
COALESCE_S = 0.010
# A notified row not yet below the horizon (an older transaction still open): pull again
# after this, doubling up to HELD_BACK_MAX_S (the transaction that holds it back may not be
# an append, so no notification would say when it ends).
HELD_BACK_S = 0.05
HELD_BACK_MAX_S = 1.0
log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What one round of sync did."""

    pushed: int = 0
    pulled: int = 0
    changed: list[str] = field(default_factory=list)
    quarantined: int = 0  # rows pulled that could not be read (new to the quarantine)
    refused: dict[str, str] = field(default_factory=dict)  # event id: the server's reason


def shared_config(profile: Profile) -> SharedConfig | None:
    """The profile's shared database, or None when it works locally only."""
    if not profile.shared_url:
        return None
    return SharedConfig.parse(
        profile.shared_url, profile.shared_sslmode, profile.shared_sslrootcert
    )


def open_shared(profile: Profile) -> SharedStore | None:
    """The shared store of a profile, with its password from the keyring or environment."""
    config = shared_config(profile)
    if config is None:
        return None
    try:
        password = shared_password(profile.data_dir)
    except SecretError as exc:
        raise SharedError(str(exc)) from None
    return SharedStore(config, password)


def shared_password(data_dir: Path) -> str | None:
    """The profile's shared-database password (environment, keyring or session), after
    moving an old installation's password to the profile's own name (keyring: off the GUI
    thread)."""
    move_old_shared_secret(data_dir)
    name = known_shared_secret_name(data_dir)
    if name is None:  # never connected: only the environment can hold a password
        return get_secret(SHARED_SECRET) if env_name(SHARED_SECRET) in os.environ else None
    return get_secret(name)


class Sync:
    """Push and pull between one Desk's local journal and the shared store."""

    def __init__(self, desk: Desk, shared: SharedStore) -> None:
        self.desk = desk
        self.shared = shared
        self._cursor_key = f"cursor:{shared.config.url}"
        self._epoch_key = f"epoch:{shared.config.url}"
        self._schema_checked = False
        self.last_seqs: set[int] = set()  # the server seqs the last pull() brought
        self.quarantined = 0  # rows kept aside since the round began (see sync_once)
        self._synced_at_pull = False  # this round's time was saved with the rows pulled
        self.refused: dict[str, str] = {}  # what the server refused, since this Sync began

    def push(self) -> int:
        """Send every waiting local event up; returns how many the server did not have."""
        sent = 0
        while True:
            batch = self.desk.exchange.outbox(PUSH_BATCH)
            if not batch:
                if sent:
                    self.desk.exchange.set_sync_fact("last_sync", format_utc(utc_now()))
                return sent
            outcome = self.shared.send(batch)
            sent += outcome.new
            if outcome.refused:
                # Never retried: the server would refuse them again and hold up the rest.
                self.desk.exchange.mark_refused(outcome.refused, format_utc(utc_now()))
                self.refused.update(outcome.refused)
                for event_id, reason in outcome.refused.items():
                    log.warning("the shared database refused event %s: %s", event_id, reason)
            accepted = [e.id for e in batch if e.id not in outcome.refused]
            # Only after the server committed.
            self.desk.exchange.mark_pushed(accepted, outcome.stamped)
            handled = set(outcome.inserted) | set(outcome.refused)
            if len(handled) < len(batch):
                self._check_held(batch, handled)

    def _check_held(self, batch: list[Event], inserted: set[str]) -> None:
        """The server already held some of these ids: a replayed push says the same; a copy
        with other content (a peer that wrote our id first) is kept aside and reported."""
        held = self.shared.rows_by_id([e.id for e in batch if e.id not in inserted])
        received = self.desk.exchange.receive_rows(((str(s), r) for s, r in held), "server")
        self.quarantined += received.quarantined

    def pull(self) -> tuple[int, list[str]]:
        """Fetch what the server has after our cursor; returns (rows pulled, changed incidents).

        Each row is checked at the boundary: one that cannot be read is quarantined (see
        :attr:`quarantined`) and the cursor moves past it like any other.
        """
        cursor = self.cursor()
        pulled = 0
        changed: set[str] = set()
        self.last_seqs = set()
        while True:
            rows = self.shared.pull(cursor, PULL_BATCH)
            if not rows:
                return pulled, sorted(changed)
            cursor = rows[-1][0]
            self.last_seqs.update(c.seq for c, _row in rows)
            last = len(rows) < PULL_BATCH
            # The cursor (and, with the last batch, the time of this sync) is saved in the
            # events' own transaction: one commit per batch, and a crash can only replay a
            # pull, which changes nothing (a quarantined row is kept once, by fingerprint).
            facts = {self._cursor_key: str(cursor)}
            if last:
                facts["last_sync"] = format_utc(utc_now())
                self._synced_at_pull = True
            received = self.desk.exchange.receive_rows(
                ((str(c.seq), r) for c, r in rows), "server", facts=facts
            )
            changed.update(received.changed)
            self.quarantined += received.quarantined
            pulled += len(rows)
            if last:
                return pulled, sorted(changed)

    def held_back(self, seqs: set[int]) -> set[int]:
        """Which of these notified server seqs are still ahead of the cursor (committed but
        below an older transaction still open), asking the server for those the last pull
        did not bring (a row can also have come in an earlier pull)."""
        unseen = seqs - self.last_seqs
        if not unseen:
            return set()
        cursor = self.cursor()
        return {seq for seq, where in self.shared.positions(unseen).items() if where > cursor}

    def cursor(self) -> Cursor:
        """How far this workstation has pulled from this server (kept in the local store)."""
        return Cursor.parse(self.desk.exchange.sync_fact(self._cursor_key))

    def check(self) -> None:
        """Check the server's schema, and start reading again from the beginning if its
        journal was renumbered (a new epoch: restored from a dump, see migration 0007)."""
        self.shared.check_schema()
        self._schema_checked = True
        epoch = self.shared.epoch
        if epoch is None:
            return
        known = self.desk.exchange.sync_fact(self._epoch_key)
        if known is not None and known != epoch:
            log.warning(
                "the shared journal was renumbered (epoch %s, was %s): reading it again",
                epoch,
                known,
            )
            self.desk.exchange.set_sync_fact(self._cursor_key, str(Cursor()))
        if known != epoch:
            self.desk.exchange.set_sync_fact(self._epoch_key, epoch)

    def sync_once(self) -> SyncReport:
        """One round: check the schema (once), push, pull, remember when."""
        if not self._schema_checked:
            self.check()
        self.quarantined = 0
        self._synced_at_pull = False
        refused_before = set(self.refused)
        pushed = self.push()
        pulled, changed = self.pull()
        if not self._synced_at_pull:  # else saved with the last rows pulled
            self.desk.exchange.set_sync_fact("last_sync", format_utc(utc_now()))
        refused = {k: v for k, v in self.refused.items() if k not in refused_before}
        return SyncReport(pushed, pulled, changed, self.quarantined, refused)

    def last_sync(self) -> datetime | None:
        """When the last round succeeded."""
        value = self.desk.exchange.sync_fact("last_sync")
        return datetime.fromisoformat(value) if value else None


def status_once(desk: Desk, profile: Profile) -> SyncStatus:
    """Sync state for ``incidentdesk sync --status``: tries the server briefly."""
    quarantined = desk.exchange.quarantined_count()
    shared = None
    try:
        shared = open_shared(profile)
        if shared is None:
            # Nothing waits when there is nowhere to send it (the outbox still keeps every
            # change, for the day this profile connects).
            return SyncStatus(LOCAL_ONLY, 0, quarantined=quarantined)
        waiting = desk.exchange.waiting()
        sync = Sync(desk, shared)
        last = sync.last_sync()
        try:
            shared.check_schema()
        except SharedError as exc:
            return SyncStatus(OFFLINE, waiting, last, str(exc), quarantined)
        return SyncStatus(ONLINE, waiting, last, quarantined=quarantined)
    finally:
        if shared is not None:
            shared.close()


class SyncService(threading.Thread):
    """Keeps a workstation in sync in the background (its own thread, one connection).

    Args:
        desk_factory: opens this thread's own Desk on the local store.
        shared_factory: opens the shared store (reads the secret: off the GUI thread here).
        on_status: called (from this thread) whenever the state or the waiting count changes.
        on_changed: called (from this thread) with incidents that received remote events.
        check_every: seconds between checks that the connection is alive.
    """

    def __init__(
        self,
        desk_factory: Callable[[], Desk],
        shared_factory: Callable[[], SharedStore | None],
        on_status: Callable[[SyncStatus], None] = lambda _s: None,
        on_changed: Callable[[list[str]], None] = lambda _c: None,
        check_every: float = 5.0,
        max_backoff: float = 15.0,
    ) -> None:
        super().__init__(name="incidentdesk-sync", daemon=True)
        self._desk_factory = desk_factory
        self._shared_factory = shared_factory
        self._on_status = on_status
        self._on_changed = on_changed
        self._check_every = check_every
        self._max_backoff = max_backoff
        # Not "_stop": that would shadow threading.Thread._stop(), which join() and is_alive()
        # call once the thread has ended.
        self._stopping = threading.Event()
        # Woken through a socket pair, so one select() waits for the server and for us.
        self._wake_in, self._wake_out = socket.socketpair()
        self._wake_in.setblocking(False)
        self._wake_out.setblocking(False)
        self._last_status: SyncStatus | None = None
        self.status = SyncStatus(SYNCING)

    def wake(self) -> None:
        """Local changes are waiting: push them now (safe from any thread)."""
        # OSError: already woken (the buffer is full) or stopped: nothing to add.
        with contextlib.suppress(OSError):
            self._wake_in.send(b"w")

    def _woken(self) -> bool:
        """Whether a wake-up came since last asked (and forget it)."""
        woken = False
        try:
            while self._wake_out.recv(4096):
                woken = True
        except OSError:  # BlockingIOError: nothing (more) to read
            pass
        return woken

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and wait for the thread."""
        self._stopping.set()
        self.wake()
        if self.is_alive():
            self.join(timeout)
        if not self.is_alive():
            self._close_wake()

    def _close_wake(self) -> None:
        self._wake_in.close()
        self._wake_out.close()

    def _report(
        self, state: str, desk: Desk, sync: Sync | None, message: str | None = None
    ) -> None:
        try:
            waiting = 0 if state == LOCAL_ONLY else desk.exchange.waiting()
            last = sync.last_sync() if sync else None
            quarantined = desk.exchange.quarantined_count()
        except Exception:
            waiting, last, quarantined = 0, None, 0
        status = SyncStatus(state, waiting, last, message, quarantined)
        self.status = status
        if status != self._last_status:
            self._last_status = status
            self._on_status(status)

    def run(self) -> None:
        desk = self._desk_factory()
        try:
            shared = self._shared_factory()
        except SharedError as exc:
            self._report(OFFLINE, desk, None, str(exc))
            desk.close()
            return
        if shared is None:
            self._report(LOCAL_ONLY, desk, None)
            desk.close()
            return
        sync = Sync(desk, shared)
        backoff = 0.5
        try:
            while not self._stopping.is_set():
                try:
                    self._serve(desk, sync)
                    backoff = 0.5
                except LINK_ERRORS as exc:
                    if self.status.state == ONLINE:
                        backoff = 0.5  # a link that was up dropped: a new outage, retry soon
                    message = (
                        str(shared.explain(exc)) if not isinstance(exc, SharedError) else (str(exc))
                    )
                    log.info("shared database unavailable: %s", message)
                    self._report(OFFLINE, desk, sync, message)
                    self._wait_offline(backoff, desk, sync, message)
                    backoff = min(backoff * 2, self._max_backoff)
                    sync._schema_checked = False
        finally:
            shared.close()
            desk.close()
            self._close_wake()

    def _wait_offline(self, seconds: float, desk: Desk, sync: Sync, message: str) -> None:
        # Writing goes on while offline: keep the "N changes waiting" count true.
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            ready, _, _ = select.select([self._wake_out], [], [], remaining)
            if ready and self._woken() and not self._stopping.is_set():
                self._report(OFFLINE, desk, sync, message)

    def _serve(self, desk: Desk, sync: Sync) -> None:
        """One connected session: LISTEN, catch up, then follow notifications."""
        listener = sync.shared.listen()  # LISTEN first, so nothing committed later is missed
        try:
            self._report(SYNCING, desk, sync)
            self._round(sync)
            self._report(ONLINE, desk, sync)
            self._follow(desk, sync, listener)
        finally:
            listener.close()

    def _follow(self, desk: Desk, sync: Sync, listener: Listener) -> None:
        """Block on the connection until something happens; pull at most once per
        COALESCE_S; pull again while a notified row is still held back by the horizon."""
        last_check = last_pull = time.monotonic()
        wanted: set[int] = set()  # notified seqs not known to be pulled yet
        retry_at: float | None = None
        retry_gap = HELD_BACK_S
        while not self._stopping.is_set():
            deadline = last_check + self._check_every
            if retry_at is not None:
                deadline = min(deadline, retry_at)
            heard = listener.wait(deadline - time.monotonic(), self._wake_out.fileno())
            if heard.woken and self._woken() and not self._stopping.is_set() and sync.push():
                self._report(ONLINE, desk, sync)
            wanted.update(heard.seqs)
            due = retry_at is not None and time.monotonic() >= retry_at
            if heard.notified or due:
                pause = last_pull + COALESCE_S - time.monotonic()
                if pause > 0:  # let the rest of a burst arrive: one pull for all of it
                    time.sleep(pause)
                    wanted.update(listener.drain().seqs)
                last_pull = time.monotonic()
                self._pull(sync)
                self._report(ONLINE, desk, sync)
                wanted = sync.held_back(wanted)
                if wanted:  # committed, but an older transaction is still open
                    retry_at = time.monotonic() + retry_gap
                    retry_gap = min(retry_gap * 2, HELD_BACK_MAX_S)
                else:
                    retry_at, retry_gap = None, HELD_BACK_S
            if time.monotonic() - last_check > self._check_every:
                listener.check()  # a dropped link fails here (or by keepalive)
                last_check = time.monotonic()

    def _round(self, sync: Sync) -> None:
        report = sync.sync_once()
        if report.changed:
            self._on_changed(report.changed)

    def _pull(self, sync: Sync) -> None:
        _pulled, changed = sync.pull()
        if changed:
            self._on_changed(changed)


def describe_report(report: SyncReport) -> str:
    """One line for ``incidentdesk sync``."""
    line = (
        f"Pushed {counted(report.pushed, 'new event')}, pulled {report.pulled}; "
        f"{counted(len(report.changed), 'incident')} changed."
    )
    for event_id, reason in report.refused.items():
        line += (
            f"\nThe shared database refused event {event_id} (kept here, not sent again): {reason}"
        )
    return line
