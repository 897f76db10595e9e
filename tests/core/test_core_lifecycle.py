"""Status lifecycle and milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.lifecycle import (
    STATUSES,
    check_milestone_order,
    check_status_change,
    milestones_after_status,
    parse_milestone,
    parse_status,
    status_rank,
)

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("investigating", "investigating"),
        ("Identified", "identified"),
        ("  MITIGATED ", "mitigated"),
        ("monitoring", "mitigated"),
        ("Monitoring", "mitigated"),
        ("resolve", "resolved"),
        ("investigate", "investigating"),
        ("closed", "closed"),
    ],
)
def test_parse_status_accepts_names_and_aliases(typed: str, status: str) -> None:
    assert parse_status(typed) == status


@pytest.mark.parametrize("typed", ["fixed", "", "open", "resolved!", "done"])
def test_parse_status_refuses_anything_else_and_lists_the_statuses(typed: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_status(typed)
    message = str(err.value)
    assert f"'{typed}' is not a status" in message
    assert "investigating, identified, mitigated, resolved, closed" in message


@pytest.mark.parametrize(
    ("typed", "name"),
    [("detected", "detected_at"), ("detected_at", "detected_at"), ("Mitigated-At", "mitigated_at")],
)
def test_parse_milestone(typed: str, name: str) -> None:
    assert parse_milestone(typed) == name


def test_parse_milestone_refuses_unknown_and_lists_short_names() -> None:
    with pytest.raises(DomainError, match="started, detected, acknowledged, mitigated, resolved"):
        parse_milestone("fixed")


def test_statuses_are_ranked_in_lifecycle_order() -> None:
    assert [status_rank(s) for s in STATUSES] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("investigating", "mitigated"),  # skipping forward
        ("investigating", "closed"),
        ("resolved", "investigating"),  # reopen: the fix did not hold
        ("mitigated", "identified"),
    ],
)
def test_allowed_status_changes(current: str, new: str) -> None:
    check_status_change(current, new)  # no error


@pytest.mark.parametrize("new", [s for s in STATUSES if s != "closed"])
def test_closed_is_terminal(new: str) -> None:
    with pytest.raises(DomainError, match="closed; its status can no longer change"):
        check_status_change("closed", new)


@pytest.mark.parametrize(
    ("status", "words"),
    [("mitigated", "already mitigated (monitoring)"), ("closed", "already closed")],
)
def test_same_status_is_refused(status: str, words: str) -> None:
    with pytest.raises(DomainError, match=rf"{words.replace('(', '.').replace(')', '.')}"):
        check_status_change(status, status)


def test_reaching_mitigated_and_resolved_records_their_milestones() -> None:
    start = {"started_at": at(0), "detected_at": at(1)}
    after_mitigated = milestones_after_status(start, "mitigated", at(30))
    assert after_mitigated == start | {"mitigated_at": at(30)}
    after_resolved = milestones_after_status(after_mitigated, "resolved", at(60))
    assert after_resolved == start | {"mitigated_at": at(30), "resolved_at": at(60)}
    assert start == {"started_at": at(0), "detected_at": at(1)}  # the input is not modified


def test_a_milestone_is_set_once() -> None:
    # Already recorded (for example back-dated by the scribe): reaching the status keeps it.
    recorded = {"mitigated_at": at(20)}
    assert milestones_after_status(recorded, "mitigated", at(45)) == {"mitigated_at": at(20)}
    resolved = {"resolved_at": at(50)}
    assert milestones_after_status(resolved, "closed", at(90)) == {"resolved_at": at(50)}


def test_identified_records_no_milestone() -> None:
    assert milestones_after_status({"started_at": at(0)}, "identified", at(5)) == {
        "started_at": at(0)
    }


def test_reopening_to_investigating_clears_mitigated_and_resolved() -> None:
    done = {
        "started_at": at(0),
        "detected_at": at(1),
        "acknowledged_at": at(2),
        "mitigated_at": at(30),
        "resolved_at": at(60),
    }
    reopened = milestones_after_status(done, "investigating", at(90))
    assert reopened == {"started_at": at(0), "detected_at": at(1), "acknowledged_at": at(2)}


def test_reopening_to_mitigated_keeps_mitigated_but_clears_resolved() -> None:
    done = {"mitigated_at": at(30), "resolved_at": at(60)}
    assert milestones_after_status(done, "mitigated", at(90)) == {"mitigated_at": at(30)}


def test_closing_an_unresolved_incident_resolves_it() -> None:
    assert milestones_after_status({"started_at": at(0)}, "closed", at(120)) == {
        "started_at": at(0),
        "resolved_at": at(120),
    }


def test_milestones_in_order_are_accepted_with_gaps_and_equal_times() -> None:
    check_milestone_order({"started_at": at(0), "detected_at": at(0), "resolved_at": at(60)})
    check_milestone_order({})


def test_a_back_dated_milestone_that_keeps_the_order_is_fine() -> None:
    # Detected at 14:05, scribe later back-dates "started" to 13:40: still in order.
    check_milestone_order({"started_at": at(-20), "detected_at": at(5), "mitigated_at": at(30)})


def test_out_of_order_milestones_name_both_of_them() -> None:
    with pytest.raises(DomainError) as err:
        check_milestone_order({"detected_at": at(10), "mitigated_at": at(5)})
    message = str(err.value)
    assert "Mitigated (2026-11-26T14:05:00+00:00)" in message
    assert "Detected (2026-11-26T14:10:00+00:00)" in message
    assert "would be earlier than" in message


def test_order_is_checked_against_the_nearest_earlier_milestone_present() -> None:
    with pytest.raises(DomainError, match=r"Resolved .* earlier than Acknowledged"):
        check_milestone_order(
            {"started_at": at(0), "acknowledged_at": at(20), "resolved_at": at(10)}
        )
