"""Network trouble is an outcome, never an exception, and no reason ever shows the secret."""

from __future__ import annotations

import socket
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from incidentdesk.infra.paging import Outcome, PageMessage, Target, send, shorten

SECRETS = {
    "pagerduty": "R0UT1NGKEY0123456789abcdef012345",
    "opsgenie": "eb243592-faa2-4ba2-a551q-1afdf565c889",
    "slack": "https://hooks.slack.com/services/T00000000/B00000000/SLACKSECRETPART0123456789",
    "teams": "https://prod-12.westeurope.logic.azure.com/workflows/0a1b/triggers/manual/paths/"
    "invoke?api-version=2016-06-01&sig=TEAMSSECRETSIG0123456789",
    "webhook": "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}
SECRET_MARKS = {
    "pagerduty": "R0UT1NGKEY",
    "opsgenie": "eb243592",
    "slack": "SLACKSECRETPART",
    "teams": "TEAMSSECRETSIG",
    "webhook": "MDEyMzQ1Njc4",
}


def page(summary: str = "SEV1 payments-api down") -> PageMessage:
    return PageMessage(
        action="trigger",
        dedup_key="incidentdesk-01J0INCIDENT-esc-1",
        summary=summary,
        severity="SEV1",
        source="IncidentDesk",
        component="payments-api",
        group="Payments",
        incident_id="01J0INCIDENT",
        timestamp=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
    )


def attempt(adapter: str, base: str, timeout: float = 5.0) -> Outcome:
    """One send of the page to ``adapter``, aimed at ``base`` (scheme, host and port)."""
    options: dict[str, Any] = {"url": f"{base}/hooks/incidents"} if adapter == "webhook" else {}
    return send(
        Target("payments-oncall", adapter, options),
        page(),
        SECRETS[adapter],
        base_url=base,
        timeout=timeout,
    )


def assert_secret_kept(adapter: str, outcome: Outcome) -> None:
    assert SECRET_MARKS[adapter] not in outcome.reason
    assert SECRETS[adapter] not in outcome.reason


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


@pytest.fixture
def garbage_port() -> Iterator[int]:
    """A port whose server answers every connection with bytes that are not HTTP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    listener.close()


ADAPTERS = ["pagerduty", "opsgenie", "slack", "teams", "webhook"]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_connection_refused_is_retryable_with_a_reason(adapter: str, closed_port: int) -> None:
    outcome = attempt(adapter, f"http://127.0.0.1:{closed_port}")
    assert outcome.retryable and outcome.status is None
    assert "Could not reach" in outcome.reason and "127.0.0.1" in outcome.reason
    assert_secret_kept(adapter, outcome)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_hanging_endpoint_times_out_quickly_and_is_retryable(
    adapter: str, silent_port: int
) -> None:
    started = time.monotonic()
    outcome = attempt(adapter, f"http://127.0.0.1:{silent_port}", timeout=0.3)
    elapsed = time.monotonic() - started
    assert outcome.retryable and "did not answer within 0.3 seconds" in outcome.reason
    assert elapsed < 2.0
    assert_secret_kept(adapter, outcome)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_an_answer_that_is_not_http_is_retryable(adapter: str, garbage_port: int) -> None:
    outcome = attempt(adapter, f"http://127.0.0.1:{garbage_port}")
    assert outcome.retryable and outcome.status is None
    assert_secret_kept(adapter, outcome)


def test_unknown_host_is_retryable() -> None:
    outcome = attempt("pagerduty", "http://pagerduty.invalid")
    assert outcome.retryable and "pagerduty.invalid" in outcome.reason


def test_tls_failure_is_retryable_with_a_hint(httpserver: HTTPServer) -> None:
    plain = httpserver.url_for("/").replace("http://", "https://").rstrip("/")
    outcome = attempt("opsgenie", plain)
    assert outcome.retryable and "secure connection" in outcome.reason
    assert_secret_kept("opsgenie", outcome)


def test_webhook_url_secret_is_not_in_the_reason_when_it_is_unreachable(
    closed_port: int,
) -> None:
    """Without a base URL, requests' own error text carries the whole URL: it must not leak."""
    secret = f"http://127.0.0.1:{closed_port}/services/T0/B0/SLACKSECRETPART0123456789"
    outcome = send(Target("#inc", "slack"), page(), secret)
    assert outcome.retryable and "SLACKSECRETPART" not in outcome.reason


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("status", [400, 401, 404, 429, 500])
def test_a_receiver_echoing_the_secret_never_gets_it_into_the_reason(
    httpserver: HTTPServer, adapter: str, status: int
) -> None:
    echoed = f"Bad credentials: {SECRETS[adapter]}"
    httpserver.expect_request("/", method="POST").respond_with_json(
        {"message": echoed, "errors": [echoed], "error": {"message": echoed}}, status=status
    )
    httpserver.expect_request(
        "/services/T00000000/B00000000/SLACKSECRETPART0123456789"
    ).respond_with_data(echoed, status=status)
    httpserver.expect_request("/workflows/0a1b/triggers/manual/paths/invoke").respond_with_data(
        echoed, status=status
    )
    for uri in ("/v2/enqueue", "/v2/alerts", "/hooks/incidents"):
        httpserver.expect_request(uri).respond_with_json({"message": echoed}, status=status)
    outcome = attempt(adapter, httpserver.url_for("/").rstrip("/"))
    assert not outcome.delivered and outcome.status == status
    assert "[secret]" in outcome.reason
    assert_secret_kept(adapter, outcome)


@pytest.mark.parametrize("padding", range(170, 200, 3))
def test_a_secret_echoed_where_the_reason_is_cut_does_not_leak_in_part(
    httpserver: HTTPServer, padding: int
) -> None:
    httpserver.expect_request("/v2/alerts").respond_with_data(
        "x" * padding + SECRETS["opsgenie"], status=400
    )
    outcome = attempt("opsgenie", httpserver.url_for("/").rstrip("/"))
    assert outcome.final and "eb243" not in outcome.reason


def test_no_secret_is_final_without_a_request(httpserver: HTTPServer) -> None:
    outcome = send(Target("payments", "pagerduty"), page(), "  ", base_url=httpserver.url_for("/"))
    assert outcome.final and "No secret is stored for target 'payments'" in outcome.reason
    assert httpserver.log == []


def test_unknown_adapter_is_final() -> None:
    outcome = send(Target("payments", "carrier-pigeon"), page(), "x")
    assert outcome.final and "unknown adapter 'carrier-pigeon'" in outcome.reason


def test_a_page_without_a_dedup_key_or_with_a_bad_severity_is_refused() -> None:
    with pytest.raises(ValueError, match="dedup key"):
        replace(page(), dedup_key=" ")
    with pytest.raises(ValueError, match="SEV1 to SEV5"):
        replace(page(), severity="P1")


# Cutting text to a receiver's limit --------------------------------------------------------


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_short_text_is_untouched() -> None:
    assert shorten("Checkout failing", 130) == "Checkout failing"


def test_cut_keeps_accents_with_their_letters() -> None:
    # "q̇" has no precomposed form: the dot stays a separate combining code point.
    text = "q\u0307" * 10
    cut = shorten(text, 8)
    assert cut.endswith("…")
    assert unicodedata.combining(cut[-2]) and cut[:-1] == "q\u0307" * 3


def test_cut_keeps_emoji_sequences_whole() -> None:
    family = "👩\u200d👩\u200d👧"  # one picture of a family, five code points
    cut = shorten("Outage " + family * 5, 12)
    assert cut == "Outage " + family + "…" or cut == "Outage…"
    assert "\u200d…" not in cut and not cut[:-1].endswith("👩")
    assert units(cut) <= 12


def test_cut_never_splits_a_flag() -> None:
    cut = shorten("Region down: " + "🇫🇷🇩🇪" * 5, 16)
    flags = cut.removeprefix("Region down:").removesuffix("…").strip()
    assert len(flags) % 2 == 0 and units(cut) <= 16


@given(st.text(), st.integers(min_value=2, max_value=200))
def test_cut_text_fits_and_is_a_prefix(text: str, limit: int) -> None:
    cut = shorten(text, limit)
    normal = unicodedata.normalize("NFC", text)
    assert units(cut) <= limit or (cut == normal and units(normal) <= limit)
    if cut != normal:
        assert cut.endswith("…") and normal.startswith(cut[:-1])


def test_each_permanent_refusal_names_what_fixes_it() -> None:
    from datetime import UTC, datetime

    from incidentdesk.infra.paging import pagerduty, slack, teams, webhook
    from incidentdesk.infra.paging.base import Answer, Target, classify

    def answer(status: int, text: str = "") -> Answer:
        return Answer(status, text, {}, datetime.now(UTC))

    hook = Target("hook", "webhook", {"url": "https://example.com/x"})
    assert webhook.read(answer(401), hook).fix == "secret"
    assert webhook.read(answer(404), hook).fix == "catalog"
    assert webhook.read(answer(400), hook).fix is None
    assert webhook.read(answer(422), hook).final and webhook.read(answer(422), hook).fix is None
    assert webhook.read(answer(503), hook).fix is None and not webhook.read(answer(503), hook).final
    assert pagerduty.read(answer(403), Target("pd", "pagerduty")).fix == "secret"
    assert slack.read(answer(404, "no_service"), Target("s", "slack")).fix == "secret"
    assert teams.read(answer(403), Target("t", "teams")).fix == "secret"
    assert classify("x", answer(410)).fix == "catalog"


def test_a_malformed_address_is_permanent_and_fixed_in_the_catalog() -> None:
    from incidentdesk.infra.paging.base import Outcome, Request
    from incidentdesk.infra.paging.http import post

    for url in ("not a url", "htp://example.com/x", "http://"):
        outcome = post(Request("the webhook", url, b"{}"), timeout=1.0, session=None)
        assert isinstance(outcome, Outcome), url
        assert outcome.final and not outcome.delivered, url
        assert outcome.fix == "catalog", url
        assert "not a valid URL" in outcome.reason, url
