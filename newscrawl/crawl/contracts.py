"""`scrapy check`: a Scrapy contract per fixture page of a site file, offline.

Each site file with fixture pages (``fixtures/sites/<site>/expected.json``, and the fixture sites
``fixtures/<site>/expected.json``) gets, on its spider, one callback per article page whose
docstring holds ``@fixture <page>`` (newscrawl/crawl/spiderloader.py). The project's ``check`` command
(newscrawl/crawl/commands/check.py) serves ``fixtures/`` on 127.0.0.1 and gives every spider that
server as its ``base_url``; the contract requests the page from it, runs the spider's own
``parse_article`` on it, and compares the item with the fields expected.json holds.

Fields that depend on the URL the page was fetched from (``url``, image URLs) are not compared: the
page comes from 127.0.0.1, not the live host.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from scrapy.contracts import Contract

from newscrawl.model.item import ARTICLE_FIELDS
from newscrawl.ops.fixtureserver import DEMO_DIR, FIXTURES_DIR

#: Item fields a fixture's expected values are compared on (each only when expected.json gives it): every field
#: (ARTICLE_FIELDS, so a new one such as ``blocks`` is compared once a fixture states it) but those that depend on
#: the URL the page came from, and the captions, compared on their text alone below (their image URLs are).
COMPARED = tuple(name for name in ARTICLE_FIELDS if name not in ("url", "images", "captions"))


@lru_cache(maxsize=None)
def _expected(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def fixture_cases(site: str, fixtures_dir: Path = FIXTURES_DIR) -> list[tuple[str, str, dict]]:
    """``(page, path under fixtures/, expected fields)`` for each article fixture page of ``site``."""
    cases = []
    pages = fixtures_dir / "sites" / site / "expected.json"
    if pages.is_file():
        for case in _expected(str(pages)).get("articles", []):
            cases.append((case["file"], f"/sites/{site}/{case['file']}", case.get("expected", {})))
    fixture_site = fixtures_dir / site / "expected.json"
    # A fixture site's pages are in fixtures/<site>/site/, or for a demo site in the package (served beside fixtures/).
    if fixture_site.is_file() and any((root / site / "site").is_dir() for root in (fixtures_dir, DEMO_DIR)):
        for case in _expected(str(fixture_site)).get("articles", []):
            cases.append((case["path"], f"/{site}/site{case['path']}", case))
    return cases


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


class FixtureContract(Contract):
    """``@fixture <page>``: the page of this spider's site file, served by `scrapy check`, gives the
    fields its expected.json holds."""

    name = "fixture"

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = method.__self__
        page = args[0] if args else ""
        site = self.spider.site_name
        match = [c for c in fixture_cases(site) if c[0] == page]
        if not match:
            raise ValueError(f"@fixture {page!r}: no such fixture page of site {site!r}")
        _, self.path, self.expected = match[0]

    def adjust_request_args(self, args: dict) -> dict:
        base = getattr(self.spider, "base_url", None)
        if not base:
            raise ValueError("@fixture needs the fixture server: run `scrapy check`, which serves fixtures/ "
                             "and passes it as -a base_url")
        args["url"] = base.rstrip("/") + self.path
        return args

    def post_process(self, output) -> None:
        items = [o for o in output if hasattr(o, "get") and "title" in o]
        assert len(items) == 1, f"{self.path}: expected one article, got {len(items)}"
        item = items[0]
        wrong = []
        for field in COMPARED:
            if field in self.expected and item.get(field) != self.expected[field]:
                wrong.append(f"{field}: got {_short(item.get(field))}, expected {_short(self.expected[field])}")
        if "captions" in self.expected:
            got = [c.get("text") for c in item.get("captions") or []]
            want = [c.get("text") for c in self.expected["captions"]]
            if got != want:
                wrong.append(f"captions: got {_short(got)}, expected {_short(want)}")
        assert not wrong, f"{self.path}: " + "; ".join(wrong)
