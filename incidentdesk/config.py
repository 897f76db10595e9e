"""Where a profile lives and what it remembers (never a secret)."""

from __future__ import annotations

import getpass
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from incidentdesk.core.errors import UserError

ENV_HOME = "INCIDENTDESK_HOME"
CONFIG_NAME = "config.toml"


class ConfigError(UserError):
    """The profile's configuration cannot be read or written."""


def default_data_dir() -> Path:
    """The platform's per-user data folder for IncidentDesk."""
    return Path(platformdirs.user_data_dir("incidentdesk", appauthor=False))


def resolve_data_dir(explicit: str | None) -> tuple[Path, bool]:
    """The data folder to use, and whether the user chose it (option or environment)."""
    chosen = explicit or os.environ.get(ENV_HOME)
    if chosen:
        return Path(chosen).expanduser(), True
    return default_data_dir(), False


def prepare_data_dir(path: Path, chosen: bool) -> Path:
    """Create the default folder on first use; a folder the user named must already exist.

    Refusing a missing folder that was typed catches a typo before it silently starts an
    empty journal somewhere else.
    """
    if path.is_dir():
        return path
    if path.exists():
        raise ConfigError(f"{path} is a file, not a folder; choose a data directory.")
    if chosen:
        raise ConfigError(
            f"The data directory {path} does not exist; create it (mkdir -p '{path}') or "
            "choose another with --data-dir."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the data directory {path}: {exc.strerror}.") from None
    return path


@dataclass
class Profile:
    """The settings kept in ``config.toml`` in the data folder."""

    data_dir: Path
    name: str | None = None
    shared_url: str | None = None  # postgresql://USER@HOST:PORT/DB, never with a password
    shared_sslmode: str = "prefer"
    shared_sslrootcert: str | None = None

    @classmethod
    def load(cls, data_dir: Path) -> Profile:
        """Read the profile, or defaults when there is no config file yet."""
        path = data_dir / CONFIG_NAME
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            return cls(data_dir)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"Cannot read {path}: {exc}. Fix or remove the file.") from None
        name = data.get("user", {}).get("name")
        shared = data.get("shared_db", {})
        return cls(
            data_dir,
            name if isinstance(name, str) and name.strip() else None,
            _text(shared.get("url")),
            _text(shared.get("sslmode")) or "prefer",
            _text(shared.get("sslrootcert")),
        )

    def save(self) -> None:
        """Write the profile atomically (a crash never leaves half a file)."""
        path = self.data_dir / CONFIG_NAME
        lines = ["# IncidentDesk profile settings. Secrets are never stored here.", ""]
        if self.name:
            # JSON string escapes are valid TOML basic-string escapes.
            lines += ["[user]", f"name = {_toml(self.name)}", ""]
        if self.shared_url:
            lines += [
                "[shared_db]",
                f"url = {_toml(self.shared_url)}",
                f"sslmode = {_toml(self.shared_sslmode)}",
            ]
            if self.shared_sslrootcert:
                lines.append(f"sslrootcert = {_toml(self.shared_sslrootcert)}")
            lines.append("# The password is in the system keyring (secret 'shared-db').")
            lines.append("")
        temp = path.with_suffix(".toml.tmp")
        temp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(temp, path)

    def author(self) -> str:
        """The configured name, else the operating-system user."""
        if self.name:
            return self.name
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return "unknown"


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
