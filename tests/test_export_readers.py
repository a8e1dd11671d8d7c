"""`newscrawl export` read back as a data team does: the README's pandas, pyarrow, DuckDB and Polars calls,
run as written on real exports (JSONL, Parquet, partitioned Parquet) of a real crawl of the fixture site."""
from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
from conftest import REPO, read_jsonl, run_newscrawl
from newscrawl.model.item import ITEM_SCHEMA_VERSION

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """A demo crawl's database, exported by the real command under the names the README uses."""
    root = tmp_path_factory.mktemp("exports")
    demo = run_newscrawl(["demo", "--out", str(root / "out")])
    assert demo.returncode == 0, demo.stderr[-3000:]
    db = f"sqlite:///{root}/out/newscrawl.sqlite"
    for args in (["articles.jsonl"], ["--format", "parquet", "articles.parquet"],
                 ["--format", "parquet", "--partition", "site,date", "articles"]):
        result = run_newscrawl(["export", "--db", db, "--since", "2024-01-01", *args], cwd=root)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("newscrawl export: 47 articles"), result.stdout
    return root


def readme_python_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Reading exports with pandas, DuckDB and Polars", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, flags=re.M | re.S)


def run_block(library: str, directory) -> dict:
    pytest.importorskip(library)
    (block,) = [b for b in readme_python_blocks() if re.search(rf"^import {library}\b", b, flags=re.M)]
    namespace: dict = {}
    assert os.path.samefile(os.getcwd(), directory)  # the README's relative paths (DuckDB reads lazily: stay there)
    exec(compile(block, f"README.md ({library})", "exec"), namespace)
    return namespace


def test_parquet_times_are_timestamps_and_partitions_are_hive_folders(exports):
    table = pq.read_table(exports / "articles.parquet")
    utc = pa.timestamp("us", tz="UTC")
    assert table.schema.field("crawled_at").type == utc
    assert table.schema.field("published_utc").type == utc
    lines = {i["canonical_url"]: i for i in read_jsonl(exports / "articles.jsonl")}
    for row in table.to_pylist():
        assert row["crawled_at"] == dt.datetime.fromisoformat(lines[row["canonical_url"]]["crawled_at"])
        assert row["published"] == lines[row["canonical_url"]]["published"]  # the string keeps its +07:00

    folder = exports / "articles"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet"))
    assert files and all(re.fullmatch(r"site=tuyengiao/date=\d{4}-\d{2}-\d{2}/part-0\.parquet", f) for f in files)
    for line in lines.values():
        day = dt.datetime.fromisoformat(line["published"]).astimezone(dt.timezone.utc).date()
        part = pq.read_table(folder / "site=tuyengiao" / f"date={day}" / "part-0.parquet")
        assert line["canonical_url"] in part.column("canonical_url").to_pylist()
    assert json.loads((folder / "_newscrawl_export.json").read_text())["rows"] == 47


def test_the_readme_pandas_calls_give_the_right_types(exports, monkeypatch):
    monkeypatch.chdir(exports)
    pd = pytest.importorskip("pandas")
    ns = run_block("pandas", exports)
    articles, table, by_day, march = ns["articles"], ns["table"], ns["by_day"], ns["march"]
    assert len(articles) == len(table) == len(by_day) == 47
    assert set(articles["schema_version"]) == {ITEM_SCHEMA_VERSION}  # a string, not a float
    assert set(table["schema_version"]) == {ITEM_SCHEMA_VERSION}
    for frame in (articles, table, by_day):
        assert isinstance(frame["crawled_at"].dtype, pd.DatetimeTZDtype) and str(frame["crawled_at"].dt.tz) == "UTC"
    assert isinstance(articles["published"].dtype, pd.DatetimeTZDtype)
    assert (articles.set_index("canonical_url")["published"]
            == table.set_index("canonical_url")["published_utc"]).all()
    assert {type(d) for d in by_day["date"]} == {dt.date} and set(by_day["site"]) == {"tuyengiao"}
    assert 0 < len(march) < 47 and min(march["date"]) >= dt.date(2024, 3, 1)
    # Without dtype=False, pandas makes schema_version a float: what the README warns of.
    naive = pd.read_json(exports / "articles.jsonl", lines=True)
    assert naive["schema_version"].dtype == "float64"


def test_the_readme_duckdb_calls_give_the_right_types(exports, monkeypatch):
    monkeypatch.chdir(exports)
    ns = run_block("duckdb", exports)
    per_site, since_march = ns["per_site"], ns["since_march"]
    assert per_site.fetchall()[0][:2] == ("tuyengiao", 47)
    assert [str(t) for t in per_site.types] == ["VARCHAR", "BIGINT", "TIMESTAMP WITH TIME ZONE"]
    rows = since_march.fetchall()
    assert 0 < len(rows) < 47 and all(r[1] >= dt.date(2024, 3, 1) for r in rows)
    assert [str(t) for t in since_march.types] == ["VARCHAR", "DATE", "VARCHAR", "TIMESTAMP WITH TIME ZONE"]


def test_the_readme_polars_calls_give_the_right_types(exports, monkeypatch):
    monkeypatch.chdir(exports)
    pl = pytest.importorskip("polars")
    ns = run_block("polars", exports)
    jsonl, parquet, partitioned = ns["jsonl"], ns["parquet"], ns["partitioned"]
    assert jsonl.height == parquet.height == partitioned.height == 47
    utc = pl.Datetime("us", "UTC")
    assert jsonl.schema["published"] == jsonl.schema["crawled_at"] == utc
    assert parquet.schema["crawled_at"] == partitioned.schema["crawled_at"] == utc
    assert jsonl.schema["schema_version"] == pl.String and set(jsonl["schema_version"]) == {ITEM_SCHEMA_VERSION}
    assert partitioned.schema["date"] == pl.Date and set(partitioned["site"]) == {"tuyengiao"}


def test_partition_arguments_are_checked(exports):
    db = f"sqlite:///{exports}/out/newscrawl.sqlite"
    cases = [
        (["--format", "parquet", "--partition", "site,day", "x"], "--partition"),
        (["--partition", "site", "x"], "Parquet"),
        (["--format", "parquet", "--partition", "site", "articles.jsonl"], "is a file"),
        (["--format", "parquet", "--partition", "site", "out"], "no partitioned export wrote"),
    ]
    for args, words in cases:
        result = run_newscrawl(["export", "--db", db, "--since", "2024-01-01", *args], cwd=exports)
        assert result.returncode == 2 and words in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert (exports / "out" / "newscrawl.sqlite").exists() and not (exports / "x").exists()
    # An earlier partitioned export is replaced whole: a second run by site only leaves no date folders.
    again = run_newscrawl(["export", "--db", db, "--since", "2024-01-01", "--format", "parquet", "--partition", "site",
                           str(exports / "again")], cwd=exports)
    assert again.returncode == 0
    again = run_newscrawl(["export", "--db", db, "--since", "2024-06-01", "--format", "parquet", "--partition", "site",
                           str(exports / "again")], cwd=exports)
    assert again.returncode == 0, again.stderr
    assert pq.read_table(exports / "again").num_rows < 47
    assert not [p for p in exports.iterdir() if p.name.startswith(".again.")]  # no temporary folder left
