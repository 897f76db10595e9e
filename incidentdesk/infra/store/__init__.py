"""Storage: the only code that speaks SQL."""

from incidentdesk.infra.store.local import LocalStore, StoreError

__all__ = ["LocalStore", "StoreError"]
