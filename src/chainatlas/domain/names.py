"""Enterprise names: the normalised form used to recognise the same firm under other names.

Normalisation (in this order): Unicode NFKC (full-width letters, digits and brackets become
half-width), lower case, brackets removed but their content kept, legal-form suffixes
removed (有限责任公司, 股份有限公司, 有限公司, Co., Ltd., Inc., GmbH …), then all spaces and
punctuation removed. Two names with the same normalised form in the same region are taken
to be the same enterprise when neither has a credit code.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LEGAL_SUFFIXES", "normalise_name"]

LEGAL_SUFFIXES: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "分公司",
    "company limited",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "co., ltd",
    "co.,ltd",
    "co ltd",
    "limited",
    "ltd.",
    "ltd",
    "incorporated",
    "inc.",
    "inc",
    "corporation",
    "corp.",
    "corp",
    "llc",
    "gmbh",
    "ag",
    "s.a.",
    "plc",
    "co.",
)
_BRACKETS = re.compile(r"[()\[\]{}<>【】〔〕《》「」『』]")
_PUNCT = re.compile(r"[\s\.,;:'\"!?·、，。；：！？‘’“”\-_/\\&+]+")


def normalise_name(name: str) -> str:
    """Return the normalised form of an enterprise name.

    >>> normalise_name("杭州星海科技（集团）股份有限公司")
    '杭州星海科技集团'
    >>> normalise_name("ＡＢＣ Ｔｅｃｈ Co., Ltd.")
    'abctech'
    >>> normalise_name("Ningbo Orient Cable Co.,Ltd") == normalise_name("NINGBO ORIENT CABLE")
    True
    """
    text = unicodedata.normalize("NFKC", name).lower().strip()
    text = _BRACKETS.sub("", text)
    changed = True
    while changed:
        changed = False
        stripped = text.rstrip(" ,.")
        for suffix in LEGAL_SUFFIXES:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                before = stripped[: -len(suffix)]
                # An ASCII suffix must start at a word boundary ("ag" in "Zhejiang" is not one).
                if suffix.isascii() and before and before[-1].isalnum():
                    continue
                text = before
                changed = True
                break
    return _PUNCT.sub("", text)
