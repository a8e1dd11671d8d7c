"""`newscrawl extract` on saved pages: the page's own URL when --url is not given, output that validates."""
from __future__ import annotations

import json
import re
import shutil

from conftest import REPO, run_newscrawl

from tests.support.fixtures import fixture_site_dir

TUYENGIAO = fixture_site_dir("tuyengiao") / "thoi-su" / "khai-mac-hoi-bao-xuan-giap-thin-2024-130853.html"
TUYENGIAO_URL = "https://tuyengiao.vn/thoi-su/khai-mac-hoi-bao-xuan-giap-thin-2024-130853"
VNEXPRESS = REPO / "fixtures" / "sites" / "vnexpress" / "article-fck-detail.html"


def items(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_without_url_the_pages_canonical_url_chooses_the_site_file(tmp_path, article_schema):
    # Saved under names that say nothing of where they came from.
    page = tmp_path / "page.html"
    shutil.copy(TUYENGIAO, page)
    other = tmp_path / "saved.html"
    shutil.copy(VNEXPRESS, other)
    result = run_newscrawl(["extract", str(page), str(other)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    got, vnexpress = items(result)
    assert got["url"] == got["canonical_url"] == TUYENGIAO_URL
    assert got["site"] == "tuyengiao"
    assert vnexpress["site"] == "vnexpress" and vnexpress["url"].startswith("https://vnexpress.net/")
    # The site file's layers ran: the section and the captions come back as with --url.
    with_url = items(run_newscrawl(["extract", str(page), "--url", TUYENGIAO_URL], cwd=tmp_path))[0]
    assert got["section"] == with_url["section"] == "Thời sự"
    assert got["captions"] == with_url["captions"] and len(got["captions"]) == 2
    assert {k: v for k, v in got.items() if k != "crawled_at"} == {k: v for k, v in with_url.items() if k != "crawled_at"}
    for item in (got, vnexpress):
        assert not list(article_schema.iter_errors(item)), item["url"]


def test_og_url_serves_when_there_is_no_canonical_link(tmp_path, article_schema):
    html = TUYENGIAO.read_text(encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(re.sub(r'<link rel="canonical"[^>]*>', "", html), encoding="utf-8")
    result = run_newscrawl(["extract", str(page)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (item,) = items(result)
    assert item["url"] == TUYENGIAO_URL and item["site"] == "tuyengiao"
    assert not list(article_schema.iter_errors(item))


def test_a_page_without_any_url_is_named_on_stderr_and_exits_2(tmp_path, article_schema):
    html = TUYENGIAO.read_text(encoding="utf-8")
    anonymous = tmp_path / "anonymous.html"
    anonymous.write_text(re.sub(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>', "", html), encoding="utf-8")
    good = tmp_path / "good.html"
    shutil.copy(TUYENGIAO, good)
    result = run_newscrawl(["extract", str(anonymous), str(good)], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(anonymous) in result.stderr and "--url" in result.stderr
    assert "Traceback" not in result.stderr
    (item,) = items(result)  # the other page is still extracted
    assert item["url"] == TUYENGIAO_URL and not list(article_schema.iter_errors(item))
    # --url gives it one; a URL that is no web address is refused before anything is read.
    named = run_newscrawl(["extract", str(anonymous), "--url", TUYENGIAO_URL], cwd=tmp_path)
    assert named.returncode == 0 and items(named)[0]["site"] == "tuyengiao"
    bad = run_newscrawl(["extract", str(anonymous), "--url", anonymous.as_uri()], cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1


def test_every_fixture_article_extracted_without_url_validates(tmp_path, article_schema):
    # Article pages: the listings' numbered pages (trang-4) are listings, for which extract exits 3.
    pages = sorted(p for p in fixture_site_dir("tuyengiao").glob("*/*-[0-9]*.html") if not p.name.startswith("trang-"))
    copies = []
    for n, source in enumerate(pages):
        copies.append(tmp_path / f"{n}.html")
        shutil.copy(source, copies[-1])
    result = run_newscrawl(["extract", *map(str, copies)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    got = items(result)
    assert len(got) == len(pages) >= 45
    for item in got:
        assert item["site"] == "tuyengiao" and item["url"].startswith("https://tuyengiao.vn/")
        assert not list(article_schema.iter_errors(item)), item["url"]
