"""ArticleValidator: the data team's rules and the published schema, on real extracted items."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newscrawl.extract import extract_article
from jsonschema import Draft202012Validator

from newscrawl.crawl.pipelines.validate import ArticleValidator, strict_schema
from tests.support.fixtures import fixture_site_dir

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "fixtures" / "tuyengiao"


@pytest.fixture(scope="module")
def validator():
    return ArticleValidator()


@pytest.fixture(scope="module")
def items() -> list[dict]:
    expected = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
    return [
        extract_article((fixture_site_dir("tuyengiao") / (a["path"].lstrip("/") + ".html")).read_bytes(), a["canonical_url"], "tuyengiao")
        for a in expected["articles"]
    ]


def test_every_extracted_fixture_article_is_valid(validator, items, article_schema):
    assert len(items) == 47
    for item in items:
        assert validator.reasons(item) == [], item["url"]
        assert not list(article_schema.iter_errors(item))


def test_rules(validator, items):
    item = items[0]
    cases = {
        "missing_title": {"title": None},
        "missing_body": {"body": []},
        "short_body": {"body": ["Quá ngắn."]},
        "missing_published": {"published": None},
        "naive_published": {"published": "2024-03-13T14:31:00"},
        "invalid_published": {"published": "13/3/2024"},
        "future_published": {"published": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()},
        "offsite_url": {"url": "https://elsewhere.example/bai-viet.html"},
        "url_too_long": {"canonical_url": item["canonical_url"] + "?x=" + "a" * 2083},
        "unstorable_text": {"tags": ["thi\ud800 cử"]},
    }
    for reason, change in cases.items():
        assert reason in validator.reasons({**item, **change}), reason
    # The last guard looks into nested values too, and a URL at the limit is fine.
    nul_caption = {"text": "Ảnh", "image_url": "https://tuyengiao.vn/a\x00.jpg", "credit": None}
    assert "unstorable_text" in validator.reasons({**item, "captions": [nul_caption]})
    at_limit = "https://tuyengiao.vn/" + "a" * (2083 - len("https://tuyengiao.vn/"))
    assert "url_too_long" not in validator.reasons({**item, "canonical_url": at_limit})
    assert "url_too_long" in ArticleValidator(max_url_length=100).reasons({**item, "canonical_url": at_limit})


@pytest.mark.parametrize("mutate, paths", [
    (lambda it: it["body"].__setitem__(0, 5), ["body/0"]),
    (lambda it: it.__setitem__("authors", "Nguyễn Văn A"), ["authors"]),
    (lambda it: it.__setitem__("schema_version", "9.9"), ["schema_version"]),
    (lambda it: it.__setitem__("surprise", 1), ["item"]),
    (lambda it: it["captions"].append({"text": 3}) if it["captions"] else it.__setitem__("captions", [{"text": 3}]),
     None),
    (lambda it: (it.__setitem__("version", 0), it["tags"].append(None)), None),
])
def test_schema_violations_are_all_named(validator, items, mutate, paths):
    item = copy.deepcopy(items[1])
    mutate(item)
    # The pipeline checks newscrawl's own items by the strict form of the published schema.
    strict = Draft202012Validator(strict_schema())
    expected = sorted({f"schema:{'/'.join(map(str, e.absolute_path)) or 'item'}" for e in strict.iter_errors(item)})
    assert expected, "the mutation must break the schema"
    got = sorted(r for r in validator.reasons(item) if r.startswith("schema:"))
    # Every violation the reference validator sees is named, not only the first one.
    assert got == expected
    if paths is not None:
        assert got == sorted(f"schema:{p}" for p in paths)
