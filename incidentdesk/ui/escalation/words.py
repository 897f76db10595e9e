"""The escalation panel's words and data: colours, countdowns, status lines, tooltips, and
what one fetch on the store worker brings (:func:`fetch_panel_data`).

See :mod:`incidentdesk.ui.escalation.panel` for the panel that puts the pieces together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from incidentdesk.core.errors import UserError
from incidentdesk.core.escalation.model import Page
from incidentdesk.core.escalation.page_status import page_words
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.ui.common.style import ERROR_COLOR, OK_COLOR, WARNING_COLOR

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk
    from incidentdesk.app.escalations import EscalationOption

TICK_MS = 1_000
SENT_COLOR = "#1e88e5"
STATUS_COLORS = {
    "requested": SENT_COLOR,
    "sent": SENT_COLOR,
    "acknowledged": OK_COLOR,
    "resolved": "#757575",
    "failed": ERROR_COLOR,
}
MUTED_COLOR = "#757575"
TONE_COLORS = {
    "info": SENT_COLOR,
    "ok": OK_COLOR,
    "warning": WARNING_COLOR,
    "error": ERROR_COLOR,
    "muted": MUTED_COLOR,
}
FIX_BUTTONS = {"secret": "Set secret…", "catalog": "Open catalog"}
NO_CATALOG = (
    "No service catalog yet: IncidentDesk does not know who owns these services or how to "
    "page them. Import the catalog your teams keep (TOML or Backstage YAML)."
)


# ---------------------------------------------------------------- words


def countdown_clock(seconds: float) -> str:
    """``4:05`` (minutes and seconds) or ``1:02:05`` past an hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def status_text(page: Page | None, now: datetime | None = None) -> str:
    """What the status column says about a service's latest page."""
    if page is None:
        return "Not paged"
    return page_words(page, now).text


def countdown_text(page: Page | None, now: datetime) -> str:
    """``Ack due in 4:05``, or how long the timeout has run out (empty when not waiting)."""
    if page is None or page.status != "sent":
        return ""
    deadline = page.ack_deadline
    if deadline is None:
        return ""
    left = (deadline - now).total_seconds()
    if left > 0:
        return f"Ack due in {countdown_clock(left)}"
    return f"Overdue by {countdown_clock(-left)} ({page.ack_timeout_minutes} min timeout)"


def targets_tooltip(page: Page) -> str:
    """One line per notification target: how its delivery went."""
    lines = [
        f"Level {page.level} of {page.levels}, policy {page.policy}; requested by "
        f"{page.requested_by} at {page.requested_at.astimezone():%H:%M:%S}."
    ]
    for target in page.targets.values():
        line = f"{target.name} ({target.adapter}): {target.status}"
        if target.attempts:
            line += f", {target.attempts} attempt{'s' if target.attempts > 1 else ''}"
        if target.reason and target.status != "sent":
            line += f" — {target.reason}"
        if target.retry_at is not None and target.status == "pending":
            line += f" (next try {target.retry_at.astimezone():%H:%M:%S})"
        lines.append(line)
    return "\n".join(lines)


def open_pages(state: IncidentState | None) -> list[Page]:
    """Pages that still hold an alert somewhere (not resolved, not failed)."""
    if state is None:
        return []
    return [
        p for p in state.escalation.pages.values() if p.resolved_at is None and p.status != "failed"
    ]


# ---------------------------------------------------------------- data from the worker


NO_CHANNEL = "Status changes are not posted to chat"


@dataclass
class PanelData:
    """What one fetch brings: the options, whether there is a catalog, who owns what."""

    options: list[EscalationOption]
    has_catalog: bool
    owners: dict[str, list[str]] = field(default_factory=dict)  # team → people's names
    services: list[tuple[str, str]] = field(default_factory=list)  # (service, team)
    chat_targets: list[str] = field(default_factory=list)  # for status changes


def escalation_key(state: IncidentState | None) -> object:
    """What the panel's rows depend on in an incident's state: its services, whether it is
    active, its pages (with each target's progress) and its chat channel. A note or a role
    change leaves it the same, so the panel does not fetch again for those."""
    if state is None:
        return None
    pages = tuple(
        (
            page.id,
            page.status,
            tuple((t.status, t.attempts, t.reason) for t in page.targets.values()),
        )
        for page in state.escalation.pages.values()
    )
    return (state.id, tuple(state.services), state.active, pages, state.escalation.channel)


def fetch_panel_data(desk: Desk, incident_id: str) -> PanelData:
    """Runs on the worker: the options and the bits of the catalog the panel offers."""
    options = desk.escalations.options(incident_id)
    catalog = desk.catalog.current()
    if catalog is None:
        return PanelData(options, False)
    owners: dict[str, list[str]] = {}
    for team in catalog.teams:
        names = []
        for handle in team.members:
            try:
                person = catalog.person(handle)
            except UserError:
                continue
            if person is not None:
                names.append(person.name)
        owners[team.name] = names
    services = sorted(((s.name, s.team) for s in catalog.services), key=lambda s: s[0].casefold())
    return PanelData(options, True, owners, services, desk.escalations.chat_targets())
