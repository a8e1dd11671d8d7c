"""A spider loader that gives every site file a spider of its own name.

`scrapy list` lists the sites; `scrapy crawl tuyengiao` crawls tuyengiao.vn with
NewsSpider configured by newscrawl/sites/tuyengiao.toml. Scrapyd uses the same
loader, so deployed eggs see the same spiders. Site files in the folders of the
setting NEWSCRAWL_SITE_DIRS are spiders too.
"""
from __future__ import annotations

from scrapy.spiderloader import SpiderLoader

from newscrawl.sites import all_sites, use_site_dirs
from newscrawl.spiders.news import NewsSpider


def spider_class_for(site_name: str) -> type[NewsSpider]:
    class_name = "".join(part.capitalize() for part in site_name.split("_")) + "Spider"
    return type(class_name, (NewsSpider,), {"name": site_name, "site_name": site_name, "__module__": __name__})


class SiteSpiderLoader(SpiderLoader):
    def __init__(self, settings):
        super().__init__(settings)
        use_site_dirs(settings.getlist("NEWSCRAWL_SITE_DIRS"))  # private site files outside the package
        for name in all_sites():
            if name not in self._spiders:  # a hand-written spider of the same name wins
                self._spiders[name] = spider_class_for(name)
