"""Where the material from outside lives: ``../shared`` next to the repository.

The fixtures (PagerDuty's published OpenAPI description, Backstage's example entities) are
read at run time, never copied into the repository. The folder is looked for beside this
checkout, then beside the repository it was cloned from (CI runs in a fresh clone elsewhere),
or where ``INCIDENTDESK_SHARED_DIR`` says.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _origin() -> Path | None:
    """The local repository this checkout was cloned from, if any."""
    try:
        url = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if url.startswith("file://"):
        url = url.removeprefix("file://")
    if not url or "://" in url or url.startswith("git@"):
        return None
    path = Path(url)
    return path if path.is_dir() else None


def shared_dir() -> Path:
    """The ``shared`` folder (it may not exist: callers skip, or fail under CI)."""
    explicit = os.environ.get("INCIDENTDESK_SHARED_DIR")
    if explicit:
        return Path(explicit)
    candidates = [ROOT.parent / "shared"]
    origin = _origin()
    if origin is not None:
        candidates.append(origin.resolve().parent / "shared")
    for candidate in candidates:
        if (candidate / "fixtures").is_dir():
            return candidate
    return candidates[0]
