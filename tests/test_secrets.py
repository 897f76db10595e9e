"""Named secrets: environment first, then the keyring; never a plaintext fallback."""

from __future__ import annotations

import pytest

from incidentdesk.infra import secrets
from incidentdesk.infra.secrets import (
    SecretError,
    delete_secret,
    env_name,
    get_secret,
    keyring_status,
    set_secret,
)


def test_environment_names_follow_the_rule() -> None:
    assert env_name("shared-db") == "INCIDENTDESK_SECRET_SHARED_DB"
    assert env_name("pagerduty/checkout api") == "INCIDENTDESK_SECRET_PAGERDUTY_CHECKOUT_API"


def test_secret_round_trip_through_the_keyring(memory_keyring: dict[tuple[str, str], str]) -> None:
    assert keyring_status().persistent
    assert set_secret("shared-db", "s3cret") is True
    assert memory_keyring[("incidentdesk", "shared-db")] == "s3cret"
    assert get_secret("shared-db") == "s3cret"
    delete_secret("shared-db")
    assert get_secret("shared-db") is None
    delete_secret("shared-db")  # forgetting twice is fine


def test_the_environment_wins(
    memory_keyring: dict[tuple[str, str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    set_secret("shared-db", "from-keyring")
    monkeypatch.setenv("INCIDENTDESK_SECRET_SHARED_DB", "from-env")
    assert get_secret("shared-db") == "from-env"


def test_without_a_usable_keyring_secrets_last_for_the_session_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    status = keyring_status()
    assert not status.persistent
    assert "this session only" in status.description
    assert set_secret("shared-db", "temporary") is False
    assert get_secret("shared-db") == "temporary"
    delete_secret("shared-db")
    assert get_secret("shared-db") is None


def test_a_keyring_that_says_no_gives_a_clear_error_without_the_secret(
    memory_keyring: dict[tuple[str, str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    backend = keyring.get_keyring()

    def refuse(*_args: object) -> None:
        raise RuntimeError("locked: tried to store hunter2")

    monkeypatch.setattr(backend, "set_password", refuse)
    with pytest.raises(SecretError) as caught:
        set_secret("shared-db", "hunter2")
    assert "hunter2" not in str(caught.value)
    assert "refused to store the secret 'shared-db'" in str(caught.value)
    assert "INCIDENTDESK_SECRET_SHARED_DB" in str(caught.value)
    assert secrets.get_secret("shared-db") is None


def test_an_empty_secret_is_refused(memory_keyring: dict[tuple[str, str], str]) -> None:
    with pytest.raises(SecretError, match="empty"):
        set_secret("shared-db", "")


def test_each_profile_has_its_own_shared_database_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk.infra.config import shared_secret_name

    default = tmp_path / "home"
    training = default / "profiles" / "training"
    training.mkdir(parents=True)
    first, second = shared_secret_name(default), shared_secret_name(training)
    assert first.startswith("shared-db/") and second.startswith("shared-db/")
    assert first != second
    assert shared_secret_name(default) == first  # stable: made once, kept in the profile
    set_secret(first, "prod-password")
    set_secret(second, "training-password")
    assert get_secret(first) == "prod-password"
    assert get_secret(second) == "training-password"
    # A script cannot know a random id: the environment name stays the well-known one.
    assert env_name(second) == "INCIDENTDESK_SECRET_SHARED_DB"


def test_two_data_folders_keep_their_own_password_through_connect_and_disconnect(
    tmp_path, memory_keyring
) -> None:  # type: ignore[no-untyped-def]
    """The README's owner folder and the workstation's default folder never share a secret."""
    from incidentdesk.cli.sync import disconnect
    from incidentdesk.infra.config import Profile, shared_secret_name
    from incidentdesk.infra.store.shared import SharedConfig
    from incidentdesk.runtime.sync import shared_password

    work, owner = tmp_path / "work", tmp_path / "owner"
    for folder, password in ((work, "work-pw"), (owner, "owner-pw")):
        folder.mkdir()
        profile = Profile.load(folder)
        profile.shared_url = SharedConfig.parse("postgresql://app@db.example:5432/desk").url
        profile.save()
        secrets.set_secret(shared_secret_name(folder), password)
    assert shared_password(work) == "work-pw"
    assert shared_password(owner) == "owner-pw"
    names = {name for _service, name in memory_keyring}
    assert names == {shared_secret_name(work), shared_secret_name(owner)}

    import io

    disconnect(Profile.load(owner), io.StringIO())
    assert shared_password(owner) is None
    assert shared_password(work) == "work-pw"  # the other folder's password is untouched
    disconnect(Profile.load(work), io.StringIO())
    assert memory_keyring == {}


def test_moving_the_folder_keeps_the_secret_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk.infra.config import shared_secret_name

    before = tmp_path / "old-place"
    before.mkdir()
    name = shared_secret_name(before)
    after = before.rename(tmp_path / "new-place")
    assert shared_secret_name(after) == name


def test_an_old_installation_password_is_copied_once_and_kept_for_other_folders(
    tmp_path, memory_keyring
) -> None:  # type: ignore[no-untyped-def]
    """Two folders connected by an old version both used ``shared-db``: the first to move
    must not strand the second."""
    from incidentdesk.infra.config import Profile, shared_secret_name
    from incidentdesk.runtime.sync import shared_password

    old_config = '[shared_db]\nurl = "postgresql://app@db.example:5432/desk"\nsslmode = "prefer"\n'
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "config.toml").write_text(old_config, encoding="utf-8")
    memory_keyring[("incidentdesk", "shared-db")] = "old-shared-pw"

    assert shared_password(first) == "old-shared-pw"
    assert memory_keyring[("incidentdesk", shared_secret_name(first))] == "old-shared-pw"
    assert ("incidentdesk", "shared-db") in memory_keyring  # copied, not moved
    assert Profile.load(first).secret_moved_from is None  # once: never read again

    # The first folder's password changes; the old entry no longer matters to it.
    set_secret(shared_secret_name(first), "new-first-pw")
    memory_keyring[("incidentdesk", "shared-db")] = "changed-by-an-old-version"
    assert shared_password(first) == "new-first-pw"
    assert shared_password(second) == "changed-by-an-old-version"
    assert shared_secret_name(first) != shared_secret_name(second)


def test_a_named_profile_moves_its_old_per_profile_name(tmp_path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk.runtime.sync import shared_password

    training = tmp_path / "home" / "profiles" / "training"
    training.mkdir(parents=True)
    (training / "config.toml").write_text(
        '[shared_db]\nurl = "postgresql://app@db.example:5432/desk"\n', encoding="utf-8"
    )
    memory_keyring[("incidentdesk", "shared-db/training")] = "training-pw"
    memory_keyring[("incidentdesk", "shared-db")] = "someone-elses"
    assert shared_password(training) == "training-pw"


def test_a_profile_not_connected_before_ids_never_adopts_an_old_password(
    tmp_path, memory_keyring
) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk.runtime.sync import shared_password

    memory_keyring[("incidentdesk", "shared-db")] = "another-folders-pw"
    assert shared_password(tmp_path) is None


def test_secrets_read_or_set_are_masked_in_the_log(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk.infra import logs

    set_secret("shared-db", "correct-horse-battery")
    assert "correct-horse-battery" not in logs.redact("connecting with correct-horse-battery now")
    memory_keyring[("incidentdesk", "pagerduty/checkout")] = "pd-routing-key-1234567"
    assert get_secret("pagerduty/checkout") == "pd-routing-key-1234567"
    assert "pd-routing-key-1234567" not in logs.redact("sent with pd-routing-key-1234567")


def test_secret_source_says_where_a_value_comes_from_never_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incidentdesk.infra.secrets import delete_secret, secret_source, set_secret

    assert secret_source("pagerduty/checkout") is None
    set_secret("pagerduty/checkout", "routing-key-1")
    assert secret_source("pagerduty/checkout") == "keyring"
    monkeypatch.setenv("INCIDENTDESK_SECRET_PAGERDUTY_CHECKOUT", "from-env")
    assert secret_source("pagerduty/checkout") == "environment"
    monkeypatch.delenv("INCIDENTDESK_SECRET_PAGERDUTY_CHECKOUT")
    delete_secret("pagerduty/checkout")
    assert secret_source("pagerduty/checkout") is None
