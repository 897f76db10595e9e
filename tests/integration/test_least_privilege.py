"""packaging/postgres/roles.sql: an owner for migrations, an append-only application role."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from pgcluster import PgCluster

from incidentdesk.core.events import Event
from incidentdesk.core.ids import new_event_id
from incidentdesk.core.timefmt import utc_now
from incidentdesk.store.shared import SharedConfig, SharedStore

ROLES_SQL = Path(__file__).resolve().parents[2] / "packaging" / "postgres" / "roles.sql"


def test_the_application_role_can_append_and_read_but_not_change_the_journal(
    pg_cluster: PgCluster,
) -> None:
    with pg_cluster.admin() as admin:
        admin.execute("DROP DATABASE IF EXISTS least_priv")
        admin.execute(ROLES_SQL.read_text())  # creates the roles (idempotent)
        admin.execute("ALTER ROLE incidentdesk_owner PASSWORD 'owner-pw'")
        admin.execute("ALTER ROLE incidentdesk_app PASSWORD 'app-pw'")
        admin.execute("CREATE DATABASE least_priv OWNER incidentdesk_owner")
    with pg_cluster.admin("least_priv") as admin:
        admin.execute(ROLES_SQL.read_text())  # the schema grants, in the database itself

    url = f"127.0.0.1:{pg_cluster.port}/least_priv"
    owner = SharedStore(SharedConfig.parse(f"postgresql://incidentdesk_owner@{url}"), "owner-pw")
    owner.upgrade()
    owner.close()

    app = SharedStore(SharedConfig.parse(f"postgresql://incidentdesk_app@{url}"), "app-pw")
    app.check_schema()
    incident = new_event_id()
    declared = Event(
        incident,
        incident,
        "incident.declared",
        {"title": "Least privilege", "severity": "SEV4", "services": []},
        utc_now(),
        1,
        "app",
        "dev1",
    )
    assert app.push([declared]) == 1
    assert [r["id"] for _s, r in app.pull(0)] == [incident]
    app.close()

    with psycopg.connect(
        host="127.0.0.1",
        port=pg_cluster.port,
        dbname="least_priv",
        user="incidentdesk_app",
        password="app-pw",
        autocommit=True,
    ) as conn:
        for statement in (
            "UPDATE events SET author = 'someone else'",
            "DELETE FROM events",
            "TRUNCATE events",
            "CREATE TABLE sneaky (x int)",
            "DROP TABLE events",
            "UPDATE alembic_version SET version_num = 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
