"""Extraction speed: newscrawl's fallback layers against trafilatura on the same pages.

    python benchmarks/extraction_speed.py [DIR] [--repeat N] [--full]

DIR holds pages as ``*.html.gz`` / ``*.html`` (default: ../shared/extraction-open,
else the fixture sites). Each page is read into memory first, so only extraction
is timed; the systems run page by page, interleaved, so that load from other
processes weighs on both alike. Reported per system: ms per page (mean and
median) and pages per second.

* ``newscrawl``: ``extract_fallback(Document(html, url))`` - parsing, structured
  data, trafilatura for the body, and the generic rules (``--full`` times
  ``extract_article`` instead, which adds the loaders' cleaning);
* ``trafilatura``: ``bare_extraction(html, url, with_metadata=True)`` - its own
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
sys.path.insert(0, str(REPO))


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO.parent / "shared" / "extraction-open"
    parser.add_argument("directory", nargs="?", default=str(default if default.is_dir() else REPO / "fixtures"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--full", action="store_true", help="time extract_article (all layers + loaders)")
    args = parser.parse_args(argv)

    import trafilatura

    from newscrawl.extract.document import Document
    from newscrawl.extract.fallback import extract_fallback

    pages = load(Path(args.directory))
    if not pages:
        print(f"no pages under {args.directory}", file=sys.stderr)
        return 2

    if args.full:
        from newscrawl.extract import extract_article

        def ours(html, url):
            return extract_article(html, url)
    else:
        def ours(html, url):
            return extract_fallback(Document(html, url))

    def theirs(html, url):
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)

    # warm up imports and caches
    ours(*pages[0])
    theirs(*pages[0])
    results = run({"newscrawl": ours, "trafilatura": theirs}, pages, args.repeat)
    print(f"{len(pages)} pages from {args.directory}, repeat {args.repeat}")
    print(f"{'system':<14}{'ms/page':>10}{'median':>10}{'pages/s':>10}")
    for r in results:
        print(f"{r['system']:<14}{r['ms_mean']:>10.1f}{r['ms_median']:>10.1f}{r['pages_per_s']:>10.1f}")
    print(f"ratio newscrawl/trafilatura: {results[0]['ms_mean'] / results[1]['ms_mean']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
