"""URL rules shared by the spider, extraction and deduplication."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

# Query parameters that only say where a reader came from; they never change the article.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|zarsrc|zalo_[a-z_]+|_ga|_gl|mc_cid|mc_eid|"
    r"igshid|ref_src|cmpid|ocid|spm|share|from|itm_[a-z_]+|_hsenc|_hsmi|vero_[a-z_]+)$",
    re.IGNORECASE,
)
ALLOWED_SCHEMES = ("http", "https")


def is_http_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ALLOWED_SCHEMES


def strip_tracking(url: str, keep_query: bool = True) -> str:
    """The URL without fragment and tracking parameters (or without any query when ``keep_query`` is False)."""
    parts = urlsplit(safe_url_string(url.strip()))
    query = ""
    if keep_query and parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
        query = urlencode(pairs)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def canonical_url(url: str, keep_query: bool = True) -> str:
    """One spelling per article: tracking parameters and fragment removed, then w3lib's canonical form."""
    return canonicalize_url(strip_tracking(url, keep_query=keep_query))


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on the same host, ignoring a leading ``www.``."""
    def host(u):
        h = (urlsplit(u).hostname or "").lower()
        return h[4:] if h.startswith("www.") else h

    return bool(host(url)) and host(url) == host(other)
