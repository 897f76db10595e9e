"""Post-mortems (``desk.postmortems``): their commands and the editor's and exports' views.

Commands (each records one journal event and returns its id, unless said otherwise):

- :meth:`~Postmortems.start` — from a template, prefilled from the journal.
- :meth:`~Postmortems.save_section` — one save of a section, naming its base; a stale
  base is recorded all the same and shows as a conflict.
- :meth:`~Postmortems.resolve_conflict` — the merged text, superseding the heads.
- :meth:`~Postmortems.set_review_state` — the review workflow (approval runs the
  blameless check).
- :meth:`~Postmortems.start_revision` — a published post-mortem becomes a new draft.
- :meth:`~Postmortems.accept_finding` — keep a blameless finding, with a reason.

Queries: :meth:`~Postmortems.view` (the editor's view), :meth:`~Postmortems.prefill`,
:meth:`~Postmortems.document` (for the exports), :meth:`~Postmortems.templates` and
:meth:`~Postmortems.template_errors`. Action items are
:class:`incidentdesk.app.action_items.ActionItems`.

Sections are read-only while the post-mortem is approved or published; action items stay
editable after publishing, because they are tracked work that goes on after the document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from typing import TYPE_CHECKING, Any

from incidentdesk.app.postmortem_document import build_document, items_in_order
from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.document import (
    PostmortemDocument,
)
from incidentdesk.core.postmortem.model import (
    REVIEW_LABELS,
    REVIEW_STATES,
    ActionItem,
    PostmortemState,
    ReviewChange,
    SectionConflict,
    clean_section_text,
    parse_choice,
)
from incidentdesk.core.postmortem.prefill import Prefill, prefill
from incidentdesk.core.postmortem.review import (
    CheckedFinding,
    Checker,
    approval_blockers,
    check_review_step,
    completeness,
    match_findings,
    overall,
)
from incidentdesk.core.postmortem.template import Template, TemplateSection
from incidentdesk.infra.templates import TemplateSet, load_templates

if TYPE_CHECKING:
    from incidentdesk.app.catalog import CatalogService
    from incidentdesk.app.incidents import Incidents
    from incidentdesk.app.recorder import Recorder
    from incidentdesk.core.journal.fold import IncidentState

    Check = Callable[[IncidentState, dict[str, Any]], None]


@dataclass(frozen=True)
class SectionView:
    """One section as the editor shows it.

    Attributes:
        spec: title, guidance, example, required, prefill kind (from the template snapshot).
        text: the current text (the common ancestor's while in conflict).
        base: the save id to pass as ``base`` for the next save of this section.
        heads: the current heads (more than one only in a conflict).
        conflict: base text and competing heads, or None.
        completeness: ``empty``, ``started`` or ``complete``.
        findings: blameless findings in ``text``, each with its acceptance or None.
        published_text: the text as last published (None until published).
    """

    spec: TemplateSection
    text: str
    base: str | None
    heads: tuple[str, ...]
    conflict: SectionConflict | None
    completeness: str
    findings: tuple[CheckedFinding, ...]
    published_text: str | None

    @property
    def key(self) -> str:
        """The section key."""
        return self.spec.key

    @property
    def open_findings(self) -> int:
        """Findings neither fixed nor accepted."""
        return sum(1 for f in self.findings if f.open)


@dataclass(frozen=True)
class PostmortemView:
    """The post-mortem of one incident, everything the editor needs.

    Attributes:
        checked: whether the blameless check ran (False when no checker is available).
        completeness: fraction (0..1) of required sections complete.
        blockers: why it cannot be approved now (empty: it could be).
        today: the date overdue is measured against.
    """

    incident_id: str
    title: str
    severity: str
    started: bool
    template: str
    template_name: str
    review_state: str
    revision: int
    reviewers: tuple[str, ...]
    approved_by: tuple[str, ...]
    read_only: bool
    sections: tuple[SectionView, ...]
    completeness: float
    action_items: tuple[ActionItem, ...]
    history: tuple[ReviewChange, ...]
    blockers: tuple[str, ...]
    checked: bool
    today: date

    @property
    def review_label(self) -> str:
        """The review state in words (``in review``)."""
        return REVIEW_LABELS[self.review_state]

    def section(self, key: str) -> SectionView:
        """One section by key.

        Raises:
            DomainError: no such section.
        """
        for view in self.sections:
            if view.key == key:
                return view
        raise DomainError(f"The post-mortem has no section '{key}'.")

    def overdue(self) -> list[ActionItem]:
        """Action items due before today and not done."""
        return [i for i in self.action_items if i.overdue(self.today)]


class Postmortems:
    """Post-mortem commands and queries (``desk.postmortems``).

    Args:
        recorder: records the events (and holds the store and the folds).
        incidents: the incidents (their timelines fill a post-mortem in).
        catalog: the service catalog (its people are known to the blameless check).
    """

    def __init__(self, recorder: Recorder, incidents: Incidents, catalog: CatalogService) -> None:
        self._recorder = recorder
        self._folds = recorder.folds
        self.store = recorder.store
        self._incidents = incidents
        self._catalog = catalog

    # ----------------------------------------------------------------- templates

    def template_set(self) -> TemplateSet:
        """The shipped templates and this profile's team templates, with load errors."""
        return load_templates(self.store.path.parent)

    def templates(self) -> list[Template]:
        """The templates one can start a post-mortem from (Standard first)."""
        return list(self.template_set().templates)

    def template_errors(self) -> list[str]:
        """One located message per team template file that could not be loaded."""
        return [str(e) for e in self.template_set().errors]

    # ----------------------------------------------------------------- commands

    def start(
        self,
        incident_ref: str,
        template_key: str,
        fill: bool = True,
        local_tz: tzinfo | None = None,
    ) -> str:
        """Start the incident's post-mortem from a template; returns the event id.

        The template's sections are copied into the event, so changing the template file
        later does not change this post-mortem. With ``fill``, each section the template
        marks ``prefill`` is saved with what the journal knows (one save per section).

        Raises:
            DomainError: unknown template, or the post-mortem was already started.
        """
        templates = self.template_set()
        template = templates.get(str(template_key).strip())
        if template is None:
            known = ", ".join(t.key for t in templates.templates)
            raise DomainError(f"There is no template '{template_key}'; use one of {known}.")

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            if state.postmortem.started:
                raise DomainError(
                    f"The incident already has a post-mortem ({state.postmortem.template_name})."
                )

        payload = {
            "template": template.key,
            "template_name": template.name,
            "sections": [s.to_payload() for s in template.sections],
        }
        event = self._recorder.record(
            incident_ref, "postmortem.started", payload, None, check=check
        )
        if fill:
            texts = self.prefill(event.incident_id, local_tz).texts
            for spec in template.sections:
                if spec.prefill is not None and texts.get(spec.prefill):
                    self._save_prefill(event.incident_id, spec.key, texts[spec.prefill])
        return event.id

    def _save_prefill(self, incident_id: str, section_key: str, text: str) -> None:
        """The journal's text for a section, marked as such (the exports leave a section out
        while it only repeats what they show as a table)."""
        payload = {"section": section_key, "text": text, "base": None, "prefilled": True}
        self._recorder.record(incident_id, "postmortem.section_saved", payload, None)

    def save_section(
        self,
        incident_ref: str,
        section_key: str,
        text: str,
        base: str | None,
        merges: Sequence[str] = (),
    ) -> str:
        """Save a section's text, based on the save ``base`` (None for the first save).

        Returns the save's event id: the editor passes it as ``base`` next time, so one
        person typing makes a chain, never a conflict. A stale base is not refused: the save
        is recorded and the section shows a conflict. Saving the same text as the base
        records nothing and returns the base.

        Raises:
            DomainError: no post-mortem, unknown section or base, read-only (approved or
                published), or text that cannot be stored.
        """
        clean = clean_section_text(text)
        merged = list(dict.fromkeys(merges))

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            pm = state.postmortem
            _check_section(pm, section_key)
            _check_writable(pm)
            saves = pm.section(section_key).saves
            for ref in [base, *merged]:
                if ref is not None and ref not in saves:
                    raise DomainError(f"'{ref}' is not a save of the section '{section_key}'.")

        state = self._folds.state(incident_ref)
        saves = state.postmortem.section(section_key).saves
        if not merged and base is not None and base in saves and saves[base].text == clean:
            return base
        payload = {"section": section_key, "text": clean, "base": base, "merges": merged}
        return self._recorder.record(
            incident_ref, "postmortem.section_saved", payload, None, check=check
        ).id

    def resolve_conflict(
        self, incident_ref: str, section_key: str, text: str, heads: Sequence[str]
    ) -> str:
        """Save the merged text of a conflict: based on the first head, merging the others.

        Pass the heads shown to the person merging (``SectionView.heads``). A head that
        arrived since stays a head, so it is not lost: the conflict remains until merged too.
        """
        if not heads:
            raise DomainError("Name the conflicting saves this text merges.")
        return self.save_section(incident_ref, section_key, text, heads[0], heads[1:])

    def set_review_state(
        self,
        incident_ref: str,
        state: str,
        reviewers: Sequence[str] = (),
        reason: str | None = None,
        checker: Checker | None = None,
    ) -> str:
        """Move the post-mortem along Draft → In review → Approved → Published (or to Not
        required, or back to draft); returns the event id.

        Going in review needs reviewers (``reviewers`` replaces the list). Approving needs
        the author to be a named reviewer, every required section complete, no open
        conflict, and every blameless finding reworded or accepted: the check runs with
        ``checker`` or the app's default one.

        Raises:
            DomainError: a step the workflow does not allow, naming why.
        """
        new = parse_choice(state, REVIEW_STATES, "review state")
        names = list(dict.fromkeys(str(r).strip() for r in reviewers if str(r).strip()))
        active = checker
        if new == "approved" and active is None:
            active = self._default_checker(self._folds.state(incident_ref))
            if active is None:
                raise DomainError(
                    "The blameless language check is not available, so the post-mortem "
                    "cannot be approved."
                )

        def check(incident: IncidentState, payload: dict[str, Any]) -> None:
            pm = incident.postmortem
            findings = _findings(pm, active) if active is not None else None
            check_review_step(pm, new, self._recorder.author, names, findings)
            payload["revision"] = pm.revision
            if new == "in_review":
                payload["reviewers"] = names or list(pm.reviewers)

        payload: dict[str, Any] = {"state": new, "reviewers": names, "reason": reason}
        return self._recorder.record(
            incident_ref, "review.state_changed", payload, None, check=check
        ).id

    def start_revision(self, incident_ref: str, reason: str | None = None) -> str:
        """Start the next revision of a published post-mortem (a draft again); returns the
        event id. The published texts stay in the journal and in earlier exports."""

        def check(incident: IncidentState, payload: dict[str, Any]) -> None:
            pm = incident.postmortem
            if pm.review_state != "published":
                raise DomainError(
                    f"Only a published post-mortem starts a new revision; this one is "
                    f"{REVIEW_LABELS[pm.review_state]}."
                )
            payload["revision"] = pm.revision + 1

        payload: dict[str, Any] = {"revision": 1, "reason": reason}
        return self._recorder.record(
            incident_ref, "postmortem.revision_started", payload, None, check=check
        ).id

    def accept_finding(
        self,
        incident_ref: str,
        section_key: str,
        rule_id: str,
        text: str,
        start: int,
        reason: str,
    ) -> str:
        """Keep a blameless finding as written, with the reason; returns the event id.

        The acceptance covers that rule on that matched text, nearest ``start``; rewording
        it makes the finding go away instead.
        """

        def check(state: IncidentState, _p: dict[str, Any]) -> None:
            _check_section(state.postmortem, section_key)
            _check_writable(state.postmortem)

        payload = {
            "section": section_key,
            "rule": rule_id,
            "text": text,
            "start": start,
            "reason": reason,
        }
        return self._recorder.record(
            incident_ref, "postmortem.finding_accepted", payload, None, check=check
        ).id

    # ----------------------------------------------------------------- queries

    def view(self, incident_ref: str, checker: Checker | None = None) -> PostmortemView:
        """The post-mortem as the editor shows it: sections with text, completeness, conflict
        and blameless findings; action items; review state and what blocks approval.

        ``checker`` defaults to the app's blameless check; without one, ``checked`` is
        False and no findings are listed.
        """
        state = self._folds.state(incident_ref)
        pm = state.postmortem
        active = checker if checker is not None else self._default_checker(state)
        findings = _findings(pm, active) if active is not None else {}
        sections = tuple(
            SectionView(
                spec=spec,
                text=pm.section(spec.key).text,
                base=pm.section(spec.key).head,
                heads=tuple(pm.section(spec.key).heads),
                conflict=pm.section(spec.key).conflict,
                completeness=completeness(spec, pm.section(spec.key).text),
                findings=tuple(findings.get(spec.key, ())),
                published_text=pm.published_text.get(spec.key),
            )
            for spec in pm.section_specs
        )
        texts = {s.key: s.text for s in sections}
        return PostmortemView(
            incident_id=state.id,
            title=state.title,
            severity=state.severity,
            started=pm.started,
            template=pm.template,
            template_name=pm.template_name,
            review_state=pm.review_state,
            revision=pm.revision,
            reviewers=pm.reviewers,
            approved_by=pm.approved_by,
            read_only=pm.review_state in ("approved", "published"),
            sections=sections,
            completeness=overall(pm.section_specs, texts),
            action_items=tuple(items_in_order(pm)),
            history=tuple(pm.review_history),
            blockers=tuple(approval_blockers(pm, findings)) if pm.started else (),
            checked=active is not None,
            today=self._recorder.clock().astimezone().date(),
        )

    def prefill(self, incident_ref: str, local_tz: tzinfo | None = None) -> Prefill:
        """What the journal fills in (durations, responders, key moments, escalations) and
        the Markdown for each prefill kind; times in UTC with ``local_tz`` beside them."""
        return prefill(
            self._folds.state(incident_ref), self._incidents.timeline(incident_ref), local_tz
        )

    def document(self, incident_ref: str) -> PostmortemDocument:
        """The post-mortem as a finished document for the exports: the same journal always
        gives the same document. A published post-mortem shows its texts as published."""
        state = self._folds.state(incident_ref)
        return build_document(state, prefill(state, self._incidents.timeline(incident_ref), UTC))

    # ----------------------------------------------------------------- internals

    def checker_people(self, state: IncidentState) -> list[str]:
        """The names the blameless check knows for an incident: its role history and the
        service catalog's people (the editor and approval use the same list)."""
        catalog = self._catalog.current()
        names = [p.name for p in catalog.people] if catalog is not None else []
        return list(dict.fromkeys([*state.people(), *names]))

    def _default_checker(self, state: IncidentState) -> Checker | None:
        """The app's blameless check, knowing the incident's people; None if not built in."""
        from incidentdesk.infra import rules

        factory = getattr(rules, "default_checker", None)
        if factory is None:
            return None
        checker: Checker = factory(self.checker_people(state))
        return checker


def _check_section(pm: PostmortemState, key: str) -> None:
    if not pm.started:
        raise DomainError("The incident has no post-mortem yet; start one first.")
    if not any(s.key == key for s in pm.section_specs):
        keys = ", ".join(s.key for s in pm.section_specs)
        raise DomainError(f"The post-mortem has no section '{key}'; its sections are {keys}.")


def _check_writable(pm: PostmortemState) -> None:
    if pm.review_state == "published":
        raise DomainError(
            f"The post-mortem is published (revision {pm.revision}) and read-only; start a "
            "new revision to change it."
        )
    if pm.review_state == "approved":
        raise DomainError(
            "The post-mortem is approved; move it back to draft or in review to change it."
        )


def _findings(pm: PostmortemState, checker: Checker) -> dict[str, list[CheckedFinding]]:
    return {
        spec.key: match_findings(spec.key, checker.check(pm.section(spec.key).text), pm.accepted)
        for spec in pm.section_specs
    }
