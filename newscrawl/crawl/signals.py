"""newscrawl's own crawler signals (sent with ``crawler.signals.send_catch_log``)."""

#: A URL the crawl wanted could not be had, after its retries: ``url_failed(request, reason, detail)``.
#: Sent by the failure log (newscrawl/crawl/middlewares.py), received by the URL state (newscrawl/crawl/urlstate.py).
url_failed = object()
