"""A small service catalog for the paging tests: every target aims at one local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def catalog_text(base_url: str, ack_minutes: int = 5) -> str:
    return f"""
[[people]]
handle = "priya"
name = "Priya Raman"
team = "payments"

[[teams]]
name = "payments"
members = ["priya"]
escalation_policy = "payments"

[[services]]
name = "checkout"
team = "payments"
tier = 1
runbook_url = "https://runbooks.example.com/checkout"

[[policies]]
name = "payments"
[[policies.levels]]
targets = ["pd-payments"]
ack_timeout_minutes = {ack_minutes}
[[policies.levels]]
targets = ["genie-payments"]
ack_timeout_minutes = 10

[[targets]]
name = "pd-payments"
adapter = "pagerduty"
secret = "pagerduty/payments"
options = {{ base_url = "{base_url}" }}

[[targets]]
name = "genie-payments"
adapter = "opsgenie"
secret = "opsgenie/payments"
options = {{ base_url = "{base_url}" }}

[[targets]]
name = "slack-incidents"
adapter = "slack"
secret = "slack/incidents"
options = {{ base_url = "{base_url}", purpose = "incident channel" }}
"""


class Clock:
    """A clock the paging tests move by hand (the Desk's ``clock``)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
