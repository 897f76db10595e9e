"""A realistic demo incident: a SEV2 over three hours, with roles, a handover and milestones."""

from __future__ import annotations

from datetime import timedelta

from incidentdesk.app.desk import Desk

# minutes after the start | author | action | arguments
_SCRIPT = """
  2 | Alerting    | note:observation | PagerDuty: payments-api 5xx rate 14% (threshold 2%) in eu-west-1
  4 | Maya Chen   | role             | commander | Maya Chen
  4 | Maya Chen   | milestone        | acknowledged
  5 | Maya Chen   | role             | scribe | Jonas Weber
  6 | Jonas Weber | note:note        | Bridge open: #inc-checkout-eu, Zoom link pinned in channel
  7 | Maya Chen   | role             | ops_lead | Priya Raman
  8 | Jonas Weber | note:observation | Checkout success rate in EU down from 99.1% to 81%
  9 | Priya Raman | note:observation | payments-api pods healthy; errors are upstream timeouts to ledger-service
 11 | Maya Chen   | role             | comms | Sam Okafor
 12 | Sam Okafor  | note:update      | Status page: investigating elevated checkout errors for EU customers
 13 | Jonas Weber | note:observation | ledger-service p99 latency 4.2s (normal 180ms)
 14 | Priya Raman | note:action      | Paging ledger-service owners (team Ledger)
 16 | Maya Chen   | role             | sme | Lena Novak
 17 | Lena Novak  | note:observation | ledger-service DB connection pool saturated: 200/200 in use
 18 | Lena Novak  | note:observation | Slow query log shows full scans on ledger_entries since the last deploy
 20 | Jonas Weber | note:note        | Deploy ledger-service v2024.11.3 went out 19 minutes before the first alert (migration 0142)
 22 | Maya Chen   | note:decision    | Hypothesis: migration 0142 dropped index ix_entries_account; focus there
 23 | Maya Chen   | status           | identified
 24 | Lena Novak  | note:observation | Confirmed: ix_entries_account missing on primary and replicas
 26 | Priya Raman | note:note        | Rollback of v2024.11.3 not possible: migration is not reversible
 28 | Maya Chen   | note:decision    | Recreate the index CONCURRENTLY on primary; keep traffic flowing
 29 | Lena Novak  | note:action      | Starting CREATE INDEX CONCURRENTLY ix_entries_account
 31 | Sam Okafor  | note:update      | Stakeholders: cause identified (missing DB index); fix in progress, ETA 30-45 min
 33 | Priya Raman | note:action      | Raising payments-api timeout budget to 8s to shed fewer requests
 35 | Jonas Weber | note:observation | Error rate steady at 12-15% while index builds
 38 | Maya Chen   | severity         | SEV2
 40 | Priya Raman | note:observation | Timeout change live; checkout success up to 86%
 44 | Lena Novak  | note:observation | Index build 40% done; replica lag 3s and stable
 48 | Jonas Weber | note:note        | Customer support reports ~300 tickets about failed payments
 50 | Sam Okafor  | note:action      | Drafting customer email with support lead
 53 | Maya Chen   | note:decision    | Pause the nightly ledger reconciliation job until the index is back
 55 | Priya Raman | note:action      | Reconciliation cron suspended
 58 | Lena Novak  | note:observation | Index build 75% done
 62 | Sam Okafor  | note:update      | Status page: fix in progress, partial recovery
 66 | Jonas Weber | note:observation | Connection pool usage falling: 140/200
 71 | Lena Novak  | note:observation | Index ix_entries_account created and valid
 73 | Priya Raman | note:observation | ledger-service p99 back to 210ms
 75 | Jonas Weber | note:observation | payments-api 5xx rate 0.4%
 76 | Maya Chen   | status           | mitigated
 78 | Sam Okafor  | note:update      | Status page: monitoring; checkout recovered for EU customers
 82 | Priya Raman | note:action      | Reverting timeout budget to 3s
 86 | Jonas Weber | note:note        | Payments that failed during the incident to be retried by the payments team
 90 | Maya Chen   | note:decision    | Maya hands command to Alex for the monitoring phase (end of shift)
 91 | Maya Chen   | role             | commander | Alex Kim
 92 | Alex Kim    | role:shadow      | commander | Rui Costa
 94 | Alex Kim    | note:note        | Command taken over; Rui shadowing as part of IC training
100 | Lena Novak  | note:action      | Retry job for failed payments started (1,284 payments)
108 | Lena Novak  | note:observation | Retry job: 1,270 succeeded, 14 need manual review
112 | Sam Okafor  | note:action      | 14 payments handed to support for manual follow-up
118 | Priya Raman | note:observation | Reconciliation job resumed; running normally
125 | Jonas Weber | note:observation | Error budget burn back to baseline
132 | Alex Kim    | note:decision    | Keep monitoring 30 more minutes before resolving
140 | Lena Novak  | note:action      | Opened ticket LEDGER-881: migration linter must flag dropped indexes
146 | Jonas Weber | note:observation | No new errors in 60 minutes
150 | Alex Kim    | note:decision    | Stay in monitoring until the payment retries are reconciled
151 | Sam Okafor  | note:update      | Status page: monitoring; next update in 60 minutes
155 | Alex Kim    | role:release     | sme
158 | Jonas Weber | note:note        | Post-mortem owner: Lena Novak; review meeting Thursday
165 | Alex Kim    | note:action      | Add alert on ledger-service connection pool saturation (>80%)
172 | Jonas Weber | note:note        | Bridge closed
"""


def _script() -> list[tuple[int, str, str, list[str]]]:
    steps = []
    for line in _SCRIPT.strip().splitlines():
        minutes, author, action, *args = (part.strip() for part in line.split("|"))
        steps.append((int(minutes), author, action, args))
    return steps


def seed_demo_catalog(desk: Desk) -> bool:
    """Import the demo incident's service catalog when the profile has none yet."""
    if desk.catalog.current() is not None:
        return False
    from incidentdesk.app.catalog import read_catalog_file
    from incidentdesk.infra.shipped import resource_path

    path = resource_path("catalog", "demo.toml")
    desk.catalog.import_catalog(read_catalog_file(path).catalog, source=path.name)
    return True


def seed_demo_drill(desk: Desk) -> str:
    """The demo as people open it (the welcome dialog, ``incidentdesk demo``): the demo
    incident marked as a drill, so practice stays out of the metrics; returns its id."""
    incident = seed_demo(desk)
    declared = desk.incidents.get(incident).milestones["started_at"]
    # Marked by whoever declared it, as it was declared: a drill from its first minute.
    desk.with_author("Maya Chen").incidents.set_drill(incident, drill=True, at=declared)
    return incident


def seed_demo(desk: Desk) -> str:
    """Write the demo incident through the Desk; returns its id."""
    start = desk.clock().replace(second=0, microsecond=0) - timedelta(hours=3)
    steps = _script()
    desk_as = {name: desk.with_author(name) for name in {a for _m, a, _k, _x in steps}}
    incident = desk.with_author("Maya Chen").incidents.declare(
        "EU checkout failing: payments-api 5xx from ledger-service timeouts",
        "SEV2",
        ["payments-api", "ledger-service"],
        at=start,
        bridge="https://meet.example.com/eu-checkout-bridge",
        impact="EU card payments fail at checkout (1 in 7)",
    )
    first_pin = True
    for minutes, author, action, args in steps:
        d = desk_as[author]
        at = start + timedelta(minutes=minutes)
        verb, _, kind = action.partition(":")
        if verb == "note":
            pin = kind == "decision" and first_pin
            first_pin = first_pin and not pin
            d.incidents.add_note(incident, args[0], kind, at=at, pinned=pin)
        elif verb == "role" and kind == "shadow":
            d.incidents.assign_role(incident, args[0], args[1], shadow=True, at=at)
        elif verb == "role" and kind == "release":
            d.incidents.release_role(incident, args[0], at=at)
        elif verb == "role":
            d.incidents.assign_role(incident, args[0], args[1], at=at)
        elif verb == "milestone":
            d.incidents.set_milestone(incident, args[0], at=at)
        elif verb == "status":
            d.incidents.set_status(incident, args[0], at=at)
        elif verb == "severity":
            d.incidents.add_note(
                incident, "Severity confirmed as SEV2 after impact review", "decision", at=at
            )
    return incident
