"""Loading templates: the three shipped ones, the team's own, and a malformed team file."""

from __future__ import annotations

from pathlib import Path

from incidentdesk.app.desk import Desk
from incidentdesk.infra.templates import load_templates

STANDARD = [
    "Overview",
    "What happened",
    "Contributing factors",
    "Resolution",
    "Impact",
    "Responders",
    "Timeline",
    "How'd we do?",
    "Action items",
    "Messaging",
]
GOOGLE = [
    "Summary",
    "Impact",
    "Contributing factors",
    "Trigger",
    "Resolution",
    "Detection",
    "Action items",
    "Lessons learned",
    "Timeline",
    "Supporting information",
]
LIGHTWEIGHT = ["Contributors", "Mitigators", "Risks", "Follow-ups"]


def test_three_templates_ship_with_the_sections_of_the_issue() -> None:
    loaded = load_templates(None)
    assert loaded.errors == ()
    assert [t.key for t in loaded.templates] == ["standard", "google-sre", "lightweight"]
    titles = {t.key: [s.title for s in t.sections] for t in loaded.templates}
    assert titles == {"standard": STANDARD, "google-sre": GOOGLE, "lightweight": LIGHTWEIGHT}
    for template in loaded.templates:
        for section in template.sections:
            assert section.guidance, f"{template.key}/{section.key} has no guidance"
            assert section.example, f"{template.key}/{section.key} has no example"
    standard = loaded.get("standard")
    assert standard is not None
    prefills = {s.key: s.prefill for s in standard.sections if s.prefill}
    assert prefills == {
        "impact": "impact",
        "responders": "responders",
        "timeline": "timeline",
        "action_items": "action_items",
    }
    google = loaded.get("google-sre")
    assert google is not None
    factors = google.section("contributing_factors")
    assert factors is not None and any("several" in q for q in factors.guidance)
    impact = standard.section("impact")
    assert impact is not None
    assert any("support requests" in q for q in impact.guidance)
    assert any("SLO" in q for q in impact.guidance)


def test_a_malformed_team_template_is_located_and_the_others_still_load(data_dir: Path) -> None:
    folder = data_dir / "templates"
    folder.mkdir()
    (folder / "db.toml").write_text(
        'key = "db"\nname = "Database"\n[[sections]]\nkey = "what"\ntitle = "What"\n'
        "required = true\n",
        encoding="utf-8",
    )
    (folder / "broken.toml").write_text(
        'key = "broken"\nname = "Broken"\n[[sections]]\nkey = "a"\ntitle = "A"\n'
        'required = true\n[[sections]]\nkey = "b"\ntitle = "B"\nrequired = "maybe"\n',
        encoding="utf-8",
    )
    (folder / "clash.toml").write_text(
        'key = "standard"\nname = "Mine"\n[[sections]]\nkey = "a"\ntitle = "A"\nrequired = true\n',
        encoding="utf-8",
    )
    loaded = load_templates(data_dir)
    assert [t.key for t in loaded.templates] == ["standard", "google-sre", "lightweight", "db"]
    messages = [str(e) for e in loaded.errors]
    assert len(messages) == 2
    assert "broken.toml, section 2 ('b'): 'required' must be true or false." in messages[0]
    assert "clash.toml: the key 'standard' is already used by" in messages[1]

    desk = Desk.open(data_dir, "Alice")
    try:
        assert [t.key for t in desk.postmortems.templates()][-1] == "db"
        assert desk.postmortems.template_errors() == messages
    finally:
        desk.close()


def test_a_team_template_file_that_is_not_text_is_reported(data_dir: Path) -> None:
    folder = data_dir / "templates"
    folder.mkdir()
    (folder / "binary.toml").write_bytes(b"\xff\xfe\x00key")
    loaded = load_templates(data_dir)
    assert len(loaded.templates) == 3
    assert [str(e) for e in loaded.errors] == [
        f"{folder / 'binary.toml'}: the file is not UTF-8 text."
    ]
