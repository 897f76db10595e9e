"""The profile, as the window sees it: its settings, its secrets, its log, what ships with it.

The window talks to the application, never to infrastructure (an import-linter contract):
what a settings, welcome or diagnostics dialog reads or writes outside Qt is here. Each
function that reads ``config.toml`` or the keyring is for the window's side worker, never the
GUI thread (a keyring unlock prompt must not freeze the window); the values they return are
frozen dataclasses that cross back to the GUI thread as they are. A secret's value is never
returned: only whether it is set, and where from.

The shared database's connection steps (they load the PostgreSQL driver) are in
:mod:`incidentdesk.app.connection`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from incidentdesk.core.errors import UserError
from incidentdesk.infra import logs
from incidentdesk.infra.config import (
    DEFAULT_PROFILE,
    SHARED_SECRET,
    ConfigError,
    Profile,
    ProfileLocation,
    check_profile_name,
    last_profile,
    list_profiles,
    prepare_profile,
    remember_profile,
    shared_secret_name,
)
from incidentdesk.infra.logs import redact, redact_value
from incidentdesk.infra.secrets import (
    KeyringStatus,
    SecretError,
    copy_secret_once,
    delete_secret,
    env_name,
    keyring_status,
    secret_is_set,
    set_secret,
)
from incidentdesk.infra.shipped import resource_path, resources_dir

__all__ = [
    "DEFAULT_PROFILE",
    "SHARED_SECRET",
    "ConfigError",
    "KeyringStatus",
    "Profile",
    "ProfileLocation",
    "SecretError",
    "SecretState",
    "SettingsFacts",
    "check_profile_name",
    "default_author",
    "due_days",
    "env_name",
    "is_connected",
    "keyring_status",
    "known_secrets",
    "last_profile",
    "list_profiles",
    "move_old_shared_secret",
    "prepare_profile",
    "read_facts",
    "redact",
    "redact_value",
    "remember_profile",
    "remove_secret",
    "resource_path",
    "resources_dir",
    "save_name",
    "secret_state",
    "start_log",
    "store_secret",
]


# ---------------------------------------------------------------- the profile's settings


def default_author(data_dir: Path) -> str:
    """The name entries get when none is saved (reads no file: fine on the GUI thread)."""
    return Profile(data_dir).author()


def shared_url(data_dir: Path) -> str | None:
    """The shared database's URL (no password), or None (reads ``config.toml``)."""
    return Profile.load(data_dir).shared_url


def is_connected(location: ProfileLocation) -> bool:
    """Whether the profile has a shared database (``incidentdesk connect`` before the first
    start: set up, not new); a damaged ``config.toml`` counts as not connected."""
    try:
        return bool(shared_url(location.data_dir))
    except UserError:
        return False


def due_days(data_dir: Path) -> dict[str, int]:
    """How many days an action item gets, per kind (raises ConfigError on a damaged file)."""
    return Profile.load(data_dir).due_days


def save_name(data_dir: Path, name: str | None) -> None:
    """Keep ``name`` as the profile's author name (None: the computer's user name).

    Reads the profile first, so what another step saved (the shared database) stays.
    """
    profile = Profile.load(data_dir)
    profile.name = name
    profile.save()


def start_log(kind: str, profile: str, chosen_base: Path | None) -> Path:
    """Start the log file of this run (``app``); returns its path."""
    return logs.setup(kind, profile, chosen_base)


# ---------------------------------------------------------------- secrets


def move_old_shared_secret(data_dir: Path) -> None:
    """Once per profile: copy the password kept under the name used before profile ids
    (``shared-db`` or ``shared-db/<profile>``) to ``shared-db/<profile id>``.

    The old entry is copied, never deleted: the old names were shared by every data folder's
    default profile (and by same-named profiles of different folders), and no workstation
    can list the other folders that may still need it; deleting it would strand them.
    """
    profile = Profile.load(data_dir)
    if not profile.profile_id and not profile.shared_url:
        return  # never connected: nothing to move, and no reason to write the profile
    name = shared_secret_name(data_dir)  # makes the id (and notes the old name) if needed
    profile = Profile.load(data_dir)
    old = profile.secret_moved_from
    if not old:
        return
    copy_secret_once(old, name)
    profile.secret_moved_from = None
    profile.save()


@dataclass(frozen=True)
class SecretState:
    """Whether a named secret is set, and where from (never its value)."""

    name: str
    label: str
    is_set: bool
    from_environment: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class SettingsFacts:
    """What the settings dialog shows that lives outside Qt (read off the GUI thread)."""

    name: str | None = None
    shared_url: str | None = None
    shared_sslmode: str = "prefer"
    keyring: KeyringStatus | None = None
    secrets: list[SecretState] = field(default_factory=list)
    problem: str | None = None


def known_secrets(data_dir: Path) -> list[tuple[str, str]]:
    """The named secrets this profile uses, each with what it is for."""
    move_old_shared_secret(data_dir)  # keyring: this runs off the GUI thread
    return [(shared_secret_name(data_dir), "Shared database password")]


def secret_state(name: str, label: str) -> SecretState:
    """Whether ``name`` is set (keyring call: off the GUI thread)."""
    try:
        is_set = secret_is_set(name)
    except SecretError as exc:
        return SecretState(name, label, False, problem=str(exc))
    return SecretState(name, label, is_set, bool(os.environ.get(env_name(name))))


def read_facts(data_dir: Path) -> SettingsFacts:
    """The profile and the keyring's state."""
    problem = None
    try:
        profile = Profile.load(data_dir)
    except ConfigError as exc:
        profile, problem = Profile(data_dir), str(exc)
    try:
        rows = [secret_state(name, label) for name, label in known_secrets(data_dir)]
    except (ConfigError, SecretError) as exc:
        rows, problem = [], str(exc)
    return SettingsFacts(
        profile.name,
        profile.shared_url,
        profile.shared_sslmode,
        keyring_status(),
        rows,
        problem,
    )


def store_secret(name: str, label: str, value: str) -> tuple[SecretState, str]:
    """Keep a secret; returns its new state and where it went."""
    redact_value(value)  # before anything could log it
    persistent = set_secret(name, value)
    where = (
        "stored in the system keyring"
        if persistent
        else "kept for this session only (no usable keyring)"
    )
    return secret_state(name, label), f"{label}: {where}."


def remove_secret(name: str, label: str) -> tuple[SecretState, str]:
    """Forget a secret (the environment is left alone)."""
    delete_secret(name)
    return secret_state(name, label), f"{label}: removed."
