"""CleanPipeline: items of other producers are cleaned; items extract_article made, clean already, pass through."""
from __future__ import annotations

import unicodedata

import scrapy
from scrapy.utils.test import get_crawler

from newscrawl.extract import content_hash
from newscrawl.crawl.pipelines.clean import CleanPipeline
from newscrawl.crawl.spiders.news import NewsSpider

NFD_TITLE = unicodedata.normalize("NFD", "Hội nghị   toàn quốc\u200b về công tác tuyên giáo")
BODY = ["Đoạn một của bài viết.", "", "  Đoạn  hai\u00a0của bài viết. "]


class OtherSpider(scrapy.Spider):
    name = "other"


def dirty_item() -> dict:
    return {"site": "tuyengiao", "title": NFD_TITLE, "body": list(BODY), "authors": ["Minh Anh", "Minh  Anh"],
            "captions": [{"text": " Ảnh  minh họa ", "credit": None}], "lead": None}


def pipeline_for(spider_cls, **spider_kwargs):
    crawler = get_crawler(spider_cls)
    pipeline = CleanPipeline.from_crawler(crawler)
    if hasattr(pipeline, "open_spider"):  # as Scrapy does: it calls open_spider where a pipeline has one
        pipeline.open_spider(spider_cls(**spider_kwargs))
    return crawler, pipeline


def test_items_of_another_spider_are_cleaned():
    crawler, pipeline = pipeline_for(OtherSpider)
    item = pipeline.process_item(dirty_item())
    assert item["title"] == "Hội nghị toàn quốc về công tác tuyên giáo"
    assert unicodedata.is_normalized("NFC", item["title"])
    assert item["body"] == ["Đoạn một của bài viết.", "Đoạn hai của bài viết."]
    assert item["authors"] == ["Minh Anh"]
    assert item["captions"][0]["text"] == "Ảnh minh họa"
    assert item["content_hash"] == content_hash(item["title"], item["body"])


def test_a_changed_content_hash_is_counted():
    crawler, pipeline = pipeline_for(OtherSpider)
    item = dirty_item()
    item["content_hash"] = content_hash(item["title"], ["stale"])
    pipeline.process_item(item)
    assert crawler.stats.get_value("newscrawl/clean/changed") == 1


def test_items_extraction_made_pass_through_untouched_whatever_the_spider():
    for spider_cls, kwargs in ((NewsSpider, {"site": "tuyengiao"}), (OtherSpider, {})):
        _, pipeline = pipeline_for(spider_cls, **kwargs)
        item = {**dirty_item(), "extraction": {"title": "site"}}
        assert pipeline.process_item(item) == {**dirty_item(), "extraction": {"title": "site"}}


def test_the_spider_does_not_decide_an_item_without_extraction_is_cleaned():
    _, pipeline = pipeline_for(NewsSpider, site="tuyengiao")
    item = pipeline.process_item(dirty_item())
    assert item["title"] == "Hội nghị toàn quốc về công tác tuyên giáo"
