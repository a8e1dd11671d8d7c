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
