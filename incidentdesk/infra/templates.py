"""Loading post-mortem templates: the shipped ones, then the team's own.

Shipped templates live in ``resources/templates/``; a team adds its own as
``<data folder>/templates/*.toml`` (same format, see ``incidentdesk.core.postmortem.template``). A
malformed team file is reported with its located error and the others still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from incidentdesk.core.postmortem.template import Template, TemplateError, parse_template
from incidentdesk.infra.files import FileRefused, read_bounded
from incidentdesk.infra.shipped import resource_path

TEAM_FOLDER = "templates"
MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class TemplateSet:
    """The templates that loaded (shipped first, Standard leading; then the team's, by file
    name) and the errors of those that did not."""

    templates: tuple[Template, ...]
    errors: tuple[TemplateError, ...] = field(default_factory=tuple)

    def get(self, key: str) -> Template | None:
        """The template with that key, or None."""
        return next((t for t in self.templates if t.key == key), None)


def read_template(path: Path) -> Template:
    """Read and parse one template file.

    Raises:
        TemplateError: unreadable, too large, not UTF-8, or malformed (located).
    """
    try:
        text = read_bounded(path, MAX_FILE_BYTES, "template").decode("utf-8")
    except FileRefused as exc:
        raise TemplateError(str(exc)) from None
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: the file is not UTF-8 text.") from None
    except OSError as exc:
        raise TemplateError(f"{path}: the file cannot be read ({exc.strerror}).") from None
    return parse_template(text, str(path))


def load_templates(data_dir: Path | None = None) -> TemplateSet:
    """The shipped templates plus the team's in ``data_dir/templates``.

    A team file whose key is already taken (by a shipped template or an earlier file) is
    reported rather than replacing it: give it a key of its own.
    """
    loaded: list[Template] = []
    errors: list[TemplateError] = []
    folders = [resource_path("templates")]
    if data_dir is not None:
        folders.append(Path(data_dir) / TEAM_FOLDER)
    for folder in folders:
        if not folder.is_dir():
            continue
        # Standard first among the shipped ones; then by file name.
        for path in sorted(folder.glob("*.toml"), key=lambda p: (p.stem != "standard", p.name)):
            try:
                template = read_template(path)
            except TemplateError as exc:
                errors.append(exc)
                continue
            taken = next((t for t in loaded if t.key == template.key), None)
            if taken is not None:
                errors.append(
                    TemplateError(
                        f"{path}: the key '{template.key}' is already used by {taken.source}; "
                        "give this template a key of its own."
                    )
                )
                continue
            loaded.append(template)
    return TemplateSet(tuple(loaded), tuple(errors))
