"""`newscrawl report` renders a self-contained page that opens in headless Chromium without errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_newscrawl

from newscrawl.fixtureserver import FixtureServer, fixture_site_dir

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
