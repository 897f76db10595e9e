"""The catalog as plain data (the TOML file's shape), and the ``catalog.imported`` event."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from incidentdesk.core.catalog.model import Catalog, catalog_from_dict
from incidentdesk.core.catalog.options import plain
from incidentdesk.core.errors import DomainError

Payload = dict[str, Any]


def catalog_to_dict(catalog: Catalog) -> Payload:
    """The catalog as plain JSON-able data, in the TOML file's shape (``None`` left out)."""

    def clean(obj: Any) -> dict[str, Any]:
        row = {k: v for k, v in obj.__dict__.items() if v is not None}
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in row.items()}

    return {
        "people": [clean(p) for p in catalog.people],
        "teams": [clean(t) for t in catalog.teams],
        "services": [clean(s) for s in catalog.services],
        "policies": [
            {
                "name": p.name,
                "repeat": p.repeat,
                "levels": [
                    {"targets": list(lv.targets), "ack_timeout_minutes": lv.ack_timeout_minutes}
                    for lv in p.levels
                ],
            }
            for p in catalog.policies
        ],
        "targets": [
            {"name": t.name, "adapter": t.adapter, "secret": t.secret, "options": plain(t.options)}
            for t in catalog.targets
        ],
    }


def _imported(p: Mapping[str, Any]) -> Payload:
    source = p.get("source", "")
    if not isinstance(source, str):
        raise DomainError("The catalog event's 'source' must be text.")
    if "catalog" not in p:
        raise DomainError("The event is missing 'catalog'.")
    data = p["catalog"]
    if not isinstance(data, Mapping):
        raise DomainError("The catalog event's 'catalog' must be a table of tables.")
    catalog = catalog_from_dict(data, "the catalog event")
    return {"source": source, "catalog": catalog_to_dict(catalog)}


# Payload validators for this module's event kinds; merged into events.VALIDATORS.
PAYLOADS: dict[str, Callable[[Mapping[str, Any]], Payload]] = {"catalog.imported": _imported}
