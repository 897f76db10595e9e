"""``incidentdesk db upgrade | check | rebuild`` (the local database) and
``db upgrade --shared`` (the shared PostgreSQL schema)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from incidentdesk.cli.common import EXIT_REFUSED
from incidentdesk.core.errors import DomainError
from incidentdesk.core.plural import counted

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk


def db_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("upgrade", "check", "rebuild"))
    p.add_argument(
        "--shared",
        action="store_true",
        help="upgrade: create or upgrade the shared PostgreSQL schema",
    )


def run_db(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    if args.shared:
        return upgrade_shared(args, desk, out)
    store = desk.store
    if args.action == "upgrade":
        store.upgrade()
        note = (
            f" (the previous file was copied to {store.backup_path})" if store.backup_path else ""
        )
        print(f"{store.path} is at schema {store.schema_revision()}{note}.", file=out)
    elif args.action == "check":
        return _check(desk, out)
    else:
        count = desk.rebuild()
        rebuilt = counted(count, "incident")
        print(f"Rebuilt the projections of {rebuilt} from the journal.", file=out)
    return 0


def _check(desk: Desk, out: TextIO) -> int:
    store = desk.store
    result = store.integrity_check()
    if result != ["ok"]:
        print(f"{store.path} failed its integrity check: {'; '.join(result[:5])}", file=sys.stderr)
        return EXIT_REFUSED
    kept = desk.exchange.quarantined_count()
    aside = (
        f"; {kept} event(s) that could not be read are kept aside, never applied "
        "(incidentdesk sync --quarantined)"
        if kept
        else ""
    )
    print(f"{store.path}: ok (schema {store.schema_revision()}){aside}.", file=out)
    return 0


def upgrade_shared(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    """``incidentdesk db upgrade --shared``."""
    from incidentdesk.infra.config import Profile
    from incidentdesk.runtime.sync import open_shared, shared_config

    if args.action != "upgrade":
        raise DomainError("--shared works with 'db upgrade' only.")
    profile = Profile.load(desk.store.path.parent)
    if shared_config(profile) is None:
        raise DomainError("This profile has no shared database; use 'incidentdesk connect'.")
    shared = open_shared(profile)
    assert shared is not None
    try:
        before, after = shared.upgrade()
        grouped = shared.has_writers_group()
    finally:
        shared.close()
    if before == after:
        print(f"The shared database is already at schema {after}.", file=out)
    else:
        print(f"Upgraded the shared database from {before or 'empty'} to schema {after}.", file=out)
    if not grouped:
        print(
            "There is no role incidentdesk_writers on the server yet, so people's logins have "
            "no rights: run packaging/postgres/roles.sql as a superuser, then "
            "'incidentdesk db upgrade --shared' again.",
            file=out,
        )
    return 0
