"""What every export format shows the same way: the header facts and the table headings."""

from __future__ import annotations

from datetime import UTC, datetime

from incidentdesk.core.postmortem.document import PostmortemDocument


def utc_text(moment: datetime) -> str:
    """``2026-03-10 14:05:12 UTC``-style text, to the second (a naive time is taken as UTC)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%d %H:%M:%S")


def review_text(doc: PostmortemDocument) -> str:
    """The review state with its revision: ``approved (revision 2)``."""
    return f"{doc.review_state} (revision {doc.revision})"


def names(people: tuple[str, ...]) -> str:
    """People as one line: ``Alice, Bob``; ``-`` for nobody."""
    return ", ".join(people) if people else "-"


def metadata(doc: PostmortemDocument) -> list[tuple[str, str]]:
    """The header facts every format shows, in order, as (label, plain text)."""
    rows = [
        ("Incident", doc.incident_id),
        ("Severity", doc.severity),
        ("Status", doc.status),
        ("Review", review_text(doc)),
        ("Reviewers", names(doc.reviewers)),
        ("Approved by", names(doc.approved_by)),
        ("Services", names(doc.services)),
        *((("Customer impact", doc.impact),) if doc.impact else ()),
        *((("Bridge", doc.bridge),) if doc.bridge else ()),
        ("Started (UTC)", utc_text(doc.started_at) if doc.started_at else "-"),
        ("Resolved (UTC)", utc_text(doc.resolved_at) if doc.resolved_at else "not resolved"),
    ]
    rows.extend(doc.durations)
    rows.append(("Template", doc.template or "-"))
    return rows


TIMELINE_HEADERS = ("Time (UTC)", "Kind", "Who", "What")
ACTION_HEADERS = ("#", "Action", "Type", "Owner", "Priority", "Due", "Status", "Tracker")
