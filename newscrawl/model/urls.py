"""URL rules shared by the spider, extraction and deduplication: one spelling per article.

``canonical_url(url)`` removes what only says where a reader came from (``utm_*``,
``fbclid``, ``gclid``, ``zarsrc``, ``_ga``, ``mc_cid``, ``mc_eid`` and other well-known
click ids), the fragment and a default port, then applies w3lib's
``canonicalize_url`` (lower-case scheme and host, sorted query arguments, one
percent-encoding). It is idempotent.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

# Exact names (compared case-insensitively): analytics and ads click ids that never select different content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "zarsrc", "_ga", "mc_cid", "mc_eid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
    "_gl", "igshid", "_hsenc", "_hsmi", "ref_src", "cmpid", "ocid", "spm",
})
# Any parameter starting with one of these (case-insensitive).
TRACKING_PREFIXES = ("utm_", "zalo_", "itm_", "vero_")
ALLOWED_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def is_http_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ALLOWED_SCHEMES


def strip_tracking(url: str, keep_query: bool = True) -> str:
    """The URL without fragment, default port and tracking parameters (or without any query when
    ``keep_query`` is False)."""
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    if parts.port is not None and _DEFAULT_PORTS.get(scheme) == parts.port:
        netloc = netloc.rsplit(":", 1)[0]
    query = ""
    if keep_query and parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking_param(k)]
        query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def canonical_url(url: str, keep_query: bool = True) -> str:
    """The canonical form of ``url`` (see the module docstring); ``""`` for an empty value."""
    if not url or not url.strip():
        return ""
    return canonicalize_url(strip_tracking(url, keep_query=keep_query))


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on the same host, ignoring a leading ``www.``."""
    def host(u):
        h = (urlsplit(u).hostname or "").lower()
        return h[4:] if h.startswith("www.") else h

    return bool(host(url)) and host(url) == host(other)
