"""newscrawl's own crawler signals (sent with ``crawler.signals.send_catch_log``)."""

#: A URL the crawl wanted could not be had, after its retries: ``url_failed(request, reason, detail)``.
#: Sent by the failure log (newscrawl/crawl/failures.py), received by the URL state (newscrawl/crawl/urlstate.py).
url_failed = object()

#: A write batch of the store committed: ``batch_committed(count)`` (count: articles in it).
#: Sent by the store's crawler glue; received by the distributed frontier, which acknowledges
#: the requests whose articles are now durable (instead of polling the store's stats).
batch_committed = object()

#: Staged writes were given up: ``batch_lost(count, reason)``. Sent by the store's crawler glue;
#: received by the distributed frontier, which must then keep its in-flight requests for a retry.
batch_lost = object()
