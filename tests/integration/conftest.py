"""Fixtures for tests against a real PostgreSQL: a throwaway cluster, fresh databases, and
workstations (each its own local SQLite replica) connected to them."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The helpers beside this file have unique module names (never "conftest": tests/ui has one).
sys.path.insert(0, str(Path(__file__).parent))
from pgcluster import PgCluster, find_bindir
from synckit import APP_PASSWORD, Workstation

from incidentdesk.infra.store.shared import SharedConfig, SharedStore

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL server for the whole test run (skipped without binaries, except in CI)."""
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install them (.ci/run does).")
        pytest.skip(message)
    cluster = PgCluster(bindir)
    cluster.init()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture
def shared_url(pg_cluster: PgCluster) -> str:
    """A fresh, empty shared database (its owner's password is APP_PASSWORD)."""
    return pg_cluster.create_database(f"incidentdesk_{next(_counter)}", "desk_app", APP_PASSWORD)


@pytest.fixture
def shared_schema(shared_url: str) -> str:
    """A fresh shared database with the IncidentDesk schema."""
    store = SharedStore(SharedConfig.parse(shared_url), APP_PASSWORD)
    store.upgrade()
    store.close()
    return shared_url


@pytest.fixture
def workstations(
    tmp_path: Path, shared_schema: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Workstation, Workstation]]:
    """Two workstations, A and B, on one shared database."""
    monkeypatch.setenv("INCIDENTDESK_SECRET_SHARED_DB", APP_PASSWORD)
    a = Workstation(tmp_path, "A", shared_schema)
    b = Workstation(tmp_path, "B", shared_schema)
    yield a, b
    a.close()
    b.close()
