"""A spider loader that gives every site file a spider of its own name.

`scrapy list` lists the sites; `scrapy crawl tuyengiao` crawls tuyengiao.vn with
NewsSpider configured by newscrawl/sites/tuyengiao.toml. Scrapyd uses the same
loader, so deployed eggs see the same spiders. Site files in the folders of the
setting NEWSCRAWL_SITE_DIRS are spiders too.
"""
from __future__ import annotations

import re

from scrapy.spiderloader import SpiderLoader

from newscrawl.sites import SiteRegistry
from newscrawl.crawl.spiders.news import NewsSpider


def spider_class_for(site_name: str, sites: SiteRegistry | None = None) -> type[NewsSpider]:
    """The spider of one site file of ``sites`` (default: the shipped site files)."""
    class_name = "".join(part.capitalize() for part in site_name.split("_")) + "Spider"
    attrs = {"name": site_name, "site_name": site_name, "sites": sites or SiteRegistry.from_dirs(), "__module__": __name__}
    attrs.update(_fixture_callbacks(site_name))
    return type(class_name, (NewsSpider,), attrs)


def _fixture_callbacks(site_name: str) -> dict:
    """One callback per fixture page of the site, carrying its ``@fixture`` contract (newscrawl/crawl/contracts.py),
    so that `scrapy check` checks every page offline. None when the fixtures are not there (an installed wheel)."""
    from newscrawl.crawl.contracts import fixture_cases

    callbacks = {}
    for page, _path, _expected in fixture_cases(site_name):
        async def callback(self, response, section: str = ""):
            async for item in self.parse_article(response, section):
                yield item

        name = "fixture_" + re.sub(r"\W+", "_", page).strip("_")
        callback.__name__ = callback.__qualname__ = name
        callback.__doc__ = f"The fixture page {page} gives the fields of its expected.json.\n\n@fixture {page}\n"
        callbacks[name] = callback
    return callbacks


class SiteSpiderLoader:
    """Scrapy's spider loader (the spiders of SPIDER_MODULES) and one spider per site file.

    It wraps Scrapy's SpiderLoader through its public interface (Scrapy's SpiderLoaderProtocol:
    from_settings, load, list, find_by_request) rather than filling in its private spider table.
    """

    def __init__(self, settings):
        self.modules = SpiderLoader.from_settings(settings)
        self.sites = SiteRegistry.from_settings(settings)  # with private site files outside the package
        written = set(self.modules.list())
        # A hand-written spider of a site's name wins over the site file's.
        self.site_spiders = {name: spider_class_for(name, self.sites) for name in self.sites if name not in written}
        if NewsSpider.name in written and self.modules.load(NewsSpider.name) is NewsSpider:
            # The generic spider: -a site= names one of these sites.
            self.site_spiders[NewsSpider.name] = type("NewsSpider", (NewsSpider,), {"sites": self.sites,
                                                                                      "__module__": __name__})
        from newscrawl.crawl.spiders.generic import GenericSpider

        if GenericSpider.name in written and self.modules.load(GenericSpider.name) is GenericSpider:
            # The spider of sites without a site file (-a url=): a URL of a site file's host goes to its site file.
            self.site_spiders[GenericSpider.name] = type("GenericSpider", (GenericSpider,), {"sites": self.sites,
                                                                                               "__module__": __name__})

    @classmethod
    def from_settings(cls, settings):
        return cls(settings)

    def load(self, spider_name: str):
        if spider_name in self.site_spiders:
            return self.site_spiders[spider_name]
        return self.modules.load(spider_name)  # KeyError naming the spider, as Scrapy's loader says it

    def list(self) -> list[str]:
        return sorted(set(self.modules.list()) | set(self.site_spiders))

    def find_by_request(self, request) -> list[str]:
        return [name for name in self.list() if self.load(name).handles_request(request)]
