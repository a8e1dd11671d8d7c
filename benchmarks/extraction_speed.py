"""Extraction speed: newscrawl's extract_article against trafilatura on the same pages, in one run.

    python -m benchmarks.extraction_speed [DIR] [--repeat N]

Two groups: pages that have a site file (the fixture sites and ../shared/realpages,
with their real URLs, so the site layer runs) and pages that have none (DIR,
default ../shared/extraction-open: structured data and generic layers). Each page
is read into memory first, so only extraction is timed; the systems run page by
page, interleaved, so that load from other processes weighs on both alike.
Reported per system: ms per page (mean and median) and pages per second.

* ``newscrawl``: ``extract_article(html, url)``: every layer, loaders and cleaning;
* ``trafilatura``: ``bare_extraction(html, url, with_metadata=True)``: its own
  parse, metadata and main text.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load(directory: Path) -> list[tuple[bytes, str]]:
    pages = []
    for path in sorted([*directory.rglob("*.html.gz"), *directory.rglob("*.html")]):
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        url = "https://example.org/" + path.name.split(".")[0]
        meta = path.with_name(path.name.split(".")[0] + ".json")
        if meta.is_file():
            try:
                url = json.loads(meta.read_text(encoding="utf-8")).get("url") or url
            except ValueError:
                pass
        pages.append((data, url))
    return pages


def run(systems: dict, pages, repeat: int) -> list[dict]:
    """Time every system on every page, interleaved (page by page, alternating
    which system goes first) so that a change in machine load hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in systems}
    names = list(systems)
    for round_ in range(repeat):
        for i, (html, url) in enumerate(pages):
            order = names if (i + round_) % 2 == 0 else names[::-1]
            for name in order:
                start = time.perf_counter()
                systems[name](html, url)
                times[name].append((time.perf_counter() - start) * 1000)
    results = []
    for name in names:
        mean = statistics.fmean(times[name])
        results.append({"system": name, "pages": len(pages), "ms_mean": mean,
                        "ms_median": statistics.median(times[name]), "pages_per_s": 1000 / mean if mean else 0.0})
    return results


def site_file_pages() -> list[tuple[bytes, str]]:
    """Pages that have a site file, with their real URLs: the fixture sites and ../shared/realpages."""
    pages = []
    tuyengiao = json.loads((REPO / "fixtures" / "tuyengiao" / "expected.json").read_text(encoding="utf-8"))
    site_dir = REPO / "newscrawl" / "ops" / "demo" / "tuyengiao" / "site"  # the demo site (package data)
    for article in tuyengiao["articles"]:
        pages.append(((site_dir / (article["path"].lstrip("/") + ".html")).read_bytes(), article["canonical_url"]))
    for expected in sorted((REPO / "fixtures" / "sites").glob("*/expected.json")):
        data = json.loads(expected.read_text(encoding="utf-8"))
        for article in data.get("articles", []):
            if article.get("file") and article.get("url"):
                pages.append(((expected.parent / article["file"]).read_bytes(), article["url"]))
    manifest = REPO.parent / "shared" / "realpages" / "MANIFEST.json"
    if manifest.is_file():
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            if entry["kind"].startswith("article"):
                pages.append((gzip.decompress((manifest.parent / entry["file"]).read_bytes()), entry["url"]))
    return pages


def report(title: str, results: list[dict]) -> None:
    print(title)
    print(f"  {'system':<14}{'ms/page':>10}{'median':>10}{'pages/s':>10}")
    for r in results:
        print(f"  {r['system']:<14}{r['ms_mean']:>10.1f}{r['ms_median']:>10.1f}{r['pages_per_s']:>10.1f}")
    print(f"  median ratio trafilatura/newscrawl: {results[1]['ms_median'] / results[0]['ms_median']:.2f}x")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO.parent / "shared" / "extraction-open"
    parser.add_argument("directory", nargs="?", default=str(default) if default.is_dir() else None,
                        help="pages without a site file (default ../shared/extraction-open)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    import trafilatura

    from newscrawl.extract import extract_article

    def ours(html, url):
        return extract_article(html, url)

    def theirs(html, url):
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)

    groups = [("pages with a site file (fixture sites, ../shared/realpages)", site_file_pages())]
    if args.directory:
        groups.append((f"pages without a site file ({args.directory})", load(Path(args.directory))))
    for title, pages in groups:
        ours(*pages[0])  # warm up imports and caches
        theirs(*pages[0])
        results = run({"newscrawl": ours, "trafilatura": theirs}, pages, args.repeat)
        report(f"{title}: {len(pages)} pages, repeat {args.repeat}", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
