"""A producer that cleans nothing, for tests of what the store does with rows a database refuses.

``scrapy runspider tests/support/rawspider.py -a base_url=URL -a paths=/a,/b -a poison=/a=surrogate,/b=nul``:
fetches each path, extracts the article as the real spider does, then spoils the items named in
``poison`` the way an uncleaned producer would hand them over (a lone surrogate in a tag, a NUL
byte in an image URL, or ``long_canonical`` as the canonical URL). Items are reported under the
site's real host, as the real spider's are when it crawls a mirror.
"""
from __future__ import annotations

import scrapy

from newscrawl.extract import extract_article

SITE = "https://tuyengiao.vn"


class RawSpider(scrapy.Spider):
    name = "raw"
    custom_settings = {"ROBOTSTXT_OBEY": False}

    def __init__(self, base_url: str, paths: str, poison: str = "", long_canonical: str = "", **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.paths = [p for p in paths.split(",") if p]
        self.poison = dict(entry.split("=", 1) for entry in poison.split(",") if entry)
        self.long_canonical = long_canonical

    async def start(self):
        for path in self.paths:
            yield scrapy.Request(self.base_url + path, cb_kwargs={"path": path})

    def parse(self, response, path):
        item = extract_article(response.body, SITE + path, "tuyengiao")
        item["url"] = response.url
        kind = self.poison.get(path)
        if kind == "surrogate":
            item["tags"] = [*item["tags"], "thi\ud800 cử"]
        elif kind == "nul":
            item["images"] = [*item["images"], SITE + "/Uploads/a\x00b.jpg"]
        elif kind == "long_canonical":
            item["canonical_url"] = self.long_canonical
        yield item
