"""The `newscrawl` command. Thin: each subcommand calls into the package."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from newscrawl import __version__


def cmd_demo(args) -> int:
    from newscrawl.crawling import run_crawls
    from newscrawl.fixtureserver import FixtureServer, fixture_site_dir

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    jsonl, db, rejects = out / "articles.jsonl", out / "newscrawl.sqlite", out / "rejects.jsonl"
    rejects.unlink(missing_ok=True)  # the demo's rejects are this run's
    db_url = args.db or f"sqlite:///{db}"
    started = time.monotonic()
    with FixtureServer(fixture_site_dir(args.site)) as server:
        crawlers = run_crawls(
            [args.site],
            overrides={
                "FEEDS": {str(jsonl): {"format": "jsonlines", "encoding": "utf-8", "overwrite": True}},
                "NEWSCRAWL_DB_URL": db_url,
                "NEWSCRAWL_REJECTS_PATH": str(rejects),
                "AUTOTHROTTLE_ENABLED": False,  # a local server needs no throttling
                "LOG_LEVEL": args.log_level,
            },
            spider_kwargs={"base_url": server.url},
        )
    elapsed = time.monotonic() - started
    stats = crawlers[0].stats.get_stats()
    written = sum(1 for _ in jsonl.open(encoding="utf-8")) if jsonl.exists() else 0
    from newscrawl.storage import safe_url

    print(f"newscrawl demo: crawled fixture site {args.site!r} served at {server.url}")
    print(f"  pages fetched     {stats.get('response_received_count', 0)}")
    print(f"  articles written  {written}  -> {jsonl}")
    print(f"  new / updated / unchanged in database  {stats.get('newscrawl/articles/new', 0)} / "
          f"{stats.get('newscrawl/articles/updated', 0)} / {stats.get('newscrawl/articles/unchanged', 0)}  -> {safe_url(db_url)}")
    print(f"  rejected          {stats.get('newscrawl/rejected', 0)}  -> {rejects}")
    print(f"  time              {elapsed:.1f} s")
    return 0 if stats.get("finish_reason") == "finished" and not stats.get("log_count/ERROR") else 1


def cmd_extract(args) -> int:
    from newscrawl.extract import extract_article
    from newscrawl.sites import SiteConfigError

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
        url = args.url or p.resolve().as_uri()
        try:
            item = extract_article(data, url, args.site)
        except SiteConfigError as exc:
            print(f"newscrawl extract: {exc}", file=sys.stderr)
            return 2
        indent = 2 if len(args.paths) == 1 and args.pretty else None
        print(json.dumps(item, ensure_ascii=False, indent=indent))
    return status


def cmd_serve_fixtures(args) -> int:
    from newscrawl.fixtureserver import serve_forever

    serve_forever(args.site, port=args.port)
    return 0


def cmd_eval(args) -> int:
    from newscrawl.evaluate import main as eval_main

    return eval_main(args.rest)


def cmd_export(args) -> int:
    from newscrawl.export import export_articles

    count = export_articles(args.db, args.out, since=args.since, site=args.site, fmt=args.format)
    print(f"newscrawl export: {count} articles -> {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newscrawl", description="A production news crawler on Scrapy.")
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="serve the bundled fixture site locally and crawl all of it into JSONL and SQLite")
    p.add_argument("--out", default="out", help="output folder (default ./out)")
    p.add_argument("--db", help="database URL (default: sqlite:///OUT/newscrawl.sqlite)")
    p.add_argument("--site", default="tuyengiao", help="fixture site to crawl (default tuyengiao)")
    p.add_argument("--log-level", default="WARNING")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("extract", help="extract saved article pages (.html or .html.gz); one JSON object per page")
    p.add_argument("paths", nargs="+")
    p.add_argument("--url", help="the page's URL (chooses the site file by host)")
    p.add_argument("--site", help="site file name to use instead of choosing by host")
    p.add_argument("--pretty", action="store_true", help="indent the JSON (one page only)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("serve-fixtures", help="serve a bundled fixture site on 127.0.0.1, logging each request")
    p.add_argument("--site", default="tuyengiao")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve_fixtures)

    p = sub.add_parser("eval", help="score extraction on a folder of pages with expected fields", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("export", help="export stored articles as JSONL or Parquet")
    p.add_argument("out")
    p.add_argument("--db", required=True, help="database URL")
    p.add_argument("--since", required=True, help="YYYY-MM-DD: articles published on or after this day")
    p.add_argument("--site")
    p.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
