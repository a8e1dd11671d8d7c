"""The one spelling of an article URL used as its key in the database.

``canonical_url(url)`` removes what only says where a reader came from
(``utm_*``, ``fbclid``, ``gclid``, ``zarsrc``, ``_ga``, ``mc_cid``, ``mc_eid`` and
a few other well-known trackers), the fragment and a default port, then
applies w3lib's ``canonicalize_url`` (lower-case scheme and host, sorted query
arguments, one percent-encoding). It is idempotent:
``canonical_url(canonical_url(u)) == canonical_url(u)``.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

__all__ = ["canonical_url", "is_tracking_param", "TRACKING_PARAMS", "TRACKING_PREFIXES"]

# Exact names (compared case-insensitively). The first seven are the ones the
# project was asked to strip; the rest are other analytics/ads click ids that
# never select different content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "zarsrc", "_ga", "mc_cid", "mc_eid",
        "dclid", "gbraid", "wbraid", "msclkid", "yclid", "_gl", "igshid", "_hsenc", "_hsmi",
    }
)
# Any parameter starting with one of these (case-insensitive).
TRACKING_PREFIXES = ("utm_", "zalo_", "itm_", "vero_")

_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return the canonical form of ``url`` (see module docstring); ``""`` for an empty value."""
    if not url or not url.strip():
        return ""
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.port is not None and _DEFAULT_PORTS.get(scheme) == parts.port:
        # Keep user info (rare, but not ours to drop); remove only ":80"/":443".
        netloc = netloc.rsplit(":", 1)[0]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking_param(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return canonicalize_url(urlunsplit((scheme, netloc.lower(), parts.path or "/", query, "")))
