"""A realistic finished post-mortem for the export tests: 40 timeline rows, sections with
Markdown lists, code, links and tables, action items, reviewers, and text that tries to break
things (RTL, emoji, CJK, ``<script>``, pipes, line breaks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incidentdesk.core.postmortem.document import (
    DocActionItem,
    DocSection,
    DocTimelineRow,
    PostmortemDocument,
)

START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
TITLE = "EU checkout failing: payments-api 5xx from ledger-service timeouts"
SCRIPT_TEXT = "<script>alert('x')</script>"
RTL = "שגיאה בשירות התשלומים"  # Hebrew: "error in the payments service"
CJK = "支付服务超时"
EMOJI = "🔥 rollback blocked 🚫"

_NOTES = [
    ("observation", "Alerting", "PagerDuty: payments-api 5xx rate 14% (threshold 2%) in eu-west-1"),
    ("role", "Maya Chen", "Maya Chen is commander"),
    ("milestone", "Maya Chen", "Acknowledged"),
    ("note", "Jonas Weber", "Bridge open: #inc-checkout-eu | Zoom link pinned in channel"),
    ("observation", "Jonas Weber", "Checkout success rate in EU down from 99.1% to 81%"),
    ("observation", "Priya Raman", "payments-api pods healthy; errors are upstream timeouts"),
    ("update", "Sam Okafor", "Status page: investigating elevated checkout errors"),
    ("observation", "Jonas Weber", "ledger-service p99 latency 4.2s (normal 180ms)"),
    ("action", "Priya Raman", "Paging ledger-service owners (team Ledger)"),
    ("observation", "Lena Novak", "DB connection pool saturated: 200/200 in use"),
    ("observation", "Lena Novak", "Slow query log:\nfull scans on ledger_entries\nsince deploy"),
    ("note", "Jonas Weber", "Deploy v2024.11.3 went out 19 minutes before the first alert"),
    ("decision", "Maya Chen", "Hypothesis: migration 0142 dropped ix_entries_account"),
    ("status", "Maya Chen", "Status: identified"),
    ("observation", "Lena Novak", "Confirmed: index missing on primary and replicas"),
    ("note", "Priya Raman", EMOJI),
    ("decision", "Maya Chen", "Recreate the index CONCURRENTLY on primary"),
    ("action", "Lena Novak", "CREATE INDEX CONCURRENTLY ix_entries_account ON ledger_entries"),
    ("update", "Sam Okafor", "Stakeholders: cause identified; fix in progress, ETA 30-45 min"),
    ("action", "Priya Raman", "Raising payments-api timeout budget to 8s"),
    ("observation", "Jonas Weber", "Error rate steady at 12-15% while index builds"),
    ("note", "Yael Cohen", RTL),
    ("observation", "Lena Novak", "Index build 40% done; replica lag 3s and stable"),
    ("note", "Jonas Weber", "Customer support reports ~300 tickets about failed payments"),
    ("note", "Wei Zhang", CJK),
    ("note", "Jonas Weber", f"Pasted from chat: {SCRIPT_TEXT}"),
    ("decision", "Maya Chen", "Pause the nightly ledger reconciliation job"),
    ("observation", "Lena Novak", "Index build 75% done"),
    ("update", "Sam Okafor", "Status page: fix in progress, partial recovery"),
    ("observation", "Jonas Weber", "Connection pool usage falling: 140/200"),
    ("observation", "Lena Novak", "Index ix_entries_account created and valid"),
    ("observation", "Priya Raman", "ledger-service p99 back to 210ms"),
    ("status", "Maya Chen", "Status: mitigated"),
    ("update", "Sam Okafor", "Status page: monitoring; checkout recovered"),
    ("role", "Maya Chen", "Alex Kim is commander (handover)"),
    ("action", "Lena Novak", "Retry job for failed payments started (1,284 payments)"),
    ("observation", "Lena Novak", "Retry job: 1,270 succeeded, 14 need manual review"),
    ("action", "Lena Novak", "Opened ticket LEDGER-881: migration linter must flag drops"),
    ("observation", "Jonas Weber", "No new errors in 60 minutes"),
    ("status", "Alex Kim", "Status: resolved"),
]

SECTIONS = [
    DocSection(
        "overview",
        "Overview",
        "For **72 minutes** EU customers could not pay: `payments-api` returned 5xx because "
        "`ledger-service` timed out.\n\nSee the [runbook](https://runbooks.example.com/ledger) "
        "and <https://status.example.com/incidents/881>.",
        required=True,
    ),
    DocSection(
        "what_happened",
        "What happened",
        "# Sequence\n\n1. Deploy `v2024.11.3` ran migration 0142.\n2. The migration dropped "
        "`ix_entries_account`.\n3. Queries fell back to full scans.\n\n## Detail\n\n"
        "```sql\nDROP INDEX ix_entries_account;\n# not a heading: inside code\n```\n\n"
        f"Raw HTML stays text: {SCRIPT_TEXT} and <b>bold?</b>\n",
        required=True,
    ),
    DocSection(
        "contributing_factors",
        "Contributing factors",
        "- The migration linter does not check dropped indexes.\n"
        "- Load tests run against a schema without the migration.\n"
        "  - nested: staging data is 1% of production\n"
        f"- Chat in other languages: {RTL} / {CJK} / {EMOJI}\n",
        required=True,
    ),
    DocSection(
        "impact",
        "Impact",
        "Impact\n======\n\n| Measure | Value |\n|---|---|\n| Failed payments | 1,284 |\n"
        "| Support tickets | ~300 |\n| SLO budget burned | 38% |\n",
    ),
    DocSection("lessons", "How'd we do | lessons", ""),
]

ACTIONS = [
    DocActionItem(
        "Migration linter flags dropped indexes",
        "prevent",
        "Lena Novak",
        "2026-03-24",
        "P1",
        "in progress",
        "https://tracker.example.com/LEDGER-881",
    ),
    DocActionItem(
        "Alert on ledger-service connection pool saturation (>80%)",
        "detect",
        "Priya Raman",
        "2026-03-17",
        "P2",
        "open",
    ),
    DocActionItem(
        "Runbook: recreate an index | safely", "mitigate", "Wei Zhang", None, "P3", "done", None
    ),
    DocActionItem(
        f"Review chat export {SCRIPT_TEXT}", "process", "Yael Cohen", None, "P4", "won't do"
    ),
]


def sample_document(rows: int = 40) -> PostmortemDocument:
    """The test post-mortem with ``rows`` timeline rows (the notes above, repeated)."""
    timeline = tuple(
        DocTimelineRow(START + timedelta(minutes=2 * i, seconds=i), *_NOTES[i % len(_NOTES)])
        for i in range(rows)
    )
    return PostmortemDocument(
        incident_id="0195f3a2-7c41-7d2e-9b1a-3f4e5d6c7b8a",
        title=TITLE,
        severity="SEV2",
        status="resolved",
        template="Standard",
        review_state="in review",
        revision=2,
        reviewers=("Lena Novak", "Dr. Ōtsuka Haruki"),
        approved_by=("Lena Novak",),
        started_at=START,
        resolved_at=START + timedelta(minutes=80),
        durations=(
            ("Time to detect", "2 min"),
            ("Time to acknowledge", "4 min"),
            ("Time to mitigate", "1h 16m"),
            ("Time to resolve", "1h 20m"),
        ),
        responders=(
            ("Incident commander", "Maya Chen"),
            ("Incident commander", "Alex Kim"),
            ("Scribe", "Jonas Weber"),
            ("Operations lead", "Priya Raman"),
            ("Subject matter expert", "Lena Novak"),
        ),
        sections=tuple(SECTIONS),
        timeline=timeline,
        action_items=tuple(ACTIONS),
        services=("payments-api", "ledger-service"),
    )
