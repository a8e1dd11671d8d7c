"""``newscrawl eval DIR``: its own argument parser (newscrawl/ops/cli.py hands it the arguments)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newscrawl.ops.eval.extractors import fallback_extractor
from newscrawl.ops.eval.loading import GROUPINGS
from newscrawl.ops.eval.output import format_failures, format_groups, format_report
from newscrawl.ops.eval.run import evaluate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newscrawl eval", description="Score extraction against pages with expected fields.")
    parser.add_argument("directory", help="folder with index.json (or *.html.gz + *.json pairs)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list each page's failures")
    parser.add_argument("--no-trafilatura", action="store_true", help="do not run trafilatura for comparison")
    parser.add_argument("--fallback-only", action="store_true", help="score the structured + generic layers alone (no site files)")
    parser.add_argument("--groups", choices=GROUPINGS, default="auto",
                        help="how pages are grouped by source: the first folder of their name, the expected "
                             "'publisher', or (auto, the default) the publisher where the page gives one")
    parser.add_argument("--json", metavar="FILE", help="also write the full report as JSON (every page's fields and scores)")
    args = parser.parse_args(argv)
    if not Path(args.directory).is_dir():
        print(f"not a directory: {args.directory}", file=sys.stderr)
        return 2
    extractor = fallback_extractor() if args.fallback_only else None
    report = evaluate(args.directory, extractor=extractor, compare_trafilatura=not args.no_trafilatura,
                      group_by=args.groups)
    print(format_report(report))
    groups = format_groups(report)
    if groups:
        print()
        print(groups)
    if args.verbose:
        print()
        print(format_failures(report))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=1, default=str)
    return 0
