"""The report as text: the fields table, the per-group table, and each page's failures (``-v``)."""
from __future__ import annotations

import json
from typing import Any

from newscrawl.ops.eval.page import extracted_text_with_headings
from newscrawl.ops.eval.scoring import as_list, norm_text

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
    ("body_headings_f1", "body+headings F1"),
    ("body_headings_precision", "body+headings precision"),
    ("body_headings_recall", "body+headings recall"),
    ("captions_f1", "captions F1"),
    ("ms_per_page", "ms / page"),
    ("errors", "errors"),
]

# shown as whole numbers
_COUNTS = {"errors", "published_none_count"}
# the page (or snippet) count of a row is that of another key
_COUNT_OF = {"published_none_count": "published"}


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
    return str(summary.get(_COUNT_OF.get(key, key) + "_n") or 0)


def format_report(report: dict) -> str:
    """The table: one row per field, the number of pages (or snippets) scored, then each system."""
    names = list(report["systems"])
    lines = [f"{report['pages']} pages from {report['directory']}", ""]
    header = f"{'field':<27}{'n':>6}" + "".join(f"{n:>14}" for n in names)
    lines += [header, "-" * len(header)]
    first = report["systems"][names[0]] if names else {}
    for key, label in _LABELS:
        if key not in _COUNTS and all(report["systems"][n].get(key) is None for n in names):
            continue  # a field no page of this folder gives
        cells = []
        for n in names:
            value = report["systems"][n].get(key)
            cell = _fmt(value, key)
            if key == "published" and n == "trafilatura" and value is not None:
                cell += "*"
            cells.append(f"{cell:>14}")
        lines.append(f"{label:<27}{_count(first, key, report['pages']):>6}" + "".join(cells))
    lines.append("")
    if "trafilatura" in names:
        lines.append("* trafilatura gives a date without a time: scored on the day only.")
    lines.append("n: pages that give the field (pooled rows: snippets; no date: out of the pages with a date).")
    if first.get("body_headings_f1") is not None:
        lines.append(f"body+headings: expected sub-headings placed where the page shows them "
                     f"({report.get('headings_appended', 0)} not found on their page, appended).")
    return "\n".join(lines)


# the per-group columns: (score key, header); a group lacking a field shows "-"
_GROUP_COLUMNS = [("body_headings_f1", "body+h F1"), ("body_f1", "body F1"), ("snippets", "snippets"),
                  ("published", "published"), ("title", "title")]
# newscrawl below trafilatura on one of these flags the group
_GROUP_FLAGS = {"body_headings_f1": "body+h", "snippets": "snippets"}


def format_groups(report: dict) -> str:
    """Per group of pages of the same source: newscrawl / trafilatura, groups where newscrawl is below flagged."""
    if "trafilatura" not in report["systems"] or not report.get("groups"):
        return ""
    groups = report["groups"]
    shown = [(key, label) for key, label in _GROUP_COLUMNS
             if any(g["systems"]["newscrawl"].get(key) is not None for g in groups.values())]
    width = max([len("group"), *(len(g) for g in groups)]) + 2
    header = f"{'group':<{width}}{'pages':>6}" + "".join(f"{label:>16}" for _k, label in shown) + "  below"
    lines = ["per group: newscrawl / trafilatura", "", header, "-" * len(header)]
    flagged = 0
    for group, data in groups.items():
        ours, theirs = data["systems"]["newscrawl"], data["systems"]["trafilatura"]
        cells = []
        for key, _label in shown:
            a, b = ours.get(key), theirs.get(key)
            cells.append(f"{'-' if a is None else f'{a:.3f}/{b:.3f}':>16}")
        below = [flag for key, flag in _GROUP_FLAGS.items()
                 if ours.get(key) is not None and theirs.get(key) is not None and ours[key] < theirs[key] - 1e-9]
        flagged += bool(below)
        lines.append(f"{group:<{width}}{data['pages']:>6}" + "".join(cells) + ("  < " + ", ".join(below) if below else ""))
    lines.append("")
    lines.append(f"{flagged} of {len(groups)} groups where newscrawl is below trafilatura "
                 f"({' or '.join(_GROUP_FLAGS.values())}).")
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
        if scores.get("body_headings_f1", 1.0) < 0.9:
            problems.append(f"  body+h    F1 {scores['body_headings_f1']:.3f} (P {scores['body_headings_precision']:.3f}, "
                            f"R {scores['body_headings_recall']:.3f})")
        if scores.get("snippets", 1.0) < 1.0:
            text = norm_text(extracted_text_with_headings(fields))
            missed = [x for x in as_list(expected.get("must_contain")) if norm_text(x) not in text]
            kept = [x for x in as_list(expected.get("must_not_contain")) if norm_text(x) and norm_text(x) in text]
            problems.append(f"  snippets  {scores['snippets']:.2f}  missing {_short(missed)}\n"
                            f"            present {_short(kept)}")
        if scores.get("captions_f1") is not None and scores["captions_f1"] < 0.5:
            problems.append(f"  captions  F1 {scores['captions_f1']:.2f} want {_short(expected.get('captions'))}\n"
                            f"            got  {_short(fields.get('captions'))}")
        if problems:
            lines.append(f"{entry['name']}  {entry['url']}")
            lines.extend(problems)
    return "\n".join(lines) if lines else "no failures"
