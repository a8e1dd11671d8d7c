"""`newscrawl report`: one self-contained HTML page about the crawls, for people who would rather look.

Charts are inline SVG drawn here (no script, no network needed to view the
page): articles per site per day, each site's field fill rates over its recent
runs, errors per run, and the URL state (pending, failed, given up per site). The data comes
from the database's articles, runs and url_state tables.
"""
from __future__ import annotations

import html
import json
from collections import defaultdict
from datetime import datetime, timezone

from sqlalchemy import inspect, select

from newscrawl.storage import urlstate
from newscrawl.storage.schema import articles, runs
from newscrawl.storage.store import create_db_engine, safe_url

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]
FIELDS = ("title", "published", "authors", "captions", "body", "lead")


def load_report_data(db_url: str, days: int = 30, last_runs: int = 20) -> dict:
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for site, published, first_seen in conn.execute(
                select(articles.c.site, articles.c.published, articles.c.first_seen)
            ):
                when = published or first_seen
                if when is not None:
                    per_day[site][when.date().isoformat()] += 1
            url_counts = urlstate.counts(conn) if inspect(conn).has_table("url_state") else {}
            run_rows = conn.execute(
                select(runs.c.run_id, runs.c.started_at, runs.c.status, runs.c.stats)
                .order_by(runs.c.started_at.desc()).limit(last_runs * 10)
            ).all()
    finally:
        engine.dispose()
    run_list = []
    for run_id, started, status, stats in reversed(run_rows):
        if isinstance(stats, str):
            stats = json.loads(stats)
        stats = stats or {}
        run_list.append({
            "run_id": run_id, "started_at": started, "status": status, "site": stats.get("site", "?"),
            "fill_rate": stats.get("fill_rate") or {},
            "errors": sum((stats.get("http_errors") or {}).values()) + sum((stats.get("download_exceptions") or {}).values()),
            "rejected": (stats.get("articles") or {}).get("rejected", 0),
            "new": (stats.get("articles") or {}).get("new", 0),
            "pending": (stats.get("urls") or {}).get("pending", 0),
            "retried": (stats.get("urls") or {}).get("retried", 0),
        })
    all_days = sorted({d for counts in per_day.values() for d in counts})[-days:]
    return {"per_day": {s: dict(c) for s, c in per_day.items()}, "days": all_days, "runs": run_list[-last_runs * 5:],
            "url_state": url_counts}


def _svg_lines(series: dict[str, list[float | None]], labels: list[str], y_max: float, title: str,
               y_fmt=lambda v: f"{v:g}") -> str:
    width, height, left, bottom, top = 760, 260, 48, 40, 28
    plot_w, plot_h = width - left - 16, height - bottom - top
    n = max(len(labels), 1)
    x = lambda i: left + (plot_w * (i / (n - 1) if n > 1 else 0.5))
    y = lambda v: top + plot_h - plot_h * (v / y_max if y_max else 0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="{left}" y="18" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for k in range(5):
        v = y_max * k / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end">{html.escape(y_fmt(v))}</text>')
    step = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="10" text-anchor="middle">{html.escape(label)}</text>')
    for idx, (name, values) in enumerate(series.items()):
        color = PALETTE[idx % len(PALETTE)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="'
                         + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>')
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>')
        parts.append(f'<text x="{left + 8 + 110 * idx}" y="{height - 6}" font-size="11" fill="{color}">■ {html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_report(data: dict, db_label: str) -> str:
    sections = []
    days = data["days"]
    if days:
        series = {site: [float(counts.get(d, 0)) for d in days] for site, counts in sorted(data["per_day"].items())}
        top = max((max(v) for v in series.values()), default=1) or 1
        sections.append(_svg_lines(series, [d[5:] for d in days], top, "Articles per site per day"))
    else:
        sections.append("<p>No articles stored yet.</p>")
    by_site = defaultdict(list)
    for run in data["runs"]:
        by_site[run["site"]].append(run)
    for site, site_runs in sorted(by_site.items()):
        labels = [r["started_at"].strftime("%m-%d %H:%M") if r["started_at"] else r["run_id"] for r in site_runs]
        series = {f: [r["fill_rate"].get(f) for r in site_runs] for f in FIELDS}
        sections.append(_svg_lines(series, labels, 1.0, f"Field fill rate, {site}, last {len(site_runs)} runs",
                                   y_fmt=lambda v: f"{v:.0%}"))
    if data["runs"]:
        labels = [f"{r['site']} {r['started_at']:%m-%d %H:%M}" if r["started_at"] else r["run_id"] for r in data["runs"]]
        errors = {"HTTP/download errors": [float(r["errors"]) for r in data["runs"]],
                  "rejected items": [float(r["rejected"]) for r in data["runs"]]}
        top = max(max(v) for v in errors.values()) or 1
        sections.append(_svg_lines(errors, labels, top, "Errors per run"))
        rows = "".join(
            f"<tr><td>{html.escape(r['run_id'])}</td><td>{html.escape(r['site'])}</td>"
            f"<td class='{html.escape(r['status'] or '')}'>{html.escape(r['status'] or '')}</td>"
            f"<td>{r['new']}</td><td>{r['rejected']}</td><td>{r['errors']}</td><td>{r['retried']}</td>"
            f"<td>{r['pending']}</td></tr>"
            for r in reversed(data["runs"][-30:])
        )
        sections.append("<h2>Recent runs</h2><table><tr><th>run</th><th>site</th><th>status</th><th>new</th>"
                        f"<th>rejected</th><th>errors</th><th>retried URLs</th><th>left pending</th></tr>{rows}</table>")
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
svg {{ display: block; margin: 18px 0; border: 1px solid #eee; background: #fff; }}
table {{ border-collapse: collapse; font-size: 13px; }} td, th {{ border: 1px solid #ddd; padding: 3px 8px; }}
.failed {{ color: #b00; font-weight: bold; }} .degraded {{ color: #c60; font-weight: bold; }} .ok {{ color: #080; }}
</style></head>
<body><h1>newscrawl report</h1><p>Database: {html.escape(db_label)} · generated {generated}</p>
{''.join(sections)}
</body></html>
"""


def write_report(db_url: str, out: str) -> str:
    from pathlib import Path

    from newscrawl.runs import write_text_atomic

    page = render_report(load_report_data(db_url), safe_url(db_url))
    write_text_atomic(Path(out), page)
    return out
