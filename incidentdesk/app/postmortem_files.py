"""What the post-mortem editor needs of the infrastructure, through the application layer:
the blameless check for an incident (the shipped rules and the people it knows), the exports
(Markdown, HTML, PDF) of a post-mortem, and what the editor loads on the store worker.

The window talks to the application, never to infrastructure: this module is its way to the
rules and the export writers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; only its type is named here
    from incidentdesk.app.desk import Desk
    from incidentdesk.app.postmortems import PostmortemView
    from incidentdesk.core.postmortem.blameless import Checker
    from incidentdesk.core.postmortem.model import Acceptance
    from incidentdesk.core.postmortem.template import Template

    EditorSetup = tuple[Checker, list[Template], list[str], list[str]]


def blameless_checker(desk: Desk, incident_id: str) -> tuple[Checker, list[str]]:
    """The blameless check for an incident, knowing its people and the catalog's; and those
    names (offered for owners and reviewers)."""
    from incidentdesk.infra import rules

    known = desk.postmortems.checker_people(desk.incidents.get(incident_id))
    return rules.default_checker(known), known


def export_format(path: Path) -> str | None:
    """The export format a file name asks for (``report.pdf`` → ``pdf``), or None."""
    from incidentdesk.infra.export import format_for

    return format_for(path)


def export_postmortem(desk: Desk, incident_id: str, fmt: str, path: Path) -> None:
    """Write the post-mortem of an incident to ``path`` as ``fmt`` (``md``, ``html`` or
    ``pdf``), atomically: the file is the finished document or untouched."""
    from incidentdesk.infra.export import export

    export(desk.postmortems.document(incident_id), fmt, path)


def editor_setup(desk: Desk, incident_id: str) -> EditorSetup:
    """What the post-mortem editor loads once: the blameless checker (knowing the incident's
    and the catalog's people), the templates, the template files' errors and the names
    offered for owners and reviewers."""
    checker, known = blameless_checker(desk, incident_id)
    people = sorted({*desk.incidents.people(), *known}, key=str.casefold)
    return checker, desk.postmortems.templates(), desk.postmortems.template_errors(), people


def fetch_postmortem(
    desk: Desk, incident_id: str, checker: Checker | None
) -> tuple[PostmortemView, tuple[Acceptance, ...]]:
    """The post-mortem of an incident as the editor shows it, and the findings accepted."""
    view = desk.postmortems.view(incident_id, checker)
    return view, tuple(desk.incidents.get(incident_id).postmortem.accepted)
