"""Searching the library: titles, notes and corrections in the FTS5 index of a real store."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentdesk.app.desk import Desk
from incidentdesk.core.journal.events import Event
from incidentdesk.core.journal.ids import hlc_pack, new_event_id
from incidentdesk.core.library.search import SearchHit
from incidentdesk.core.timefmt import to_micros, utc_now


def folded(text: str) -> str:
    """Lower case without accents: how the index compares words."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def marked(hit: SearchHit) -> list[str]:
    return [hit.snippet[a:b] for a, b in hit.highlights]


def events_found(desk: Desk, query: str) -> set[str]:
    return {h.event_id for h in desk.incidents.search(query)}


@pytest.fixture
def incident(desk: Desk) -> str:
    return desk.incidents.declare("Checkout 5xx in EU", "SEV2", ["payments-api"])


def test_words_match_in_any_order_and_all_must_match(desk: Desk, incident: str) -> None:
    full = desk.incidents.add_note(incident, "Disk full on db-01 after the deploy")
    desk.incidents.add_note(incident, "Disk usage at 70%")
    assert events_found(desk, "full disk") == {full}
    assert events_found(desk, "disk") == {full, *events_found(desk, "usage")}
    assert events_found(desk, "disk nonsense") == set()


def test_quoted_phrases_match_words_next_to_each_other(desk: Desk, incident: str) -> None:
    together = desk.incidents.add_note(incident, "The connection pool is saturated")
    desk.incidents.add_note(incident, "Pool of workers; connection refused")
    assert events_found(desk, '"connection pool"') == {together}
    assert len(events_found(desk, "connection pool")) == 2


def test_a_star_matches_a_prefix(desk: Desk, incident: str) -> None:
    deploying = desk.incidents.add_note(incident, "Deploying v2.3 to the canary")
    deployed = desk.incidents.add_note(incident, "Deployment finished")
    assert events_found(desk, "deploy*") == {deploying, deployed}
    assert events_found(desk, "deploy") == set()


def test_case_and_accents_do_not_matter(desk: Desk, incident: str) -> None:
    cafe = desk.incidents.add_note(incident, "Café menu sync broken in Zürich and São Paulo")
    plain = desk.incidents.add_note(incident, "cafe ZURICH sao paulo")
    for query in ("CAFÉ", "cafe", "zurich", "Zürich", "SÃO", "sao paulo", "Cafe*"):
        assert events_found(desk, query) == {cafe, plain}, query


def test_scripts_other_than_latin(desk: Desk, incident: str) -> None:
    chinese = desk.incidents.add_note(incident, "数据库连接失败，正在回滚")
    japanese = desk.incidents.add_note(incident, "データベース の 接続 が 失敗")
    hebrew = desk.incidents.add_note(incident, "שגיאה בשרת התשלומים")
    arabic = desk.incidents.add_note(incident, "فشل الاتصال بقاعدة البيانات")
    greek = desk.incidents.add_note(incident, "Σφάλμα ΣΤΗ βάση δεδομένων")
    assert events_found(desk, "数据库连接失败") == {chinese}
    # A run of Han characters is one token; a query for its start still finds it.
    assert events_found(desk, "数据库") == {chinese}
    assert events_found(desk, "接続") == {japanese}
    assert events_found(desk, "בשרת") == {hebrew}
    assert events_found(desk, "الاتصال") == {arabic}
    assert events_found(desk, "στη") == {greek}  # Greek case folds too
    hit = desk.incidents.search("התשלומים")[0]
    assert marked(hit) == ["התשלומים"]


def test_nothing_found_is_an_empty_list(desk: Desk, incident: str) -> None:
    desk.incidents.add_note(incident, "Something happened")
    assert desk.incidents.search("elephant") == []
    assert desk.incidents.search("") == []
    assert desk.incidents.search("🔥 ** --") == []


def test_an_empty_library_finds_nothing(desk: Desk) -> None:
    assert desk.incidents.search("anything") == []


HOSTILE = [
    '"',
    '"""',
    '"unbalanced',
    'unbalanced"',
    "AND",
    "OR",
    "NOT",
    "a AND b",
    "disk OR full",
    "NOT disk",
    "NEAR(disk full, 2)",
    "NEAR",
    "^disk",
    "text:disk",
    "incident_id:x",
    "{text incident_id}: disk",
    "(disk",
    "disk)",
    "-disk",
    "+disk",
    "disk*full*",
    "*",
    "\x00disk\x00",
    "disk\ud800full",
    "🔥 fire 🚒",
    "'; DROP TABLE events; --",
    "x" * 10_000,
    " ".join(f"w{i}" for i in range(2_000)),
    '"' * 5_000,
    "disk " * 2_000,
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_raise(desk: Desk, incident: str, query: str) -> None:
    desk.incidents.add_note(incident, "Disk full on db-01 (fire drill)")
    hits = desk.incidents.search(query)
    assert isinstance(hits, list)


def test_operators_are_searched_as_words(desk: Desk, incident: str) -> None:
    literal = desk.incidents.add_note(incident, "Do NOT restart the primary AND the replica")
    desk.incidents.add_note(incident, "Restart the primary")
    assert events_found(desk, "NOT restart") == {literal}
    assert events_found(desk, "restart OR primary") == set()  # 'or' is a word here


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=200))
def test_any_text_is_a_valid_query(desk: Desk, query: str) -> None:
    assert isinstance(desk.incidents.search(query), list)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(alphabet='"*()^:+-{},. aANDORNTEdisk', max_size=80))
def test_any_syntax_is_a_valid_query(desk: Desk, query: str) -> None:
    assert isinstance(desk.incidents.search(query), list)


def test_highlights_point_at_the_matched_words(desk: Desk, incident: str) -> None:
    desk.incidents.add_note(
        incident, "Rolled back the Déploiement of payments-api; disk full again"
    )
    hit = desk.incidents.search("deploiement disk")[0]
    assert [folded(w) for w in marked(hit)] == ["deploiement", "disk"]
    assert hit.snippet == "Rolled back the Déploiement of payments-api; disk full again"
    assert desk.incidents.search('"disk full"')[0].highlights == ((45, 54),)
    prefix = desk.incidents.search("pay*")[0]
    assert marked(prefix) == ["payments"]


def test_a_long_note_is_cut_around_the_match(desk: Desk, incident: str) -> None:
    words = [f"filler{i}" for i in range(200)]
    words[150] = "needle"
    desk.incidents.add_note(incident, " ".join(words))
    hit = desk.incidents.search("needle")[0]
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 300
    assert marked(hit) == ["needle"]


def test_multi_line_notes_keep_their_line_breaks_in_the_snippet(desk: Desk, incident: str) -> None:
    desk.incidents.add_note(incident, "first line\nsecond line with the culprit")
    hit = desk.incidents.search("culprit")[0]
    assert "\n" in hit.snippet
    assert marked(hit) == ["culprit"]


def test_titles_are_found_with_the_incident_list_row(desk: Desk) -> None:
    started = utc_now() - timedelta(hours=2)
    incident = desk.incidents.declare("Ledger timeouts in São Paulo", "SEV3", at=started)
    desk.incidents.set_severity(incident, "SEV1")
    desk.incidents.set_status(incident, "identified")
    (hit,) = desk.incidents.search("ledger")
    assert hit.incident_id == hit.event_id == incident
    assert hit.title == hit.snippet == "Ledger timeouts in São Paulo"
    assert (hit.severity, hit.status) == ("SEV1", "identified")
    assert hit.started_at is not None and to_micros(hit.started_at) == to_micros(started)
    assert marked(hit) == ["Ledger"]


def test_the_best_matches_come_first(desk: Desk) -> None:
    incident = desk.incidents.declare("Storefront outage", "SEV2")
    other = desk.incidents.declare("Billing delays", "SEV3")
    diluted = desk.incidents.add_note(
        incident, "checkout " + " ".join(f"word{i}" for i in range(40))
    )
    focused = desk.incidents.add_note(other, "checkout checkout")
    assert [h.event_id for h in desk.incidents.search("checkout")] == [focused, diluted]


def test_corrected_notes_are_found_by_their_new_text(desk: Desk, incident: str) -> None:
    note = desk.incidents.add_note(incident, "Root cause: the cache")
    desk.incidents.correct_note(incident, note, "Root cause: an expired certificate")
    (hit,) = desk.incidents.search("certificate")
    assert hit.event_id == note  # the note, not the correction event
    assert marked(hit) == ["certificate"]
    # A note whose original and corrected texts both match is one hit.
    assert [h.event_id for h in desk.incidents.search("root cause")] == [note]


def test_at_most_a_few_hits_per_incident(desk: Desk) -> None:
    busy = desk.incidents.declare("Busy incident", "SEV2")
    quiet = desk.incidents.declare("Quiet incident", "SEV4")
    for i in range(10):
        desk.incidents.add_note(busy, f"timeout number {i}")
    desk.incidents.add_note(quiet, "one timeout here, among many other words in a long sentence")
    hits = desk.incidents.search("timeout")
    by_incident = [h.incident_id for h in hits]
    assert by_incident.count(busy) == 3
    assert quiet in by_incident


def test_the_limit_is_respected(desk: Desk) -> None:
    for i in range(5):
        desk.incidents.declare(f"Outage {i}", "SEV3")
    assert len(desk.incidents.search("outage")) == 5
    assert len(desk.incidents.search("outage", limit=2)) == 2
    assert desk.incidents.search("outage", limit=0) == []


def test_received_events_are_searchable(desk: Desk, data_dir: Path) -> None:
    incident = new_event_id()
    now = utc_now()
    declared = Event(
        incident,
        incident,
        "incident.declared",
        {"title": "Remote outage", "severity": "SEV2", "services": []},
        now,
        hlc_pack(1, 0),
        "Bob",
        "remote0device",
    )
    note = declared._replace(
        id=new_event_id(),
        kind="note.added",
        payload={"text": "Written on another workstation", "note_kind": "note", "pinned": False},
        hlc=hlc_pack(2, 0),
    )
    desk.exchange.receive([note])
    assert (
        desk.incidents.search("workstation") == []
    )  # its incident has not arrived: not listed yet
    desk.exchange.receive([declared])
    assert events_found(desk, "workstation") == {note.id}
    assert events_found(desk, "remote") == {incident}


def test_rebuild_keeps_the_same_results(desk: Desk, incident: str) -> None:
    note = desk.incidents.add_note(incident, "Disk full")
    desk.incidents.correct_note(incident, note, "Disk nearly full")
    before = desk.incidents.search("disk")
    desk.rebuild()
    assert desk.incidents.search("disk") == before
    assert events_found(desk, "nearly") == {note}
