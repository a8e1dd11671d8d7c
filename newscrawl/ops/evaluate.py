"""Score newscrawl's extraction (and trafilatura's) against pages with expected fields.

``newscrawl eval DIR`` reads the pages listed in ``DIR/index.json`` (or every
``*.html.gz`` / ``*.html`` with a ``.json`` beside it), extracts each one with
newscrawl and with trafilatura, and prints one table with both side by side.

Expected fields (the JSON beside each page): ``url``, ``title``, ``authors``,
``published`` (``YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]``, ISO 8601, or a bare
``YYYY-MM-DD``), ``lead`` (list), ``body_paragraphs`` (list), ``subheadings``
(list), ``captions`` (list), ``must_contain`` / ``must_not_contain`` (lists of
snippets). Two folder formats are read the same way: ../shared/extraction-open
(every field given) and ../shared/extraction-open2 (a field its source does not
give is null).

A field that is null (or absent) in the expected JSON is not scored on that
page: each field is averaged over the pages that give it, and the report shows
that page count beside it.

Scoring:

* title: equal after whitespace collapse and NFC (invisible characters such as
  soft hyphens and zero-width spaces are dropped before comparing, everywhere);
* published: the same instant to the minute; when the expected value has no
  offset, the same wall-clock minute, and when it is midnight without an offset
  (a date with no time), the same day; a bare day (``2019-04-19``) is compared
  by day, the extracted time's calendar day in its own offset (so a local time
  converted to UTC can land on the neighbouring day and fail, as it should);
  ``published_none`` counts the pages with an expected date where the
  extractor gives none;
* authors: the same set, case- and whitespace-insensitive; the outlet's own
  name (the page's publisher / host) is not an author in newscrawl's schema and
  is left out on both sides, and an agency the extractor files under
  ``source`` counts as one of the names (see :func:`authors_match`);
* body: precision / recall / F1 over 4-token shingles of ``\\w+`` tokens,
  lead + body against lead + body, averaged over pages;
* captions: F1 of matched captions, on pages whose expected captions are not null;
* snippets: a ``must_contain`` snippet is satisfied when it occurs in the
  extracted text, a ``must_not_contain`` one when it does not, both sides after
  NFC and whitespace collapse, case kept. The extracted text is lead + body
  *with headings* (the text of the item's ``blocks`` when it has them, else its
  body): the snippets were chosen as "main text", and sub-headings are main
  text (trafilatura's text keeps them too). The title and the captions are not
  part of it. ``snippets`` is the share of a page's snippets satisfied, averaged
  over pages; ``snippets_all`` the share of pages with every snippet satisfied;
  ``must_contain`` / ``must_not_contain`` the pooled shares of each kind.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import logging
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from newscrawl.model.text import INVISIBLE  # soft hyphen, zero-width characters, BOM: part of no word

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_BARE_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

FIELDS = ("title", "published", "authors", "body_f1", "body_precision", "body_recall", "captions_f1")


# --------------------------------------------------------------------------- loading


def load_pages(directory: str | os.PathLike) -> list[dict]:
    """Return ``[{"name", "html_path", "expected"}]`` for the pages of ``directory``."""
    base = Path(directory)
    index = base / "index.json"
    names: list[str] = []
    if index.is_file():
        with open(index, encoding="utf-8") as fh:
            data = json.load(fh)
        names = list(data.get("pages", []) if isinstance(data, dict) else data)
    else:
        for path in sorted(base.rglob("*.json")):
            stem = str(path.relative_to(base))[: -len(".json")]
            if (base / (stem + ".html.gz")).is_file() or (base / (stem + ".html")).is_file():
                names.append(stem)
    pages = []
    for name in names:
        json_path = base / (name + ".json")
        html_path = base / (name + ".html.gz")
        if not html_path.is_file():
            html_path = base / (name + ".html")
        if not (json_path.is_file() and html_path.is_file()):
            continue
        with open(json_path, encoding="utf-8") as fh:
            expected = json.load(fh)
        pages.append({"name": name, "html_path": html_path, "expected": expected})
    return pages


def read_html(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data


# --------------------------------------------------------------------------- normalisation


def norm_text(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFC", _SPACE.sub(" ", INVISIBLE.sub("", str(value))).strip())


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _text_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return "" if value is None else str(value)


def tokens(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", INVISIBLE.sub("", text)))


def shingles(toks: list[str], n: int = 4) -> Counter:
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def prf(expected: str, extracted: str) -> tuple[float, float, float]:
    exp = shingles(tokens(expected))
    got = shingles(tokens(extracted))
    if not exp and not got:
        return 1.0, 1.0, 1.0
    if not exp or not got:
        return 0.0, 0.0, 0.0
    overlap = sum((exp & got).values())
    precision = overlap / sum(got.values())
    recall = overlap / sum(exp.values())
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return precision, recall, f1


def parse_when(value: Any) -> dt.datetime | dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if _BARE_DAY.fullmatch(text):
        # a calendar day alone: compared by day, never read as a midnight in some zone
        return dt.date.fromisoformat(text)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def _minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


def published_match(expected: Any, got: Any, day_only: bool = False) -> bool:
    """True when ``got`` is the expected publish time (see the module docstring).

    ``day_only`` scores a tool that only gives a date (trafilatura): the same
    calendar day as the expected value in its own offset.
    """
    exp = parse_when(expected)
    if exp is None:
        return parse_when(got) is None
    res = parse_when(got)
    if res is None:
        return False
    if not isinstance(exp, dt.datetime):
        # a bare expected day: the extracted day, in the extracted value's own offset
        return (res.date() if isinstance(res, dt.datetime) else res) == exp
    if day_only or not isinstance(res, dt.datetime):
        res_day = res.date() if isinstance(res, dt.datetime) else res
        return res_day == exp.date()
    if exp.tzinfo is None:
        if exp.time() == dt.time(0, 0):
            # A date without a time: the same day, wherever the extractor put it.
            return res.date() == exp.date()
        return _minute(res.replace(tzinfo=None)) == _minute(exp)
    if res.tzinfo is None:
        return False
    return _minute(res.astimezone(dt.timezone.utc)) == _minute(exp.astimezone(dt.timezone.utc))


def offset_match(expected: Any, got: Any) -> bool:
    """Stricter than :func:`published_match`: also the same UTC offset (when expected has one)."""
    if not published_match(expected, got):
        return False
    exp, res = parse_when(expected), parse_when(got)
    if not isinstance(exp, dt.datetime) or exp.tzinfo is None or not isinstance(res, dt.datetime):
        return True
    return exp.utcoffset() == res.utcoffset()


def author_key(name: str) -> str:
    return norm_text(name).casefold()


def _squash(text: str) -> str:
    """Letters and digits only, casefolded, without diacritics ("Habertürk" -> "haberturk")."""
    folded = unicodedata.normalize("NFKD", norm_text(text).casefold())
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def outlet_keys(expected: dict) -> set[str]:
    """Squashed names of the outlet a page belongs to: its publisher and its host's labels."""
    keys = set()
    publisher = expected.get("publisher")
    if isinstance(publisher, str):
        keys.add(_squash(publisher))
    host = (urlsplit(expected.get("url") or "").hostname or "").lower()
    labels = [label for label in host.split(".") if label not in ("www", "com", "co", "net", "org")]
    keys.update(_squash(label) for label in labels[:-1] or labels)
    if host:
        keys.add(_squash(host[4:] if host.startswith("www.") else host))
    return {k for k in keys if len(k) >= 3}


def is_outlet(name: str, outlets: set[str]) -> bool:
    key = _squash(name)
    if not key:
        return False
    return any(key == o or ((o in key or key in o) and len(key) <= len(o) + 10) for o in outlets)


def authors_match(expected: Any, got: Any, source: Any = None, outlets: set[str] = frozenset()) -> bool:
    """Same set of names, case- and whitespace-insensitive, with two schema rules:

    * newscrawl's authors are people: the outlet's own name ("Der Spiegel" on
      spiegel.de), which the expected lists sometimes give as author, is left
      out on both sides;
    * an agency is filed under ``source``, never as an author, while the
      expected lists sometimes name it as author: the agency then counts as
      one of the names.
    """
    exp = {author_key(a) for a in _as_list(expected) if norm_text(a) and not is_outlet(a, outlets)}
    res = {author_key(a) for a in _as_list(got) if norm_text(a) and not is_outlet(a, outlets)}
    if exp == res:
        return True
    src = norm_text(source) if isinstance(source, str) else ""
    return bool(src) and not is_outlet(src, outlets) and exp == res | {author_key(src)}


def _caption_same(a: str, b: str) -> bool:
    na, nb = norm_text(a).casefold(), norm_text(b).casefold()
    if not na or not nb:
        return False
    if na == nb or na in nb or nb in na:
        return True
    ta, tb = set(tokens(na)), set(tokens(nb))
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta | tb) >= 0.6


def captions_f1(expected: list, got: list) -> float:
    exp = [norm_text(_text_of(c)) for c in expected if norm_text(_text_of(c))]
    res = [norm_text(_text_of(c)) for c in got if norm_text(_text_of(c))]
    if not exp and not res:
        return 1.0
    if not exp or not res:
        return 0.0
    used: set[int] = set()
    hits = 0
    for e in exp:
        for i, r in enumerate(res):
            if i not in used and _caption_same(e, r):
                used.add(i)
                hits += 1
                break
    if not hits:
        return 0.0
    precision, recall = hits / len(res), hits / len(exp)
    return 2 * precision * recall / (precision + recall)


# --------------------------------------------------------------------------- extractors


def fallback_extractor() -> Callable[[bytes, str], dict]:
    """The structured + generic layers alone (``extract_fallback``), as an extractor."""
    from newscrawl.extract.document import Document
    from newscrawl.extract.fallback import extract_fallback

    def run(html: bytes, url: str) -> dict:
        fields, _sources = extract_fallback(Document(html, url))
        return fields

    return run


def default_extractor() -> Callable[[bytes, str], dict]:
    """newscrawl's full extraction when available, else the fallback layers."""
    try:
        from newscrawl.extract import extract_article  # type: ignore
    except ImportError:
        return fallback_extractor()

    def run(html: bytes, url: str) -> dict:
        return dict(extract_article(html, url))

    return run


def trafilatura_extractor() -> Callable[[bytes, str], dict]:
    import trafilatura

    def run(html: bytes, url: str) -> dict:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
        if doc is None:
            return {}
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
        return {
            "title": data.get("title"),
            "published": data.get("date"),
            "authors": authors,
            "body": [data.get("text") or ""],
            "text_with_headings": data.get("text") or "",  # trafilatura's text keeps the headings
            "lead": None,
            "captions": None,
        }

    return run


# --------------------------------------------------------------------------- scoring


def _extracted_text(fields: dict) -> str:
    """Lead + body, paragraphs only (the corpora's ``body`` convention)."""
    parts = []
    for key in ("lead", "body"):
        for item in _as_list(fields.get(key)):
            if item:
                parts.append(str(item))
    return "\n".join(parts)


def extracted_text_with_headings(fields: dict) -> str:
    """Lead + the text of every block in order (headings, list items, table rows...).

    Falls back to :func:`_extracted_text` for an extraction without ``blocks``
    (an item of schema 1.1, or trafilatura, whose ``text_with_headings`` is given
    directly).
    """
    if fields.get("text_with_headings") is not None:
        return str(fields["text_with_headings"])
    blocks = fields.get("blocks")
    if not blocks:
        return _extracted_text(fields)
    parts = [str(item) for item in _as_list(fields.get("lead")) if item]
    parts += [_text_of(block) for block in blocks if _text_of(block)]
    return "\n".join(parts)


def snippet_scores(must_contain: Any, must_not_contain: Any, text: str) -> dict | None:
    """Scores of one page's snippets against ``text`` (see the module docstring), or None without snippets."""
    must = [norm_text(x) for x in _as_list(must_contain) if norm_text(x)]
    must_not = [norm_text(x) for x in _as_list(must_not_contain) if norm_text(x)]
    if not must and not must_not:
        return None
    haystack = norm_text(text)
    found = sum(1 for x in must if x in haystack)
    avoided = sum(1 for x in must_not if x not in haystack)
    total = len(must) + len(must_not)
    return {
        "snippets": (found + avoided) / total,
        "snippets_all": found + avoided == total,
        "must_contain_hit": found, "must_contain_n": len(must),
        "must_not_contain_hit": avoided, "must_not_contain_n": len(must_not),
    }


def _given(expected: dict, key: str) -> bool:
    """A field is scored only on pages whose expected JSON gives it (not null, not absent)."""
    return expected.get(key) is not None


def score_page(expected: dict, fields: dict, day_only: bool = False, with_captions: bool = True) -> dict:
    """The page's scores, one key per field the expected JSON gives (the others are not scored)."""
    scores: dict[str, Any] = {}
    if _given(expected, "title"):
        scores["title"] = norm_text(expected.get("title")) == norm_text(fields.get("title"))
    if _given(expected, "published"):
        scores["published"] = published_match(expected.get("published"), fields.get("published"), day_only=day_only)
        scores["published_none"] = parse_when(fields.get("published")) is None
        if not day_only:
            scores["published_offset"] = offset_match(expected.get("published"), fields.get("published"))
    if _given(expected, "authors"):
        scores["authors"] = authors_match(expected.get("authors"), fields.get("authors"), fields.get("source"),
                                          outlet_keys(expected))
    if _given(expected, "body_paragraphs") or _given(expected, "lead"):
        exp_text = "\n".join([*map(str, _as_list(expected.get("lead"))),
                              *map(str, _as_list(expected.get("body_paragraphs")))])
        precision, recall, f1 = prf(exp_text, _extracted_text(fields))
        scores.update(body_precision=precision, body_recall=recall, body_f1=f1)
    snippets = snippet_scores(expected.get("must_contain"), expected.get("must_not_contain"),
                              extracted_text_with_headings(fields))
    if snippets is not None:
        scores.update(snippets)
    if with_captions and _given(expected, "captions"):
        scores["captions_f1"] = captions_f1(expected["captions"], _as_list(fields.get("captions")))
    return scores


def _run(extractor: Callable, html: bytes, url: str) -> tuple[dict, float, str | None]:
    start = time.perf_counter()
    try:
        fields = extractor(html, url) or {}
        error = None
    except Exception as exc:  # a crash on one page is a failure of that page, not of the run
        fields, error = {}, f"{type(exc).__name__}: {exc}"
        logger.warning("eval: the extractor failed on %s: %s", url, error)  # and counted in the report's errors
    return fields, (time.perf_counter() - start) * 1000, error


# per-page counts summed (pooled) in the summary, not averaged
_SNIPPET_COUNTS = ("must_contain_hit", "must_contain_n", "must_not_contain_hit", "must_not_contain_n")


def _summary(rows: list[dict], ms: list[float], errors: int) -> dict:
    out: dict[str, Any] = {}
    keys = sorted({k for row in rows for k in row} - set(_SNIPPET_COUNTS))
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
) -> dict:
    """Extract every page of ``directory`` and score it. Returns a report dict:

    ``{"pages": n, "systems": {"newscrawl": summary, "trafilatura": summary},
    "per_page": [{"name", "url", "newscrawl": {scores, fields}, "trafilatura": {...}}]}``
    """
    pages = load_pages(directory)
    systems: dict[str, Callable] = {"newscrawl": extractor or default_extractor()}
    if compare_trafilatura:
        systems["trafilatura"] = trafilatura_extractor()
    rows: dict[str, list[dict]] = {name: [] for name in systems}
    times: dict[str, list[float]] = {name: [] for name in systems}
    errors: dict[str, int] = {name: 0 for name in systems}
    per_page = []
    for page in pages:
        expected = page["expected"]
        url = expected.get("url") or ""
        html = read_html(page["html_path"])
        entry: dict[str, Any] = {"name": page["name"], "url": url, "expected": expected}
        for name, func in systems.items():
            fields, ms, error = _run(func, html, url)
            scores = score_page(expected, fields, day_only=(name == "trafilatura"), with_captions=(name != "trafilatura"))
            rows[name].append(scores)
            times[name].append(ms)
            if error:
                errors[name] += 1
            entry[name] = {"scores": scores, "fields": fields, "ms": ms, "error": error}
        per_page.append(entry)
    return {
        "directory": str(directory),
        "pages": len(pages),
        "systems": {name: _summary(rows[name], times[name], errors[name]) for name in systems},
        "per_page": per_page,
    }


# --------------------------------------------------------------------------- output

_LABELS = [
    ("title", "title exact"),
    ("published", "published (minute/day)"),
    ("published_offset", "published + same offset"),
    ("published_none_count", "pages with no date"),
    ("authors", "authors set"),
    ("snippets", "snippets satisfied"),
    ("snippets_all", "pages all snippets"),
    ("must_contain", "must_contain (pooled)"),
    ("must_not_contain", "must_not_contain (pooled)"),
    ("body_f1", "body F1"),
    ("body_precision", "body precision"),
    ("body_recall", "body recall"),
    ("captions_f1", "captions F1"),
    ("ms_per_page", "ms / page"),
    ("errors", "errors"),
]

# shown as whole numbers; the page-count column gives, for these, what they count out of
_COUNTS = {"errors", "published_none_count"}
_COUNT_OF = {"published_none_count": "published", "must_contain": "must_contain", "must_not_contain": "must_not_contain"}


def _fmt(value: Any, key: str) -> str:
    if value is None:
        return "n/a"
    if key == "ms_per_page":
        return f"{value:.1f}"
    if key in _COUNTS:
        return str(value)
    return f"{value:.3f}"


def _count(summary: dict, key: str, pages: int) -> str:
    if key in ("ms_per_page", "errors"):
        return str(pages)
    n = summary.get(_COUNT_OF.get(key, key) + "_n")
    return str(n) if n else "0"


def format_report(report: dict) -> str:
    """The table: one row per field, the number of pages (or snippets) scored, then each system."""
    names = list(report["systems"])
    lines = [f"{report['pages']} pages from {report['directory']}", ""]
    header = f"{'field':<27}{'n':>6}" + "".join(f"{n:>14}" for n in names)
    lines += [header, "-" * len(header)]
    first = report["systems"][names[0]] if names else {}
    for key, label in _LABELS:
        if all(report["systems"][n].get(key) is None for n in names) and key not in _COUNTS:
            continue  # a field no page of this folder gives
        cells = []
        for n in names:
            summary = report["systems"][n]
            value = summary.get(key)
            cell = _fmt(value, key)
            if key == "published" and n == "trafilatura" and value is not None:
                cell += "*"
            cells.append(f"{cell:>14}")
        lines.append(f"{label:<27}{_count(first, key, report['pages']):>6}" + "".join(cells))
    if "trafilatura" in names:
        lines.append("")
        lines.append("* trafilatura gives a date without a time: scored on the day only.")
    lines.append("n: pages that give the field (snippets: pooled snippets; no date: out of the pages with a date).")
    return "\n".join(lines)


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_failures(report: dict, system: str = "newscrawl") -> str:
    lines = []
    for entry in report["per_page"]:
        result = entry.get(system)
        if not result:
            continue
        scores, fields, expected = result["scores"], result["fields"], entry["expected"]
        problems = []
        if result.get("error"):
            problems.append(f"  error: {result['error']}")
        if not scores.get("title", True):
            problems.append(f"  title     want {_short(expected.get('title'))}\n            got  {_short(fields.get('title'))}")
        if not scores.get("published", True):
            problems.append(f"  published want {_short(expected.get('published'))} got {_short(fields.get('published'))}")
        if not scores.get("authors", True):
            problems.append(f"  authors   want {_short(expected.get('authors'))} got {_short(fields.get('authors'))}")
        if scores.get("body_f1", 1.0) < 0.9:
            problems.append(
                f"  body      F1 {scores['body_f1']:.3f} (P {scores['body_precision']:.3f}, R {scores['body_recall']:.3f})"
            )
        if scores.get("snippets", 1.0) < 1.0:
            text = norm_text(extracted_text_with_headings(fields))
            missed = [x for x in _as_list(expected.get("must_contain")) if norm_text(x) not in text]
            kept = [x for x in _as_list(expected.get("must_not_contain")) if norm_text(x) and norm_text(x) in text]
            problems.append(f"  snippets  {scores['snippets']:.2f}  missing {_short(missed)}\n            present {_short(kept)}")
        if scores.get("captions_f1") is not None and scores["captions_f1"] < 0.5:
            problems.append(f"  captions  F1 {scores['captions_f1']:.2f} want {_short(expected.get('captions'))}\n            got  {_short(fields.get('captions'))}")
        if problems:
            lines.append(f"{entry['name']}  {entry['url']}")
            lines.extend(problems)
    return "\n".join(lines) if lines else "no failures"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newscrawl eval", description="Score extraction against pages with expected fields.")
    parser.add_argument("directory", help="folder with index.json (or *.html.gz + *.json pairs)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list each page's failures")
    parser.add_argument("--no-trafilatura", action="store_true", help="do not run trafilatura for comparison")
    parser.add_argument("--fallback-only", action="store_true", help="score the structured + generic layers alone (no site files)")
    parser.add_argument("--json", metavar="FILE", help="also write the full report as JSON")
    args = parser.parse_args(argv)
    if not Path(args.directory).is_dir():
        print(f"not a directory: {args.directory}", file=sys.stderr)
        return 2
    extractor = fallback_extractor() if args.fallback_only else None
    report = evaluate(args.directory, extractor=extractor, compare_trafilatura=not args.no_trafilatura)
    print(format_report(report))
    if args.verbose:
        print()
        print(format_failures(report))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=1, default=str)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
