"""``incidentdesk profiles [create NAME]`` and ``incidentdesk config name|due-days [VALUE]``:
the profiles (each has its own data) and a profile's settings."""

from __future__ import annotations

import argparse
from typing import TextIO

from incidentdesk.cli.common import dump, json_flag
from incidentdesk.core.errors import UserError
from incidentdesk.core.text import clean_name
from incidentdesk.infra.config import (
    Profile,
    ProfileLocation,
    list_profiles,
    parse_due_days,
    prepare_data_dir,
    prepare_profile,
)


def profiles_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", default="list", choices=("list", "create"))
    p.add_argument("name", nargs="?", help="create: the new profile's name")
    json_flag(p)


def run_profiles(args: argparse.Namespace, location: ProfileLocation, out: TextIO) -> int:
    if args.action == "create":
        if not args.name:
            raise UserError("Name the profile to create: incidentdesk profiles create NAME.")
        new = location.with_name(args.name)
        if new.is_default or new.exists():
            raise UserError(f"The profile '{new.name}' exists already ({new.data_dir}).")
        print(prepare_profile(new, create=True), file=out)
        return 0
    if args.name:
        raise UserError("`profiles` lists the profiles; to make one: profiles create NAME.")
    names = list_profiles(prepare_data_dir(location.base, location.base_chosen))
    if location.name not in names:  # the one in use, even before its first write
        names.insert(0 if location.is_default else len(names), location.name)
    rows = [location.with_name(name) for name in names]
    if args.json:
        dump([_profile_json(row, location) for row in rows], out)
        return 0
    width = max(len(row.name) for row in rows)
    for row in rows:
        mark = "*" if row.name == location.name else " "
        note = "" if row.has_database() else "  (not used yet)"
        print(f"{mark} {row.name:<{width}}  {row.data_dir}{note}", file=out)
    return 0


def _profile_json(row: ProfileLocation, in_use: ProfileLocation) -> dict[str, object]:
    return {
        "name": row.name,
        "path": str(row.data_dir),
        "in_use": row.name == in_use.name,
        "has_database": row.has_database(),
    }


def config_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "setting",
        choices=("name", "due-days"),
        help="name: your name in the journal; due-days: days until a new action item is due "
        "by severity, such as SEV1=7,SEV2=14",
    )
    p.add_argument("value", nargs="?")


def run_config(args: argparse.Namespace, profile: Profile, out: TextIO) -> int:
    if args.setting == "due-days":
        if args.value is not None:
            profile.due_days = {**profile.due_days, **parse_due_days(args.value, "due-days")}
            profile.save()
        days = ", ".join(f"{code}={n}" for code, n in sorted(profile.due_days.items()))
        print(f"New action items are due in days, by severity: {days}", file=out)
        return 0
    if args.value is None:
        print(profile.name or f"(not set; using {profile.author()})", file=out)
        return 0
    profile.name = clean_name(args.value, "name")
    profile.save()
    print(f"Your name is now {profile.name}.", file=out)
    return 0
