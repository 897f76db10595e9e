"""Action items of the incidents a metrics report counts, by status (and how many are overdue).

Pure: the rows come from the Desk (``Desk.action_items.rows()``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class ActionItemCounts:
    """The action items of the incidents counted, by status (overdue: open or in progress
    and due before the day the report is made)."""

    open: int = 0
    in_progress: int = 0
    done: int = 0
    wont_do: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        """Every action item counted."""
        return self.open + self.in_progress + self.done + self.wont_do

    def sentence(self) -> str:
        """``Action items: 3 open, 1 in progress, 5 done, 0 won't do; 2 overdue.``"""
        if not self.total:
            return "Action items: none in these incidents' post-mortems."
        return (
            f"Action items: {self.open} open, {self.in_progress} in progress, {self.done} done, "
            f"{self.wont_do} won't do; {self.overdue} overdue."
        )

    def as_json(self) -> dict[str, int]:
        """Stable keys."""
        return {
            "open": self.open,
            "in_progress": self.in_progress,
            "done": self.done,
            "wont_do": self.wont_do,
            "overdue": self.overdue,
            "total": self.total,
        }


def tally_action_items(
    items: Iterable[Mapping[str, Any]], incidents: set[str], today: date
) -> ActionItemCounts:
    """The action items of the incidents named, by status; overdue against ``today``."""
    counts = Counter[str]()
    for item in items:
        if str(item.get("incident_id")) not in incidents:
            continue
        status = str(item.get("status"))
        counts[status] += 1
        due = item.get("due")
        if status in ("open", "in_progress") and due and str(due) < today.isoformat():
            counts["overdue"] += 1
    return ActionItemCounts(
        open=counts["open"],
        in_progress=counts["in_progress"],
        done=counts["done"],
        wont_do=counts["wont_do"],
        overdue=counts["overdue"],
    )
