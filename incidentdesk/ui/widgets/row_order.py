"""Reordering a table model's rows in Python, keeping selections and persistent indexes.

Sorting thousands of rows through a ``QSortFilterProxyModel`` calls back into Python for
every comparison; sorting the model's own list once with a key is much cheaper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel


def reorder(
    model: QAbstractItemModel,
    rows: list[dict[str, Any]],
    ordered: list[dict[str, Any]],
    store: Callable[[list[dict[str, Any]]], None],
) -> None:
    """Replace ``rows`` (the model's current list) by ``ordered`` (the same rows, reordered),
    telling views; ``store`` puts the new list in place. Rows are identified by ``"id"``."""
    if [r["id"] for r in ordered] == [r["id"] for r in rows]:
        return
    model.layoutAboutToBeChanged.emit()
    before = model.persistentIndexList()
    ids = [rows[i.row()]["id"] for i in before]
    store(ordered)
    position = {r["id"]: i for i, r in enumerate(ordered)}
    after = [model.index(position[i], old.column()) for i, old in zip(ids, before, strict=True)]
    model.changePersistentIndexList(before, after)
    model.layoutChanged.emit()
