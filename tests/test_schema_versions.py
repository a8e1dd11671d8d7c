"""The published JSON Schema holds for every 1.x item; the pipeline stays strict on what it emits itself."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import REPO, read_jsonl, run_newscrawl
from jsonschema import Draft202012Validator

from newscrawl.crawl.pipelines.validate import ArticleValidator

SCHEMA_FILE = REPO / "newscrawl" / "model" / "schema" / "article.schema.json"


@pytest.fixture(scope="module")
def demo_items(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("demo")
    result = run_newscrawl(["demo", "--out", str(out)])
    assert result.returncode == 0, result.stderr[-3000:]
    items = read_jsonl(out / "articles.jsonl")
    assert len(items) == 47
    return items


@pytest.fixture(scope="module")
def consumer():
    # What a consumer does: read the published file, nothing of newscrawl's code.
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def errors(validator, item) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or 'item'}: {e.message}" for e in validator.iter_errors(item))


def next_minor(item: dict) -> dict:
    """The item as a later 1.x newscrawl might write it: a new field, a new caption field, a new minor version."""
    later = copy.deepcopy(item)
    later["word_count"] = 412
    later["paywall"] = {"kind": "none"}
    later["captions"] = [{**c, "width": 800} for c in later["captions"]] or [{"text": "Ảnh", "width": 800}]
    later["schema_version"] = "1.7"
    return later


def test_the_published_schema_accepts_items_of_a_later_minor_version(demo_items, consumer):
    for item in demo_items:
        assert errors(consumer, item) == [], item["url"]
        assert errors(consumer, next_minor(item)) == [], item["url"]


@pytest.mark.parametrize("version", ["2.0", "1", "1.0.1", "v1.0", "", 1.0, None])
def test_the_published_schema_rejects_another_major_version(demo_items, consumer, version):
    item = {**demo_items[0], "schema_version": version}
    assert [e.split(":")[0] for e in errors(consumer, item)] == ["schema_version"]


def test_the_pipeline_still_rejects_what_this_version_does_not_emit(demo_items):
    validator = ArticleValidator()
    item = demo_items[0]
    assert validator.schema_reasons(item) == []
    reasons = validator.schema_reasons(next_minor(item))
    # A misspelt field or a version number newscrawl does not write is a bug of newscrawl's: rejected, not shipped.
    assert "schema:item" in reasons and "schema:schema_version" in reasons
    assert any(r.startswith("schema:captions/") for r in reasons)


def test_the_schema_names_the_items_fields_in_their_order():
    # One definition of the fields (newscrawl.model.item); the published schema must say the same.
    from newscrawl.model import item as model

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    properties = schema["properties"]
    assert tuple(properties) == model.ARTICLE_FIELDS
    assert set(schema["required"]) <= set(model.ARTICLE_FIELDS) - set(model.OPTIONAL_FIELDS)
    assert tuple(n for n, p in properties.items() if p.get("type") == "array") == model.LIST_FIELDS
    assert set(model.TEXT_LIST_FIELDS) <= set(model.LIST_FIELDS)
    for name in model.TEXT_FIELDS:
        assert properties[name]["type"] == ["string", "null"], name
    for name in model.DATE_FIELDS:
        assert properties[name] == {**properties[name], "$ref": "#/$defs/datetime"}, name
    assert properties["schema_version"]["pattern"] == "^1\\.[0-9]+$"
    assert model.ITEM_SCHEMA_VERSION.startswith("1.")


def test_the_store_the_export_and_the_contracts_follow_the_items_fields():
    # Hand-written field lists drift (blocks and errors were once stored nowhere): each is made from ARTICLE_FIELDS.
    from newscrawl.crawl.contracts import COMPARED
    from newscrawl.model.item import ARTICLE_FIELDS
    from newscrawl.ops.export import parquet_schema
    from newscrawl.storage.schema import articles

    assert set(ARTICLE_FIELDS) <= {c.name for c in articles.columns}  # a column per field, of its name
    assert [n for n in parquet_schema().names if not n.endswith("_utc")] == list(ARTICLE_FIELDS)
    assert set(COMPARED) == set(ARTICLE_FIELDS) - {"url", "images", "captions"}
