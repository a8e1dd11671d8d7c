"""Deduplication across runs and sites, on real SQLite and real PostgreSQL, through Scrapy crawlers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import unicodedata

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, func, select

from newscrawl.crawl.pipelines.dedupe import DedupePipeline
from newscrawl.crawl.pipelines.store import DatabaseStorePipeline
from newscrawl.storage import ArticleStore, NearDupIndex, shingles
from newscrawl.storage.schema import article_versions, articles, duplicates, minhash_signatures
from conftest import REPO
from tests.support.databases import (
    make_item,
)

# --------------------------------------------------------------------------- texts
# A wire story (written for these tests), ~300 words; the other texts are ~250 words.
WIRE_TITLE = "Xuất khẩu gạo quý I đạt gần 1,9 triệu tấn, giá bình quân tăng mạnh"
WIRE_BODY = [
    "Theo số liệu của Bộ Nông nghiệp và Phát triển nông thôn, trong ba tháng đầu năm, cả nước xuất khẩu "
    "khoảng 1,9 triệu tấn gạo, thu về hơn 1,3 tỷ USD. So với cùng kỳ năm trước, khối lượng tăng gần 15% "
    "còn giá trị tăng tới hơn 40%.",
    "Giá gạo xuất khẩu bình quân trong quý I ước đạt khoảng 690 USD mỗi tấn, cao hơn đáng kể so với mức "
    "550 USD của cùng kỳ. Các doanh nghiệp cho biết nhu cầu từ thị trường Philippines và Indonesia vẫn duy "
    "trì ở mức cao, trong khi nguồn cung từ một số nước xuất khẩu lớn bị thu hẹp do ảnh hưởng của thời tiết.",
    "Đại diện Hiệp hội Lương thực Việt Nam nhận định, vụ đông xuân ở Đồng bằng sông Cửu Long đang vào cao "
    "điểm thu hoạch nên lượng lúa hàng hóa dồi dào. Tuy nhiên, giá lúa trong nước có xu hướng giảm nhẹ "
    "trong những tuần gần đây, khiến nông dân lo ngại về lợi nhuận.",
    "Để giữ ổn định thị trường, cơ quan quản lý khuyến nghị các doanh nghiệp chủ động thu mua tạm trữ, ký "
    "kết hợp đồng dài hạn với hợp tác xã và nâng cao chất lượng hạt gạo. Việc xây dựng thương hiệu gạo "
    "quốc gia cũng được xem là giải pháp quan trọng để gia tăng giá trị.",
    "Các chuyên gia dự báo, trong năm nay xuất khẩu gạo có thể đạt khoảng 7,5 triệu tấn nếu thời tiết "
    "thuận lợi và nhu cầu thế giới không có biến động lớn. Ngành nông nghiệp đặt mục tiêu giảm diện tích "
    "lúa chất lượng thấp, tăng tỷ lệ gạo thơm và gạo đặc sản trong cơ cấu xuất khẩu.",
]
# The same story republished by another site: a section prefix on the headline, one paragraph added.
REPUBLISHED_TITLE = "Thị trường nông sản: " + WIRE_TITLE
REPUBLISHED_BODY = WIRE_BODY[:3] + [
    "Trước đó, tại hội nghị sơ kết quý I, lãnh đạo Bộ Công Thương đề nghị các địa phương tăng cường kiểm "
    "tra, xử lý nghiêm tình trạng ép giá lúa và hỗ trợ doanh nghiệp tiếp cận vốn vay để thu mua."
] + WIRE_BODY[3:]

# A different article on the same topic, the same week, with the same figures.
OTHER_TITLE = "Giá lúa tại Đồng bằng sông Cửu Long giảm, nông dân chờ thương lái"
OTHER_BODY = [
    "Những ngày này, nhiều cánh đồng ở An Giang, Đồng Tháp và Kiên Giang đã vào vụ thu hoạch lúa đông "
    "xuân, nhưng không ít hộ nông dân vẫn phải phơi lúa chờ thương lái đến mua vì giá xuống thấp.",
    "Ông Nguyễn Văn Tư, một nông dân ở huyện Thoại Sơn, cho biết giá lúa tươi loại thường hiện chỉ còn "
    "khoảng 6.800 đồng mỗi kilôgam, giảm gần 1.000 đồng so với đầu tháng. Với chi phí phân bón và thuê "
    "máy gặt tăng, lợi nhuận vụ này của gia đình ông chỉ bằng một nửa năm ngoái.",
    "Theo các thương lái, giá giảm một phần vì lúa chín đồng loạt, nguồn cung dồn dập trong thời gian "
    "ngắn, trong khi kho của nhiều doanh nghiệp đã gần đầy do chưa kịp giao các hợp đồng cũ.",
    "Dù xuất khẩu gạo quý I đạt gần 1,9 triệu tấn với giá cao, người trồng lúa vẫn chưa được hưởng lợi "
    "tương xứng. Nhiều hợp tác xã kiến nghị ngân hàng giãn nợ và cho vay ưu đãi để nông dân có thể trữ "
    "lúa, tránh bán tháo khi giá xuống.",
    "Sở Nông nghiệp tỉnh An Giang cho biết đang phối hợp với các doanh nghiệp lớn để tổ chức thu mua theo "
    "hợp đồng liên kết, đồng thời khuyến cáo bà con không nên xuống giống vụ sau quá sớm khi thị trường "
    "còn nhiều biến động.",
    "Các chuyên gia cho rằng về lâu dài, cần xây dựng vùng nguyên liệu gắn với chế biến sâu và thương "
    "hiệu, để hạt gạo Việt Nam không chỉ cạnh tranh bằng giá rẻ mà bằng chất lượng và sự ổn định.",
]


# --------------------------------------------------------------------------- fixtures


class Run:
    """One crawl's pipelines (dedupe 300, store 400) on a real Scrapy crawler."""

    def __init__(self, db_url, **settings):
        self.crawler = get_crawler(settings_dict={"NEWSCRAWL_DB_URL": db_url, **settings})
        self.pipelines = [DedupePipeline.from_crawler(self.crawler), DatabaseStorePipeline.from_crawler(self.crawler)]
        self.emitted, self.dropped = [], []

    def __enter__(self):
        for p in self.pipelines:
            p.open_spider()
        return self

    def process(self, item):
        try:
            for p in self.pipelines:
                item = p.process_item(item)
        except DropItem as drop:
            self.dropped.append(str(drop))
            return None
        self.emitted.append(item)
        return item

    def __exit__(self, *exc):
        for p in reversed(self.pipelines):
            p.close_spider()

    def stat(self, key):
        return self.crawler.stats.get_value(key, 0)


def rows(db_url, query):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [r._mapping for r in conn.execute(query).all()]
    finally:
        engine.dispose()


def n_rows(db_url, table):
    return rows(db_url, select(func.count().label("n")).select_from(table))[0]["n"]


def article(url, title, body, site):
    def build(**kw):
        return make_item(kw.pop("url", url), kw.pop("title", title), kw.pop("body", body),
                         site=kw.pop("site", site), **kw)

    return build


wire = article("https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm", WIRE_TITLE, WIRE_BODY, "ttxvn")
republished = article("https://baodiaphuong.example.vn/kinh-te/xuat-khau-gao-9876.html", REPUBLISHED_TITLE,
                      REPUBLISHED_BODY, "baodiaphuong")
other = article("https://nongnghiep.example.vn/gia-lua-giam-555.html", OTHER_TITLE, OTHER_BODY, "nongnghiep")


# --------------------------------------------------------------------------- shingles and MinHash


def test_shingles_ignore_case_punctuation_and_unicode_form():
    nfd = unicodedata.normalize("NFD", "Xuất khẩu GẠO, quý I!")
    assert shingles(nfd, []) == shingles("xuất khẩu gạo quý i", []) == {"xuất khẩu gạo", "khẩu gạo quý", "gạo quý i"}
    assert shingles("Hai từ", None) == {"hai từ"}
    assert shingles(None, []) == set()


def test_minhash_similarity_of_the_test_texts():
    index = NearDupIndex(num_perm=128, threshold=0.8)
    a = index.signature(WIRE_TITLE, WIRE_BODY)
    b = index.signature(REPUBLISHED_TITLE, REPUBLISHED_BODY)
    c = index.signature(OTHER_TITLE, OTHER_BODY)
    exact_a, exact_b = shingles(WIRE_TITLE, WIRE_BODY), shingles(REPUBLISHED_TITLE, REPUBLISHED_BODY)
    true_jaccard = len(exact_a & exact_b) / len(exact_a | exact_b)
    assert 0.8 < true_jaccard < 0.95  # a real near-duplicate, not a copy
    assert abs(index.similarity(a, b) - true_jaccard) < 0.1
    assert index.similarity(a, c) < 0.2
    index.add("wire", a)
    index.add("other", c)
    assert [key for key, _ in index.query(b)] == ["wire"]


def test_signature_of_a_long_article_is_the_minhash_of_all_its_shingles():
    # The signature is computed in slices of shingles; the minimum must be over all of them.
    from datasketch import MinHash

    from newscrawl.storage.neardup import SCHEME, SEED, minhash_signature, shingle_hashes

    body = WIRE_BODY + OTHER_BODY + REPUBLISHED_BODY + [p[::-1] for p in WIRE_BODY + OTHER_BODY]
    hashes = shingle_hashes(WIRE_TITLE, body)
    assert len(hashes) > 1100  # several slices
    whole = MinHash(num_perm=64, seed=SEED, hashfunc=lambda v: v, scheme=SCHEME)
    whole.update_batch(hashes.tolist())
    assert minhash_signature(WIRE_TITLE, body, num_perm=64).tolist() == whole.hashvalues.tolist()
    assert minhash_signature(None, []) is None


# --------------------------------------------------------------------------- decisions through pipelines


def test_new_then_unchanged_across_runs(db_url):
    with Run(db_url) as run:
        assert run.process(wire())["version"] == 1
    assert run.stat("newscrawl/articles/new") == 1
    with Run(db_url) as run:
        # Seen again in a later run, through a tracking link: nothing new.
        assert run.process(wire(url="https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm?utm_source=fb&fbclid=A1#top",
                                canonical_url="https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm?fbclid=A1")) is None
    assert run.stat("newscrawl/articles/unchanged") == 1
    assert run.stat("newscrawl/dedupe/unchanged") == 1
    assert "unchanged" in run.dropped[0]
    assert n_rows(db_url, articles) == 1


def test_exact_duplicate_under_another_url_is_recorded_and_dropped(db_url):
    with Run(db_url) as run:
        run.process(wire())
    copy = make_item("https://mirror.example.vn/ban-sao-123", WIRE_TITLE, WIRE_BODY, site="mirror")
    with Run(db_url) as run:
        assert run.process(copy) is None
    assert run.stat("newscrawl/dedupe/exact") == 1
    assert run.stat("newscrawl/articles/duplicate_exact") == 1
    assert "exact duplicate of https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm" in run.dropped[0]
    dup = rows(db_url, select(duplicates))
    assert len(dup) == 1
    assert dup[0]["kind"] == "exact" and dup[0]["similarity"] == 1.0
    assert dup[0]["canonical_url"] == "https://mirror.example.vn/ban-sao-123"
    assert dup[0]["duplicate_of"] == "https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm"
    assert n_rows(db_url, articles) == 1
    # Seen again next run: still one duplicates row.
    with Run(db_url) as run:
        run.process(make_item("https://mirror.example.vn/ban-sao-123", WIRE_TITLE, WIRE_BODY, site="mirror"))
    assert n_rows(db_url, duplicates) == 1


def test_exact_duplicate_within_one_batch(db_url):
    with Run(db_url, NEWSCRAWL_DB_BATCH_SIZE=50) as run:
        run.process(wire())
        assert run.process(make_item("https://mirror.example.vn/ban-sao-123", WIRE_TITLE, WIRE_BODY)) is None
    assert run.stat("newscrawl/dedupe/exact") == 1
    assert n_rows(db_url, articles) == 1 and n_rows(db_url, duplicates) == 1


def test_republished_wire_story_is_a_near_duplicate_in_a_later_run(db_url):
    with Run(db_url) as run:
        run.process(wire())
    with Run(db_url) as run:  # a new process: the LSH index comes from the database
        out = run.process(republished())
    assert out is not None  # emitted by default
    assert out["duplicate_of"] == "https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm"
    assert out["version"] == 1
    assert run.stat("newscrawl/articles/duplicate_near") == 1
    stored = rows(db_url, select(articles.c.canonical_url, articles.c.duplicate_of).order_by(articles.c.id))
    assert [(r["canonical_url"], r["duplicate_of"]) for r in stored] == [
        ("https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm", None),
        ("https://baodiaphuong.example.vn/kinh-te/xuat-khau-gao-9876.html",
         "https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm"),
    ]
    dup = rows(db_url, select(duplicates))
    assert len(dup) == 1 and dup[0]["kind"] == "near"
    assert 0.8 <= dup[0]["similarity"] < 1.0


def test_different_articles_on_the_same_topic_are_not_duplicates(db_url):
    with Run(db_url) as run:
        run.process(wire())
        out = run.process(other())
    assert out is not None and out["duplicate_of"] is None
    assert run.stat("newscrawl/articles/new") == 2
    assert run.stat("newscrawl/articles/duplicate_near") == 0
    assert n_rows(db_url, duplicates) == 0


def test_near_duplicates_can_be_kept_out_of_the_feed(db_url):
    with Run(db_url, NEWSCRAWL_EMIT_NEAR_DUPLICATES=False) as run:
        run.process(wire())
        assert run.process(republished()) is None
        assert run.process(other()) is not None
    assert "stored, not emitted" in run.dropped[0]
    assert n_rows(db_url, articles) == 3  # stored all the same


def test_a_copy_of_a_copy_points_at_the_first_copy(db_url):
    third_body = REPUBLISHED_BODY + ["(Theo báo Địa Phương)"]
    with Run(db_url) as run:
        run.process(wire())
        run.process(republished())
    with Run(db_url) as run:
        out = run.process(make_item("https://tonghop.example.vn/gao-1", REPUBLISHED_TITLE, third_body, site="tonghop"))
    assert out["duplicate_of"] == "https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm"


def test_update_keeps_the_url_and_numbers_versions(db_url):
    with Run(db_url) as run:
        run.process(wire(modified="2024-03-13T15:00:00+07:00"))
    with Run(db_url) as run:
        v2 = run.process(wire(modified="2024-03-13T17:45:00+07:00",
                              body=WIRE_BODY + ["Cập nhật: Bộ Công Thương vừa công bố số liệu chính thức."],
                              content_hash=None))
    assert v2["version"] == 2 and run.stat("newscrawl/articles/updated") == 1
    with Run(db_url) as run:
        v3 = run.process(wire(modified="2024-03-14T08:00:00+07:00", content_hash=None))
    assert v3["version"] == 3
    versions = rows(db_url, select(article_versions).order_by(article_versions.c.version))
    assert [r["version"] for r in versions] == [1, 2, 3]
    assert n_rows(db_url, articles) == 1
    # The updated text is what near-duplicate detection now compares with.
    assert n_rows(db_url, minhash_signatures) == 1


def test_signatures_are_recomputed_when_the_permutation_count_changes(db_url):
    with Run(db_url) as run:
        run.process(wire())
    with Run(db_url, NEWSCRAWL_MINHASH_PERMUTATIONS=64) as run:
        out = run.process(republished())
    assert out["duplicate_of"] == "https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm"
    sigs = rows(db_url, select(minhash_signatures.c.num_perm))
    assert [s["num_perm"] for s in sigs] == [64, 64]


def test_near_duplicate_window_limits_what_is_compared(db_url):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    with Run(db_url) as run:
        run.process(wire())
    engine = create_engine(db_url)
    with engine.begin() as conn:  # as if stored two months ago
        conn.execute(update(articles).values(first_seen=datetime.now(timezone.utc) - timedelta(days=60)))
    engine.dispose()
    with ArticleStore(db_url, neardup_window_days=0) as store:  # no limit: the old article is indexed
        assert "https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm" in store.neardup
    with Run(db_url) as run:  # default window: 30 days
        assert run.process(republished())["duplicate_of"] is None


# --------------------------------------------------------------------------- a real crawl

SPIDER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from tests.support.databases import make_item

    db_url, feed, items_path = sys.argv[1:4]
    items = json.load(open(items_path, encoding="utf-8"))

    class ItemsSpider(scrapy.Spider):
        name = "items"

        async def start(self):
            for data in items:
                yield make_item(data.pop("url"), data.pop("title"), data.pop("body"), **data)

    process = CrawlerProcess(settings={
        "NEWSCRAWL_DB_URL": db_url,
        "NEWSCRAWL_DB_BATCH_SIZE": 2,
        "ITEM_PIPELINES": {
            "newscrawl.crawl.pipelines.dedupe.DedupePipeline": 300,
            "newscrawl.crawl.pipelines.store.DatabaseStorePipeline": 400,
        },
        "FEEDS": {feed: {"format": "jsonlines", "encoding": "utf-8", "overwrite": True}},
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    })
    crawler = process.create_crawler(ItemsSpider)
    process.crawl(crawler)
    process.start()
    print(json.dumps({k: v for k, v in crawler.stats.get_stats().items() if k.startswith("newscrawl/")}))
    """
)


def test_two_real_crawls_store_once_and_feed_only_news(db_url, tmp_path):
    script = tmp_path / "crawl.py"
    script.write_text(SPIDER_SCRIPT, encoding="utf-8")
    items = [
        {"url": "https://ttxvn.example.vn/xuat-khau-gao-quy-i-123.htm", "title": WIRE_TITLE, "body": WIRE_BODY,
         "site": "ttxvn"},
        {"url": "https://baodiaphuong.example.vn/kinh-te/xuat-khau-gao-9876.html", "title": REPUBLISHED_TITLE,
         "body": REPUBLISHED_BODY, "site": "baodiaphuong"},
        {"url": "https://nongnghiep.example.vn/gia-lua-giam-555.html", "title": OTHER_TITLE, "body": OTHER_BODY,
         "site": "nongnghiep"},
        {"url": "https://mirror.example.vn/ban-sao-123", "title": WIRE_TITLE, "body": WIRE_BODY, "site": "mirror"},
    ]
    items_path = tmp_path / "items.json"
    items_path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")

    def crawl(n):
        feed = tmp_path / f"feed{n}.jsonl"
        done = subprocess.run(
            [sys.executable, str(script), db_url, str(feed), str(items_path)],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO)},  # the script imports tests.support
        )
        assert done.returncode == 0, done.stderr[-3000:]
        lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
        return lines, json.loads(done.stdout.strip().splitlines()[-1]), done.stderr

    feed1, stats1, _ = crawl(1)
    assert sorted(i["site"] for i in feed1) == ["baodiaphuong", "nongnghiep", "ttxvn"]
    assert {i["site"]: i["duplicate_of"] for i in feed1}["baodiaphuong"] == items[0]["url"]
    assert stats1["newscrawl/articles/new"] == 2
    assert stats1["newscrawl/articles/duplicate_near"] == 1
    assert stats1["newscrawl/articles/duplicate_exact"] == 1

    feed2, stats2, _ = crawl(2)
    assert feed2 == []
    assert stats2["newscrawl/articles/unchanged"] == 3
    assert stats2["newscrawl/articles/duplicate_exact"] == 1
    assert n_rows(db_url, articles) == 3
    assert n_rows(db_url, article_versions) == 3
    assert n_rows(db_url, duplicates) == 2
