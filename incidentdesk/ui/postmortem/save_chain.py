"""The post-mortem editor's save chain, without Qt: what is saved, in flight and conflicting.

Per section it keeps the save this workstation's text is based on (read and advanced on the
store worker by each save, so saves queued one after another form a chain, never a conflict
with themselves), the text last sent to be saved, the text of a save that failed (kept on
screen until one succeeds) and how many saves are still queued; and, for every section, the
ids of the saves made here ("mine": this workstation's side of a conflict).

The view asks it what to do and tells it what happened; the jobs it hands out run on the
store worker. Nothing here imports Qt: ``tests/ui/test_postmortem_save_chain.py`` drives it
with a plain Desk.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from incidentdesk.core.postmortem.model import SectionSave

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; the chain only names its types
    from incidentdesk.app.desk import Desk
    from incidentdesk.app.postmortems import SectionView

NOT_SENT = "\x00unsaved"  # never equal to a text: the section is still to be saved


def pick_mine(heads: Sequence[SectionSave], mine_ids: Collection[str], me: str) -> SectionSave:
    """This workstation's side of a conflict: a head it saved, else the last head by ``me``,
    else the first head."""
    for head in heads:
        if head.id in mine_ids:
            return head
    by_me = [h for h in heads if h.author == me]
    return by_me[-1] if by_me else heads[0]


class SaveChain:
    """The save state of one incident's post-mortem sections on this workstation.

    Args:
        incident_id: the incident (full id).
        author: who records here (their side of a conflict is "mine").
    """

    def __init__(self, incident_id: str, author: str) -> None:
        self.incident_id = incident_id
        self.author = author
        self.bases: dict[str, str | None] = {}  # advanced on the worker by each save
        self.sent: dict[str, str] = {}
        self.unsaved: dict[str, str] = {}  # text whose save failed: kept until one succeeds
        self.inflight: dict[str, int] = {}
        self.mine: set[str] = set()
        self.conflict_heads: tuple[str, ...] = ()  # of the section on screen, until merged
        self.error = ""  # the last save's failure, "" once one succeeds

    # ------------------------------------------------------------ reading

    def in_flight(self, key: str) -> bool:
        """Whether a save of the section is still queued."""
        return bool(self.inflight.get(key))

    def is_dirty(self, key: str | None, on_screen: str) -> bool:
        """Whether ``on_screen`` (the section's text in the editor) is not yet sent."""
        return key is not None and on_screen != self.sent.get(key, "")

    def shown_text(self, section: SectionView) -> str:
        """The text to show for a section: this workstation's side of a conflict, the words
        of a refused save, else what was last sent (or the saved text)."""
        if section.conflict is not None:  # this workstation's side, until merged
            return pick_mine(section.conflict.heads, self.mine, self.author).text
        if section.key in self.unsaved:  # a refused save: the words stay on screen
            return self.unsaved[section.key]
        return self.sent.get(section.key, section.text)

    def refusal(self, read_only: bool) -> str:
        """Why the section on screen cannot be saved now ("" when it can)."""
        if read_only:
            return "Not saved: the post-mortem is read-only"
        if self.conflict_heads:
            return "Not saved: merge the conflicting edits first"
        return ""

    # ------------------------------------------------------------ the section on screen

    def open(self, section: SectionView) -> None:
        """A section comes on screen: unless a save of it is queued, its saved text and base
        are where this workstation starts from."""
        if not self.inflight.get(section.key):
            self.bases[section.key] = section.base
            self.sent[section.key] = section.text
        self.conflict_heads = ()

    def new_conflict(self, section: SectionView) -> bool:
        """Note the section on screen's conflict (None: there is none); True when its heads
        are new (the merge dialog should open)."""
        if section.conflict is None:
            self.conflict_heads = ()
            return False
        heads = tuple(h.id for h in section.conflict.heads)
        if heads == self.conflict_heads:
            return False
        self.conflict_heads = heads
        return True

    def follow(self, section: SectionView, on_screen: str) -> str | None:
        """A newer view of the section on screen arrived: the text to put on screen to follow
        other workstations' saves, or None to leave the screen as it is (a save of ours is on
        its way, nothing changed, or unsaved edits here stay: their next save, on the old
        base, is a conflict)."""
        key = section.key
        dirty = self.is_dirty(key, on_screen)
        if section.conflict is not None:
            if dirty or self.inflight.get(key):
                return None
            shown = self.shown_text(section)
            self.sent[key] = shown
            return shown
        if self.inflight.get(key) or section.base == self.bases.get(key):
            return None
        if dirty and on_screen != section.text:
            return None
        self.bases[key] = section.base
        self.sent[key] = section.text
        return section.text if on_screen != section.text else None

    # ------------------------------------------------------------ saving

    def save(self, key: str, text: str) -> Callable[[Desk], str]:
        """Send ``text`` to be saved: the job for the store worker (it returns the save's id).

        On the worker, in order: each save is based on the one queued before it."""
        self._send(key, text)
        incident_id, bases, mine = self.incident_id, self.bases, self.mine

        def job(desk: Desk) -> str:
            new = desk.postmortems.save_section(incident_id, key, text, bases.get(key))
            bases[key] = new
            mine.add(new)
            return new

        return job

    def resolve(self, key: str, text: str, heads: Sequence[str]) -> Callable[[Desk], str]:
        """Send the merged ``text`` superseding the conflict's ``heads``: the worker's job."""
        self._send(key, text)
        incident_id, bases, mine, superseded = self.incident_id, self.bases, self.mine, [*heads]

        def job(desk: Desk) -> str:
            new = desk.postmortems.resolve_conflict(incident_id, key, text, superseded)
            bases[key] = new
            mine.add(new)
            return new

        return job

    def _send(self, key: str, text: str) -> None:
        self.sent[key] = text
        self.inflight[key] = self.inflight.get(key, 0) + 1

    def saved(self, key: str) -> bool:
        """A save of ``key`` was recorded; True when none is still queued."""
        self.inflight[key] -= 1
        self.unsaved.pop(key, None)
        self.error = ""
        return not self.inflight[key]

    def failed(self, key: str, text: str, message: str) -> None:
        """A save of ``text`` was refused (``message`` says why): its words are kept."""
        self.inflight[key] -= 1
        self.unsaved[key] = text  # shown again when the section is, until a save succeeds
        if self.sent.get(key) == text:
            self.sent[key] = NOT_SENT
        self.error = message
