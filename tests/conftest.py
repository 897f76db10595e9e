"""Shared fixtures: a fresh data folder and a Desk on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt renders offscreen unless a test run asks for a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from incidentdesk.app.desk import Desk


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty profile folder."""
    folder = tmp_path / "profile"
    folder.mkdir()
    return folder


@pytest.fixture
def desk(data_dir: Path) -> Iterator[Desk]:
    """A Desk on a fresh local store, recording as Alice."""
    opened = Desk.open(data_dir, "Alice")
    yield opened
    opened.close()


class MemoryKeyring:
    """An in-memory keyring backend: tests never touch the real system keyring."""

    def __new__(cls) -> object:  # built lazily so importing keyring stays off the fast path
        import keyring.backend

        class _Backend(keyring.backend.KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def __init__(self) -> None:
                super().__init__()
                self.store: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.store.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.store[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                import keyring.errors

                if (service, username) not in self.store:
                    raise keyring.errors.PasswordDeleteError(username)
                del self.store[(service, username)]

        return _Backend()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[dict[tuple[str, str], str]]:
    """Every test runs on an empty in-memory keyring; yields its contents."""
    import keyring

    from incidentdesk.infra import secrets

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)  # type: ignore[arg-type]
    secrets._session.clear()
    yield backend.store  # type: ignore[attr-defined]
    keyring.set_keyring(previous)
    secrets._session.clear()


@pytest.fixture(autouse=True)
def _isolated_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Never touch the real profile: the default data folder goes to a temporary place.
    monkeypatch.delenv("INCIDENTDESK_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
