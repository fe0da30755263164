"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 01:51:30.307707
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "chains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("description_zh", sa.Text(), server_default="", nullable=False),
        sa.Column("description_en", sa.Text(), server_default="", nullable=False),
        sa.Column("template_code", sa.String(length=60), nullable=True),
        sa.Column("template_version", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chains")),
        sa.UniqueConstraint("code", name=op.f("uq_chains_code")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("unit", sa.String(length=40), server_default="", nullable=False),
        sa.Column("definition", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
    )
    op.create_table(
        "industries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "scheme in ('gbt4754','shenwan','custom')", name=op.f("ck_industries_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["industries.id"],
            name=op.f("fk_industries_parent_id_industries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industries")),
        sa.UniqueConstraint("scheme", "code", name="uq_industries_scheme_code"),
    )
    op.create_table(
        "region_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=40), server_default="cooperation_area", nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_groups")),
        sa.UniqueConstraint("code", name=op.f("uq_region_groups_code")),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=3), server_default="CN", nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "level in ('country','province','city','district','park')",
            name=op.f("ck_regions_level"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["regions.id"],
            name=op.f("fk_regions_parent_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), server_default="", nullable=False),
        sa.Column("name_norm", sa.String(length=300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("industry_id", sa.Integer(), nullable=True),
        sa.Column("size_class", sa.String(length=10), nullable=True),
        sa.Column("ownership", sa.String(length=20), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("listed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("stock_code", sa.String(length=20), nullable=True),
        sa.Column("exchange", sa.String(length=40), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("high_tech", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("srdi_level", sa.String(length=12), server_default="none", nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "size_class in ('large','medium','small','micro')",
            name=op.f("ck_enterprises_size_class"),
        ),
        sa.CheckConstraint(
            "srdi_level in ('none','seedling','provincial','national')",
            name=op.f("ck_enterprises_srdi_level"),
        ),
        sa.ForeignKeyConstraint(
            ["industry_id"],
            ["industries.id"],
            name=op.f("fk_enterprises_industry_id_industries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["regions.id"],
            name=op.f("fk_enterprises_park_id_regions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_enterprises_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
    )
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enterprises_name_norm_region", ["name_norm", "region_id"], unique=False
        )
        batch_op.create_index("ix_enterprises_region_id", ["region_id"], unique=False)
        batch_op.create_index("ix_enterprises_stock_code", ["stock_code"], unique=False)
        batch_op.create_index("uq_enterprises_credit_code", ["credit_code"], unique=True)

    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chains.id"],
            name=op.f("fk_indicator_values_chain_id_chains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_values_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_indicator_values_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
    )
    op.create_table(
        "innovation_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "kind in ('university','lab','platform','institute','incubator','other')",
            name=op.f("ck_innovation_resources_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_innovation_resources_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_innovation_resources")),
        sa.UniqueConstraint("code", name=op.f("uq_innovation_resources_code")),
    )
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("title_en", sa.String(length=500), server_default="", nullable=False),
        sa.Column("issuer", sa.String(length=300), server_default="", nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("benefits", sa.Text(), server_default="", nullable=False),
        sa.Column("benefits_en", sa.Text(), server_default="", nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=500), server_default="", nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_policies_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("code", name=op.f("uq_policies_code")),
    )
    op.create_table(
        "region_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["region_groups.id"],
            name=op.f("fk_region_group_members_group_id_region_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_region_group_members_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "region_id", name=op.f("pk_region_group_members")),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("position", sa.String(length=12), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("products_en", sa.JSON(), nullable=False),
        sa.Column("technologies", sa.JSON(), nullable=False),
        sa.Column("choke_point", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("choke_technologies", sa.JSON(), nullable=False),
        sa.Column("importance", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("industry_codes", sa.JSON(), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "position in ('upstream','midstream','downstream')", name=op.f("ck_segments_position")
        ),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chains.id"],
            name=op.f("fk_segments_chain_id_chains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["segments.id"],
            name=op.f("fk_segments_parent_id_segments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("chain_id", "code", name="uq_segments_chain_code"),
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_id"], ["chains.id"], name=op.f("fk_targets_chain_id_chains"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_targets_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_targets_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    op.create_table(
        "capital_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_capital_records_amount")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_capital_records_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_capital_records_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_capital_records_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capital_records")),
    )
    op.create_table(
        "docking_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("product", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=40), server_default="", nullable=False),
        sa.Column("specification", sa.Text(), server_default="", nullable=False),
        sa.Column("preferred_regions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint("kind in ('need','capability')", name=op.f("ck_docking_needs_kind")),
        sa.CheckConstraint(
            "status in ('open','matched','closed')", name=op.f("ck_docking_needs_status")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_docking_needs_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_docking_needs")),
        sa.UniqueConstraint("code", name=op.f("uq_docking_needs_code")),
    )
    op.create_table(
        "enterprise_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("main_product", sa.String(length=300), server_default="", nullable=False),
        sa.Column("revenue_share", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "revenue_share >= 0 and revenue_share <= 1", name=op.f("ck_enterprise_segments_share")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_segments_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_enterprise_segments_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_segments")),
        sa.UniqueConstraint(
            "enterprise_id", "segment_id", name="uq_enterprise_segments_enterprise_segment"
        ),
    )
    with op.batch_alter_table("enterprise_segments", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_segments_segment_id", ["segment_id"], unique=False)

    op.create_table(
        "enterprise_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("output_value", sa.Float(), nullable=True),
        sa.Column("revenue", sa.Float(), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("rd_spend", sa.Float(), nullable=True),
        sa.Column("patents", sa.Integer(), nullable=True),
        sa.Column("tax", sa.Float(), nullable=True),
        sa.Column("energy_use", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_years_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_years")),
        sa.UniqueConstraint("enterprise_id", "year", name="uq_enterprise_years_enterprise_year"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("product", sa.String(length=300), nullable=True),
        sa.Column("severity", sa.Float(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "kind in ('region','product','enterprise','foreign_source')",
            name=op.f("ck_events_kind"),
        ),
        sa.CheckConstraint("severity >= 0 and severity <= 1", name=op.f("ck_events_severity")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_events_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_events_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("code", name=op.f("uq_events_code")),
    )
    op.create_table(
        "innovation_resource_segments",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["innovation_resources.id"],
            name=op.f("fk_innovation_resource_segments_resource_id_innovation_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_innovation_resource_segments_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "resource_id", "segment_id", name=op.f("pk_innovation_resource_segments")
        ),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), server_default="", nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("investment", sa.Float(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("expected_completion", sa.Date(), nullable=True),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "stage in ('lead','negotiating','signed','construction','production',"
            "'completed','cancelled')",
            name=op.f("ck_projects_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chains.id"],
            name=op.f("fk_projects_chain_id_chains"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_projects_enterprise_id_enterprises"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_projects_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_projects_segment_id_segments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    op.create_table(
        "segment_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("supplier_segment_id", sa.Integer(), nullable=False),
        sa.Column("buyer_segment_id", sa.Integer(), nullable=False),
        sa.Column("input_class", sa.String(length=16), server_default="essential", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint(
            "input_class in ('irrelevant','non_essential','essential')",
            name=op.f("ck_segment_edges_input_class"),
        ),
        sa.CheckConstraint(
            "supplier_segment_id <> buyer_segment_id", name=op.f("ck_segment_edges_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_segment_id"],
            ["segments.id"],
            name=op.f("fk_segment_edges_buyer_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["chains.id"],
            name=op.f("fk_segment_edges_chain_id_chains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_segment_id"],
            ["segments.id"],
            name=op.f("fk_segment_edges_supplier_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_edges")),
        sa.UniqueConstraint(
            "supplier_segment_id", "buyer_segment_id", name="uq_segment_edges_supplier_buyer"
        ),
    )
    op.create_table(
        "supply_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=300), server_default="", nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("annual_value", sa.Float(), nullable=True),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint("annual_value >= 0", name=op.f("ck_supply_links_value")),
        sa.CheckConstraint("share >= 0 and share <= 1", name=op.f("ck_supply_links_share")),
        sa.CheckConstraint("supplier_id <> buyer_id", name=op.f("ck_supply_links_not_self")),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["enterprises.id"],
            name=op.f("fk_supply_links_buyer_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_supply_links_segment_id_segments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["enterprises.id"],
            name=op.f("fk_supply_links_supplier_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_links")),
    )
    with op.batch_alter_table("supply_links", schema=None) as batch_op:
        batch_op.create_index("ix_supply_links_buyer_id", ["buyer_id"], unique=False)
        batch_op.create_index("ix_supply_links_segment_id", ["segment_id"], unique=False)
        batch_op.create_index(
            "uq_supply_links_key", ["supplier_id", "buyer_id", "product"], unique=True
        )

    op.create_table(
        "talent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float(), server_default=sa.text("(1.0)"), nullable=False),
        sa.CheckConstraint("headcount >= 0", name=op.f("ck_talent_records_headcount")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_talent_records_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_talent_records_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_talent_records_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_records")),
    )


def downgrade() -> None:

    op.drop_table("talent_records")
    with op.batch_alter_table("supply_links", schema=None) as batch_op:
        batch_op.drop_index("uq_supply_links_key")
        batch_op.drop_index("ix_supply_links_buyer_id")
        batch_op.drop_index("ix_supply_links_segment_id")

    op.drop_table("supply_links")
    op.drop_table("segment_edges")
    op.drop_table("projects")
    op.drop_table("innovation_resource_segments")
    op.drop_table("events")
    op.drop_table("enterprise_years")
    with op.batch_alter_table("enterprise_segments", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_segments_segment_id")

    op.drop_table("enterprise_segments")
    op.drop_table("docking_needs")
    op.drop_table("capital_records")
    op.drop_table("targets")
    op.drop_table("segments")
    op.drop_table("region_group_members")
    op.drop_table("policies")
    op.drop_table("innovation_resources")
    op.drop_table("indicator_values")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index("uq_enterprises_credit_code")
        batch_op.drop_index("ix_enterprises_stock_code")
        batch_op.drop_index("ix_enterprises_region_id")
        batch_op.drop_index("ix_enterprises_name_norm_region")

    op.drop_table("enterprises")
    op.drop_table("regions")
    op.drop_table("region_groups")
    op.drop_table("industries")
    op.drop_table("indicators")
    op.drop_table("import_runs")
    op.drop_table("chains")
