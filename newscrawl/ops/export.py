"""Export stored articles to JSONL or Parquet (``newscrawl export``).

``export_articles(db_url, out, since, site=None, fmt="jsonl")`` writes every
article published at or after ``since`` (and every article without a
publication time first seen at or after ``since``), optionally of one site,
ordered by publication time, and returns the number of rows written.

* JSONL: one article per line in the item schema (README#output-schema),
  UTF-8, Vietnamese as is (no ``\\u`` escapes); ``published``/``modified``
  exactly as extracted, e.g. ``"2024-03-13T14:31:00+07:00"``.
  A row stored before item schema 1.2 has no ``blocks`` (its line is the item
  of its own ``schema_version``); ``errors`` is there only when an extractor
  failed on the page.
* Parquet: the same fields (:func:`parquet_schema`), with list columns for
  ``authors``, ``authors_raw``, ``body``, ``tags``, ``images`` and ``missing``,
  lists of structs ``{text, image_url, credit}`` for ``captions`` and
  ``{type, text}`` for ``blocks`` (null in rows stored before 1.2), string maps
  for ``extraction`` and ``errors`` (null when none), plus
  ``published_utc``/``modified_utc`` timestamp columns (UTC) for filtering and
  sorting; ``crawled_at`` is a UTC timestamp.
* Parquet partitioned (``partition=("site", "date")``, either or both): a
  directory of Parquet files in hive layout, ``OUT/site=S/date=YYYY-MM-DD/part-0.parquet``,
  ``date`` being the publication day in ``tz`` (the crawl day for articles
  without a publication time). pyarrow, pandas, DuckDB and Polars read the
  partition keys back as columns.

The output file is written to a temporary file in the same directory and moved
into place with ``os.replace``, so a reader never sees half a file and a failed
export leaves any previous file untouched. A partitioned export is written to a
temporary directory and swapped in by two renames; it replaces only a directory
an earlier partitioned export wrote (it holds :data:`DATASET_MARKER`).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from newscrawl.crawl.atomic import current_umask
from newscrawl.storage.articles import row_to_item, stream_articles, table_names
from newscrawl.storage.engine import create_db_engine, safe_url

__all__ = ["ITEM_FIELDS", "FORMATS", "PARTITION_KEYS", "DATASET_MARKER", "export_articles", "parse_since",
           "parse_partition", "row_to_item"]

FORMATS = ("jsonl", "parquet")
#: What a Parquet export can be partitioned by (hive directories, in the order given).
PARTITION_KEYS = ("site", "date")
#: The file that marks a directory as a partitioned export, so a later export may replace it.
DATASET_MARKER = "_newscrawl_export.json"

from newscrawl.model.item import ARTICLE_FIELDS as ITEM_FIELDS  # noqa: E402 - item fields in schema order
from newscrawl.model.item import DATE_FIELDS, LIST_FIELDS  # noqa: E402
_CHUNK = 2000


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


def parse_partition(value: str | list | tuple | None) -> tuple[str, ...]:
    """``"site,date"`` (or a sequence) as a tuple of partition keys; ValueError naming the bad one."""
    if not value:
        return ()
    keys = [k.strip() for k in value.split(",")] if isinstance(value, str) else [str(k).strip() for k in value]
    for key in keys:
        if key not in PARTITION_KEYS:
            raise ValueError(f"partition keys are {' and '.join(PARTITION_KEYS)}, not {key!r}")
    if len(set(keys)) != len(keys):
        raise ValueError(f"partition key given twice: {','.join(keys)}")
    return tuple(keys)


def is_dataset_dir(path: str | os.PathLike) -> bool:
    """A directory an earlier partitioned export wrote (and a new one may therefore replace)."""
    return os.path.isfile(os.path.join(path, DATASET_MARKER))


def _write_jsonl(fh, rows) -> int:
    count = 0
    for row in rows:
        fh.write(json.dumps(row_to_item(row), ensure_ascii=False).encode("utf-8"))
        fh.write(b"\n")
        count += 1
    return count


def parquet_schema():
    """The Parquet columns: the item's fields in their order (ITEM_FIELDS), each typed by its kind, with
    ``published_utc``/``modified_utc`` timestamps after the date strings. A field with no type here is
    text; a new field of another kind gets its type here (the export fails on it until then)."""
    import pyarrow as pa

    text = pa.string()
    types = {
        "captions": pa.list_(pa.struct([("text", text), ("image_url", text), ("credit", text)])),
        "blocks": pa.list_(pa.struct([("type", text), ("text", text)])),
        "crawled_at": pa.timestamp("us", tz="UTC"),
        "extraction": pa.map_(text, text),
        "errors": pa.map_(text, text),
        "date_zones": pa.map_(text, text),
        "version": pa.int32(),
    }
    columns = []
    for name in ITEM_FIELDS:
        columns.append((name, types[name] if name in types else pa.list_(text) if name in LIST_FIELDS else text))
        if name == DATE_FIELDS[-1]:
            columns.extend((f"{date_field}_utc", pa.timestamp("us", tz="UTC")) for date_field in DATE_FIELDS)
    return pa.schema(columns)


def _parquet_tables(rows, schema, tz: str = "UTC") -> Iterator:
    """The rows as pyarrow tables of up to _CHUNK rows (at least one, maybe empty), in ``schema``."""
    import pyarrow as pa

    names = schema.names
    zone = ZoneInfo(tz)
    chunk: list[dict] = []

    def table():
        # .get: a row stored before a field was (blocks, errors) reads back without it, a null here.
        columns = {name: [rec.get(name) for rec in chunk] for name in names}
        for name in ("extraction", "errors", "date_zones"):  # map columns take (key, value) pairs
            columns[name] = [list(value.items()) if value is not None else None for value in columns[name]]
        chunk.clear()
        return pa.Table.from_pydict(columns, schema=schema)

    emitted = False
    for row in rows:
        m = row._mapping
        item = row_to_item(row)
        # Timestamps as timestamps (the JSON strings keep the page's own offset in published/modified).
        for name in DATE_FIELDS:
            item[f"{name}_utc"] = m[name]
        item["crawled_at"] = m["crawled_at"]
        if "date" in names:
            day = m["published"] or m["crawled_at"] or m["first_seen"]
            item["date"] = day.astimezone(zone).date() if day is not None else None
        chunk.append(item)
        if len(chunk) >= _CHUNK:
            emitted = True
            yield table()
    if chunk or not emitted:
        yield table()  # an empty export still has the schema


def _write_parquet(fh, rows) -> int:
    import pyarrow.parquet as pq

    schema = parquet_schema()
    count = 0
    with pq.ParquetWriter(fh, schema, compression="zstd") as writer:
        for table in _parquet_tables(rows, schema):
            writer.write_table(table)
            count += table.num_rows
    return count


def _write_dataset(directory: str, rows, partition: tuple[str, ...], tz: str) -> int:
    """A hive-partitioned Parquet dataset in ``directory`` (which exists and is empty)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    schema = parquet_schema()
    if "date" in partition:
        schema = schema.append(pa.field("date", pa.date32()))
    count = 0

    def batches():
        nonlocal count
        for table in _parquet_tables(rows, schema, tz):
            count += table.num_rows
            yield from table.to_batches()

    ds.write_dataset(
        batches(), directory, schema=schema, format="parquet",
        partitioning=ds.partitioning(pa.schema([schema.field(k) for k in partition]), flavor="hive"),
        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
        basename_template="part-{i}.parquet", existing_data_behavior="overwrite_or_ignore",
        max_rows_per_group=_CHUNK * 8,
    )
    return count


def _export_dataset(engine, out: str, since_utc: datetime, site: str | None, partition: tuple[str, ...],
                    tz: str) -> int:
    if os.path.lexists(out) and not is_dataset_dir(out):
        # Never delete what an export did not write.
        raise FileExistsError(f"{out} exists and is not a partitioned export of newscrawl's")
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(out)}.", suffix=".tmp")
    old = None
    try:
        count = _write_dataset(tmp, stream_articles(engine, since_utc, site, _CHUNK), partition, tz)
        with open(os.path.join(tmp, DATASET_MARKER), "w", encoding="utf-8") as fh:
            json.dump({"partition": list(partition), "since": since_utc.isoformat(), "site": site, "rows": count,
                       "tz": tz}, fh)
        os.chmod(tmp, 0o777 & ~current_umask())
        if os.path.lexists(out):
            old = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(out)}.", suffix=".old")
            os.rename(out, os.path.join(old, "previous"))
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not os.path.lexists(out):
            os.rename(os.path.join(old, "previous"), out)  # put the previous export back
            os.rmdir(old)
        raise
    if old is not None:
        shutil.rmtree(old)
    return count


def export_articles(
    db_url: str,
    out: str | os.PathLike,
    since: date | datetime | str,
    site: str | None = None,
    fmt: str = "jsonl",
    *,
    tz: str = "UTC",
    partition: str | tuple[str, ...] | None = None,
) -> int:
    """Write the articles published since ``since`` to ``out``; return the number written.

    ``since`` is a date, datetime or ISO string; a date or naive time is read in
    ``tz`` (default UTC; pass "Asia/Ho_Chi_Minh" for Vietnamese calendar days).
    Articles without a publication time are included when first seen since then.
    ``partition`` (Parquet only): ``"site"``, ``"date"`` or ``"site,date"``; ``out`` is then a directory.
    """
    fmt = (fmt or "jsonl").lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    partition = parse_partition(partition)
    if partition and fmt != "parquet":
        raise ValueError("only a Parquet export can be partitioned")
    since_utc = parse_since(since, tz)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not os.path.exists(url.database):
            raise FileNotFoundError(f"no database at {url.database}")
    engine = create_db_engine(db_url)
    try:
        if "articles" not in table_names(engine):
            raise RuntimeError(f"{safe_url(db_url)} has no articles table (nothing was ever stored there)")
        out = os.fspath(out)
        if partition:
            return _export_dataset(engine, out, since_utc, site, partition, tz)
        directory = os.path.dirname(os.path.abspath(out))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(out)}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                rows = stream_articles(engine, since_utc, site, _CHUNK)
                count = _write_jsonl(fh, rows) if fmt == "jsonl" else _write_parquet(fh, rows)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~current_umask())
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)  # a failed export leaves no half-written file
            raise
        return count
    finally:
        engine.dispose()
