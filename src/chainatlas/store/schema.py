"""Table definitions of the ChainAtlas store (SQLAlchemy Core, portable column types).

Every table that holds imported facts carries provenance: ``source`` (where the record
came from), ``imported_at`` (when it was written) and ``confidence`` (0-1). Money is in
yuan (元) as double precision; shares are fractions in [0, 1].
"""

from __future__ import annotations

import sqlalchemy as sa

from chainatlas.store._meta import metadata, provenance

__all__ = [
    "chains",
    "enterprise_segments",
    "enterprise_years",
    "enterprises",
    "import_runs",
    "industries",
    "metadata",
    "region_group_members",
    "region_groups",
    "regions",
    "segment_edges",
    "segments",
    "supply_links",
]


def _fk(table: str, *, ondelete: str = "CASCADE", nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        f"{table.rstrip('s')}_id",
        sa.Integer,
        sa.ForeignKey(f"{table}.id", ondelete=ondelete),
        nullable=nullable,
    )


regions = sa.Table(
    "regions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column(
        "parent_id", sa.Integer, sa.ForeignKey("regions.id", ondelete="RESTRICT"), nullable=True
    ),
    sa.Column("country", sa.String(3), nullable=False, server_default="CN"),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    *provenance(),
    sa.CheckConstraint("level in ('country','province','city','district','park')", name="level"),
)

region_groups = sa.Table(
    "region_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column("kind", sa.String(40), nullable=False, server_default="cooperation_area"),
    *provenance(),
)

region_group_members = sa.Table(
    "region_group_members",
    metadata,
    sa.Column(
        "group_id",
        sa.Integer,
        sa.ForeignKey("region_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "region_id", sa.Integer, sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    ),
)

industries = sa.Table(
    "industries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("scheme", sa.String(20), nullable=False),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column(
        "parent_id", sa.Integer, sa.ForeignKey("industries.id", ondelete="RESTRICT"), nullable=True
    ),
    *provenance(),
    sa.UniqueConstraint("scheme", "code", name="uq_industries_scheme_code"),
    sa.CheckConstraint("scheme in ('gbt4754','shenwan','custom')", name="scheme"),
)

chains = sa.Table(
    "chains",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(60), nullable=False, unique=True),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column("description_zh", sa.Text, nullable=False, server_default=""),
    sa.Column("description_en", sa.Text, nullable=False, server_default=""),
    sa.Column("template_code", sa.String(60), nullable=True),
    sa.Column("template_version", sa.String(20), nullable=True),
    *provenance(),
)

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "chain_id", sa.Integer, sa.ForeignKey("chains.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("code", sa.String(60), nullable=False),
    sa.Column("name_zh", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
    sa.Column("position", sa.String(12), nullable=False),
    sa.Column("products", sa.JSON, nullable=False),
    sa.Column("products_en", sa.JSON, nullable=False),
    sa.Column("technologies", sa.JSON, nullable=False),
    sa.Column("choke_point", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("choke_technologies", sa.JSON, nullable=False),
    sa.Column("importance", sa.Float, nullable=False, server_default=sa.text("1.0")),
    sa.Column(
        "parent_id", sa.Integer, sa.ForeignKey("segments.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("industry_codes", sa.JSON, nullable=False),
    sa.Column("sort_order", sa.Integer, nullable=False, server_default=sa.text("0")),
    *provenance(),
    sa.UniqueConstraint("chain_id", "code", name="uq_segments_chain_code"),
    sa.CheckConstraint("position in ('upstream','midstream','downstream')", name="position"),
)

segment_edges = sa.Table(
    "segment_edges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "chain_id", sa.Integer, sa.ForeignKey("chains.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "supplier_segment_id",
        sa.Integer,
        sa.ForeignKey("segments.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "buyer_segment_id",
        sa.Integer,
        sa.ForeignKey("segments.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("input_class", sa.String(16), nullable=False, server_default="essential"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    *provenance(),
    sa.UniqueConstraint(
        "supplier_segment_id", "buyer_segment_id", name="uq_segment_edges_supplier_buyer"
    ),
    sa.CheckConstraint("supplier_segment_id <> buyer_segment_id", name="not_self"),
    sa.CheckConstraint(
        "input_class in ('irrelevant','non_essential','essential')", name="input_class"
    ),
)

enterprises = sa.Table(
    "enterprises",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("credit_code", sa.String(18), nullable=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("name_en", sa.String(300), nullable=False, server_default=""),
    sa.Column("name_norm", sa.String(300), nullable=False),
    sa.Column("aliases", sa.JSON, nullable=False),
    sa.Column(
        "region_id", sa.Integer, sa.ForeignKey("regions.id", ondelete="RESTRICT"), nullable=True
    ),
    sa.Column(
        "park_id", sa.Integer, sa.ForeignKey("regions.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column(
        "industry_id",
        sa.Integer,
        sa.ForeignKey("industries.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("size_class", sa.String(10), nullable=True),
    sa.Column("ownership", sa.String(20), nullable=True),
    sa.Column("founded_on", sa.Date, nullable=True),
    sa.Column("listed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("stock_code", sa.String(20), nullable=True),
    sa.Column("exchange", sa.String(40), nullable=True),
    sa.Column("listed_on", sa.Date, nullable=True),
    sa.Column("high_tech", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("srdi_level", sa.String(12), nullable=False, server_default="none"),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    *provenance(),
    sa.CheckConstraint("size_class in ('large','medium','small','micro')", name="size_class"),
    sa.CheckConstraint(
        "srdi_level in ('none','seedling','provincial','national')", name="srdi_level"
    ),
)
# Unique indexes rather than table constraints, so that bulk loads can drop and rebuild
# them (SQLite cannot drop a constraint declared inside CREATE TABLE).
sa.Index("uq_enterprises_credit_code", enterprises.c.credit_code, unique=True)
sa.Index("ix_enterprises_name_norm_region", enterprises.c.name_norm, enterprises.c.region_id)
sa.Index("ix_enterprises_region_id", enterprises.c.region_id)
sa.Index("ix_enterprises_stock_code", enterprises.c.stock_code)

enterprise_years = sa.Table(
    "enterprise_years",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("enterprises"),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("output_value", sa.Float, nullable=True),
    sa.Column("revenue", sa.Float, nullable=True),
    sa.Column("employees", sa.Integer, nullable=True),
    sa.Column("rd_spend", sa.Float, nullable=True),
    sa.Column("patents", sa.Integer, nullable=True),
    sa.Column("tax", sa.Float, nullable=True),
    sa.Column("energy_use", sa.Float, nullable=True),
    *provenance(),
    sa.UniqueConstraint("enterprise_id", "year", name="uq_enterprise_years_enterprise_year"),
)

enterprise_segments = sa.Table(
    "enterprise_segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _fk("enterprises"),
    _fk("segments"),
    sa.Column("main_product", sa.String(300), nullable=False, server_default=""),
    sa.Column("revenue_share", sa.Float, nullable=True),
    *provenance(),
    sa.UniqueConstraint(
        "enterprise_id", "segment_id", name="uq_enterprise_segments_enterprise_segment"
    ),
    sa.CheckConstraint("revenue_share >= 0 and revenue_share <= 1", name="share"),
)
sa.Index("ix_enterprise_segments_segment_id", enterprise_segments.c.segment_id)

supply_links = sa.Table(
    "supply_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "supplier_id",
        sa.Integer,
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "buyer_id", sa.Integer, sa.ForeignKey("enterprises.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("product", sa.String(300), nullable=False, server_default=""),
    sa.Column(
        "segment_id", sa.Integer, sa.ForeignKey("segments.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("annual_value", sa.Float, nullable=True),
    sa.Column("share", sa.Float, nullable=True),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_to", sa.Date, nullable=True),
    *provenance(),
    sa.CheckConstraint("supplier_id <> buyer_id", name="not_self"),
    sa.CheckConstraint("share >= 0 and share <= 1", name="share"),
    sa.CheckConstraint("annual_value >= 0", name="value"),
)
sa.Index(
    "uq_supply_links_key",
    supply_links.c.supplier_id,
    supply_links.c.buyer_id,
    supply_links.c.product,
    unique=True,
)
sa.Index("ix_supply_links_buyer_id", supply_links.c.buyer_id)
sa.Index("ix_supply_links_segment_id", supply_links.c.segment_id)

import_runs = sa.Table(
    "import_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("file", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
    sa.Column("skipped", sa.Integer, nullable=False),
)

# Register the activity tables on the same metadata.
import chainatlas.store.schema_access as _access  # noqa: E402,F401
import chainatlas.store.schema_activity as _activity  # noqa: E402,F401
