"""Where the shared database is, and the one sentence that says why it cannot be used.

Split from :mod:`incidentdesk.infra.store.shared` (which re-exports these names): the URL and
TLS settings of a profile's server, libpq's connection parameters, and the wording of every
driver error, which never includes the password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from incidentdesk.core.errors import UserError

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq: server certificate for "db.example.org" (and 2 other names) does not match host name "x"
_HOST_MISMATCH = re.compile(r'server certificate for "([^"]*)"[^"]*does not match host name')
CONNECT_TIMEOUT_S = 5
# Keepalives notice a silently dropped link within about 15 seconds.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 3,
    "keepalives_count": 3,
    # Unacknowledged data (an unanswered check) also ends the link after 15 s, instead of
    # the operating system's retransmission timeout of many minutes.
    "tcp_user_timeout": 15_000,
}


class SharedError(UserError):
    """The shared database cannot be used right now; the message says why."""


class SchemaMismatch(SharedError):
    """The shared database's schema is older or newer than this IncidentDesk."""


@dataclass(frozen=True)
class SharedConfig:
    """Where the shared database is (never the password)."""

    user: str
    host: str
    port: int
    database: str
    sslmode: str = "prefer"
    sslrootcert: str | None = None

    @classmethod
    def parse(
        cls, url: str, sslmode: str = "prefer", sslrootcert: str | None = None
    ) -> SharedConfig:
        """Read ``postgresql://USER@HOST[:PORT]/DB``.

        Raises:
            SharedError: not such a URL, or a password written into it.
        """
        parts = urlsplit(url.strip())
        if parts.scheme not in ("postgresql", "postgres"):
            raise SharedError(f"'{url}' is not a postgresql:// URL (postgresql://USER@HOST/DB).")
        if parts.password:
            raise SharedError(
                "Do not put the password in the URL (it would be stored in the config file); "
                "leave it out and you will be asked for it."
            )
        try:
            port = parts.port or 5432
        except ValueError:
            raise SharedError(f"The port in '{url}' is not a number.") from None
        database = unquote(parts.path.lstrip("/"))
        if not parts.username or not parts.hostname or not database:
            raise SharedError(
                f"'{url}' needs a user, a host and a database: postgresql://USER@HOST[:PORT]/DB."
            )
        if sslmode not in SSL_MODES:
            raise SharedError(f"'{sslmode}' is not an sslmode; use one of {', '.join(SSL_MODES)}.")
        return cls(unquote(parts.username), parts.hostname, port, database, sslmode, sslrootcert)

    @property
    def url(self) -> str:
        """The URL without a password (safe to show and store)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def connect_args(self, password: str | None) -> dict[str, Any]:
        """libpq parameters for psycopg."""
        args: dict[str, Any] = {
            "sslmode": self.sslmode,
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "incidentdesk",
            **KEEPALIVES,
        }
        if self.sslrootcert:
            args["sslrootcert"] = self.sslrootcert
        if password:
            args["password"] = password
        return args


def explain(config: SharedConfig, password: str | None, exc: BaseException) -> SharedError:
    """One sentence for a driver error (the password is never included)."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()[0] if str(original).strip() else ""
    if password:
        text = text.replace(password, "***")
    where = f"{config.host}:{config.port}"
    tls = _explain_tls(config, str(original), where)
    if tls is not None:
        return tls
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return SharedError(
            f"The shared database at {where} refused the password for user "
            f"'{config.user}'. Set the password again (incidentdesk connect)."
        )
    if "does not exist" in lowered and "database" in lowered:
        return SharedError(
            f"The database '{config.database}' does not exist on {where}; create it or fix the URL."
        )
    if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        return SharedError(f"TLS problem talking to {where}: {text}")
    if any(
        word in lowered
        for word in (
            "connection refused",
            "could not translate host",
            "timeout expired",
            "no route to host",
            "network is unreachable",
            "server closed the connection",
            "connection timed out",
            "could not connect",
            "terminating connection",
            "consuming input failed",
            "the connection is closed",
            "connection is lost",
            "the database system is",  # shutting down, starting up, in recovery
        )
    ):
        return SharedError(f"Cannot reach the shared database at {where} ({text}).")
    if "permission denied" in lowered:
        return SharedError(f"The shared database refused: {text}")
    return SharedError(f"The shared database at {where} failed: {text or type(exc).__name__}")


def _explain_tls(config: SharedConfig, message: str, where: str) -> SharedError | None:
    """The sentence for libpq's TLS refusals (their text, as libpq words them)."""
    lowered = message.lower()
    ca = config.sslrootcert or "the default root certificates (~/.postgresql/root.crt)"
    mismatch = _HOST_MISMATCH.search(message)
    if mismatch:
        return SharedError(
            f"The shared database's certificate is for another host name "
            f"('{mismatch.group(1)}'), not '{config.host}'; connect with the host "
            "name the certificate names, or have the server's certificate reissued for "
            "this one."
        )
    if "certificate verify failed" in lowered or "unable to get local issuer" in lowered:
        return SharedError(
            f"The shared database at {where} presented a certificate that is not signed by "
            f"the configured CA ({ca}); check sslrootcert, or ask for the server's CA "
            "certificate."
        )
    if "root certificate file" in lowered and "does not exist" in lowered:
        return SharedError(
            f"The CA certificate file {ca} does not exist; sslmode={config.sslmode} "
            "needs it (set sslrootcert)."
        )
    if "server does not support ssl" in lowered:
        return SharedError(
            f"The shared database at {where} does not offer TLS, but "
            f"sslmode={config.sslmode} requires it; turn on ssl on the server."
        )
    if "could not load" in lowered and "certificate" in lowered:
        return SharedError(
            f"The CA certificate file {ca} cannot be read as a PEM certificate; check sslrootcert."
        )
    return None
