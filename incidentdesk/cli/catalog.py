"""``incidentdesk catalog import | export | show``: the service ownership catalog.

An import stores the Backstage integration keys it carries in the keyring; they are named,
never shown.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from incidentdesk.cli.common import global_options
from incidentdesk.core.catalog.model import Catalog
from incidentdesk.core.catalog.payload import catalog_to_dict
from incidentdesk.core.catalog.toml import to_toml
from incidentdesk.core.errors import DomainError
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import format_utc

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk

log = logging.getLogger(__name__)


def catalog_arguments(p: argparse.ArgumentParser) -> None:
    common = [global_options()]
    actions = p.add_subparsers(dest="catalog_action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "import",
        parents=common,
        help="import a TOML catalog or a Backstage catalog-info.yaml (checked whole first)",
    )
    a.add_argument("file", metavar="FILE")
    a = actions.add_parser("export", parents=common, help="write the catalog as TOML")
    a.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    a = actions.add_parser("show", parents=common, help="show the current catalog")
    a.add_argument("--json", action="store_true", help="machine-readable output")


def run_catalog(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk catalog import|export|show``."""
    actions: dict[str, Callable[[argparse.Namespace, Desk, TextIO], int]] = {
        "import": _import,
        "export": _export,
        "show": _show,
    }
    return actions[args.catalog_action](args, desk, out)


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
