"""Every ``incidentdesk`` command, registered once: :data:`COMMANDS`.

An entry names the command, the module of :mod:`incidentdesk.cli` it lives in, its one-line
help, and what it needs to run. In that module, ``run_<name>(args, context, out)`` runs it
and returns the exit code, and ``<name>_arguments(parser)`` (when the command takes any)
adds its arguments. ``context`` is what ``needs`` says:

- ``desk``: the profile's :class:`~incidentdesk.app.desk.Desk`, opened for the command and
  closed after; a parser that runs without the local database sets
  ``set_defaults(no_desk=True)`` (``postmortem lint``, ``secret set``) and gets ``None``;
- ``profile``: the profile's :class:`~incidentdesk.infra.config.Profile` (no database);
- ``location``: where the profile is (:class:`~incidentdesk.infra.config.ProfileLocation`),
  before anything is created.

The command line's parser is built from this table with each command's arguments added only
when that command is parsed or its help shown (:class:`LazyParser`), so
``incidentdesk --version`` and ``--help`` import no command's module, nor the Desk.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TextIO

from incidentdesk.core.incident.lifecycle import MILESTONES, STATUSES

Handler = Callable[[argparse.Namespace, Any, TextIO], int]
Needs = Literal["desk", "profile", "location"]


@dataclass(frozen=True)
class Command:
    """One ``incidentdesk`` command (see the module's docstring)."""

    name: str
    module: str
    help: str
    needs: Needs = "desk"

    def run(self, args: argparse.Namespace, context: Any, out: TextIO) -> int:
        """Run the command: its module is imported now."""
        handler: Handler = getattr(self._module(), f"run_{self.name}")
        return handler(args, context, out)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the command's own arguments to ``parser`` (its module is imported now)."""
        define = getattr(self._module(), f"{self.name}_arguments", None)
        if define is not None:
            define(parser)

    def add_to(
        self,
        sub: argparse._SubParsersAction[Any],
        parents: Sequence[argparse.ArgumentParser] = (),
    ) -> argparse.ArgumentParser:
        """Add the command to ``sub``; its arguments come when it is used if ``sub`` makes
        :class:`LazyParser` parsers, at once otherwise. Returns its parser."""
        parser: argparse.ArgumentParser = sub.add_parser(
            self.name, help=self.help, description=self.help, parents=list(parents)
        )
        if isinstance(parser, LazyParser):
            parser.add_later(self.add_arguments)
        else:
            self.add_arguments(parser)
        return parser

    def _module(self) -> Any:
        return importlib.import_module(f"incidentdesk.cli.{self.module}")


class LazyParser(argparse.ArgumentParser):
    """A parser whose arguments are added the first time it parses or shows its help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: Callable[[argparse.ArgumentParser], None] | None = None

    def add_later(self, define: Callable[[argparse.ArgumentParser], None]) -> None:
        """Call ``define(self)`` before the first parse or help."""
        self._pending = define

    def complete(self) -> None:
        """Add the pending arguments now (once)."""
        define, self._pending = self._pending, None
        if define is not None:
            define(self)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        self.complete()
        return super().parse_known_args(*args, **kwargs)

    def format_help(self) -> str:
        self.complete()
        return super().format_help()

    def format_usage(self) -> str:
        self.complete()
        return super().format_usage()


# In the order `incidentdesk --help` lists them.
COMMANDS: tuple[Command, ...] = (
    Command("declare", "incidents", "Declare an incident and print its id."),
    Command("incidents", "incidents", "List incidents, active first."),
    Command(
        "show", "incidents", "Show an incident: severity, status, milestones, services, roles."
    ),
    Command("note", "changes", "Add a timeline entry and print its id."),
    Command("role", "changes", "Assign a role (a handover when it is held) or release it."),
    Command("severity", "changes", "Change an incident's severity."),
    Command("status", "changes", "Change an incident's status: " + " → ".join(STATUSES) + "."),
    Command(
        "milestone",
        "changes",
        "Record when a milestone happened: "
        + ", ".join(m.removesuffix("_at") for m in MILESTONES)
        + ".",
    ),
    Command("correct", "changes", "Correct a note (the original is kept)."),
    Command("pin", "changes", "Pin a timeline entry."),
    Command("unpin", "changes", "Unpin a timeline entry."),
    Command("drill", "changes", "Mark an incident as a drill (left out of the metrics), or --off."),
    Command("timeline", "incidents", "Print an incident's timeline in the order things happened."),
    Command(
        "demo",
        "demo",
        "Seed a realistic demo incident, marked as a drill so it stays out of the metrics, "
        "and print its id. A profile with no service catalog gets the demo's catalog too.",
    ),
    Command("db", "db", "Maintain the local database (or, with --shared, the shared one)."),
    Command("connect", "sync", "Connect this profile to a shared PostgreSQL database.", "profile"),
    Command(
        "disconnect",
        "sync",
        "Forget the shared database (and its password) for this profile.",
        "profile",
    ),
    Command("sync", "sync", "Push and pull once; or show the sync state."),
    Command(
        "screenshot",
        "app",
        "Render the window offscreen with real data and save a PNG.",
        "profile",
    ),
    Command(
        "metrics",
        "metrics",
        "Response times (detect, acknowledge, mitigate, resolve) over the incidents, "
        "by severity, service, team (from the service catalog) or month.",
    ),
    Command(
        "search",
        "library",
        "Search titles, notes, post-mortem text and action items: words (all must match), "
        '"quoted phrases", prefix* terms; case and accents do not matter.',
    ),
    Command(
        "archive",
        "library",
        "Export the whole local journal to a JSON Lines file, or import one.",
    ),
    Command("catalog", "catalog", "Import, export or show the service ownership catalog."),
    Command(
        "secret",
        "secrets",
        "Set a named secret, or show which secrets are present (never their values).",
    ),
    Command(
        "escalate",
        "escalation",
        "Page the owners of a service (its escalation policy's level) and track it.",
    ),
    Command(
        "escalations",
        "escalation",
        "List an incident's pages: who was paged, delivered, acknowledged.",
    ),
    Command(
        "ack", "escalation", "Record that someone answered a page (tells PagerDuty/Opsgenie too)."
    ),
    Command(
        "post",
        "escalation",
        "Post a message to a chat target of the catalog (Slack, Teams, webhook).",
    ),
    Command(
        "channel",
        "escalation",
        "Post the incident's status and severity changes to a chat target (or stop).",
    ),
    Command(
        "postmortem",
        "postmortem",
        "Post-mortems: check the language of a Markdown file, export one.",
    ),
    Command(
        "bridge",
        "links",
        "Set an incident's bridge link (where responders talk) and print the event's id.",
    ),
    Command(
        "impact",
        "links",
        "Set an incident's customer impact (one line) and print the event's id.",
    ),
    Command(
        "profiles",
        "profiles",
        "List the profiles (each has its own data), or create one.",
        "location",
    ),
    Command("config", "profiles", "Show or set the profile's settings.", "profile"),
)
COMMAND_BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
