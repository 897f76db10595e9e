"""A workstation through a real PgBouncer in session mode: it connects, pushes, and hears
the others live (LISTEN needs session pooling), and it holds one server connection."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgbouncer import PgBouncer, find_pgbouncer
from pgcluster import PgCluster
from synckit import APP_PASSWORD, Workstation, database_name, journal_ids, running_service, wait_for


@pytest.fixture
def bouncer(pg_cluster: PgCluster) -> Iterator[PgBouncer]:
    binary = find_pgbouncer()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is not installed; CI must install it (.ci/run does).")
        pytest.skip("pgbouncer is not installed")
    running = PgBouncer(binary, pg_cluster, {"desk_app": APP_PASSWORD})
    running.start()
    yield running
    running.stop()


def test_a_workstation_through_pgbouncer_in_session_mode_syncs_live(
    tmp_path: Path,
    shared_schema: str,
    bouncer: PgBouncer,
    pg_cluster: PgCluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INCIDENTDESK_SECRET_SHARED_DB", APP_PASSWORD)
    database = database_name(shared_schema)
    a = Workstation(tmp_path, "A", shared_schema)  # straight to the server
    b = Workstation(tmp_path, "B", bouncer.url(database, "desk_app"))  # through the bouncer
    try:
        incident = a.desk.incidents.declare("Checkout down", "SEV1")
        a.sync.sync_once()
        with running_service(b.data_dir, "B", bouncer.url(database, "desk_app")) as (
            service,
            recorder,
        ):
            wait_for(lambda: recorder.is_("online"), timeout=15, what="B online via pgbouncer")
            assert incident in journal_ids(b.desk)
            note = a.desk.incidents.add_note(incident, "heard through the bouncer")
            a.sync.push()
            wait_for(lambda: note in journal_ids(b.desk), timeout=15, what="the note, live")
            reply = b.desk.incidents.add_note(incident, "sent through the bouncer")
            service.wake()
            wait_for(
                lambda: reply in {str(r["id"]) for _c, r in a.shared.pull(0)},
                timeout=15,
                what="B's note on the server",
            )
            with pg_cluster.admin(database) as admin:
                row = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND usename = 'desk_app' AND backend_type = 'client backend'",
                    (database,),
                ).fetchone()
            assert row is not None and row[0] == 2  # A's own, and B's through the bouncer
    finally:
        a.close()
        b.close()
