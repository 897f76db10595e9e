"""What the post-mortem editor asks of the Desk besides saving sections: start the
post-mortem, move its review along, add and change action items, accept a finding, fetch what
the journal knows for a section, and export.

Each is a ``client.command`` (or ``client.call``) on the store worker; ``done(text)`` or
``failed(error)`` (the editor's) says how it went.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QWidget

from incidentdesk.core.postmortem.review import CheckedFinding
from incidentdesk.ui.common.client import DeskClient
from incidentdesk.ui.common.tasks import user_message

if TYPE_CHECKING:  # the Desk module loads SQLAlchemy; views only name its types
    from incidentdesk.app.desk import Desk
    from incidentdesk.core.postmortem.blameless import Checker

EXPORT_FORMATS = (("md", "Markdown"), ("html", "HTML"), ("pdf", "PDF"))
EXPORT_FILTERS = {"md": "Markdown (*.md)", "html": "HTML (*.html)", "pdf": "PDF (*.pdf)"}

Done = Callable[[str], None]
Failed = Callable[[BaseException], None]


def local_tz() -> Any:
    """This workstation's time zone (the journal's texts show local times)."""
    return datetime.now().astimezone().tzinfo


def choose_export_target(
    parent: QWidget, incident_id: str, fmt: str | None
) -> tuple[Path, str] | None:
    """Ask where to export (``fmt`` None: any format, chosen by the file's suffix); the file
    and its format, or None when the user cancelled."""
    from incidentdesk.app.postmortem_files import export_format

    filters = [EXPORT_FILTERS[fmt]] if fmt else list(EXPORT_FILTERS.values())
    suggested = f"postmortem-{incident_id[:8]}.{fmt or 'md'}"
    path, chosen = QFileDialog.getSaveFileName(
        parent, "Export the post-mortem", str(Path.home() / suggested), ";;".join(filters)
    )
    if not path:
        return None
    target = Path(path)
    picked = fmt or export_format(target)
    if picked is None:
        picked = next((f for f, label in EXPORT_FILTERS.items() if label == chosen), "md")
        target = target.with_suffix(f".{picked}")
    return target, picked


class EditorCommands:
    """The post-mortem commands of one incident's editor.

    Args:
        client: the UI's handle on the Desk.
        incident_id: the incident (full id).
        done: called with the words to show after a command succeeded ("" for none).
        failed: called with the error of a command that failed.
        save_first: saves the text on screen (a review step, an acceptance and an export
            come after it).
        cleared: empties the new action item's fields once it is added.
    """

    def __init__(
        self,
        client: DeskClient,
        incident_id: str,
        done: Done,
        failed: Failed,
        save_first: Callable[[], None],
        cleared: Callable[[], None],
    ) -> None:
        self.client = client
        self.incident_id = incident_id
        self.done = done
        self.failed = failed
        self.save_first = save_first
        self.cleared = cleared

    def start(self, template_key: str, settled: Callable[[], None]) -> None:
        """Start the post-mortem from a template; ``settled()`` first, either way."""
        incident_id = self.incident_id

        def started(_id: str) -> None:
            settled()
            self.done("Post-mortem started.")

        def refused(error: BaseException) -> None:
            settled()
            self.failed(error)

        self.client.command(
            lambda d: d.postmortems.start(incident_id, template_key, local_tz=local_tz()),
            started,
            refused,
        )

    def set_review_state(
        self, state: str, reviewers: Sequence[str], checker: Checker | None
    ) -> None:
        """Move the review along (the Desk checks the rules and says why it refuses)."""
        self.save_first()
        incident_id, names = self.incident_id, list(reviewers)
        self.client.command(
            lambda d: d.postmortems.set_review_state(incident_id, state, names, checker=checker),
            lambda _id: self.done(f"The post-mortem is now {state.replace('_', ' ')}."),
            self.failed,
        )

    def start_revision(self) -> None:
        """Make a published post-mortem a draft again, as its next revision."""
        incident_id = self.incident_id
        self.client.command(
            lambda d: d.postmortems.start_revision(incident_id),
            lambda _id: self.done("A new revision is open for editing."),
            self.failed,
        )

    def add_action_item(self, description: str, owner: str, kind: str) -> None:
        """Add an action item (due by default per the incident's severity)."""
        incident_id = self.incident_id

        def recorded(_id: str) -> None:
            self.cleared()
            self.done("Action item added.")

        self.client.command(
            lambda d: d.action_items.save(
                incident_id, None, description=description, owner=owner, type=kind
            ),
            recorded,
            self.failed,
        )

    def edit_action_item(self, item_id: str, field: str, value: Any) -> None:
        """Change one field of an action item."""
        incident_id = self.incident_id
        self.client.command(
            lambda d: d.action_items.save(incident_id, item_id, **{field: value}),
            lambda _id: self.done(""),
            self.failed,
        )

    def accept_finding(self, key: str, checked: CheckedFinding, reason: str) -> None:
        """Record that a finding of section ``key`` is kept as written, for ``reason``."""
        self.save_first()
        incident_id, finding = self.incident_id, checked.finding
        self.client.command(
            lambda d: d.postmortems.accept_finding(
                incident_id, key, finding.rule_id, finding.text, finding.start, reason
            ),
            lambda _id: self.done("Finding accepted; the reason is recorded."),
            self.failed,
        )

    def prefill(self, kind: str, arrived: Callable[[str], None]) -> None:
        """Fetch what the journal knows of ``kind``; ``arrived(text)`` ("" when nothing)."""
        incident_id = self.incident_id
        self.client.call(
            lambda d: d.postmortems.prefill(incident_id, local_tz()).texts.get(kind, ""),
            arrived,
            self.failed,
        )

    def export(
        self, path: Path, fmt: str, exported: Done, export_failed: Callable[[str], None]
    ) -> None:
        """Export to ``path`` on the worker; ``exported(path)`` or ``export_failed(words)``
        after the editor's own ``done``/``failed``."""
        from incidentdesk.app.postmortem_files import export_postmortem

        incident_id = self.incident_id

        def job(desk: Desk) -> str:
            started = time.monotonic()
            export_postmortem(desk, incident_id, fmt, path)
            return f"{path}|{time.monotonic() - started:.2f}"

        def written(result: str) -> None:
            where = result.rpartition("|")[0]
            self.done(f"Exported to {where}")
            exported(where)

        def refused(error: BaseException) -> None:
            self.failed(error)
            export_failed(user_message(error))

        self.client.call(job, written, refused)
