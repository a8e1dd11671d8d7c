"""newscrawl: a production news crawler on Scrapy."""

__version__ = "0.1.0"


def extract_article(html, url, site=None, **kwargs):
    """Extract one article page; see :func:`newscrawl.extract.extract_article`."""
    from newscrawl.extract import extract_article as _extract

    return _extract(html, url, site, **kwargs)
