"""A site file drafted from a few saved pages: the selectors that give what the generic layers find.

Pure functions on pages (HTML text and URL); `newscrawl scaffold` (newscrawl/ops/scaffold.py) reads or fetches
the pages and writes what :func:`draft_site` returns. The method, for every field:

1. the generic layers (structured + generic, :func:`newscrawl.extract.extract_article` without a site file)
   say what each article page holds: that is the target;
2. candidates are the elements whose text is that value (the headline's element, the authors' element, the
   element holding every body paragraph...), each named by a few CSS selectors of growing context (its tag
   and classes, then its parent's), and the page's JSON-LD keys (``jsonld:headline`` ...);
3. a candidate is kept when a trial site file holding only it gives, through the real site layer, the same
   value on every given page; the first kept candidate in order (visible elements before JSON-LD) wins;
   without one the candidate that agrees on most pages is taken and the pages it misses are listed.

Nothing names a publisher: the selectors are read from the pages given. The draft is a draft: it is meant
to be read, fixed and tested (docs/site-files.md), and the disagreements say where to look.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from newscrawl.extract import extract_article
from newscrawl.extract.discovery import feed_links, next_page_url
from newscrawl.extract.document import Document
from newscrawl.extract.generic.zones import page_zone
from newscrawl.extract.pagekind import listing_url_shape
from newscrawl.extract.sitelayer import extract_site_fields
from newscrawl.model.item import DEFAULT_TIMEZONE
from newscrawl.model.text import clean_text
from newscrawl.sites.loading import parse_site

#: The fields a draft gives a selector for, in the order they are looked for.
DRAFT_FIELDS = ("title", "published", "authors", "section", "lead", "body", "captions")
#: JSON-LD keys tried for a field when no visible element gives it on every page.
_JSONLD = {
    "title": ("jsonld:headline",),
    "published": ("jsonld:datePublished",),
    "authors": ("jsonld:author.name",),
    "section": ("jsonld:articleSection",),
    "lead": ("jsonld:description",),
}
#: Meta tags tried after JSON-LD (their content attribute).
_META = {
    "published": ('meta[property="article:published_time"]::attr(content)',
                  'meta[itemprop="datePublished"]::attr(content)'),
    "section": ('meta[property="article:section"]::attr(content)',),
}
# Elements that are never a field's container: the page's frame.
_FRAME = {"html", "body", "head"}
# Classes made of state or layout words say nothing of what an element is: left out of selectors.
_NOISE_CLASS = re.compile(r"^(?:active|current|selected|clearfix|row|col(?:-.*)?|container|d-.*|mb-.*|mt-.*|"
                          r"pt-.*|pb-.*|text-(?:left|right|center)|js-.*|[a-z]*\d{3,}.*)$", re.I)
#: Numbered pagination with no "next" link, in CSS (the crawl's next_page selectors are CSS): the link right
#: after the current page's number, which a pagination block shows as no link (``<b>1</b> <a href=...>2</a>``)
#: -- rule 3 of discovery.next_page_url. Written after the next link the given listing pages show, so that
#: sections paged either way are walked (the given pages may show only one of them).
NUMBERED_NEXT = tuple(f"{block} {current} + a::attr(href)" for block in ("nav", "[class*=pag]")
                      for current in ("b", "strong", "span.current", "span.active"))


@dataclass
class Page:
    """One given page: its URL, its HTML, and what the generic layers extract from it."""

    url: str
    html: str
    item: dict = field(default_factory=dict)
    doc: Document | None = None
    role: str | None = None  # "article" or "listing" when the caller says so; else the page kind classifier's

    @classmethod
    def read(cls, url: str, html: str, role: str | None = None) -> "Page":
        page = cls(url=url, html=html, role=role)
        page.doc = Document(html, url)
        page.item = extract_article(html, url, site_layer=False)  # what the generic layers find: the target
        return page

    @property
    def kind(self) -> str:
        return self.role or self.item.get("page_kind") or "other"


@dataclass
class Draft:
    """What :func:`draft_site` found: the site file's table, the choices' notes, the pages' disagreements."""

    data: dict
    notes: dict[str, str] = field(default_factory=dict)          # field -> why this selector (a comment)
    disagreements: list[str] = field(default_factory=list)       # "<field>: <url>: generic X, draft Y"
    commented_sections: list[dict] = field(default_factory=list)  # navigation links not taken as sections


# -- selectors for an element

def _classes(el) -> list[str]:
    return [c for c in (el.get("class") or "").split() if not _NOISE_CLASS.match(c) and re.match(r"^[A-Za-z_-][\w-]*$", c)]


def _simple(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else "*"
    return tag + "".join(f".{c}" for c in _classes(el))


def element_selectors(el) -> list[str]:
    """CSS selectors naming ``el``, least context first: its tag and classes, then with its parent's,
    then with its nearest ancestor that has an id or classes; an id alone when it has one that is no number."""
    own = _simple(el)
    found = []
    if own != el.tag or el.tag in ("h1", "article"):
        found.append(own)
    parent = el.getparent()
    if parent is not None and parent.tag not in _FRAME:
        found.append(f"{_simple(parent)} {own}")
    ancestor = parent
    while ancestor is not None and ancestor.tag not in _FRAME:
        if _classes(ancestor) or ancestor.get("id"):
            found.append(f"{_simple(ancestor)} {own}")
            break
        ancestor = ancestor.getparent()
    ident = el.get("id")
    if ident and re.match(r"^[A-Za-z][\w-]*$", ident) and not re.search(r"\d{3,}", ident):
        found.append(f"#{ident}")
    return list(dict.fromkeys(found))


def _text(el) -> str:
    return clean_text(" ".join(el.itertext())) or ""


def _elements_with_text(doc: Document, wanted: str, contains: bool = False) -> list:
    """The innermost elements (outside the head) whose visible text is ``wanted`` (or holds it)."""
    wanted = clean_text(wanted) or ""
    if not wanted or doc.root is None:
        return []
    body = doc.root.find("body")
    found = []
    for el in (body if body is not None else doc.root).iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        text = _text(el)
        if text == wanted or (contains and wanted in text and len(text) <= 3 * len(wanted) + 20):
            found.append(el)
    # Innermost: drop an element when one of its descendants is also found.
    return [el for el in found if not any(other is not el and el in other.iterancestors() for other in found)]


def _date_elements(doc: Document, published: str) -> list:
    """Innermost elements whose text shows the publish day (its year and day of month) and its minutes."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?", published or "")
    if not match or doc.root is None:
        return []
    year, day, minute = match.group(1), str(int(match.group(3))), match.group(5)
    found = []
    for el in doc.root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "title", "meta"):
            continue
        text = _text(el)
        if year in text and re.search(rf"(?<!\d)0?{day}(?!\d)", text) and (not minute or minute in text) and len(text) < 80:
            found.append(el)
    return [el for el in found if not any(other is not el and el in other.iterancestors() for other in found)]


def _common_ancestor(elements):
    if not elements:
        return None
    chains = [list(reversed([e, *e.iterancestors()])) for e in elements]
    common = None
    for nodes in zip(*chains):
        if all(n is nodes[0] for n in nodes):
            common = nodes[0]
        else:
            break
    return common


# -- trial site files

def _site_table(name: str, hosts, base_url: str, tz: str, language: str, layout: dict) -> dict:
    return {"name": name, "hosts": list(hosts), "base_url": base_url, "timezone": tz, "language": language,
            "layouts": [{"name": "article", **layout}]}


def _trial(pages: list[Page], table: dict) -> list[tuple[dict, dict]]:
    """Each page through a trial site file: the whole item, and what the site layer alone found."""
    site = parse_site(table, f"<draft {table['name']}>")
    return [(extract_article(p.html, p.url, site), extract_site_fields(Document(p.html, p.url), site)[0]) for p in pages]


def _agrees(name: str, trial: tuple[dict, dict], target: dict) -> bool:
    """Whether the trial gives the generic value of ``name``: from its own selectors (the site layer found
    something: a structured value the generic layer prefers counts when equal), or nothing where the generic
    layers found nothing."""
    item, site_fields = trial
    if name == "captions":
        return [c.get("text") for c in item.get("captions") or []] == [c.get("text") for c in target.get("captions") or []]
    if not target.get(name):
        return not item.get(name)
    if name == "body" and target.get("lead") and item.get("body") == [target["lead"], *target["body"]]:
        return True  # the standfirst the generic layers moved out is the first paragraph of the body's container
    if name in ("published", "modified") and _same_day_with_time(item.get(name), target.get(name)) and site_fields.get(name):
        return True  # the generic layers found the day alone: an element giving that day with its time is better
    return item.get(name) == target.get(name) and bool(site_fields.get(name))


def _merge(first: dict, second: dict) -> dict:
    """Two trial layouts as one: the selectors of a key tried in order, first's before second's."""
    merged = dict(first)
    for key, value in second.items():
        if key in merged and key not in ("byline",):
            merged[key] = list(dict.fromkeys(_listed(merged[key]) + _listed(value)))
        else:
            merged[key] = value
    return merged


def _listed(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _score(name: str, pages: list[Page], base: dict, layout: dict) -> tuple[int, list]:
    table = {**base, "layouts": [{**base["layouts"][0], **layout}]}
    trials = _trial(pages, table)
    return sum(_agrees(name, trial, page.item) for trial, page in zip(trials, pages)), trials


def _choose(name: str, pages: list[Page], base: dict, layouts: list[dict], draft: Draft) -> dict | None:
    """The first trial layout (a dict of layout keys) that gives every page's generic value; else the best
    one with the others that give what it misses after it (pages of one site may carry a value in different
    places: JSON-LD on some, a meta tag on others). The pages still missed go to ``draft.disagreements``;
    nothing when no trial is right on more than half the pages (a guess would be worse than the generic layer)."""
    scored = []
    for layout in layouts:
        score, trials = _score(name, pages, base, layout)
        if score == len(pages):
            draft.notes[name] = _note(name, pages, score, layouts.index(layout) + 1, len(layouts))
            return layout
        scored.append((score, layout, trials))
    if not scored:
        return None
    best_score, best, best_trials = max(scored, key=lambda t: t[0])  # max keeps the first of equal scores
    for _score_, layout, _trials in scored:
        if best_score == len(pages):
            break
        if layout is best:
            continue
        merged = _merge(best, layout)
        score, trials = _score(name, pages, base, merged)
        if score > best_score:
            best_score, best, best_trials = score, merged, trials
    if 2 * best_score <= len(pages):  # right on half the pages or fewer: a guess
        draft.disagreements.append(f"{name}: no selector gives what the generic layers found on most pages")
        return None
    for trial, page in zip(best_trials, pages):
        if not _agrees(name, trial, page.item):
            draft.disagreements.append(f"{name}: {page.url}: generic {_short(page.item.get(name))}, "
                                       f"draft {_short(trial[0].get(name))}")
    draft.notes[name] = _note(name, pages, best_score, None, len(layouts))
    return best


def _note(name: str, pages: list[Page], agreeing: int, rank: int | None, tried: int) -> str:
    """Why the draft took a field's selectors (a comment in the draft): on how many pages they give what the
    generic layers found there, and where the generic layers had it from."""
    sources = sorted({p.item.get("extraction", {}).get(name) for p in pages} - {None})
    which = f"candidate {rank} of {tried}" if rank else f"the best of {tried} candidates, merged"
    return (f"{which}; gives what the generic layers found ({', '.join(sources) or 'n/a'}) on {agreeing} of "
            f"{len(pages)} article pages")


def _same_day_with_time(ours, generic) -> bool:
    """``ours`` gives the day of ``generic``, a date alone (midnight), with a time of day."""
    if not (isinstance(ours, str) and isinstance(generic, str)) or "T00:00:00" not in generic:
        return False
    return ours[:10] == generic[:10] and "T00:00:00" not in ours


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _field_candidates(name: str, pages: list[Page]) -> list[str]:
    """Selectors for ``name`` read from the pages, most pages first, then JSON-LD and meta."""
    counts: Counter = Counter()
    for page in pages:
        value = page.item.get(name)
        if not value:
            continue
        if name == "published":
            elements = _date_elements(page.doc, value)
        elif name == "authors":
            elements = _elements_with_text(page.doc, ", ".join(value), contains=True) or [
                el for author in value for el in _elements_with_text(page.doc, author, contains=True)]
        else:
            # A lead's element may carry a dateline or a label the generic layers leave out.
            elements = _elements_with_text(page.doc, value) or (
                _elements_with_text(page.doc, value, contains=True) if name == "lead" else [])
        seen = set()
        for el in elements:
            for selector in element_selectors(el):
                if selector not in seen:
                    seen.add(selector)
                    counts[selector] += 1
    ordered = [s for s, _ in sorted(counts.items(), key=lambda kv: -kv[1])]
    return ordered + list(_JSONLD.get(name, ())) + list(_META.get(name, ()))


def _body_candidates(pages: list[Page]) -> list[str]:
    """Containers of the generic body: the element holding its first and last paragraphs, and the deepest
    elements holding most of its paragraphs (the generic body may have taken in a dateline or a caption
    from outside the real container, or lost a paragraph)."""
    counts: Counter = Counter()
    for page in pages:
        body = page.item.get("body") or []
        if not body:
            continue
        containers = []
        ends = [els[0] for els in (_elements_with_text(page.doc, body[0]), _elements_with_text(page.doc, body[-1])) if els]
        container = _common_ancestor(ends)
        if container is not None and len(ends) == 2 and container is ends[0]:
            container = container.getparent()  # one paragraph: its parent holds the body
        containers.append(container)
        holders: Counter = Counter()
        for text in body:
            for el in _elements_with_text(page.doc, text)[:1]:
                for ancestor in el.iterancestors():
                    holders[ancestor] += 1
        most = [el for el, n in holders.items() if 2 * n > len(body) and el.tag not in _FRAME]
        # Deepest first: an element none of whose descendants also holds most of the paragraphs.
        most.sort(key=lambda el: -len(list(el.iterancestors())))
        containers += most[:2]
        seen = set()
        for container in containers:
            if container is None or container.tag in _FRAME:
                continue
            for selector in element_selectors(container):
                if selector not in seen:
                    seen.add(selector)
                    counts[selector] += 1
    return [s for s, _ in sorted(counts.items(), key=lambda kv: -kv[1])]


def _overlap(item: dict, target: dict) -> float:
    """How much of the generic body (with its standfirst) a trial body holds, and only that: F1 on paragraphs."""
    ours = set(item.get("body") or [])
    theirs = set(target.get("body") or []) | ({target["lead"]} if target.get("lead") else set())
    return 2 * len(ours & theirs) / (len(ours) + len(theirs)) if ours and theirs else 0.0


def _choose_body(pages: list[Page], base: dict, trials: list[dict], draft: Draft) -> dict | None:
    """The body trial equal to the generic body on every page; else the one closest to it over the pages
    (the generic body is a guess too: a dateline or a caption in it, a paragraph lost), its differences
    listed; none when the closest holds less than half of it."""
    best, best_overlap, best_trials = None, 0.0, []
    for layout in trials:
        score, results = _score("body", pages, base, layout)
        if score == len(pages):
            draft.notes["body"] = _note("body", pages, score, trials.index(layout) + 1, len(trials))
            return layout
        overlap = sum(_overlap(trial[0], page.item) for trial, page in zip(results, pages)) / len(pages)
        if overlap > best_overlap:
            best, best_overlap, best_trials = layout, overlap, results
    if best is None or best_overlap < 0.5:
        draft.disagreements.append("body: no element holds most of the body the generic layers found")
        return None
    for trial, page in zip(best_trials, pages):
        if not _agrees("body", trial, page.item):
            extra = [t for t in trial[0].get("body") or [] if t not in (page.item.get("body") or [])]
            lost = [t for t in page.item.get("body") or [] if t not in (trial[0].get("body") or [])]
            draft.disagreements.append(f"body: {page.url}: the draft adds {_short(extra)}, leaves out {_short(lost)}")
    draft.notes["body"] = (f"the closest of {len(trials)} candidates: {best_overlap:.0%} of the generic layers' body "
                           f"over {len(pages)} article pages")
    return best


def _image_blocks(pages: list[Page], body_selector: str) -> dict | None:
    """Caption blocks the generic layers did not report: inside the body's container, an element holding
    an image and a short text (at most 300 characters, the text in an element of its own), the same
    selector on at least half the pages with such an image. Its text is a caption, never body text."""
    counts: Counter = Counter()
    with_images = 0
    for page in pages:
        containers = page.doc.sel.css(body_selector)
        if not containers:
            continue
        found = set()
        for img in containers[0].root.iter("img"):
            block = img.getparent()
            while block is not None and block is not containers[0].root:
                text = _text(block)
                if text:
                    break
                block = block.getparent()
            if block is None or block is containers[0].root or len(text) > 300:
                continue
            holders = _elements_with_text(page.doc, text)
            holder = next((h for h in holders if block in h.iterancestors()), None)
            if holder is None:
                continue
            found.add((element_selectors(block)[0], _simple(holder)))
        with_images += bool(found)
        counts.update(found)
    if not counts:
        return None
    (block, text), n = counts.most_common(1)[0]
    return {"captions": [block], "caption_text": [text]} if 2 * n >= with_images else None


def _exclude_extras(pages: list[Page], base: dict, layout: dict) -> tuple[dict, dict]:
    """Blocks inside the body's container whose paragraphs the generic layers left out of the body (a
    related-articles box, a share bar): each one's selector is added to ``exclude`` when the body then
    agrees on more pages."""
    score, trials = _score("body", pages, base, {})
    candidates: Counter = Counter()
    for page, (item, _) in zip(pages, trials):
        generic = set(page.item.get("body") or []) | {page.item.get("lead")}
        containers = page.doc.sel.css(_listed(layout["body"])[0])
        container = containers[0].root if containers else None
        for text in item.get("body") or []:
            if text in generic or container is None:
                continue
            for el in _elements_with_text(page.doc, text):
                block = el
                while block.getparent() is not None and block.getparent() is not container:
                    block = block.getparent()
                if block.getparent() is container and block is not el or _classes(block):
                    candidates[element_selectors(block)[0]] += 1
    for selector, _ in candidates.most_common():
        trial = _merge(layout, {"exclude": [selector]})
        new_score, _ = _score("body", pages, base, {"exclude": trial["exclude"]})
        if new_score > score:
            score, layout = new_score, trial
            base = {**base, "layouts": [{**base["layouts"][0], **layout}]}
    return base, layout


def _caption_candidates(pages: list[Page]) -> list[dict]:
    """(captions, caption_text) pairs: the block holding a caption's image and text, and the text's element."""
    counts: Counter = Counter()
    for page in pages:
        for caption in page.item.get("captions") or []:
            for el in _elements_with_text(page.doc, caption.get("text") or ""):
                block = el
                while block is not None and block.tag not in _FRAME and not block.xpath(".//img"):
                    block = block.getparent()
                if block is None or block.tag in _FRAME:
                    continue
                for selector in element_selectors(block)[:2]:
                    counts[(selector, _simple(el))] += 1
    return [{"captions": [s], "caption_text": [t]} for (s, t), _ in sorted(counts.items(), key=lambda kv: -kv[1])]


# -- the site as a whole

def _zone(pages: list[Page]) -> str:
    for page in pages:
        zone = page_zone(page.doc)
        if zone:
            return zone[0]
    return DEFAULT_TIMEZONE


def article_url_pattern(urls: list[str]) -> str:
    """A regex for the paths of these article URLs: each segment a slug, the last one keeping its
    numeric id (at least as many digits, less one, as the shortest given) and its extension."""
    shapes = []
    for url in urls:
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if not segments:
            continue
        trailing = "/?" if urlsplit(url).path.endswith("/") else ""
        last = segments[-1]
        match = re.match(r"^(.*?)(\d{3,})(\.[a-z]{2,5})?$", last, re.I)
        if match:
            digits = max(3, len(match.group(2)) - 1)
            shape = (r"[a-z0-9-]+" if match.group(1) else "") + rf"\d{{{digits},}}" + re.escape(match.group(3) or "")
        else:
            ext = re.search(r"\.[a-z]{2,5}$", last, re.I)
            shape = r"[a-z0-9-]+" + (re.escape(ext.group(0)) if ext else "")
        shapes.append("^/" + "".join(r"[a-z0-9-]+/" for _ in segments[:-1]) + shape + trailing + "$")
    shapes = list(dict.fromkeys(shapes))
    return shapes[0] if len(shapes) == 1 else "|".join(f"(?:{s})" for s in shapes)


def _anchor_selectors(listings: list[Page], pattern: re.Pattern) -> list[str]:
    counts: Counter = Counter()
    for page in listings:
        for a in page.doc.root.iter("a"):
            href = a.get("href")
            if href and pattern.search(urlsplit(urljoin(page.url, href)).path):
                for selector in [s for s in element_selectors(a) if " " in s][:2]:  # with the link's box
                    counts[selector + "::attr(href)"] += 1
    return [s for s, _ in counts.most_common(1)]


def _next_selectors(listings: list[Page]) -> tuple[list[str], str | None]:
    """The next-page link's selectors on the listing pages (the generic rules find it), and a page_url
    template when its URL is the listing's with a page number added."""
    selectors, template = [], None
    for page in listings:
        target = next_page_url(page.doc.sel, page.url)
        if not target:
            continue
        for a in page.doc.root.iter("a"):
            if a.get("href") and urljoin(page.url, a.get("href")).split("#")[0] == target:
                own = element_selectors(a)
                selectors.append((own[1] if len(own) > 1 else own[0]) + "::attr(href)")
                break
        base, nxt = urlsplit(page.url).path.rstrip("/"), urlsplit(target).path
        if nxt.startswith(base) and "2" in nxt[len(base):]:
            template = "{path}" + nxt[len(base):].replace("2", "{page}", 1)
    return list(dict.fromkeys(selectors)), template


def _sections(pages: list[Page], articles: list[Page], listings: list[Page], draft: Draft) -> list[dict]:
    """The navigation's links to listing-shaped pages of the site. A link becomes a section when its first
    path segment is that of a given article or listing page (the site files them there); the others are
    written as comments to review (an "about" page has a listing's shape too)."""
    host = urlsplit(pages[0].url).netloc.lower()
    used = {s.split("/")[1] for s in (urlsplit(p.url).path for p in articles + listings) if s.count("/") >= 1 and s != "/"}
    found: dict[str, dict] = {}
    for page in listings + articles:
        for a in page.doc.root.xpath("//nav//a[@href] | //header//a[@href] | //ul//a[@href]"):
            url = urljoin(page.url, a.get("href")).split("#")[0]
            parts = urlsplit(url)
            if parts.netloc.lower() != host or parts.path in ("", "/") or not listing_url_shape(url):
                continue
            if parts.path.count("/") > 2 or (parts.path.count("/") == 2 and not parts.path.endswith("/")):
                continue  # a section is one segment below the root
            name = _text(a)
            if name and parts.path not in found:
                found[parts.path] = {"slug": parts.path.strip("/"), "name": name, "url": parts.path,
                                     "_used": parts.path.strip("/").split("/")[0] in used}
    sections = [{k: v for k, v in s.items() if not k.startswith("_")} for s in found.values() if s["_used"]]
    draft.commented_sections = [{k: v for k, v in s.items() if not k.startswith("_")} for s in found.values()
                                if not s["_used"]]
    return sections


def draft_site(name: str, pages: list[Page], sitemaps: list[str] = ()) -> Draft:
    """The draft site file for these pages (articles and listings, told apart by the page kind classifier)."""
    articles = [p for p in pages if p.kind == "article"]
    listings = [p for p in pages if p.kind == "listing"]
    if not articles:
        raise ValueError("no article page among the pages given: a draft needs at least one")
    first = urlsplit(articles[0].url)
    hosts = list(dict.fromkeys(urlsplit(p.url).hostname.lower() for p in pages if urlsplit(p.url).hostname))
    base_url = f"{first.scheme}://{first.netloc}"
    language = Counter(p.item.get("language") or "" for p in articles).most_common(1)[0][0] or "vi"
    tz = _zone(articles)
    base = _site_table(name, hosts, base_url, tz, language, {"detect": "body"})
    draft = Draft(data={})

    layout: dict = {}
    # Captions first: their blocks sit inside the body's container and are excluded from the body.
    if any(p.item.get("captions") for p in articles):
        chosen = _choose("captions", articles, base, _caption_candidates(articles), draft)
        if chosen:
            layout.update(chosen)
            layout["exclude"] = chosen["captions"]
            base = {**base, "layouts": [{**base["layouts"][0], **layout}]}
    # A body whose last short line is its byline (the generic layers drop it): "trailing" takes it out.
    trials = [{"body": s, **extra} for s in _body_candidates(articles) for extra in ({}, {"byline": "trailing"})]
    body = _choose_body(articles, base, trials, draft)
    # The body's container picks the layout; without one, every page does (the draft says so).
    layout["detect"] = _listed(body["body"])[0] if body else "body"
    if body:
        layout.update(body)
    base = {**base, "layouts": [{**base["layouts"][0], **layout}]}
    if body:
        base, layout = _exclude_extras(articles, base, layout)
        blocks = None if "captions" in layout else _image_blocks(articles, _listed(body["body"])[0])
        if blocks:
            layout.update(blocks)
            layout["exclude"] = list(dict.fromkeys(_listed(layout.get("exclude", [])) + blocks["captions"]))
            base = {**base, "layouts": [{**base["layouts"][0], **layout}]}
    for fname in ("title", "published", "authors", "section", "lead"):
        if not any(p.item.get(fname) for p in articles):
            continue
        trials = [{fname: s} for s in _field_candidates(fname, articles)]
        if fname == "authors" and "byline" not in layout:
            trials.append({"byline": "trailing"})
        chosen = _choose(fname, articles, base, trials, draft)
        if chosen:
            layout.update(chosen)
            base = {**base, "layouts": [{**base["layouts"][0], **layout}]}

    data = {"name": name, "title": name, "hosts": hosts, "base_url": base_url, "timezone": tz, "language": language}
    feeds = []
    for page in pages:
        feeds += [urlsplit(f).path for f in feed_links(page.doc.sel, page.url) if urlsplit(f).netloc == first.netloc]
    if feeds:
        data["feeds"] = list(dict.fromkeys(feeds))
    if sitemaps:
        data["sitemaps"] = list(sitemaps)
    data["sections"] = _sections(pages, articles, listings, draft)
    pattern = article_url_pattern([p.url for p in articles])
    listing: dict = {"article_url_pattern": pattern}
    links = _anchor_selectors(listings, re.compile(pattern))
    listing["article_links"] = links + ["a::attr(href)"] if links else ["a::attr(href)"]
    nexts, template = _next_selectors(listings)
    listing["next_page"] = list(dict.fromkeys(nexts + list(NUMBERED_NEXT)))
    if template:
        listing["page_url"] = template
    data["listing"] = listing
    data["layouts"] = [{"name": "article", **layout}]

    # The whole draft, checked on every page: the fields it gives against what the generic layers found.
    for page, trial in zip(articles, _trial(articles, data)):
        item = trial[0]
        for fname in DRAFT_FIELDS:
            if fname in draft_fields(layout) and not _agrees(fname, trial, page.item):
                draft.disagreements.append(f"{fname}: {page.url}: generic {_short(page.item.get(fname))}, "
                                           f"draft {_short(item.get(fname))}")
    draft.data = data
    draft.disagreements = list(dict.fromkeys(draft.disagreements))
    return draft


def draft_fields(layout: dict) -> set[str]:
    """The item fields a draft layout has a selector for."""
    named = {k for k in layout if k in ("title", "published", "authors", "section", "lead", "body", "captions")}
    if "byline" in layout:
        named.add("authors")
    return named

