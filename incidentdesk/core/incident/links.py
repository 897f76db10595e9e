"""An incident's bridge link and customer-impact line: the rules, the events, the fold.

The bridge is where responders talk (a Zoom, Teams or Meet link, or a phone number); the
impact line says in one sentence what customers notice. Each is a register: the latest
``incident.bridge_set`` / ``incident.impact_set`` in fold order holds; an empty value clears
it. The declaration may carry both as optional fields (older declarations have neither).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from incidentdesk.core.errors import DomainError
from incidentdesk.core.text import clean_text

if TYPE_CHECKING:
    from incidentdesk.core.catalog.model import Catalog
    from incidentdesk.core.journal.events import Event

BRIDGE_MAX = 2000
IMPACT_MAX = 300
# Web meetings, and the schemes the meeting apps and phones register on a desktop.
BRIDGE_SCHEMES: tuple[str, ...] = ("https", "http", "zoommtg", "zoomus", "msteams", "tel", "sip")
WEB_SCHEMES = ("https", "http")
CLEAR_WORDS = ("none", "off", "clear", "-")

Payload = dict[str, Any]


def clean_bridge(value: Any) -> str:
    """A bridge link as stored: trimmed, one of :data:`BRIDGE_SCHEMES`, no blanks.

    Raises:
        DomainError: not text, too long, blanks or control characters inside, an unknown
            scheme, or a web link without a host.
    """
    if not isinstance(value, str):
        raise DomainError("The bridge link must be text.")
    link = value.strip()
    if not link:
        raise DomainError("Give the bridge link, for example https://zoom.us/j/123456789.")
    if len(link) > BRIDGE_MAX:
        raise DomainError(f"The bridge link is too long (the limit is {BRIDGE_MAX} characters).")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in link):
        raise DomainError("The bridge link contains a blank or a control character; remove it.")
    scheme, sep, rest = link.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in BRIDGE_SCHEMES:
        raise DomainError(
            f"'{_shown(link)}' is not a bridge link; use a link starting with "
            f"{', '.join(s + ':' for s in BRIDGE_SCHEMES)}."
        )
    if scheme in WEB_SCHEMES:
        try:
            parts = urlsplit(link)
            host, login = parts.hostname, parts.username or parts.password
        except ValueError:
            host, login = None, None
        if not host:
            raise DomainError(f"'{_shown(link)}' names no host; give the whole meeting link.")
        if login:
            raise DomainError(
                "The bridge link holds a user name or password; leave it out (a link is "
                "shown to everyone on the incident)."
            )
    elif not rest.strip("/"):
        raise DomainError(f"'{_shown(link)}' is incomplete; give the whole link or number.")
    return scheme + ":" + rest


def shareable_link(link: str) -> str:
    """A bridge link without its query and fragment, for documents read long after the
    incident by people who were not on it (a meeting's passcode often rides in the query)."""
    if not link:
        return ""
    scheme = link.partition(":")[0].lower()
    if scheme not in WEB_SCHEMES:
        return link
    try:
        parts = urlsplit(link)
    except ValueError:
        return ""
    return parts._replace(query="", fragment="").geturl()


def clean_impact(value: Any) -> str:
    """A one-line customer-impact statement (at most :data:`IMPACT_MAX` characters).

    Raises:
        DomainError: not text, empty, too long, or with a line break or control character.
    """
    return clean_text(value, what="customer impact", max_chars=IMPACT_MAX)


def is_clear(value: str) -> bool:
    """Whether what was typed asks to clear the link or line (``none``, ``off``, ``-``)."""
    return value.strip().casefold() in CLEAR_WORDS


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def _optional(p: Mapping[str, Any], key: str, clean: Callable[[Any], str]) -> str:
    value = p.get(key, "")
    if isinstance(value, str) and not value.strip():
        return ""
    return clean(value)


def _bridge_set(p: Mapping[str, Any]) -> Payload:
    if "bridge" not in p:
        raise DomainError("The event is missing 'bridge'.")
    return {"bridge": _optional(p, "bridge", clean_bridge)}


def _impact_set(p: Mapping[str, Any]) -> Payload:
    if "impact" not in p:
        raise DomainError("The event is missing 'impact'.")
    return {"impact": _optional(p, "impact", clean_impact)}


def declared_links(p: Mapping[str, Any]) -> Payload:
    """The optional bridge and impact of an ``incident.declared`` payload (only those set,
    so a declaration without them validates to the same payload as before)."""
    links: Payload = {}
    bridge = _optional(p, "bridge", clean_bridge)
    impact = _optional(p, "impact", clean_impact)
    if bridge:
        links["bridge"] = bridge
    if impact:
        links["impact"] = impact
    return links


PAYLOADS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {
    "incident.bridge_set": _bridge_set,
    "incident.impact_set": _impact_set,
}


def _apply_bridge(state: Any, event: Event) -> None:
    state.bridge = str(event.payload["bridge"])


def _apply_impact(state: Any, event: Event) -> None:
    state.impact = str(event.payload["impact"])


APPLY: dict[str, Callable[[Any, Event], None]] = {
    "incident.bridge_set": _apply_bridge,
    "incident.impact_set": _apply_impact,
}


def describe(event: Event) -> str | None:
    """The timeline's words for a link event (None: not a link event)."""
    if event.kind == "incident.bridge_set":
        bridge = event.payload["bridge"]
        return f"Bridge set to {bridge}" if bridge else "Bridge link removed"
    if event.kind == "incident.impact_set":
        impact = event.payload["impact"]
        return f"Customer impact: {impact}" if impact else "Customer impact line removed"
    return None


@dataclass(frozen=True)
class ServiceLinks:
    """An affected service's runbook and dashboard, from the service catalog."""

    service: str
    runbook_url: str | None
    dashboard_url: str | None


def service_links(catalog: Catalog | None, services: Iterable[str]) -> list[ServiceLinks]:
    """The runbook and dashboard links of the named services that the catalog knows and
    that have at least one of them, in the order named (names match ignoring case)."""
    if catalog is None:
        return []
    known = {s.name.casefold(): s for s in catalog.services}
    found: list[ServiceLinks] = []
    for name in services:
        service = known.get(name.casefold())
        if service is not None and (service.runbook_url or service.dashboard_url):
            found.append(ServiceLinks(service.name, service.runbook_url, service.dashboard_url))
    return found
