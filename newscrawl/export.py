"""Export stored articles to JSONL or Parquet (``newscrawl export``).

``export_articles(db_url, out, since, site=None, fmt="jsonl")`` writes every
article published at or after ``since`` (and every article without a
publication time first seen at or after ``since``), optionally of one site,
ordered by publication time, and returns the number of rows written.

* JSONL: one article per line in the item schema (``schema_version`` 1.0),
  UTF-8, Vietnamese as is (no ``\\u`` escapes); ``published``/``modified``
  exactly as extracted, e.g. ``"2024-03-13T14:31:00+07:00"``.
* Parquet: the same fields, with list columns for ``authors``,
  ``authors_raw``, ``body``, ``tags``, ``images`` and ``missing``, a list of
  structs ``{text, image_url, credit}`` for ``captions``, a string map for
  ``extraction``, plus ``published_utc``/``modified_utc`` timestamp columns
  (UTC) for filtering and sorting.

The output file is written to a temporary file in the same directory and moved
into place with ``os.replace``, so a reader never sees half a file and a failed
export leaves any previous file untouched.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, inspect, or_, select
from sqlalchemy.engine import make_url

from newscrawl.storage.schema import articles
from newscrawl.storage.store import create_db_engine, safe_url

__all__ = ["ITEM_FIELDS", "FORMATS", "export_articles", "parse_since", "row_to_item"]

FORMATS = ("jsonl", "parquet")

#: Item fields in schema order (schema_version 1.0).
ITEM_FIELDS = (
    "url", "canonical_url", "site", "section", "title", "lead", "published", "modified",
    "authors", "authors_raw", "source", "captions", "body", "tags", "images", "language",
    "crawled_at", "content_hash", "extraction", "missing", "duplicate_of", "version", "schema_version",
)
_LIST_FIELDS = ("authors", "authors_raw", "body", "tags", "images", "missing")
_CHUNK = 2000


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def parse_since(since: date | datetime | str, tz: str = "UTC") -> datetime:
    """``since`` as an aware UTC datetime. Dates and naive datetimes are taken in ``tz``."""
    if isinstance(since, datetime):
        value = since
    elif isinstance(since, date):
        value = datetime.combine(since, time())
    elif isinstance(since, str):
        try:
            value = datetime.fromisoformat(since.strip())
        except ValueError as error:
            raise ValueError(f"--since must be an ISO date or datetime (e.g. 2024-03-13), got {since!r}") from error
    else:
        raise TypeError(f"since must be a date, datetime or ISO string, not {type(since).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(timezone.utc)


def _iso_utc(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value is not None else None


def row_to_item(row) -> dict:
    """An ``articles`` row as an item dict (schema order)."""
    m = row._mapping
    item = {
        "url": m["url"],
        "canonical_url": m["canonical_url"],
        "site": m["site"],
        "section": m["section"],
        "title": m["title"],
        "lead": m["lead"],
        # The string as extracted keeps its offset ("+07:00"); the UTC column is the fallback.
        "published": m["published_raw"] or _iso_utc(m["published"]),
        "modified": m["modified_raw"] or _iso_utc(m["modified"]),
        "authors": list(m["authors"] or []),
        "authors_raw": list(m["authors_raw"] or []),
        "source": m["source"],
        "captions": [
            {"text": c.get("text"), "image_url": c.get("image_url"), "credit": c.get("credit")}
            for c in (m["captions"] or [])
        ],
        "body": list(m["body"] or []),
        "tags": list(m["tags"] or []),
        "images": list(m["images"] or []),
        "language": m["language"],
        "crawled_at": _iso_utc(m["crawled_at"]),
        "content_hash": m["content_hash"],
        "extraction": dict(m["extraction"] or {}),
        "missing": list(m["missing"] or []),
        "duplicate_of": m["duplicate_of"],
        "version": m["version"],
        "schema_version": m["schema_version"] or "1.0",
    }
    return item


def _query(since_utc: datetime, site: str | None):
    a = articles
    query = select(a).where(
        or_(a.c.published >= since_utc, and_(a.c.published.is_(None), a.c.first_seen >= since_utc))
    )
    if site:
        query = query.where(a.c.site == site)
    return query.order_by(a.c.published.asc().nulls_last(), a.c.id)


def _rows(engine, since_utc: datetime, site: str | None) -> Iterator:
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(_query(since_utc, site))
        yield from result


def _write_jsonl(fh, rows) -> int:
    count = 0
    for row in rows:
        fh.write(json.dumps(row_to_item(row), ensure_ascii=False).encode("utf-8"))
        fh.write(b"\n")
        count += 1
    return count


def parquet_schema():
    import pyarrow as pa

    text = pa.string()
    strings = pa.list_(text)
    return pa.schema(
        [
            ("url", text),
            ("canonical_url", text),
            ("site", text),
            ("section", text),
            ("title", text),
            ("lead", text),
            ("published", text),
            ("modified", text),
            ("published_utc", pa.timestamp("us", tz="UTC")),
            ("modified_utc", pa.timestamp("us", tz="UTC")),
            ("authors", strings),
            ("authors_raw", strings),
            ("source", text),
            ("captions", pa.list_(pa.struct([("text", text), ("image_url", text), ("credit", text)]))),
            ("body", strings),
            ("tags", strings),
            ("images", strings),
            ("language", text),
            ("crawled_at", text),
            ("content_hash", text),
            ("extraction", pa.map_(text, text)),
            ("missing", strings),
            ("duplicate_of", text),
            ("version", pa.int32()),
            ("schema_version", text),
        ]
    )


def _write_parquet(fh, rows) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    names = schema.names
    count = 0
    with pq.ParquetWriter(fh, schema, compression="zstd") as writer:
        chunk: list[dict] = []

        def emit():
            columns = {name: [rec[name] for rec in chunk] for name in names}
            columns["extraction"] = [list(value.items()) for value in columns["extraction"]]
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
            chunk.clear()

        for row in rows:
            item = row_to_item(row)
            item["published_utc"] = row._mapping["published"]
            item["modified_utc"] = row._mapping["modified"]
            chunk.append(item)
            count += 1
            if len(chunk) >= _CHUNK:
                emit()
        if chunk or count == 0:
            emit()  # an empty export is still a valid Parquet file with the schema
    return count


def export_articles(
    db_url: str,
    out: str | os.PathLike,
    since: date | datetime | str,
    site: str | None = None,
    fmt: str = "jsonl",
    *,
    tz: str = "UTC",
) -> int:
    """Write the articles published since ``since`` to ``out``; return the number written.

    ``since`` is a date, datetime or ISO string; a date or naive time is read in
    ``tz`` (default UTC; pass "Asia/Ho_Chi_Minh" for Vietnamese calendar days).
    Articles without a publication time are included when first seen since then.
    """
    fmt = (fmt or "jsonl").lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    since_utc = parse_since(since, tz)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not os.path.exists(url.database):
            raise FileNotFoundError(f"no database at {url.database}")
    engine = create_db_engine(db_url)
    try:
        if not inspect(engine).has_table(articles.name):
            raise RuntimeError(f"{safe_url(db_url)} has no articles table (nothing was ever stored there)")
        out = os.fspath(out)
        directory = os.path.dirname(os.path.abspath(out))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(out)}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                rows = _rows(engine, since_utc, site)
                count = _write_jsonl(fh, rows) if fmt == "jsonl" else _write_parquet(fh, rows)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, out)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        return count
    finally:
        engine.dispose()
