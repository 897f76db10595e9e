"""The role board: who holds each incident role, since when, and handing roles over.

One card per role shows its holders, since when, and its shadow; a key role nobody holds
glows in the warning colour. Every change goes to the Desk through the client; the board does
not fetch: the command view passes it a fresh state after each change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from incidentdesk.core.incident.roles import ROLES, Role
from incidentdesk.core.journal.fold import IncidentState, RoleHolder
from incidentdesk.core.timefmt import format_duration, utc_now
from incidentdesk.ui.command.header_parts import ElidedLabel
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.style import WARNING_COLOR
from incidentdesk.ui.common.tasks import user_message

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk

# format_duration shows seconds during a role's first hour; labels whose text is unchanged
# do not repaint, so a tick a second costs little.
TICK_MS = 1_000
_COLUMNS = ("Role", "Holder(s)", "Since", "Shadow")
_SINCE_COLUMN = 2
_ROW = {role.key: row for row, role in enumerate(ROLES)}
Index = QModelIndex | QPersistentModelIndex


def since_text(holder: RoleHolder, now: datetime) -> str:
    """``since 14:05 · 2h 05m``: the local time someone took a role, and for how long."""
    local = holder.since.astimezone().strftime("%H:%M")
    return f"since {local} · {format_duration(now - holder.since)}"


class RoleModel(QAbstractTableModel):
    """The roles of one incident: one row per role in ``ROLES``.

    Columns: Role, Holder(s), Since, Shadow. A new state of the same incident updates the
    rows that changed (``dataChanged``); a state of another incident resets the model.

    Args:
        parent: the owning object.
        clock: the current time (UTC), for elapsed times; tests pass a fixed one.
    """

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self._state: IncidentState | None = None

    @property
    def incident_id(self) -> str | None:
        """The incident shown, if any."""
        return self._state.id if self._state else None

    def holders(self, row: int) -> list[RoleHolder]:
        """Who holds the role of ``row``, in the order they took it."""
        return list(self._state.roles.get(ROLES[row].key, [])) if self._state else []

    def shadow(self, row: int) -> RoleHolder | None:
        """Who shadows the role of ``row``."""
        return self._state.shadows.get(ROLES[row].key) if self._state else None

    def unfilled_key_role(self, row: int) -> bool:
        """A key role (commander, scribe) that nobody holds while an incident is shown."""
        return self._state is not None and ROLES[row].key_role and not self.holders(row)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(ROLES)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _COLUMNS[section] if 0 <= section < len(_COLUMNS) else None
        return ROLES[section].label if 0 <= section < len(ROLES) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, self.CheckIndexOption.IndexIsValid):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return ROLES[row].duty
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and self.unfilled_key_role(row):
            return QBrush(QColor(WARNING_COLOR))
        return None

    def _text(self, row: int, column: int) -> str:
        if column == 0:
            return ROLES[row].label
        holders = self.holders(row)
        if column == 1:
            return ", ".join(h.person for h in holders) or ("unfilled" if self._state else "")
        now = self.clock()
        if column == 2:
            return ", ".join(since_text(h, now) for h in holders)
        shadow = self.shadow(row)
        return shadow.person if shadow else ""

    def set_state(self, state: IncidentState | None) -> None:
        """Show ``state``: changed rows only for the same incident, a reset for another."""
        if (state.id if state else None) != self.incident_id:
            self.beginResetModel()
            self._state = state
            self.endResetModel()
            return
        before = [self._facts(row) for row in range(len(ROLES))]
        self._state = state
        last = len(_COLUMNS) - 1
        for row, old in enumerate(before):
            if self._facts(row) != old:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def refresh_times(self) -> None:
        """Announce that the elapsed times moved on (the Since column)."""
        if self._state is not None:
            first, last = self.index(0, _SINCE_COLUMN), self.index(len(ROLES) - 1, _SINCE_COLUMN)
            self.dataChanged.emit(first, last, [Qt.ItemDataRole.DisplayRole])

    def _facts(self, row: int) -> tuple[object, ...]:
        shadow = self.shadow(row)
        holders = tuple((h.person, h.since) for h in self.holders(row))
        return holders, (shadow.person, shadow.since) if shadow else None


class HolderLine(QWidget):
    """One person on a card: name, since when, and a small button to release them."""

    def __init__(self, card: RoleCard, person: str, shadow: bool) -> None:
        super().__init__(card)
        self.person = person
        self.name = QLabel(f"shadow: {person}" if shadow else person)
        if not shadow:
            self.name.setFont(_weighted(self.name.font(), QFont.Weight.DemiBold))
        self.since = ElidedLabel()  # on a narrow card the time gives way, never the name
        self.since.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        link = "as shadow of" if shadow else "from"
        self.release_button = _button("✕", f"Release {person} {link} {card.role.label}")
        self.release_button.setAutoRaise(True)
        self.release_button.clicked.connect(lambda: card.release_requested.emit(person, shadow))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name)
        row.addWidget(self.since, 1)
        row.addWidget(self.release_button)


class RoleCard(QFrame):
    """One role: who holds it and its shadow, a person picker, and the actions.

    Signals:
        assign_requested(str, bool): give the role (or its shadow, when True) to a person.
        release_requested(str, bool): release a person from the role (or its shadow).
    """

    assign_requested = Signal(str, bool)
    release_requested = Signal(str, bool)

    def __init__(self, role: Role, people: QStringListModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.role = role
        self.setObjectName("roleCard")
        self.setProperty("glow", False)
        self.setToolTip(role.duty)
        self.setAccessibleName(f"{role.label} card")
        self.setAccessibleDescription(role.duty)
        self.title = QLabel(role.label + (" (several)" if role.several else ""))
        self.title.setFont(_weighted(self.title.font(), QFont.Weight.Bold))
        self.unfilled = QLabel("Unfilled — a key role" if role.key_role else "Unfilled")
        self.unfilled.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.lines: dict[tuple[str, bool], HolderLine] = {}
        self._lines_box = QVBoxLayout()
        self._lines_box.setSpacing(0)
        self._lines_box.addWidget(self.unfilled)

        self.person = QComboBox()
        self.person.setEditable(True)
        self.person.setModel(people)
        self.person.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Long names must not widen the card: the board fits three cards across 900 pixels.
        self.person.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.person.setMinimumContentsLength(8)
        self.person.setCurrentIndex(-1)
        completer = QCompleter(people, self.person)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.person.setCompleter(completer)
        editor = self.person.lineEdit()
        assert editor is not None  # an editable combo box always has one
        editor.setPlaceholderText("Name…")
        # Enter reaches the field before the completer puts in the suggestion picked with it.
        editor.returnPressed.connect(lambda: QTimer.singleShot(0, self._assign))
        self.person.setAccessibleName(f"Person for {role.label}")
        self.person.setToolTip(f"Who takes {role.label}: {role.duty}")
        self.assign_button = _button("Assign", f"Assign {role.label}")
        self.assign_button.clicked.connect(self._assign)
        self.shadow_button = _button("Shadow", f"Shadow {role.label}")
        self.shadow_button.setToolTip(f"The person named shadows {role.label} (to learn it)")
        self.shadow_button.clicked.connect(lambda: self.assign_requested.emit(self.name(), True))
        actions = QHBoxLayout()
        actions.addWidget(self.person, 1)
        actions.addWidget(self.assign_button)
        actions.addWidget(self.shadow_button)

        layout = QVBoxLayout(self)
        # Tight margins: at 1280×720 every pixel the board takes is a timeline row less.
        layout.setContentsMargins(8, 5, 8, 5)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addLayout(self._lines_box)
        layout.addStretch(1)
        layout.addLayout(actions)
        self.show_holders([], None, utc_now(), glow=False)

    def name(self) -> str:
        """The name picked or typed; a known name typed in another case is the known one."""
        typed = self.person.currentText().strip()
        known = self.person.findText(typed, Qt.MatchFlag.MatchFixedString)  # any case
        return self.person.itemText(known) if known >= 0 else typed

    def show_holders(
        self, holders: list[RoleHolder], shadow: RoleHolder | None, now: datetime, glow: bool
    ) -> None:
        """Show the people on the role; lines that stay keep their widgets (and focus)."""
        wanted = {(h.person, False): h for h in holders}
        if shadow:
            wanted[shadow.person, True] = shadow
        if list(wanted) != list(self.lines):  # someone came or went: lay the lines out again
            for key, line in list(self.lines.items()):
                self._lines_box.removeWidget(line)
                if key not in wanted:
                    if line.isAncestorOf(self.focusWidget()):
                        self.person.setFocus()  # their release button goes; stay on the card
                    line.hide()
                    line.deleteLater()
            kept = self.lines
            self.lines = {k: kept.get(k) or HolderLine(self, k[0], k[1]) for k in wanted}
            for position, line in enumerate(self.lines.values(), start=1):
                self._lines_box.insertWidget(position, line)
            # New widgets join the end of the window's tab chain: bring the release buttons
            # back into the card, after its actions (Qt can only move a widget *after* one).
            chain = [self.shadow_button, *(line.release_button for line in self.lines.values())]
            for first, second in pairwise(chain):
                QWidget.setTabOrder(first, second)
        for (person, is_shadow), line in self.lines.items():
            when = since_text(wanted[person, is_shadow], now)
            # A shadow's time stays in the tooltip: the line must fit a narrow card.
            line.since.set_full_text("" if is_shadow else when)
            # The time is never cut ("since 20:41 · 3…" hides the one thing it says): the
            # card asks for the room, and the window's panes give way instead.
            line.since.setMinimumWidth(
                line.since.fontMetrics().horizontalAdvance(line.since.full_text) + 2
            )
            verb = "shadows" if is_shadow else "holds"
            line.setToolTip(f"{person} {verb} {self.role.label} {when}")
        self.unfilled.setVisible(not holders)
        held = bool(holders) and not self.role.several
        self.assign_button.setText("Hand over" if held else "Assign")
        verb = "Hand over" if held else "Assign"
        self.assign_button.setAccessibleName(f"{verb} {self.role.label}")
        self.assign_button.setToolTip(f"{verb} {self.role.label} to the person named")
        if self.property("glow") != glow:
            self.setProperty("glow", glow)
            self.style().unpolish(self)  # a dynamic property re-styles only after a re-polish
            self.style().polish(self)

    def _assign(self) -> None:
        self.assign_requested.emit(self.name(), False)


class RoleBoard(QWidget):
    """The role board of the incident command window.

    Args:
        client: the way to the Desk; every change is a ``client.command``.
        parent: the owning widget.

    Signals:
        message(str): status-bar text after a change, such as "Alex Kim is now Incident
            Commander".
    """

    message = Signal(str)

    def __init__(self, client: DeskClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._incident_id: str | None = None
        self._new_name_confirmed: tuple[str, str] | None = None  # (role key, name)
        self.model = RoleModel(self)
        self._people = QStringListModel(self)
        self.error_label = QLabel()
        self.error_label.setObjectName("roleBoardError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setAccessibleName("Role board problem")
        self.error_label.hide()
        self.cards: dict[str, RoleCard] = {}
        grid = QGridLayout()
        grid.setSpacing(6)
        for position, role in enumerate(ROLES):
            card = RoleCard(role, self._people, self)
            card.assign_requested.connect(lambda p, s, key=role.key: self._assign(key, p, s))
            card.release_requested.connect(lambda p, s, key=role.key: self._release(key, p, s))
            self.cards[role.key] = card
            grid.addWidget(card, position // 3, position % 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)  # the command view frames its panels
        layout.addWidget(self.error_label)
        layout.addLayout(grid, 1)
        glow = QColor(WARNING_COLOR)
        self.setStyleSheet(
            # Cards on the window colour, so the name fields (base colour) stand out in any
            # theme; the glow's wider border is balanced by padding so nothing shifts.
            "QFrame#roleCard { border: 1px solid palette(mid); border-radius: 6px;"
            " padding: 1px; }"
            f'QFrame#roleCard[glow="true"] {{ border: 2px solid {glow.name()}; padding: 0px;'
            f" background: rgba({glow.red()}, {glow.green()}, {glow.blue()}, 36); }}"
            f"QLabel#roleBoardError {{ border-left: 4px solid {glow.name()};"
            " background: palette(alternate-base); padding: 6px 8px; }"
        )
        self.model.modelReset.connect(self._show_all)
        self.model.dataChanged.connect(self._show_rows)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._clock_ticked)
        self._tick.start()
        self._show_all()

    def set_incident(self, incident_id: str | None) -> None:
        """Work on another incident (or none); its state follows through :meth:`set_state`."""
        if incident_id == self._incident_id:
            return
        self._incident_id = incident_id
        self.show_error("")
        self.model.set_state(None)
        self._show_all()

    def set_state(self, state: IncidentState | None) -> None:
        """Show a fresh state; a state of an incident other than the current one is stale
        (it was fetched before a switch) and ignored."""
        if state is None or state.id == self._incident_id:
            self.model.set_state(state)

    def set_people(self, people: list[str]) -> None:
        """The names offered when assigning (what someone is typing is kept)."""
        typed = {card: card.person.currentText() for card in self.cards.values()}
        self._people.setStringList(sorted(set(people), key=str.casefold))
        for card, text in typed.items():
            card.person.setCurrentIndex(-1)
            card.person.setEditText(text)

    def focus_role(self, role_key: str) -> None:
        """Put the cursor in the name field of a role's card."""
        card = self.cards.get(role_key)
        if card is not None:
            card.person.setFocus()

    def show_error(self, text: str) -> None:
        """Show (or with ``""`` clear) a problem inline, above the cards."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _clock_ticked(self) -> None:
        if self.isVisible():
            self.model.refresh_times()

    def _show_all(self) -> None:
        self._show_rows(self.model.index(0, 0), self.model.index(len(ROLES) - 1, 0))

    def _show_rows(self, first: QModelIndex, last: QModelIndex, _roles: object = None) -> None:
        now = self.model.clock()
        for row in range(first.row(), last.row() + 1):
            card = self.cards[ROLES[row].key]
            glow = self.model.unfilled_key_role(row)
            card.show_holders(self.model.holders(row), self.model.shadow(row), now, glow)
            card.setEnabled(self._incident_id is not None)

    def _assign(self, role_key: str, person: str, shadow: bool) -> None:
        row = _ROW[role_key]
        role = ROLES[row]
        if not person:
            what = f"a shadow for {role.label}" if shadow else role.label
            self.show_error(f"Pick or type a name to give {what}.")
            return
        if self._looks_like_a_typo(role_key, person):
            return
        current = [h.person for h in self.model.holders(row)]
        if shadow:
            done = f"{person} now shadows {role.label}"
        elif current and not role.several and person not in current:
            done = f"{role.label} handed over from {current[0]} to {person}"
        else:
            done = f"{person} is now {role.label}"
        self._run(
            role_key, lambda d, i: d.incidents.assign_role(i, role_key, person, shadow=shadow), done
        )

    def _looks_like_a_typo(self, role_key: str, person: str) -> bool:
        # Enter takes the typed text, not the suggestion on show: "kim" must not become a new
        # person when Alex Kim was meant. A new name that resembles known ones needs asking twice.
        similar = [n for n in self._people.stringList() if person.casefold() in n.casefold()]
        if person in similar or not similar or self._new_name_confirmed == (role_key, person):
            self._new_name_confirmed = None
            return False
        self._new_name_confirmed = (role_key, person)
        self.show_error(
            f"Did you mean {' or '.join(similar[:3])}? Pick a suggestion (Down, then Enter), "
            f'or assign again to add "{person}" as a new person.'
        )
        return True

    def _release(self, role_key: str, person: str, shadow: bool) -> None:
        label = ROLES[_ROW[role_key]].label
        done = f"{person} stopped shadowing {label}" if shadow else f"{person} released {label}"
        self._run(
            role_key,
            lambda d, i: d.incidents.release_role(i, role_key, person, shadow=shadow),
            done,
        )

    def _run(self, role_key: str, change: Callable[[Desk, str], str], done: str) -> None:
        incident_id = self._incident_id
        if incident_id is None:  # the cards are disabled then; nothing to change
            return

        def succeeded(_event_id: str) -> None:
            if incident_id == self._incident_id:  # still the incident the change was for
                self.show_error("")
                self.cards[role_key].person.setEditText("")
            self.message.emit(done)

        def failed(error: BaseException) -> None:
            if incident_id == self._incident_id:
                self.show_error(user_message(error))

        self._client.command(lambda desk: change(desk, incident_id), succeeded, failed)


def _button(text: str, accessible_name: str) -> QToolButton:
    # Tool buttons: a push button's style minimum width would not fit three cards across.
    button = QToolButton()
    button.setText(text)
    button.setAccessibleName(accessible_name)
    button.setToolTip(accessible_name)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


def _weighted(font: QFont, weight: QFont.Weight) -> QFont:
    font.setWeight(weight)
    return font
