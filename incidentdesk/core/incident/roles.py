"""The roles of an incident response, and how people name them."""

from __future__ import annotations

from dataclasses import dataclass

from incidentdesk.core.errors import DomainError


@dataclass(frozen=True)
class Role:
    """A role on the role board."""

    key: str
    label: str
    duty: str
    several: bool = False  # subject matter experts: any number of holders
    key_role: bool = False  # the board warns while a key role is unfilled


ROLES: tuple[Role, ...] = (
    Role(
        "commander",
        "Incident Commander",
        "Runs the response and makes the decisions.",
        key_role=True,
    ),
    Role("deputy", "Deputy", "Backs up the commander and keeps the response on track."),
    Role(
        "scribe", "Scribe", "Keeps the timeline: decisions, actions, observations.", key_role=True
    ),
    Role("comms", "Comms Liaison", "Updates stakeholders and customers."),
    Role("ops_lead", "Ops Lead", "Leads the hands-on work on the systems."),
    Role(
        "sme", "Subject Matter Expert", "Knows the affected system; several may join.", several=True
    ),
)
ROLE_BY_KEY = {r.key: r for r in ROLES}

_ALIASES = {
    "ic": "commander",
    "incident_commander": "commander",
    "incidentcommander": "commander",
    "cmd": "commander",
    "comms_liaison": "comms",
    "communications": "comms",
    "liaison": "comms",
    "ops": "ops_lead",
    "opslead": "ops_lead",
    "operations_lead": "ops_lead",
    "subject_matter_expert": "sme",
    "expert": "sme",
}


def parse_role(text: str) -> Role:
    """Accept a role key, its label or a common alias, in any case.

    Raises:
        DomainError: an unknown role, listing the known ones.
    """
    raw = str(text).strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(raw, raw)
    if key in ROLE_BY_KEY:
        return ROLE_BY_KEY[key]
    known = ", ".join(r.key for r in ROLES)
    hint = " (a shadow is attached to a role: use --shadow)" if key == "shadow" else ""
    raise DomainError(f"'{text}' is not a role{hint}; use one of {known}.")
