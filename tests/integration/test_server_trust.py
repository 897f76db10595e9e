"""The shared server refuses what it can and stamps who inserted each event (migration 0006):
hostile rows sent straight to the server as a writer, and two workstations as two people."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pgcluster import PgCluster
from synckit import APP_PASSWORD, Workstation
from trustdb import connect_as, migrate_to, trusted_database

from incidentdesk.cli.main import main
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.timefmt import to_micros
from incidentdesk.infra.store.shared import SharedConfig, SharedStore

_names = itertools.count(1)
COLUMNS = ("id", "incident_id", "kind", "payload", "occurred_at_us", "hlc", "author", "device")


@pytest.fixture(scope="module")
def server(pg_cluster: PgCluster) -> str:
    """One database for the module, with priya and sam as writers."""
    return trusted_database(pg_cluster, f"trust_{next(_names)}", ("priya", "sam"))


@pytest.fixture
def people(pg_cluster: PgCluster, tmp_path: Path) -> Iterator[tuple[Workstation, Workstation]]:
    """Priya's workstation and Sam's, on a database of their own (what other tests insert
    cannot move their clocks)."""
    server = trusted_database(pg_cluster, f"trust_{next(_names)}", ("priya", "sam"))
    a = Workstation(tmp_path, "Priya Patel", f"postgresql://priya@{server}")
    b = Workstation(tmp_path, "Sam Scribe", f"postgresql://sam@{server}")
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def priya(pg_cluster: PgCluster, server: str) -> Iterator[psycopg.Connection[Any]]:
    with connect_as(pg_cluster, server, "priya") as conn:
        yield conn


def a_row(**changes: Any) -> dict[str, Any]:
    now_us = time.time_ns() // 1000
    event_id = new_event_id()
    row = {
        "id": event_id,
        "incident_id": event_id,
        "kind": "note.added",
        "payload": '{"text": "fine"}',
        "occurred_at_us": now_us,
        "hlc": hlc_pack(now_us // 1000, 0),
        "author": "Priya Patel",
        "device": "dev-a",
    }
    return {**row, **changes}


def insert(conn: psycopg.Connection[Any], row: dict[str, Any]) -> tuple[Any, ...]:
    columns = ", ".join(row)
    values = ", ".join(f"%({name})s" for name in row)
    found = conn.execute(
        f"INSERT INTO events ({columns}) VALUES ({values}) RETURNING recorded_by, received_at_us",
        row,
    ).fetchone()
    assert found is not None
    return tuple(found)


def micros(year: int) -> int:
    return to_micros(datetime(year, 1, 1, tzinfo=UTC))


END_2200_MS = micros(2200) // 1000
YEAR_MS = 365 * 24 * 3600 * 1000


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"payload": "not json at all"}, "its payload is not valid JSON"),
        ({"payload": '{"text": "a\\u0000b"}'}, "its payload is not valid JSON"),
        ({"payload": '{"text": "\\ud800 alone"}'}, "its payload is not valid JSON"),
        ({"payload": '["not", "an", "object"]'}, "its payload is JSON but not an object"),
        ({"payload": '{"text": "' + "x" * 11_000_000 + '"}'}, "more than the 1048576 allowed"),
        ({"hlc": 2**63 - 1}, "outside the years 1970 to 2200"),
        ({"hlc": hlc_pack(END_2200_MS, 0)}, "outside the years 1970 to 2200"),
        ({"hlc": -1}, "outside the years 1970 to 2200"),
        ({"hlc": hlc_pack(time.time_ns() // 1_000_000 + YEAR_MS, 0)}, "more than a day ahead"),
        ({"occurred_at_us": -62_135_596_800_000_000}, "outside the years 1970 to 2200"),
        ({"occurred_at_us": micros(9999)}, "outside the years 1970 to 2200"),
        ({"id": ""}, "its id is empty"),
        ({"id": "not-a-uuid"}, "its id is not a lowercase UUID"),
        ({"id": new_event_id().upper()}, "its id is not a lowercase UUID"),
        ({"incident_id": "x" * 36}, "its incident id is not a lowercase UUID"),
        ({"kind": ""}, "its kind is empty"),
        ({"kind": "note added\n"}, "is not lowercase words separated by dots"),
    ],
    ids=[
        "not-json",
        "nul",
        "lone-surrogate",
        "not-an-object",
        "11-MB",
        "hlc-2^63-1",
        "hlc-year-2200",
        "hlc-negative",
        "hlc-a-year-ahead",
        "occurred-year-1",
        "occurred-year-9999",
        "empty-id",
        "id-not-uuid",
        "id-uppercase",
        "incident-id-not-uuid",
        "empty-kind",
        "kind-with-space",
    ],
)
def test_the_server_refuses_a_bad_event_with_a_sentence_saying_why(
    pg_cluster: PgCluster,
    server: str,
    priya: psycopg.Connection[Any],
    changes: dict[str, Any],
    says: str,
) -> None:
    row = a_row(**changes)
    with pytest.raises(psycopg.errors.CheckViolation) as refused:
        insert(priya, row)
    message = str(refused.value).splitlines()[0]
    assert message.startswith("IncidentDesk refused event") and says in message
    assert len(message) < 300, "the message names the problem, not the whole row"
    # Nothing of it is on the server, and the next good event goes in as usual.
    with pg_cluster.admin(server.rsplit("/", 1)[1]) as admin:
        count = admin.execute("SELECT count(*) FROM events WHERE id = %s", (row["id"],))
        assert count.fetchone() == (0,) or row["id"] == ""
    assert insert(priya, a_row())[0] == "priya"


def test_the_edges_of_the_sane_range_are_accepted(priya: psycopg.Connection[Any]) -> None:
    # 1970 itself and just before 2200 (old tests and archives use small clocks), a clock
    # some hours ahead of the server's.
    insert(priya, a_row(hlc=1, occurred_at_us=0))
    insert(priya, a_row(occurred_at_us=micros(2200) - 1))
    insert(priya, a_row(hlc=hlc_pack(time.time_ns() // 1_000_000 + 20 * 3600 * 1000, 65535)))
    insert(priya, a_row(payload='{"text": "' + "x" * 1_000_000 + '"}'))
    insert(priya, a_row(kind="weather.reported", payload="{}"))  # a kind from a newer version


def test_a_forged_recorder_and_time_are_overwritten_by_the_server(
    pg_cluster: PgCluster, server: str
) -> None:
    before_us = time.time_ns() // 1000 - 1_000_000  # the server's clock, give or take a second
    with connect_as(pg_cluster, server, "sam") as sam:
        recorded_by, received_at_us = insert(
            sam, a_row(recorded_by="priya", received_at_us=0, author="Priya Patel")
        )
    assert recorded_by == "sam"
    assert before_us < received_at_us < time.time_ns() // 1000 + 1_000_000


def test_setting_the_role_does_not_change_who_is_recorded(
    pg_cluster: PgCluster, server: str
) -> None:
    with pg_cluster.admin(server.rsplit("/", 1)[1]) as admin:
        admin.execute("GRANT priya TO sam")
    try:
        with connect_as(pg_cluster, server, "sam") as sam:
            sam.execute("SET ROLE priya")
            assert insert(sam, a_row())[0] == "sam", "session_user is who logged in"
    finally:
        with pg_cluster.admin(server.rsplit("/", 1)[1]) as admin:
            admin.execute("REVOKE priya FROM sam")


def test_a_note_written_as_priya_shows_priya_as_recorder_on_another_workstation(
    people: tuple[Workstation, Workstation],
) -> None:
    a, b = people
    incident = a.desk.incidents.declare("Checkout errors", "SEV2", ["checkout"])
    note = a.desk.incidents.add_note(incident, "rolled back 4.2.1")
    mine = {e.event.id: e.event for e in a.desk.incidents.timeline(incident)}[note]
    assert (mine.recorded_by, mine.received_at) == (None, None), "not on the server yet"

    a.sync.sync_once()
    b.sync.sync_once()
    theirs = {e.event.id: e.event for e in b.desk.incidents.timeline(incident)}[note]
    assert theirs.author == "Priya Patel" and theirs.recorded_by == "priya"
    assert theirs.received_at is not None
    assert abs((theirs.received_at - datetime.now(UTC)).total_seconds()) < 60

    # A scribe writes for the commander: the author is a claim, the recorder a fact.
    scribed = b.desk.incidents.add_note(incident, "Commander: freeze deploys")
    b.sync.sync_once()
    a.sync.sync_once()
    on_a = {e.id: e for e in _journal(a)}
    assert on_a[scribed].author == "Sam Scribe" and on_a[scribed].recorded_by == "sam"

    # Workstation A's own rows took the server's stamps, and nothing else changed.
    assert on_a[note].recorded_by == "priya"
    assert on_a[note].received_at == theirs.received_at
    assert on_a[note]._replace(recorded_by=None, received_at=None) == mine
    assert a.desk.incidents.get(incident) == b.desk.incidents.get(incident)


def test_one_refused_local_event_does_not_hold_up_the_others(
    people: tuple[Workstation, Workstation],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = people
    incident = a.desk.incidents.declare("Queue backlog", "SEV3")
    # What an older release let through: a note dated in the year 1.
    bad = new_event_id()
    with a.desk.store.writing() as tx:
        tx.append(
            Event(
                bad,
                incident,
                "note.added",
                {"text": "from long ago"},
                datetime(1, 1, 1, tzinfo=UTC),
                tx.max_hlc() + 1,
                "Priya Patel",
                a.desk.store.device_id,
            )
        )
    good = a.desk.incidents.add_note(incident, "consumers scaled to 12")

    report = a.sync.sync_once()
    assert report.pushed == 2
    assert list(report.refused) == [bad]
    assert "outside the years 1970 to 2200" in report.refused[bad]
    assert a.desk.exchange.waiting() == 0, "the refused event is not retried forever"
    assert a.desk.exchange.push_refusals()[bad]["reason"] == report.refused[bad]

    again = a.sync.sync_once()
    assert (again.pushed, again.refused) == (0, {})
    # Sent again on request (after a fix, say): refused again, named with the same reason.
    monkeypatch.setenv("INCIDENTDESK_SECRET_SHARED_DB", APP_PASSWORD)
    assert main(["--data-dir", str(a.data_dir), "sync", "--retry-refused"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Sending 1 refused event(s) again.\n")
    assert f"The shared database refused event {bad} (kept here, not sent again): its time" in said
    assert a.desk.exchange.waiting() == 0 and list(a.desk.exchange.push_refusals()) == [bad]
    b.sync.sync_once()
    assert good in {e.event.id for e in b.desk.incidents.timeline(incident)}
    assert bad not in {e.id for e in _journal(b)}
    assert bad in {e.id for e in _journal(a)}, "kept locally: nothing is lost"


def _journal(ws: Workstation) -> list[Event]:
    with ws.desk.store.reading() as tx:
        return [e for incident in tx.incident_ids() for _s, e in tx.events(incident)]


def test_an_upgraded_workstation_still_pushes_to_a_server_at_the_previous_schema(
    shared_url: str, tmp_path: Path
) -> None:
    # Workstations are upgraded first, the shared database last (README).
    store = SharedStore(SharedConfig.parse(shared_url), APP_PASSWORD)
    try:
        migrate_to(store, "0005_actions")
        store.check_schema()  # 0005 is still compatible
        assert not store.has_provenance()
        a = Workstation(tmp_path, "Priya Patel", shared_url)
        try:
            incident = a.desk.incidents.declare("Old server", "SEV4")
            outcome = store.send(a.desk.exchange.outbox())
            assert (outcome.new, outcome.stamped, outcome.refused) == (1, {}, {})
        finally:
            a.close()
    finally:
        store.close()
    assert incident
