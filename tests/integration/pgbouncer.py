"""A real PgBouncer in session mode in front of the throwaway cluster, for the tests.

PgBouncer refuses to run as root; like the cluster it then runs as ``postgres`` (or
``nobody``) through ``runuser``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from pgcluster import PgCluster, free_port


def find_pgbouncer() -> str | None:
    """The pgbouncer binary, if installed (Debian: /usr/sbin)."""
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )


class PgBouncer:
    """``pgbouncer -d`` on a free port, forwarding every database to ``cluster``."""

    def __init__(self, binary: str, cluster: PgCluster, users: dict[str, str]) -> None:
        self.binary = binary
        self.cluster = cluster
        self.root = cluster.root / "pgbouncer"
        self.root.mkdir(exist_ok=True)
        self.port = free_port()
        userlist = "".join(f'"{name}" "{password}"\n' for name, password in users.items())
        (self.root / "userlist.txt").write_text(userlist)
        (self.root / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={cluster.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            "auth_type = scram-sha-256\n"
            f"auth_file = {self.root / 'userlist.txt'}\n"
            "pool_mode = session\nmax_client_conn = 200\ndefault_pool_size = 50\n"
            f"logfile = {self.root / 'pgbouncer.log'}\npidfile = {self.root / 'pgbouncer.pid'}\n"
        )
        if cluster.run_as:
            owner = pwd.getpwnam(cluster.run_as)
            for path in (self.root, *self.root.iterdir()):
                os.chown(path, owner.pw_uid, owner.pw_gid)

    def start(self) -> None:
        command = [self.binary, "-d", str(self.root / "pgbouncer.ini")]
        if self.cluster.run_as:
            command = ["runuser", "-u", self.cluster.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    log = (self.root / "pgbouncer.log").read_text(errors="replace")
                    raise RuntimeError(f"pgbouncer did not start:\n{log}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        pidfile = self.root / "pgbouncer.pid"
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text().strip()), 15)

    def url(self, database: str, user: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"
