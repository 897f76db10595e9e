"""Where a profile lives and what it remembers (never a secret).

A *profile* is one data folder: its own local database, ``config.toml`` (your name, the shared
database's URL) and window settings. The default profile is the *base* folder itself (the
platform's data folder, or ``--data-dir`` / ``INCIDENTDESK_HOME``), exactly where it has always
been; a named profile lives in ``<base>/profiles/<NAME>``. Keeping the default at the base
means nothing is moved on upgrade: a half-moved SQLite file (with its ``-wal`` and backups)
is a worse risk than a ``profiles`` folder nested in the default one, and scripts that pass
``--data-dir`` keep working unchanged.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from incidentdesk.core.errors import UserError
from incidentdesk.infra.files import KIB, MIB, FileRefused, read_bounded_text
from incidentdesk.infra.profile_names import DEFAULT_PROFILE as DEFAULT_PROFILE
from incidentdesk.infra.profile_names import ENV_HOME as ENV_HOME
from incidentdesk.infra.profile_names import ENV_PROFILE as ENV_PROFILE

# Imported when used, not here: a command that names its data folder never needs
# platformdirs, and only reading the settings needs tomllib and the post-mortems' defaults
# (this module is on every command's path).

CONFIG_NAME = "config.toml"
DATABASE_NAME = "incidentdesk.sqlite3"  # the store's file (store.local.DB_NAME; a test checks)
PROFILES_FOLDER = "profiles"
CONFIG_LIMIT = 1 * MIB  # config.toml holds a few lines
LAST_PROFILE_FILE = ".last-used"  # in the profiles folder (never a profile name)
PROFILE_NAME_MAX = 64
# ASCII only: a profile is a folder name, and the same name must mean the same folder on
# every system (no Unicode normalisation differences between macOS and Linux).
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Names Windows refuses as file names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}


class ConfigError(UserError):
    """The profile's configuration cannot be read or written."""


def default_data_dir() -> Path:
    """The platform's per-user data folder for IncidentDesk."""
    import platformdirs

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


def check_profile_name(name: str) -> str:
    """The profile name, or a ConfigError saying what is wrong with it.

    Letters, digits, ``-``, ``_`` and ``.``; starting with a letter or digit (so never ``..``,
    a hidden folder, or something that looks like an option); at most 64 characters.
    """
    if not name:
        raise ConfigError("The profile name is empty; use letters, digits, '-', '_' or '.'.")
    if len(name) > PROFILE_NAME_MAX:
        raise ConfigError(
            f"The profile name '{name[:20]}…' is too long ({len(name)} characters; "
            f"the limit is {PROFILE_NAME_MAX})."
        )
    if not _PROFILE_NAME.fullmatch(name):
        bad = next((c for c in name if not (c.isascii() and (c.isalnum() or c in "._-"))), None)
        what = f"contains {bad!r}" if bad else "must start with a letter or digit"
        raise ConfigError(
            f"The profile name '{name}' {what}; use letters (a-z, A-Z), digits, '-', '_' "
            "or '.', starting with a letter or digit, for example 'prod-incidents'."
        )
    if name.endswith(".") or name.split(".")[0].lower() in _RESERVED:
        raise ConfigError(f"'{name}' cannot be a folder name on every system; choose another.")
    return name


@dataclass(frozen=True)
class ProfileLocation:
    """Which profile to use and where its folder is.

    Attributes:
        base: the default profile's folder, which also holds ``profiles/``.
        name: ``default`` or a checked profile name.
        base_chosen: the base was named by the user (``--data-dir`` or ``INCIDENTDESK_HOME``)
            rather than being the platform's data folder.
        named: the profile was named (``--profile`` or ``INCIDENTDESK_PROFILE``).
    """

    base: Path
    name: str = DEFAULT_PROFILE
    base_chosen: bool = False
    named: bool = False

    @property
    def data_dir(self) -> Path:
        """The profile's own folder."""
        if self.name == DEFAULT_PROFILE:
            return self.base
        return self.base / PROFILES_FOLDER / self.name

    @property
    def is_default(self) -> bool:
        """Whether this is the default profile (the base folder)."""
        return self.name == DEFAULT_PROFILE

    def with_name(self, name: str) -> ProfileLocation:
        """The same base with another profile (``name`` is checked)."""
        checked = name if name == DEFAULT_PROFILE else check_profile_name(name)
        return ProfileLocation(self.base, checked, self.base_chosen, True)

    def exists(self) -> bool:
        """Whether the profile's folder exists."""
        return self.data_dir.is_dir()

    def has_database(self) -> bool:
        """Whether the profile has been used (its database file exists)."""
        return (self.data_dir / DATABASE_NAME).is_file()


def resolve_profile(explicit_dir: str | None, profile: str | None) -> ProfileLocation:
    """The profile to use: the folder from the option, else ``INCIDENTDESK_HOME``, else the
    platform's; the profile from the option, else ``INCIDENTDESK_PROFILE``, else the default.

    Raises:
        ConfigError: the profile name is not allowed.
    """
    base, chosen = resolve_data_dir(explicit_dir)
    name = profile if profile is not None else os.environ.get(ENV_PROFILE) or None
    if name is None or name == DEFAULT_PROFILE:
        return ProfileLocation(base, DEFAULT_PROFILE, chosen, name is not None)
    return ProfileLocation(base, check_profile_name(name), chosen, True)


def list_profiles(base: Path) -> list[str]:
    """The profiles in ``base``: ``default`` first when it has been used, then the named
    ones in alphabetical order (folders whose names are not profile names are skipped)."""
    names = []
    if (base / DATABASE_NAME).is_file() or (base / CONFIG_NAME).is_file():
        names.append(DEFAULT_PROFILE)
    folder = base / PROFILES_FOLDER
    try:
        entries = list(folder.iterdir())
    except OSError:
        entries = []
    named = []
    for entry in entries:
        if entry.name == DEFAULT_PROFILE or not entry.is_dir():
            continue
        try:
            named.append(check_profile_name(entry.name))
        except ConfigError:
            continue
    return names + sorted(named, key=str.casefold)


def prepare_profile(location: ProfileLocation, create: bool = False) -> Path:
    """The profile's folder, ready to use.

    The base folder follows :func:`prepare_data_dir`. A named profile that does not exist is
    created only when ``create`` is true (the app, which then shows its welcome dialog; and
    ``incidentdesk profiles create``); a command-line run refuses it, so a typo in a script's
    ``--profile`` never writes an incident into a new, empty profile.
    """
    base = prepare_data_dir(location.base, location.base_chosen)
    if location.is_default:
        return base
    path = location.data_dir
    if path.is_dir():
        return path
    if path.exists():
        raise ConfigError(f"{path} is a file, not a profile folder; move it away.")
    if not create:
        known = ", ".join(list_profiles(base)) or "none yet"
        raise ConfigError(
            f"There is no profile '{location.name}' (profiles: {known}). Create it with "
            f"`incidentdesk profiles create {location.name}`, or open the app with "
            f"--profile {location.name}."
        )
    clash = _case_clash(base, location.name)
    if clash:
        raise ConfigError(
            f"A profile named '{clash}' exists already; names that differ only in capitals "
            "would share a folder on some systems. Choose another name."
        )
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the profile folder {path}: {exc.strerror}.") from None
    return path


def _case_clash(base: Path, name: str) -> str | None:
    return next(
        (p for p in list_profiles(base) if p.casefold() == name.casefold() and p != name), None
    )


def last_profile(base: Path) -> str | None:
    """The profile chosen at the last start (for the chooser), if it still exists."""
    try:
        last = base / PROFILES_FOLDER / LAST_PROFILE_FILE
        name = read_bounded_text(last, 4 * KIB, "last-profile file").strip()
    except (OSError, FileRefused):
        return None
    return name if name in list_profiles(base) else None


def remember_profile(base: Path, name: str) -> None:
    """Remember the profile chosen at start (a missing or read-only folder is no error)."""
    folder = base / PROFILES_FOLDER
    if name == DEFAULT_PROFILE and not folder.is_dir():
        return  # someone who never made a profile gets no profiles folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / LAST_PROFILE_FILE).write_text(name + "\n", encoding="utf-8")
    except OSError:
        pass


@dataclass
class Profile:
    """The settings kept in ``config.toml`` in the data folder."""

    data_dir: Path
    name: str | None = None
    shared_url: str | None = None  # postgresql://USER@HOST:PORT/DB, never with a password
    shared_sslmode: str = "prefer"
    shared_sslrootcert: str | None = None
    # A stable random id, made once and kept here (not derived from the path, so moving
    # the folder keeps it): it names this profile's secrets.
    profile_id: str | None = None
    # The secret name used before profile ids, still to be copied to the new name once.
    secret_moved_from: str | None = None
    # Days until a new action item is due, by severity (a post-mortem's default).
    due_days: dict[str, int] = field(default_factory=lambda: dict(default_due_days()))

    @classmethod
    def load(cls, data_dir: Path) -> Profile:
        """Read the profile, or defaults when there is no config file yet."""
        import tomllib

        path = data_dir / CONFIG_NAME
        try:
            data = tomllib.loads(read_bounded_text(path, CONFIG_LIMIT, "profile settings file"))
        except FileNotFoundError:
            return cls(data_dir)
        except FileRefused as exc:
            raise ConfigError(str(exc)) from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"Cannot read {path}: {exc}. Fix or remove the file.") from None
        name = data.get("user", {}).get("name")
        shared = data.get("shared_db", {})
        due = data.get("action_items", {}).get("due_days", {})
        own = data.get("profile", {})
        own = own if isinstance(own, dict) else {}
        if not isinstance(shared, dict):
            shared = {}
        return cls(
            data_dir,
            name if isinstance(name, str) and name.strip() else None,
            _text(shared.get("url")),
            _text(shared.get("sslmode")) or "prefer",
            _text(shared.get("sslrootcert")),
            _profile_id(own.get("id")),
            _text(own.get("move_secret_from")),
            {**default_due_days(), **parse_due_days(due, str(path))},
        )

    def save(self) -> None:
        """Write the profile atomically (a crash never leaves half a file)."""
        path = self.data_dir / CONFIG_NAME
        if not self.profile_id:
            # A Profile read before the id was made must not erase it.
            with contextlib.suppress(ConfigError):
                on_disk = Profile.load(self.data_dir)
                self.profile_id = on_disk.profile_id
                self.secret_moved_from = self.secret_moved_from or on_disk.secret_moved_from
        lines = ["# IncidentDesk profile settings. Secrets are never stored here.", ""]
        if self.profile_id:
            lines += ["[profile]", f"id = {_toml(self.profile_id)}"]
            if self.secret_moved_from:
                lines.append(f"move_secret_from = {_toml(self.secret_moved_from)}")
            lines.append("")
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
            if self.profile_id:
                secret = f"{SHARED_SECRET}/{self.profile_id}"
                lines.append(f"# The password is in the system keyring (secret '{secret}').")
            lines.append("")
        if self.due_days != default_due_days():
            days = ", ".join(f"{code} = {n}" for code, n in sorted(self.due_days.items()))
            lines += ["[action_items]", f"due_days = {{ {days} }}", ""]
        temp = path.with_suffix(".toml.tmp")
        temp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(temp, path)

    def author(self) -> str:
        """The configured name, else the operating-system user."""
        if self.name:
            return self.name
        import getpass

        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return "unknown"


def default_due_days() -> Mapping[str, int]:
    """Days until a new action item is due, by severity, when the profile says nothing."""
    from incidentdesk.core.postmortem.model import DEFAULT_DUE_DAYS

    return DEFAULT_DUE_DAYS


def parse_due_days(value: object, where: str) -> dict[str, int]:
    """``{SEV1 = 7, …}`` (or ``"SEV1=7,SEV2=14"``) checked: severities and 1..365 days."""
    if isinstance(value, str):
        pairs: dict[str, object] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            code, sep, days = part.partition("=")
            if not sep:
                raise ConfigError(f"{where}: '{part}' is not SEVERITY=DAYS (say SEV1=7).")
            pairs[code.strip()] = days.strip()
        value = pairs
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: due_days must be a table such as {{ SEV1 = 7 }}.")
    result: dict[str, int] = {}
    for code, days in value.items():
        key = str(code).strip().upper()
        if key not in default_due_days():
            raise ConfigError(f"{where}: '{code}' is not a severity (SEV1 to SEV5).")
        try:
            number = int(str(days))
        except ValueError:
            number = 0
        if not 1 <= number <= 365:
            raise ConfigError(f"{where}: {key} must be due in 1 to 365 days, not '{days}'.")
        result[key] = number
    return result


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


SHARED_SECRET = "shared-db"
_ID = re.compile(r"^[0-9a-f]{16,32}$")


def _profile_id(value: object) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


def profile_id(data_dir: Path) -> str:
    """The profile's stable id, made (and saved in ``config.toml``) on first use.

    A profile that was connected before it had an id notes its old secret name
    (``shared-db`` or ``shared-db/<profile>``) so that the password is copied once
    (see ``sync.shared_password``)."""
    profile = Profile.load(Path(data_dir))
    if profile.profile_id:
        return profile.profile_id
    import uuid

    profile.profile_id = uuid.uuid4().hex[:16]  # 64 random bits: unique enough, short to read
    if profile.shared_url:
        profile.secret_moved_from = legacy_secret_name(Path(data_dir))
    try:
        profile.save()
    except OSError as exc:
        raise ConfigError(f"Cannot save the profile in {data_dir}: {exc.strerror}.") from None
    return Profile.load(Path(data_dir)).profile_id or profile.profile_id


def shared_secret_name(data_dir: Path) -> str:
    """The named secret holding a profile's shared-database password: ``shared-db/<id>``
    with the profile's own stable id, so no two data folders or profiles ever overwrite
    (or delete) each other's password, and moving a folder keeps it."""
    return f"{SHARED_SECRET}/{profile_id(data_dir)}"


def known_shared_secret_name(data_dir: Path) -> str | None:
    """:func:`shared_secret_name` if the profile has an id already, else None (nothing can be
    stored under a name that does not exist yet); never writes the profile."""
    found = Profile.load(Path(data_dir)).profile_id
    return f"{SHARED_SECRET}/{found}" if found else None


def legacy_secret_name(data_dir: Path) -> str:
    """The name used before profile ids: ``shared-db`` for every default profile,
    ``shared-db/<profile>`` for a named one (shared by same-named profiles of any folder)."""
    folder = Path(data_dir)
    if folder.parent.name == PROFILES_FOLDER:
        return f"{SHARED_SECRET}/{folder.name}"
    return SHARED_SECRET
