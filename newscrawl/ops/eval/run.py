"""Extract every page of a folder with each system, score it, and sum the scores up (overall and per group)."""
from __future__ import annotations

import logging
import os
import time
from typing import Any, Callable

from newscrawl.ops.eval.extractors import default_extractor, trafilatura_extractor
from newscrawl.ops.eval.headings import page_tokens
from newscrawl.ops.eval.loading import group_of, load_pages, read_html
from newscrawl.ops.eval.page import expected_texts, score_page

logger = logging.getLogger(__name__)

# per-page counts summed (pooled) in the summary, not averaged
_POOLED = ("must_contain_hit", "must_contain_n", "must_not_contain_hit", "must_not_contain_n")


def _run(extractor: Callable, html: bytes, url: str) -> tuple[dict, float, str | None]:
    start = time.perf_counter()
    try:
        fields = extractor(html, url) or {}
        error = None
    except Exception as exc:  # a crash on one page is a failure of that page, not of the run
        fields, error = {}, f"{type(exc).__name__}: {exc}"
        logger.warning("eval: the extractor failed on %s: %s", url, error)  # and counted in the report's errors
    return fields, (time.perf_counter() - start) * 1000, error


def summarise(rows: list[dict], ms: list[float], errors: int) -> dict:
    """Each score averaged over the pages that have it (``<key>_n``: how many), snippets pooled too."""
    out: dict[str, Any] = {}
    keys = sorted({k for row in rows for k in row} - set(_POOLED))
    for key in keys:
        values = [float(row[key]) for row in rows if key in row]
        out[key] = sum(values) / len(values) if values else None
        out[key + "_n"] = len(values)
    for kind in ("must_contain", "must_not_contain"):
        total = sum(row.get(kind + "_n", 0) for row in rows)
        out[kind] = sum(row.get(kind + "_hit", 0) for row in rows) / total if total else None
        out[kind + "_n"] = total
    out["published_none_count"] = sum(1 for row in rows if row.get("published_none"))
    out["ms_per_page"] = sum(ms) / len(ms) if ms else None
    out["errors"] = errors
    return out


def evaluate(
    directory: str | os.PathLike,
    extractor: Callable[[bytes, str], dict] | None = None,
    compare_trafilatura: bool = True,
    group_by: str = "auto",
) -> dict:
    """Extract every page of ``directory`` and score it. Returns a report dict:

    ``{"directory", "pages": n, "systems": {"newscrawl": summary, "trafilatura": summary},
    "groups": {group: {"pages": n, "systems": {...}}}, "headings_appended": n,
    "per_page": [{"name", "group", "url", "expected", "expected_texts",
    "newscrawl": {"scores", "fields", "ms", "error"}, "trafilatura": {...}}]}``
    """
    pages = load_pages(directory)
    systems: dict[str, Callable] = {"newscrawl": extractor or default_extractor()}
    if compare_trafilatura:
        systems["trafilatura"] = trafilatura_extractor()
    per_page = []
    for page in pages:
        expected = page["expected"]
        url = expected.get("url") or ""
        html = read_html(page["html_path"])
        toks = None
        if expected.get("subheadings") and expected.get("body_paragraphs"):
            toks = page_tokens(html, expected.get("encoding"))
        texts = expected_texts(expected, toks)
        entry: dict[str, Any] = {"name": page["name"], "group": group_of(page["name"], expected, group_by),
                                 "url": url, "expected": expected, "expected_texts": texts}
        for name, func in systems.items():
            fields, ms, error = _run(func, html, url)
            scores = score_page(expected, fields, day_only=(name == "trafilatura"),
                                with_captions=(name != "trafilatura"), texts=texts)
            entry[name] = {"scores": scores, "fields": fields, "ms": ms, "error": error}
        per_page.append(entry)
    groups: dict[str, list[dict]] = {}
    for entry in per_page:
        groups.setdefault(entry["group"], []).append(entry)
    return {
        "directory": str(directory),
        "pages": len(pages),
        "systems": {name: _summarise_entries(per_page, name) for name in systems},
        "groups": {group: {"pages": len(entries), "systems": {name: _summarise_entries(entries, name)
                                                              for name in systems}}
                   for group, entries in sorted(groups.items())},
        "headings_appended": sum(e["expected_texts"].get("headings_appended", 0) for e in per_page),
        "per_page": per_page,
    }


def _summarise_entries(entries: list[dict], system: str) -> dict:
    results = [entry[system] for entry in entries]
    return summarise([r["scores"] for r in results], [r["ms"] for r in results],
                     sum(1 for r in results if r["error"]))
