"""How an incoming article is classified against what the database already holds.

:class:`Deduplicator` has no Scrapy in it; :class:`newscrawl.crawl.pipelines.dedupe.DedupePipeline`
turns its decisions into stats and dropped items. In order:

1. **Canonical URL.** The item's ``canonical_url`` (or ``url``) is put through
   :func:`newscrawl.model.urls.canonical_url`. If an article with that URL is
   stored (or staged in this run's batch):

   * same ``content_hash`` and same ``modified`` -> ``unchanged`` (its
     ``last_seen`` is refreshed, nothing else is written);
   * a ``modified`` older than the stored one -> ``unchanged`` too (a stale
     copy, e.g. from a cache, never replaces a newer one);
   * otherwise -> ``updated``: ``version`` = stored version + 1, the article
     keeps its ``duplicate_of``, its near-duplicate signature is replaced.

2. **Exact content.** A new URL whose ``content_hash`` is already stored under
   another canonical URL -> ``duplicate_exact``: a ``duplicates`` row
   (kind ``exact``, similarity 1.0) and the item is not stored.

3. **Near duplicate.** Otherwise the MinHash signature of title + body is
   looked up in the LSH index (the database's, shared by every worker: every site, every run;
   newscrawl/storage/signatures.py) and written to it in the same transaction;
   the most similar article whose estimated Jaccard similarity reaches the
   threshold makes this one a ``duplicate_near``: ``duplicate_of`` = the first
   copy's canonical URL (the match's own ``duplicate_of`` when it is a copy itself),
   a ``duplicates`` row (kind ``near``), and the article is still
   stored as its own row.

4. Else ``new`` (version 1).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import numpy as np

from newscrawl.storage.articles import fallback_content_hash, parse_iso_datetime
from newscrawl.storage.store import ArticleStore
from newscrawl.model.urls import canonical_url as make_canonical_url

__all__ = ["Decision", "Deduplicator", "NEW", "UPDATED", "UNCHANGED", "DUPLICATE_EXACT", "DUPLICATE_NEAR"]

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
DUPLICATE_EXACT = "duplicate_exact"
DUPLICATE_NEAR = "duplicate_near"


@dataclass(frozen=True)
class Decision:
    kind: str  # one of NEW, UPDATED, UNCHANGED, DUPLICATE_EXACT, DUPLICATE_NEAR
    canonical_url: str
    version: int | None = None  # the item's version (for UNCHANGED: the stored one)
    duplicate_of: str | None = None  # the first copy, for duplicates
    similarity: float | None = None  # estimated Jaccard for near duplicates, 1.0 for exact ones

    @property
    def keep(self) -> bool:
        """Whether the item goes on to be stored."""
        return self.kind in (NEW, UPDATED, DUPLICATE_NEAR)


def _has_text(item: MutableMapping) -> bool:
    return bool(item.get("title")) or any(p and p.strip() for p in item.get("body") or ())


class Deduplicator:
    """Classify items with the state kept in an open :class:`ArticleStore`."""

    def __init__(self, store: ArticleStore):
        self.store = store

    def check(self, item: MutableMapping, signature: np.ndarray | None = None) -> Decision:
        """Classify ``item`` and set its ``canonical_url``, ``content_hash``, ``version`` and ``duplicate_of``.

        ``signature``: the item's MinHash signature when the caller computed it already
        (:func:`newscrawl.storage.neardup.minhash_signature` with the index's size); else it
        is computed here when needed.

        Staged side effects: a ``duplicates`` row for duplicates, a
        ``last_seen`` touch for unchanged articles, the signature of updated articles.
        A new article's signature is written to the index at once (every later item, of any
        worker, is compared with it).
        """
        store = self.store
        canonical = make_canonical_url(item.get("canonical_url") or item.get("url") or "")
        if not canonical:
            raise ValueError("item has neither canonical_url nor url")
        item["canonical_url"] = canonical
        content_hash = item.get("content_hash") or fallback_content_hash(item.get("title"), item.get("body"))
        item["content_hash"] = content_hash
        modified_raw = item.get("modified") or None
        modified = parse_iso_datetime(modified_raw)

        has_text = _has_text(item)

        def item_signature():
            if signature is not None:
                return signature
            return store.neardup.signature(item.get("title"), item.get("body"))

        previous, original = store.find(canonical, content_hash if has_text else None)
        if previous is not None:
            unchanged = previous.content_hash == content_hash and previous.same_modified(modified, modified_raw)
            if unchanged or previous.is_newer_than(modified):
                store.touch(canonical)
                return Decision(UNCHANGED, canonical, version=previous.version, duplicate_of=previous.duplicate_of)
            item["version"] = previous.version + 1
            item["duplicate_of"] = previous.duplicate_of
            store.stage_signature(canonical, item_signature())
            return Decision(UPDATED, canonical, version=item["version"], duplicate_of=previous.duplicate_of)

        if original is not None:
            store.add_duplicate(item.get("url") or canonical, canonical, original, "exact", 1.0)
            return Decision(DUPLICATE_EXACT, canonical, duplicate_of=original, similarity=1.0)

        item["version"] = 1
        item["duplicate_of"] = None
        sig = item_signature() if has_text else None
        if sig is None:
            store.stage_signature(canonical, None)
            return Decision(NEW, canonical, version=1)
        match = store.claim_signature(canonical, sig)
        if match is None:
            return Decision(NEW, canonical, version=1)
        original, similarity = match
        item["duplicate_of"] = original
        store.add_duplicate(item.get("url") or canonical, canonical, original, "near", similarity)
        return Decision(DUPLICATE_NEAR, canonical, version=1, duplicate_of=original, similarity=similarity)
