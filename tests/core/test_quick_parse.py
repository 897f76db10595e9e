"""The quick entry's language: notes, slash commands, back-dating and completion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.errors import DomainError
from incidentdesk.core.incident.lifecycle import STATUSES
from incidentdesk.core.incident.quick import (
    COMMANDS,
    QuickCommand,
    describe,
    format_local,
    help_lines,
    parse_quick,
)
from incidentdesk.core.incident.quick_completion import CompletionSlot, completion_slot, completions
from incidentdesk.core.incident.roles import ROLES
from incidentdesk.core.timefmt import FUTURE_SLACK

NOW = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # 14:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")
PEOPLE = ["Alex Kim", "Alice", "Bob"]


def parse(text: str, now: datetime = NOW) -> QuickCommand:
    return parse_quick(text, now=now, local_tz=BERLIN)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# ------------------------------------------------------------------ notes and commands


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("saw the spike", QuickCommand("note", text="saw the spike")),
        ("  padded  ", QuickCommand("note", text="padded")),
        ("//etc/hosts was edited", QuickCommand("note", text="/etc/hosts was edited")),
        ("/note plain", QuickCommand("note", text="plain")),
        ("/decision roll back", QuickCommand("note", text="roll back", kind="decision")),
        ("/DECISION Roll Back", QuickCommand("note", text="Roll Back", kind="decision")),
        ("/action restart pool", QuickCommand("note", text="restart pool", kind="action")),
        ("/observation p99 up", QuickCommand("note", text="p99 up", kind="observation")),
        ("/obs p99 up", QuickCommand("note", text="p99 up", kind="observation")),
        ("/update posted", QuickCommand("note", text="posted", kind="update")),
        ("/pin keep an eye", QuickCommand("note", text="keep an eye", pinned=True)),
        (
            "/pin /decision freeze",
            QuickCommand("note", text="freeze", kind="decision", pinned=True),
        ),
        ("/pin", QuickCommand("pin_selected")),
        ("/sev 2", QuickCommand("severity", value="SEV2")),
        ("/sev SEV1", QuickCommand("severity", value="SEV1")),
        ("/sev sev-4", QuickCommand("severity", value="SEV4")),
        ("/sev2", QuickCommand("severity", value="SEV2")),
        ("/severity 3", QuickCommand("severity", value="SEV3")),
        ("/status mitigated", QuickCommand("status", value="mitigated")),
        ("/status Monitoring", QuickCommand("status", value="mitigated")),
        ("/role scribe Alice", QuickCommand("role", role="scribe", person="Alice")),
        ("/role commander Alex Kim", QuickCommand("role", role="commander", person="Alex Kim")),
        ("/role ic Alex  Kim", QuickCommand("role", role="commander", person="Alex Kim")),
        (
            "/role incident commander Alex Kim",
            QuickCommand("role", role="commander", person="Alex Kim"),
        ),
        ("/role ops lead Bo", QuickCommand("role", role="ops_lead", person="Bo")),
        ("/help", QuickCommand("help")),
        ("/help /role", QuickCommand("help", text="role")),
        ("/help obs", QuickCommand("help", text="observation")),
    ],
)
def test_lines_parse_into_commands(typed: str, expected: QuickCommand) -> None:
    assert parse(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type a note"),
        ("   ", "Type a note"),
        ("/", "Type a command after the slash"),
        ("/frobnicate now", "'/frobnicate' is not a command; use one of /sev, /status, /role"),
        ("/sev", "Give the severity after /sev"),
        ("/sev 9", "'9' is not a severity"),
        ("/status", "Give the new status after /status: one of investigating"),
        ("/status done", "'done' is not a status"),
        ("/role", "Name the role and the person"),
        ("/role scribe", "Name the person who takes Scribe"),
        ("/role pilot Alice", "'pilot' is not a role; use one of commander"),
        ("/decision", "Write the decision after /decision"),
        ("/obs   ", "Write the observation after /observation"),
        ("/pin /sev 2", "/sev cannot be pinned"),
        ("/pin /pin x", "/pin is given twice"),
        ("/help nothing", "There is no command 'nothing'"),
        ("/at", "Give a time after /at"),
        ("/at 12:00", "Say what happened at 12:00"),
        ("/at 25:00 x", "'25:00' is not a time of day"),
        ("/at 12:60 x", "'12:60' is not a time of day"),
        ("/at noon x", "'noon' is not a time"),
        ("/at 2026-13-01T10:00Z x", "is not a valid date and time"),
        ("/at 2026-11-27T10:00Z x", "is in the future"),
        ("/at 0001-01-01T00:00:01Z x", "is before 1970"),
        ("/at 1969-12-31T23:59:59Z /milestone detected", "is before 1970"),
        ("/at 2300-01-01T00:00Z x", "is in the future"),
        ("/at 12:00 /at 11:00 x", "/at is given twice"),
        ("/at 12:00 /pin", "cannot be back-dated"),
        ("/at 12:00 /help", "/help cannot be back-dated"),
    ],
)
def test_mistakes_get_one_sentence_saying_what_to_type(typed: str, says: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse(typed)
    message = str(caught.value)
    assert says in message
    assert message.endswith(".") and "\n" not in message


def test_an_unknown_command_lists_every_command() -> None:
    with pytest.raises(DomainError) as caught:
        parse("/sevv 2")
    for command in COMMANDS:
        assert f"/{command.name}" in str(caught.value)


# ------------------------------------------------------------------ back-dating


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/at 13:05 saw the spike", utc(2026, 11, 26, 12, 5)),  # earlier today (Berlin)
        ("/at 9:05 saw the spike", utc(2026, 11, 26, 8, 5)),
        ("/at 13:05:30 saw the spike", utc(2026, 11, 26, 12, 5, 30)),
        ("/at 14:05 saw the spike", utc(2026, 11, 25, 13, 5)),  # still to come: yesterday
        ("/at 23:59 saw the spike", utc(2026, 11, 25, 22, 59)),
        ("/at 14:00:30 saw the spike", utc(2026, 11, 26, 13, 0, 30)),  # within the clock slack
        ("/at 2026-11-26T12:05+01:00 saw the spike", utc(2026, 11, 26, 11, 5)),
        ("/at 2026-11-26T10:05Z saw the spike", utc(2026, 11, 26, 10, 5)),
        ("/at 2026-11-26T10:05 saw the spike", utc(2026, 11, 26, 9, 5)),  # no offset: local
        ("/at 2026-11-26 10:05 saw the spike", utc(2026, 11, 26, 9, 5)),
    ],
)
def test_at_back_dates_to_local_clock_time(typed: str, expected: datetime) -> None:
    command = parse(typed)
    assert command == QuickCommand("note", text="saw the spike", at=expected)
    assert command.at is not None and command.at.tzinfo is UTC


def test_at_wraps_any_command_that_can_be_back_dated() -> None:
    at = utc(2026, 11, 26, 12, 5)
    assert parse("/at 13:05 /decision roll back") == QuickCommand(
        "note", text="roll back", kind="decision", at=at
    )
    assert parse("/at 13:05 /pin /obs it dipped") == QuickCommand(
        "note", text="it dipped", kind="observation", at=at, pinned=True
    )
    assert parse("/pin /at 13:05 it dipped") == QuickCommand(
        "note", text="it dipped", at=at, pinned=True
    )
    assert parse("/at 13:05 /sev 1") == QuickCommand("severity", value="SEV1", at=at)
    assert parse("/at 13:05 /status mitigated").at == at
    assert parse("/at 13:05 /role scribe Alice").at == at
    assert parse("/at 13:05 //var is full").text == "/var is full"


def test_yesterday_is_the_calendar_day_before_across_a_clock_change() -> None:
    # Berlin moved to summer time on 2026-03-29; yesterday 13:00 was still winter time.
    now = utc(2026, 3, 29, 10, 0)  # 12:00 CEST
    assert parse("/at 13:00 x", now=now).at == utc(2026, 3, 28, 12, 0)  # 13:00 CET
    assert parse("/at 11:00 x", now=now).at == utc(2026, 3, 29, 9, 0)  # 11:00 CEST


def test_without_a_zone_the_system_zone_is_used() -> None:
    command = parse_quick("/at 2026-11-26T10:05Z x", now=NOW)
    assert command.at == utc(2026, 11, 26, 10, 5)
    clock = parse_quick("/at 00:00 x", now=NOW).at
    assert clock is not None and NOW - timedelta(days=1) <= clock <= NOW


# ------------------------------------------------------------------ properties

NOT_A_COMMAND = st.text(min_size=1).filter(
    lambda t: bool(t.strip()) and not t.strip().startswith("/")
)


@given(NOT_A_COMMAND)
def test_text_without_a_leading_slash_is_a_note_with_that_text(text: str) -> None:
    assert parse(text) == QuickCommand("note", text=text.strip())


NAMES = sorted({n for c in COMMANDS for n in (c.name, *c.aliases)})
LINES = st.one_of(
    st.text(),
    st.builds(lambda n, a: f"/{n} {a}", st.sampled_from(NAMES), st.text()),
    st.builds(
        lambda t, a: f"/at {t} {a}",
        st.one_of(st.from_regex(r"[0-9]{1,2}:[0-9]{1,2}(:[0-9]{2})?", fullmatch=True), st.text()),
        st.text(),
    ),
    st.builds(
        lambda d, a: f"/at {d.isoformat()} {a}",
        st.datetimes(timezones=st.just(timezone(timedelta(hours=-12)))),
        st.sampled_from(["x", "/sev 2", "/pin"]),
    ),
    st.lists(st.sampled_from([*(f"/{n}" for n in NAMES), "x", "12:00", " "])).map(" ".join),
)


@given(LINES, st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_any_line_parses_or_is_refused_with_a_domain_error(line: str, now: datetime) -> None:
    try:
        command = parse(line, now=now.replace(tzinfo=UTC))
    except DomainError as refused:
        assert str(refused)
    else:
        assert command.at is None or command.at <= now.replace(tzinfo=UTC) + FUTURE_SLACK


@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=7))]),
)
def test_at_clock_time_is_the_latest_such_time_not_to_come(
    hour: int, minute: int, naive_now: datetime, zone: timezone
) -> None:
    now = naive_now.replace(tzinfo=UTC)
    at = parse_quick(f"/at {hour}:{minute:02d} x", now=now, local_tz=zone).at
    assert at is not None
    # Today's or yesterday's clock time, whichever is not still to come (a minute of clock
    # slack allowed): always within the last day. Typed at 23:59, "/at 0:00" is the midnight
    # that began the day, 23h59m ago (back-dating never means tomorrow).
    assert now - timedelta(days=1) < at <= now + FUTURE_SLACK
    local = at.astimezone(zone)
    assert (local.hour, local.minute, local.second) == (hour, minute, 0)


# ------------------------------------------------------------------ completion


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", None),
        ("a note", None),
        ("//etc", None),
        ("/", CompletionSlot("command", 0, "/")),
        ("  /ro", CompletionSlot("command", 2, "/ro")),
        ("/role ", CompletionSlot("role", 6, "")),
        ("/role sc", CompletionSlot("role", 6, "sc")),
        ("/role scribe ", CompletionSlot("person", 13, "")),
        ("/role scribe Alex K", CompletionSlot("person", 13, "Alex K")),
        ("/role ops lead A", CompletionSlot("person", 15, "A")),
        ("/role pilot ", None),
        ("/status ", CompletionSlot("status", 8, "")),
        ("/status mit", CompletionSlot("status", 8, "mit")),
        ("/status mitigated now", None),
        ("/sev ", CompletionSlot("severity", 5, "")),
        ("/decision ro", None),
        ("/at 14:05 ", None),
        ("/at 14:05 /dec", CompletionSlot("command", 10, "/dec")),
        ("/at 2026-11-26 14:05 /dec", CompletionSlot("command", 21, "/dec")),
        ("/pin /role s", CompletionSlot("role", 11, "s")),
        ("/nope x", None),
    ],
)
def test_completion_finds_the_word_being_typed(typed: str, expected: CompletionSlot) -> None:
    assert completion_slot(typed) == expected


def inserts(typed: str) -> list[str]:
    slot = completion_slot(typed)
    assert slot is not None
    return [c.insert for c in completions(slot, people=PEOPLE)]


def test_completion_offers_commands_roles_people_statuses_and_severities() -> None:
    assert inserts("/") == [f"/{c.name}" for c in COMMANDS]
    assert inserts("/s") == ["/sev", "/status"]
    assert inserts("/OB") == ["/observation"]
    assert inserts("/role ") == [r.key for r in ROLES]
    assert inserts("/role S") == ["scribe", "sme"]
    assert inserts("/role scribe ") == PEOPLE
    assert inserts("/role scribe al") == ["Alex Kim", "Alice"]
    assert inserts("/role scribe kim") == ["Alex Kim"]
    assert inserts("/status ") == list(STATUSES)
    assert inserts("/status re") == ["resolved"]
    assert inserts("/sev ") == ["1", "2", "3", "4", "5"]


def test_nothing_is_offered_for_a_word_already_complete() -> None:
    assert inserts("/status") == []
    assert inserts("/obs") == []
    assert inserts("/role scribe") == []
    assert inserts("/role scribe Bob") == []
    assert inserts("/status closed") == []


def test_a_completion_says_whether_more_words_follow() -> None:
    slot = completion_slot("/")
    assert slot is not None
    by_name = {c.insert: c for c in completions(slot, people=[])}
    assert by_name["/role"].more and not by_name["/help"].more
    people = completion_slot("/role scribe ")
    assert people is not None
    assert not any(c.more for c in completions(people, people=PEOPLE))


# ------------------------------------------------------------------ words for people


def test_describe_says_what_enter_will_do() -> None:
    assert describe(parse("roll back"), now=NOW, local_tz=BERLIN) == "Note"
    assert describe(parse("/pin /decision x"), now=NOW, local_tz=BERLIN) == "Decision, pinned"
    assert describe(parse("/sev 1"), now=NOW) == "Severity → SEV1"
    assert describe(parse("/status monitoring"), now=NOW) == "Status → Mitigated (monitoring)"
    assert describe(parse("/role ic Alex Kim"), now=NOW) == "Incident Commander → Alex Kim"
    assert describe(parse("/pin"), now=NOW) == "Pin the selected entry"
    assert describe(parse("/at 13:05 x"), now=NOW, local_tz=BERLIN) == "Note · 13:05"
    yesterday = parse("/at 14:05:30 /action y")
    assert describe(yesterday, now=NOW, local_tz=BERLIN) == "Action item · 14:05:30 yesterday"


def test_format_local_shows_the_date_beyond_yesterday() -> None:
    assert format_local(utc(2026, 11, 20, 9, 5), now=NOW, local_tz=BERLIN) == "2026-11-20 10:05"


def test_help_lists_every_command_or_one() -> None:
    assert len(help_lines()) == len(COMMANDS)
    assert help_lines("role") == [("/role scribe Alex Kim", COMMANDS[2].summary)]


def test_the_preview_of_an_action_names_its_owner_and_due_date() -> None:
    from datetime import date

    from incidentdesk.core.incident.quick import describe_action

    monday = date(2026, 12, 7)
    assert describe_action("Bob: roll back by Friday", today=monday) == (
        "Action item · Bob · due Fri 2026-12-11"
    )
    assert describe_action("roll back", today=monday) == "Action item"
    assert describe_action("Bob: by Friday", today=monday) == "Action item"  # nothing to do
