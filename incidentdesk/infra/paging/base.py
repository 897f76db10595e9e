"""What every adapter shares: the message, the target, the outcome and one HTTP attempt.

An adapter turns a :class:`PageMessage` into exactly one HTTP request and the answer into an
:class:`Outcome`. Network trouble is an outcome, never an exception, and no reason or log line
ever carries the secret (a routing key, an API key, or a webhook URL that is itself the secret).
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from incidentdesk.core.errors import DomainError
from incidentdesk.core.escalation.backoff import parse_retry_after

log = logging.getLogger(__name__)

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITY_CODES = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
ADAPTER_NAMES = ("pagerduty", "opsgenie", "slack", "teams", "webhook")
USER_AGENT = "IncidentDesk"
ELLIPSIS = "…"
HEADLINE_PREFIX = {"trigger": "", "acknowledge": "Acknowledged: ", "resolve": "Resolved: "}

Link = tuple[str, str]
"""A link shown with a page: (href, text)."""

Fact = tuple[str, str]
"""One line of a chat card: (title, value)."""


@dataclass(frozen=True)
class PageMessage:
    """One thing to tell the people on call about an incident's escalation.

    ``dedup_key`` is the same for every attempt and every action of one escalation, so a
    receiver opens one alert and later acknowledges or resolves that same alert. ``text`` and
    ``facts`` are what chat adapters (Slack, Teams) show; ``text`` defaults to the summary.
    """

    action: str
    dedup_key: str
    summary: str
    severity: str
    source: str
    component: str
    group: str
    incident_id: str
    timestamp: datetime
    incident_url: str | None = None
    commander: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    text: str = ""
    facts: tuple[Fact, ...] = ()

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise DomainError(
                f"A page's action must be one of {', '.join(ACTIONS)}, not {self.action!r}."
            )
        if self.severity not in SEVERITY_CODES:
            raise DomainError(f"A page's severity must be SEV1 to SEV5, not {self.severity!r}.")
        if not self.dedup_key.strip():
            raise DomainError("A page needs a dedup key, so retries never open a second alert.")
        if len(self.dedup_key) > 255:
            raise DomainError(
                f"A page's dedup key has {len(self.dedup_key)} characters; the limit is 255."
            )
        if self.timestamp.tzinfo is None:
            raise DomainError("A page's timestamp must carry a time zone (UTC).")
        object.__setattr__(self, "timestamp", self.timestamp.astimezone(UTC))
        object.__setattr__(self, "links", tuple((str(h), str(t)) for h, t in self.links))
        object.__setattr__(self, "facts", tuple((str(k), str(v)) for k, v in self.facts))
        object.__setattr__(self, "details", {str(k): str(v) for k, v in self.details.items()})

    @property
    def chat_text(self) -> str:
        """What a chat message says: ``text`` when given, else the summary."""
        return self.text or self.summary

    @property
    def headline(self) -> str:
        """The summary, prefixed "Acknowledged: " or "Resolved: " for those actions."""
        return HEADLINE_PREFIX[self.action] + self.summary

    @property
    def chat_facts(self) -> tuple[Fact, ...]:
        """The facts a chat card shows: ``facts``, or severity, service, team and commander."""
        if self.facts:
            return self.facts
        defaults = (
            ("Severity", self.severity),
            ("Service", self.component),
            ("Team", self.group),
            ("Commander", self.commander or ""),
        )
        return tuple((title, value) for title, value in defaults if value)

    @property
    def level(self) -> int:
        """The severity as a number: 1 (SEV1, worst) to 5."""
        return int(self.severity[3:])

    @property
    def iso_timestamp(self) -> str:
        """The timestamp as ISO 8601 in UTC with a ``Z``: ``2024-05-01T09:30:00.000Z``."""
        return self.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Target:
    """Where a page goes: a name from the catalog, an adapter and its options.

    Options by adapter: Opsgenie ``responders`` (a list of ``{"type": "team", "name": …}``
    objects, or ``"team:NAME"`` / ``"user:EMAIL"`` strings) and ``region`` (``"us"`` or
    ``"eu"``); webhook ``url`` (not secret). Slack and Teams need none: their secret is the
    webhook URL.
    """

    name: str
    adapter: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The result of one delivery attempt.

    ``final`` means another attempt would not help (the receiver refused the request, or the
    target is misconfigured); a failure that is not final is worth retrying, no sooner than
    ``retry_after`` seconds when the receiver said so. ``reason`` is one sentence a person
    can act on, and never contains the secret.
    """

    delivered: bool
    final: bool
    status: int | None
    reason: str
    retry_after: float | None = None
    remote_id: str | None = None
    fix: str | None = None
    """For a final failure, what a person can change: ``secret`` (set the target's secret
    again) or ``catalog`` (the target's address or options); None when neither helps."""

    @property
    def retryable(self) -> bool:
        """Not delivered, and another attempt may succeed."""
        return not self.delivered and not self.final


def delivered(status: int, reason: str, remote_id: str | None = None) -> Outcome:
    """A delivery the receiver accepted."""
    return Outcome(True, True, status, reason, None, remote_id)


def refused(status: int | None, reason: str, fix: str | None = None) -> Outcome:
    """A failure another attempt would not fix (``fix``: what a person can change)."""
    return Outcome(False, True, status, reason, fix=fix)


def retry(status: int | None, reason: str, retry_after: float | None = None) -> Outcome:
    """A failure worth another attempt."""
    return Outcome(False, False, status, reason, retry_after)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut.

    Characters are counted both as code points and as UTF-16 code units (what JavaScript and
    Java services count), so the result fits either way. The cut never splits a character
    from the accents, joiners or variation selectors that follow it, nor a flag's pair of
    regional indicators.
    """
    text = unicodedata.normalize("NFC", text)
    if _units(text) <= limit:
        return text
    kept: list[str] = []
    used = _units(ELLIPSIS)
    for char in text:
        used += _units(char)
        if used > limit:
            break
        kept.append(char)
    following = text[len(kept)] if len(kept) < len(text) else ""
    # Back off while the cut falls inside a cluster: before a mark or joiner that belongs to
    # the kept text's last character, or right after a joiner.
    while kept and (_continues(following) or kept[-1] == "\u200d"):
        following = kept.pop()
    if _is_regional(following):
        run = 0
        for char in reversed(kept):
            if not _is_regional(char):
                break
            run += 1
        if run % 2:  # the last kept indicator is the first half of the cut flag
            kept.pop()
    return "".join(kept).rstrip() + ELLIPSIS


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _continues(char: str) -> bool:
    """Whether ``char`` belongs with the character before it."""
    if not char:
        return False
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == "\u200d"
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or 0xDC00 <= code <= 0xDFFF  # a low surrogate left unpaired in the string
    )


def _is_regional(char: str) -> bool:
    return bool(char) and 0x1F1E6 <= ord(char) <= 0x1F1FF


def redact(text: str, secret: str) -> str:
    """``text`` with the secret, and any secret part of a webhook URL, replaced by ``[secret]``."""
    pieces = {secret, quote(secret, safe=""), quote(secret)}
    if "://" in secret:
        parts = urlsplit(secret)
        pieces.update(p for p in (parts.path, parts.query) if len(p) > 1)
        pieces.update(p for p in parts.path.split("/") if len(p) >= 8)
        pieces.update(p.partition("=")[2] for p in parts.query.split("&") if "=" in p)
    if secret.startswith("whsec_"):
        pieces.add(secret.removeprefix("whsec_"))
    pieces.discard("whsec_")  # the prefix alone is public: it is in every reason about one
    for piece in sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True):
        text = text.replace(piece, "[secret]")
    return text


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


def post(request: Request, *, timeout: float, session: requests.Session | None) -> Answer | Outcome:
    """Send ``request`` once: the answer, or a retryable :class:`Outcome` saying why none came.

    Redirects are not followed: a webhook that moved must be updated in the catalog, not
    chased with a secret attached. Exception texts are never quoted (they can contain the
    URL, which may be the secret).
    """
    service, url = request.service, request.url
    sending = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **request.headers}
    host = urlsplit(url).hostname or "the configured host"
    owned = session is None
    http = requests.Session() if session is None else session
    try:
        response = http.post(
            url,
            data=request.body,
            headers=sending,
            timeout=(timeout, timeout),
            allow_redirects=False,
        )
        try:
            text = response.text
        finally:
            response.close()
    except requests.exceptions.Timeout:
        return retry(None, f"{first(service)} did not answer within {timeout:g} seconds ({host}).")
    except requests.exceptions.SSLError:
        return retry(
            None,
            f"The secure connection to {service} ({host}) failed: check the clock, "
            "a proxy or the certificate.",
        )
    except requests.exceptions.ConnectionError:
        return retry(
            None,
            f"Could not reach {service} ({host}): the host is unknown, refused the connection "
            "or dropped it; check the network.",
        )
    except (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
        requests.exceptions.InvalidHeader,
    ):
        return refused(
            None, f"The address configured for {service} is not a valid URL.", fix="catalog"
        )
    except requests.exceptions.RequestException as error:
        return retry(
            None,
            f"{first(service)} ({host}) sent an answer that could not be read "
            f"({type(error).__name__}).",
        )
    except (UnicodeError, ValueError):
        # http.client writes headers as Latin-1: a key pasted with a typographic character
        # (an ellipsis, a zero-width space) cannot be sent, ever.
        return refused(
            None,
            f"The secret stored for {service} contains characters an HTTP request cannot "
            "carry (a pasted ellipsis or invisible character?); set it again.",
            fix="secret",
        )
    finally:
        if owned:
            http.close()
    return Answer(response.status_code, text, response.headers, datetime.now(UTC))


def classify(
    service: str,
    answer: Answer,
    *,
    success: tuple[int, ...] = (200, 201, 202, 204),
    remote_id: str | None = None,
    detail: str = "",
    refusal: str | None = None,
    hint: str = "",
    fix: str | None = None,
) -> Outcome:
    """The usual reading of a status: success, retry (408, 425, 429, 5xx) or refusal.

    ``detail`` (what the receiver said) follows the status; ``refusal`` replaces the default
    "… rejected the request" wording for a final failure, and ``hint`` (what to do) ends it.
    A refusal's ``fix`` is ``fix`` when given, else ``secret`` for 401/403 (the credentials)
    and ``catalog`` for 404/410 (the address); other refusals have none.
    """
    status = answer.status
    said = f": {detail.rstrip('.')}." if detail else "."
    if status in success:
        return delivered(status, f"Delivered to {service} ({status}).", remote_id)
    if status == 429:
        wait = answer.retry_after
        seconds = "" if wait is None else f"{wait:g} {'second' if wait == 1 else 'seconds'}"
        when = f"; retrying after {seconds}" if wait is not None else ""
        return retry(status, f"{first(service)} is throttling requests (429){when}{said}", wait)
    if status in (408, 425) or status >= 500:
        return retry(
            status, f"{first(service)} had a temporary problem ({status}){said}", answer.retry_after
        )
    if 300 <= status < 400:
        return refused(
            status,
            f"{first(service)} answered with a redirect ({status}); update the target's address.",
            fix="catalog",
        )
    what = refusal or f"{first(service)} rejected the request"
    reason = f"{what} ({status}){said}"
    if hint:
        reason = f"{reason.rstrip('.')}. {hint}"
    return refused(status, reason, fix or CREDENTIAL_FIX.get(status))


# What a person changes when a receiver refuses: the credentials, or the address.
CREDENTIAL_FIX = {401: "secret", 403: "secret", 404: "catalog", 410: "catalog"}


def first(text: str) -> str:
    """``text`` with a capital first letter, to start a sentence."""
    return text[:1].upper() + text[1:]


def encode(document: Mapping[str, Any]) -> bytes:
    """The JSON body sent: UTF-8, compact."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def webhook_address(
    service: str, target: Target, secret: str, base_url: str | None
) -> str | Outcome:
    """Where to post when the secret is the webhook URL itself (Slack, Teams).

    With ``base_url`` (tests, a proxy), the URL's path and query are kept and its scheme and
    host replaced. A secret that is not an http(s) URL is a final :class:`Outcome`.
    """
    parts = urlsplit(secret.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return refused(
            None,
            f"The secret stored for {service} target '{target.name}' is not a webhook URL "
            "(it must start with https://); store the URL the webhook was created with.",
            fix="secret",
        )
    if not base_url:
        return secret.strip()
    query = f"?{parts.query}" if parts.query else ""
    return f"{base_url.rstrip('/')}{parts.path}{query}"
