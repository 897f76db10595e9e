"""The ``incidentdesk`` subcommands for the service catalog and named secrets:
``catalog import|export|show`` and ``secret set|status``.

A secret's value is never printed: ``secret status`` says only whether each is present and
where from; Backstage integration keys go to the keyring and are named, never shown.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from incidentdesk.core.catalog.model import Catalog
from incidentdesk.core.catalog.options import check_secret_name
from incidentdesk.core.catalog.payload import catalog_to_dict
from incidentdesk.core.catalog.toml import to_toml
from incidentdesk.core.errors import DomainError
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import format_utc

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk

Handler = Callable[[argparse.Namespace, "Desk", TextIO], int]

log = logging.getLogger(__name__)
CATALOG_HELP = "Import, export or show the service ownership catalog."
SECRET_HELP = "Set a named secret, or show which secrets are present (never their values)."


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``catalog`` and ``secret``. A parser that runs without the local database sets
    ``set_defaults(no_desk=True)``; its handler then gets ``None`` for the desk."""
    p = sub.add_parser("catalog", help=CATALOG_HELP, description=CATALOG_HELP, parents=parents)
    actions = p.add_subparsers(dest="catalog_action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "import",
        parents=parents,
        help="import a TOML catalog or a Backstage catalog-info.yaml (checked whole first)",
    )
    a.add_argument("file", metavar="FILE")
    a = actions.add_parser("export", parents=parents, help="write the catalog as TOML")
    a.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    a = actions.add_parser("show", parents=parents, help="show the current catalog")
    a.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("secret", help=SECRET_HELP, description=SECRET_HELP, parents=parents)
    actions = p.add_subparsers(dest="secret_action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "set",
        parents=parents,
        help="store a secret in the keyring: asked for in a terminal, else one line of stdin",
    )
    a.add_argument("name", metavar="NAME", help="such as pagerduty/checkout")
    a.set_defaults(no_desk=True)
    a = actions.add_parser(
        "status", parents=parents, help="the secrets the catalog and shared database use"
    )
    a.add_argument("--json", action="store_true", help="machine-readable output")


# ------------------------------------------------------------------------------ catalog


def run_catalog(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk catalog import|export|show``."""
    action: Handler = {"import": _import, "export": _export, "show": _show}[args.catalog_action]
    return action(args, desk, out)


def _import(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    from incidentdesk.app.catalog import describe_counts, read_catalog_file
    from incidentdesk.infra.secrets import set_secret

    path = Path(args.file)
    result = read_catalog_file(path)  # everything is checked before anything is stored
    kept_for_session = []
    for name, value in result.secrets.items():
        if not set_secret(name, value):
            kept_for_session.append(name)
    before = desk.catalog.version()
    event_id = desk.catalog.import_catalog(result.catalog, path.name)
    summary = describe_counts(result.catalog.counts())
    log.info(
        "catalog %s from %s (%s); %d skipped; secrets stored: %s",
        "unchanged" if before is not None and before.event_id == event_id else "imported",
        path.name,
        summary,
        len(result.skipped),
        ", ".join(result.secrets) or "none",
    )
    if before is not None and before.event_id == event_id:
        print(
            f"The catalog in {path.name} is unchanged ({summary}); the one imported "
            f"{format_utc(before.imported_at)} by {before.author} stays.",
            file=out,
        )
    else:
        print(f"Imported {path.name}: {summary}.", file=out)
    for sentence in result.skipped:
        print(f"  {sentence}", file=out)
    for name in result.secrets:
        where = (
            "kept for this session only (no usable keyring): set it again with "
            f"`incidentdesk secret set {name}`"
            if name in kept_for_session
            else "stored in the keyring"
        )
        print(f"  Secret '{name}': {where}.", file=out)
    return 0


def _current(desk: Desk) -> Catalog:
    catalog = desk.catalog.current()
    if catalog is None:
        raise DomainError(
            "No catalog has been imported yet; run `incidentdesk catalog import FILE`."
        )
    return catalog


def _export(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    text = to_toml(_current(desk))
    if not args.output:
        out.write(text)
        return 0
    target = Path(args.output)
    temp = target.with_name(target.name + ".tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        raise DomainError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    print(f"Wrote the catalog to {target}.", file=out)
    return 0


def _show(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    version = desk.catalog.version()
    if version is None:
        if args.json:
            json.dump(None, out)
            out.write("\n")
            return 0
        print("No catalog has been imported yet (incidentdesk catalog import FILE).", file=out)
        return 0
    from incidentdesk.app.catalog import describe_counts

    catalog = version.catalog
    if args.json:
        document = {
            "event_id": version.event_id,
            "imported_at": version.imported_at.isoformat(),
            "imported_by": version.author,
            "source": version.source,
            "catalog": catalog_to_dict(catalog),
        }
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    counts = describe_counts(catalog.counts())
    lines = [
        f"Catalog from {version.source or 'an unnamed file'}, imported "
        f"{format_utc(version.imported_at)} by {version.author}: {counts}.",
        "",
        "Services",
    ]
    for service in catalog.services:
        try:
            policy_name = catalog.policy_for_service(service.name).name
        except DomainError:
            policy_name = "no escalation policy"
        owners = ", ".join(p.name for p in catalog.owners(service.name)) or "nobody"
        system = f" [{service.system}]" if service.system else ""
        lines.append(
            f"  {service.name}{system}  tier {service.tier}  team {service.team}  "
            f"policy {policy_name}  owners {owners}"
        )
    lines += ["", "Escalation policies"]
    for policy in catalog.policies:
        repeat = f", repeated {counted(policy.repeat, 'time')}" if policy.repeat else ""
        lines.append(f"  {policy.name}{repeat}")
        for number, level in enumerate(policy.levels, start=1):
            lines.append(
                f"    level {number}: {', '.join(level.targets)} "
                f"(acknowledge within {level.ack_timeout_minutes} min)"
            )
    lines += ["", "Notification targets"]
    for target in catalog.targets:
        lines.append(f"  {target.name}  {target.adapter}  secret {target.secret}")
    print("\n".join(lines), file=out)
    return 0


# ------------------------------------------------------------------------------ secrets


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


HANDLERS: dict[str, Handler] = {"catalog": run_catalog, "secret": run_secret}
