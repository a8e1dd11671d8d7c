"""Every SQL example of the README, run against SQLite and PostgreSQL after real crawls of the fixture site.

The statements are read out of README.md's fenced ```sql blocks, so the README and this test cannot drift:
a query edited there is the query run here, and a new one fails here until it says what it should return.
"""
from __future__ import annotations

import re
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import BIN, REPO
from tests.support.sitecopy import SiteCopy

from tests.support.fixtures import FixtureServer

VN = ZoneInfo("Asia/Ho_Chi_Minh")
README = REPO / "README.md"

RICE = [
    "Kim ngạch xuất khẩu gạo của cả nước trong hai tháng đầu năm tăng mạnh so với cùng kỳ năm trước, "
    "nhờ giá gạo trên thị trường thế giới duy trì ở mức cao và các hợp đồng mới được ký kết sớm.",
    "Các doanh nghiệp xuất khẩu cho biết đơn hàng từ các thị trường truyền thống như Philippines, Indonesia "
    "tiếp tục tăng, trong khi nhiều thị trường mới ở châu Phi và Trung Đông cũng mở rộng nhập khẩu.",
    "Bộ Công Thương khuyến nghị doanh nghiệp chú trọng chất lượng, truy xuất nguồn gốc và xây dựng thương hiệu "
    "gạo Việt Nam để giữ vững thị phần trong bối cảnh cạnh tranh ngày càng gay gắt.",
    "Nông dân vùng Đồng bằng sông Cửu Long đang khẩn trương thu hoạch vụ đông xuân, bảo đảm nguồn cung ổn định "
    "cho chế biến và xuất khẩu trong những tháng tiếp theo của năm.",
]
# The same story retold with one sentence changed: a near-duplicate of RICE.
RICE_RETOLD = [RICE[0], RICE[1], RICE[2], RICE[3].replace("khẩn trương thu hoạch", "tập trung thu hoạch")]
TRAINING = [
    "Trong hai ngày, hơn một trăm báo cáo viên cấp tỉnh được bồi dưỡng kỹ năng nói trước công chúng, "
    "nắm bắt dư luận xã hội và xử lý tình huống khi trả lời câu hỏi của người dân tại hội nghị.",
    "Lớp tập huấn dành thời gian thực hành theo nhóm, mỗi học viên chuẩn bị một bài nói ngắn về chủ đề tự chọn.",
]
RICE_PATH = "/thoi-su/xuat-khau-gao-tang-manh-150010"
RETOLD_PATH = "/thoi-su/gao-viet-duoc-gia-150011"
COPY_PATH = "/tuyen-giao-cac-cap/ban-sao-xuat-khau-gao-150012"
EDITED_PATH = "/tuyen-giao-cac-cap/tap-huan-bao-cao-vien-150013"
GONE_PATH = "/thoi-su/bai-da-go-150014"
BODY_URL = "https://tuyengiao.vn/thoi-su/khai-mac-hoi-bao-xuan-giap-thin-2024-130853"


def sql_blocks() -> list[tuple[str, str, str]]:
    """``(section, line before the block, block)`` for each ```sql fence of the README."""
    blocks, section = [], ""
    text = README.read_text(encoding="utf-8")
    for match in re.finditer(r"^(#{2,4} [^\n]*)$|^```sql\n(.*?)^```$", text, flags=re.M | re.S):
        if match.group(1):
            section = match.group(1).lstrip("# ").strip()
            continue
        before = [line for line in text[:match.start()].splitlines() if line.strip()][-1]
        blocks.append((section, before, match.group(2)))
    return blocks


def statements(block: str) -> list[tuple[str, str]]:
    """``(comment, statement)``: each statement with the ``--`` comment above it (shared by those below it)."""
    out, comment, lines = [], "", []
    for line in block.splitlines():
        if line.startswith("--") and not lines:
            comment = line[2:].strip()
        elif line.strip():
            lines.append(line)
            if line.rstrip().endswith(";"):
                out.append((comment, "\n".join(lines)))
                lines = []
    assert not lines, f"a statement without its ';': {lines}"
    return out


def readme_queries() -> list[tuple[str, str, str]]:
    """``(backend, comment, statement)`` for every SQL statement of the README."""
    queries = []
    for section, before, block in sql_blocks():
        if section == "Example queries":
            backends = ["sqlite"] if before.startswith("SQLite") else ["postgresql"] if before.startswith("PostgreSQL") else []
        elif section == "The URL state":
            backends = ["sqlite", "postgresql"]  # "the same on SQLite and PostgreSQL"
        else:
            backends = []
        assert backends, f"a ```sql block under {section!r} ({before!r}) this test does not know the database of"
        queries += [(backend, comment, sql) for backend in backends for comment, sql in statements(block)]
    return queries


QUERIES = readme_queries()


def crawl(out: Path, db: str, base_url: str) -> None:
    cmd = [str(BIN / "newscrawl"), "crawl", "tuyengiao", "--out", str(out), "--db", db, "--base-url", base_url,
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_RECHECK_HOURS=48", "-s", "NEWSCRAWL_URL_MAX_ATTEMPTS=1"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    # 0, or 1 (degraded: the page that is gone failed); anything else is not a crawl these queries can read
    assert result.returncode in (0, 1), result.stderr[-3000:]


def prepare_site(root: Path) -> SiteCopy:
    """The fixture site plus what the first run's queries look for: a tagged story on 13 March (UTC), a recent
    article to edit before the second run, a link to a page that is gone."""
    site = SiteCopy(root)
    march = datetime(2024, 3, 13, 14, 31, tzinfo=VN)
    site.add_article(RICE_PATH, "Xuất khẩu gạo tăng mạnh trong hai tháng đầu năm", march, RICE)
    tagged = site.file(RICE_PATH)
    tagged.write_text(tagged.read_text(encoding="utf-8").replace(
        "</head>", '<meta property="article:tag" content="kinh tế"/>\n</head>', 1), encoding="utf-8")
    now = datetime.now(VN).replace(second=0, microsecond=0)
    site.add_article(EDITED_PATH, "Tập huấn báo cáo viên cấp tỉnh năm nay", now - timedelta(hours=3), TRAINING)
    listing = site.root / "thoi-su" / "index.html"
    listing.write_text(listing.read_text(encoding="utf-8").replace(
        '<div class="list-news">', f'<div class="list-news">\n      <div class="item"><h3><a href="{GONE_PATH}">Bài đã gỡ</a></h3></div>', 1),
        encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def databases(tmp_path_factory, pg_url_or_none):
    """``{backend: url}``, each filled by two `newscrawl crawl` runs with an edit between them."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/newscrawl.sqlite"}
    if pg_url_or_none:
        urls["postgresql"] = pg_url_or_none
    for backend, url in urls.items():
        site = prepare_site(tmp_path_factory.mktemp(f"site-{backend}") / "site")
        out = tmp_path_factory.mktemp(f"out-{backend}")
        with FixtureServer(site.root) as server:
            crawl(out, url, server.url)
            # The second run: an edit, and two copies of the story the first run stored (so which is the
            # first copy does not depend on the order of concurrent requests).
            site.edit_paragraph(EDITED_PATH, "nói trước công chúng", "nói trước công chúng và trên mạng xã hội")
            march = datetime(2024, 3, 13, 14, 31, tzinfo=VN)
            site.add_article(RETOLD_PATH, "Gạo Việt được giá, xuất khẩu tăng", march + timedelta(hours=2), RICE_RETOLD)
            site.add_article(COPY_PATH, "Xuất khẩu gạo tăng mạnh trong hai tháng đầu năm", march + timedelta(hours=3),
                             RICE)
            crawl(out, url, server.url)
    return urls


@pytest.fixture(scope="module")
def pg_url_or_none(request):
    from tests.support.databases import postgres_unavailable

    if postgres_unavailable():
        return None
    return request.getfixturevalue("pg_url")


def run_query(url: str, sql: str) -> tuple[list[str], list[tuple]]:
    """The statement as a user runs it in sqlite3 or psql: the raw text, no parameters."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            cursor = db.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as db:
        cursor = db.execute(sql)
        return [d.name for d in cursor.description], cursor.fetchall()


# What each comment promises, beyond "rows, and no column NULL in all of them": (comment start, check).
def _runs(cols, rows):
    assert [r[cols.index("status")] for r in rows] == ["ok", "ok"], rows
    latest, first = rows  # newest first
    assert first[cols.index("new")] == 47 + 2 and first[cols.index("updated")] == 0
    # the second run: the edit; its two copies of the story are counted as duplicates, not new
    assert latest[cols.index("new")] == 0 and latest[cols.index("updated")] == 1
    assert all(isinstance(r[cols.index("pages")], int) and r[cols.index("pages")] > 0 for r in rows)


def _tag(cols, rows):
    assert [r[0] for r in rows] == ["Xuất khẩu gạo tăng mạnh trong hai tháng đầu năm"]


def _author(cols, rows):
    assert all(r[cols.index("author")].startswith("Minh") for r in rows)


def _body(cols, rows):
    assert len(rows) == 1 and rows[0][0].count("\n") >= 2 and "Hội báo Xuân" in rows[0][0]


def _edited(cols, rows):
    assert [(r[0].rsplit("/", 1)[1], r[1]) for r in rows] == [(EDITED_PATH.rsplit("/", 1)[1], 1),
                                                              (EDITED_PATH.rsplit("/", 1)[1], 2)]


def _copies(cols, rows):
    by_kind = {r[cols.index("kind")]: r for r in rows}
    assert set(by_kind) == {"exact", "near"}, rows
    assert all(r[cols.index("duplicate_of")].endswith(RICE_PATH) for r in rows)
    assert by_kind["exact"][cols.index("urls")].endswith(COPY_PATH)
    assert by_kind["near"][cols.index("urls")].endswith(RETOLD_PATH)


def _one_per_story(cols, rows):
    assert [r[0].rsplit("/", 1)[1] for r in rows] == [RICE_PATH.rsplit("/", 1)[1]]  # the retold copy left out


def _per_day(cols, rows):
    counts = {str(r[1]): r[2] for r in rows}
    assert counts["2024-03-13"] == 2  # the story and its retelling (the exact copy is not an article)
    assert sum(counts.values()) == 41 + 3  # the fixture's, the story, its retelling, the recent one


def _latest(cols, rows):
    assert len(rows) == 20 and all(r[0] for r in rows)
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), reverse=True)


def _word_search(cols, rows):
    # every word in the title, in any order: the story and its retelling
    assert sorted(r[1] for r in rows) == ["Gạo Việt được giá, xuất khẩu tăng", "Xuất khẩu gạo tăng mạnh trong hai tháng đầu năm"]


def _url_counts(cols, rows):
    counts = {(r[1], r[2]): r[3] for r in rows}
    assert counts[("article", "stored")] == 47 + 3 and counts[("article", "rejected")] == 3
    assert counts[("article", "given_up")] == 1


def _given_up(cols, rows):
    assert len(rows) == 1 and rows[0][cols.index("url")].endswith(GONE_PATH) and "404" in rows[0][cols.index("reason")]


CHECKS = [
    ("Articles per site and Vietnamese calendar day", _per_day),
    ("The latest 20 articles of one site", _latest),
    ("Articles with a tag", None),  # two statements: told apart below
    ("The body as one text", _body),
    ("Edited articles with all their versions", _edited),
    ("Stories carried by several sites", _copies),
    ("One row per story for 13 March", _one_per_story),
    ("Word search in titles and leads", _word_search),
    ("The last runs", _runs),
    ("What is pending, failed or given up", _url_counts),
    ("URLs given up on", _given_up),
]
# Columns that may be NULL in every row, and why.
MAY_BE_NULL = {"modified_raw"}  # the fixture pages print no modification time


def check_for(comment: str, sql: str):
    for start, check in CHECKS:
        if comment.startswith(start):
            if start == "Articles with a tag":
                return _author if "author" in sql.split("FROM")[0] else _tag
            return check
    raise AssertionError(f"README query {comment!r} has no expectation in this test: add one to CHECKS")


def test_the_readme_has_sql_for_both_databases():
    backends = {backend for backend, _, _ in QUERIES}
    assert backends == {"sqlite", "postgresql"}
    assert len(QUERIES) >= 20


@pytest.mark.parametrize("backend, comment, sql", QUERIES, ids=[f"{b}:{c[:40]}" for b, c, _ in QUERIES])
def test_readme_query_returns_what_its_comment_says(databases, backend, comment, sql):
    if backend not in databases:
        pytest.skip("PostgreSQL is not available on 127.0.0.1:5432")
    check = check_for(comment, sql)
    cols, rows = run_query(databases[backend], sql)
    assert rows, f"no rows from: {sql}"
    for index, name in enumerate(cols):
        if name not in MAY_BE_NULL:
            assert any(row[index] is not None for row in rows), f"column {name} is NULL in every row of: {sql}"
    check(cols, rows)
