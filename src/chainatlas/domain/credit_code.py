"""Unified social credit codes (统一社会信用代码) and their GB 32100-2015 check character.

A code has 18 characters from the alphabet ``0-9 A-H J-N P-R T U W-Y`` (31 characters; no
I, O, S, V, Z): registration authority (1), organisation category (1), administrative
division (6), organisation code (9) and a check character. The check character is
``31 - (sum_i C_i * W_i mod 31)`` (31 becomes 0), with ``W_i = 3^i mod 31`` for
i = 0..16 (GB 32100-2015, section 4.3).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALPHABET",
    "CreditCodeCheck",
    "check_credit_code",
    "credit_code_check_char",
    "is_valid_credit_code",
    "normalise_credit_code",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF01, 0xFF5F))}


@dataclass(frozen=True, slots=True)
class CreditCodeCheck:
    """The outcome of checking a code: ``ok`` and, if not, the ``reason`` in words."""

    code: str
    ok: bool
    reason: str = ""


def normalise_credit_code(raw: str) -> str:
    """Return ``raw`` upper-cased, full-width turned half-width, spaces and dashes removed.

    >>> normalise_credit_code(" 9144 0300-7152 6726xg ")
    '9144030071526726XG'
    """
    text = raw.translate(_FULLWIDTH).upper()
    return "".join(ch for ch in text if ch not in " \t-\u3000")


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a code.

    >>> credit_code_check_char("91440300715267260")[0] in ALPHABET
    True
    >>> credit_code_check_char("9144030071526726X")
    'G'
    """
    if len(first17) != 17:
        raise ValueError("need exactly 17 characters")
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_credit_code(raw: str) -> CreditCodeCheck:
    """Check a credit code and say what is wrong with it, if anything.

    >>> check_credit_code("9144030071526726XG").ok
    True
    >>> check_credit_code("9144030071526726XA").reason
    'check character is A, expected G (GB 32100-2015)'
    """
    code = normalise_credit_code(raw)
    if len(code) != 18:
        return CreditCodeCheck(code, False, f"must have 18 characters, has {len(code)}")
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return CreditCodeCheck(
            code, False, f"contains characters not allowed in a credit code: {''.join(bad)}"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return CreditCodeCheck(
            code, False, f"check character is {code[17]}, expected {expected} (GB 32100-2015)"
        )
    return CreditCodeCheck(code, True)


def is_valid_credit_code(raw: str) -> bool:
    """Return whether ``raw`` is a well-formed credit code with a correct check character.

    >>> is_valid_credit_code("914403001922038216")
    True
    """
    return check_credit_code(raw).ok
