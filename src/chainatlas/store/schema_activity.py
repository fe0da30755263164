"""Tables around the chain.

Innovation resources, talent, capital, projects, policies, indicators, docking needs and
events (the "four chains" and the chain-leader work).
"""

from __future__ import annotations

import sqlalchemy as sa

from chainatlas.store._meta import metadata, provenance

__all__ = [
    "capital_records",
    "docking_leads",
    "docking_needs",
    "events",
    "indicator_values",
    "indicators",
    "innovation_resource_segments",
    "innovation_resources",
    "policies",
    "projects",
    "talent_records",
    "targets",
]


def _ref(
    table: str, name: str, *, nullable: bool = True, ondelete: str = "SET NULL"
) -> sa.Column[int]:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable
    )


innovation_resources = sa.Table(
    "innovation_resources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(60), nullable=False, unique=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("name_en", sa.String(300), nullable=False, server_default=""),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("level", sa.String(20), nullable=True),
    _ref("regions", "region_id", ondelete="RESTRICT"),
    *provenance(),
    sa.CheckConstraint(
        "kind in ('university','lab','platform','institute','incubator','other')", name="kind"
    ),
)

innovation_resource_segments = sa.Table(
    "innovation_resource_segments",
    metadata,
    sa.Column(
        "resource_id",
        sa.Integer,
        sa.ForeignKey("innovation_resources.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "segment_id", sa.Integer, sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    ),
)

talent_records = sa.Table(
    "talent_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _ref("regions", "region_id", nullable=False, ondelete="RESTRICT"),
    _ref("segments", "segment_id", ondelete="CASCADE"),
    _ref("enterprises", "enterprise_id", ondelete="CASCADE"),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("category", sa.String(60), nullable=False),
    sa.Column("headcount", sa.Integer, nullable=False),
    *provenance(),
    sa.CheckConstraint("headcount >= 0", name="headcount"),
)

capital_records = sa.Table(
    "capital_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    _ref("regions", "region_id", ondelete="RESTRICT"),
    _ref("segments", "segment_id", ondelete="CASCADE"),
    _ref("enterprises", "enterprise_id", ondelete="CASCADE"),
    sa.Column("amount", sa.Float, nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    *provenance(),
    sa.CheckConstraint("amount >= 0", name="amount"),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(60), nullable=False, unique=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("name_en", sa.String(300), nullable=False, server_default=""),
    _ref("chains", "chain_id"),
    _ref("segments", "segment_id"),
    _ref("enterprises", "enterprise_id"),
    _ref("regions", "region_id", ondelete="RESTRICT"),
    sa.Column("investment", sa.Float, nullable=True),
    sa.Column("stage", sa.String(20), nullable=False),
    sa.Column("started_on", sa.Date, nullable=True),
    sa.Column("expected_completion", sa.Date, nullable=True),
    sa.Column("milestones", sa.JSON, nullable=False),
    *provenance(),
    sa.CheckConstraint(
        "stage in ('lead','negotiating','signed','construction','production','completed',"
        "'cancelled')",
        name="stage",
    ),
)

policies = sa.Table(
    "policies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(60), nullable=False, unique=True),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("title_en", sa.String(500), nullable=False, server_default=""),
    sa.Column("issuer", sa.String(300), nullable=False, server_default=""),
    _ref("regions", "region_id", ondelete="RESTRICT"),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Column("benefits", sa.Text, nullable=False, server_default=""),
    sa.Column("benefits_en", sa.Text, nullable=False, server_default=""),
    sa.Column("eligibility", sa.JSON, nullable=False),
    sa.Column("url", sa.String(500), nullable=False, server_default=""),
    *provenance(),
)

indicators = sa.Table(
    "indicators",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(60), nullable=False, unique=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column("unit", sa.String(40), nullable=False, server_default=""),
    sa.Column("definition", sa.Text, nullable=False, server_default=""),
    *provenance(),
)

indicator_values = sa.Table(
    "indicator_values",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _ref("indicators", "indicator_id", nullable=False, ondelete="CASCADE"),
    _ref("regions", "region_id", nullable=False, ondelete="CASCADE"),
    _ref("chains", "chain_id", ondelete="CASCADE"),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    *provenance(),
)

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _ref("indicators", "indicator_id", nullable=False, ondelete="CASCADE"),
    _ref("regions", "region_id", nullable=False, ondelete="CASCADE"),
    _ref("chains", "chain_id", ondelete="CASCADE"),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("target_value", sa.Float, nullable=False),
    *provenance(),
)

docking_needs = sa.Table(
    "docking_needs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(60), nullable=False, unique=True),
    _ref("enterprises", "enterprise_id", nullable=False, ondelete="CASCADE"),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("product", sa.String(300), nullable=False),
    sa.Column("quantity", sa.Float, nullable=True),
    sa.Column("unit", sa.String(40), nullable=False, server_default=""),
    sa.Column("specification", sa.Text, nullable=False, server_default=""),
    sa.Column("preferred_regions", sa.JSON, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="open"),
    sa.Column("posted_on", sa.Date, nullable=True),
    *provenance(),
    sa.CheckConstraint("kind in ('need','capability')", name="kind"),
    sa.CheckConstraint("status in ('open','matched','closed')", name="status"),
)

docking_leads = sa.Table(
    "docking_leads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _ref("docking_needs", "need_id", nullable=False, ondelete="CASCADE"),
    _ref("enterprises", "counterpart_id", nullable=False, ondelete="CASCADE"),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="proposed"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    *provenance(),
    sa.UniqueConstraint("need_id", "counterpart_id", name="uq_docking_leads_need_counterpart"),
    sa.CheckConstraint("status in ('proposed','contacted','deal','declined')", name="status"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(60), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),
    _ref("regions", "region_id", ondelete="CASCADE"),
    _ref("enterprises", "enterprise_id", ondelete="CASCADE"),
    sa.Column("product", sa.String(300), nullable=True),
    sa.Column("severity", sa.Float, nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("ended_on", sa.Date, nullable=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    *provenance(),
    sa.CheckConstraint("kind in ('region','product','enterprise','foreign_source')", name="kind"),
    sa.CheckConstraint("severity >= 0 and severity <= 1", name="severity"),
)
