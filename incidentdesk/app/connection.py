"""The shared database's connection, as the window's dialog handles it, free of Qt: load what
is set, test a connection, save it (URL to the profile, password to the keyring), forget it.
Each runs on a background thread (keyring, file and network calls: never the GUI thread);
each returns an :class:`Outcome` the dialog shows next to the field concerned.

Importing this module loads the PostgreSQL driver: the window imports it when the Shared
database dialog first opens.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from incidentdesk.app.profile import move_old_shared_secret
from incidentdesk.infra.config import (
    SHARED_SECRET,
    ConfigError,
    Profile,
    known_shared_secret_name,
    shared_secret_name,
)
from incidentdesk.infra.secrets import (
    KeyringStatus,
    SecretError,
    delete_secret,
    env_name,
    get_secret,
    keyring_status,
    set_secret,
)
from incidentdesk.infra.store.shared import SharedConfig, SharedError, SharedStore

__all__ = [
    "CONNECTED",
    "Outcome",
    "Setup",
    "SharedConfig",
    "SharedError",
    "check_connection",
    "forget_connection",
    "load_setup",
    "save_connection",
    "stored_secret_name",
]

CONNECTED = "Connected; schema matches."


@dataclass(frozen=True)
class Setup:
    """What the dialog shows when it opens (read off the GUI thread)."""

    url: str | None = None
    sslmode: str = "prefer"
    sslrootcert: str | None = None
    keyring: KeyringStatus | None = None
    password_stored: bool = False  # in the keyring or this session's memory
    password_from_env: bool = False
    problem: str | None = None  # the profile or keyring could not be read


@dataclass(frozen=True)
class Outcome:
    """How a background step ended: ``ok`` with a message, or a refusal for one field."""

    ok: bool
    message: str
    field: str | None = None  # "url", "sslrootcert", "password" or None (the whole form)


# ---------------------------------------------------------------- background steps


def load_setup(data_dir: Path) -> Setup:
    """The saved connection and the keyring's state (keyring and file I/O: off the GUI thread)."""
    problem = None
    try:
        profile = Profile.load(data_dir)
    except ConfigError as exc:
        profile, problem = Profile(data_dir), str(exc)
    url = profile.shared_url
    if url:
        with contextlib.suppress(
            SharedError, ValueError
        ):  # compare like with like: as the store writes it
            url = SharedConfig.parse(url).url
    status = keyring_status()
    try:
        move_old_shared_secret(data_dir)
        name = known_shared_secret_name(data_dir)
        stored = name is not None and get_secret(name) is not None
    except (SecretError, ConfigError) as exc:
        stored, problem = False, str(exc)
    return Setup(
        url,
        profile.shared_sslmode,
        profile.shared_sslrootcert,
        status,
        stored,
        bool(os.environ.get(env_name(SHARED_SECRET))),
        problem,
    )


def stored_secret_name(data_dir: Path) -> str | None:
    """The name this profile's shared database password is kept under, if it has one yet."""
    return known_shared_secret_name(data_dir)


def check_connection(
    config: SharedConfig, password: str | None, use_stored: bool, secret: str | None
) -> Outcome:
    """Connect and check the schema; the message names what went wrong.

    Args:
        config: where the server is.
        password: the password typed, or None.
        use_stored: with no password typed, use the stored one (only for the saved server:
            a stored password is never sent to another one).
    """
    if password is None and use_stored and secret is not None:
        try:
            password = get_secret(secret)
        except SecretError as exc:
            return Outcome(False, str(exc), "password")
    missing = _missing_rootcert(config)
    if missing:
        return missing
    store = SharedStore(config, password)
    try:
        store.check_schema()
    except SharedError as exc:
        field = "password" if "refused the password" in str(exc) else None
        return Outcome(False, str(exc), field)
    finally:
        store.close()
    return Outcome(True, CONNECTED)


def save_connection(
    data_dir: Path, config: SharedConfig, password: str | None, same_server: bool
) -> Outcome:
    """Keep the password (keyring) and the connection (profile, never the password)."""
    missing = _missing_rootcert(config)
    if missing:
        return missing
    try:
        if password:
            persistent = set_secret(shared_secret_name(data_dir), password)
            where = (
                "the password is in the system keyring"
                if persistent
                else "the password is kept for this session only (no usable keyring)"
            )
        elif not same_server:
            # An old server's password never goes to a new one.
            delete_secret(shared_secret_name(data_dir))
            where = "no password is stored"
        else:
            where = "the stored password is kept"
    except (SecretError, ConfigError) as exc:
        return Outcome(False, str(exc), "password")
    try:
        profile = Profile.load(data_dir)
        profile.shared_url = config.url
        profile.shared_sslmode = config.sslmode
        profile.shared_sslrootcert = config.sslrootcert
        if password:
            profile.secret_moved_from = None  # the password typed replaces an old one
        profile.save()
    except (ConfigError, OSError) as exc:
        return Outcome(False, f"Cannot save the profile in {data_dir}: {exc}")
    return Outcome(True, f"Saved {config.url} (sslmode {config.sslmode}); {where}.")


def forget_connection(data_dir: Path) -> Outcome:
    """Remove the shared database from the profile and its password from the keyring."""
    try:
        profile = Profile.load(data_dir)
        url = profile.shared_url
        profile.shared_url = None
        profile.shared_sslrootcert = None
        profile.secret_moved_from = None
        profile.save()
    except (ConfigError, OSError) as exc:
        return Outcome(False, f"Cannot save the profile in {data_dir}: {exc}")
    try:
        own = known_shared_secret_name(data_dir)
        if own is not None:
            delete_secret(own)  # this profile's own password, never another's
    except (SecretError, ConfigError) as exc:
        return Outcome(False, f"Disconnected, but the password was not removed: {exc}")
    if not url:
        return Outcome(True, "This workstation was not connected to a shared database.")
    return Outcome(True, f"Disconnected from {url}; this workstation now works locally only.")


def _missing_rootcert(config: SharedConfig) -> Outcome | None:
    if config.sslrootcert and not Path(config.sslrootcert).is_file():
        return Outcome(
            False, f"There is no certificate file at {config.sslrootcert}.", "sslrootcert"
        )
    return None
