"""Severities SEV1 (worst) to SEV5, with the definitions responders are shown.

The wording follows PagerDuty's public incident response guide. Each level has its own
heading (SEV1 "Critical incident", SEV2 "Major incident", …); SEV1 and SEV2 are the major
incidents that need the full response. If you are unsure which level applies, treat it as
the higher one.
"""

from __future__ import annotations

from dataclasses import dataclass

from incidentdesk.core.errors import DomainError

UNSURE_RULE = "If you are unsure which level applies, treat it as the higher one."


@dataclass(frozen=True)
class Severity:
    """One severity level and what it means."""

    code: str
    level: int
    summary: str
    examples: str
    heading: str = ""  # what the level is called: "Critical incident", "Major incident"

    @property
    def major(self) -> bool:
        """SEV1 and SEV2 are major incidents: full response, commander required."""
        return self.level <= 2

    @property
    def definition(self) -> str:
        """The text shown on hover and in the declare dialog."""
        return f"{self.code}: {self.heading}. {self.summary} Examples: {self.examples}"


SEVERITIES: tuple[Severity, ...] = (
    Severity(
        "SEV1",
        1,
        "Critical issue that warrants public notification and liaison with executive teams.",
        "the system is in a critical state and actively impacting a large number of customers; "
        "functionality severely impaired for a long time, breaking SLA; a security "
        "vulnerability exposing customer data.",
        "Critical incident",
    ),
    Severity(
        "SEV2",
        2,
        "Critical system issue actively impacting many customers' ability to use the product.",
        "any service outage; severe degradation of a core feature; a data-loss risk.",
        "Major incident",
    ),
    Severity(
        "SEV3",
        3,
        "Stability or minor customer-impacting issue that requires immediate attention from "
        "service owners.",
        "partial loss of functionality not affecting most customers; something likely to "
        "become a SEV2 if nothing is done.",
        "Minor incident",
    ),
    Severity(
        "SEV4",
        4,
        "Minor issue requiring action, but not affecting customers' ability to use the product.",
        "performance issues such as delays; an individual host failure.",
        "Low-impact issue",
    ),
    Severity(
        "SEV5",
        5,
        "Cosmetic issue or bug, not affecting customers' ability to use the product.",
        "bugs that do not impact immediate use of the system; a support ticket.",
        "Trivial issue",
    ),
)

_BY_CODE = {s.code: s for s in SEVERITIES}


def parse_severity(text: str) -> Severity:
    """Accept ``SEV2``, ``sev2``, ``SEV-2``, ``S2`` or ``2``.

    Raises:
        DomainError: anything else.
    """
    raw = str(text).strip().upper().replace("-", "").replace(" ", "")
    # No int(): it raises ValueError on digits such as '²' and on over 4,300 digits.
    code = "SEV" + raw.removeprefix("SEV").removeprefix("S").lstrip("0")
    if code in _BY_CODE:
        return _BY_CODE[code]
    raise DomainError(f"'{text}' is not a severity; use one of SEV1 (worst) to SEV5.")


def severity(code: str) -> Severity:
    """The severity for a stored code such as ``SEV2``."""
    return _BY_CODE[code]
