"""Log lines that say what happened without dumping whole articles into the log."""
from scrapy.logformatter import LogFormatter


class NewsLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        # The pipeline that dropped the item already logged its URL and reason;
        # Scrapy's default would add the full item (whole article bodies) at WARNING.
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped: %(exception)s"
        entry["args"] = {"exception": exception}
        return entry

    def item_error(self, item, exception, response, spider):
        entry = super().item_error(item, exception, response, spider)
        from newscrawl.storage.store import DatabaseOutage

        if isinstance(exception, DatabaseOutage):
            # One line per item the outage cost (there may be many), not the whole article each time.
            url = item.get("url") if hasattr(item, "get") else None
            entry["msg"] = "Error processing %(url)s: not stored: %(exception)s"
            entry["args"] = {"url": url, "exception": exception}
        return entry
