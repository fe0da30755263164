"""Import specs of the records around the chain.

Innovation resources, talent, capital, projects, policies, indicators, docking needs, events.
"""

from __future__ import annotations

from chainatlas.importers.fields import EntitySpec, FieldSpec, ValueKind, choices
from chainatlas.importers.specs_core import PROVENANCE_FIELDS
from chainatlas.store import schema_activity as s

__all__ = ["ACTIVITY_SPECS"]

K = ValueKind

_ENTERPRISE_ALIASES = ("企业", "统一社会信用代码", "企业名称", "credit_code")
_CHAIN = FieldSpec("chain", K.REF, ("产业链", "产业链代码", "chain_code"), ref="chain")
_CHAIN_CONTEXT = FieldSpec(
    "chain", K.REF, ("产业链", "产业链代码", "chain_code"), ref="chain", column=""
)
_SEGMENT = FieldSpec(
    "segment", K.REF, ("环节", "环节代码", "segment_code"), ref="segment", ref_context="chain"
)
_REGION = FieldSpec("region", K.REF, ("地区", "地区代码", "region_code"), ref="region")

INNOVATION_RESOURCES = EntitySpec(
    kind="innovation_resources",
    table=s.innovation_resources,
    title_zh="创新资源",
    doc="Universities, laboratories, platforms, institutes and incubators.",
    fields=(
        FieldSpec("code", K.TEXT, ("代码", "编号", "resource_code")),
        FieldSpec("name", K.TEXT, ("名称", "机构名称", "resource_name")),
        FieldSpec("name_en", K.TEXT, ("英文名称", "english_name")),
        FieldSpec(
            "kind",
            K.CHOICE,
            ("类型", "类别", "type"),
            choices=choices(
                ("university", ("高校", "大学", "高等院校")),
                ("lab", ("实验室", "重点实验室", "laboratory")),
                ("platform", ("平台", "创新平台", "技术创新中心", "工程研究中心")),
                ("institute", ("研究院", "科研院所", "研究所")),
                ("incubator", ("孵化器", "众创空间")),
                ("other", ("其他", "其它")),
            ),
        ),
        FieldSpec("level", K.TEXT, ("级别", "等级")),
        _REGION,
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "name", "kind"),
)

RESOURCE_SEGMENTS = EntitySpec(
    kind="innovation_resource_segments",
    table=s.innovation_resource_segments,
    title_zh="创新资源服务环节",
    doc="Which chain segments an innovation resource supports.",
    fields=(
        FieldSpec("resource", K.REF, ("创新资源", "资源代码", "resource_code"), ref="resource"),
        _CHAIN_CONTEXT,
        _SEGMENT,
    ),
    identity=(("resource", "segment"),),
    create_required=("resource", "chain", "segment"),
)

TALENT = EntitySpec(
    kind="talent_records",
    table=s.talent_records,
    title_zh="人才",
    doc="Headcounts of talent by region, segment or enterprise, year and category.",
    fields=(
        _REGION,
        _CHAIN_CONTEXT,
        _SEGMENT,
        FieldSpec("enterprise", K.REF, _ENTERPRISE_ALIASES, ref="enterprise"),
        FieldSpec("year", K.INT, ("年份", "年度")),
        FieldSpec("category", K.TEXT, ("人才类别", "类别", "类型")),
        FieldSpec("headcount", K.INT, ("人数", "数量", "count"), minimum=0.0),
        *PROVENANCE_FIELDS,
    ),
    identity=(("region", "segment", "enterprise", "year", "category"),),
    create_required=("region", "year", "category", "headcount"),
)

CAPITAL = EntitySpec(
    kind="capital_records",
    table=s.capital_records,
    title_zh="资本",
    doc="Funds, investments, loans and listings that bring capital to the chain.",
    fields=(
        FieldSpec("name", K.TEXT, ("名称", "基金名称", "项目名称")),
        FieldSpec("kind", K.TEXT, ("类型", "资本类型", "type")),
        _REGION,
        _CHAIN_CONTEXT,
        _SEGMENT,
        FieldSpec("enterprise", K.REF, _ENTERPRISE_ALIASES, ref="enterprise"),
        FieldSpec("amount", K.MONEY, ("金额", "规模", "融资额"), minimum=0.0),
        FieldSpec("occurred_on", K.DATE, ("日期", "时间", "date")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("name", "kind", "occurred_on", "enterprise", "segment"),),
    create_required=("name", "kind", "amount", "occurred_on"),
)

PROJECTS = EntitySpec(
    kind="projects",
    table=s.projects,
    title_zh="重点项目",
    doc="Investment projects with stage and milestones.",
    fields=(
        FieldSpec("code", K.TEXT, ("项目代码", "项目编号", "project_code")),
        FieldSpec("name", K.TEXT, ("项目名称", "名称", "project_name")),
        FieldSpec("name_en", K.TEXT, ("英文名称",)),
        _CHAIN,
        _SEGMENT,
        FieldSpec("enterprise", K.REF, _ENTERPRISE_ALIASES, ref="enterprise"),
        _REGION,
        FieldSpec("investment", K.MONEY, ("投资额", "总投资", "计划投资"), minimum=0.0),
        FieldSpec(
            "stage",
            K.CHOICE,
            ("阶段", "项目阶段", "状态"),
            choices=choices(
                ("lead", ("线索", "在谈前")),
                ("negotiating", ("在谈", "洽谈")),
                ("signed", ("签约", "已签约")),
                ("construction", ("在建", "开工", "建设中")),
                ("production", ("投产", "已投产")),
                ("completed", ("竣工", "完成", "已完成")),
                ("cancelled", ("取消", "终止")),
            ),
        ),
        FieldSpec("started_on", K.DATE, ("开工日期", "开始日期")),
        FieldSpec("expected_completion", K.DATE, ("预计完成", "预计竣工日期")),
        FieldSpec("milestones", K.JSON, ("里程碑",), default=[]),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "name", "stage"),
)

POLICIES = EntitySpec(
    kind="policies",
    table=s.policies,
    title_zh="政策",
    doc="Policies with a machine-readable eligibility rule (JSON).",
    fields=(
        FieldSpec("code", K.TEXT, ("政策编号", "编号", "policy_code")),
        FieldSpec("title", K.TEXT, ("政策名称", "标题", "名称", "name")),
        FieldSpec("title_en", K.TEXT, ("英文名称", "english_title")),
        FieldSpec("issuer", K.TEXT, ("发布部门", "发文单位", "发布机构")),
        _REGION,
        FieldSpec("valid_from", K.DATE, ("生效日期", "开始日期")),
        FieldSpec("valid_to", K.DATE, ("失效日期", "截止日期")),
        FieldSpec("benefits", K.TEXT, ("支持内容", "政策内容", "扶持内容")),
        FieldSpec("benefits_en", K.TEXT, ("英文支持内容",)),
        FieldSpec("eligibility", K.JSON, ("申报条件", "适用条件", "条件", "rule"), default={}),
        FieldSpec("url", K.TEXT, ("链接", "网址", "link")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "title"),
)

INDICATORS = EntitySpec(
    kind="indicators",
    table=s.indicators,
    title_zh="指标",
    doc="Indicator definitions.",
    fields=(
        FieldSpec("code", K.TEXT, ("指标代码", "代码", "indicator_code")),
        FieldSpec("name_zh", K.TEXT, ("指标名称", "名称", "name")),
        FieldSpec("name_en", K.TEXT, ("英文名称",)),
        FieldSpec("unit", K.TEXT, ("单位",)),
        FieldSpec("definition", K.TEXT, ("定义", "口径", "说明")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "name_zh"),
)

_VALUE_FIELDS = (
    FieldSpec("indicator", K.REF, ("指标", "指标代码", "indicator_code"), ref="indicator"),
    _REGION,
    _CHAIN,
    FieldSpec("year", K.INT, ("年份", "年度")),
)

INDICATOR_VALUES = EntitySpec(
    kind="indicator_values",
    table=s.indicator_values,
    title_zh="指标值",
    doc="Observed indicator values by region, chain and year.",
    fields=(*_VALUE_FIELDS, FieldSpec("value", K.FLOAT, ("数值", "值")), *PROVENANCE_FIELDS),
    identity=(("indicator", "region", "chain", "year"),),
    create_required=("indicator", "region", "year", "value"),
)

TARGETS = EntitySpec(
    kind="targets",
    table=s.targets,
    title_zh="目标",
    doc="Indicator targets by region, chain and year.",
    fields=(
        *_VALUE_FIELDS,
        FieldSpec("target_value", K.FLOAT, ("目标值", "目标", "target")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("indicator", "region", "chain", "year"),),
    create_required=("indicator", "region", "year", "target_value"),
)

DOCKING_NEEDS = EntitySpec(
    kind="docking_needs",
    table=s.docking_needs,
    title_zh="供需对接",
    doc="Needs (to buy) and capabilities (to supply) posted by enterprises.",
    fields=(
        FieldSpec("code", K.TEXT, ("编号", "需求编号", "need_code")),
        FieldSpec("enterprise", K.REF, _ENTERPRISE_ALIASES, ref="enterprise"),
        FieldSpec(
            "kind",
            K.CHOICE,
            ("类型", "供需类型", "type"),
            choices=choices(
                ("need", ("需求", "采购需求", "求购")),
                ("capability", ("供给", "能力", "供应能力", "supply")),
            ),
        ),
        FieldSpec("product", K.TEXT, ("产品", "产品或服务", "需求产品")),
        FieldSpec("quantity", K.FLOAT, ("数量",), minimum=0.0),
        FieldSpec("unit", K.TEXT, ("单位",)),
        FieldSpec("specification", K.TEXT, ("规格", "技术要求", "说明")),
        FieldSpec("preferred_regions", K.LIST, ("意向地区", "优先地区"), default=[]),
        FieldSpec(
            "status",
            K.CHOICE,
            ("状态",),
            choices=choices(
                ("open", ("开放", "进行中", "待对接")),
                ("matched", ("已对接", "已匹配")),
                ("closed", ("关闭", "已关闭")),
            ),
            default="open",
        ),
        FieldSpec("posted_on", K.DATE, ("发布日期", "日期")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "enterprise", "kind", "product"),
)

EVENTS = EntitySpec(
    kind="events",
    table=s.events,
    title_zh="事件",
    doc="Disruptions of a region, product, enterprise or foreign source.",
    fields=(
        FieldSpec("code", K.TEXT, ("事件编号", "编号", "event_code")),
        FieldSpec(
            "kind",
            K.CHOICE,
            ("事件类型", "类型", "type"),
            choices=choices(
                ("region", ("地区",)),
                ("product", ("产品",)),
                ("enterprise", ("企业",)),
                ("foreign_source", ("境外来源", "进口来源", "foreign")),
            ),
        ),
        _REGION,
        FieldSpec("enterprise", K.REF, _ENTERPRISE_ALIASES, ref="enterprise"),
        FieldSpec("product", K.TEXT, ("产品",)),
        FieldSpec("severity", K.SHARE, ("严重程度", "冲击程度", "强度")),
        FieldSpec("occurred_on", K.DATE, ("发生日期", "日期", "date")),
        FieldSpec("ended_on", K.DATE, ("结束日期",)),
        FieldSpec("description", K.TEXT, ("描述", "说明")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "kind", "severity", "occurred_on"),
)

ACTIVITY_SPECS = (
    INNOVATION_RESOURCES,
    RESOURCE_SEGMENTS,
    TALENT,
    CAPITAL,
    PROJECTS,
    POLICIES,
    INDICATORS,
    INDICATOR_VALUES,
    TARGETS,
    DOCKING_NEEDS,
    EVENTS,
)
