"""How requests are stored in the shared queue (``SCHEDULER_SERIALIZER``): scrapy-redis's pickle, less
the fields that hold their default.

``Request.to_dict`` writes all thirteen fields of a request, most of them empty for a crawl's
GET requests (no headers, body, cookies, flags or errback; priority 0). ``request_from_dict``
gives a field that is absent its default, so leaving those out changes nothing on the way back
and saves about a quarter of each queued request (newscrawl/distributed/footprint.py measures it).
Requests of a subclass (``_class``) keep every field: their defaults may differ.
"""
from __future__ import annotations

import inspect
import pickle

from scrapy import Request

_DEFAULTS = {name: p.default for name, p in inspect.signature(Request.__init__).parameters.items()
             if p.default is not inspect.Parameter.empty}
_EMPTY = (None, b"", "", {}, [])  # what to_dict writes for a field left at None (headers={}, body=b"", ...)


def _is_default(name: str, value) -> bool:
    if name not in _DEFAULTS:
        return False  # the URL, and keys that are not constructor arguments
    default = _DEFAULTS[name]
    if default is None:
        return any(value == empty and type(value) is type(empty) for empty in _EMPTY)
    return type(value) is type(default) and value == default


def compact(d: dict) -> dict:
    """``d`` (a ``Request.to_dict``) without the fields ``request_from_dict`` would give their default anyway."""
    if "_class" in d:
        return d
    return {name: value for name, value in d.items() if not _is_default(name, value)}


def dumps(obj) -> bytes:
    return pickle.dumps(compact(obj) if isinstance(obj, dict) else obj, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes):
    return pickle.loads(data)
