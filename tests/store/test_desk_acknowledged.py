"""Acknowledged through the Desk: back-dating, order checks, metrics, and old stores."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incidentdesk.app.desk import Desk
from incidentdesk.core.journal.fold import recorded_milestones
from incidentdesk.core.library.metrics import compute_metrics

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def test_back_dating_and_recorded_milestones(tmp_path: Path) -> None:
    desk = Desk.open(tmp_path, "Ana")
    try:
        incident = desk.incidents.declare("Checkout down", "SEV1", ["checkout"], at=T0)
        desk.incidents.assign_role(incident, "commander", "Ana", at=T0 + timedelta(minutes=7))
        assert desk.incidents.get(incident).milestones["acknowledged_at"] == T0 + timedelta(
            minutes=7
        )
        # A mitigation back-dated before the commander arrived is not refused.
        desk.incidents.set_status(incident, "mitigated", at=T0 + timedelta(minutes=5))
        state = desk.incidents.get(incident)
        assert state.milestones["acknowledged_at"] == T0 + timedelta(minutes=5)
        assert "acknowledged_at" not in recorded_milestones(state)
        desk.incidents.set_milestone(incident, "acknowledged", at=T0 + timedelta(minutes=2))
        state = desk.incidents.get(incident)
        assert state.milestones["acknowledged_at"] == T0 + timedelta(minutes=2)
        assert recorded_milestones(state)["acknowledged_at"] == T0 + timedelta(minutes=2)
    finally:
        desk.close()


def test_mtta_exists_for_an_incident_with_a_commander_and_no_page(tmp_path: Path) -> None:
    desk = Desk.open(tmp_path, "Ana")
    try:
        incident = desk.incidents.declare("Checkout down", "SEV1", ["checkout"], at=T0)
        desk.incidents.assign_role(incident, "commander", "Ana", at=T0 + timedelta(minutes=4))
        desk.incidents.set_status(incident, "resolved", at=T0 + timedelta(minutes=40))
        report = compute_metrics(desk.incidents.rows(include_closed=True))
    finally:
        desk.close()
    mtta = report.total.metric("time_to_acknowledge")
    assert (mtta.measured, mtta.missing) == (1, 0)
    assert mtta.median == pytest.approx(240.0)


def test_a_store_folded_by_an_older_version_gets_acknowledged_on_open(tmp_path: Path) -> None:
    desk = Desk.open(tmp_path, "Ana")
    incident = desk.incidents.declare("Checkout down", "SEV1", ["checkout"], at=T0)
    desk.incidents.assign_role(incident, "commander", "Ana", at=T0 + timedelta(minutes=4))
    path = desk.store.path
    desk.close()
    with sqlite3.connect(path) as db:  # as an older release left it
        db.execute("UPDATE incidents SET acknowledged_at_us = NULL")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'projection_version'")
    db.close()
    desk = Desk.open(tmp_path, "Ana")
    try:
        [row] = desk.incidents.rows()
        assert row["acknowledged_at"] == T0 + timedelta(minutes=4)
    finally:
        desk.close()
