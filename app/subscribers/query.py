"""Which subscribers a filter selects, as SQL: shared by pages, streamed and background exports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.subscribers.schemas import SubscriberFilter

__all__ = ["ORDER", "SEARCH", "Selection"]

# Newest first; the id breaks ties (a sync inserts many rows with one created_at).
ORDER = "created_at DESC, id DESC"
# The search words, all as prefixes, through the full-text index (migration 0006).
SEARCH = "subscriber_search_doc(email, first_name, last_name) @@ subscriber_search_query({})"


@dataclass
class Selection:
    """``WHERE`` conditions and their arguments, numbered from ``$1``."""

    conditions: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    @classmethod
    def of(cls, team_id: uuid.UUID, spec: SubscriberFilter, *, search: bool = True) -> Selection:
        """The filter's conditions; without the search words if not ``search`` (see
        ``search_condition``)."""
        # team_id is also what RLS enforces; stated here so the planner uses the team indexes.
        selection = cls()
        selection.add("team_id = {}", team_id)
        selection.conditions.append(
            "deleted_at IS NOT NULL" if spec.deleted else "deleted_at IS NULL"
        )
        if spec.status is not None:
            selection.add("status = {}", spec.status)
        if spec.connection_id is not None:
            selection.add("esp_connection_id = {}", spec.connection_id)
        if search and spec.search is not None:
            selection.add(SEARCH, spec.search)
        return selection

    def add(self, condition: str, *values: Any) -> None:
        """A condition with ``{}`` where each value goes (as the next ``$n``)."""
        start = len(self.args) + 1
        self.args.extend(values)
        self.conditions.append(condition.format(*(f"${start + i}" for i in range(len(values)))))

    @property
    def where(self) -> str:
        return " AND ".join(self.conditions)
