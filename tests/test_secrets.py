"""Named secrets: environment first, then the keyring; never a plaintext fallback."""

from __future__ import annotations

import pytest

from incidentdesk import secrets
from incidentdesk.secrets import (
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
    from incidentdesk.config import shared_secret_name

    default = tmp_path / "home"
    training = default / "profiles" / "training"
    assert shared_secret_name(default) == "shared-db"
    assert shared_secret_name(training) == "shared-db/training"
    set_secret(shared_secret_name(default), "prod-password")
    set_secret(shared_secret_name(training), "training-password")
    assert get_secret("shared-db") == "prod-password"
    assert get_secret("shared-db/training") == "training-password"
    assert env_name("shared-db/training") == "INCIDENTDESK_SECRET_SHARED_DB_TRAINING"


def test_secrets_read_or_set_are_masked_in_the_log(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk import logs

    set_secret("shared-db", "correct-horse-battery")
    assert "correct-horse-battery" not in logs.redact("connecting with correct-horse-battery now")
    memory_keyring[("incidentdesk", "pagerduty/checkout")] = "pd-routing-key-1234567"
    assert get_secret("pagerduty/checkout") == "pd-routing-key-1234567"
    assert "pd-routing-key-1234567" not in logs.redact("sent with pd-routing-key-1234567")


def test_secret_source_says_where_a_value_comes_from_never_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from incidentdesk.secrets import delete_secret, secret_source, set_secret

    assert secret_source("pagerduty/checkout") is None
    set_secret("pagerduty/checkout", "routing-key-1")
    assert secret_source("pagerduty/checkout") == "keyring"
    monkeypatch.setenv("INCIDENTDESK_SECRET_PAGERDUTY_CHECKOUT", "from-env")
    assert secret_source("pagerduty/checkout") == "environment"
    monkeypatch.delenv("INCIDENTDESK_SECRET_PAGERDUTY_CHECKOUT")
    delete_secret("pagerduty/checkout")
    assert secret_source("pagerduty/checkout") is None
