"""``incidentdesk escalate | escalations | ack | post``: paging a service's owners from a script."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from incidentdesk.cli.common import iso
from incidentdesk.core.errors import UserError
from incidentdesk.core.escalation.page_status import page_words
from incidentdesk.core.timefmt import utc_now

if TYPE_CHECKING:
    from incidentdesk.app.desk import Desk
    from incidentdesk.core.escalation.model import Page


def escalate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("incident", metavar="ID")
    p.add_argument("--service", required=True, metavar="NAME", help="the service (catalog)")
    p.add_argument(
        "--level",
        type=int,
        metavar="N",
        help="the policy level (default: 1, or the next one after an unanswered page)",
    )
    p.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="send now and wait up to SECONDS for the outcome: exit 0 once delivered, 1 if "
        "it failed or is still not delivered",
    )


def escalations_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("incident", metavar="ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def ack_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("incident", metavar="ID")
    p.add_argument("escalation", metavar="ESCALATION_ID")
    p.add_argument("--by", metavar="NAME", help="who answered (default: you)")


def post_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("incident", metavar="ID")
    p.add_argument("--to", required=True, metavar="TARGET", help="the catalog's target name")
    p.add_argument("text")
    p.add_argument("--wait", type=float, metavar="SECONDS", help="send now and wait")


def channel_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("incident", metavar="ID")
    p.add_argument("target", nargs="?", metavar="TARGET", help="the catalog's chat target")
    p.add_argument("--none", action="store_true", help="stop posting status changes")


def run_escalate(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    escalation_id = desk.escalations.escalate(args.incident, args.service, args.level)
    page = _page(desk, args.incident, escalation_id)
    names = ", ".join(page.targets)
    print(
        f"{escalation_id}  paging {page.team} for {page.service} (level {page.level}: {names})",
        file=out,
    )
    if args.wait is None:
        print("Queued: the app (or 'incidentdesk escalate --wait') sends it.", file=out)
        return 0
    code = _wait(desk, args.incident, escalation_id, args.wait, out)
    page = _page(desk, args.incident, escalation_id)
    if page.status == "failed":  # one sentence a script's reader cannot miss
        print(f"{page.team} was NOT paged for {page.service}: {page.reason}", file=out)
    return code


def _wait(desk: Desk, incident: str, ref_id: str, wait: float, out: TextIO) -> int:
    from incidentdesk.runtime.courier import deliver_until_settled

    rows = deliver_until_settled(desk, ref_id, wait)
    ok = bool(rows) and all(d.state == "done" for d in rows)
    for row in rows:
        if row.state == "done":
            outcome = "delivered"
        elif row.state == "pending":
            outcome = f"not delivered yet (attempt {row.attempts}): {row.last_reason}"
        else:
            outcome = f"failed: {row.last_reason}"
        print(f"{row.target}: {outcome}", file=out)
    return 0 if ok else 1


def run_escalations(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    pages = desk.escalations.pages(args.incident)
    now = utc_now()
    if args.json:
        json.dump([page_json(p, now) for p in pages], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not pages:
        print("No pages yet.", file=out)
    for page in pages:
        words = page_words(page, now)
        said = words.text if words.text[1:2].isupper() else words.text[:1].lower() + words.text[1:]
        line = f"{page.id[:12]}  {page.service} L{page.level} ({page.team})  {said}"
        if page.overdue(now):
            line += "  — unanswered past the timeout: escalate to the next level?"
        print(line, file=out)
        for target in page.targets.values():
            detail = f"    {target.name} ({target.adapter}): {target.status}"
            if target.reason and target.status != "sent" and target.reason not in line:
                detail += f" — {target.reason}"
            print(detail, file=out)
    return 0


def page_json(page: Page, now: datetime) -> dict[str, Any]:
    """A page as plain JSON (for ``--json`` and scripts)."""
    return {
        "id": page.id,
        "service": page.service,
        "team": page.team,
        "policy": page.policy,
        "level": page.level,
        "levels": page.levels,
        "status": page.status,
        "state": page_words(page, now).state,
        "dedup_key": page.dedup_key,
        "requested_at": iso(page.requested_at),
        "requested_by": page.requested_by,
        "sent_at": iso(page.sent_at),
        "ack_deadline": iso(page.ack_deadline),
        "overdue": page.overdue(now),
        "acknowledged_at": iso(page.acknowledged_at),
        "acknowledged_by": page.acknowledged_by,
        "resolved_at": iso(page.resolved_at),
        "targets": [
            {
                "name": t.name,
                "adapter": t.adapter,
                "status": t.status,
                "attempts": t.attempts,
                "reason": t.reason or None,
            }
            for t in page.targets.values()
        ],
    }


def run_ack(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    escalation_id = desk.escalations.acknowledge(args.incident, args.escalation, args.by)
    page = _page(desk, args.incident, escalation_id)
    print(f"{page.service} level {page.level} acknowledged by {page.acknowledged_by}", file=out)
    return 0


def run_post(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    post_id = desk.escalations.post_to_chat(args.incident, args.to, args.text)
    print(post_id, file=out)
    if args.wait is None:
        return 0
    return _wait(desk, args.incident, post_id, args.wait, out)


def run_channel(args: argparse.Namespace, desk: Desk, out: TextIO) -> int:
    if args.none and args.target:
        raise UserError("Give a target or --none, not both.")
    if not args.none and not args.target:
        channel = desk.incidents.get(args.incident).escalation.channel
        print(channel or "Status changes are not posted to chat.", file=out)
        return 0
    desk.escalations.set_chat_channel(args.incident, None if args.none else args.target)
    if args.none:
        print("Status changes are no longer posted to chat.", file=out)
    else:
        print(f"Status and severity changes will be posted to {args.target}.", file=out)
    return 0


def _page(desk: Desk, incident: str, escalation_id: str) -> Page:
    for page in desk.escalations.pages(incident):
        if page.id == escalation_id:
            return page
    raise UserError("The page was recorded but cannot be read back.")
