"""The post-mortem editor's save chain without Qt: what is saved, in flight and conflicting.

Plain pytest on a real Desk; this module imports no PySide6 (and the chain loads none).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from incidentdesk.app.demo import seed_demo
from incidentdesk.app.desk import Desk
from incidentdesk.app.postmortems import SectionView
from incidentdesk.core.postmortem.model import SectionSave
from incidentdesk.ui.postmortem.save_chain import NOT_SENT, SaveChain, pick_mine

KEY = "overview"


@pytest.fixture
def incident(desk: Desk) -> str:
    incident = seed_demo(desk)
    desk.postmortems.start(incident, "standard")
    return incident


def section(desk: Desk, incident: str, key: str = KEY) -> SectionView:
    return desk.postmortems.view(incident).section(key)


def opened(desk: Desk, incident: str) -> SaveChain:
    chain = SaveChain(incident, desk.author)
    chain.open(section(desk, incident))
    return chain


def test_the_chain_imports_no_qt() -> None:
    code = "import sys, incidentdesk.ui.postmortem.save_chain; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_saves_queued_one_after_another_are_a_chain_never_a_conflict(
    desk: Desk, incident: str
) -> None:
    chain = opened(desk, incident)
    first, second = chain.save(KEY, "One."), chain.save(KEY, "One. Two.")
    assert chain.in_flight(KEY) and not chain.is_dirty(KEY, "One. Two.")
    ids = [first(desk), second(desk)]  # the worker runs them in order
    assert not chain.saved(KEY)  # one is still to be confirmed
    assert chain.saved(KEY) and not chain.in_flight(KEY)
    shown = section(desk, incident)
    assert shown.conflict is None and shown.text == "One. Two."
    assert chain.bases[KEY] == ids[1] and chain.mine == set(ids)


def test_a_refused_save_keeps_its_words_until_one_succeeds(desk: Desk, incident: str) -> None:
    chain = opened(desk, incident)
    chain.save(KEY, "Words kept.")
    chain.failed(KEY, "Words kept.", "The store is read-only.")
    assert chain.error == "The store is read-only."
    assert chain.sent[KEY] == NOT_SENT and chain.is_dirty(KEY, "Words kept.")
    assert chain.shown_text(section(desk, incident)) == "Words kept."
    chain.save(KEY, "Words kept.")(desk)
    assert chain.saved(KEY)
    assert chain.error == "" and KEY not in chain.unsaved


def test_another_workstations_save_is_followed_when_nothing_here_is_unsaved(
    desk: Desk, incident: str
) -> None:
    chain = opened(desk, incident)
    old = section(desk, incident)
    desk.postmortems.save_section(incident, KEY, "From elsewhere.", old.base)
    newer = section(desk, incident)
    assert chain.follow(newer, old.text) == "From elsewhere."
    assert chain.bases[KEY] == newer.base and not chain.is_dirty(KEY, "From elsewhere.")
    assert chain.follow(newer, "From elsewhere.") is None  # nothing new


def test_unsaved_words_stay_and_their_save_is_a_conflict_to_merge(
    desk: Desk, incident: str
) -> None:
    chain = opened(desk, incident)
    old = section(desk, incident)
    desk.postmortems.save_section(incident, KEY, "From elsewhere.", old.base)
    assert chain.follow(section(desk, incident), "Typed here.") is None  # the words stay
    chain.save(KEY, "Typed here.")(desk)  # on the old base
    chain.saved(KEY)
    conflicting = section(desk, incident)
    assert conflicting.conflict is not None
    assert chain.new_conflict(conflicting) and not chain.new_conflict(conflicting)
    assert chain.shown_text(conflicting) == "Typed here."  # this workstation's side
    assert chain.refusal(read_only=False) == "Not saved: merge the conflicting edits first"
    heads = [h.id for h in conflicting.conflict.heads]
    chain.resolve(KEY, "Both, merged.", heads)(desk)
    assert chain.saved(KEY)
    merged = section(desk, incident)
    assert merged.conflict is None and merged.text == "Both, merged."
    assert not chain.new_conflict(merged) and chain.refusal(read_only=False) == ""


def test_a_save_in_flight_is_not_overtaken_by_an_older_view(desk: Desk, incident: str) -> None:
    chain = opened(desk, incident)
    before = section(desk, incident)
    chain.save(KEY, "Mine, queued.")
    assert chain.follow(before, "Mine, queued.") is None
    chain.open(before)  # coming back to the section keeps the queued text as sent
    assert chain.sent[KEY] == "Mine, queued."


def test_read_only_refuses_before_anything_else(desk: Desk, incident: str) -> None:
    assert opened(desk, incident).refusal(read_only=True).endswith("is read-only")


def test_pick_mine_prefers_a_save_made_here_then_the_last_by_me() -> None:
    def head(id_: str, author: str) -> SectionSave:
        return SectionSave(id_, id_, None, (), author, "desk", datetime.now(UTC))

    heads = [head("a", "Bob"), head("b", "Alice"), head("c", "Alice")]
    assert pick_mine(heads, {"a"}, "Alice").id == "a"
    assert pick_mine(heads, set(), "Alice").id == "c"
    assert pick_mine(heads, set(), "Eve").id == "a"
