"""The post-mortem's event payloads, checked: what each kind carries (see :mod:`.model`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.model import (
    ACTION_TYPES,
    DESCRIPTION_MAX,
    ITEM_STATUSES,
    MAX_MERGES,
    MAX_REVIEWERS,
    PRIORITIES,
    REASON_MAX,
    REVIEW_STATES,
    SECTION_TEXT_MAX,
    clean_section_text,
    clean_url,
    parse_choice,
    parse_due,
)
from incidentdesk.core.postmortem.template import (
    KEY_PATTERN,
    MAX_SECTIONS,
    TemplateError,
    section_from_data,
)
from incidentdesk.core.text import clean_name, clean_text

if TYPE_CHECKING:
    pass

Payload = dict[str, Any]


def _require(p: Mapping[str, Any], name: str) -> Any:
    if name not in p:
        raise DomainError(f"The event is missing '{name}'.")
    return p[name]


def _event_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or len(value) != 36:
        raise DomainError(f"The {what} is not a valid event id.")
    return value


def _section_key(value: Any) -> str:
    if not isinstance(value, str) or not KEY_PATTERN.match(value):
        raise DomainError(f"'{value}' is not a valid section key.")
    return value


def _started(p: Mapping[str, Any]) -> Payload:
    template = _require(p, "template")
    if not isinstance(template, str) or not KEY_PATTERN.match(template):
        raise DomainError(f"'{template}' is not a valid template key.")
    raw = _require(p, "sections")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_SECTIONS:
        raise DomainError(f"A post-mortem needs between 1 and {MAX_SECTIONS} sections.")
    try:
        specs = [section_from_data(s, f"section {n}") for n, s in enumerate(raw, start=1)]
    except TemplateError as exc:
        raise DomainError(f"The post-mortem's template snapshot is malformed: {exc}") from None
    if len({s.key for s in specs}) != len(specs):
        raise DomainError("The post-mortem's template snapshot repeats a section key.")
    return {
        "template": template,
        "template_name": clean_name(_require(p, "template_name"), "template name"),
        "sections": [s.to_payload() for s in specs],
    }


def _section_saved(p: Mapping[str, Any]) -> Payload:
    base = _require(p, "base")
    merges = p.get("merges", [])
    if not isinstance(merges, list) or len(merges) > MAX_MERGES:
        raise DomainError(f"'merges' must be a list of at most {MAX_MERGES} save ids.")
    return {
        "section": _section_key(_require(p, "section")),
        "text": clean_section_text(_require(p, "text")),
        "base": None if base is None else _event_id(base, "base save"),
        "merges": [_event_id(m, "merged save") for m in merges],
        "prefilled": p.get("prefilled", False) is True,
    }


def _action_item(p: Mapping[str, Any]) -> Payload:
    due = parse_due(p.get("due"))
    return {
        "item": _event_id(_require(p, "item"), "action item id"),
        "description": clean_text(
            _require(p, "description"),
            what="action item description",
            max_chars=DESCRIPTION_MAX,
            multiline=True,
        ),
        "type": parse_choice(_require(p, "type"), ACTION_TYPES, "action item type"),
        "owner": _owner(_require(p, "owner")),
        "due": None if due is None else due.isoformat(),
        "priority": parse_choice(_require(p, "priority"), PRIORITIES, "priority"),
        "status": parse_choice(_require(p, "status"), ITEM_STATUSES, "action item status"),
        "tracker_url": clean_url(p.get("tracker_url")),
        "note": None if p.get("note") is None else _event_id(p["note"], "timeline note"),
    }


def _owner(value: Any) -> str:
    """An action item's owner; empty while nobody has taken it."""
    if isinstance(value, str) and not value.strip():
        return ""
    return clean_name(value, "action item owner")


def _reason(value: Any, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError("A reason is needed.")
        return None
    return clean_text(value, what="reason", max_chars=REASON_MAX, multiline=True)


def _reviewers(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_REVIEWERS:
        raise DomainError(f"Reviewers must be a list of at most {MAX_REVIEWERS} names.")
    names: list[str] = []
    for raw in value:
        name = clean_name(raw, "reviewer's name")
        if name not in names:
            names.append(name)
    return names


def _revision(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
        raise DomainError("The revision must be a whole number from 1.")
    return value


def _review(p: Mapping[str, Any]) -> Payload:
    return {
        "state": parse_choice(_require(p, "state"), REVIEW_STATES, "review state"),
        "reviewers": _reviewers(p.get("reviewers", [])),
        "reason": _reason(p.get("reason")),
        "revision": _revision(_require(p, "revision")),
    }


def _revision_started(p: Mapping[str, Any]) -> Payload:
    return {"revision": _revision(_require(p, "revision")), "reason": _reason(p.get("reason"))}


def _accepted(p: Mapping[str, Any]) -> Payload:
    rule = _require(p, "rule")
    if not isinstance(rule, str) or not rule.strip() or len(rule) > 100:
        raise DomainError("The finding names no valid rule.")
    start = _require(p, "start")
    if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start <= SECTION_TEXT_MAX:
        raise DomainError("The finding's start must be a character position in the section.")
    text = _require(p, "text")
    if not isinstance(text, str) or not text or len(text) > 1_000:
        raise DomainError("The finding's matched text is missing or too long.")
    return {
        "section": _section_key(_require(p, "section")),
        "rule": rule.strip(),
        "text": text,
        "start": start,
        "reason": _reason(_require(p, "reason"), required=True),
    }


# Payload validators for this module's event kinds; merged into events.VALIDATORS.
PAYLOADS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {
    "postmortem.started": _started,
    "postmortem.section_saved": _section_saved,
    "action_item.saved": _action_item,
    "review.state_changed": _review,
    "postmortem.revision_started": _revision_started,
    "postmortem.finding_accepted": _accepted,
}
