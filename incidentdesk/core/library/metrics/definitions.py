"""What the response metrics are: each one the time between two milestones, and the
groupings they are reported by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from incidentdesk.core.incident.lifecycle import MILESTONES

GROUPINGS: tuple[str, ...] = ("severity", "service", "team", "month", "all")
ALL = "all"  # the key of the group holding every incident counted
NO_SERVICE = "(no service)"  # the service group of incidents that name none
NO_TEAM = "(no team)"  # the team group of incidents whose services no catalog team owns
NO_START = "(no start)"  # the month group of incidents whose start is unknown
MOMENTS = (*MILESTONES, "postmortem_published_at")  # the order the moments come in
TICK = timedelta(microseconds=1)
# Dates outside this span cannot be real incident times (a journal may still hold them from
# an older version that accepted any date): such an incident is left out, and counted.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive


@dataclass(frozen=True)
class MetricDefinition:
    """One metric: the time from one milestone to a later one."""

    key: str
    label: str
    start: str  # the milestone it is measured from
    end: str  # the milestone it is measured to
    definition: str  # one sentence, shown beside the metric
    # Declaring an incident sets both milestones to the same moment until someone records
    # one of them: equal times are that default, not a measurement ("not recorded").
    unrecorded_when_equal: bool = False


METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        "time_to_detect",
        "Time to detect",
        "started_at",
        "detected_at",
        "From when the incident started (started) to when it was detected (detected).",
        unrecorded_when_equal=True,
    ),
    MetricDefinition(
        "time_to_acknowledge",
        "Time to acknowledge (MTTA)",
        "detected_at",
        "acknowledged_at",
        "From detection (detected) to a responder taking it (acknowledged), the first of a "
        "page answered, the Incident Commander role taken or the milestone recorded; "
        "its mean is the MTTA.",
    ),
    MetricDefinition(
        "time_to_mitigate",
        "Time to mitigate",
        "detected_at",
        "mitigated_at",
        "From detection (detected) to the impact being stopped (mitigated).",
    ),
    MetricDefinition(
        "time_to_resolve",
        "Time to resolve (MTTR)",
        "detected_at",
        "resolved_at",
        "From detection (detected) to resolution (resolved); its mean is the MTTR.",
    ),
    MetricDefinition(
        "time_to_postmortem",
        "Time to published post-mortem",
        "resolved_at",
        "postmortem_published_at",
        "From resolution (resolved) to its post-mortem being published (published); "
        "an incident whose post-mortem is not published yet counts as missing.",
    ),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}
TREND_METRICS: tuple[str, ...] = ("time_to_acknowledge", "time_to_resolve")  # MTTA, MTTR
