"""The lifecycle's names: its statuses and milestones, in order (the rules on them are in
:mod:`incidentdesk.core.incident.lifecycle`). Nothing is imported here: ``incidentdesk
--help`` lists these names without loading the domain."""

STATUSES: tuple[str, ...] = ("investigating", "identified", "mitigated", "resolved", "closed")
MILESTONES: tuple[str, ...] = (
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
)
