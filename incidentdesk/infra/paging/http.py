"""One HTTP attempt: the request an adapter wants sent, the answer, and why none came.

Network trouble is an outcome, never an exception. Exception texts are never quoted: they can
contain the URL, which may be the secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from incidentdesk.core.escalation.backoff import parse_retry_after
from incidentdesk.infra.paging.message import Outcome, refused, retry
from incidentdesk.infra.paging.text import first, shorten

USER_AGENT = "IncidentDesk"
INVALID_ADDRESS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)


@dataclass(frozen=True)
class Request:
    """The one HTTP request an adapter wants sent: always a JSON POST."""

    service: str
    """Who receives it, as reasons name it: "PagerDuty", "the webhook of target 'x'"."""
    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """The receiver's answer to one request."""

    status: int
    text: str
    headers: Mapping[str, str]
    received_at: datetime

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def fields(self) -> dict[str, Any]:
        """The body as a JSON object, or an empty one when it is anything else."""
        body = self.json()
        return body if isinstance(body, dict) else {}

    @property
    def retry_after(self) -> float | None:
        """Seconds the receiver asked us to wait, from ``Retry-After``."""
        return parse_retry_after(self.headers.get("Retry-After"), self.received_at)

    def excerpt(self, limit: int = 200) -> str:
        """The start of the body on one line, for a reason."""
        return shorten(" ".join(self.text.split()), limit)


Session = requests.Session
"""The HTTP connections kept between attempts (the courier keeps one per thread)."""


def new_session() -> Session:
    """A session to reuse across attempts; close it when done."""
    return requests.Session()


def post(request: Request, *, timeout: float, session: Session | None) -> Answer | Outcome:
    """Send ``request`` once: the answer, or a retryable :class:`Outcome` saying why none came.

    Redirects are not followed: a webhook that moved must be updated in the catalog, not
    chased with a secret attached. Exception texts are never quoted (they can contain the
    URL, which may be the secret).
    """
    sending = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **request.headers}
    host = urlsplit(request.url).hostname or "the configured host"
    owned = session is None
    http = new_session() if session is None else session
    try:
        response = http.post(
            request.url,
            data=request.body,
            headers=sending,
            timeout=(timeout, timeout),
            allow_redirects=False,
        )
        try:
            text = response.text
        finally:
            response.close()
    except (requests.exceptions.RequestException, UnicodeError, ValueError) as error:
        return no_answer(error, request.service, host, timeout)
    finally:
        if owned:
            http.close()
    return Answer(response.status_code, text, response.headers, datetime.now(UTC))


def no_answer(error: Exception, service: str, host: str, timeout: float) -> Outcome:
    """Why no answer came from ``service`` at ``host``, as an outcome (the exception's own
    text is never quoted)."""
    errors = requests.exceptions
    if isinstance(error, errors.Timeout):
        return retry(None, f"{first(service)} did not answer within {timeout:g} seconds ({host}).")
    if isinstance(error, errors.SSLError):
        return retry(
            None,
            f"The secure connection to {service} ({host}) failed: check the clock, "
            "a proxy or the certificate.",
        )
    if isinstance(error, errors.ConnectionError):
        return retry(
            None,
            f"Could not reach {service} ({host}): the host is unknown, refused the connection "
            "or dropped it; check the network.",
        )
    if isinstance(error, INVALID_ADDRESS):
        return refused(
            None, f"The address configured for {service} is not a valid URL.", fix="catalog"
        )
    if isinstance(error, errors.RequestException):
        return retry(
            None,
            f"{first(service)} ({host}) sent an answer that could not be read "
            f"({type(error).__name__}).",
        )
    # http.client writes headers as Latin-1: a key pasted with a typographic character
    # (an ellipsis, a zero-width space) cannot be sent, ever.
    return refused(
        None,
        f"The secret stored for {service} contains characters an HTTP request cannot "
        "carry (a pasted ellipsis or invisible character?); set it again.",
        fix="secret",
    )


def encode(document: Mapping[str, Any]) -> bytes:
    """The JSON body sent: UTF-8, compact."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
