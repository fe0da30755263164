"""Message catalogs (简体中文 and English) and the choice of language per request.

Every label, heading, button and message of the web app is a key in
``web/i18n/zh.json`` and ``web/i18n/en.json``; templates call ``t(key)`` and never
hold text of their own. A key may carry ``{name}`` placeholders filled from keyword
arguments: ``t("chain.n_risk_points", n=3)``.

The language of a request is, in order: the ``?lang=`` query parameter, the signed-in
user's saved locale, the ``chainatlas_lang`` cookie (set by the language switch for
visitors who are not signed in), the browser's ``Accept-Language`` header, and Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "Translator",
    "catalog",
    "from_accept_language",
    "negotiate",
    "translator",
]

LOCALES: tuple[str, ...] = ("zh", "en")
"""The interface languages."""

DEFAULT_LOCALE = "zh"
"""The language when nothing else decides."""

Translator = Callable[..., str]
"""``t(key, **values)``: the message of ``key`` in one language with placeholders filled."""


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> Mapping[str, str]:
    """Return the message catalog of ``locale`` (read once from the package).

    Raises
    ------
    KeyError
        When ``locale`` is not one of :data:`LOCALES`.
    """
    if locale not in LOCALES:
        raise KeyError(f"no message catalog for locale {locale!r}")
    text = (
        resources.files("chainatlas.web")
        .joinpath("i18n")
        .joinpath(f"{locale}.json")
        .read_text("utf-8")
    )
    data = json.loads(text)
    return {str(k): str(v) for k, v in data.items()}


def translator(locale: str) -> Translator:
    """Return ``t(key, **values)`` for ``locale``.

    A key missing from the catalog is shown as the key itself (never an exception in a
    page); the catalog test keeps that from happening.

    >>> translator("en")("nav.search")
    'Search'
    >>> translator("zh")("nav.search")
    '搜索'
    """
    messages = catalog(locale if locale in LOCALES else DEFAULT_LOCALE)

    def t(key: str, **values: object) -> str:
        text = messages.get(key, key)
        if values:
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    return t


def from_accept_language(header: str | None) -> str | None:
    """Return the first supported language of an ``Accept-Language`` header, by weight.

    >>> from_accept_language("en-GB,en;q=0.9,zh-CN;q=0.8")
    'en'
    >>> from_accept_language("fr-FR, zh-Hans;q=0.5")
    'zh'
    >>> from_accept_language("fr") is None
    True
    """
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LOCALES and weight > 0:
            ranked.append((-weight, i, primary))
    return min(ranked)[2] if ranked else None


def negotiate(
    query: str | None,
    saved: str | None,
    cookie: str | None,
    accept_language: str | None,
) -> str:
    """Choose the language of a request (see the module docstring for the order).

    >>> negotiate(None, None, None, "en-US,en;q=0.9")
    'en'
    >>> negotiate("zh", "en", None, "en")
    'zh'
    >>> negotiate(None, "en", "zh", None)
    'en'
    """
    for choice in (query, saved, cookie):
        if choice in LOCALES:
            return str(choice)
    return from_accept_language(accept_language) or DEFAULT_LOCALE
