"""The near-duplicate index, shared by every worker of one database: each article's MinHash signature in
``minhash_signatures`` and its LSH band keys in ``minhash_bands`` (an indexed ``band_key -> canonical_url``
table), queried per article. A worker keeps no signature in memory and builds nothing when it starts.

**Why the database, not Redis.** datasketch ships a Redis storage for its LSH
(``MinHashLSH(storage_config={"type": "redis", ...})``); it is not used because:

* the database is there whenever dedupe runs (SQLite alone, PostgreSQL for several workers); Redis only
  in distributed mode, so a Redis index would be a second code path, or a new dependency of every crawl;
* a check and the write of its signature must be one transaction for two workers not to miss each
  other's copy (below); datasketch's Redis storage inserts and queries with no transaction around them;
* ``NEWSCRAWL_NEARDUP_WINDOW_DAYS`` is a condition on ``articles.first_seen`` in the same query, and
  signatures stay in step with the articles they describe (one backup, one export, one migration);
  datasketch's storage has no notion of time and holds the whole ``MinHash`` of every key, forever.

The cost: a write transaction per new article that has text (the claim), and ``bands`` rows per article
(21 at the defaults) in the database.

**The claim** (:meth:`StoredIndex.claim`, a new article's check), in one transaction: lock the signature's
band keys (PostgreSQL: ``pg_advisory_xact_lock`` on each key, in ascending order, so two claims never wait
on each other in a cycle; SQLite: ``BEGIN IMMEDIATE``, the file's one write lock), read the articles
sharing a key, verify each against its signature, and write this article's signature, with the first copy
it is a near-duplicate of, and its band keys. Two copies of a story are LSH candidates exactly when they
share a band key, so two workers checking them at the same moment both lock that key: the second waits
for the first to commit and sees its signature. Articles that share no key do not wait for each other.

The signature is written when the article is decided, before the article's row, which is written with its
batch. A worker killed in between leaves the signature of an article not stored: a later copy may name it
as its first copy; the killed run's URLs are fetched again by the next run (URL state, or the distributed
frontier), which stores the article under that canonical URL and keeps the signature.

Only articles first seen within ``NEWSCRAWL_NEARDUP_WINDOW_DAYS`` are compared (a signature whose article is
not written yet counts from its own ``updated_at``): copies of a story appear within days, not years.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, func, select, text
from sqlalchemy.engine import Connection

from newscrawl.storage.articles import Statements, utcnow
from newscrawl.storage.neardup import NearDupIndex
from newscrawl.storage.schema import (
    UTCDateTime,
    articles,
    get_meta,
    lock_schema,
    minhash_bands,
    minhash_signatures,
    set_meta,
)

#: ``schema_meta`` key: the layout (:attr:`NearDupIndex.layout`) ``minhash_bands`` was last filled for.
LAYOUT_KEY = "neardup_layout"
_CHUNK = 500

# A signature to write: (canonical_url, signature, duplicate_of, updated_at).
SignatureRow = tuple[str, np.ndarray, "str | None", datetime]


class StoredIndex:
    """The near-duplicate index of one store, in its database (see the module's docstring).

    ``read(fn, what)`` runs ``fn(conn)`` on the store's reader connection (for ``in``)."""

    def __init__(self, index: NearDupIndex, window_days: float, statements: Statements,
                 read: Callable[[Callable[[Connection], Any], str], Any]):
        self.index = index
        self.window = timedelta(days=window_days) if window_days > 0 else None
        self.statements = statements
        self._read = read
        # Signatures that go with the article's row, by canonical URL: an updated article's (staged by the
        # dedupe step) or None (no words). Claimed: new articles whose signature the claim wrote already.
        self.staged: dict[str, np.ndarray | None] = {}
        self.claimed: set[str] = set()

    @property
    def num_perm(self) -> int:
        return self.index.num_perm

    def signature(self, title, body) -> np.ndarray | None:
        return self.index.signature(title, body)

    def window_start(self) -> datetime | None:
        """Articles first seen before this are not compared (``None``: no limit)."""
        return utcnow() - self.window if self.window is not None else None

    # ------------------------------------------------------------------ reads

    def _compatible(self):
        s, ix = minhash_signatures, self.index
        return and_(s.c.num_perm == ix.num_perm, s.c.scheme == ix.scheme, s.c.seed == ix.seed)

    def _indexed(self, query):
        """``query`` (over minhash_signatures) limited to compatible signatures within the window."""
        s, a = minhash_signatures, articles
        query = query.outerjoin(a, a.c.canonical_url == s.c.canonical_url).where(self._compatible())
        cutoff = self.window_start()
        if cutoff is not None:
            # An article not written yet (its batch is still in its worker) counts from its signature's time.
            query = query.where(func.coalesce(a.c.first_seen, s.c.updated_at, type_=UTCDateTime()) >= cutoff)
        return query

    def __contains__(self, canonical: str) -> bool:
        """Whether the article is in the index (a compatible signature, first seen within the window)."""
        s = minhash_signatures
        query = self._indexed(select(s.c.id).select_from(s)).where(s.c.canonical_url == canonical)
        return self._read(lambda conn: conn.execute(query).first() is not None, "near-duplicate index lookup")

    def _signatures(self, conn: Connection, where) -> dict[str, tuple[np.ndarray, str | None]]:
        s = minhash_signatures
        query = self._indexed(select(s.c.canonical_url, s.c.hashvalues, s.c.duplicate_of).select_from(s))
        return {row.canonical_url: (self.index.from_bytes(row.hashvalues), row.duplicate_of)
                for row in conn.execute(query.where(where))}

    # ------------------------------------------------------------------ the check of a new article

    def _lock(self, conn: Connection, keys: list[int]) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS BIGINT[])) AS k"),
                         {"keys": keys})
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the transaction's first statement (see lock_schema)

    def claim(self, conn: Connection, canonical: str, sig: np.ndarray) -> tuple[str, float] | None:
        """Check a new article against the index and add it, in ``conn``'s transaction (see the module's
        docstring): ``(first copy, estimated Jaccard similarity with it)`` when the article is a
        near-duplicate, else ``None``. The most similar candidate at or above the threshold wins; its own
        first copy, when it is a near-duplicate itself, is this article's first copy."""
        keys = sorted(set(self.index.band_keys(sig)))
        self._lock(conn, keys)
        b, s = minhash_bands, minhash_signatures
        # Two queries, not a join: the band index must lead (a planner without statistics, on a new
        # table, would scan the signatures instead), and most articles share no key with any other.
        sharing = conn.execute(select(b.c.canonical_url).distinct()
                               .where(b.c.band_key.in_(keys), b.c.canonical_url != canonical)).scalars().all()
        candidates = self._signatures(conn, s.c.canonical_url.in_(sharing)) if sharing else {}
        match = None
        found = [(url, self.index.similarity(sig, other)) for url, (other, _) in candidates.items()]
        found = sorted(((url, sim) for url, sim in found if sim >= self.index.threshold), key=lambda p: (-p[1], p[0]))
        if found:
            best, similarity = found[0]
            original = candidates[best][1] or best
            if original != best:
                first = candidates.get(original) or self._signatures(conn, s.c.canonical_url == original).get(original)
                if first is not None:
                    similarity = self.index.similarity(sig, first[0])
            if original != canonical:
                match = (original, similarity)
        self.write(conn, [(canonical, sig, match[0] if match else None, utcnow())])
        self.claimed.add(canonical)
        self.staged.pop(canonical, None)
        return match

    # ------------------------------------------------------------------ writes

    def write(self, conn: Connection, rows: Iterable[SignatureRow]) -> None:
        """Write signatures and replace their band keys (in ``conn``'s transaction; idempotent)."""
        rows = list(rows)
        if rows:
            write_signatures(conn, self.statements, self.index, rows)

    def stage(self, canonical: str, sig: np.ndarray | None) -> None:
        """Write ``sig`` with the article's row, when its batch is written (``None``: no signature)."""
        self.staged[canonical] = sig
        self.claimed.discard(canonical)

    def for_article(self, canonical: str, title, body) -> np.ndarray | None:
        """The signature to write with an article being staged: none when the claim wrote it, the one the
        dedupe step staged, else computed now (an article stored without the dedupe step)."""
        if canonical in self.claimed:
            self.claimed.discard(canonical)
            return None
        if canonical in self.staged:
            return self.staged.pop(canonical)
        return self.index.signature(title, body)

    def forget(self, conn: Connection, canonical: str) -> None:
        """A new article the database refused: its signature is no first copy others may name."""
        self.claimed.discard(canonical)
        self.staged.pop(canonical, None)
        conn.execute(delete(minhash_bands).where(minhash_bands.c.canonical_url == canonical))
        conn.execute(delete(minhash_signatures).where(minhash_signatures.c.canonical_url == canonical))

    # ------------------------------------------------------------------ when settings change

    def is_current(self, conn: Connection) -> bool:
        """Whether the band table was filled for this index's layout (one row read: a worker's start)."""
        return get_meta(conn, LAYOUT_KEY) == self.index.layout

    def rebuild(self, conn: Connection) -> int:
        """For a new layout (first start, or NEWSCRAWL_MINHASH_PERMUTATIONS / NEWSCRAWL_NEARDUP_THRESHOLD
        changed): compute the signatures the window's articles lack with these parameters, band every
        signature of the window anew and record the layout. Returns the signatures computed."""
        lock_schema(conn)  # one worker rebuilds; the others, waiting, find it done
        if self.is_current(conn):
            return 0
        s, a = minhash_signatures, articles
        lacking = (
            select(a.c.canonical_url, a.c.title, a.c.body, a.c.duplicate_of)
            .select_from(a.outerjoin(s, and_(s.c.canonical_url == a.c.canonical_url, self._compatible())))
            .where(s.c.id.is_(None))
            .order_by(a.c.id)
        )
        cutoff = self.window_start()
        if cutoff is not None:
            lacking = lacking.where(a.c.first_seen >= cutoff)
        now, computed = utcnow(), []
        for row in conn.execute(lacking).all():
            sig = self.index.signature(row.title, row.body)
            if sig is not None:
                computed.append((row.canonical_url, sig, row.duplicate_of, now))
        for start in range(0, len(computed), _CHUNK):
            write_signatures(conn, self.statements, self.index, computed[start:start + _CHUNK], bands=False)
        band_stored_signatures(conn, self.index, cutoff)
        return len(computed)


def write_signatures(conn: Connection, statements: Statements, index: NearDupIndex, rows: list[SignatureRow],
                     bands: bool = True) -> None:
    """Upsert signature rows and (``bands``) replace the band keys of their articles."""
    conn.execute(statements.upsert_signature, [
        {"canonical_url": url, "num_perm": index.num_perm, "scheme": index.scheme, "seed": index.seed,
         "hashvalues": index.to_bytes(sig), "duplicate_of": duplicate_of, "updated_at": when}
        for url, sig, duplicate_of, when in rows])
    if bands:
        replace_bands(conn, statements, index, [(url, sig) for url, sig, _, _ in rows])


def replace_bands(conn: Connection, statements: Statements, index: NearDupIndex,
                  rows: list[tuple[str, np.ndarray]]) -> None:
    """The band keys of ``(canonical_url, signature)`` rows, in place of what their articles had."""
    conn.execute(delete(minhash_bands).where(minhash_bands.c.canonical_url.in_([url for url, _ in rows])))
    conn.execute(statements.insert_band,
                 [{"band_key": key, "canonical_url": url} for url, sig in rows for key in index.band_keys(sig)])


def band_stored_signatures(conn: Connection, index: NearDupIndex | None = None, cutoff: datetime | None = None) -> int:
    """Band every stored signature compatible with ``index`` (default: the default settings) whose article
    was first seen since ``cutoff`` (``None``: all), ``_CHUNK`` at a time, and record the index's layout.
    Returns the signatures banded. (The migration to schema 6, and :meth:`StoredIndex.rebuild`.)"""
    index = NearDupIndex() if index is None else index  # (an empty in-memory index is falsy)
    statements = Statements(conn.dialect.name)
    s, a = minhash_signatures, articles
    query = (select(s.c.id, s.c.canonical_url, s.c.hashvalues)
             .where(s.c.num_perm == index.num_perm, s.c.scheme == index.scheme, s.c.seed == index.seed)
             .order_by(s.c.id).limit(_CHUNK))
    if cutoff is not None:
        query = query.where(s.c.canonical_url.in_(select(a.c.canonical_url).where(a.c.first_seen >= cutoff)))
    banded, after = 0, 0
    while True:
        chunk = conn.execute(query.where(s.c.id > after)).all()
        if not chunk:
            break
        after = chunk[-1].id
        replace_bands(conn, statements, index, [(r.canonical_url, index.from_bytes(r.hashvalues)) for r in chunk])
        banded += len(chunk)
    set_meta(conn, LAYOUT_KEY, index.layout)
    return banded
