"""Fallback extraction for pages (or fields) no site file covers.

``extract_fallback(doc)`` combines the structured layer
(:mod:`newscrawl.extract.structured`: JSON-LD, microdata, OpenGraph/meta) with
the generic layer (:mod:`newscrawl.extract.generic`: what the visible page
shows) and returns ``(fields, sources)``; ``sources[field]`` is the layer the
value came from: ``"jsonld"``, ``"microdata"``, ``"meta"`` or ``"generic"``.

How each field is chosen (general rules, nothing per publisher):

title
    Candidates: the JSON-LD/microdata headline, og:title (twitter:title when
    there is none) and ``<title>`` with the site name (and dates) stripped, and
    the visible headline: an ``<h1>`` outside navigation (breadcrumbs, teaser
    lists), else an ``<h2>`` a structured title confirms, else a breadcrumb h1.
    The visible headline confirmed by og:title or JSON-LD wins (its kicker
    kept or dropped as they give it); else what most of og:title, JSON-LD and
    ``<title>`` say (og:title first on ties); without JSON-LD, the h1 (when
    it is a headline at all) beats og:title and ``<title>``. Spelling (quotes,
    dashes) follows the agreeing sources' majority, typographic dashes and
    double quotes before their ASCII stand-ins. The rules in full:
    :func:`choose_title`.
published / modified
    JSON-LD datePublished > microdata > ``article:published_time`` and other
    meta > itemprop; without any, the visible page: a labelled date ("Datum ..."),
    htmldate's extensive search, ``<time datetime>``, date-looking text. A value
    without a UTC offset borrows one from another candidate of the same local
    time, else is read in ``tz`` (a site file's zone) or, with ``tz`` None, in the
    zone the page suggests (:func:`~newscrawl.extract.generic.zones.page_zone`),
    noted in ``sources["published_zone"]``; a date alone gives way to a candidate
    of the same day with a time. The rules: :func:`~newscrawl.extract.generic.dates.choose_date_noted`.
authors
    JSON-LD author (Person names, ``@id`` references resolved, every JSON-LD
    description of the article; a Recipe / HowTo / Review's when there is no
    article node) > microdata > byline in the article region (links to author
    pages, author/byline classes, "By/Von/Par..." lines and label elements,
    nothing inside figures, navs, share bars or teaser/related boxes; a name
    alone as the last paragraph, name-like lines the body dropped at its edges)
    > meta author / article:author. A structured author the page credits only
    as its editor gives way to the byline. Strings go through
    :func:`newscrawl.extract.authors.parse_byline`, then a multilingual split
    ("und", "y", "et", "og"...), all parts names or none; one name alone is
    believed where the markup declares it (meta author, rel/itemprop=author).
    Authors are people: an Organization author is never one (an agency it
    names becomes ``source``), nor is the outlet's own name, nor an account
    word ("admin", "Unknown"). See newscrawl/extract/generic/bylines.py.
body
    trafilatura's main text (balanced mode: measured better than
    favor_precision/recall) without captions, credits, bylines, "read also"
    links, link lists, sub-headings and the title / lead repeated; then the
    page layout: paragraphs outside the article region (the element holding
    the headline and the body) are dropped, and paragraphs styled like the body
    ones (same tag, class and parent class) that trafilatura missed are added.
blocks
    The body typed (paragraph, list item, quote...) with trafilatura's
    sub-headings between its paragraphs (:func:`typed_blocks`); aligned with the
    final body by :func:`newscrawl.extract.normalize.blocks_for_body`.
lead
    A standfirst: a lead/intro/summary element placed before the body in the
    article region, or the structured description when the region shows it and
    it is not the first paragraph cut short; moved out of the body when the
    body starts with it. Never a caption, never the headline.
captions
    For each image of the article region, looked for from the image outwards
    through a few levels of layout: its caption element (figcaption, a caption
    class, a description / image-info class near it), a figcaption beside the
    picture, the figure's text, a short credited text alone with the image, or
    a textless figure's ``title`` / ``data-caption``. Teaser cards, bylines
    under portraits, credit-only texts, texts of the body, title and lead, and
    repeats are left out. The page is searched once (``PageCaptions``): what
    it finds is kept out of the body too. The rules in full:
    :mod:`newscrawl.extract.generic.captions`.
language
    ``<html lang>``, else JSON-LD inLanguage / og:locale.
"""
from __future__ import annotations

from typing import Any, Iterable

from newscrawl.extract.generic.body import (
    paragraphs_from_blocks, paragraphs_of_one_run, refine_body, trafilatura_blocks, typed_blocks,
)
from newscrawl.extract.generic.bylines import choose_authors, edge_bylines, tail_byline
from newscrawl.extract.generic.captions import PageCaptions, captions
from newscrawl.extract.generic.dates import (
    article_time_values, choose_date_noted, dom_date_values, shown_days, url_days,
)
from newscrawl.extract.generic.dom import (
    article_h1, article_region, article_scope, container_of, language, locate_paragraphs, norm_key,
    normalise_language,
)
from newscrawl.extract.generic.lead import choose_lead
from newscrawl.extract.generic.title import choose_title, site_name_keys
from newscrawl.extract.generic.zones import page_zone
from newscrawl.extract.normalize import blocks_for_body
from newscrawl.extract.structured import StructuredData

__all__ = ["extract_fallback", "ALL_FIELDS"]

ALL_FIELDS = (
    "title", "lead", "published", "modified", "authors", "source", "section", "tags",
    "images", "captions", "body", "blocks", "canonical_url", "language",
)


def extract_fallback(doc, wanted: Iterable[str] | None = None, tz=None,
                     structured_only: Iterable[str] = ()) -> tuple[dict, dict]:
    """Extract article fields from ``doc`` with the structured and generic layers.

    ``wanted`` limits the work to those fields (default: all). ``structured_only``:
    fields to take from structured data alone, never from a scan of the page (the
    caller trusts its own visible value over the generic layer's guess; for now
    this spares the date scan). ``tz`` reads dates that carry no offset (a site
    file's zone); None: the zone is inferred from the page and noted in ``sources["<field>_zone"]``. A field whose rules fail is left out, its error recorded in
    ``doc.errors`` (raised in strict mode); the other fields are still extracted.
    """
    wanted_set = set(wanted) if wanted is not None else set(ALL_FIELDS)
    fields: dict[str, Any] = {}
    sources: dict[str, str] = {}
    _extract(doc, wanted_set, tz, fields, sources, frozenset(structured_only))
    return fields, sources


def _put(fields, sources, name, value, layer):
    if value in (None, "", [], {}):
        return
    fields[name] = value
    sources[name] = layer or "generic"


# The structured data's (value, layer) pairs, taken as they are.
_STRUCTURED_PAIRS = (
    ("section", StructuredData.section), ("tags", StructuredData.tags), ("images", StructuredData.images),
    ("canonical_url", StructuredData.canonical),
)


def _extract(doc, wanted: set[str], tz, fields: dict, sources: dict, structured_only=frozenset()) -> None:
    data = doc.structured
    guard = doc.errors.guard
    # The body (trafilatura, the costly part) also locates the article region on
    # the page, which the lead, captions and byline search use.
    need_body = bool(wanted & {"body", "blocks", "lead", "captions"})

    body: list[str] = []
    tblocks: list = []
    removed_bylines: list[str] = []
    signatures: list[str] = []
    scope = None
    first_el = None
    container = None
    hits: list = []
    caps_keys: set[str] = set()
    page_captions = None
    if need_body:
        with guard("body"):  # all or nothing: the steps below use the body only when it is whole
            blocks = trafilatura_blocks(doc)  # balanced: measured better than favor_precision/recall
            page_captions = PageCaptions(doc)  # searched once: keys for the body now, captions below
            keys = page_captions.keys()
            dropped: list[str] = []
            paragraphs = paragraphs_from_blocks(blocks, captions=keys, removed_bylines=dropped)
            paragraphs, located = paragraphs_of_one_run(doc, paragraphs, locate_paragraphs(doc, paragraphs))
            body, caps_keys, removed_bylines, hits, container = paragraphs, keys, dropped, located, container_of(located)
            signatures = edge_bylines(blocks, removed_bylines)
            tblocks = blocks

    title, title_layer = (None, None)
    if wanted & {"title", "body", "lead"}:
        with guard("title"):
            title, title_layer = choose_title(doc, data, article_scope(container) if need_body else None)
        if "title" in wanted:
            _put(fields, sources, "title", title, title_layer)
    if need_body and body:
        with guard("body"):
            region = article_region(doc, container, title)
            body_elements: list = []
            refined = refine_body(doc, body, hits, region, body_elements)
            scope, body = region, refined
            first_el = next((el for el in body_elements if el is not None), None)

    with guard("authors"):
        # The body's last paragraph as a signature first, then the name-like lines the body
        # dropped at its start or end (not those between its paragraphs: edge_bylines).
        tail, body = tail_byline(body, site_name_keys(doc, data.publisher_names()))
        if tail:
            signatures.insert(0, tail)
    if wanted & {"body", "blocks", "lead"}:
        lead, lead_layer = None, None
        with guard("lead"):
            lead, lead_layer, body = choose_lead(doc, data, body, scope, first_el, title=title, caption_keys=caps_keys)
        if title:
            tkey = norm_key(title)
            body = [p for p in body if norm_key(p) != tkey]
        if lead:
            lkey = norm_key(lead)
            body = [p for p in body if norm_key(p) != lkey]
        if "lead" in wanted:
            _put(fields, sources, "lead", lead, lead_layer)
        if "body" in wanted:
            _put(fields, sources, "body", body, "generic")
        if "blocks" in wanted and body:
            # Typed, with the sub-headings, aligned with this body (the final cleaning aligns them again with its own).
            typed = typed_blocks(tblocks, title=title, lead=lead, captions=caps_keys)
            _put(fields, sources, "blocks", blocks_for_body(body, typed), "generic")

    zone, how = tz, None
    if tz is None and wanted & {"published", "modified"}:
        with guard("published"):
            zone, how = page_zone(doc) or (None, None)
    if wanted & {"published"}:
        with guard("published"):
            dom = None if "published" in structured_only else (
                lambda: dom_date_values(doc, scope, article_h1(doc, title, container), body[0] if body else None))
            days = None if "published" in structured_only else (lambda: shown_days(doc))
            value, layer, note = choose_date_noted(data.published_candidates(), zone, dom, inferred=how,
                                                   others=data.modified_candidates(), local_days=days,
                                                   url_day_set=() if "published" in structured_only else url_days(doc.url),
                                                   article_times=() if "published" in structured_only else (
                                                       lambda: article_time_values(scope)))
            _put(fields, sources, "published", value, layer)
            if value and note:
                sources["published_zone"] = note
    if "modified" in wanted:
        with guard("modified"):
            value, layer, note = choose_date_noted(data.modified_candidates(), zone, inferred=how,
                                                   others=data.published_candidates())
            _put(fields, sources, "modified", value, layer)
            if value and note:
                sources["modified_zone"] = note

    if wanted & {"authors", "source"}:
        with guard(*sorted(wanted & {"authors", "source"})):
            authors, raw, source, layer = choose_authors(doc, data, scope, signatures,
                                                         dom=not {"authors", "source"} <= structured_only)
            if "authors" in wanted:
                _put(fields, sources, "authors", authors, layer)
                if authors:
                    fields["authors_raw"] = raw
            if "source" in wanted and source:
                _put(fields, sources, "source", source, "generic")

    if "captions" in wanted:
        with guard("captions"):
            # The body, title and lead are never captions, wherever an image stands beside them.
            not_captions = [*body, *(t for t in (title, fields.get("lead")) if t)]
            _put(fields, sources, "captions", captions(page_captions, scope, exclude=not_captions), "generic")

    for name, method in _STRUCTURED_PAIRS:
        if name in wanted:
            with guard(name):
                pair = method(data)
                if pair:
                    _put(fields, sources, name, pair[0], pair[1])
    if "language" in wanted:
        with guard("language"):
            lang = language(doc)
            if lang:
                _put(fields, sources, "language", lang, "generic")
            else:
                pair = data.language()
                if pair:
                    _put(fields, sources, "language", normalise_language(pair[0]), pair[1])
