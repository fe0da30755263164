"""Supply-demand docking (供需对接): posts, matches, leads and local substitution.

One import for the whole use case; the parts live in topic modules:

* :mod:`~chainatlas.services.docking_needs` — post and list needs and capabilities;
* :mod:`~chainatlas.services.docking_match` — rank counterparts with reasons;
* :mod:`~chainatlas.services.docking_leads` — save matches as leads and track them;
* :mod:`~chainatlas.services.docking_local` — local substitution of outside inputs;
* :mod:`~chainatlas.services.match_index` — the match index and its freshness.

Every function takes the connection first; the caller owns the transaction. The rules,
weights and JSON shapes are in docs/docking.md.
"""

from __future__ import annotations

from chainatlas.services.docking_leads import (
    LEAD_STATUSES,
    LEAD_TRANSITIONS,
    Lead,
    SavedLeads,
    list_leads,
    save_leads,
    update_lead,
)
from chainatlas.services.docking_local import SubstitutionResult, local_substitution
from chainatlas.services.docking_match import MIN_TEXT, Counterpart, MatchResult, match
from chainatlas.services.docking_needs import (
    NEED_KINDS,
    NEED_STATUSES,
    Need,
    get_need,
    list_needs,
    post_need,
    resolve_enterprise,
)
from chainatlas.services.match_index import (
    MatchIndex,
    build_match_index,
    clear_match_cache,
    match_index,
)

__all__ = [
    "LEAD_STATUSES",
    "LEAD_TRANSITIONS",
    "MIN_TEXT",
    "NEED_KINDS",
    "NEED_STATUSES",
    "Counterpart",
    "Lead",
    "MatchIndex",
    "MatchResult",
    "Need",
    "SavedLeads",
    "SubstitutionResult",
    "build_match_index",
    "clear_match_cache",
    "get_need",
    "list_leads",
    "list_needs",
    "local_substitution",
    "match",
    "match_index",
    "post_need",
    "resolve_enterprise",
    "save_leads",
    "update_lead",
]
