"""The escalation panel: page each affected service's owners and see who answered.

One row per service of the incident (and per service paged by hand): its owning team and
policy, the latest page's status (requested → sent → acknowledged, or failed with the
reason) and a countdown to the level's acknowledgement timeout. The countdown is a QTimer
that rewrites labels once a second from the page's deadline: no Desk call per tick. Every
change (page, acknowledge, escalate, resolve) is a ``client.command`` on the store worker;
the courier (its own thread) sends what was queued, and its outcomes reach the panel through
the change feed like any other event.

Nothing pages on its own: when the timeout runs out the panel offers "Escalate to level
N+1", which asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QMessageBox,
    QWidget,
)

from incidentdesk.core.journal.fold import IncidentState
from incidentdesk.core.journal.ids import CATALOG_ID
from incidentdesk.core.timefmt import utc_now
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.tasks import user_message
from incidentdesk.ui.escalation.dialogs import AcknowledgeDialog, PageServiceDialog
from incidentdesk.ui.escalation.panel_view import EscalationView
from incidentdesk.ui.escalation.row import EscalationRow
from incidentdesk.ui.escalation.words import (
    TICK_MS,
    PanelData,
    escalation_key,
    fetch_panel_data,
    open_pages,
)

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk
    from incidentdesk.ui.settings.secret_dialog import SecretDialog


# ---------------------------------------------------------------- the panel


class EscalationPanel(EscalationView):
    """Escalation to the developer owners of the incident's services.

    Args:
        client: the way to the Desk; every change is a ``client.command``.
        parent: the owning widget.
        clock: the current time (UTC), for the countdowns; tests pass their own.

    Signals:
        message(str): status-bar text after a change.
        import_requested(): the user asked to import a catalog (there is none yet).
        catalog_requested(): the user asked to see the catalog ("Open catalog").
    """

    def __init__(
        self,
        client: DeskClient,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EscalationPanel")
        self.setAccessibleName("Escalation")
        self._client = client
        self.clock = clock
        self.incident_id: str | None = None
        self.state: IncidentState | None = None
        self.data: PanelData | None = None
        self.rows: dict[str, EscalationRow] = {}
        self._busy: set[str] = set()  # services with a command in flight
        self._settled: set[str] = set()  # commands done; busy until the next fetch shows them
        self._fetching = False
        self._refetch = False
        self._people: list[str] = []
        self._resolve_dismissed: set[str] = set()  # incidents whose offer was declined
        self._resolving: set[str] = set()  # "Resolve pages" clicked, not yet seen resolved
        self._fetched_key: object = None  # what the last fetch was for (escalation_key)
        self._sme_candidate: str | None = None
        self.confirm: QMessageBox | None = None
        self.ack_dialog: AcknowledgeDialog | None = None
        self.service_dialog: PageServiceDialog | None = None
        self.secret_dialog: SecretDialog | None = None

        self._build()
        self.other_button.clicked.connect(self.pick_service)
        self.channel_box.activated.connect(self._channel_chosen)
        self.resolve_bar.accept_button.clicked.connect(self.resolve_pages)
        self.resolve_bar.dismiss_button.clicked.connect(self._resolve_declined)
        self.sme_bar.accept_button.clicked.connect(self.add_sme)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.tick)
        client.incidents_changed.connect(self._changed)
        self.set_incident(None)

    # ------------------------------------------------------------ feeding

    def set_incident(self, incident_id: str | None) -> None:
        """Work on another incident (or none); its state follows through :meth:`set_state`."""
        if incident_id == self.incident_id and incident_id is not None:
            return
        self.incident_id = incident_id
        self.state = None
        self.data = None
        self._fetched_key = None
        self._busy.clear()
        self._settled.clear()
        self.error.clear_message()
        self.sme_bar.hide()
        self.resolve_bar.hide()
        self._show()

    def set_state(self, state: IncidentState | None) -> None:
        """A fresh state of the open incident (the command view passes each one)."""
        if state is not None and state.id != self.incident_id:
            return  # fetched before a switch
        self.state = state
        self._offer_resolve()
        key = escalation_key(state)
        if key != self._fetched_key or self._busy or self._settled:
            self._fetched_key = key
            self.refresh()  # only when what the panel shows may have changed (not per note)

    def set_people(self, people: list[str]) -> None:
        """Names known to the journal (offered when marking a page acknowledged)."""
        self._people = list(people)

    def refresh(self) -> None:
        """Fetch the options again (one fetch at a time)."""
        incident_id = self.incident_id
        if incident_id is None:
            return
        if self._fetching:
            self._refetch = True
            return
        self._fetching = True
        clears, self._settled = self._settled, set()
        self._client.call(
            lambda d: fetch_panel_data(d, incident_id),
            lambda data: self._fetched(incident_id, data, clears),
            lambda error: self._fetch_failed(incident_id, error, clears),
        )

    def _changed(self, incident_ids: list[str]) -> None:
        if CATALOG_ID in incident_ids:  # a catalog was imported (here or elsewhere)
            self.refresh()

    def _fetched(self, incident_id: str, data: PanelData, clears: set[str]) -> None:
        self._fetching = False
        self._busy -= clears
        if incident_id == self.incident_id:
            self.data = data
            self._show()
        if self._refetch:
            self._refetch = False
            self.refresh()

    def _fetch_failed(self, incident_id: str, error: BaseException, clears: set[str]) -> None:
        self._fetching = False
        self._busy -= clears
        if incident_id == self.incident_id:
            self.error.show_message(user_message(error))
        if self._refetch:
            self._refetch = False
            self.refresh()

    # ------------------------------------------------------------ showing

    def _show(self) -> None:
        data = self.data
        options = data.options if data is not None else []
        wanted = [o.service for o in options]
        if list(self.rows) != wanted:
            self._rebuild_rows(wanted)
        now = self.clock()
        for option in options:
            self.rows[option.service].show(option, option.service in self._busy, now)
        has_catalog = data is None or data.has_catalog
        self.no_catalog.setVisible(data is not None and not has_catalog)
        self.other_button.setEnabled(
            self.incident_id is not None and data is not None and data.has_catalog
        )
        self.empty.setVisible(data is not None and not options)
        self._show_channel(data)
        self.setEnabled(self.incident_id is not None)
        waiting = [o for o in options if o.page is not None and o.page.open]
        acked = [o for o in options if o.page is not None and o.page.status == "acknowledged"]
        parts = []
        if waiting:
            parts.append(f"{len(waiting)} waiting for an answer")
        if acked:
            parts.append(f"{len(acked)} acknowledged")
        self.summary.setText(" · ".join(parts))
        ticking = ("sent", "requested")  # the ack countdown; the next retry's countdown
        if any(o.page is not None and o.page.status in ticking for o in options):
            if not self._ticker.isActive():
                self._ticker.start()
        else:
            self._ticker.stop()
        QTimer.singleShot(0, self, self._fit_height)

    def _show_channel(self, data: PanelData | None) -> None:
        targets = data.chat_targets if data is not None else []
        current = self.state.escalation.channel if self.state is not None else None
        self._show_channel_choice(targets, current)

    def _channel_chosen(self, index: int) -> None:
        incident_id = self.incident_id
        target = self.channel_box.itemData(index)
        current = self.state.escalation.channel if self.state is not None else None
        if incident_id is None or target == current:
            return

        def done(_result: Any) -> None:
            self.message.emit(
                f"Status changes will be posted to {target}."
                if target
                else "Status changes are no longer posted to chat."
            )

        def failed(error: BaseException) -> None:
            self._show_channel(self.data)
            self.error.show_message(user_message(error))

        self._client.command(
            lambda d: d.escalations.set_chat_channel(incident_id, target), done, failed
        )

    def _rebuild_rows(self, services: list[str]) -> None:
        for row in self.rows.values():
            for widget in row.widgets():
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self.rows = {}
        for index, service in enumerate(services):
            row = EscalationRow(self, service)
            for column, widget in enumerate(row.widgets()):
                self.grid.addWidget(widget, index, column)
            self.rows[service] = row
        # Tab goes row by row: page, escalate, acknowledge.
        previous: QWidget | None = None
        for row in self.rows.values():
            for button in (row.page_button, row.escalate_button, row.ack_button):
                if previous is not None:
                    QWidget.setTabOrder(previous, button)
                previous = button

    def tick(self) -> None:
        """Once a second: the countdowns and the escalate offers (no Desk call)."""
        now = self.clock()
        for row in self.rows.values():
            row.tick(now, row.service in self._busy)

    def focus_first_action(self) -> None:
        """Put the keyboard focus on the first thing to do (a Page, Escalate or
        Acknowledge button; else "Page another service…")."""
        for row in self.rows.values():
            for button in (row.page_button, row.escalate_button, row.ack_button):
                if button.isVisible() and button.isEnabled():
                    button.setFocus(Qt.FocusReason.ShortcutFocusReason)
                    return
        self.other_button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------ actions

    def fix(self, fix: tuple[str, str | None] | None) -> SecretDialog | None:
        """What a failed row's fix button does: set the secret, or show the catalog."""
        if fix is None:
            return None
        kind, secret = fix
        if kind != "secret" or secret is None:
            self.catalog_requested.emit()
            return None
        from incidentdesk.ui.settings.secret_dialog import (
            SecretDialog,  # loads the keyring's module
        )

        dialog = SecretDialog(secret, self)
        dialog.secret_changed.connect(
            lambda name: self.message.emit(f"The secret '{name}' is set; page again to send.")
        )
        self.secret_dialog = dialog
        dialog.open()
        return dialog

    def page(self, service: str, level: int | None = None) -> None:
        """Page the owners of ``service`` (the level the panel offers, unless given)."""
        incident_id = self.incident_id
        if incident_id is None or service in self._busy:
            return  # a second click while the first is saved pages nothing
        what = f"level {level}" if level is not None else "the next level"
        self._run(
            service,
            lambda d: d.escalations.escalate(incident_id, service, level),
            lambda _id: f"Paging the owners of {service} ({what}).",
        )

    def confirm_escalation(self, service: str) -> QMessageBox | None:
        """Ask before paging the next level of an unanswered page."""
        row = self.rows.get(service)
        page = row.option.page if row is not None and row.option is not None else None
        if page is None or page.level >= page.levels:
            return None
        nxt = page.level + 1
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Escalate")
        box.setText(f"Page level {nxt} of {page.policy} for {page.service}?")
        box.setInformativeText(
            f"Nobody acknowledged level {page.level} within {page.ack_timeout_minutes} min."
        )
        yes = box.addButton(f"Page level {nxt}", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(yes)
        yes.clicked.connect(lambda: self.page(service, nxt))
        self.confirm = box
        box.open()
        return box

    def ask_acknowledged(self, service: str) -> AcknowledgeDialog | None:
        """Ask who answered, then record the acknowledgement."""
        row = self.rows.get(service)
        page = row.option.page if row is not None and row.option is not None else None
        if page is None or not page.open:
            return None
        owners = self.data.owners.get(page.team, []) if self.data is not None else []
        people = list(dict.fromkeys([*owners, *self._people]))
        dialog = AcknowledgeDialog(page, people, self)
        page_id = page.id

        def accepted() -> None:
            self.acknowledge(service, page_id, dialog.who())

        dialog.accepted.connect(accepted)
        self.ack_dialog = dialog
        dialog.open()
        return dialog

    def acknowledge(self, service: str, escalation_id: str, by: str) -> None:
        """Record that ``by`` answered; then offer to add them as Subject Matter Expert."""
        incident_id = self.incident_id
        if incident_id is None:
            return

        def done(_id: str) -> str:
            self._offer_sme(by)
            return f"{service}: acknowledged by {by}."

        self._run(
            service, lambda d: d.escalations.acknowledge(incident_id, escalation_id, by), done
        )

    def _offer_sme(self, person: str) -> None:
        state = self.state
        if state is not None and person in state.holders("sme"):
            return
        self._sme_candidate = person
        self.sme_bar.offer(
            f"{person} answered. Add them to the role board as Subject Matter Expert?",
            "Add as &SME",
            f"Assign {person} the Subject Matter Expert role",
        )

    def add_sme(self) -> None:
        """Give the person who answered the Subject Matter Expert role."""
        incident_id, person = self.incident_id, self._sme_candidate
        self.sme_bar.hide()
        if incident_id is None or person is None:
            return
        self._client.command(
            lambda d: d.incidents.assign_role(incident_id, "sme", person),
            lambda _id: self.message.emit(f"{person} is now Subject Matter Expert."),
            lambda error: self.error.show_message(user_message(error)),
        )

    def pick_service(self) -> None:
        """Offer the catalog's services to page one not named in the incident."""
        data = self.data
        if self.incident_id is None or data is None or not data.has_catalog:
            return
        shown = {o.service for o in data.options}
        services = [(name, team) for name, team in data.services if name not in shown]
        dialog = PageServiceDialog(services, self)
        dialog.accepted.connect(lambda: self._page_chosen(dialog))
        self.service_dialog = dialog
        dialog.open()

    def _page_chosen(self, dialog: PageServiceDialog) -> None:
        service = dialog.chosen()
        if service is not None:
            self.page(service)

    def _offer_resolve(self) -> None:
        state = self.state
        pending = open_pages(state)
        if state is not None and not pending:
            self._resolving.discard(state.id)
        if (
            state is None
            or state.active
            or not pending
            or state.id in self._resolve_dismissed
            or state.id in self._resolving  # a state read before the click: do not ask again
        ):
            self.resolve_bar.hide()
            return
        count = len(pending)
        pages = "1 page is" if count == 1 else f"{count} pages are"
        self.resolve_bar.offer(
            f"The incident is {state.status}, but {pages} still open "
            f"({', '.join(sorted({p.service for p in pending}))}).",
            "&Resolve pages",
            "Close the pages here and on PagerDuty/Opsgenie so nobody is woken for nothing",
        )

    def _resolve_declined(self) -> None:
        if self.incident_id is not None:
            self._resolve_dismissed.add(self.incident_id)

    def resolve_pages(self) -> None:
        """Resolve every open page of the incident."""
        incident_id = self.incident_id
        self.resolve_bar.hide()
        if incident_id is None:
            return
        self._resolving.add(incident_id)

        def failed(error: BaseException) -> None:
            self._resolving.discard(incident_id)
            self.error.show_message(user_message(error))
            self._offer_resolve()

        self._client.command(
            lambda d: d.escalations.resolve_pages(incident_id),
            lambda done: self.message.emit(
                f"Resolved {len(done)} page{'s' if len(done) != 1 else ''}."
            ),
            failed,
        )

    def _run(
        self,
        service: str,
        job: Callable[[Desk], Any],
        done: Callable[[Any], str],
    ) -> None:
        incident_id = self.incident_id
        self._busy.add(service)
        self.error.clear_message()
        self._show()

        def succeeded(result: Any) -> None:
            # Still busy until a fetch started after this shows the page: a click in between
            # must not page again.
            self._settled.add(service)
            self.message.emit(done(result))
            self.refresh()

        def failed(error: BaseException) -> None:
            self._busy.discard(service)
            if incident_id == self.incident_id:
                self._show()
                self.error.show_message(user_message(error))

        self._client.command(job, succeeded, failed)
