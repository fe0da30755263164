"""Import specs of the core records: regions, industries, chains, enterprises, links."""

from __future__ import annotations

from chainatlas.importers.fields import EntitySpec, FieldSpec, ValueKind, choices
from chainatlas.store import schema as s

__all__ = ["CORE_SPECS", "PROVENANCE_FIELDS"]

K = ValueKind

PROVENANCE_FIELDS = (
    FieldSpec(
        "source", K.TEXT, ("来源", "数据来源", "provenance"), doc="Where the record came from."
    ),
    FieldSpec(
        "confidence", K.SHARE, ("置信度", "可信度"), doc="Confidence in the record, 0-1 or %."
    ),
)

LEVELS = choices(
    ("country", ("国家", "国")),
    ("province", ("省", "省级", "省份", "直辖市", "自治区")),
    ("city", ("市", "地级市", "城市")),
    ("district", ("区", "县", "区县", "县区", "县级")),
    ("park", ("园区", "开发区", "产业园", "高新区")),
)
SCHEMES = choices(
    ("gbt4754", ("GB/T 4754", "GB/T4754", "国民经济行业分类", "国标", "gb")),
    ("shenwan", ("申万", "申万行业", "sw")),
    ("custom", ("自定义", "user", "user-defined")),
)
POSITIONS = choices(("upstream", ("上游",)), ("midstream", ("中游",)), ("downstream", ("下游",)))
INPUT_CLASSES = choices(
    ("essential", ("关键", "必需", "必要", "2")),
    ("non_essential", ("非关键", "非必需", "一般", "non-essential", "1")),
    ("irrelevant", ("无关", "0")),
)
SIZES = choices(
    ("large", ("大型", "大", "大型企业")),
    ("medium", ("中型", "中", "中型企业")),
    ("small", ("小型", "小", "小型企业")),
    ("micro", ("微型", "微", "微型企业")),
)
OWNERSHIP = choices(
    ("state", ("国有", "国企", "国有企业", "央企", "state-owned", "soe")),
    ("private", ("民营", "私营", "民营企业", "民企")),
    ("foreign", ("外资", "外商独资", "外资企业", "foreign-owned")),
    ("joint_venture", ("合资", "中外合资", "joint venture", "jv")),
    ("collective", ("集体", "集体企业")),
    ("other", ("其他", "其它")),
)
SRDI = choices(
    ("none", ("无", "否", "no", "")),
    ("seedling", ("创新型中小企业", "创新型", "seedling", "innovative sme")),
    ("provincial", ("省级专精特新", "省级", "专精特新", "专精特新中小企业")),
    ("national", ("国家级专精特新", "小巨人", "专精特新小巨人", "国家级", "little giant")),
)

REGIONS = EntitySpec(
    kind="regions",
    table=s.regions,
    title_zh="地区",
    doc="Regions: country > province > city > district > park.",
    fields=(
        FieldSpec("code", K.TEXT, ("地区代码", "行政区划代码", "区划代码", "代码", "region_code")),
        FieldSpec("name_zh", K.TEXT, ("名称", "地区名称", "中文名称", "name", "region_name")),
        FieldSpec("name_en", K.TEXT, ("英文名称", "english_name", "name (en)")),
        FieldSpec("level", K.CHOICE, ("级别", "层级", "行政级别"), choices=LEVELS),
        FieldSpec("parent", K.REF, ("上级", "上级地区", "上级代码", "parent_code"), ref="region"),
        FieldSpec("country", K.TEXT, ("国家代码", "country_code"), default="CN"),
        FieldSpec("lat", K.FLOAT, ("纬度", "latitude")),
        FieldSpec("lon", K.FLOAT, ("经度", "longitude", "lng")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "name_zh", "level"),
)

REGION_GROUPS = EntitySpec(
    kind="region_groups",
    table=s.region_groups,
    title_zh="区域合作",
    doc="Groups of regions such as cooperation areas (长三角).",
    fields=(
        FieldSpec("code", K.TEXT, ("代码", "合作区代码", "group_code")),
        FieldSpec("name_zh", K.TEXT, ("名称", "合作区名称", "name")),
        FieldSpec("name_en", K.TEXT, ("英文名称", "english_name")),
        FieldSpec("kind", K.TEXT, ("类型", "type"), default="cooperation_area"),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "name_zh"),
)

REGION_GROUP_MEMBERS = EntitySpec(
    kind="region_group_members",
    table=s.region_group_members,
    title_zh="区域合作成员",
    doc="Which regions belong to a region group.",
    fields=(
        FieldSpec("group", K.REF, ("合作区", "合作区代码", "group_code"), ref="region_group"),
        FieldSpec("region", K.REF, ("地区", "地区代码", "region_code"), ref="region"),
    ),
    identity=(("group", "region"),),
    create_required=("group", "region"),
)

INDUSTRIES = EntitySpec(
    kind="industries",
    table=s.industries,
    title_zh="行业分类",
    doc="Industry classifications: GB/T 4754, Shenwan or user-defined.",
    fields=(
        FieldSpec(
            "scheme", K.CHOICE, ("分类体系", "分类标准", "体系"), choices=SCHEMES, default="gbt4754"
        ),
        FieldSpec("code", K.TEXT, ("行业代码", "代码", "industry_code")),
        FieldSpec("name_zh", K.TEXT, ("行业名称", "名称", "name", "industry_name")),
        FieldSpec("name_en", K.TEXT, ("英文名称", "english_name")),
        FieldSpec(
            "parent",
            K.REF,
            ("上级行业", "上级代码", "parent_code"),
            ref="industry",
            ref_context="scheme",
        ),
        *PROVENANCE_FIELDS,
    ),
    identity=(("scheme", "code"),),
    create_required=("code", "name_zh"),
)

CHAINS = EntitySpec(
    kind="chains",
    table=s.chains,
    title_zh="产业链",
    doc="Industrial chains.",
    fields=(
        FieldSpec("code", K.TEXT, ("产业链代码", "代码", "chain_code")),
        FieldSpec("name_zh", K.TEXT, ("产业链名称", "名称", "name", "chain_name")),
        FieldSpec("name_en", K.TEXT, ("英文名称", "english_name")),
        FieldSpec("description_zh", K.TEXT, ("简介", "描述", "description")),
        FieldSpec("description_en", K.TEXT, ("英文简介", "english_description")),
        FieldSpec("template_code", K.TEXT, ("模板", "template")),
        FieldSpec("template_version", K.TEXT, ("模板版本",)),
        *PROVENANCE_FIELDS,
    ),
    identity=(("code",),),
    create_required=("code", "name_zh"),
)

SEGMENTS = EntitySpec(
    kind="segments",
    table=s.segments,
    title_zh="产业链环节",
    doc="Segments (links) of a chain.",
    fields=(
        FieldSpec(
            "chain", K.REF, ("产业链", "产业链代码", "chain_code"), ref="chain", column="chain_id"
        ),
        FieldSpec("code", K.TEXT, ("环节代码", "代码", "segment_code")),
        FieldSpec("name_zh", K.TEXT, ("环节名称", "名称", "name", "segment_name")),
        FieldSpec("name_en", K.TEXT, ("英文名称", "english_name")),
        FieldSpec("position", K.CHOICE, ("位置", "上中下游", "链位"), choices=POSITIONS),
        FieldSpec("products", K.LIST, ("产品", "主要产品", "关键产品"), default=[]),
        FieldSpec("products_en", K.LIST, ("英文产品", "products (en)"), default=[]),
        FieldSpec("technologies", K.LIST, ("技术", "关键技术"), default=[]),
        FieldSpec("choke_point", K.BOOL, ("卡脖子", "是否卡脖子", "chokepoint"), default=False),
        FieldSpec("choke_technologies", K.LIST, ("卡脖子技术",), default=[]),
        FieldSpec("importance", K.FLOAT, ("重要性", "权重", "weight"), minimum=0.0),
        FieldSpec(
            "parent", K.REF, ("上级环节", "parent_segment"), ref="segment", ref_context="chain"
        ),
        FieldSpec("industry_codes", K.LIST, ("行业代码", "国民经济行业代码"), default=[]),
        FieldSpec("sort_order", K.INT, ("排序", "order")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("chain", "code"),),
    create_required=("chain", "code", "name_zh", "position"),
)

SEGMENT_EDGES = EntitySpec(
    kind="segment_edges",
    table=s.segment_edges,
    title_zh="环节供给关系",
    doc="Supply between segments of one chain (supplier segment -> buyer segment).",
    fields=(
        FieldSpec(
            "chain", K.REF, ("产业链", "产业链代码", "chain_code"), ref="chain", column="chain_id"
        ),
        FieldSpec(
            "supplier_segment",
            K.REF,
            ("上游环节", "供给环节", "from"),
            ref="segment",
            ref_context="chain",
        ),
        FieldSpec(
            "buyer_segment",
            K.REF,
            ("下游环节", "需求环节", "to"),
            ref="segment",
            ref_context="chain",
        ),
        FieldSpec(
            "input_class",
            K.CHOICE,
            ("投入类型", "依赖类型"),
            choices=INPUT_CLASSES,
            default="essential",
        ),
        FieldSpec("note", K.TEXT, ("备注", "说明")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("chain", "supplier_segment", "buyer_segment"),),
    create_required=("chain", "supplier_segment", "buyer_segment"),
)

ENTERPRISES = EntitySpec(
    kind="enterprises",
    table=s.enterprises,
    title_zh="企业",
    doc=(
        "Enterprises. Identified by credit code, else stock code, else normalised name plus region."
    ),
    fields=(
        FieldSpec(
            "credit_code",
            K.CREDIT_CODE,
            ("统一社会信用代码", "信用代码", "社会信用代码", "uscc", "usci"),
        ),
        FieldSpec(
            "name",
            K.TEXT,
            (
                "企业名称",
                "名称",
                "公司名称",
                "企业全称",
                "公司全称",
                "company_name",
                "enterprise_name",
            ),
        ),
        FieldSpec("name_en", K.TEXT, ("英文名称", "英文名", "english_name")),
        FieldSpec("aliases", K.LIST, ("别名", "简称", "曾用名", "alias", "short_name")),
        FieldSpec(
            "region",
            K.REF,
            ("地区", "所在地区", "地区代码", "所在地", "省份", "region_code"),
            ref="region",
        ),
        FieldSpec("park", K.REF, ("园区", "所在园区", "park_code"), ref="region"),
        FieldSpec(
            "industry_scheme",
            K.CHOICE,
            ("行业分类体系",),
            choices=SCHEMES,
            column="",
            default="gbt4754",
        ),
        FieldSpec(
            "industry_code",
            K.REF,
            ("行业代码", "所属行业代码", "国民经济行业代码"),
            ref="industry",
            ref_context="industry_scheme",
            column="industry_id",
        ),
        FieldSpec("size_class", K.CHOICE, ("企业规模", "规模", "size"), choices=SIZES),
        FieldSpec("ownership", K.CHOICE, ("所有制", "企业性质", "登记注册类型"), choices=OWNERSHIP),
        FieldSpec("founded_on", K.DATE, ("成立日期", "成立时间", "注册日期", "founded")),
        FieldSpec("listed", K.BOOL, ("是否上市", "上市")),
        FieldSpec("stock_code", K.STOCK_CODE, ("股票代码", "证券代码", "ts_code", "ticker")),
        FieldSpec("exchange", K.TEXT, ("上市交易所", "交易所")),
        FieldSpec("listed_on", K.DATE, ("上市日期", "上市时间", "list_date")),
        FieldSpec("high_tech", K.BOOL, ("高新技术企业", "高新技术", "是否高新", "hnte")),
        FieldSpec(
            "srdi_level",
            K.CHOICE,
            ("专精特新", "专精特新等级", "专精特新级别", "srdi"),
            choices=SRDI,
        ),
        FieldSpec("tags", K.LIST, ("标签", "企业标签")),
        FieldSpec("description", K.TEXT, ("简介", "主营业务", "经营范围")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("credit_code",), ("stock_code",), ("name", "region")),
    create_required=("name",),
)

ENTERPRISE_YEARS = EntitySpec(
    kind="enterprise_years",
    table=s.enterprise_years,
    title_zh="企业年度数据",
    doc="Yearly figures of an enterprise. Money in yuan (元); headers may give 万元 or 亿元.",
    fields=(
        FieldSpec(
            "enterprise",
            K.REF,
            ("企业", "统一社会信用代码", "企业名称", "credit_code"),
            ref="enterprise",
        ),
        FieldSpec("year", K.INT, ("年份", "年度")),
        FieldSpec("output_value", K.MONEY, ("产值", "工业总产值", "总产值", "output"), minimum=0.0),
        FieldSpec(
            "revenue", K.MONEY, ("营业收入", "营收", "主营业务收入", "销售收入"), minimum=0.0
        ),
        FieldSpec(
            "employees", K.INT, ("从业人员", "员工数", "职工人数", "从业人数", "staff"), minimum=0.0
        ),
        FieldSpec(
            "rd_spend", K.MONEY, ("研发投入", "研发费用", "研发经费", "r&d", "rd"), minimum=0.0
        ),
        FieldSpec("patents", K.INT, ("专利数", "专利", "有效专利", "patent_count"), minimum=0.0),
        FieldSpec("tax", K.MONEY, ("税收", "纳税额", "实缴税金", "taxes")),
        FieldSpec("energy_use", K.FLOAT, ("能耗", "综合能耗", "能源消费量", "energy"), minimum=0.0),
        *PROVENANCE_FIELDS,
    ),
    identity=(("enterprise", "year"),),
    create_required=("enterprise", "year"),
)

ENTERPRISE_SEGMENTS = EntitySpec(
    kind="enterprise_segments",
    table=s.enterprise_segments,
    title_zh="企业所属环节",
    doc="Which chain segments an enterprise works in.",
    fields=(
        FieldSpec(
            "enterprise",
            K.REF,
            ("企业", "统一社会信用代码", "企业名称", "credit_code"),
            ref="enterprise",
        ),
        FieldSpec("chain", K.REF, ("产业链", "产业链代码", "chain_code"), ref="chain", column=""),
        FieldSpec(
            "segment",
            K.REF,
            ("环节", "环节代码", "产业链环节", "segment_code"),
            ref="segment",
            ref_context="chain",
        ),
        FieldSpec("main_product", K.TEXT, ("主营产品", "主要产品", "产品", "product")),
        FieldSpec("revenue_share", K.SHARE, ("收入占比", "营收占比", "占比", "share")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("enterprise", "segment"),),
    create_required=("enterprise", "chain", "segment"),
)

SUPPLY_LINKS = EntitySpec(
    kind="supply_links",
    table=s.supply_links,
    title_zh="供应关系",
    doc="Supplier -> buyer links with product, annual value and share of the buyer's inputs.",
    fields=(
        FieldSpec(
            "supplier",
            K.REF,
            (
                "供应商",
                "供应商代码",
                "供应商名称",
                "供方",
                "卖方",
                "supplier_code",
                "supplier_name",
            ),
            ref="enterprise",
        ),
        FieldSpec(
            "buyer",
            K.REF,
            (
                "采购方",
                "客户",
                "买方",
                "需方",
                "采购方代码",
                "采购方名称",
                "buyer_code",
                "buyer_name",
                "customer",
            ),
            ref="enterprise",
        ),
        FieldSpec("product", K.TEXT, ("产品", "供应产品", "采购产品"), default=""),
        FieldSpec("chain", K.REF, ("产业链", "产业链代码", "chain_code"), ref="chain", column=""),
        FieldSpec(
            "segment",
            K.REF,
            ("环节", "环节代码", "segment_code"),
            ref="segment",
            ref_context="chain",
        ),
        FieldSpec(
            "annual_value",
            K.MONEY,
            ("年供货额", "年采购额", "金额", "交易额", "value"),
            minimum=0.0,
        ),
        FieldSpec("share", K.SHARE, ("占比", "采购占比", "份额", "share_of_inputs")),
        FieldSpec("valid_from", K.DATE, ("开始日期", "起始日期", "生效日期", "from")),
        FieldSpec("valid_to", K.DATE, ("结束日期", "截止日期", "失效日期", "to")),
        *PROVENANCE_FIELDS,
    ),
    identity=(("supplier", "buyer", "product"),),
    create_required=("supplier", "buyer"),
)

CORE_SPECS = (
    REGIONS,
    REGION_GROUPS,
    REGION_GROUP_MEMBERS,
    INDUSTRIES,
    CHAINS,
    SEGMENTS,
    SEGMENT_EDGES,
    ENTERPRISES,
    ENTERPRISE_YEARS,
    ENTERPRISE_SEGMENTS,
    SUPPLY_LINKS,
)
