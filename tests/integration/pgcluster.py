"""A throwaway PostgreSQL cluster for tests, from the installed server binaries.

PostgreSQL refuses to run as root, so when the tests run as root the cluster runs as the
``postgres`` user (or ``nobody``) through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import psycopg.sql

SUPERUSER = "idtest"
SUPERPASS = "super-secret-for-tests"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, if PostgreSQL's server is installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, str(Path(on_path).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """initdb + pg_ctl in a temporary folder, on a free port on 127.0.0.1."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="incidentdesk-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.run_as: str | None = None
        self.started_once = False
        if os.geteuid() == 0:
            self.run_as = "postgres" if _user_exists("postgres") else "nobody"
            owner = pwd.getpwnam(self.run_as)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.root.chmod(0o755)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def init(self, tls: tuple[bytes, bytes] | None = None) -> None:
        """initdb and the settings; ``tls`` (certificate and key, PEM) turns on ``ssl``."""
        pwfile = self.root / "pw"
        pwfile.write_text(SUPERPASS)
        if self.run_as:
            owner = pwd.getpwnam(self.run_as)
            os.chown(pwfile, owner.pw_uid, owner.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--pwfile",
            str(pwfile),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 60\nshared_buffers = 32MB\n"
            )
        if tls is not None:
            self._write_tls(*tls)

    def _write_tls(self, cert: bytes, key: bytes) -> None:
        # The server refuses a key readable by others, and must own what it reads.
        for name, data in (("server.crt", cert), ("server.key", key)):
            path = self.data / name
            path.write_bytes(data)
            path.chmod(0o600)
            if self.run_as:
                owner = pwd.getpwnam(self.run_as)
                os.chown(path, owner.pw_uid, owner.pw_gid)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")

    def start(self) -> None:
        # The port was free when picked, but another process (a second test worker, another
        # checkout's suite) may have taken it since: then move to a new free port and retry.
        # Only at the first start: a restart keeps its port, which clients already hold.
        for _attempt in range(1 if self.started_once else 5):
            log = self.root / "log"
            offset = log.stat().st_size if log.exists() else 0
            done = self._run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "start",
                check=False,
            )
            if done.returncode == 0:
                self.started_once = True
                return
            with log.open("rb") as text:
                text.seek(offset)
                tail = text.read().decode(errors="replace")
            if "could not bind" not in tail and "already in use" not in tail:
                break
            self.port = free_port()
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write(f"port = {self.port}\n")  # the last setting wins
        raise subprocess.CalledProcessError(
            done.returncode, "pg_ctl start", done.stdout, done.stderr
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            password=SUPERPASS,
            dbname=database,
            autocommit=True,
        )

    def create_database(self, name: str, owner: str, password: str) -> str:
        """A fresh database owned by a login role; returns its URL (without the password)."""
        with self.admin() as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (owner,)).fetchone()
            if not exists:
                quoted = psycopg.sql.Literal(password).as_string(conn)
                conn.execute(f'CREATE ROLE "{owner}" LOGIN PASSWORD {quoted}')
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        return f"postgresql://{owner}@127.0.0.1:{self.port}/{name}"

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.admin():
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
