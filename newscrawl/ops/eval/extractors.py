"""The systems scored: newscrawl (full, or its structured + generic layers alone) and trafilatura.

An extractor is ``f(html: bytes, url: str) -> dict`` in the item's field names
(``title``, ``published``, ``authors``, ``source``, ``lead``, ``body``,
``blocks``, ``captions``); ``text_with_headings`` may give the body with
headings directly, for an extractor without ``blocks``.
"""
from __future__ import annotations

from copy import deepcopy
from typing import Callable

Extractor = Callable[[bytes, str], dict]


def fallback_extractor() -> Extractor:
    """The structured + generic layers alone (``extract_fallback``), as an extractor."""
    from newscrawl.extract.document import Document
    from newscrawl.extract.fallback import extract_fallback

    def run(html: bytes, url: str) -> dict:
        fields, _sources = extract_fallback(Document(html, url))
        return fields

    return run


def default_extractor() -> Extractor:
    """newscrawl's full extraction (site files first)."""
    from newscrawl.extract import extract_article

    def run(html: bytes, url: str) -> dict:
        return dict(extract_article(html, url))

    return run


def trafilatura_extractor() -> Extractor:
    """trafilatura's ``bare_extraction`` (its default, balanced mode), scored both ways.

    Its text keeps the headings (``<head>`` elements of its XML tree, the h1-h6
    of the page, rendered as lines of their own): that is its body *with
    headings*. Its body *paragraphs only* is the same tree without the
    ``<head>`` elements, rendered the same way (``xmltotxt``), so both
    conventions come from one extraction.
    """
    import trafilatura
    from lxml import etree
    from trafilatura.xml import xmltotxt

    def run(html: bytes, url: str) -> dict:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
        if doc is None:
            return {}
        text = doc.text or ""
        paragraphs = text
        if doc.body is not None:
            tree = deepcopy(doc.body)
            etree.strip_elements(tree, "head", with_tail=False)
            paragraphs = xmltotxt(tree, False)
        authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
        return {
            "title": doc.title,
            "published": doc.date,
            "authors": authors,
            "body": [paragraphs],
            "text_with_headings": text,
            "lead": None,
            "captions": None,
        }

    return run
