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

The command line's parser is built from this table without a parser per command: each
command's parser (and its arguments, and its module) is made only when that command is
parsed or its help shown (:class:`LazySubcommands`), so ``incidentdesk --version`` and
``--help`` import no command's module, nor the Desk. This module is on that path, so it
imports nothing costly either (no ``dataclasses``, no ``typing``).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence

from incidentdesk.cli.common import HelpFormatter
from incidentdesk.core.incident.statuses import MILESTONES, STATUSES

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a few ms at start)
if TYPE_CHECKING:
    from typing import Any, Literal, TextIO

    Handler = Callable[[argparse.Namespace, Any, TextIO], int]
    Needs = Literal["desk", "profile", "location"]


class Command:
    """One ``incidentdesk`` command (see the module's docstring)."""

    __slots__ = ("help", "module", "name", "needs")

    def __init__(self, name: str, module: str, help: str, needs: Needs = "desk") -> None:
        self.name = name
        self.module = module
        self.help = help
        self.needs: Needs = needs

    def __repr__(self) -> str:
        return f"Command({self.name!r}, {self.module!r}, needs={self.needs!r})"

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
        """Add the command, its arguments too, to ``sub`` now; returns its parser."""
        parser: argparse.ArgumentParser = sub.add_parser(
            self.name, help=self.help, description=self.help, parents=list(parents)
        )
        self.add_arguments(parser)
        return parser

    def add_later_to(
        self, sub: LazySubcommands, parents: Sequence[argparse.ArgumentParser] = ()
    ) -> None:
        """Add the command to ``sub`` by name: its parser is made when it is used."""
        sub.add_later(self.name, self.help, self.add_arguments, parents)

    def _module(self) -> Any:
        return importlib.import_module(f"incidentdesk.cli.{self.module}")


class _ParsersOnDemand(dict[str, "argparse.ArgumentParser | None"]):
    """The subcommands' parsers by name (what argparse looks a subcommand up in), each made
    the first time it is looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.makers: dict[str, Callable[[], argparse.ArgumentParser]] = {}

    def __getitem__(self, name: str) -> argparse.ArgumentParser:
        parser = super().__getitem__(name)  # an unknown name: KeyError, as argparse expects
        if parser is None:
            parser = self.makers.pop(name)()
            self[name] = parser
        return parser


class LazySubcommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands known by name and help only, until one is used: its parser is made (and
    its arguments added) when it is parsed or its help shown. Building 35 parsers up front
    was a third of ``incidentdesk --help``.

    Pass it as ``add_subparsers(action=LazySubcommands)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parsers = _ParsersOnDemand()
        self._name_parser_map = self.choices = self._parsers

    def add_later(
        self,
        name: str,
        help: str,
        define: Callable[[argparse.ArgumentParser], None],
        parents: Sequence[argparse.ArgumentParser] = (),
    ) -> None:
        """Add subcommand ``name``; ``define(parser)`` adds its arguments when it is used."""
        if name in self._name_parser_map:
            raise argparse.ArgumentError(self, f"conflicting subparser: {name}")
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help))  # --help

        def make() -> argparse.ArgumentParser:
            dict.__delitem__(self._parsers, name)  # add_parser refuses a known name
            parser: argparse.ArgumentParser = self.add_parser(
                name, description=help, parents=list(parents), formatter_class=HelpFormatter
            )
            define(parser)
            return parser

        self._parsers.makers[name] = make
        dict.__setitem__(self._parsers, name, None)


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
