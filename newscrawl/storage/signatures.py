"""The near-duplicate index's life cycle: load it from ``minhash_signatures``, refresh it with what other
workers wrote, rebuild missing or stale signatures, and stage this worker's new ones.

The index itself (MinHash, LSH) is :class:`newscrawl.storage.neardup.NearDupIndex`. Only articles first
seen within ``NEWSCRAWL_NEARDUP_WINDOW_DAYS`` are indexed (about 7 kB of memory per article): copies
of a story appear within days, not years.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.engine import Connection

from newscrawl.storage.articles import Statements, utcnow
from newscrawl.storage.neardup import NearDupIndex
from newscrawl.storage.schema import articles, minhash_signatures


class Signatures:
    """The index of one store, with the signatures staged and not yet written."""

    def __init__(self, neardup: NearDupIndex, window_days: float, look_back: int):
        self.neardup = neardup
        self.window = timedelta(days=window_days) if window_days > 0 else None
        # Ids are handed out before commit, so another worker's transaction may commit a lower id
        # after a higher one was read: a refresh looks back this many ids (re-reads are skipped).
        self.look_back = look_back
        self.staged: dict[str, np.ndarray | None] = {}
        self.originals: dict[str, str] = {}  # near-duplicate canonical_url -> first copy
        self.high_water = 0

    @property
    def params(self) -> dict:
        """The columns that say which index a stored signature belongs to."""
        return {"num_perm": self.neardup.num_perm, "scheme": self.neardup.scheme, "seed": self.neardup.seed}

    def window_start(self) -> datetime | None:
        """Articles first seen before this are left out of the in-memory index (``None``: no limit)."""
        return utcnow() - self.window if self.window is not None else None

    # ------------------------------------------------------------------ database

    def refresh(self, conn: Connection) -> int:
        """Index signatures written since the last look (by this or another worker); return how many."""
        s, a = minhash_signatures, articles
        query = (
            select(s.c.id, s.c.canonical_url, s.c.num_perm, s.c.scheme, s.c.seed, s.c.hashvalues, a.c.duplicate_of)
            .select_from(s.join(a, a.c.canonical_url == s.c.canonical_url))
            .where(s.c.id > bindparam("high_water"))
            .order_by(s.c.id)
        )
        cutoff = self.window_start()
        if cutoff is not None:
            query = query.where(a.c.first_seen >= cutoff)
        rows = conn.execute(query, {"high_water": max(0, self.high_water - self.look_back)}).all()
        count = 0
        for row in rows:
            self.high_water = max(self.high_water, row.id)
            if not self.neardup.compatible(row.num_perm, row.scheme, row.seed):
                continue
            if row.canonical_url in self.staged:
                continue  # changed in this worker and not yet written: the staged one is newer
            self.neardup.add(row.canonical_url, self.neardup.from_bytes(row.hashvalues))
            if row.duplicate_of:
                self.originals[row.canonical_url] = row.duplicate_of
            count += 1
        return count

    def rebuild(self, conn: Connection, statements: Statements) -> int:
        """Signatures for articles that have none with this index's parameters (first run, or settings changed)."""
        s, a = minhash_signatures, articles
        compatible = and_(
            s.c.canonical_url == a.c.canonical_url,
            s.c.num_perm == self.neardup.num_perm,
            s.c.scheme == self.neardup.scheme,
            s.c.seed == self.neardup.seed,
        )
        query = (
            select(a.c.canonical_url, a.c.title, a.c.body)
            .select_from(a.outerjoin(s, compatible))
            .where(s.c.id.is_(None))
            .order_by(a.c.id)
        )
        cutoff = self.window_start()
        if cutoff is not None:
            query = query.where(a.c.first_seen >= cutoff)
        rows = conn.execute(query).all()
        if not rows:
            return 0
        now = utcnow()
        params = []
        for row in rows:
            sig = self.neardup.signature(row.title, row.body)
            if sig is not None:
                params.append({"canonical_url": row.canonical_url, **self.params,
                               "hashvalues": self.neardup.to_bytes(sig), "updated_at": now})
        # Replace incompatible rows: delete then insert gives them new ids, which other workers pick up.
        urls = [p["canonical_url"] for p in params]
        for start in range(0, len(urls), 500):
            conn.execute(delete(s).where(s.c.canonical_url.in_(urls[start : start + 500])))
        if params:
            conn.execute(statements.upsert_signature, params)
        return len(params)

    # ------------------------------------------------------------------ this worker's articles

    def stage(self, canonical: str, sig: np.ndarray | None) -> None:
        """Index ``sig`` now and write it with the article when it is stored (``None``: no signature)."""
        self.staged[canonical] = sig
        if sig is not None:
            self.neardup.add(canonical, sig)

    def for_article(self, canonical: str, title, body, duplicate_of: str | None) -> bytes | None:
        """The signature to write with an article being staged (the one staged by the dedupe step, else
        computed and indexed now), as bytes; remembers whose near-duplicate the article is."""
        if canonical in self.staged:
            sig = self.staged.pop(canonical)
        else:
            sig = self.neardup.signature(title, body)
            if sig is not None:
                self.neardup.add(canonical, sig)
        if duplicate_of:
            self.originals[canonical] = duplicate_of
        else:
            self.originals.pop(canonical, None)
        return self.neardup.to_bytes(sig) if sig is not None else None

    def forget(self, canonical: str, new: bool) -> None:
        """An article the database refused: a new one is not an original others may copy."""
        if new:
            self.neardup.remove(canonical)
        self.originals.pop(canonical, None)

    def resolve_original(self, canonical: str) -> str:
        """The first copy of ``canonical`` (itself unless it is a known near-duplicate)."""
        seen = {canonical}
        while canonical in self.originals:
            canonical = self.originals[canonical]
            if canonical in seen:  # a cycle would be a bug; do not loop on it
                break
            seen.add(canonical)
        return canonical
