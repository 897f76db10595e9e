"""The service catalog written back as TOML (``incidentdesk catalog export``).

A small TOML emitter for the catalog's shape; :func:`incidentdesk.core.catalog.model.parse_toml`
reads its output back to an equal catalog (a property test checks any text survives).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from incidentdesk.core.catalog.model import Catalog
from incidentdesk.core.catalog.payload import catalog_to_dict

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}  # fmt: skip


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters (DEL too) escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(catalog: Catalog) -> str:
    """The catalog as a TOML file that :func:`parse_toml` reads back to an equal catalog."""
    data = catalog_to_dict(catalog)
    lines = [
        "# IncidentDesk service ownership catalog (incidentdesk catalog export).",
        "# Secrets are named here, never stored: set them with `incidentdesk secret set NAME`.",
    ]
    for table in ("people", "teams", "services", "policies", "targets"):
        for entry in data[table]:
            lines += ["", f"[[{table}]]"]
            levels = entry.pop("levels", None) if table == "policies" else None
            for key, value in entry.items():
                if table == "targets" and key == "options" and not value:
                    continue
                lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
            for level in levels or []:
                lines.append("[[policies.levels]]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in level.items()]
    return "\n".join(lines) + "\n"
