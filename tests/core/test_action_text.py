"""Reading an action item's owner and due date from what a commander types."""

from __future__ import annotations

from datetime import date

import pytest

from incidentdesk.core.errors import DomainError
from incidentdesk.core.journal.events import validate_payload
from incidentdesk.core.postmortem.action_text import parse_action, parse_due_text

MONDAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 11)


def test_owner_prefix_and_by_weekday() -> None:
    parsed = parse_action("Bob: roll back auth-gateway by Friday", today=MONDAY)
    assert (parsed.description, parsed.owner, parsed.due, parsed.notice) == (
        "roll back auth-gateway",
        "Bob",
        FRIDAY,
        "",
    )


@pytest.mark.parametrize(
    ("text", "description", "owner", "due"),
    [
        ("Alex Kim: restart the pool due 2026-12-20", "restart the pool", "Alex Kim", "2026-12-20"),
        ("roll back @bob tomorrow", "roll back", "bob", "2026-12-08"),
        ("@bob roll back today", "roll back", "bob", "2026-12-07"),
        ("ask @bob to check the cache +3d", "ask bob to check the cache", "bob", "2026-12-10"),
        ("rotate the keys +2w", "rotate the keys", "", "2026-12-21"),
        ("rotate the keys due by mon.", "rotate the keys", "", "2026-12-14"),
        ("deploy the fix on Friday", "deploy the fix", "", "2026-12-11"),
        ("write the runbook 2026-12-31", "write the runbook", "", "2026-12-31"),
        ("TODO: write the runbook", "TODO: write the runbook", "", None),
        ("errors caused by the cache", "errors caused by the cache", "", None),
    ],
)
def test_forms_of_owner_and_due(text: str, description: str, owner: str, due: str | None) -> None:
    parsed = parse_action(text, today=MONDAY)
    assert parsed.description == description
    assert parsed.owner == owner
    assert parsed.due == (None if due is None else date.fromisoformat(due))
    assert parsed.notice == ""


def test_a_weekday_is_never_today() -> None:
    assert parse_due_text("Friday", today=FRIDAY) == date(2026, 12, 18)
    assert parse_due_text("fri", today=date(2026, 12, 10)) == FRIDAY
    assert parse_due_text("Monday", today=MONDAY) == date(2026, 12, 14)


@pytest.mark.parametrize("phrase", ["by end of week", "by next Friday", "due soon", "by EOD"])
def test_unknown_due_text_stays_in_the_description_and_is_named(phrase: str) -> None:
    parsed = parse_action(f"Bob: restart the pool {phrase}", today=MONDAY)
    assert parsed.description == f"restart the pool {phrase}"
    assert parsed.owner == "Bob"
    assert parsed.due is None
    assert f"'{phrase}' is not a due date I know" in parsed.notice
    assert parsed.notice.endswith("+3d or +2w.")


def test_a_past_date_is_kept_and_said() -> None:
    parsed = parse_action("check the backups due 2026-12-01", today=MONDAY)
    assert parsed.due == date(2026, 12, 1)
    assert parsed.notice == "The due date 2026-12-01 has already passed."


def test_owner_and_due_given_apart_win() -> None:
    parsed = parse_action(
        "Bob: roll back by Friday", today=MONDAY, owner="Carol", due=date(2026, 12, 9)
    )
    assert (parsed.description, parsed.owner, parsed.due) == (
        "roll back by Friday",
        "Carol",
        date(2026, 12, 9),
    )


@pytest.mark.parametrize("text", ["", "   ", "Bob: by Friday"])
def test_nothing_to_do_is_refused_with_a_sentence(text: str) -> None:
    with pytest.raises(DomainError, match=r"^(Write|Say) what needs doing.*\.$"):
        parse_action(text, today=MONDAY)


@pytest.mark.parametrize("typed", ["next week", "2026-02-30", "+d", "someday"])
def test_unknown_due_given_apart_is_refused(typed: str) -> None:
    with pytest.raises(DomainError, match="is not a due date; use a date"):
        parse_due_text(typed, today=MONDAY)


def test_an_item_may_have_no_owner_yet_and_names_its_note() -> None:
    note = "0192f3a0-0000-7000-8000-00000000abcd"
    payload = {
        "item": "0192f3a0-0000-7000-8000-00000000beef",
        "description": "roll back",
        "type": "prevent",
        "owner": "",
        "due": None,
        "priority": "P3",
        "status": "open",
        "note": note,
    }
    clean = validate_payload("action_item.saved", payload)
    assert (clean["owner"], clean["note"]) == ("", note)
    with pytest.raises(DomainError, match="timeline note is not a valid event id"):
        validate_payload("action_item.saved", {**payload, "note": "x"})
