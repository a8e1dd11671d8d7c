"""`newscrawl report` renders a self-contained page that opens in headless Chromium without errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_newscrawl

from tests.support.fixtures import FixtureServer, RequestRecord, fixture_site_dir

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "artifacts"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        for _ in range(2):  # two runs: the charts have a history to draw
            result = run_newscrawl(["crawl", "tuyengiao", "--out", str(out), "--base-url", server.url,
                                    "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_INCREMENTAL=False"])
            assert result.returncode == 0, result.stderr[-2000:]
    page = out / "report.html"
    result = run_newscrawl(["report", "--db", f"sqlite:///{out / 'newscrawl.sqlite'}", "--out", str(page)])
    assert result.returncode == 0, result.stderr
    return page


def test_report_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert "<svg" in text and "Articles per site per day" in text and "Field fill rate, tuyengiao" in text
    assert "Errors per run" in text
    for remote in ("http://", "https://", "<script src", "<link "):
        assert remote not in text.replace("http://www.w3.org/2000/svg", "")


def test_report_opens_in_headless_chromium(report):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    from playwright.sync_api import sync_playwright

    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
        page.goto(report.as_uri())
        assert page.locator("svg").count() >= 3
        assert page.locator("table tr").count() >= 3  # header + two runs
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


# --- A report that tells the truth (issue 15) -------------------------------------------------
#
# Two real crawls of the fixture site into one database: the first against a server that answers
# 500 for two article pages (each attempted 4 times: Scrapy's 3 retries) with an error-rate ceiling
# that makes it fail; the second against the plain server. Then the database is arranged into the
# cases the report must draw truthfully: two tuyengiao articles a week apart inside the window,
# many sites with long names, two runs started in the same second.

FAILING = ("/thoi-su/khai-mac-hoi-bao-xuan-giap-thin-2024-130853",
           "/thoi-su/tung-bung-ngay-van-hoa-cac-dan-toc-viet-nam-133026")
LONG_SITES = [f"regional-press-of-the-northern-mountain-provinces-edition-{i}" for i in range(11)]  # 12 sites: more than the 9 colours


class _FailingServer(FixtureServer):
    """The fixture site, with FAILING answered 500 (a retried server error)."""

    def _serve(self, handler, head):
        if handler.path.split("?")[0] in FAILING:
            body = b"<html><body>busy</body></html>"
            handler.send_response(500)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if not head:
                handler.wfile.write(body)
            with self._lock:
                self.requests.append(RequestRecord(handler.command, handler.path, 500))
            return
        super()._serve(handler, head)


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    from datetime import datetime, time as dtime, timedelta, timezone

    from sqlalchemy import select, update

    from newscrawl.storage.schema import articles, runs
    from newscrawl.storage.store import create_db_engine

    out = tmp_path_factory.mktemp("truth")
    db = f"sqlite:///{out / 'newscrawl.sqlite'}"
    common = ["--out", str(out), "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_INCREMENTAL=False",
              "-s", "RETRY_TIMES=3", "--log-level", "WARNING"]
    with _FailingServer(fixture_site_dir("tuyengiao")) as server:
        first = run_newscrawl(["crawl", "tuyengiao", "--base-url", server.url, "-s", "NEWSCRAWL_MAX_ERROR_RATE=0.01",
                               *common])
        assert sum(1 for r in server.requests if r.status == 500) == 8, first.stderr[-3000:]  # 2 URLs x 4 attempts
    assert first.returncode == 4, first.stderr[-2000:]
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        second = run_newscrawl(["crawl", "tuyengiao", "--base-url", server.url, *common])
    assert second.returncode == 0, second.stderr[-2000:]

    today = datetime.now(timezone.utc).date()
    noon = lambda d: datetime.combine(d, dtime(12), tzinfo=timezone.utc)
    engine = create_db_engine(db)
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(select(articles.c.id).order_by(articles.c.id))]
        # every article older than the window, except the two a week apart and one per long-named site
        conn.execute(update(articles).values(published=noon(today - timedelta(days=400)), first_seen=noon(today - timedelta(days=400))))
        conn.execute(update(articles).where(articles.c.id == ids[0]).values(published=noon(today - timedelta(days=14))))
        conn.execute(update(articles).where(articles.c.id == ids[1]).values(published=noon(today - timedelta(days=7))))
        for i, site in enumerate(LONG_SITES):
            conn.execute(update(articles).where(articles.c.id == ids[2 + i])
                         .values(site=site, published=noon(today - timedelta(days=i * 2))))
        (run1, start1), (run2, _) = conn.execute(select(runs.c.run_id, runs.c.started_at).order_by(runs.c.started_at)).all()
        conn.execute(update(runs).where(runs.c.run_id == run2).values(started_at=start1))  # the same second
    engine.dispose()
    page = out / "report.html"
    result = run_newscrawl(["report", "--db", db, "--out", str(page)])
    assert result.returncode == 0, result.stderr
    return {"page": page, "today": today, "failed_run": run1}


def _chart(svg_text: str, title: str) -> str:
    start = svg_text.index(f'aria-label="{title}"')
    return svg_text[start:svg_text.index("</svg>", start)]


def test_calendar_axis_holds_every_day_and_its_zeros(truth):
    import re
    from datetime import timedelta

    chart = _chart(truth["page"].read_text(encoding="utf-8"), "Articles per site per day")
    points = {m.group(1): float(m.group(2)) for m in re.finditer(
        r'data-series="tuyengiao" data-x="([\d-]+)" data-value="([\d.]+)"', chart)}
    today = truth["today"]
    window = [(today - timedelta(days=29 - i)).isoformat() for i in range(30)]
    assert sorted(points) == window  # 30 calendar days ending today, none skipped
    week_ago, two_weeks_ago = (today - timedelta(days=7)).isoformat(), (today - timedelta(days=14)).isoformat()
    assert points[two_weeks_ago] == 1 and points[week_ago] == 1
    between = [d for d in window if two_weeks_ago < d < week_ago]
    assert len(between) == 6 and all(points[d] == 0 for d in between)
    ticks = re.findall(r'class="tick-x"[^>]*>([^<]+)<', chart)
    assert ticks[0] in window[:7]  # the first tick carries the year
    assert all(re.fullmatch(r"\d\d-\d\d", t) for t in ticks[1:]), ticks  # the year does not change after it
    assert ticks[-1] in (window[-1], window[-1][5:])  # today is a tick


def test_calendar_labels_show_the_year_where_it_changes():
    from newscrawl.ops.report import calendar_labels

    assert calendar_labels(["2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02"]) == [
        "2025-12-30", "12-31", "2026-01-01", "01-02"]


def test_failed_urls_are_urls_not_attempts_and_failed_runs_say_why(truth):
    text = truth["page"].read_text(encoding="utf-8")
    chart = _chart(text, "Errors per run")
    assert 'data-series="URLs failed after retries"' in chart
    failed_points = [float(v) for v in __import__("re").findall(
        r'data-series="URLs failed after retries" data-x="[^"]*" data-value="([\d.]+)"', chart)]
    assert failed_points == [2.0, 0.0]  # 2 URLs, not the 8 attempts
    failed_section = text[text.index("<h2>Failed runs</h2>"):text.index("<h2>Recent runs</h2>")]
    assert truth["failed_run"] in failed_section
    assert "requests failed" in failed_section  # the run's problem, word for word from its summary
    assert "http_500: 2" in text


def test_run_labels_are_unique(truth):
    import re

    text = truth["page"].read_text(encoding="utf-8")
    table = text[text.index("<h2>Recent runs</h2>"):]
    labels = re.findall(r"<tr><td>([^<]+)</td><td>tuyengiao</td>", table)
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    # and on the x axis of the fill-rate chart, where the two runs of one second are told apart
    chart = _chart(text, "Field fill rate, tuyengiao, last 2 runs")
    ticks = [t for t in re.findall(r"<text[^>]*>([^<]+)</text>", chart) if re.search(r"\d\d:\d\d", t)]
    assert len(ticks) == 2 and len(set(ticks)) == 2, ticks


def test_report_labels_and_legends_stay_inside_and_apart_in_chromium(truth):
    """What a user sees: measured by Chromium (getBBox), not estimated."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.goto(truth["page"].as_uri())
        charts = page.evaluate("""() => [...document.querySelectorAll('svg')].map(svg => ({
            title: svg.getAttribute('aria-label'),
            width: svg.width.baseVal.value, height: svg.height.baseVal.value,
            texts: [...svg.querySelectorAll('text')].map(t => {
                const b = t.getBBox(); return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; }),
            legend: [...svg.querySelectorAll('.legend-item')].map(g => {
                const b = g.getBBox(); const swatch = g.querySelector('line, rect');
                return {text: g.querySelector('text').textContent, x: b.x, y: b.y, w: b.width, h: b.height,
                        look: (swatch.getAttribute('stroke') || swatch.getAttribute('fill')) + '/' + swatch.getAttribute('stroke-dasharray')}; }),
        }))""")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()

    def overlap(a, b):
        return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]

    articles_chart = next(c for c in charts if c["title"] == "Articles per site per day")
    for chart in charts:
        for t in chart["texts"]:
            assert t["x"] >= 0 and t["y"] >= 0, (chart["title"], t)
            assert t["x"] + t["w"] <= chart["width"] and t["y"] + t["h"] <= chart["height"], (chart["title"], t)
        texts = chart["texts"]
        for i, a in enumerate(texts):
            for b in texts[i + 1:]:
                assert not overlap(a, b), (chart["title"], a, b)
        for i, a in enumerate(chart["legend"]):
            for b in chart["legend"][i + 1:]:
                assert not overlap(a, b), (chart["title"], a, b)
    assert len(articles_chart["legend"]) == 1 + len(LONG_SITES)  # tuyengiao and the long-named sites
    assert len({item["text"] for item in articles_chart["legend"]}) == 1 + len(LONG_SITES)  # told apart
    assert len({item["look"] for item in articles_chart["legend"]}) == 1 + len(LONG_SITES)  # colour and dash


def test_report_help_shows_the_default_database_and_no_arguments_exit_2(tmp_path):
    result = run_newscrawl(["report", "--help"])
    assert result.returncode == 0
    assert "sqlite:///out/newscrawl.sqlite" in result.stdout and "default 30" in result.stdout
    # With no arguments in a folder without ./out: one line naming the path it looked for, exit 2.
    result = run_newscrawl(["report"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and str(tmp_path / "out" / "newscrawl.sqlite") in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "report.html").exists()
    result = run_newscrawl(["report", "--days", "0"], cwd=tmp_path)
    assert result.returncode == 2 and "--days '0'" in result.stderr


def test_legend_names_cut_in_the_middle_stay_distinct():
    from newscrawl.ops.report import _short

    assert len({_short(name) for name in LONG_SITES}) == len(LONG_SITES)
