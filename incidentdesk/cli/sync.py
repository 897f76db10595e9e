"""``incidentdesk connect | disconnect | sync``: this profile's shared PostgreSQL database.

The connection (never the password) is kept in the profile; the password in the keyring.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, TextIO

from incidentdesk.cli.common import json_flag
from incidentdesk.core.errors import DomainError
from incidentdesk.infra.config import Profile, shared_secret_name
from incidentdesk.infra.secrets import delete_secret, env_name, get_secret, set_secret
from incidentdesk.infra.store.shared import SharedConfig, SharedStore
from incidentdesk.runtime.sync import Sync, describe_report, open_shared, status_once

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk


def connect_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("url", metavar="postgresql://USER@HOST[:PORT]/DB")
    p.add_argument(
        "--sslmode",
        default="prefer",
        choices=("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    )
    p.add_argument("--sslrootcert", metavar="FILE", help="CA certificate for verify-ca/-full")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of asking",
    )


def sync_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--status", action="store_true", help="show the state instead of syncing")
    p.add_argument(
        "--quarantined",
        action="store_true",
        help="list the events from the shared database or archives that could not be read",
    )
    p.add_argument(
        "--retry-refused",
        action="store_true",
        help="send again the events the shared database refused (once its rule or clock is fixed)",
    )
    json_flag(p)


def run_connect(args: argparse.Namespace, profile: Profile, out: TextIO) -> int:
    """Store the connection (no password) in the profile; the password in the keyring."""
    config = SharedConfig.parse(args.url, args.sslmode, args.sslrootcert)
    secret = shared_secret_name(profile.data_dir)
    password, where = _password(args, secret)
    profile.shared_url = config.url
    profile.shared_sslmode = config.sslmode
    profile.shared_sslrootcert = config.sslrootcert
    profile.secret_moved_from = None  # the password typed now replaces an old one
    profile.save()
    if where == "keyring":
        kept = set_secret(secret, password)
        where = "the system keyring" if kept else "memory for this session only (no keyring)"
    print(f"Saved {config.url} (sslmode={config.sslmode}); the password is in {where}.", file=out)
    shared = SharedStore(config, password)
    try:
        shared.check_schema()
    finally:
        shared.close()
    print("The shared database answered and its schema matches.", file=out)
    return 0


def _password(args: argparse.Namespace, secret: str) -> tuple[str, str]:
    from_env = get_secret(secret) if not args.password_stdin else None
    if from_env is not None and env_name(secret) in _environ():
        return from_env, f"the environment ({env_name(secret)})"
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password for the shared database: ")
    else:
        raise DomainError(
            "No password: use --password-stdin, run in a terminal to be asked, or set "
            f"{env_name(secret)}."
        )
    if not password:
        raise DomainError("The password is empty; nothing was changed.")
    return password, "keyring"


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def run_disconnect(args: argparse.Namespace, profile: Profile, out: TextIO) -> int:
    """``incidentdesk disconnect``."""
    return disconnect(profile, out)


def disconnect(profile: Profile, out: TextIO) -> int:
    """Forget the shared database and its password."""
    if not profile.shared_url:
        print("This profile is not connected to a shared database.", file=out)
        return 0
    url = profile.shared_url
    profile.shared_url = None
    profile.shared_sslrootcert = None
    profile.secret_moved_from = None  # an old shared entry stays for the folders using it
    profile.save()
    delete_secret(shared_secret_name(profile.data_dir))  # this profile's own, nothing else
    print(f"Disconnected from {url}; this workstation now works locally only.", file=out)
    return 0


def run_sync(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk sync [--status] [--json]``."""
    profile = Profile.load(desk.store.path.parent)
    if getattr(args, "quarantined", False):
        return quarantined(args, desk, out)
    if args.status:
        status = status_once(desk, profile)
        if args.json:
            json.dump(status.as_json(), out, indent=2)
            out.write("\n")
        else:
            last = status.as_json()["last_sync"] or "never"
            print(f"{status.label} · {status.waiting_text} · last sync: {last}", file=out)
            if status.message:
                print(status.message, file=out)
            if status.quarantined_text:
                print(
                    f"{status.quarantined_text}: kept aside, never applied "
                    "(incidentdesk sync --quarantined lists them).",
                    file=out,
                )
        return 0
    shared = open_shared(profile)
    if shared is None:
        raise DomainError("This profile has no shared database; use 'incidentdesk connect'.")
    if getattr(args, "retry_refused", False):
        print(f"Sending {desk.exchange.retry_refused()} refused event(s) again.", file=out)
    try:
        report = Sync(desk, shared).sync_once()
    finally:
        shared.close()
    if args.json:
        json.dump(
            {
                "pushed": report.pushed,
                "pulled": report.pulled,
                "changed": report.changed,
                "quarantined": report.quarantined,
                "refused": report.refused,
            },
            out,
            indent=2,
        )
        out.write("\n")
    else:
        print(describe_report(report), file=out)
    return 0


def quarantined(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk sync --quarantined [--json]``: the rows that could not be read."""
    rows = desk.exchange.quarantined()
    if args.json:
        json.dump([r.as_json() for r in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not rows:
        print("Every event from the shared database and archives could be read.", file=out)
        return 0
    for row in rows:
        print(
            f"{row.event_id or '(no id)'}  {row.kind or '(no kind)'}  by {row.author or '?'}"
            f" on {row.device or '?'}  from {row.source} {row.source_ref}: {row.reason}",
            file=out,
        )
    return 0
