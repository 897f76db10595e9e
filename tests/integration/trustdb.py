"""A shared database set up the way packaging/postgres/ says: roles.sql as the superuser, the
schema created by the owner, and people added with add-person.sql (run by the real psql)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import psycopg.sql
from pgcluster import SUPERPASS, SUPERUSER, PgCluster
from synckit import APP_PASSWORD

from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.ids import new_event_id
from incidentdesk.core.timefmt import utc_now
from incidentdesk.infra.store import migrate
from incidentdesk.infra.store.shared import SharedConfig, SharedStore

PACKAGING = Path(__file__).resolve().parents[2] / "packaging" / "postgres"
OWNER = "incidentdesk_owner"
OWNER_PASSWORD = "owner-pw-for-tests"


def run_psql(cluster: PgCluster, database: str, *args: str) -> subprocess.CompletedProcess[str]:
    """psql as the superuser (``check``: a failing script fails the test, with its output)."""
    return subprocess.run(
        [
            _psql(cluster),
            "-X",
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            *args,
        ],
        env={**os.environ, "PGPASSWORD": SUPERPASS},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def _psql(cluster: PgCluster) -> str:
    # The server's own folder first (initdb may be a link to it), then the PATH.
    for folder in (cluster.bindir, (cluster.bindir / "initdb").resolve().parent):
        if (folder / "psql").exists():
            return str(folder / "psql")
    found = shutil.which("psql")
    assert found, "psql is installed with the PostgreSQL server binaries"
    return found


def add_person(cluster: PgCluster, database: str, login: str) -> None:
    """What an administrator does for a new person; their password is APP_PASSWORD."""
    run_psql(cluster, database, "-v", f"person={login}", "-f", str(PACKAGING / "add-person.sql"))
    with cluster.admin(database) as admin:
        quoted = psycopg.sql.Literal(APP_PASSWORD).as_string(admin)
        admin.execute(f'ALTER ROLE "{login}" PASSWORD {quoted}')


def trusted_database(cluster: PgCluster, name: str, people: tuple[str, ...]) -> str:
    """A fresh database with the roles, the schema at head and ``people`` as writers;
    returns ``127.0.0.1:PORT/NAME`` (prefix it with ``postgresql://LOGIN@``)."""
    roles = (PACKAGING / "roles.sql").read_text()
    with cluster.admin() as admin:
        admin.execute(roles)
        quoted = psycopg.sql.Literal(OWNER_PASSWORD).as_string(admin)
        admin.execute(f"ALTER ROLE {OWNER} PASSWORD {quoted}")
        admin.execute(f'CREATE DATABASE "{name}" OWNER {OWNER}')
    with cluster.admin(name) as admin:
        admin.execute(roles)
    where = f"127.0.0.1:{cluster.port}/{name}"
    owner = SharedStore(SharedConfig.parse(f"postgresql://{OWNER}@{where}"), OWNER_PASSWORD)
    try:
        owner.upgrade()
    finally:
        owner.close()
    for login in people:
        add_person(cluster, name, login)
    return where


def connect_as(
    cluster: PgCluster, where: str, login: str
) -> psycopg.Connection[tuple[object, ...]]:
    """A raw autocommit connection as a person, for what a hostile client could send."""
    return psycopg.connect(
        host="127.0.0.1",
        port=cluster.port,
        dbname=where.rsplit("/", 1)[1],
        user=login,
        password=APP_PASSWORD,
        autocommit=True,
    )


def migrate_to(store: SharedStore, revision: str, down: bool = False) -> None:
    """Move the shared schema to ``revision`` with Alembic, as its owner."""
    from alembic import command
    from alembic.config import Config

    with store.connect() as conn:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def declaration(title: str) -> Event:
    """A new incident's first event, as a workstation would push it."""
    incident = new_event_id()
    payload = {"title": title, "severity": "SEV4", "services": []}
    return Event(incident, incident, "incident.declared", payload, utc_now(), 1, "app", "dev1")
