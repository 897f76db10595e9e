"""Template files: parsed from TOML, every error located by file, section and field."""

from __future__ import annotations

import pytest

from incidentdesk.core.postmortem.template import TemplateError, parse_template

GOOD = """
key = "team-db"
name = "Database incidents"

[[sections]]
key = "summary"
title = "Summary"
required = true
guidance = ["What happened?", "Who was affected?"]
example = "Replica lag reached 40 minutes."

[[sections]]
key = "timeline"
title = "Timeline"
required = false
prefill = "timeline"
"""


def test_a_template_file_gives_its_sections_in_order() -> None:
    template = parse_template(GOOD, "team-db.toml")
    assert (template.key, template.name, template.source) == (
        "team-db",
        "Database incidents",
        "team-db.toml",
    )
    summary, timeline = template.sections
    assert summary.guidance == ("What happened?", "Who was affected?")
    assert summary.required and summary.example == "Replica lag reached 40 minutes."
    assert summary.prefill is None
    assert (timeline.required, timeline.prefill, timeline.example) == (False, "timeline", "")
    assert template.section("timeline") is timeline and template.section("nope") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("required = true", 'required = "yes"'),
            r"team-db.toml, section 1 \('summary'\): 'required' must be true or false",
        ),
        (
            ('prefill = "timeline"', 'prefill = "weather"'),
            r"section 2 \('timeline'\): 'prefill' must be one of",
        ),
        (('key = "timeline"', 'key = "summary"'), r"section 2: the key 'summary' is used twice"),
        (('title = "Summary"', 'title = ""'), r"section 1 \('summary'\): 'title' is empty"),
        (
            ('title = "Summary"', 'titel = "Summary"'),
            r"section 1 \('summary'\): unknown field 'titel'",
        ),
        (
            ('guidance = ["What happened?", "Who was affected?"]', 'guidance = "What?"'),
            "'guidance' must be a list",
        ),
        (
            ('key = "team-db"', 'key = "Team DB"'),
            "the template's 'key' must be a short lower-case name",
        ),
        (('name = "Database incidents"', ""), "the template's 'name' must be text"),
        (
            ('[[sections]]\nkey = "summary"', "[[sections]]\nkey = summary"),
            r"team-db.toml: this is not valid TOML .*line 6, column 7",
        ),
    ],
)
def test_a_malformed_template_names_file_section_and_field(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(TemplateError, match=message):
        parse_template(GOOD.replace(old, new, 1), "team-db.toml")


def test_a_template_without_sections_is_refused() -> None:
    with pytest.raises(TemplateError, match="has no \\[\\[sections\\]\\]"):
        parse_template('key = "x"\nname = "X"\n', "x.toml")
