"""TLS for real: PostgreSQL with ``ssl=on`` and certificates from a CA this test makes.

``verify-full`` with the right CA connects and syncs; a certificate from another CA, and one
for another host name, are refused with a sentence that says which.
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pgcluster import PgCluster, find_bindir
from synckit import APP_PASSWORD

from incidentdesk.cli.main import main
from incidentdesk.infra.store.shared import SharedConfig, SharedError, SharedStore

NOT_SIGNED = "presented a certificate that is not signed by the configured CA"
OTHER_HOST = "certificate is for another host name ('db.example.org'), not '127.0.0.1'"


class Authority:
    """A certificate authority made for one test run."""

    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    def pem(self, folder: Path) -> Path:
        path = folder / f"{self.cert.subject.rfc4514_string().replace('=', '-')}.pem"
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def server(self, names: list[str], addresses: list[str]) -> tuple[bytes, bytes]:
        """A server certificate and key (PEM) for these DNS names and IP addresses."""
        key = ec.generate_private_key(ec.SECP256R1())
        alt: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
        alt += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority("IncidentDesk Test CA")


def _cluster(tls: tuple[bytes, bytes]) -> Iterator[PgCluster]:
    bindir = find_bindir()
    assert bindir is not None, "PostgreSQL server binaries are needed (see tests/integration)"
    cluster = PgCluster(bindir)
    cluster.init(tls=tls)
    cluster.start()
    cluster.wait_ready()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def tls_cluster(authority: Authority) -> Iterator[PgCluster]:
    """A server whose certificate is for localhost and 127.0.0.1."""
    yield from _cluster(authority.server(["localhost"], ["127.0.0.1"]))


@pytest.fixture(scope="module")
def other_host_cluster(authority: Authority) -> Iterator[PgCluster]:
    """A server whose certificate (same CA) is for db.example.org only."""
    yield from _cluster(authority.server(["db.example.org"], []))


def _database(cluster: PgCluster, name: str) -> str:
    return cluster.create_database(name, "desk_app", APP_PASSWORD)


def run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    saved = sys.stdin
    sys.stdin = io.StringIO(APP_PASSWORD + "\n")
    try:
        code = main(["--data-dir", str(data_dir), *args])
    finally:
        sys.stdin = saved
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def connect(
    data_dir: Path, capsys: pytest.CaptureFixture[str], url: str, sslmode: str, ca: Path
) -> tuple[int, str, str]:
    """``incidentdesk connect URL --sslmode … --sslrootcert …`` in a fresh data folder."""
    data_dir.mkdir()
    tls = ("--sslmode", sslmode, "--sslrootcert", str(ca), "--password-stdin")
    return run(data_dir, capsys, "connect", url, *tls)


def test_verify_full_with_the_right_ca_connects_over_tls_and_syncs(
    tls_cluster: PgCluster,
    authority: Authority,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = _database(tls_cluster, "tls_ok")
    ca = authority.pem(tmp_path)
    data_dir = tmp_path / "ws"
    code, out, err = connect(data_dir, capsys, url, "verify-full", ca)
    assert "sslmode=verify-full" in out
    assert code == 1 and "db upgrade --shared" in err  # reached it; no schema yet
    assert run(data_dir, capsys, "db", "upgrade", "--shared")[0] == 0
    assert run(data_dir, capsys, "declare", "Checkout failing", "--severity", "SEV2")[0] == 0
    code, out, err = run(data_dir, capsys, "sync", "--json")
    assert code == 0, err
    assert '"pushed": 1' in out
    # The link really is encrypted and verified (not a fallback to plain text).
    config = SharedConfig.parse(url, "verify-full", str(ca))
    with psycopg.connect(
        host=config.host,
        port=config.port,
        user=config.user,
        dbname=config.database,
        **config.connect_args(APP_PASSWORD),
    ) as conn:
        assert conn.pgconn.ssl_in_use
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        assert row == (True,)


def test_a_certificate_from_another_ca_is_refused_saying_so(
    tls_cluster: PgCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tls_cluster, "tls_wrong_ca")
    stranger = Authority("Some Other CA").pem(tmp_path)
    store = SharedStore(SharedConfig.parse(url, "verify-full", str(stranger)), APP_PASSWORD)
    with pytest.raises(SharedError) as caught:
        store.check_schema()
    store.close()
    assert NOT_SIGNED in str(caught.value) and str(stranger) in str(caught.value)
    # The same through the command line: one sentence, exit code 1.
    code, _out, err = connect(tmp_path / "ws", capsys, url, "verify-ca", stranger)
    assert code == 1 and NOT_SIGNED in err and err.count("\n") == 1, err


def test_a_certificate_for_another_host_name_is_refused_saying_so(
    other_host_cluster: PgCluster,
    authority: Authority,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = _database(other_host_cluster, "tls_other_host")
    ca = authority.pem(tmp_path)
    store = SharedStore(SharedConfig.parse(url, "verify-full", str(ca)), APP_PASSWORD)
    with pytest.raises(SharedError) as caught:
        store.check_schema()
    store.close()
    assert OTHER_HOST in str(caught.value)
    # verify-ca checks the signature only: the same certificate is accepted there.
    store = SharedStore(SharedConfig.parse(url, "verify-ca", str(ca)), APP_PASSWORD)
    with pytest.raises(SharedError, match="db upgrade --shared"):
        store.check_schema()  # connected; the schema is simply not there yet
    store.close()
    code, _out, err = connect(tmp_path / "ws", capsys, url, "verify-full", ca)
    assert code == 1 and OTHER_HOST in err and err.count("\n") == 1, err


def test_a_missing_ca_file_is_named(tls_cluster: PgCluster, tmp_path: Path) -> None:
    url = _database(tls_cluster, "tls_no_ca")
    missing = tmp_path / "nowhere.pem"
    store = SharedStore(SharedConfig.parse(url, "verify-full", str(missing)), APP_PASSWORD)
    with pytest.raises(SharedError, match=r"CA certificate file .*nowhere.pem does not exist"):
        store.check_schema()
    store.close()
