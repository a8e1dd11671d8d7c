"""JavaScript pages: fetch the page kinds a site file's ``[render]`` table names through headless Chromium.

Some sites send a listing without its links, or an article without its body, and
fill them in with JavaScript. A site file says which kinds of page need a browser::

    [render]
    listing = true                      # section listings and their pagination
    article = true                      # article pages
    wait_for_listing = "ul.tin-moi li a"  # read the page once this element is there
    wait_for_article = "div.noi-dung p"
    timeout_ms = 20000                  # load + wait, per attempt

Requests of those kinds get ``meta["playwright"] = True`` (scrapy-playwright) with a
``PageMethod("wait_for_selector", ...)``; every other request (the other kind,
robots.txt) stays on Scrapy's plain HTTP downloader. The playwright download
handlers and Chromium's launch options are switched on by
:func:`configure_rendering`, from ``NewsSpider.update_settings``, only for a
site that renders something, so sites without ``[render]`` never start a browser.

A page that fails to render (navigation error, the awaited element never
appears within ``timeout_ms``) is retried like any failed download (Scrapy's
RetryMiddleware, ``RETRY_TIMES``), then recorded like any failed page (the
download-exception counts of the run summary).

Settings: ``NEWSCRAWL_RENDER`` ("auto": as the site file says; "off": fetch
everything plainly, e.g. to see what a site sends without JavaScript) and
``NEWSCRAWL_CHROMIUM_PATH`` (default ``/usr/bin/chromium``, Debian's package;
``playwright install`` is never needed). ``PLAYWRIGHT_*`` settings given
explicitly win over the defaults set here.
"""
from __future__ import annotations

import os

from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.crawl import defaults
from newscrawl.model.errors import ConfigError

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root (containers, CI)
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Exceptions a render can fail with; retried like connection errors.
PLAYWRIGHT_ERRORS = ["playwright.async_api.TimeoutError", "playwright.async_api.Error"]
# Resources a page's text does not need; not downloaded by the browser (image URLs stay in the DOM).
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
RENDER_MODES = ("auto", "off")


def render_mode(settings) -> str:
    mode = str(defaults.get(settings, "NEWSCRAWL_RENDER") or "auto").strip().lower()
    if mode not in RENDER_MODES:
        raise ConfigError(f"NEWSCRAWL_RENDER={mode!r}: expected one of {list(RENDER_MODES)}")
    return mode


def site_renders(site, settings) -> bool:
    """True when this crawl fetches some of ``site``'s pages through the browser."""
    return site is not None and site.render.any and render_mode(settings) != "off"


def _unset(settings, name: str) -> bool:
    priority = settings.getpriority(name)
    return priority is None or priority <= SETTINGS_PRIORITIES["project"]


def configure_rendering(settings, site) -> bool:
    """Switch the playwright download handlers on for a crawl of ``site`` when it renders something.

    Returns whether rendering is on. Fails fast (``ConfigError``) when the browser is missing.
    """
    if not site_renders(site, settings):
        return False
    chromium = settings.get("NEWSCRAWL_CHROMIUM_PATH") or "/usr/bin/chromium"
    launch = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") or {})
    if _unset(settings, "PLAYWRIGHT_LAUNCH_OPTIONS"):
        launch = {"executable_path": chromium, "headless": True, "args": list(CHROMIUM_ARGS)}
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, "spider")
    executable = launch.get("executable_path")
    if executable and not os.access(executable, os.X_OK):
        raise ConfigError(
            f"site {site.name!r} renders pages with JavaScript ([render] in {site.path}) but there is no browser at "
            f"{executable}: install Chromium (apt-get install chromium), point NEWSCRAWL_CHROMIUM_PATH at it, "
            f"or crawl without rendering (-s NEWSCRAWL_RENDER=off)")
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    for scheme in ("http", "https"):
        handlers.setdefault(scheme, PLAYWRIGHT_HANDLER)
    settings.set("DOWNLOAD_HANDLERS", handlers, "spider")
    if _unset(settings, "PLAYWRIGHT_BROWSER_TYPE"):
        settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", "spider")
    if _unset(settings, "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"):
        settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", site.render.timeout_ms, "spider")
    if _unset(settings, "PLAYWRIGHT_ABORT_REQUEST"):
        settings.set("PLAYWRIGHT_ABORT_REQUEST", "newscrawl.crawl.rendering.skip_heavy_resource", "spider")
    retry = list(settings.getlist("RETRY_EXCEPTIONS"))
    missing = [name for name in PLAYWRIGHT_ERRORS if name not in retry]
    if missing:
        settings.set("RETRY_EXCEPTIONS", retry + missing, max(settings.getpriority("RETRY_EXCEPTIONS") or 0,
                                                              SETTINGS_PRIORITIES["spider"]))
    return True


def render_meta(site, kind: str, enabled: bool) -> dict:
    """The request meta that sends a ``kind`` page ("listing" or "article") of ``site`` through the browser
    ({} when it is fetched plainly)."""
    if not enabled or site is None or not site.render.renders(kind):
        return {}
    from scrapy_playwright.page import PageMethod

    render = site.render
    meta = {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": render.timeout_ms},
        "newscrawl_rendered": kind,
    }
    selector = render.wait_for(kind)
    if selector:
        meta["playwright_page_methods"] = [
            PageMethod("wait_for_selector", selector, state="attached", timeout=render.timeout_ms)
        ]
    return meta


def skip_heavy_resource(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts are not fetched by the browser."""
    return request.resource_type in SKIPPED_RESOURCES
