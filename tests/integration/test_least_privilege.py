"""packaging/postgres/roles.sql: an owner for migrations, an append-only application role."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from pgcluster import PgCluster
from synckit import APP_PASSWORD
from trustdb import OWNER, OWNER_PASSWORD, connect_as, declaration, migrate_to, trusted_database

from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.ids import new_event_id
from incidentdesk.core.timefmt import utc_now
from incidentdesk.infra.store import migrate
from incidentdesk.infra.store.shared import SharedConfig, SharedStore

ROOT = Path(__file__).resolve().parents[2]
ROLES_SQL = ROOT / "packaging" / "postgres" / "roles.sql"


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
            # The server's own ordering columns: a chosen one would make readers skip rows.
            "INSERT INTO events (id, incident_id, kind, payload, occurred_at_us, hlc, author, "
            "device, xact) VALUES ('x', 'x', 'note.added', '{}', 0, 1, 'a', 'd', '1')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


# ---------------------------------------------------------------- a writer, table by table

ALLOWED = {
    ("SELECT", "events"),
    ("SELECT", "alembic_version"),
    ("SELECT", "journal_epoch"),  # the journal's numbering (0007), one uuid
    ("INSERT", "events"),
}


@pytest.fixture(scope="module")
def writers_db(pg_cluster: PgCluster) -> str:
    return trusted_database(pg_cluster, "least_priv_writers", ("dana",))


def server_tables(pg_cluster: PgCluster, where: str) -> dict[str, str]:
    """Every table on the server, with one of its columns."""
    with pg_cluster.admin(where.rsplit("/", 1)[1]) as admin:
        rows = admin.execute(
            "SELECT table_name, min(column_name) FROM information_schema.columns"
            " WHERE table_schema = 'public' GROUP BY table_name"
        ).fetchall()
    return {str(t): str(c) for t, c in rows}


def attempt(verb: str, table: str, column: str) -> str:
    if verb == "SELECT":
        return f"SELECT * FROM {table} LIMIT 1"
    if verb == "INSERT":
        if table == "alembic_version":
            return "INSERT INTO alembic_version VALUES ('9999_evil')"
        if table == "events":
            event_id = new_event_id()
            return (
                "INSERT INTO events (id, incident_id, kind, payload, occurred_at_us, hlc, author,"
                f" device) VALUES ('{event_id}', '{event_id}', 'note.added', '{{\"text\": \"x\"}}',"
                " 0, 1, 'dana', 'dev')"
            )
        return f"INSERT INTO {table} DEFAULT VALUES"
    if verb == "UPDATE":
        return f"UPDATE {table} SET {column} = {column}"
    if verb == "DELETE":
        return f"DELETE FROM {table}"
    return f"TRUNCATE {table}"


@pytest.mark.parametrize("verb", ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"])
def test_a_writer_may_read_the_journal_and_append_to_it_and_nothing_else(
    pg_cluster: PgCluster, writers_db: str, verb: str
) -> None:
    tables = server_tables(pg_cluster, writers_db)
    assert {"events", "alembic_version", "incidents", "meta", "unpushed", "action_items"} <= set(
        tables
    )
    with connect_as(pg_cluster, writers_db, "dana") as dana:
        for table, column in sorted(tables.items()):
            statement = attempt(verb, table, column)
            if (verb, table) in ALLOWED:
                dana.execute(statement)
            else:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    dana.execute(statement)
                    pytest.fail(f"{verb} on {table} was allowed: {statement}")
    with pg_cluster.admin(writers_db.rsplit("/", 1)[1]) as admin:
        revision = admin.execute("SELECT version_num FROM alembic_version").fetchall()
    assert revision == [(migrate.SCHEMA_HEAD,)]


def test_a_writer_cannot_choose_the_servers_order_or_switch_its_checks_off(
    pg_cluster: PgCluster, writers_db: str
) -> None:
    with connect_as(pg_cluster, writers_db, "dana") as dana:
        event_id = new_event_id()
        for statement in (
            # A seq far ahead would make every reader's cursor skip what comes after it.
            "INSERT INTO events (seq, id, incident_id, kind, payload, occurred_at_us, hlc,"
            f" author, device) VALUES (9000000000000000000, '{event_id}', '{event_id}',"
            " 'note.added', '{}', 0, 1, 'dana', 'dev')",
            "SELECT setval(pg_get_serial_sequence('events', 'seq'), 9000000000000000000)",
            "ALTER TABLE events DISABLE TRIGGER events_check",
            "DROP TRIGGER events_check ON events",
            "CREATE TABLE sneaky (x int)",
            "CREATE OR REPLACE FUNCTION incidentdesk_check_event() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                dana.execute(statement)


def test_the_old_application_role_keeps_working_as_a_member_of_the_group(
    pg_cluster: PgCluster, writers_db: str
) -> None:
    with pg_cluster.admin(writers_db.rsplit("/", 1)[1]) as admin:
        admin.execute(f"ALTER ROLE incidentdesk_app PASSWORD '{APP_PASSWORD}'")
        member = admin.execute(
            "SELECT pg_has_role('incidentdesk_app', 'incidentdesk_writers', 'MEMBER')"
        ).fetchone()
        # Its own grants of earlier releases are gone: it holds the group's, no more.
        own = admin.execute(
            "SELECT count(*) FROM information_schema.role_table_grants"
            " WHERE grantee = 'incidentdesk_app'"
        ).fetchone()
    assert member == (True,) and own == (0,)
    app = SharedStore(
        SharedConfig.parse(f"postgresql://incidentdesk_app@{writers_db}"), APP_PASSWORD
    )
    try:
        app.check_schema()
        declared = declaration("Old login")
        incident = declared.id
        assert app.push([declared]) == 1
        pulled = [e for _s, e in app.pull_events(0) if e.id == incident]
        assert pulled[0].recorded_by == "incidentdesk_app"
    finally:
        app.close()


def test_downgrading_the_shared_schema_removes_the_checks_and_keeps_the_journal(
    pg_cluster: PgCluster,
) -> None:
    where = trusted_database(pg_cluster, "least_priv_down", ("erin",))
    with connect_as(pg_cluster, where, "erin") as erin:
        erin.execute(attempt("INSERT", "events", "id"))
    owner = SharedStore(SharedConfig.parse(f"postgresql://{OWNER}@{where}"), OWNER_PASSWORD)
    try:
        migrate_to(owner, "0005_actions", down=True)
        assert owner.revision() == "0005_actions"
    finally:
        owner.close()
    with connect_as(pg_cluster, where, "erin") as erin:
        erin.execute(attempt("INSERT", "events", "id"))  # 0005's journal: reads and appends
        assert erin.execute("SELECT count(*) FROM events").fetchone() == (2,)


def test_every_shared_upgrade_grants_the_group_again(pg_cluster: PgCluster) -> None:
    # As when the group role was created after the schema (roles.sql run later): the
    # database's grants are missing until the next 'db upgrade --shared'.
    where = trusted_database(pg_cluster, "least_priv_regrant", ("fay",))
    with pg_cluster.admin(where.rsplit("/", 1)[1]) as admin:
        admin.execute("SET ROLE incidentdesk_owner")
        admin.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM incidentdesk_writers")
    with (
        connect_as(pg_cluster, where, "fay") as fay,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        fay.execute("SELECT count(*) FROM events")
    owner = SharedStore(SharedConfig.parse(f"postgresql://{OWNER}@{where}"), OWNER_PASSWORD)
    try:
        assert owner.upgrade() == (migrate.SCHEMA_HEAD, migrate.SCHEMA_HEAD)
        assert owner.has_writers_group()
    finally:
        owner.close()
    with connect_as(pg_cluster, where, "fay") as fay:
        fay.execute(attempt("INSERT", "events", "id"))
        assert fay.execute("SELECT count(*) FROM events").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            fay.execute("DELETE FROM events")
