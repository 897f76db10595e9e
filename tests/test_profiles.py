"""Profiles: each its own data folder; the default one stays where data always was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incidentdesk.cli.main import main
from incidentdesk.infra.config import (
    DATABASE_NAME,
    ConfigError,
    ProfileLocation,
    check_profile_name,
    last_profile,
    list_profiles,
    prepare_profile,
    remember_profile,
    resolve_profile,
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out.strip(), captured.err.strip()


@pytest.fixture
def base(tmp_path: Path) -> Path:
    folder = tmp_path / "base"
    folder.mkdir()
    return folder


def test_the_store_and_the_config_agree_on_the_database_file() -> None:
    from incidentdesk.infra.store.local import DB_NAME

    assert DATABASE_NAME == DB_NAME


@pytest.mark.parametrize("name", ["prod-incidents", "training", "team_a.2026", "X", "a" * 64])
def test_good_profile_names(name: str) -> None:
    assert check_profile_name(name) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "is empty"),
        ("../etc", "contains '/'"),
        ("..", "must start with a letter or digit"),
        (".hidden", "must start with a letter or digit"),
        ("-rf", "must start with a letter or digit"),
        ("on call", "contains ' '"),
        ("équipe", "contains 'é'"),
        ("a" * 65, "too long"),
        ("con", "cannot be a folder name on every system"),
        ("nul.txt", "cannot be a folder name on every system"),
        ("trailing.", "cannot be a folder name on every system"),
    ],
)
def test_bad_profile_names_are_explained(name: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_profile_name(name)
    assert expected in str(caught.value)


def test_resolution_option_environment_default(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = resolve_profile(str(base), None)
    assert default.data_dir == base and default.is_default and not default.named
    assert resolve_profile(str(base), "default").data_dir == base
    training = resolve_profile(str(base), "training")
    assert training.data_dir == base / "profiles" / "training" and training.named
    monkeypatch.setenv("INCIDENTDESK_PROFILE", "from-env")
    assert resolve_profile(str(base), None).name == "from-env"
    assert resolve_profile(str(base), "option-wins").name == "option-wins"
    with pytest.raises(ConfigError, match="contains '/'"):
        resolve_profile(str(base), "a/b")


def test_two_profiles_keep_separate_data(
    base: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        run(capsys, "--data-dir", str(base), "declare", "Prod outage", "--severity", "SEV1")[0] == 0
    )
    code, out, _err = run(capsys, "--data-dir", str(base), "profiles", "create", "training")
    assert code == 0 and out == str(base / "profiles" / "training")
    # The option works before or after the subcommand, and from the environment.
    code, _out, err = run(
        capsys, "--data-dir", str(base), "declare", "Drill", "--severity", "SEV4",
        "--profile", "training",
    )  # fmt: skip
    assert code == 0, err

    _code, default_json, _err = run(capsys, "--data-dir", str(base), "incidents", "--json")
    assert [r["title"] for r in json.loads(default_json)] == ["Prod outage"]
    monkeypatch.setenv("INCIDENTDESK_PROFILE", "training")
    _code, training_json, _err = run(capsys, "--data-dir", str(base), "incidents", "--json")
    assert [r["title"] for r in json.loads(training_json)] == ["Drill"]

    # The default profile keeps today's layout: its database is in the base folder itself.
    assert (base / DATABASE_NAME).is_file()
    assert (base / "profiles" / "training" / DATABASE_NAME).is_file()
    # Names set per profile stay apart too.
    run(capsys, "--data-dir", str(base), "config", "name", "Trainee")
    monkeypatch.delenv("INCIDENTDESK_PROFILE")
    assert run(capsys, "--data-dir", str(base), "config", "name")[1].startswith("(not set")


def test_an_unknown_profile_is_refused_on_the_command_line(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--data-dir", str(base), "profiles", "create", "prod-incidents")
    code, out, err = run(
        capsys, "--data-dir", str(base), "--profile", "prod-incidnets", "incidents"
    )
    assert code == 1 and out == ""
    assert "There is no profile 'prod-incidnets'" in err
    assert "prod-incidents" in err and "profiles create prod-incidnets" in err
    assert "Traceback" not in err
    assert not (base / "profiles" / "prod-incidnets").exists()


def test_a_bad_profile_name_is_a_clear_error(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "--data-dir", str(base), "--profile", "../x", "incidents")
    assert code == 1
    assert "The profile name '../x' contains '/'" in err and "Traceback" not in err


def test_profiles_lists_them_with_the_one_in_use(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--data-dir", str(base), "demo")
    run(capsys, "--data-dir", str(base), "profiles", "create", "training")
    run(capsys, "--data-dir", str(base), "profiles", "create", "Prod")
    code, out, _err = run(capsys, "--data-dir", str(base), "--profile", "training", "profiles")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["default", str(base)],
        ["Prod", str(base / "profiles" / "Prod")],
        ["*", "training"],
    ]
    assert "(not used yet)" in lines[2]
    _code, out, _err = run(capsys, "--data-dir", str(base), "profiles", "--json")
    listed = json.loads(out)
    assert [(p["name"], p["in_use"], p["has_database"]) for p in listed] == [
        ("default", True, True),
        ("Prod", False, False),
        ("training", False, False),
    ]


def test_creating_a_profile_twice_or_the_default_is_refused(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--data-dir", str(base), "profiles", "create", "prod")[0] == 0
    code, _out, err = run(capsys, "--data-dir", str(base), "profiles", "create", "prod")
    assert code == 1 and "exists already" in err
    code, _out, err = run(capsys, "--data-dir", str(base), "profiles", "create", "default")
    assert code == 1 and "exists already" in err
    code, _out, err = run(capsys, "--data-dir", str(base), "profiles", "create", "PROD")
    assert code == 1 and "differ only in capitals" in err
    code, _out, err = run(capsys, "--data-dir", str(base), "profiles", "create")
    assert code == 1 and "Name the profile" in err


def test_the_app_creates_a_named_profile_the_command_line_does_not(base: Path) -> None:
    location = ProfileLocation(base, "training", base_chosen=True, named=True)
    with pytest.raises(ConfigError, match="There is no profile 'training'"):
        prepare_profile(location)
    assert prepare_profile(location, create=True) == base / "profiles" / "training"
    assert location.exists() and not location.has_database()


def test_listing_skips_what_is_not_a_profile(base: Path) -> None:
    assert list_profiles(base) == []  # the default is listed once it has been used
    (base / "profiles" / "ok").mkdir(parents=True)
    (base / "profiles" / ".cache").mkdir()
    (base / "profiles" / "has space").mkdir()
    (base / "profiles" / "file").write_text("")
    (base / "config.toml").write_text("")
    assert list_profiles(base) == ["default", "ok"]


def test_the_last_profile_is_remembered_while_it_exists(base: Path) -> None:
    assert last_profile(base) is None
    (base / "profiles" / "training").mkdir(parents=True)
    remember_profile(base, "training")
    assert last_profile(base) == "training"
    assert list_profiles(base) == ["training"], "the remembered name is not a profile"
    (base / "profiles" / "training").rmdir()
    assert last_profile(base) is None


def test_using_only_the_default_profile_makes_no_profiles_folder(base: Path) -> None:
    remember_profile(base, "default")
    assert not (base / "profiles").exists()
