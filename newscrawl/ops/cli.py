"""The `newscrawl` command. Thin: each subcommand calls into the package."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from newscrawl import __version__
from newscrawl.crawl.config import LOG_LEVELS, STATUS_CONFIG_ERROR
from newscrawl.model.errors import ConfigError


def cmd_demo(args) -> int:
    from newscrawl.ops.crawling import run_crawls
    from newscrawl.ops.fixtureserver import FixtureServer, demo_site_dir

    try:
        pages = demo_site_dir(args.site)  # package data: the demo runs from an installed wheel
    except ConfigError as exc:
        print(f"newscrawl demo: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    jsonl, db, rejects = out / "articles.jsonl", out / "newscrawl.sqlite", out / "rejects.jsonl"
    rejects.unlink(missing_ok=True)  # the demo's rejects are this run's
    db_url = args.db or f"sqlite:///{db}"
    # The same full result every time, on a database reused from earlier demos: every page is fetched
    # again (incremental off), every article goes to articles.jsonl (unchanged ones too, with no new
    # version stored), every invalid page to rejects.jsonl.
    started = time.monotonic()
    with FixtureServer(pages) as server:
        crawlers = run_crawls(
            [args.site],
            overrides={
                "FEEDS": {str(jsonl): {"format": "jsonlines", "encoding": "utf-8", "overwrite": True}},
                "NEWSCRAWL_DB_URL": db_url,
                "NEWSCRAWL_REJECTS_PATH": str(rejects),
                "NEWSCRAWL_INCREMENTAL": False,
                "NEWSCRAWL_REJECT_RETRY_HOURS": 0,  # the invalid pages are fetched (and rejected) again
                "NEWSCRAWL_FEED_ITEMS": "all",
                "AUTOTHROTTLE_ENABLED": False,  # a local server needs no throttling
                "LOG_LEVEL": args.log_level,
            },
            spider_kwargs={"base_url": server.url},
        )
    elapsed = time.monotonic() - started
    stats = crawlers[0].stats.get_stats()
    written = sum(1 for _ in jsonl.open(encoding="utf-8")) if jsonl.exists() else 0
    from newscrawl.storage import safe_url

    print(f"newscrawl demo: crawled demo site {args.site!r} served at {server.url}")
    print(f"  pages fetched     {stats.get('response_received_count', 0)}")
    print(f"  articles written  {written}  -> {jsonl}")
    print(f"  new / updated / unchanged in database  {stats.get('newscrawl/articles/new', 0)} / "
          f"{stats.get('newscrawl/articles/updated', 0)} / {stats.get('newscrawl/articles/unchanged', 0)}  -> {safe_url(db_url)}")
    print(f"  rejected          {stats.get('newscrawl/rejected', 0)}  -> {rejects}")
    print(f"  time              {elapsed:.1f} s")
    return 0 if stats.get("finish_reason") == "finished" and not stats.get("log_count/ERROR") else 1


def _parse_setting(pairs) -> dict:
    settings = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"-s {pair!r}: expected NAME=VALUE")
        settings[key] = value
    return settings


def _site_registry(overrides: dict | None = None):
    """The site files the command's crawls will know: the shipped ones and NEWSCRAWL_SITE_DIRS' (settings.py or -s)."""
    from newscrawl.ops.crawling import newscrawl_settings
    from newscrawl.sites import SiteRegistry

    return SiteRegistry.from_settings(newscrawl_settings(overrides))


def cmd_seed(args) -> int:
    """Push the sites' start requests into the shared Redis frontier of a distributed crawl."""
    import redis

    from newscrawl.crawl.config import check_settings
    from newscrawl.distributed.seed import seed_sites
    from newscrawl.crawl.runs import EXIT_CONFIG, EXIT_FAILED
    from newscrawl.sites import SiteConfigError

    try:
        overrides = _parse_setting(args.setting)
        check_settings(overrides)
        spider_kwargs = {k: v for k, v in {"base_url": args.base_url, "sections": args.sections}.items() if v}
        urls = [s for s in args.sites if s.lower().startswith(("http://", "https://"))]
        if urls:  # GenericSpider keeps its walk's state (claimed URLs, depths) in one process: not distributed yet
            raise ConfigError(f"SITE {urls[0]!r}: a site crawled by its URL is not a distributed crawl; "
                              "run `newscrawl crawl URL`")
        _check_spider_arguments(_site_registry(overrides), args.sites, spider_kwargs)
        pushed = seed_sites(args.sites, args.redis, overrides=overrides, spider_kwargs=spider_kwargs)
    except (SiteConfigError, ValueError) as exc:
        print(f"newscrawl seed: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except redis.exceptions.RedisError as exc:
        print(f"newscrawl seed: Redis at {args.redis}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for name, count in pushed.items():
        print(f"{name}: {count} start requests pushed")
    return 0


def _check_spider_arguments(registry, sites, spider_kwargs: dict) -> None:
    """Each site's spider arguments, checked as the spider will (ConfigError naming the command's option)."""
    from newscrawl.crawl.spiders.arguments import SpiderArgumentError, check_spider_arguments

    from newscrawl.model.urls import is_http_url

    if len(set(sites)) < len(sites):
        raise ConfigError(f"SITE: {sorted({s for s in sites if sites.count(s) > 1})} given twice; name each site once")
    for name in sites:
        try:
            if is_http_url(name):  # a site without a site file, crawled by its URL
                check_spider_arguments(None, {**spider_kwargs, "url": name}, registry)
                continue
            registry.site(name)
            check_spider_arguments(name, {k: v for k, v in spider_kwargs.items() if k != "depth"}, registry)
        except SpiderArgumentError as exc:
            raise ConfigError(exc.describe(cli=True)) from None


def _crawl_targets(args, registry) -> list[str]:
    """What `newscrawl crawl` crawls: the SITEs given (site file names or site URLs), then the URLs of
    ``--urls FILE`` (one per line; blank lines and ``#`` comments skipped). A URL of a site file's host is
    that site file (the exact way to crawl it); any other URL is a site crawled by general rules, its
    name (the items' ``site``, its lock, its summary) the URL's host."""
    from newscrawl.model.urls import is_http_url

    targets = list(args.sites)
    if args.urls:
        try:
            text = Path(args.urls).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--urls {args.urls!r}: cannot be read ({exc.strerror or exc})") from None
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not is_http_url(line):
                raise ConfigError(f"--urls {args.urls}:{number}: {line[:200]!r}: expected one http(s) URL per line")
            targets.append(line)
    if not targets:
        raise ConfigError("SITE: name a site file or a site's URL, or give --urls FILE")
    resolved = []
    for target in targets:
        known = registry.for_url(target) if is_http_url(target) else None
        resolved.append(known.name if known is not None else target)
    return resolved


def _site_key(target: str) -> str:
    """The name a crawl target's run is known by: a site file's name, or a URL's host (with its port)."""
    from newscrawl.crawl.discovery import site_name_for_url
    from newscrawl.model.urls import is_http_url

    return site_name_for_url(target) if is_http_url(target) else target


def _check_crawl_arguments(args, out: Path) -> tuple[dict, dict]:
    """The settings and spider arguments of `newscrawl crawl`, checked before anything starts: a bad one
    raises ConfigError (or SiteConfigError, for a site file) saying what to fix, instead of failing inside the crawl."""
    from newscrawl.crawl.config import check_db_url, check_settings
    from newscrawl.distributed.config import check_redis_url

    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {str(out)!r}: not a folder; give the folder the crawl writes its files in")
    overrides = _parse_setting(args.setting)
    check_settings(overrides)
    if str(args.log_level).upper() not in LOG_LEVELS:
        raise ConfigError(f"--log-level {args.log_level!r}: expected one of {', '.join(LOG_LEVELS)}")
    if args.redis:
        try:
            overrides["NEWSCRAWL_REDIS_URL"] = check_redis_url(args.redis)  # a worker of a distributed crawl (docs/scaling.md)
        except ValueError:
            raise ConfigError(f"--redis {args.redis!r}: expected a Redis URL such as redis://127.0.0.1:6379/0") from None
    if args.db:
        overrides["NEWSCRAWL_DB_URL"] = check_db_url(args.db, "--db")
    spider_kwargs = {k: v for k, v in {
        "base_url": args.base_url, "max_pages": args.max_pages, "since": args.since, "sections": args.sections,
        "depth": getattr(args, "depth", None),
    }.items() if v is not None}
    registry = _site_registry(overrides)
    args.sites = _crawl_targets(args, registry)
    if args.redis and any(_site_key(s) != s for s in args.sites):
        raise ConfigError("--redis: a site crawled by its URL is not a distributed crawl; crawl it without --redis")
    _check_spider_arguments(registry, args.sites, spider_kwargs)
    return overrides, spider_kwargs


def _config_error(out: Path, run_id: str, sites, message: str) -> int:
    """Print the one line, and record it as the run's status: a cron user reading last-run.json must
    not see the previous run's "ok"."""
    from newscrawl.crawl.runs import EXIT_CONFIG, write_run_record

    print(f"newscrawl crawl: {message}", file=sys.stderr)
    if out.exists() and not out.is_dir():
        return EXIT_CONFIG  # --out is a file: there is no last-run.json to mislead anyone
    record = {"run_id": run_id, "status": STATUS_CONFIG_ERROR, "exit_code": EXIT_CONFIG, "message": message,
              "sites": {name: {"status": STATUS_CONFIG_ERROR, "problems": [message]} for name in dict.fromkeys(sites)}}
    try:
        write_run_record(out, record)
    except OSError as exc:
        print(f"newscrawl crawl: could not record this in {out / 'last-run.json'}: {exc}", file=sys.stderr)
    return EXIT_CONFIG


def cmd_crawl(args) -> int:
    """The command a crontab line calls: locked, incremental, resumable, with a summary and an exit status."""
    import shutil

    from newscrawl.ops.crawling import run_crawls
    from newscrawl.ops.locks import LockHeld, RunLock
    from newscrawl.crawl.outputs import check_output_dir
    from newscrawl.crawl.runs import EXIT_CONFIG, EXIT_LOCKED, STATUS_FAILED, new_run_id, run_record, write_run_record
    from newscrawl.crawl.summary import RunSummary
    from newscrawl.sites import SiteConfigError

    out = Path(args.out).resolve()
    run_id = new_run_id()
    try:
        overrides, spider_kwargs = _check_crawl_arguments(args, out)
    except (ConfigError, SiteConfigError) as exc:
        return _config_error(out, run_id, args.sites, str(exc))
    if args.redis:
        from newscrawl.distributed.config import redis_unreachable
        from newscrawl.crawl.runs import EXIT_FAILED

        problem = redis_unreachable(args.redis)
        if problem:
            print(f"newscrawl crawl: not started: {problem}", file=sys.stderr)
            return EXIT_FAILED
    problem = check_output_dir(out)  # a read-only --out: one line now, not tracebacks from every writer
    if problem:
        print(f"newscrawl crawl: not started: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    locks = []
    try:
        for name in args.sites:
            locks.append(RunLock(out / "locks" / f"{_site_key(name)}.lock").acquire())
    except LockHeld as exc:
        for lock in locks:
            lock.release()
        print(f"newscrawl crawl: not started: {exc}", file=sys.stderr)
        return EXIT_LOCKED

    try:
        # Runs resume from the URL state in the database (newscrawl/crawl/urlstate.py), not from a Scrapy
        # JOBDIR: the job folders of earlier versions hold nothing that is not there, and a killed
        # or full-disk run could leave them corrupt.
        shutil.rmtree(out / "jobs", ignore_errors=True)
        overrides.update({
            "NEWSCRAWL_OUT_DIR": str(out),
            "NEWSCRAWL_RUN_ID": run_id,
            "LOG_LEVEL": args.log_level,
        })
        overrides.setdefault("NEWSCRAWL_PROGRESS", True)  # a bar on a terminal, a line per interval in cron's mail
        try:
            crawlers = run_crawls(args.sites, overrides=overrides, spider_kwargs=spider_kwargs)
        except (SiteConfigError, ValueError) as exc:
            print(f"newscrawl crawl: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        summaries = {}
        for name, crawler in zip(map(_site_key, args.sites), crawlers):
            try:
                ext = crawler.get_extension(RunSummary)
            except RuntimeError:  # Scrapy makes the extensions when the crawl starts: this one never did
                ext = None
            summaries[name] = (ext and ext.summary) or {"status": STATUS_FAILED, "problems": ["the crawl did not start"]}
        aggregate = run_record(run_id, summaries)  # the same shape as `scrapy crawl -s NEWSCRAWL_OUT_DIR=` writes
        exit_code = aggregate["exit_code"]
        try:
            write_run_record(out, aggregate)
        except OSError as exc:  # a full disk: say so in one line, and never exit 0 without a summary
            from newscrawl.crawl.outputs import describe_os_error
            from newscrawl.crawl.runs import EXIT_FAILED

            print(f"newscrawl crawl: the run summary could not be written to {out}: {describe_os_error(exc)}",
                  file=sys.stderr)
            exit_code = EXIT_FAILED
        for name, s in summaries.items():
            a = s.get("articles", {})
            print(f"{name}: {s['status']} pages={s.get('pages_fetched', 0)} new={a.get('new', 0)} "
                  f"updated={a.get('updated', 0)} unchanged={a.get('unchanged', 0)} known={s.get('known_skipped', 0)} "
                  f"duplicate={a.get('duplicate', 0)} rejected={a.get('rejected', 0)} "
                  f"elapsed={s.get('elapsed_seconds', 0)}s" + (f" problems={s['problems']}" if s.get("problems") else "")
                  + (f" alerts={[x['field'] for x in s.get('alerts', [])]}" if s.get("alerts") else ""))
        return exit_code
    finally:
        for lock in locks:
            lock.release()


#: `newscrawl extract`'s exit status when a page is a listing (home, section), not an article (its item is printed).
EXIT_NOT_ARTICLE = 3


def cmd_extract(args) -> int:
    from jsonschema import Draft202012Validator

    from newscrawl.extract import extract_article, page_url
    from newscrawl.crawl.pipelines.validate import load_schema
    from newscrawl.sites import SiteConfigError

    try:
        registry = _site_registry()
        site = registry.site(args.site) if args.site else None
    except (ConfigError, SiteConfigError) as exc:
        print(f"newscrawl extract: {exc}", file=sys.stderr)
        return 2

    if args.url and not args.url.lower().startswith(("http://", "https://")):
        print(f"newscrawl extract: --url {args.url!r}: expected the page's http(s) URL", file=sys.stderr)
        return 2
    # What is printed is what a consumer validates with the published schema: check it here too.
    schema = Draft202012Validator(load_schema())
    status = 0
    for path in args.paths:
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            print(f"newscrawl extract: cannot read {path}: {exc}", file=sys.stderr)
            status = 2
            continue
        if p.suffix == ".gz":
            import gzip

            data = gzip.decompress(data)
        # Without --url, the page's own canonical URL: it chooses the site file, as the live URL would.
        url = args.url or page_url(data)
        if url is None:
            print(f"newscrawl extract: {path}: the page names no URL (no rel=canonical, og:url or JSON-LD url); "
                  "give it with --url", file=sys.stderr)
            status = 2
            continue
        item = extract_article(data, url, site or registry.for_url(url))
        errors = sorted(f"{'/'.join(map(str, e.absolute_path)) or 'item'}: {e.message}" for e in schema.iter_errors(item))
        if errors:  # a bug of the extractor's, not of the page: say so rather than print an item consumers reject
            print(f"newscrawl extract: {path}: the extracted item breaks the article schema: {'; '.join(errors)}",
                  file=sys.stderr)
            status = 1
            continue
        indent = 2 if len(args.paths) == 1 and args.pretty else None
        print(json.dumps(item, ensure_ascii=False, indent=indent))
        if item.get("page_kind") == "listing":
            # A home or section page is no article: the item says so (page_kind), and so do the line on stderr
            # and the exit status, so a script never takes a listing's teasers for an article. (An empty or
            # unreadable page stays what it was: an item whose `missing` says what it lacks.)
            print(f"newscrawl extract: {path}: a listing page, not an article (page_kind 'listing')", file=sys.stderr)
            status = max(status, EXIT_NOT_ARTICLE)
    return status


def cmd_serve_fixtures(args) -> int:
    from newscrawl.ops.fixtureserver import serve_forever

    try:
        serve_forever(args.site, port=args.port)
    except ConfigError as exc:
        print(f"newscrawl serve-fixtures: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_eval(args) -> int:
    from newscrawl.ops.eval import main as eval_main

    return eval_main(args.rest)


def _reason(exc: BaseException) -> str:
    """The first line of what a database or OS error says (SQLAlchemy's own text adds the statement and a link)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _readable_database(db_url: str, tables: tuple[str, ...]):
    """An engine on ``db_url``, checked to hold newscrawl's ``tables``; ConfigError saying what to fix
    otherwise (an unsupported URL, no such file or database, a database nothing was stored in)."""
    from sqlalchemy.exc import SQLAlchemyError

    from newscrawl.crawl.config import check_db_url
    from newscrawl.storage.articles import table_names
    from newscrawl.storage.engine import create_db_engine, safe_url

    check_db_url(db_url, "--db", must_exist=True)  # SQLite would create the missing file
    engine = create_db_engine(db_url)
    try:
        present = table_names(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ConfigError(f"--db {safe_url(db_url)!r}: cannot open the database: {_reason(exc)}") from None
    missing = [t for t in tables if t not in present]
    if missing:
        engine.dispose()
        raise ConfigError(f"--db {safe_url(db_url)!r}: has no {' and no '.join(missing)} table: nothing was ever "
                          "stored there (crawl into it first)")
    return engine


def _output_problem(path: Path) -> str | None:
    if path.is_dir():
        return f"{path} is a folder; give the path of the file to write"
    return None


def cmd_export(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from newscrawl.ops.export import DATASET_MARKER, export_articles, is_dataset_dir, parse_partition, parse_since
    from newscrawl.storage.articles import stored_sites

    try:
        try:
            parse_since(args.since)
        except ValueError:
            raise ConfigError(f"--since {args.since!r}: expected a date as YYYY-MM-DD "
                              "(or a date and time such as 2024-03-13T08:00:00+07:00)") from None
        try:
            partition = parse_partition(args.partition)
        except ValueError as exc:
            raise ConfigError(f"--partition {args.partition!r}: {exc}") from None
        if partition and args.format != "parquet":
            raise ConfigError("--partition: only a Parquet export can be partitioned (add --format parquet)")
        out = Path(args.out)
        if not partition:
            problem = _output_problem(out)
        elif out.exists() and not out.is_dir():
            problem = f"{out} is a file; a partitioned export writes a folder"
        elif out.exists() and not is_dataset_dir(out):
            # Replacing it would delete what the export did not write.
            problem = f"{out} is a folder no partitioned export wrote (no {DATASET_MARKER}); give a new folder"
        else:
            problem = None
        if problem:
            raise ConfigError(f"OUT: {problem}")
        engine = _readable_database(args.db, ("articles",))
        try:
            if args.site and args.site not in _site_registry():
                # Articles of pages without a site file are stored under their host: those are sites too.
                stored = stored_sites(engine)
                if args.site not in stored:
                    raise ConfigError(f"--site {args.site!r}: no such site file and no articles of that site in the "
                                      f"database; sites there: {', '.join(stored) or 'none'}")
        finally:
            engine.dispose()
    except ConfigError as exc:
        print(f"newscrawl export: {exc}", file=sys.stderr)
        return 2
    try:
        count = export_articles(args.db, args.out, since=args.since, site=args.site, fmt=args.format,
                                partition=partition)
    except (OSError, SQLAlchemyError) as exc:
        reason = _reason(exc)
        print(f"newscrawl export: could not export to {args.out}: {reason}", file=sys.stderr)
        return 4
    print(f"newscrawl export: {count} articles -> {args.out}")
    return 0


def cmd_report(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from newscrawl.ops.report import write_report

    try:
        problem = _output_problem(Path(args.out))
        if problem:
            raise ConfigError(f"--out: {problem}")
        days = str(args.days).strip()
        if not days.isdigit() or not 1 <= int(days) <= 3660:
            raise ConfigError(f"--days {args.days!r}: expected a whole number of days from 1 to 3660")
        _readable_database(args.db, ("articles", "runs")).dispose()
    except ConfigError as exc:
        print(f"newscrawl report: {exc}", file=sys.stderr)
        return 2
    try:
        write_report(args.db, args.out, days=int(days))
    except (OSError, SQLAlchemyError) as exc:
        reason = _reason(exc)
        print(f"newscrawl report: could not write {args.out}: {reason}", file=sys.stderr)
        return 4
    print(f"newscrawl report: {args.out}")
    return 0


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line (the usage itself is in --help), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="newscrawl", description="A production news crawler on Scrapy.")
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="serve the bundled demo site locally and crawl all of it into JSONL and SQLite")
    p.add_argument("--out", default="out", help="output folder (default ./out)")
    p.add_argument("--db", help="database URL (default: sqlite:///OUT/newscrawl.sqlite)")
    p.add_argument("--site", default="tuyengiao", help="demo site to crawl (default tuyengiao, the one the package ships)")
    p.add_argument("--log-level", default="WARNING")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("crawl", help="crawl sites incrementally into an output folder (for cron)")
    p.add_argument("sites", nargs="*", metavar="SITE",
                   help="a site file's name, or the URL of a site to crawl without one (https://example.vn/)")
    p.add_argument("--urls", metavar="FILE", help="a file of site URLs to crawl, one per line")
    p.add_argument("--depth", help="crawl by URL: links followed from the start page to listing pages (default 2)")
    p.add_argument("--out", default="out", help="output folder: articles/, rejects.jsonl, runs/, newscrawl.sqlite")
    p.add_argument("--db", help="database URL (default sqlite:///OUT/newscrawl.sqlite)")
    p.add_argument("--base-url", help="crawl a mirror of the site (e.g. the fixture server) instead of the live host")
    p.add_argument("--max-pages", help="listing pages per section")
    p.add_argument("--since", help="YYYY-MM-DD: skip older articles")
    p.add_argument("--sections", help="comma-separated section slugs")
    p.add_argument("--redis", metavar="URL", help="be a worker of a distributed crawl: share the frontier in this Redis "
                                                  "(redis://host:6379/0); start it with `newscrawl seed`")
    p.add_argument("-s", "--setting", action="append", metavar="NAME=VALUE", help="a Scrapy/newscrawl setting")
    p.add_argument("--log-level", default="INFO")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("seed", help="start a distributed crawl: push the sites' listing pages into the shared Redis frontier")
    p.add_argument("sites", nargs="+", metavar="SITE")
    p.add_argument("--redis", required=True, metavar="URL", help="the Redis the workers share (redis://host:6379/0)")
    p.add_argument("--base-url", help="crawl a mirror of the site (give the workers the same --base-url)")
    p.add_argument("--sections", help="comma-separated section slugs (default: all)")
    p.add_argument("-s", "--setting", action="append", metavar="NAME=VALUE", help="a Scrapy/newscrawl setting")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("extract", help="extract saved article pages (.html or .html.gz); one JSON object per page")
    p.add_argument("paths", nargs="+")
    p.add_argument("--url", help="the page's URL (chooses the site file by host); default: the page's own "
                                 "rel=canonical / og:url")
    p.add_argument("--site", help="site file name to use instead of choosing by host")
    p.add_argument("--pretty", action="store_true", help="indent the JSON (one page only)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("serve-fixtures", help="serve the bundled demo site on 127.0.0.1, logging each request")
    p.add_argument("--site", default="tuyengiao", help="demo site to serve (default tuyengiao, the one `demo` crawls)")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve_fixtures)

    p = sub.add_parser("eval", help="score extraction on a folder of pages with expected fields", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("report", help="write a self-contained HTML report of the crawls (charts, recent runs)")
    p.add_argument("--db", default="sqlite:///out/newscrawl.sqlite",
                   help="database URL (default sqlite:///out/newscrawl.sqlite: ./out/newscrawl.sqlite, where "
                        "`newscrawl demo` and `newscrawl crawl` write by default)")
    p.add_argument("--out", default="report.html", help="HTML file to write (default ./report.html)")
    p.add_argument("--days", default="30",  # newscrawl.ops.report.DEFAULT_DAYS
                   help="days drawn in 'articles per site per day', ending today, UTC (default 30)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="export stored articles as JSONL or Parquet")
    p.add_argument("out")
    p.add_argument("--db", required=True, help="database URL")
    p.add_argument("--since", required=True, help="YYYY-MM-DD: articles published on or after this day")
    p.add_argument("--site")
    p.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl")
    p.add_argument("--partition", metavar="KEYS", help="Parquet only: site, date or site,date; OUT is then a folder "
                                                       "of hive partitions (OUT/site=S/date=YYYY-MM-DD/)")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["eval"]:
        # eval has its own parser (newscrawl/ops/eval/cli.py); argparse's REMAINDER would not pass it a leading --help
        return cmd_eval(argparse.Namespace(rest=argv[1:]))
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
