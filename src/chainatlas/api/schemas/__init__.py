"""Strict pydantic models of the API (``/api/v1``); separate from domain and store types."""

from .audit import AuditEntry, AuditList
from .browse import ChainList, DashboardOut, SearchOut
from .chains import ChainPageOut, RiskListOut, SegmentPageOut
from .common import ErrorOut, MeOut, RegionList
from .enterprises import EnterpriseOut
from .imports import ImportKinds, ImportReportOut

__all__ = [
    "AuditEntry",
    "AuditList",
    "ChainList",
    "ChainPageOut",
    "DashboardOut",
    "EnterpriseOut",
    "ErrorOut",
    "ImportKinds",
    "ImportReportOut",
    "MeOut",
    "RegionList",
    "RiskListOut",
    "SearchOut",
    "SegmentPageOut",
]
