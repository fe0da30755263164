"""Tables for accounts and access: users, their region scopes, sessions, API tokens, audit log.

Passwords, session tokens and API tokens are never stored in clear: ``password_hash`` holds
an argon2 hash, ``user_sessions.id`` and ``api_tokens.token_hash`` the SHA-256 of the token.
Roles: ``admin`` (everything), ``analyst`` (the regions in ``user_regions``, all when none),
``enterprise`` (only ``enterprise_id``), ``viewer`` (read-only).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainatlas.store._meta import metadata

__all__ = ["api_tokens", "audit_log", "user_regions", "user_sessions", "users"]

ROLES = ("admin", "analyst", "enterprise", "viewer")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(12), nullable=False),
    sa.Column(
        "enterprise_id",
        sa.Integer,
        sa.ForeignKey("enterprises.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("locale", sa.String(5), nullable=False, server_default="zh"),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role in ('admin','analyst','enterprise','viewer')", name="role"),
    sa.CheckConstraint("locale in ('zh','en')", name="locale"),
)

user_regions = sa.Table(
    "user_regions",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "region_id", sa.Integer, sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    ),
)

user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("ix_user_sessions_user_id", user_sessions.c.user_id)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("prefix", sa.String(12), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("username", sa.String(80), nullable=False, server_default=""),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False, server_default=""),
    sa.Column("entity_id", sa.String(100), nullable=False, server_default=""),
    sa.Column("detail", sa.JSON, nullable=True),
    sa.Column("ip", sa.String(64), nullable=False, server_default=""),
)
sa.Index("ix_audit_log_at", audit_log.c.at)
