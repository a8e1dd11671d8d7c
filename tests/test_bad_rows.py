"""One bad article never costs the others their rows: real crawls with poisoned articles, on SQLite and PostgreSQL.

Three articles of a copy of the tuyengiao fixture site are poisoned the way real pages are:
a lone surrogate in the JSON-LD keywords (-> ``tags``), a NUL byte in a JSON-LD image URL (-> ``images``) and a
6,000-character rel=canonical URL. Before, the first of them to reach the store made its batch fail, the batch
stayed staged and failed again with every later batch: nothing after it was stored, and the run said "ok".

* ``test_poisoned_pages_*``: the spider's own cleaning removes the surrogate and the NUL (the two articles are
  stored, clean); validation rejects the over-long canonical URL (``url_too_long``); every other article is stored.
* ``test_store_isolates_rows_the_database_refuses``: a producer that cleans nothing (tests/support/rawspider.py) and no
  clean/validate pipelines, so the poison reaches the store: the batch is split, every row the database accepts is
  stored, each row it refuses is in ``rejects`` (``db_refused: <the database's message>``) and counted, and the
  run ends "failed" (exit 4 for `newscrawl crawl`).
"""
from __future__ import annotations

import json
import random
import string

import pytest
from conftest import REPO, read_jsonl, run_scrapy
from tests.support.faultserver import parse_stats
from tests.support.sitecopy import SiteCopy
from sqlalchemy import create_engine, select

from tests.support.fixtures import FixtureServer
from newscrawl.storage.schema import articles, rejects
from tests.support.databases import postgres_unavailable, temporary_postgres_database

SITE = "https://tuyengiao.vn"
SURROGATE_PATH = "/thoi-su/bo-giao-duc-va-dao-tao-cong-bo-lich-thi-tot-nghiep-nam-2025-140623"
NUL_PATH = "/tuyen-giao-cac-cap/tay-ninh-kien-toan-doi-ngu-bao-cao-vien-co-so-139588"
LONG_PATH = "/tuyen-giao-cac-cap/gia-lai-nang-cao-hieu-qua-cong-tac-tuyen-truyen-mieng-138894"
# Random letters: PostgreSQL compresses index entries, and a repetitive URL would fit its index after all.
LONG_CANONICAL = SITE + LONG_PATH + "?ref=" + "".join(random.Random(7).choices(string.ascii_letters, k=6000))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newscrawl.sqlite'}"
        return
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with temporary_postgres_database() as url:
        yield url


def poisoned_site(root) -> SiteCopy:
    site = SiteCopy(root)

    def add_jsonld(path: str, data: str) -> None:
        file = site.file(path)
        html = file.read_text(encoding="utf-8")
        file.write_text(html.replace("</head>", f'<script type="application/ld+json">{data}</script></head>', 1),
                        encoding="utf-8")

    # JSON escapes: the page's bytes are valid UTF-8, the decoded JSON holds the bad characters.
    add_jsonld(SURROGATE_PATH, '{"@type": "NewsArticle", "keywords": "Giáo dục, thi\\ud800 cử"}')
    add_jsonld(NUL_PATH, '{"@type": "NewsArticle", "image": ["https://tuyengiao.vn/Uploads/a\\u0000b.jpg"]}')
    file = site.file(LONG_PATH)
    html = file.read_text(encoding="utf-8")
    file.write_text(html.replace(f'<link rel="canonical" href="{SITE}{LONG_PATH}"/>',
                                 f'<link rel="canonical" href="{LONG_CANONICAL}"/>'), encoding="utf-8")
    assert LONG_CANONICAL in file.read_text(encoding="utf-8")
    return site


def stored(db_url: str) -> tuple[dict, dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = {r.canonical_url: r._mapping for r in conn.execute(select(articles))}
            refused = {r.url: list(r.reasons) for r in conn.execute(select(rejects))}
            return {k: dict(v) for k, v in rows.items()}, refused
    finally:
        engine.dispose()


def crawl(spider_args: list[str], db_url: str, out, *extra: str):
    out.mkdir(parents=True, exist_ok=True)
    result = run_scrapy([
        *spider_args, "-O", str(out / "items.jsonl"),
        "-s", f"NEWSCRAWL_DB_URL={db_url}", "-s", "NEWSCRAWL_DB_BATCH_SIZE=5",
        "-s", f"NEWSCRAWL_REJECTS_PATH={out / 'rejects.jsonl'}", "-s", f"NEWSCRAWL_RUNS_DIR={out}",
        "-s", "AUTOTHROTTLE_ENABLED=False", *extra,
    ])
    (summary,) = json.loads((out / "last-run.json").read_text(encoding="utf-8"))["sites"].values()  # one site
    return result, parse_stats(result.stderr), summary


def test_poisoned_pages_are_cleaned_or_rejected_and_every_other_article_is_stored(db_url, tmp_path,
                                                                                    tuyengiao_expected):
    expected = {a["canonical_url"] for a in tuyengiao_expected["articles"]}
    site = poisoned_site(tmp_path / "site")
    with FixtureServer(site.root) as server:
        result, stats, summary = crawl(["crawl", "tuyengiao", "-a", f"base_url={server.url}"], db_url,
                                       tmp_path / "out")
    rows, rejected = stored(db_url)

    assert sorted(rows) == sorted(expected - {SITE + LONG_PATH}), result.stderr[-3000:]
    # The surrogate and the NUL are removed where the text is cleaned; the rest of the value stays.
    assert "thi cử" in rows[SITE + SURROGATE_PATH]["tags"]
    assert "https://tuyengiao.vn/Uploads/ab.jpg" in rows[SITE + NUL_PATH]["images"]
    assert "staged writes could not be saved" not in result.stderr
    # The over-long canonical URL: rejected with its reason, in the rejects table and the rejects JSONL.
    # (The fixture site has three broken pages of its own, rejected for what they lack.)
    assert rejected[f"{server.url}{LONG_PATH}"] == ["url_too_long"]
    assert [r["url"] for r in read_jsonl(tmp_path / "out" / "rejects.jsonl")
            if "url_too_long" in r["reasons"]] == [f"{server.url}{LONG_PATH}"]
    assert stats["newscrawl/rejected/url_too_long"] == 1 == summary["rejected_by_reason"]["url_too_long"]
    assert not any(key.startswith("newscrawl/rejected/unstorable") for key in stats)
    assert summary["status"] == "ok" and result.returncode == 0  # a page validation rejects is not a failure
    assert len(read_jsonl(tmp_path / "out" / "items.jsonl")) == len(expected) - 1


def test_store_isolates_rows_the_database_refuses(db_url, tmp_path, tuyengiao_expected):
    """Poison that reaches the store: only the rows the database refuses are lost, each recorded with its reason."""
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    paths = [u[len(SITE):] for u in expected]
    poison = {SURROGATE_PATH: "surrogate", NUL_PATH: "nul", LONG_PATH: "long_canonical"}
    raw_pipelines = json.dumps({"newscrawl.crawl.pipelines.dedupe.DedupePipeline": 300,
                                "newscrawl.crawl.pipelines.store.DatabaseStorePipeline": 400})
    with FixtureServer(SiteCopy(tmp_path / "site").root) as server:
        result, stats, summary = crawl(
            ["runspider", str(REPO / "tests" / "support" / "rawspider.py"), "-a", f"base_url={server.url}",
             "-a", f"paths={','.join(paths)}", "-a", "poison=" + ",".join(f"{p}={k}" for p, k in poison.items()),
             "-a", f"long_canonical={LONG_CANONICAL}"],
            db_url, tmp_path / "out", "-s", f"ITEM_PIPELINES={raw_pipelines}")
    rows, rejected = stored(db_url)
    poisoned = {SITE + SURROGATE_PATH, SITE + NUL_PATH, LONG_CANONICAL}
    # SQLite stores a NUL and any length of URL; PostgreSQL refuses NUL in text and index rows over 2,704 bytes.
    # A lone surrogate can be encoded for neither.
    refused_expected = {SITE + SURROGATE_PATH} | ({SITE + NUL_PATH, LONG_CANONICAL} if "postgresql" in db_url else set())

    good = set(expected) - {SITE + LONG_PATH} - poisoned
    assert good <= set(rows), sorted(good - set(rows))
    assert set(rows) == good | (poisoned - refused_expected), result.stderr[-3000:]
    assert {url for url in rejected} == {f"{server.url}{path}" for path, kind in poison.items()
                                         if (LONG_CANONICAL if kind == "long_canonical" else SITE + path)
                                         in refused_expected}
    for reasons in rejected.values():
        assert len(reasons) == 1 and reasons[0].startswith("db_refused: "), reasons
        assert "\n" not in reasons[0]
    jsonl = read_jsonl(tmp_path / "out" / "rejects.jsonl")
    assert sorted(r["url"] for r in jsonl) == sorted(rejected)
    assert stats["newscrawl/db/refused"] == len(refused_expected)
    assert "staged writes could not be saved" not in result.stderr
    assert summary["status"] == "failed"
    assert any("refused by the database" in p for p in summary["problems"]), summary["problems"]
