"""Models of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .common import Model

__all__ = ["AuditEntry", "AuditList"]


class AuditEntry(Model):
    """Who changed what, when and from where."""

    id: int
    at: datetime | None
    user_id: int | None
    username: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any] | None
    ip: str


class AuditList(Model):
    """The newest audit records first."""

    data: list[AuditEntry]
    count: int
