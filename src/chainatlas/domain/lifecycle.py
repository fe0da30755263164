"""The life-cycle stage of an enterprise (种子期 … 衰退期) from its age, scale and growth.

The rule, checked in this order (the first that applies wins):

=============  ===============================================================
stage          when
=============  ===============================================================
seed 种子期     younger than 2 years, revenue under 3 million yuan (300万) or none,
               and under 20 employees or none on record
startup 初创期  younger than 5 years, revenue under 20 million yuan (2,000万, the
               规上 threshold of industry) or none on record
decline 衰退期  revenue shrinking by 5% a year or more (growth ≤ -5%)
growth 成长期   revenue growing by 20% a year or more, revenue under 400 million
               yuan (4亿, the NBS revenue floor of a large industrial firm)
expansion 扩张期 revenue growing by 20% a year or more at 4亿 or more, or by 10-20%
mature 成熟期   everything else: growth between -5% and 10%, or no growth on
               record and at least 5 years old
growth 成长期   younger than 5 years with revenue of 2,000万 or more and no growth
               on record
=============  ===============================================================

"Growth" is the 3-year compound annual growth of revenue when three years back are on
record, else the latest year-on-year growth. Age is in years since founding. With
neither age nor revenue the stage is unknown (None). Scale thresholds follow the NBS
size classes (《统计上大中小微型企业划分办法（2017）》) and the 规模以上 threshold of 20
million yuan; growth thresholds follow the usual 20%/10% bands of growth-stage
screening in enterprise-cultivation policies.

:func:`lifecycle_stage` explains one enterprise in words; :func:`lifecycle_stages` gives
the same stages for arrays of many enterprises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "STAGES",
    "STAGE_NAMES_ZH",
    "LifecycleStage",
    "LifecycleThresholds",
    "lifecycle_stage",
    "lifecycle_stages",
]

STAGES = ("seed", "startup", "growth", "expansion", "mature", "decline")
"""The stages, youngest first."""

STAGE_NAMES_ZH = {
    "seed": "种子期",
    "startup": "初创期",
    "growth": "成长期",
    "expansion": "扩张期",
    "mature": "成熟期",
    "decline": "衰退期",
}
"""Chinese names of the stages."""


@dataclass(frozen=True, slots=True)
class LifecycleThresholds:
    """The thresholds of the life-cycle rule (yuan, years, yearly growth as a fraction)."""

    seed_age: float = 2.0
    seed_revenue: float = 3e6
    seed_employees: float = 20.0
    startup_age: float = 5.0
    startup_revenue: float = 2e7
    large_revenue: float = 4e8
    fast_growth: float = 0.20
    expansion_growth: float = 0.10
    decline_growth: float = -0.05


@dataclass(frozen=True, slots=True)
class LifecycleStage:
    """A stage and the reason for it, in English and Chinese."""

    stage: str | None
    reason: str
    reason_zh: str

    @property
    def name_zh(self) -> str:
        """Return the Chinese name of the stage ('未知' when unknown)."""
        return STAGE_NAMES_ZH.get(self.stage or "", "未知")

    def to_dict(self) -> dict[str, str | None]:
        """Return the JSON shape of the stage."""
        return {
            "stage": self.stage,
            "stage_zh": self.name_zh,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
        }


def _num(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _wan(x: float) -> str:
    return f"{x / 1e8:.2f}亿" if x >= 1e8 else f"{x / 1e4:,.0f}万"


def lifecycle_stage(
    age: float | None,
    revenue: float | None,
    employees: float | None,
    growth: float | None,
    thresholds: LifecycleThresholds | None = None,
) -> LifecycleStage:
    """Return the life-cycle stage of one enterprise with the reason in words.

    Parameters
    ----------
    age
        Years since founding.
    revenue
        Latest revenue in yuan.
    employees
        Latest number of employees.
    growth
        Yearly revenue growth as a fraction (3-year CAGR, else the latest year's).
    thresholds
        The rule's thresholds (default: :class:`LifecycleThresholds`).

    Examples
    --------
    >>> lifecycle_stage(1.5, 1e6, 8, None).stage
    'seed'
    >>> lifecycle_stage(3.0, 1.5e7, 40, 0.5).stage
    'startup'
    >>> lifecycle_stage(8.0, 1e8, 300, 0.25).reason
    'revenue grows 25% a year (≥ 20%) at 1.00亿 (under 4.00亿)'
    >>> lifecycle_stage(8.0, 5e8, 2000, 0.25).stage, lifecycle_stage(8.0, 5e8, 2000, 0.12).stage
    ('expansion', 'expansion')
    >>> lifecycle_stage(12.0, 5e8, 2000, -0.05).stage, lifecycle_stage(12.0, 5e8, 2000, 0.02).stage
    ('decline', 'mature')
    >>> lifecycle_stage(None, None, None, None).stage is None
    True
    """
    t = thresholds or LifecycleThresholds()
    age, revenue, employees, growth = map(_num, (age, revenue, employees, growth))
    if age is None and revenue is None:
        return LifecycleStage(
            None, "no founding date and no revenue on record", "无成立日期和营收数据"
        )
    young = age is not None and age < t.startup_age
    small_rev = revenue is None or revenue < t.seed_revenue
    small_emp = employees is None or employees < t.seed_employees
    if age is not None and age < t.seed_age and small_rev and small_emp:
        return LifecycleStage(
            "seed",
            f"founded {age:.1f} years ago (< {t.seed_age:g}), revenue "
            f"{'none' if revenue is None else _wan(revenue)} (< {_wan(t.seed_revenue)}), "
            f"{'no' if employees is None else f'{employees:.0f}'} employees "
            f"(< {t.seed_employees:g})",
            f"成立{age:.1f}年，营收{'无' if revenue is None else _wan(revenue)}，"
            f"从业人员{'无' if employees is None else f'{employees:.0f}'}人",
        )
    if young and (revenue is None or revenue < t.startup_revenue):
        assert age is not None
        shown = "none" if revenue is None else _wan(revenue)
        return LifecycleStage(
            "startup",
            f"founded {age:.1f} years ago (< {t.startup_age:g}), revenue {shown} "
            f"(< {_wan(t.startup_revenue)})",
            f"成立{age:.1f}年，营收{'无' if revenue is None else _wan(revenue)}，未达规上",
        )
    if growth is not None:
        pct = f"{growth * 100:.0f}%"
        if growth <= t.decline_growth:
            return LifecycleStage(
                "decline",
                f"revenue shrinks {-growth * 100:.0f}% a year (growth ≤ {t.decline_growth:.0%})",
                f"营收年均下降{-growth * 100:.0f}%",
            )
        if growth >= t.fast_growth:
            if revenue is None or revenue < t.large_revenue:
                rev = "unknown revenue" if revenue is None else _wan(revenue)
                return LifecycleStage(
                    "growth",
                    f"revenue grows {pct} a year (≥ {t.fast_growth:.0%}) at {rev} "
                    f"(under {_wan(t.large_revenue)})",
                    f"营收年均增长{pct}，规模{'未知' if revenue is None else _wan(revenue)}",
                )
            return LifecycleStage(
                "expansion",
                f"revenue grows {pct} a year (≥ {t.fast_growth:.0%}) at {_wan(revenue)} "
                f"(≥ {_wan(t.large_revenue)})",
                f"营收{_wan(revenue)}，年均增长{pct}",
            )
        if growth >= t.expansion_growth:
            return LifecycleStage(
                "expansion",
                f"revenue grows {pct} a year ({t.expansion_growth:.0%}-{t.fast_growth:.0%})",
                f"营收年均增长{pct}",
            )
        return LifecycleStage(
            "mature",
            f"revenue growth {pct} a year (between {t.decline_growth:.0%} and "
            f"{t.expansion_growth:.0%})",
            f"营收年均增长{pct}，增速平稳",
        )
    if young:
        assert age is not None and revenue is not None
        return LifecycleStage(
            "growth",
            f"founded {age:.1f} years ago with revenue {_wan(revenue)} already; no growth on "
            "record",
            f"成立{age:.1f}年，营收已达{_wan(revenue)}",
        )
    shown_age = "unknown age" if age is None else f"{age:.0f} years old"
    return LifecycleStage(
        "mature",
        f"{shown_age}, no revenue growth on record",
        f"成立{'时间未知' if age is None else f'{age:.0f}年'}，无营收增速数据",
    )


def lifecycle_stages(
    age: npt.ArrayLike,
    revenue: npt.ArrayLike,
    employees: npt.ArrayLike,
    growth: npt.ArrayLike,
    thresholds: LifecycleThresholds | None = None,
) -> npt.NDArray[np.object_]:
    """Return the stage of many enterprises (NaN is missing; None where unknown).

    The same rule as :func:`lifecycle_stage`, one vectorised pass.

    >>> lifecycle_stages([1.5, 8.0, np.nan], [1e6, 5e8, np.nan], [8, 2000, 1], [np.nan, 0.25, 0.3])
    array(['seed', 'expansion', None], dtype=object)
    """
    t = thresholds or LifecycleThresholds()
    a = np.asarray(age, dtype=np.float64)
    r = np.asarray(revenue, dtype=np.float64)
    e = np.asarray(employees, dtype=np.float64)
    g = np.asarray(growth, dtype=np.float64)
    has_a, has_r, has_g = ~np.isnan(a), ~np.isnan(r), ~np.isnan(g)
    with np.errstate(invalid="ignore"):
        young = has_a & (a < t.startup_age)
        small_rev = ~has_r | (r < t.seed_revenue)
        small_emp = np.isnan(e) | (e < t.seed_employees)
        conds = [
            ~has_a & ~has_r,
            has_a & (a < t.seed_age) & small_rev & small_emp,
            young & (~has_r | (r < t.startup_revenue)),
            has_g & (g <= t.decline_growth),
            has_g & (g >= t.fast_growth) & (~has_r | (r < t.large_revenue)),
            has_g & (g >= t.expansion_growth),
            has_g,
            young,
        ]
    choices = [None, "seed", "startup", "decline", "growth", "expansion", "mature", "growth"]
    out = np.select(conds, np.array(choices, dtype=object), default="mature")
    return np.asarray(out, dtype=object)
