"""`newscrawl report`: one self-contained HTML page about the crawls, for people who would rather look.

Charts are inline SVG drawn here (no script, no network needed to view the
page): articles per site per day on a calendar axis (every day of a window
ending today, zero days included), each site's field fill rates over its recent
runs, failed URLs per run, the failed runs with their reasons, and the URL state
(pending, failed, given up per site). The data comes from the database's
articles, runs and url_state tables.

Layout is computed here, not left to the browser: text widths are estimated on
the generous side (:func:`_text_width`), so tick labels are thinned until they
cannot touch, labels near an edge are pulled inside the SVG, and legends wrap
onto as many rows as they need.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import inspect, select

from newscrawl.storage import urlstate
from newscrawl.storage.schema import articles, runs
from newscrawl.storage.store import create_db_engine, safe_url

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]
FIELDS = ("title", "published", "authors", "captions", "body", "lead")
DEFAULT_DAYS = 30
DASHES = ("", "6 3", "2 2", "8 2 2 2")  # once the palette's colours repeat, the line pattern tells series apart
LEGEND_NAME_MAX = 48  # characters of a legend entry; the full name is in its tooltip


def load_report_data(db_url: str, days: int = DEFAULT_DAYS, last_runs: int = 20, today: date | None = None) -> dict:
    today = today or datetime.now(timezone.utc).date()
    start = today - timedelta(days=days - 1)
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            outside = Counter()  # articles the window does not show: said on the page, not silently dropped
            for site, published, first_seen in conn.execute(
                select(articles.c.site, articles.c.published, articles.c.first_seen)
            ):
                when = published or first_seen
                if when is None:
                    continue
                day = when.date()
                if day < start:
                    outside["before"] += 1
                elif day > today:
                    outside["after"] += 1
                else:
                    per_day[site][day.isoformat()] += 1
            url_counts = urlstate.counts(conn) if inspect(conn).has_table("url_state") else {}
            run_rows = conn.execute(
                select(runs.c.run_id, runs.c.started_at, runs.c.status, runs.c.stats)
                .order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(last_runs * 10)
            ).all()
    finally:
        engine.dispose()
    run_list = []
    for run_id, started, status, stats in reversed(run_rows):
        if isinstance(stats, str):
            stats = json.loads(stats)
        stats = stats or {}
        urls = stats.get("urls") or {}
        failures = {k: int(v) for k, v in (stats.get("failures") or {}).items()}
        run_list.append({
            "run_id": run_id, "started_at": started, "status": status, "site": stats.get("site", "?"),
            "fill_rate": stats.get("fill_rate") or {},
            # URLs, not attempts: `failures` counts each URL once, after its retries (http_errors counts
            # every attempt, so 2 URLs retried 3 times read as 8). Older summaries without `failures`
            # fall back to the `urls` block.
            "failed_urls": sum(failures.values()) if "failures" in stats
            else int(urls.get("failed", 0)) + int(urls.get("given_up", 0)),
            "failures": failures,
            "given_up": int(urls.get("given_up", 0)),
            "attempts_failed": sum((stats.get("http_errors") or {}).values())
            + sum((stats.get("download_exceptions") or {}).values()),
            "problems": [str(p) for p in stats.get("problems") or []],
            "rejected": (stats.get("articles") or {}).get("rejected", 0),
            "new": (stats.get("articles") or {}).get("new", 0),
            "pending": urls.get("pending", 0),
            "retried": urls.get("retried", 0),
        })
    run_list = run_list[-last_runs * 5:]
    _label_runs(run_list)
    window = [(start + timedelta(days=i)).isoformat() for i in range(days)]
    return {"per_day": {s: dict(c) for s, c in per_day.items()}, "days": window, "runs": run_list,
            "url_state": url_counts, "outside_window": dict(outside)}


def _label_runs(run_list: list[dict]) -> None:
    """Give each run a label no other run has: its start to the second, and its run id's random
    suffix when two runs of the same site started in the same second."""
    for r in run_list:
        r["label"] = f"{r['started_at']:%Y-%m-%d %H:%M:%S}" if r["started_at"] else r["run_id"]
    seen = Counter((r["site"], r["label"]) for r in run_list)
    for r in run_list:
        if seen[(r["site"], r["label"])] > 1:
            # Run ids end in 16 random bits (newscrawl.crawl.runs): enough to tell apart runs of one second.
            match = re.search(r"Z-([0-9a-f]{4})", r["run_id"])
            r["label"] += f" #{match.group(1)}" if match else f" ({r['run_id']})"
    taken = Counter()
    for r in run_list:  # the random bits equal too (1 in 65536): number them
        taken[(r["site"], r["label"])] += 1
        if taken[(r["site"], r["label"])] > 1:
            r["label"] += f" ({taken[(r['site'], r['label'])]})"


def _text_width(text: str, font_size: float) -> float:
    """An upper estimate of ``text``'s rendered width in a sans-serif font (wide letters count more)."""
    wide = sum(1 for c in text if c.isupper() or c in "mwMW@%#■")
    return (0.62 * (len(text) - wide) + 0.95 * wide) * font_size + 2


def _dash(idx: int, legend: bool = False) -> str:
    dash = DASHES[(idx // len(PALETTE)) % len(DASHES)]
    if legend and dash:  # a 10 px swatch shows a pattern only at a smaller scale
        dash = " ".join(str(max(1, int(v) // 2)) for v in dash.split())
    return f' stroke-dasharray="{dash}"' if dash else ""


def _short(name: str, limit: int = LEGEND_NAME_MAX) -> str:
    """``name`` cut in the middle: long site names often differ only at their end."""
    if len(name) <= limit:
        return name
    head = (limit - 1) // 2
    return name[:head] + "…" + name[len(name) - (limit - 1 - head):]


def calendar_labels(days: list[str]) -> list[str]:
    """Tick texts for ISO days: month-day, with the year on the first day and wherever the year changes."""
    out, year = [], None
    for d in days:
        out.append(d if d[:4] != year else d[5:])
        year = d[:4]
    return out


def _svg_lines(series: dict[str, list[float | None]], labels: list[str], y_max: float, title: str,
               y_fmt=lambda v: f"{v:g}", keys: list[str] | None = None, tick_text=None,
               point_title=None) -> str:
    """A line chart. ``keys`` names each x position (a day, a run label: the data-x of its points);
    ``tick_text(indices)`` gives the texts of the ticks drawn at those positions (default: the labels)."""
    width, left, right, top, plot_h = 760, 56, 16, 28, 180
    font, legend_font = 10, 11
    plot_w = width - left - right
    n = max(len(labels), 1)
    x = lambda i: left + (plot_w * (i / (n - 1) if n > 1 else 0.5))
    y = lambda v: top + plot_h - plot_h * (v / y_max if y_max else 0)
    keys = keys or labels
    # Ticks: thin to every step-th position, the step the smallest at which the widest label
    # plus a gap fits between two ticks; the last position (today, the newest run) is always one.
    widest = max((_text_width(t, font) for t in labels), default=0)
    step = 1
    while n > 1 and step < n and (plot_w / (n - 1)) * step < widest + 8:
        step += 1
    ticks = [i for i in range(n) if (n - 1 - i) % step == 0]
    texts = tick_text(ticks) if tick_text else [labels[i] for i in ticks]
    tick_y = top + plot_h + 16
    # Legend: entries laid out left to right, wrapping onto a new row before they would leave the SVG.
    legend, lx, row = [], left, 0
    for idx, name in enumerate(series):
        shown = _short(name)
        w = 14 + _text_width(shown, legend_font)
        if lx + w > width - right and lx > left:
            lx, row = left, row + 1
        legend.append((idx, name, shown, lx, row))
        lx += w + 14
    legend_top = tick_y + 14
    height = legend_top + 16 * (row + 1) + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<text class="title" x="{left}" y="18" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for k in range(5):
        v = y_max * k / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                     f'<text class="tick-y" x="{left - 6}" y="{y(v) + 4:.1f}" font-size="{font}" '
                     f'text-anchor="end">{html.escape(y_fmt(v))}</text>')
    for i, text in zip(ticks, texts):
        half = _text_width(text, font) / 2
        tx = min(max(x(i), half + 2), width - half - 2)  # pulled inside at both ends, never clipped
        parts.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="#999"/>'
                     f'<text class="tick-x" x="{tx:.1f}" y="{tick_y}" font-size="{font}" '
                     f'text-anchor="middle">{html.escape(text)}</text>')
    dots = n <= 62  # beyond two months a dot per position is a smear; the line carries the data
    for idx, (name, values) in enumerate(series.items()):
        color = PALETTE[idx % len(PALETTE)]
        points = [(i, x(i), y(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{_dash(idx)} points="'
                         + " ".join(f"{px:.1f},{py:.1f}" for _, px, py, _ in points) + '"/>')
        for i, px, py, v in points:
            tip = point_title(name, i, v) if point_title else f"{name}, {keys[i]}: {y_fmt(v)}"
            parts.append(f'<circle class="point" data-series="{html.escape(name)}" data-x="{html.escape(keys[i])}" '
                         f'data-value="{v:g}" cx="{px:.1f}" cy="{py:.1f}" r="{3 if dots else 0}" fill="{color}">'
                         f'<title>{html.escape(tip)}</title></circle>')
    for idx, name, shown, lx, row in legend:
        color = PALETTE[idx % len(PALETTE)]
        ly = legend_top + 16 * row
        parts.append(f'<g class="legend-item"><title>{html.escape(name)}</title>'
                     f'<line x1="{lx:.1f}" x2="{lx + 10:.1f}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" '
                     f'stroke-width="4"{_dash(idx, legend=True)}/>'
                     f'<text x="{lx + 14:.1f}" y="{ly}" font-size="{legend_font}">{html.escape(shown)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _run_ticks(site_runs: list[dict]):
    """Tick texts for runs: the start without the year, with it on the first tick and where it changes."""
    def texts(indices):
        out, year = [], None
        for i in indices:
            label = site_runs[i]["label"]
            out.append(label if label[:4] != year or not label[:4].isdigit() else label[5:])
            year = label[:4]
        return out
    return texts


def render_report(data: dict, db_label: str) -> str:
    sections = []
    days = data["days"]
    outside = data.get("outside_window") or {}
    window_note = (f"<p class='window'>{len(days)} days, {days[0]} to {days[-1]} (UTC, today last); "
                   "a day without articles is drawn at zero." if days else "<p class='window'>")
    if outside.get("before"):
        window_note += f" {outside['before']} articles published before {days[0]} are not drawn (<code>--days</code> widens the window)."
    if outside.get("after"):
        window_note += f" {outside['after']} articles dated after today are not drawn."
    if data["per_day"] or outside:
        series = {site: [float(counts.get(d, 0)) for d in days] for site, counts in sorted(data["per_day"].items())}
        if not series:
            series = {"(no articles in the window)": [0.0] * len(days)}
        top = max((max(v) for v in series.values()), default=1) or 1
        sections.append(_svg_lines(series, calendar_labels(days), top, "Articles per site per day", keys=days,
                                   tick_text=lambda idx: calendar_labels([days[i] for i in idx])))
        sections.append(window_note + "</p>")
    else:
        sections.append("<p>No articles stored yet.</p>")
    by_site = defaultdict(list)
    for run in data["runs"]:
        by_site[run["site"]].append(run)
    for site, site_runs in sorted(by_site.items()):
        labels = [r["label"] for r in site_runs]
        series = {f: [r["fill_rate"].get(f) for r in site_runs] for f in FIELDS}
        sections.append(_svg_lines(series, labels, 1.0, f"Field fill rate, {_short(site)}, last {len(site_runs)} runs",
                                   y_fmt=lambda v: f"{v:.0%}", tick_text=_run_ticks(site_runs)))
    runs_ = data["runs"]
    if runs_:
        labels = [f"{r['site']} {r['label']}" for r in runs_]
        errors = {"URLs failed after retries": [float(r["failed_urls"]) for r in runs_],
                  "of them given up for good": [float(r["given_up"]) for r in runs_],
                  "rejected items": [float(r["rejected"]) for r in runs_]}
        top = max(max(v) for v in errors.values()) or 1

        def tip(name, i, v):
            r = runs_[i]
            why = "; ".join(f"{k}: {n}" for k, n in sorted(r["failures"].items()))
            return f"{r['site']} {r['label']} ({r['status']}): {name} {v:g}" + (f" ({why})" if why else "")
        sections.append(_svg_lines(errors, [r["label"] for r in runs_], top, "Errors per run", keys=labels,
                                   tick_text=_run_ticks(runs_), point_title=tip))
        failed = [r for r in runs_ if r["status"] == "failed"]
        if failed:
            items = "".join(
                f"<li><b>{html.escape(r['site'])} {html.escape(r['label'])}</b> <code>{html.escape(r['run_id'])}</code>"
                "<ul>" + ("".join(f"<li>{html.escape(p)}</li>" for p in r["problems"]) or "<li>(no reason recorded)</li>")
                + "</ul></li>"
                for r in reversed(failed[-20:]))
            sections.append(f"<h2>Failed runs</h2><ul class='failed-runs'>{items}</ul>")

        def reasons(r):
            return "<br>".join(f"{html.escape(k)}: {n}" for k, n in sorted(r["failures"].items()))
        rows = "".join(
            f"<tr><td>{html.escape(r['label'])}</td><td>{html.escape(r['site'])}</td>"
            f"<td class='{html.escape(r['status'] or '')}'>{html.escape(r['status'] or '')}</td>"
            f"<td>{r['new']}</td><td>{r['rejected']}</td><td>{r['failed_urls']}</td><td>{reasons(r)}</td>"
            f"<td>{r['given_up']}</td><td>{r['attempts_failed']}</td><td>{r['retried']}</td><td>{r['pending']}</td>"
            f"<td class='problems'>{'<br>'.join(html.escape(p) for p in r['problems'])}</td></tr>"
            for r in reversed(runs_[-30:])
        )
        sections.append("<h2>Recent runs</h2><table class='runs'><tr><th>run</th><th>site</th><th>status</th><th>new</th>"
                        "<th>rejected</th><th>failed URLs</th><th>why</th><th>given up</th><th>failed attempts</th>"
                        f"<th>retried URLs</th><th>left pending</th><th>problems</th></tr>{rows}</table>")
    if data.get("url_state"):
        sites = sorted({site for site, _, _ in data["url_state"]})
        states = ("discovered", "failed", "given_up", "stored", "duplicate", "rejected")
        rows = "".join(
            f"<tr><td>{html.escape(site)}</td>"
            + "".join(f"<td>{data['url_state'].get((site, 'article', st), 0)}</td>" for st in states)
            + f"<td>{sum(n for (s2, k, st), n in data['url_state'].items() if s2 == site and k == 'listing' and st != 'done')}</td></tr>"
            for site in sites
        )
        sections.append("<h2>URL state (articles)</h2><table><tr><th>site</th><th>pending</th><th>failed, to retry</th>"
                        "<th>given up</th><th>stored</th><th>duplicate</th><th>rejected</th>"
                        f"<th>listing pages pending</th></tr>{rows}</table>")
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>newscrawl report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #222; }}
svg {{ display: block; margin: 18px 0 4px; border: 1px solid #eee; background: #fff; font-family: sans-serif; }}
table {{ border-collapse: collapse; font-size: 13px; }} td, th {{ border: 1px solid #ddd; padding: 3px 8px; vertical-align: top; }}
.failed {{ color: #b00; font-weight: bold; }} .degraded {{ color: #c60; font-weight: bold; }} .ok {{ color: #080; }}
.window {{ font-size: 12px; color: #555; margin: 0 0 12px; }} .failed-runs {{ font-size: 13px; }}
</style></head>
<body><h1>newscrawl report</h1><p>Database: {html.escape(db_label)} · generated {generated}</p>
{''.join(sections)}
</body></html>
"""


def write_report(db_url: str, out: str, days: int = DEFAULT_DAYS) -> str:
    from pathlib import Path

    from newscrawl.crawl.atomic import write_text_atomic

    page = render_report(load_report_data(db_url, days=days), safe_url(db_url))
    write_text_atomic(Path(out), page)
    return out
