"""The catalog browser and the imports from the GUI: a real Desk, real files, the in-memory
keyring."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incidentdesk.app.desk import Desk
from incidentdesk.infra.config import ProfileLocation
from incidentdesk.infra.secrets import SERVICE
from incidentdesk.infra.shipped import resource_path
from incidentdesk.ui.catalog.browser import CatalogBrowser
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.shell.app import Startup
from incidentdesk.ui.shell.main_window import CATALOG

Settle = Callable[[], None]
EXAMPLE = resource_path("catalog", "example.toml")

BACKSTAGE = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: priya
spec:
  profile:
    displayName: Priya Raman
    email: priya@example.com
  memberOf: [payments]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    pagerduty.com/integration-key: pd-integration-key-0123456789
spec:
  type: service
  lifecycle: production
  owner: group:payments
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orphan
spec:
  type: service
  lifecycle: production
  owner: group:nobody
"""


@pytest.fixture
def browser(qtbot: QtBot, client: DeskClient) -> CatalogBrowser:
    made = CatalogBrowser(client)
    qtbot.addWidget(made)
    made.resize(1100, 700)
    made.show()
    return made


def imported(qtbot: QtBot, browser: CatalogBrowser, path: Path) -> str:
    with qtbot.waitSignal(browser.imported, timeout=5000):
        browser.import_file(path)
    qtbot.waitUntil(lambda: browser.catalog is not None, timeout=5000)
    return browser.summary.text()


def test_empty_until_a_catalog_is_imported(
    qtbot: QtBot, browser: CatalogBrowser, desk: Desk, settle: Settle
) -> None:
    settle()
    assert browser.empty.isVisible()
    assert not browser.splitter.isVisible()

    headline = imported(qtbot, browser, EXAMPLE)

    assert headline.startswith("Imported example.toml: 3 teams, 6 people, 5 services")
    assert not browser.empty.isVisible()
    assert "Imported from example.toml" in browser.source.text()
    assert browser.visible_services() == [
        "checkout",
        "payments-api",
        "catalog-search",
        "product-images",
        "kubernetes-eu",
    ]
    catalog = desk.catalog.current()
    assert catalog is not None and len(catalog.services) == 5

    # Importing the same file again changes nothing, and says so.
    assert imported(qtbot, browser, EXAMPLE).startswith("The catalog in example.toml is unchanged")


def test_search_filters_services_and_people(
    qtbot: QtBot, browser: CatalogBrowser, desk: Desk
) -> None:
    imported(qtbot, browser, EXAMPLE)
    qtbot.keyClicks(browser.search, "tomasz")
    # Tomasz owns the payments services; kubernetes-eu is platform's.
    assert browser.visible_services() == ["checkout", "payments-api"]
    assert browser.visible_people() == ["Tomasz Nowak"]

    browser.search.clear()
    qtbot.keyClicks(browser.search, "tokyo")
    assert browser.visible_people() == ["Mei Tanaka"]

    browser.search.clear()
    assert len(browser.visible_services()) == 5
    assert len(browser.visible_people()) == 6


def test_a_service_shows_its_owners_policy_levels_and_targets(
    qtbot: QtBot, browser: CatalogBrowser
) -> None:
    imported(qtbot, browser, EXAMPLE)
    item = browser.services.topLevelItem(0)
    assert item is not None and item.text(0) == "checkout"
    assert "owned by payments" in item.text(1)
    children = {item.child(i).text(0): item.child(i) for i in range(item.childCount())}
    owners = children["Owned by payments"]
    names = [owners.child(i).text(0) for i in range(owners.childCount())]
    assert names == ["Priya Raman", "Tomasz Nowak"]
    assert owners.text(1) == "2 people"
    assert "Europe/London" in owners.child(0).text(1)
    policy = children["Policy payments-critical"]
    level = policy.child(0)
    assert level.text(0) == "Level 1"
    assert "acknowledge within" in level.text(1)
    assert level.childCount() >= 1
    assert "secret" in level.child(0).text(1)


def test_backstage_import_keeps_the_key_in_the_keyring_and_lists_what_was_skipped(
    qtbot: QtBot,
    browser: CatalogBrowser,
    desk: Desk,
    tmp_path: Path,
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(BACKSTAGE, encoding="utf-8")

    headline = imported(qtbot, browser, path)

    assert "Imported catalog-info.yaml" in headline
    assert "skipped" in headline
    assert "pagerduty/checkout" in headline  # the name, never the value
    assert "pd-integration-key" not in headline
    assert memory_keyring[(SERVICE, "pagerduty/checkout")] == "pd-integration-key-0123456789"
    assert browser.skipped.isVisible()
    skipped = [browser.skipped.item(i).text() for i in range(browser.skipped.count())]
    assert any("orphan" in line for line in skipped)
    catalog = desk.catalog.current()
    assert catalog is not None
    assert [s.name for s in catalog.services] == ["checkout"]
    assert "pd-integration-key" not in Path(desk.store.path).read_bytes().decode("latin-1")


def test_a_bad_file_imports_nothing_and_says_where(
    qtbot: QtBot, browser: CatalogBrowser, desk: Desk, tmp_path: Path, settle: Settle
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[services]]\nname = "checkout"\nteam = "ghosts"\ntier = 9\n', "utf-8")
    browser.import_file(path)
    settle()
    qtbot.waitUntil(browser.error.isVisible, timeout=5000)
    assert browser.error.text().startswith("Nothing was imported: broken.toml")
    assert desk.catalog.current() is None
    assert browser.import_button.isEnabled()


def test_the_import_dialog_asks_for_toml_or_yaml(browser: CatalogBrowser) -> None:
    dialog = browser.choose_file()
    assert "*.toml" in dialog.nameFilters()[0] and "*.yaml" in dialog.nameFilters()[0]
    dialog.reject()


# ---------------------------------------------------------------- the welcome dialog


@pytest.fixture
def starter(qtbot: QtBot, data_dir: Path) -> Iterator[Startup]:
    made = Startup(ProfileLocation(data_dir))
    made.begin()
    assert made.welcome is not None
    qtbot.addWidget(made.welcome)
    qtbot.waitUntil(made.welcome.isVisible)
    yield made
    if made.window is not None:
        made.window.close()
    made.finish()


def test_welcome_imports_a_catalog_and_opens_the_window_on_it(
    qtbot: QtBot, starter: Startup, data_dir: Path
) -> None:
    welcome = starter.welcome
    assert welcome is not None
    qtbot.mouseClick(welcome.catalog_button, Qt.MouseButton.LeftButton)
    assert welcome.file_dialog is not None and welcome.file_dialog.isVisible()
    welcome.file_dialog.reject()

    welcome.check_catalog(EXAMPLE)

    qtbot.waitUntil(lambda: starter.window is not None, timeout=5000)
    window = starter.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.views.currentIndex() == CATALOG
    qtbot.waitUntil(lambda: window.catalog.catalog is not None, timeout=10_000)
    assert window.catalog.summary.text().startswith("Imported example.toml")
    assert len(window.catalog.visible_services()) == 5
    window.close()
    desk = Desk.open(data_dir, "Alice")
    try:
        catalog = desk.catalog.current()
        assert catalog is not None and len(catalog.people) == 6
    finally:
        desk.close()


def test_welcome_refuses_a_bad_catalog_in_place(
    qtbot: QtBot, starter: Startup, tmp_path: Path
) -> None:
    welcome = starter.welcome
    assert welcome is not None
    path = tmp_path / "broken.toml"
    path.write_text("[[services]\n", "utf-8")

    welcome.check_catalog(path)

    qtbot.waitUntil(welcome.error.isVisible, timeout=5000)
    assert "broken.toml" in welcome.error.text()
    assert starter.window is None
    assert welcome.isVisible() and welcome.catalog_button.isEnabled()
