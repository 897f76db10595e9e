"""Post-mortem review rules: section completeness, blameless findings kept or fixed, and the
workflow Draft → In review → Approved → Published (plus Not required).

Pure functions over :class:`~incidentdesk.core.postmortem.model.PostmortemState`; the Desk runs
them before recording a step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.model import (
    REVIEW_LABELS,
    TRANSITIONS,
    Acceptance,
    PostmortemState,
)
from incidentdesk.core.postmortem.template import TemplateSection

EMPTY, STARTED, COMPLETE = "empty", "started", "complete"
# Text that holds a place rather than says something.
_PLACEHOLDER = re.compile(r"^(?:todo|tbd|tba|n/?a\?|\.\.\.|…|-+|\?+|xxx+)[.!:]?$", re.IGNORECASE)


class Finding(Protocol):
    """What the review needs of a blameless finding (``incidentdesk.core.postmortem.blameless``)."""

    @property
    def rule_id(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def text(self) -> str: ...


class Checker(Protocol):
    """A blameless language checker: ``check(text)`` returns the findings in order."""

    def check(self, text: str) -> Sequence[Finding]: ...


@dataclass(frozen=True)
class CheckedFinding:
    """A finding in a section, and the acceptance that keeps it (None: still open)."""

    section: str
    finding: Finding
    accepted: Acceptance | None

    @property
    def open(self) -> bool:
        """Neither fixed (it was found) nor accepted with a reason."""
        return self.accepted is None


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def completeness(spec: TemplateSection, text: str) -> str:
    """``empty``, ``started`` or ``complete``.

    Complete means the section says something of its own: not blank, not the template's
    example left as it was, not a placeholder such as ``TODO``, ``TBD`` or ``...``.
    """
    stripped = text.strip()
    if not stripped:
        return EMPTY
    if _PLACEHOLDER.match(stripped) or (spec.example and _normal(text) == _normal(spec.example)):
        return STARTED
    return COMPLETE


def overall(specs: Iterable[TemplateSection], texts: Mapping[str, str]) -> float:
    """The fraction (0..1) of required sections that are complete (of all, if none is
    required)."""
    specs = list(specs)
    counted = [s for s in specs if s.required] or specs
    if not counted:
        return 1.0
    done = sum(1 for s in counted if completeness(s, texts.get(s.key, "")) == COMPLETE)
    return done / len(counted)


def match_findings(
    section: str, findings: Sequence[Finding], acceptances: Iterable[Acceptance]
) -> list[CheckedFinding]:
    """Pair each finding with an acceptance of the same rule and matched text.

    One acceptance keeps one occurrence: the one nearest its recorded position (text typed
    above it moves it). A finding that no longer appears is simply not in ``findings``: fixed.
    """
    pool = [a for a in acceptances if a.section == section]
    used: set[str] = set()
    result: list[CheckedFinding] = []
    taken: dict[int, Acceptance] = {}
    # Match the closest pairs first, deterministically.
    pairs = sorted(
        (abs(f.start - a.start), i, a.event_id, a)
        for i, f in enumerate(findings)
        for a in pool
        if a.rule_id == f.rule_id and a.text == f.text
    )
    for _distance, index, event_id, acceptance in pairs:
        if index in taken or event_id in used:
            continue
        taken[index] = acceptance
        used.add(event_id)
    for index, finding in enumerate(findings):
        result.append(CheckedFinding(section, finding, taken.get(index)))
    return result


def approval_blockers(
    pm: PostmortemState, findings: Mapping[str, Sequence[CheckedFinding]]
) -> list[str]:
    """Why the post-mortem cannot be approved yet (empty: it can), one clause each."""
    blockers: list[str] = []
    incomplete = [
        s.title
        for s in pm.section_specs
        if s.required and completeness(s, pm.section(s.key).text) != COMPLETE
    ]
    if incomplete:
        blockers.append(f"required sections are not complete ({', '.join(incomplete)})")
    titles = {s.key: s.title for s in pm.section_specs}
    conflicts = [titles.get(k, k) for k in sorted(pm.conflicts())]
    if conflicts:
        blockers.append(f"sections have unmerged conflicting edits ({', '.join(conflicts)})")
    open_count = sum(1 for checked in findings.values() for f in checked if f.open)
    if open_count:
        blockers.append(
            f"{open_count} blameless finding{'s' if open_count != 1 else ''} "
            "must be reworded or accepted with a reason."
        )
    return blockers


def check_review_step(
    pm: PostmortemState,
    new: str,
    author: str,
    reviewers: Sequence[str],
    findings: Mapping[str, Sequence[CheckedFinding]] | None = None,
) -> None:
    """Refuse a review step the workflow does not allow.

    Args:
        pm: the post-mortem now.
        new: the state asked for.
        author: who asks.
        reviewers: reviewers named with the step (needed to go in review).
        findings: each section's findings (needed to approve).

    Raises:
        DomainError: naming the rule that is broken.
    """
    if not pm.started:
        raise DomainError("The incident has no post-mortem yet; start one first.")
    current = pm.review_state
    if new == current:
        raise DomainError(f"The post-mortem is already {REVIEW_LABELS[current]}.")
    if new not in TRANSITIONS[current]:
        if current == "published":
            raise DomainError(
                f"The post-mortem is published (revision {pm.revision}); start a new revision "
                "to change it."
            )
        raise DomainError(
            f"A post-mortem that is {REVIEW_LABELS[current]} cannot become "
            f"{REVIEW_LABELS[new]}; it can become "
            f"{' or '.join(REVIEW_LABELS[s] for s in TRANSITIONS[current])}."
        )
    if new == "in_review" and not (reviewers or pm.reviewers):
        raise DomainError("Name at least one reviewer to send the post-mortem for review.")
    if new == "approved":
        if author not in pm.reviewers:
            named = ", ".join(pm.reviewers)
            raise DomainError(f"Only a named reviewer ({named}) can approve; {author} is not one.")
        blockers = approval_blockers(pm, findings or {})
        if blockers:
            raise DomainError(
                "The post-mortem cannot be approved yet: " + "; ".join(blockers) + "."
            )
