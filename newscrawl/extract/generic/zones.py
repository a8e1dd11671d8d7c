"""The time zone a page's dates are written in, when the page gives a time without an offset and no site
file names the zone: inferred from the page's country, else its language.

Why: a wall-clock time without an offset ("2024-04-25 14:07") is the publisher's local time. Read in a
fixed default zone (the crawler's Vietnamese one, or UTC) it becomes another instant, and near midnight
another calendar day. The page tells where it is published often enough: the country of its language
tag (``<html lang="de-AT">``, ``og:locale`` ``de_AT``), its host's country-code domain (``.at``), else the
country its language is mostly written in (``de`` -> Germany, CLDR's likely subtags through babel).

A country becomes a zone through the IANA zone table (pytz's ``country_timezones``, in zone.tab's order,
whose first zone is the country's main one for most countries); for the few countries whose first zone
there is a remote one (Newfoundland for Canada, Lord Howe Island for Australia...), :data:`_MAIN_ZONE`
names the zone of most of the population. Nothing here names a publisher: the inputs are the language
tag, the locale and the top-level domain.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

__all__ = ["country_zone", "language_country", "page_zone"]

# Countries with several zones whose first zone in zone.tab is not where most people live.
_MAIN_ZONE = {
    "au": "Australia/Sydney", "br": "America/Sao_Paulo", "ca": "America/Toronto", "ru": "Europe/Moscow",
    "ua": "Europe/Kyiv", "cd": "Africa/Kinshasa", "gl": "America/Nuuk", "ec": "America/Guayaquil",
    "es": "Europe/Madrid", "pt": "Europe/Lisbon", "us": "America/New_York",
}
# Country-code domains that are sold as generic names (.tv, .io, .me...), so they say nothing of a
# country; and "uk", the domain of the country code GB.
_GENERIC_CCTLD = frozenset({"ai", "cc", "co", "fm", "gg", "io", "ly", "me", "nu", "tk", "to", "tv", "ws", "eu"})
_CCTLD_ALIAS = {"uk": "gb"}
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z]{4})?(?:[-_]([A-Za-z]{2}|\d{3}))?(?:[-_].*)?$")


@lru_cache(maxsize=512)
def country_zone(country: str) -> str | None:
    """The main IANA zone of a two-letter country code (``"at"`` -> ``"Europe/Vienna"``), or None."""
    country = (country or "").lower()
    if country in _MAIN_ZONE:
        return _MAIN_ZONE[country]
    import pytz  # dateparser's dependency; its table maps countries to zones

    zones = pytz.country_timezones.get(country.upper()) if len(country) == 2 else None
    return zones[0] if zones else None


@lru_cache(maxsize=512)
def language_country(language: str) -> str | None:
    """The country a language is mostly written in (CLDR likely subtags: ``"de"`` -> ``"de"``,
    ``"en"`` -> ``"us"``, ``"vi"`` -> ``"vn"``), or None."""
    from babel.core import get_global  # babel comes with trafilatura (courlan)

    likely = get_global("likely_subtags").get((language or "").lower())
    if not likely:
        return None
    parts = likely.split("_")
    return parts[-1].lower() if len(parts) > 1 and len(parts[-1]) == 2 else None


def _tag_parts(tag: str | None) -> tuple[str | None, str | None]:
    """(language, country) of a language tag or locale: ``"de-AT"`` / ``"de_AT"`` -> ("de", "at")."""
    m = _TAG.match((tag or "").strip())
    if not m:
        return None, None
    region = m.group(2)
    return m.group(1).lower(), region.lower() if region and region.isalpha() else None


def host_country(url: str | None) -> str | None:
    """The country of the host's country-code top-level domain (``www.example.at`` -> ``"at"``), or None."""
    host = (urlsplit(url or "").hostname or "").rstrip(".")
    tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    if len(tld) != 2 or not tld.isalpha() or tld in _GENERIC_CCTLD:
        return None
    return _CCTLD_ALIAS.get(tld, tld)


def page_zone(doc) -> tuple[str, str] | None:
    """``(zone name, how it was found)`` for a page, or None when the page says nothing of where it is.

    In order: the country of the host's country-code domain (a domain is bought for a country, while a
    language tag is often a CMS default such as ``en-US``), the country of the page's language tag
    (``<html lang>``, then ``og:locale`` / JSON-LD ``inLanguage``), the country the page's language is
    mostly written in. ``how`` says which: ``"country at"``, ``"language de"``.
    """
    tags = []
    root = doc.root
    if root is not None:
        tags.append(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("xml:lang"))
    pair = doc.structured.language()
    if pair:
        tags.append(pair[0])
    parsed = [_tag_parts(t) for t in tags if t]
    country = host_country(doc.url)
    if country and country_zone(country):
        return country_zone(country), f"country {country}"
    for _lang, region in parsed:
        if region and country_zone(region):
            return country_zone(region), f"country {region}"
    for lang, _region in parsed:
        region = language_country(lang) if lang else None
        if region and country_zone(region):
            return country_zone(region), f"language {lang}"
    return None
