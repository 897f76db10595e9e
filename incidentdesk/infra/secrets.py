"""Named secrets (``shared-db``, ``pagerduty/checkout``, …): the only code that calls keyring.

Where a secret comes from, in order:
1. the environment, as ``INCIDENTDESK_SECRET_<NAME>`` (uppercase, every non-alphanumeric
   character as ``_``): for headless use and CI;
2. the system keyring (service ``incidentdesk``);
3. this session's memory, when no usable keyring exists: the secret is then forgotten when
   the program ends, and :func:`keyring_status` says so. Never a plaintext file.

A secret's value never appears in an exception message or a log line.
Call these off the GUI thread: a keyring can block (an unlock prompt, a slow D-Bus).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from dataclasses import dataclass

from incidentdesk.core.errors import UserError
from incidentdesk.infra.logs import redact_value

SERVICE = "incidentdesk"
log = logging.getLogger(__name__)

_session: dict[str, str] = {}
_lock = threading.Lock()


class SecretError(UserError):
    """A secret could not be read or stored (the message never contains the secret)."""


@dataclass(frozen=True)
class KeyringStatus:
    """Which keyring is in use, and whether secrets survive a restart."""

    backend: str
    persistent: bool

    @property
    def description(self) -> str:
        """One sentence for settings and diagnostics."""
        if self.persistent:
            return f"Secrets are kept in the system keyring ({self.backend})."
        return (
            f"No usable system keyring ({self.backend}): secrets last for this session only "
            "and must be entered again after a restart."
        )


# A profile's shared-database secret, ``shared-db/<profile id>`` (see config.profile_id).
_PROFILE_SECRET = re.compile(r"^shared-db/[0-9a-f]{16,32}$")


def env_name(name: str) -> str:
    """The environment variable for a secret: ``shared-db`` → ``INCIDENTDESK_SECRET_SHARED_DB``.

    A profile's shared-database password (``shared-db/<profile id>``) is
    ``INCIDENTDESK_SECRET_SHARED_DB`` too: the environment belongs to the one command that
    reads it, and a script cannot know a random id."""
    if _PROFILE_SECRET.match(name):
        name = "shared-db"
    return "INCIDENTDESK_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def keyring_status() -> KeyringStatus:
    """The keyring backend in use and whether it keeps secrets across restarts."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception as exc:
        return KeyringStatus(f"unavailable: {type(exc).__name__}", False)
    usable = not isinstance(backend, fail.Keyring | null.Keyring)
    try:
        priority = float(backend.priority)
    except Exception:
        priority = 0.0
    name = getattr(backend, "name", type(backend).__name__)
    return KeyringStatus(str(name), usable and priority > 0)


def get_secret(name: str) -> str | None:
    """The secret's value, or None when it is not set anywhere."""
    from_env = os.environ.get(env_name(name))
    if from_env:
        redact_value(from_env)
        return from_env
    return _stored(name)  # the log filter masks a value from now on


def set_secret(name: str, value: str) -> bool:
    """Store a secret; returns True when it will survive a restart (keyring), False when it
    is kept for this session only."""
    if not value:
        raise SecretError(f"The secret '{name}' is empty; nothing was stored.")
    redact_value(value)
    if keyring_status().persistent:
        try:
            import keyring

            keyring.set_password(SERVICE, name, value)
        except Exception as exc:
            raise SecretError(_refusal("store", name, exc)) from None
        with _lock:
            _session.pop(name, None)
        return True
    with _lock:
        _session[name] = value
    log.info("secret %s kept for this session only (no usable keyring)", name)
    return False


def delete_secret(name: str) -> None:
    """Forget a secret wherever IncidentDesk stored it (the environment is left alone)."""
    with _lock:
        _session.pop(name, None)
    if keyring_status().persistent:
        try:
            import keyring
            from keyring.errors import PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError):  # it was not there
                keyring.delete_password(SERVICE, name)
        except Exception as exc:
            raise SecretError(_refusal("delete", name, exc)) from None


def copy_secret_once(old: str, new: str) -> bool:
    """Copy what the keyring (or this session) holds under ``old`` to ``new`` when ``new``
    holds nothing yet; ``old`` is left in place (another profile may still read it).
    Returns True when something was copied. The environment is never copied."""
    if _stored(new) is not None:
        return False
    value = _stored(old)
    if value is None:
        return False
    set_secret(new, value)
    log.info("secret %s copied to %s", old, new)
    return True


def _stored(name: str) -> str | None:
    if keyring_status().persistent:
        try:
            import keyring

            value = keyring.get_password(SERVICE, name)
        except Exception as exc:
            raise SecretError(_refusal("read", name, exc)) from None
        if value is not None:
            redact_value(str(value))
            return str(value)
    with _lock:
        return _session.get(name)


def secret_is_set(name: str) -> bool:
    """Whether a secret has a value (without returning it)."""
    return get_secret(name) is not None


def secret_source(name: str) -> str | None:
    """Where a secret's value comes from: ``environment``, ``keyring``, ``session`` (this
    run only), or None when it is not set. Never the value."""
    if os.environ.get(env_name(name)):
        return "environment"
    if keyring_status().persistent:
        try:
            import keyring

            if keyring.get_password(SERVICE, name) is not None:
                return "keyring"
        except Exception as exc:
            raise SecretError(_refusal("read", name, exc)) from None
    with _lock:
        return "session" if name in _session else None


def _refusal(verb: str, name: str, exc: BaseException) -> str:
    # The exception's own text is left out: a backend might echo what it was given.
    return (
        f"The system keyring refused to {verb} the secret '{name}' ({type(exc).__name__}). "
        "Unlock the keyring or set INCIDENTDESK_SECRET_"
        f"{env_name(name).removeprefix('INCIDENTDESK_SECRET_')} in the environment."
    )
