"""A post-mortem as a finished document for the exports (``desk.postmortems.document``)."""

from __future__ import annotations

from incidentdesk.core.incident.lifecycle import STATUS_LABELS
from incidentdesk.core.incident.links import shareable_link
from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.postmortem.document import (
    DocActionItem,
    DocSection,
    DocTimelineRow,
    PostmortemDocument,
)
from incidentdesk.core.postmortem.model import (
    ITEM_STATUS_LABELS,
    REVIEW_LABELS,
    ActionItem,
    PostmortemState,
)
from incidentdesk.core.postmortem.prefill import Prefill
from incidentdesk.core.postmortem.template import TemplateSection

TABLE_PREFILLS = frozenset({"responders", "timeline", "action_items"})


def build_document(state: IncidentState, filled: Prefill) -> PostmortemDocument:
    """The incident's post-mortem as a document: the same journal always gives the same
    document. A published post-mortem shows its texts as published; ``filled`` is what the
    journal fills in (times in UTC)."""
    pm = state.postmortem
    published = pm.review_state == "published"

    def text_of(key: str) -> str:
        return pm.published_text.get(key, "") if published else pm.section(key).text

    def repeats_a_table(spec: TemplateSection) -> bool:
        # The document shows the responders, the timeline and the action items as tables:
        # a section of that kind nobody wrote in (empty, or still the journal's text) would
        # only say the same thing twice.
        if spec.prefill not in TABLE_PREFILLS:
            return False
        section = pm.section(spec.key)
        heads = [section.saves[h] for h in section.heads if h in section.saves]
        untouched = all(h.prefilled and h.text == text_of(spec.key) for h in heads)
        return not text_of(spec.key).strip() or (bool(heads) and untouched)

    sections = tuple(
        DocSection(spec.key, spec.title, text_of(spec.key), spec.required)
        for spec in pm.section_specs
        if not repeats_a_table(spec)
    )
    return PostmortemDocument(
        incident_id=state.id,
        title=state.title,
        severity=state.severity,
        status=STATUS_LABELS[state.status],
        template=pm.template_name,
        review_state=REVIEW_LABELS[pm.review_state],
        revision=pm.revision,
        reviewers=pm.reviewers,
        approved_by=pm.approved_by,
        started_at=state.milestones.get("started_at"),
        resolved_at=state.milestones.get("resolved_at"),
        durations=filled.durations,
        responders=filled.responders,
        sections=sections,
        timeline=tuple(DocTimelineRow(m.at, m.kind, m.author, m.text) for m in filled.timeline),
        action_items=tuple(
            DocActionItem(
                i.description,
                i.type,
                i.owner,
                None if i.due is None else i.due.isoformat(),
                i.priority,
                ITEM_STATUS_LABELS[i.status],
                i.tracker_url,
            )
            for i in items_in_order(pm)
        ),
        services=tuple(state.services),
        impact=state.impact,
        bridge=shareable_link(state.bridge),
    )


def items_in_order(pm: PostmortemState) -> list[ActionItem]:
    """The action items in the order they were made."""
    return sorted(pm.action_items.values(), key=lambda i: (i.created_at, i.id))
