"""Distributed crawls: N worker processes (on one machine or many) share one frontier in Redis.

One setting switches it on: ``NEWSCRAWL_REDIS_URL`` (``newscrawl crawl SITE --redis URL`` or
``scrapy crawl SITE -s NEWSCRAWL_REDIS_URL=redis://host:6379/0``). :func:`~.config.configure_distributed`,
called from the add-on (newscrawl/crawl/addon.py), then puts scrapy-redis's scheduler and dupefilter in
place of Scrapy's (through :class:`~.scheduler.DistributedScheduler`), so every worker takes requests from
the same queue and a URL is fetched once across all of them.

Modules, one job each: ``config`` (the settings NEWSCRAWL_REDIS_URL switches, checks of the URL
and prefix), ``keys`` (every Redis key name), ``lua`` (the scripts, each one atomic step),
``frontier`` (one worker's membership, pops, settling, recovery of dead workers), ``handling``
(which popped requests the engine is still handling), ``scheduler``, ``dupefilter`` (the crawl's
seen set), ``serializer`` (queued requests, less their default fields), ``idle`` (when a worker
stops), ``seed`` (``newscrawl seed``), ``footprint`` (Redis bytes per queued request and seen URL).

Redis keys (``P`` = NEWSCRAWL_REDIS_PREFIX, default "newscrawl"; ``SITE`` = the spider name)::

    P:SITE:requests           sorted set: the shared queue (scrapy-redis PriorityQueue:
                              member = a serialised request, score = -priority)
    P:SITE:dupefilter         set: 20-byte fingerprints of the requests scheduled in this crawl; expires
                              NEWSCRAWL_REDIS_SEEN_TTL_SECONDS after the last worker, deleted when the crawl ends
    P:SITE:workers            set: ids of the workers that joined (host-pid-random)
    P:SITE:alive:WORKER       heartbeat, expires after NEWSCRAWL_REDIS_HEARTBEAT_SECONDS
    P:SITE:inflight:WORKER    hash: the requests WORKER took from the queue and has not settled
    P:SITE:seq                counter naming in-flight entries; expires and goes as the dupefilter does

Bounds: the queue and the in-flight hashes hold requests not yet done, so they never expire (Redis
drops them once empty). The seen set holds one crawl's fingerprints (``dupefilter``, the module):
a crawl ends when the last worker leaves an empty frontier, and its set goes then; what earlier
crawls stored or settled is known from the database, which each worker reads at start.

Start: ``newscrawl seed SITE --redis URL`` pushes the sites' first listing pages (real
requests built by the spider, with their callbacks) into the queue, with what earlier runs left
unfinished (through the seen set, as a worker's requests go); workers yield no start requests of
their own. Seeding a site whose frontier is empty (no worker alive, nothing queued or in flight)
starts a new crawl: the site's dupefilter is emptied, so pages fetched by an earlier crawl can be
fetched again (the database's incremental rules decide what is worth it). Seeding a crawl that
goes on, or was killed with requests left, adds to it and keeps its seen set.

No request is lost when a worker dies. scrapy-redis pops with no acknowledgement, so the pop
here is a Lua script that moves the request from the queue into the worker's in-flight hash in
one step. An entry is settled (deleted) only once the request is completely handled (the
engine is done with it: downloaded or failed, callback run, its items through the pipelines,
requests it produced in the queue; :mod:`~newscrawl.distributed.handling` tells, from public
signals and middlewares) *and* what it staged in the database store is written (the store sent
``batch_committed`` since; after ``batch_lost`` a closing worker puts its requests back
instead). A live worker checks every second for workers whose heartbeat expired and pushes
their in-flight requests back to the queue (bypassing the dupefilter), in one Lua script, so
two live workers never both recover them. Delivery is at
least once: a request a dead worker had finished but not settled is fetched again, and the
store's upserts keep the database at one row per article (an unchanged copy is dropped by the
dedupe pipeline).

Sharing: a worker takes at most 2 x CONCURRENT_REQUESTS_PER_DOMAIN requests ahead (Scrapy alone
would take CONCURRENT_REQUESTS, most of them waiting for the site's per-domain slot while another
worker finds the queue empty), looks at the queue every POLL_SECONDS when it has nothing to do, and
NewsSpider gives listing pages a higher priority in distributed mode (the sorted set pops equal
priorities in byte order, which would leave pagination for last and the queue short of work).

Stop: :class:`FrontierIdleClose` keeps an idle worker open (``DontCloseSpider``) while the
queue holds requests or any worker has requests in flight (they may add more), and lets it
close once that has been so for NEWSCRAWL_REDIS_IDLE_SECONDS.

Items across workers: the dedupe and store pipelines keep their state in the shared database
(PostgreSQL for several hosts; a SQLite file in WAL mode works for workers on one machine).
Article writes are ``INSERT ... ON CONFLICT`` upserts decided by the database, so two workers
writing one article give one row. Near-duplicates: each worker's MinHash index is loaded
from the ``minhash_signatures`` table at open and, after each batch it writes, picks up the
signatures other workers wrote since (by row id). Two copies of a story crawled by two
workers within one batch window of each other are not matched to each other (both are kept
as originals); the window is NEWSCRAWL_DB_BATCH_SIZE items.
"""
