"""One page's scores: which texts are compared, and which fields the expected JSON gives.

A field that is null (or absent) in the expected JSON is not scored on that
page (:func:`given`): extraction-open2 gives each field only where its source
does, and each field is averaged over the pages that give it.

Two conventions for the body, both scored:

* ``body``: paragraphs only, the corpora's convention. Expected: ``lead`` +
  ``body_paragraphs``; extracted: lead + ``body`` (:func:`extracted_text`).
* ``body_headings``: the body with its sub-headings (and every other block:
  list items, quotes, table rows, as the item's ``blocks`` give them).
  Expected: ``lead`` + ``body_paragraphs`` with ``subheadings`` put where the
  page shows them (:mod:`newscrawl.ops.eval.headings`); extracted: lead + the
  text of every block in order, or lead + body for an extraction without
  ``blocks`` (:func:`extracted_text_with_headings`).

Snippets (``must_contain`` / ``must_not_contain``) are looked for in the
extracted text *with headings*: the annotators chose them as main text, and
sub-headings are main text (trafilatura's text keeps them too). The title and
the captions are not part of it.
"""
from __future__ import annotations

from typing import Any

from newscrawl.ops.eval.headings import order_headings
from newscrawl.ops.eval.scoring import (
    as_list, authors_match, captions_f1, norm_text, offset_match, outlet_keys, parse_when, prf,
    published_match, snippet_scores, text_of,
)


def given(expected: dict, key: str) -> bool:
    """A field is scored only on pages whose expected JSON gives it (not null, not absent)."""
    return expected.get(key) is not None


def extracted_text(fields: dict) -> str:
    """Lead + body, paragraphs only (the corpora's ``body`` convention)."""
    parts = []
    for key in ("lead", "body"):
        for item in as_list(fields.get(key)):
            if item:
                parts.append(str(item))
    return "\n".join(parts)


def extracted_text_with_headings(fields: dict) -> str:
    """Lead + the text of every block in order (headings, list items, table rows...).

    An extractor that renders its own text with headings gives it as
    ``text_with_headings`` (trafilatura); an extraction without ``blocks`` (an
    item of schema 1.1) falls back to :func:`extracted_text`.
    """
    if fields.get("text_with_headings") is not None:
        return str(fields["text_with_headings"])
    blocks = fields.get("blocks")
    if not blocks:
        return extracted_text(fields)
    parts = [str(item) for item in as_list(fields.get("lead")) if item]
    parts += [text_of(block) for block in blocks if text_of(block)]
    return "\n".join(parts)


def expected_texts(expected: dict, toks: list[str] | None) -> dict:
    """The expected body both ways, once per page (both systems are scored against the same).

    ``toks``: the page's tokens (:func:`newscrawl.ops.eval.headings.page_tokens`),
    needed only when the page has sub-headings to place.
    Returns ``{"body": str, "body_headings": str, "headings_appended": int}``, or {} without a body.
    """
    if not (given(expected, "body_paragraphs") or given(expected, "lead")):
        return {}
    lead = [str(x) for x in as_list(expected.get("lead"))]
    paragraphs = [str(x) for x in as_list(expected.get("body_paragraphs"))]
    headings = [str(x) for x in as_list(expected.get("subheadings")) if norm_text(x)]
    blocks, appended = order_headings(paragraphs, headings, toks or [])
    return {"body": "\n".join(lead + paragraphs), "body_headings": "\n".join(lead + blocks),
            "headings_appended": appended}


def score_page(expected: dict, fields: dict, day_only: bool = False, with_captions: bool = True,
               texts: dict | None = None) -> dict:
    """The page's scores, one key per field the expected JSON gives (the others are not scored).

    ``texts``: :func:`expected_texts` of the page; without it the sub-headings are appended.
    ``day_only``: the extractor gives a day without a time (trafilatura).
    """
    if texts is None:
        texts = expected_texts(expected, None)
    scores: dict[str, Any] = {}
    if given(expected, "title"):
        scores["title"] = norm_text(expected.get("title")) == norm_text(fields.get("title"))
    if given(expected, "published"):
        scores["published"] = published_match(expected.get("published"), fields.get("published"), day_only=day_only)
        scores["published_none"] = parse_when(fields.get("published")) is None
        if not day_only:
            scores["published_offset"] = offset_match(expected.get("published"), fields.get("published"))
    if given(expected, "authors"):
        scores["authors"] = authors_match(expected.get("authors"), fields.get("authors"), fields.get("source"),
                                          outlet_keys(expected))
    if texts:
        precision, recall, f1 = prf(texts["body"], extracted_text(fields))
        scores.update(body_precision=precision, body_recall=recall, body_f1=f1)
        precision, recall, f1 = prf(texts["body_headings"], extracted_text_with_headings(fields))
        scores.update(body_headings_precision=precision, body_headings_recall=recall, body_headings_f1=f1)
    snippets = snippet_scores(expected.get("must_contain"), expected.get("must_not_contain"),
                              extracted_text_with_headings(fields))
    if snippets is not None:
        scores.update(snippets)
    if with_captions and given(expected, "captions"):
        scores["captions_f1"] = captions_f1(expected["captions"], as_list(fields.get("captions")))
    return scores
