"""Bad arguments and settings: `scrapy crawl -a` / `-s` exit 2 with one line.

Each case runs the real command as a subprocess. The line on stderr names the argument and says
what to fix; nothing prints a traceback.
"""
from __future__ import annotations

import pytest
from conftest import read_jsonl, run_scrapy


def scrapy(args, cwd):
    """`scrapy` run in ``cwd`` (where a crawl that did start would write its files) as in the project."""
    return run_scrapy(args, cwd=cwd, env={"SCRAPY_SETTINGS_MODULE": "newscrawl.settings"})


def assert_one_line(result, *expected: str) -> str:
    """Exit 2, one line on stderr holding each of ``expected``, no traceback anywhere: that line."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == 2, output[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


SCRAPY_CASES = [
    (["-a", "max_pages=abc"], ["-a max_pages='abc'", "expected a whole number >= 0"]),
    (["-a", "max_pages=-1"], ["-a max_pages='-1'", "expected a whole number >= 0"]),
    (["-a", "sections=sport"], ["-a sections='sport'", "unknown section(s) ['sport']"]),
    (["-a", "since=yesterday"], ["-a since='yesterday'", "expected a date as YYYY-MM-DD"]),
    (["-a", "base_url=127.0.0.1:8000"], ["-a base_url='127.0.0.1:8000'", "expected an http(s) URL"]),
    (["-a", "maxpages=2"], ["-a maxpages='2'", "unknown spider argument", "known: base_url, sections, max_pages, since"]),
    (["-s", "NEWSCRAWL_MAX_PAGES=all"], ["-s NEWSCRAWL_MAX_PAGES='all'", "expected a whole number >= 0"]),
    (["-s", "NEWSCRAWL_DB_URL=mysql://127.0.0.1/news"], ["-s NEWSCRAWL_DB_URL", "mysql is not supported"]),
]


@pytest.mark.parametrize("extra, expected", SCRAPY_CASES, ids=[" ".join(c[0]) for c in SCRAPY_CASES])
def test_scrapy_crawl_bad_argument_exits_2_with_one_line(tmp_path, extra, expected):
    result = scrapy(["crawl", "tuyengiao", "-a", "base_url=http://127.0.0.1:9", "-a", "_job=job-1", *extra], tmp_path)
    line = assert_one_line(result, *expected)
    assert line.startswith("scrapy crawl: ")


def test_scrapy_crawl_of_the_generic_spider_without_a_site_says_so(tmp_path):
    assert_one_line(scrapy(["crawl", "news"], tmp_path), "needs -a site=NAME")
    assert_one_line(scrapy(["crawl", "nosuchsite"], tmp_path), "no spider 'nosuchsite'", "scrapy list")


def test_max_pages_0_crawls_to_the_end(tmp_path, tuyengiao_expected, tuyengiao_server):
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])

    def crawl(name, *extra):
        out = tmp_path / name
        result = scrapy(["crawl", "tuyengiao", "-a", f"base_url={tuyengiao_server.url}", "-a", "_job=job-1",
                         "-s", "NEWSCRAWL_MAX_PAGES=1", "-s", f"NEWSCRAWL_OUT_DIR={out}",
                         "-s", "NEWSCRAWL_JSONL_PARTITION=none", "-s", "AUTOTHROTTLE_ENABLED=False",
                         "-s", "LOG_LEVEL=WARNING", *extra], tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        return sorted({i["canonical_url"] for i in read_jsonl(out / "articles.jsonl")})

    first_pages = crawl("setting")  # NEWSCRAWL_MAX_PAGES=1: the first listing page of each section
    assert 0 < len(first_pages) < len(expected)
    assert crawl("to-the-end", "-a", "max_pages=0") == expected  # the argument overrides it: to the end
