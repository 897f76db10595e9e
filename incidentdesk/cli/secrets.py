"""``incidentdesk secret set | status``: the named secrets the catalog's targets and the
shared database use.

A secret's value is never printed: ``secret status`` says only whether each is present and
where from.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from incidentdesk.cli.common import global_options
from incidentdesk.core.catalog.options import check_secret_name
from incidentdesk.core.errors import DomainError

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk


def secret_arguments(p: argparse.ArgumentParser) -> None:
    common = [global_options()]
    actions = p.add_subparsers(dest="secret_action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "set",
        parents=common,
        help="store a secret in the keyring: asked for in a terminal, else one line of stdin",
    )
    a.add_argument("name", metavar="NAME", help="such as pagerduty/checkout")
    a.set_defaults(no_desk=True)
    a = actions.add_parser(
        "status", parents=common, help="the secrets the catalog and shared database use"
    )
    a.add_argument("--json", action="store_true", help="machine-readable output")


def run_secret(args: argparse.Namespace, desk: Desk | None, out: TextIO) -> int:
    """``incidentdesk secret set|status``."""
    if args.secret_action == "set":
        return _secret_set(args, out)
    assert desk is not None
    return _secret_status(args, desk, out)


def _secret_set(args: argparse.Namespace, out: TextIO) -> int:
    from incidentdesk.infra.secrets import env_name, set_secret

    name = check_secret_name(args.name)
    if sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(f"Value of the secret '{name}' (not shown): ")
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        value = line.rstrip("\r\n")
    if not value.strip():
        raise DomainError(f"The value for '{name}' is empty; nothing was stored.")
    if set_secret(name, value):
        print(f"Stored the secret '{name}' in the system keyring.", file=out)
    else:
        print(
            f"No usable system keyring: the secret '{name}' lasts for this command only. "
            f"For headless use, set {env_name(name)} in the environment.",
            file=out,
        )
    return 0


def secret_rows(desk: Desk) -> list[dict[str, Any]]:
    """Every secret the catalog and the shared-database connection use: name, what uses it,
    whether it is present and where from (environment, keyring or session). Never values."""
    from incidentdesk.app.profile import move_old_shared_secret
    from incidentdesk.infra.config import Profile, shared_secret_name

    wanted: dict[str, list[str]] = {}
    data_dir = desk.store.path.parent
    if Profile.load(data_dir).shared_url:
        move_old_shared_secret(data_dir)
        wanted[shared_secret_name(data_dir)] = ["the shared database"]
    catalog = desk.catalog.current()
    if catalog is not None:
        for name, targets in catalog.secret_names().items():
            wanted.setdefault(name, []).extend(f"target {t}" for t in targets)
    return [{"name": name, "used_by": users, **_presence(name)} for name, users in wanted.items()]


def _presence(name: str) -> dict[str, Any]:
    from incidentdesk.infra.secrets import secret_source

    source = secret_source(name)
    return {"present": source is not None, "source": source}


def _secret_status(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    from incidentdesk.infra.secrets import env_name, keyring_status

    rows = secret_rows(desk)
    status = keyring_status()
    if args.json:
        document = {
            "keyring": {"backend": status.backend, "persistent": status.persistent},
            "secrets": rows,
        }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    print(status.description, file=out)
    if not rows:
        print("No secrets are used yet (no catalog targets, no shared database).", file=out)
        return 0
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        if row["present"]:
            state = f"present ({row['source']})"
        else:
            state = f"MISSING: incidentdesk secret set {row['name']} (or {env_name(row['name'])})"
        print(f"  {row['name']:<{width}}  {state}  used by {', '.join(row['used_by'])}", file=out)
    return 0
