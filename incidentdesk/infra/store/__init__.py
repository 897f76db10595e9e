"""Storage: the only code that speaks SQL.

``LocalStore`` and ``StoreError`` load on first use (they bring SQLAlchemy), so the lean
first read (:mod:`incidentdesk.infra.store.glance`) can run before SQLAlchemy is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incidentdesk.infra.store.local import LocalStore, StoreError

__all__ = ["LocalStore", "StoreError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from incidentdesk.infra.store import local

        return getattr(local, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
