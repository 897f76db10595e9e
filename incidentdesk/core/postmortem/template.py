"""Post-mortem templates: data files (TOML) naming the sections a post-mortem has.

A template file looks like::

    key = "standard"
    name = "Standard"
    description = "After PagerDuty's post-mortem template."

    [[sections]]
    key = "overview"
    title = "Overview"
    required = true
    guidance = ["What happened, in two or three sentences?"]
    example = "For 52 minutes, EU customers could not pay ..."
    prefill = "impact"   # optional: what the journal can fill in

Parsing is pure (text in, :class:`Template` out); reading the files is
``incidentdesk.infra.templates``.
Every error names the file, the section and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from incidentdesk.core.errors import DomainError

# What the journal can fill in for a section (see ``core/pm_prefill.py``).
PREFILL_KINDS: tuple[str, ...] = ("impact", "responders", "timeline", "escalations", "action_items")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MAX_SECTIONS = 30
MAX_GUIDANCE = 12
TITLE_MAX = 120
GUIDANCE_MAX = 500
EXAMPLE_MAX = 4_000
DESCRIPTION_MAX = 500
_TOP_FIELDS = {"key", "name", "description", "sections"}
_SECTION_FIELDS = {"key", "title", "guidance", "example", "required", "prefill"}


class TemplateError(DomainError):
    """A template file that cannot be used; the message names file, section and field."""


@dataclass(frozen=True)
class TemplateSection:
    """One section of a post-mortem template."""

    key: str
    title: str
    guidance: tuple[str, ...]
    example: str
    required: bool
    prefill: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The section as plain data (kept in the ``postmortem.started`` event)."""
        return {
            "key": self.key,
            "title": self.title,
            "guidance": list(self.guidance),
            "example": self.example,
            "required": self.required,
            "prefill": self.prefill,
        }


@dataclass(frozen=True)
class Template:
    """A post-mortem template: its key, display name and sections in order."""

    key: str
    name: str
    description: str
    sections: tuple[TemplateSection, ...]
    source: str = ""  # the file it came from (for messages)

    def section(self, key: str) -> TemplateSection | None:
        """The section with that key, or None."""
        return next((s for s in self.sections if s.key == key), None)


def parse_template(text: str, source: str) -> Template:
    """Read one template file's text.

    Args:
        text: the TOML text.
        source: the file name, used in error messages.

    Raises:
        TemplateError: bad TOML, a missing or malformed field, a repeated section key.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{source}: this is not valid TOML ({exc}).") from None
    unknown = sorted(set(data) - _TOP_FIELDS)
    if unknown:
        raise TemplateError(f"{source}: unknown field '{unknown[0]}' at the top of the file.")
    key = _key(data.get("key"), f"{source}: the template's 'key'")
    name = _text(data.get("name"), f"{source}: the template's 'name'", TITLE_MAX)
    description = _text(
        data.get("description", ""),
        f"{source}: the template's 'description'",
        DESCRIPTION_MAX,
        empty=True,
    )
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise TemplateError(f"{source}: the template has no [[sections]].")
    if len(raw_sections) > MAX_SECTIONS:
        raise TemplateError(f"{source}: a template has at most {MAX_SECTIONS} sections.")
    sections: list[TemplateSection] = []
    for number, raw in enumerate(raw_sections, start=1):
        section = section_from_data(raw, f"{source}, section {number}")
        if any(s.key == section.key for s in sections):
            raise TemplateError(
                f"{source}, section {number}: the key '{section.key}' is used twice."
            )
        sections.append(section)
    return Template(key, name, description, tuple(sections), source)


def section_from_data(raw: Any, where: str) -> TemplateSection:
    """One section from plain data (a template file, or a ``postmortem.started`` snapshot).

    Raises:
        TemplateError: naming ``where`` and the field.
    """
    if not isinstance(raw, Mapping):
        raise TemplateError(f"{where}: a section must be a table of fields.")
    label = f"{where} ('{raw['key']}')" if isinstance(raw.get("key"), str) else where
    unknown = sorted(set(raw) - _SECTION_FIELDS)
    if unknown:
        raise TemplateError(f"{label}: unknown field '{unknown[0]}'.")
    key = _key(raw.get("key"), f"{where}: 'key'")
    title = _text(raw.get("title"), f"{label}: 'title'", TITLE_MAX)
    guidance = raw.get("guidance", [])
    if not isinstance(guidance, Sequence) or isinstance(guidance, str):
        raise TemplateError(f"{label}: 'guidance' must be a list of questions.")
    if len(guidance) > MAX_GUIDANCE:
        raise TemplateError(f"{label}: 'guidance' has more than {MAX_GUIDANCE} questions.")
    questions = tuple(_text(q, f"{label}: 'guidance'", GUIDANCE_MAX) for q in guidance)
    example = _text(raw.get("example", ""), f"{label}: 'example'", EXAMPLE_MAX, empty=True)
    required = raw.get("required")
    if not isinstance(required, bool):
        raise TemplateError(f"{label}: 'required' must be true or false.")
    prefill = raw.get("prefill")
    if prefill is not None and prefill not in PREFILL_KINDS:
        raise TemplateError(
            f"{label}: 'prefill' must be one of {', '.join(PREFILL_KINDS)}, not '{prefill}'."
        )
    return TemplateSection(key, title, questions, example, required, prefill)


def _key(value: Any, what: str) -> str:
    if not isinstance(value, str) or not KEY_PATTERN.match(value):
        raise TemplateError(
            f"{what} must be a short lower-case name (letters, digits, '-' or '_'), not {value!r}."
        )
    return value


def _text(value: Any, what: str, limit: int, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise TemplateError(f"{what} must be text.")
    text = value.replace("\r\n", "\n").strip()
    if not text and not empty:
        raise TemplateError(f"{what} is empty.")
    if len(text) > limit:
        raise TemplateError(f"{what} is longer than {limit:,} characters.")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise TemplateError(f"{what} contains a control character.")
    return text
