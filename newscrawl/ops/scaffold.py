"""`newscrawl scaffold`: a draft site file from a few pages (URLs, or saved pages with their URLs).

Reads or fetches the pages, asks newscrawl/sites/draft.py for the selectors, and writes, in ``--out``:

- ``NAME.toml``: the draft, loadable as it is (newscrawl/sites/loading.py), the disagreements between its
  selectors and the generic layers written as comments above the layout and on stderr;
- ``NAME-fixture/pages/<path>``: the pages given, where their URLs put them (``/a/b/`` as ``a/b/index.html``),
  and ``NAME-fixture/expected.json``: what the draft extracts from each article page, for review.

A page is given as ``URL`` (fetched), ``FILE=URL`` or ``FILE`` (the URL the page names for itself: its
rel=canonical / og:url). A saved ``robots.txt`` among them gives the draft its sitemaps.
"""
from __future__ import annotations

import json
import re
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from newscrawl.extract import extract_article, page_url
from newscrawl.sites.draft import Draft, Page, draft_site
from newscrawl.sites.loading import parse_site, read_site

USER_AGENT = "newscrawl-scaffold (+https://github.com/newscrawl)"
#: The fields expected.json holds for each article page.
EXPECTED_FIELDS = ("title", "published", "authors", "section", "lead", "body", "captions")


class ScaffoldError(ValueError):
    """A page that cannot be read, or pages a draft cannot be made from; the message says which."""


def _fetch(url: str, timeout: float = 30.0) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        charset = response.headers.get_content_charset() or "utf-8"
        return response.read().decode(charset, errors="replace")


def read_inputs(specs: list[str], listings: list[str] = ()) -> tuple[list[Page], list[str]]:
    """The pages the arguments name and the sitemaps a robots.txt among them names (as paths). ``listings``
    are listing pages whatever the page kind classifier says (a section front with long teasers can pass
    for an article)."""
    pages, sitemaps = [], []
    for spec in [*specs, *listings]:
        if spec.lower().startswith(("http://", "https://")):
            url, text = spec, None
        else:
            file, _, url = spec.partition("=")
            path = Path(file)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ScaffoldError(f"cannot read {file}: {exc}") from None
            text = data.decode("utf-8", errors="replace")
            if path.name == "robots.txt":
                sitemaps += robots_sitemaps(text, url or "/robots.txt")
                continue
            url = url or page_url(data)
            if not url:
                raise ScaffoldError(f"{file}: the page names no URL (no rel=canonical or og:url); give it as {file}=URL")
        if not url.lower().startswith(("http://", "https://")):
            raise ScaffoldError(f"{spec}: expected an http(s) URL")
        if text is None:
            try:
                text = _fetch(url)
            except OSError as exc:
                raise ScaffoldError(f"cannot fetch {url}: {exc}") from None
            if urlsplit(url).path == "/robots.txt":
                sitemaps += robots_sitemaps(text, url)
                continue
        pages.append(Page.read(url, text, role="listing" if spec in listings else None))
    return pages, list(dict.fromkeys(sitemaps))


def robots_sitemaps(text: str, url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, as paths when they are on the robots.txt's host."""
    found = []
    for line in text.splitlines():
        match = re.match(r"^\s*sitemap\s*:\s*(\S+)", line, re.I)
        if match:
            target = urljoin(url, match.group(1))
            same = not urlsplit(url).netloc or urlsplit(target).netloc == urlsplit(url).netloc
            found.append(urlsplit(target).path if same or target.startswith("/") else target)
    return found


# -- TOML (the draft is written by hand: the standard library reads TOML but does not write it)

def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    text = str(value)
    if "\\" in text and "'" not in text and "\n" not in text:
        return f"'{text}'"  # a literal string: regexes and XPath as they are written
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _pairs(table: dict) -> list[str]:
    return [f"{key} = {_value(_one(value))}" for key, value in table.items() if value not in (None, [], "")]


def _one(value):
    """One selector as a string (a list of one reads worse); hosts, feeds and sitemaps stay lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def site_toml(draft: Draft) -> str:
    data = draft.data
    lines = [f"# Draft site file for {data['name']}, written by `newscrawl scaffold` from the pages in "
             f"{data['name']}-fixture/.",
             "# Read it, fix it, test it (docs/site-files.md); the selectors were checked on every given page."]
    top = {k: v for k, v in data.items() if k not in ("sections", "listing", "layouts")}
    lines += [f"{key} = {_value(value)}" for key, value in top.items()]
    for section in data.get("sections", []):
        lines += ["", "[[sections]]", *_pairs(section)]
    for section in draft.commented_sections:
        lines += ["", "# A navigation link no given page lies under: a section, or site furniture?",
                  "# [[sections]]", *("# " + pair for pair in _pairs(section))]
    lines += ["", "[listing]", *_pairs(data["listing"])]
    for layout in data["layouts"]:
        lines.append("")
        if draft.notes:
            lines.append("# Why these selectors:")
            lines += [f"#   {field}: {note}" for field, note in draft.notes.items()]
        if draft.disagreements:
            lines.append("# Where the draft and the generic layers disagree (check these pages):")
            lines += [f"#   {d}" for d in draft.disagreements]
        lines += ["[[layouts]]", *_pairs(layout)]
    return "\n".join(lines) + "\n"


def _fixture_path(url: str) -> str:
    path = urlsplit(url).path or "/"
    if path.endswith("/"):
        path += "index.html"
    return path.lstrip("/")


def expected(draft: Draft, pages: list[Page]) -> dict:
    """What the draft extracts from each article page, by URL path (for review, then for the site's tests)."""
    site = parse_site(draft.data, f"<draft {draft.data['name']}>")
    found = {}
    for page in pages:
        if page.kind != "article":
            continue
        item = extract_article(page.html, page.url, site)
        found[urlsplit(page.url).path] = {name: item.get(name) for name in EXPECTED_FIELDS}
    return found


def scaffold(specs: list[str], name: str, out: Path, listings: list[str] = ()) -> tuple[Path, Draft]:
    """Write the draft of ``name`` and its fixture into ``out``; the site file's path and the draft."""
    pages, sitemaps = read_inputs(specs, listings)
    try:
        draft = draft_site(name, pages, sitemaps)
    except ValueError as exc:
        raise ScaffoldError(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    site_file = out / f"{name}.toml"
    site_file.write_text(site_toml(draft), encoding="utf-8")
    read_site(site_file.read_text(encoding="utf-8"), str(site_file))  # the draft must load as it is written
    fixture = out / f"{name}-fixture"
    for page in pages:
        target = fixture / "pages" / _fixture_path(page.url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.html, encoding="utf-8")
    (fixture / "expected.json").write_text(json.dumps(expected(draft, pages), ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
    return site_file, draft


def cmd_scaffold(args) -> int:
    try:
        site_file, draft = scaffold(args.pages, args.name, Path(args.out), args.listing or [])
    except ScaffoldError as exc:
        print(f"newscrawl scaffold: {exc}", file=sys.stderr)
        return 2
    for line in draft.disagreements:
        print(f"newscrawl scaffold: disagreement: {line}", file=sys.stderr)
    print(site_file)
    return 0
