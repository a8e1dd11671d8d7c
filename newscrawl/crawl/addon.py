"""The settings one crawl derives from other settings, as a Scrapy add-on (``ADDONS`` in settings.py).

``NewscrawlAddon.update_settings`` lays out the output folder (``NEWSCRAWL_OUT_DIR``:
newscrawl/crawl/outputs.py, FEEDS, the rejects path, the database URL, the runs folder) and, with
``NEWSCRAWL_REDIS_URL``, the shared Redis frontier (newscrawl/distributed/config.py: SCHEDULER, the
dupefilter, the idle extension, a worker's run id). Both depend on the crawl's settings only, not on
the spider, so they are set where Scrapy lets a component change settings for every spider of a
crawl; settings given explicitly still win, as before.

Rendering stays on the spider (``NewsSpider.update_settings``): it depends on the site file (its
``[render]`` table names what to render), which only the spider class knows, and the download
handlers it sets must be in the settings of ``Crawler(spidercls, settings)`` already.

Scrapy applies add-ons when the crawl starts (``Crawler.crawl``). Code that builds a crawler without
crawling it and reads these settings (``newscrawl seed``) calls :func:`apply` itself.
"""
from __future__ import annotations

from newscrawl.crawl.outputs import configure_output_dir


class NewscrawlAddon:
    def update_settings(self, settings) -> None:
        apply(settings)


def apply(settings) -> None:
    """Derive the output folder's and the distributed crawl's settings (see the module docstring)."""
    from newscrawl.distributed.config import configure_distributed  # scrapy-redis, imported for crawls that use it

    configure_output_dir(settings)
    configure_distributed(settings)
