"""What a page or a chat post says: the fields a paging adapter turns into its request.

Pure: an incident's state in, plain JSON-able fields out (the outbox stores them as they are;
they hold no secret).
"""

from __future__ import annotations

from typing import Any

from incidentdesk.core.incident.roles import ROLE_BY_KEY
from incidentdesk.core.incident.severity import severity as severity_of
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.timefmt import format_utc

MAX_SUMMARY = 1024


def _commander(state: IncidentState) -> str | None:
    holders = state.holders("commander")
    return holders[0] if holders else None


def page_message(state: IncidentState, svc: Any, action: str, dedup_key: str) -> dict[str, Any]:
    """The message fields of a page (plain JSON; the courier turns it into a request)."""
    name = getattr(svc, "name", "") or ""
    summary = f"[{state.severity}] {state.title} — {name}" if name else state.title
    if len(summary) > MAX_SUMMARY:
        summary = summary[: MAX_SUMMARY - 1] + "…"
    links = [
        {"href": url, "text": text}
        for url, text in (
            (getattr(svc, "runbook_url", None), "Runbook"),
            (getattr(svc, "dashboard_url", None), "Dashboard"),
        )
        if url
    ]
    commander = _commander(state)
    facts = [
        ("Severity", f"{state.severity} — {severity_of(state.severity).summary}"),
        ("Status", state.status),
        ("Service", name),
        ("Commander", commander or "unassigned"),
    ]
    return {
        "action": action,
        "dedup_key": dedup_key,
        "summary": summary,
        "severity": state.severity,
        "source": "IncidentDesk",
        "component": name,
        "group": getattr(svc, "team", "") or "",
        "incident_id": state.id,
        "commander": commander,
        "title": state.title,
        "status": state.status,
        "details": {
            "incident": state.id,
            "title": state.title,
            "status": state.status,
            "commander": commander or "unassigned",
            "started": format_utc(state.milestones["started_at"])
            if "started_at" in state.milestones
            else "",
        },
        "links": links,
        "facts": facts,
        "text": summary,
    }


def chat_message(state: IncidentState, text: str, dedup_key: str) -> dict[str, Any]:
    """The message fields of a chat post."""
    message = page_message(state, None, "post", dedup_key)
    roles = [
        (ROLE_BY_KEY[key].label, ", ".join(h.person for h in holders))
        for key, holders in state.roles.items()
        if holders
    ]
    message.update(
        text=text,
        summary=f"[{state.severity}] {state.title}",
        facts=[*message["facts"][:2], *roles],
    )
    return message
