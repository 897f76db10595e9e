"""The service catalog browser: services → owners → escalation policy, people and their time
zones, searchable; and "Import catalog…" (TOML or Backstage YAML).

The catalog is read on the store worker (``Desk.catalog.version``); an import reads the file,
stores any secret the file carried in the keyring and records the catalog, all on the worker,
then shows what was imported and what was skipped, and why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.app.catalog_files import ImportSummary, import_catalog_file
from incidentdesk.core.errors import UserError
from incidentdesk.core.journal.ids import CATALOG_ID
from incidentdesk.core.plural import counted
from incidentdesk.core.timefmt import utc_now
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.widgets.inline_note import InlineError, SuccessNote

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.catalog import CatalogVersion
    from incidentdesk.core.catalog.model import Catalog, Person

FILE_FILTER = "Service catalogs (*.toml *.yaml *.yml);;TOML (*.toml);;Backstage YAML (*.yaml *.yml)"
SKIPPED_SHOWN = 200


# ---------------------------------------------------------------- reading and importing


def catalog_file_dialog(parent: QWidget, chosen: Callable[[Path], None]) -> QFileDialog:
    """Open (window-modal) a file dialog for a TOML or YAML catalog; ``chosen(path)`` after."""
    dialog = QFileDialog(parent, "Import a service catalog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setNameFilter(FILE_FILTER)
    dialog.fileSelected.connect(lambda name: chosen(Path(name)))
    dialog.open()
    return dialog


# ---------------------------------------------------------------- words


def local_time(person: Person, now: datetime) -> str:
    """The person's wall clock now, such as ``14:05 (Europe/London)``."""
    try:
        zone = ZoneInfo(person.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return person.timezone
    return f"{now.astimezone(zone):%H:%M} ({person.timezone})"


def person_matches(person: Person, words: list[str]) -> bool:
    """Every word in the person's name, handle, email, team or time zone."""
    haystack = "\n".join(
        (person.name, person.handle, person.email or "", person.team, person.timezone)
    ).casefold()
    return all(word in haystack for word in words)


# ---------------------------------------------------------------- the browser


class CatalogBrowser(QWidget):
    """Services (owners, policy levels and targets) and people, searchable.

    Args:
        client: the way to the Desk.
        parent: the owning widget.

    Signals:
        message(str): status-bar text.
        imported(object): an :class:`ImportSummary` after an import.
    """

    message = Signal(str)
    imported = Signal(object)

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CatalogBrowser")
        self._client = client
        self.catalog: Catalog | None = None
        self.version: CatalogVersion | None = None
        self._loaded = False
        self._busy = False
        self.file_dialog: QFileDialog | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search services, teams, people, policies… (Ctrl+F)")
        self.search.setAccessibleName("Search the catalog")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.import_button = QPushButton("&Import catalog…")
        self.import_button.setAutoDefault(False)
        self.import_button.setToolTip(
            "Import a TOML catalog or a Backstage catalog-info.yaml; it replaces the current one"
        )
        self.import_button.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.import_button)

        self.source = QLabel()
        self.source.setProperty("muted", True)
        self.empty = QLabel(
            "No service catalog yet. Import the file your teams keep in git: a TOML catalog "
            "(see resources/catalog/example.toml) or a Backstage catalog-info.yaml."
        )
        self.empty.setWordWrap(True)
        self.summary = SuccessNote()
        self.error = InlineError()
        self.skipped = QListWidget()
        self.skipped.setAccessibleName("Skipped entities")
        self.skipped.setToolTip("What the last import left out, and why")
        self.skipped.setMaximumHeight(110)
        self.skipped.hide()

        self._build_lists()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.source)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.skipped)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter, 1)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        client.incidents_changed.connect(self._changed)
        self._show(None)

    def _build_lists(self) -> None:
        self.services = QTreeWidget()
        self.services.setAccessibleName("Services")
        self.services.setHeaderLabels(["Service", "Details"])
        self.services.setAlternatingRowColors(True)
        self.services.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.people = QTreeWidget()
        self.people.setAccessibleName("People")
        self.people.setRootIsDecorated(False)
        self.people.setAlternatingRowColors(True)
        self.people.setHeaderLabels(["Person", "Handle", "Team", "Local time"])
        self.people.setSortingEnabled(True)
        self.people.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(_titled("Services → owners → escalation policy", self.services))
        self.splitter.addWidget(_titled("People", self.people))
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

    # ------------------------------------------------------------ loading

    def load(self) -> None:
        """Fetch the current catalog (on the worker)."""
        self._client.call(lambda d: d.catalog.version(), self._show, self._load_failed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.load()

    def _changed(self, incident_ids: list[str]) -> None:
        if CATALOG_ID in incident_ids and self._loaded:
            self.load()

    def _load_failed(self, error: BaseException) -> None:
        self.error.show_message(user_message(error))

    def _show(self, version: CatalogVersion | None) -> None:
        self.version = version
        self.catalog = version.catalog if version is not None else None
        catalog = self.catalog
        self.empty.setVisible(catalog is None)
        self.splitter.setVisible(catalog is not None)
        self.search.setEnabled(catalog is not None)
        if version is None:
            self.source.setText("")
        else:
            when = version.imported_at.astimezone()
            self.source.setText(
                f"Imported from {version.source or 'a file'} on {when:%Y-%m-%d %H:%M} "
                f"by {version.author}."
            )
        self._fill()

    def _fill(self) -> None:
        self.services.clear()
        self.people.clear()
        catalog = self.catalog
        if catalog is None:
            return
        now = utc_now()
        for service in catalog.services:
            self.services.addTopLevelItem(_service_item(catalog, service.name))
        for person in catalog.people:
            item = QTreeWidgetItem(
                [person.name, person.handle, person.team, local_time(person, now)]
            )
            item.setToolTip(0, person.email or "no email in the catalog")
            item.setData(0, Qt.ItemDataRole.UserRole, person.handle)
            self.people.addTopLevelItem(item)
        for column in range(self.people.columnCount()):
            self.people.resizeColumnToContents(column)
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        catalog = self.catalog
        if catalog is None:
            return
        words = text.casefold().split()
        wanted = {s.name for s in catalog.search(text)} if words else None
        for row in range(self.services.topLevelItemCount()):
            item = self.services.topLevelItem(row)
            if item is not None:
                hidden = wanted is not None and item.text(0) not in wanted
                item.setHidden(hidden)
                if wanted is not None:  # a search opens what it found
                    item.setExpanded(not hidden)
        people = {p.handle: p for p in catalog.people}
        for row in range(self.people.topLevelItemCount()):
            item = self.people.topLevelItem(row)
            if item is None:
                continue
            person = people.get(str(item.data(0, Qt.ItemDataRole.UserRole)))
            item.setHidden(bool(words) and (person is None or not person_matches(person, words)))

    def visible_services(self) -> list[str]:
        """The services the search leaves shown."""
        items = (
            self.services.topLevelItem(row) for row in range(self.services.topLevelItemCount())
        )
        return [item.text(0) for item in items if item is not None and not item.isHidden()]

    def visible_people(self) -> list[str]:
        """The names of the people the search leaves shown."""
        items = (self.people.topLevelItem(row) for row in range(self.people.topLevelItemCount()))
        return [item.text(0) for item in items if item is not None and not item.isHidden()]

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.search.setFocus()
        self.search.selectAll()

    # ------------------------------------------------------------ importing

    def choose_file(self) -> QFileDialog:
        """Ask for a catalog file (TOML or YAML), then import it."""
        self.file_dialog = catalog_file_dialog(self, self.import_file)
        return self.file_dialog

    def import_file(self, path: Path) -> None:
        """Import ``path`` (on the worker) and show what was imported and skipped."""
        if self._busy:
            return
        self._busy = True
        self.import_button.setEnabled(False)
        self.import_button.setText("Importing…")
        self.error.clear_message()
        self.summary.clear_message()
        self._client.command(
            lambda d: import_catalog_file(d, path), self._imported, self._import_failed
        )

    def _imported(self, summary: ImportSummary) -> None:
        self._done()
        self.summary.show_message(summary.headline())
        self.skipped.clear()
        for sentence in summary.skipped[:SKIPPED_SHOWN]:
            self.skipped.addItem(sentence)
        if len(summary.skipped) > SKIPPED_SHOWN:
            self.skipped.addItem(f"… and {len(summary.skipped) - SKIPPED_SHOWN} more.")
        self.skipped.setVisible(bool(summary.skipped))
        self.message.emit(summary.headline())
        self.imported.emit(summary)
        self.load()

    def _import_failed(self, error: BaseException) -> None:
        self._done()
        message = str(error) if isinstance(error, UserError) else user_message(error)
        self.error.show_message(f"Nothing was imported: {message}")

    def _done(self) -> None:
        self._busy = False
        self.import_button.setEnabled(True)
        self.import_button.setText("&Import catalog…")


def _titled(title: str, body: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(f"<b>{title}</b>")
    label.setBuddy(body)
    layout.addWidget(label)
    layout.addWidget(body, 1)
    return box


def _service_item(catalog: Catalog, name: str) -> QTreeWidgetItem:
    """A service, its owning team and members, its policy levels and their targets."""
    service = catalog.service(name)
    details = [f"owned by {service.team}", f"tier {service.tier}"]
    try:
        details.insert(1, f"policy {catalog.policy_for_service(service.name).name}")
    except UserError:
        details.insert(1, "no escalation policy")
    if service.system:
        details.append(f"system {service.system}")
    item = QTreeWidgetItem([service.name, " · ".join(details)])
    item.setToolTip(0, service.slo or "")
    team = catalog.team(service.team)
    owners = QTreeWidgetItem([f"Owned by {team.name}", counted(len(team.members), "person")])
    item.addChild(owners)
    now = utc_now()
    for person in catalog.owners(service.name):
        child = QTreeWidgetItem([person.name, f"@{person.handle} · {local_time(person, now)}"])
        child.setToolTip(1, person.email or "")
        owners.addChild(child)
    try:
        policy = catalog.policy_for_service(service.name)
    except UserError as exc:
        item.addChild(QTreeWidgetItem(["No escalation policy", str(exc)]))
    else:
        repeat = f", runs {counted(policy.repeat, 'more time')}" if policy.repeat else ""
        count = counted(len(policy.levels), "level")
        levels = QTreeWidgetItem([f"Policy {policy.name}", f"{count}{repeat}"])
        item.addChild(levels)
        for number, level in enumerate(policy.levels, start=1):
            row = QTreeWidgetItem(
                [f"Level {number}", f"acknowledge within {level.ack_timeout_minutes} min"]
            )
            levels.addChild(row)
            for target_name in level.targets:
                target = catalog.target(target_name)
                row.addChild(
                    QTreeWidgetItem([target.name, f"{target.adapter} · secret {target.secret}"])
                )
        levels.setExpanded(True)
    for label, value in (
        ("Runbook", service.runbook_url),
        ("Dashboard", service.dashboard_url),
        ("SLO", service.slo),
    ):
        if value:
            item.addChild(QTreeWidgetItem([label, value]))
    owners.setExpanded(True)
    return item
