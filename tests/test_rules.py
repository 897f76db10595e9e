"""Loading the blameless rules: the shipped files, a team's own files and folders, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidentdesk.core.postmortem.blameless import CATEGORIES, RulesError
from incidentdesk.infra.rules import default_checker, load_rules, shipped_rules_dir

TEAM_RULE = """
[[rule]]
id = "team.basically"
category = "minimizing"
pattern = '\\bbasically\\b'
explanation = "'Basically' makes the work sound trivial."
suggestion = "Drop it."
"""


def test_the_shipped_rules_cover_every_category() -> None:
    rules = load_rules()
    assert {rule.category for rule in rules} == set(CATEGORIES)
    assert len({rule.id for rule in rules}) == len(rules)
    assert all(rule.explanation and rule.suggestion for rule in rules)
    assert sorted(p.name for p in shipped_rules_dir().glob("*.toml")) == [
        "blame.toml",
        "counterfactual.toml",
        "human_error.toml",
        "minimizing.toml",
        "named_person.toml",
        "root_cause.toml",
    ]


def test_a_team_file_adds_rules(tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    team.write_text(TEAM_RULE, encoding="utf-8")
    rules = load_rules([team])
    assert rules[: len(load_rules())] == load_rules()
    assert rules[-1].id == "team.basically"


def test_a_team_folder_adds_its_toml_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text(TEAM_RULE, encoding="utf-8")
    (tmp_path / "a.toml").write_text(TEAM_RULE.replace("team.basically", "team.a"), "utf-8")
    (tmp_path / "notes.txt").write_text("not rules", encoding="utf-8")
    assert [rule.id for rule in load_rules([tmp_path])][-2:] == ["team.a", "team.basically"]


def test_a_malformed_team_file_names_the_file_the_rule_its_line_and_the_field(
    tmp_path: Path,
) -> None:
    team = tmp_path / "team.toml"
    team.write_text(TEAM_RULE.replace("'\\bbasically\\b'", "'basically)'"), encoding="utf-8")
    with pytest.raises(RulesError) as raised:
        load_rules([team])
    assert str(raised.value).startswith(
        f"{team}, rule 'team.basically' (line 2), field 'pattern' is not a valid regular expression"
    )


def test_an_id_used_by_a_shipped_rule_is_refused(tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    team.write_text(TEAM_RULE.replace("team.basically", "blame.careless"), encoding="utf-8")
    with pytest.raises(RulesError, match=r"rule 'blame.careless': the id is already used in"):
        load_rules([team])


def test_a_missing_or_unreadable_team_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="does not exist"):
        load_rules([tmp_path / "missing.toml"])
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(TEAM_RULE.replace("Drop it.", "Dépose-le.").encode("latin-1"))
    with pytest.raises(RulesError, match=r"latin1.toml is not UTF-8 text"):
        load_rules([latin1])


def test_the_default_checker_is_built_once_per_set_of_names() -> None:
    first = default_checker(["Bob", "Alice"])
    assert default_checker(["Alice", "Bob", " Alice "]) is first
    assert default_checker(["Carol"]) is not first
    assert [f.text for f in first.check("Alice broke it.")] == ["Alice broke"]
    assert default_checker().check("Alice broke it.") == []
