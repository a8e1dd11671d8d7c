"""Article-level cleaning: what no single field's processor can see.

Shared by ``extract_article`` (so `newscrawl extract` prints clean items) and
by CleanPipeline (so items from any producer are cleaned the same way).
Idempotent: cleaning a clean item changes nothing.
"""
from __future__ import annotations

from newscrawl.model.item import TEXT_FIELDS, TEXT_LIST_FIELDS
from newscrawl.model.text import clean_lines, clean_text, storable


def clean_body(body, *, boilerplate=frozenset(), captions=(), bylines=(), lead: str | None = None) -> list[str]:
    """Body paragraphs without empties, boilerplate lines, captions, a trailing byline, or the lead repeated."""
    paragraphs = clean_lines(body)
    drop = {t.casefold() for t in boilerplate} | {c.casefold() for c in captions}
    paragraphs = [p for p in paragraphs if p.casefold() not in drop]
    byline_set = {b.casefold() for b in bylines}
    while paragraphs and paragraphs[-1].casefold() in byline_set:
        paragraphs.pop()
    if lead and paragraphs and paragraphs[0].casefold() == lead.casefold():
        paragraphs.pop(0)
    return paragraphs


def clean_article(item: dict, boilerplate=frozenset()) -> dict:
    """Clean an article dict in place and return it: text fields as :func:`clean_text` makes them, and no lone
    surrogate or control character (tab and newline aside) left in any value, URLs and captions included."""
    for name in TEXT_FIELDS:
        if name in item:
            item[name] = clean_text(item[name])
    for name in TEXT_LIST_FIELDS:
        if name in item:
            item[name] = list(dict.fromkeys(clean_lines(item[name])))
    captions = []
    for caption in item.get("captions") or []:
        text = clean_text(caption.get("text"))
        if text:
            captions.append({**caption, "text": text, "credit": clean_text(caption.get("credit"))})
    if "captions" in item:
        item["captions"] = captions
    if "body" in item:
        bylines = [*(item.get("authors_raw") or []), *(item.get("authors") or [])]
        if item.get("source"):
            bylines += [item["source"], f"Theo {item['source']}", f"({item['source']})"]
        item["body"] = clean_body(
            item.get("body"), boilerplate=boilerplate, captions=[c["text"] for c in captions],
            bylines=bylines, lead=item.get("lead"),
        )
    # Everything else (URLs, image URLs of captions, extraction notes...): no character a database or a
    # UTF-8 file refuses. One bad value would otherwise cost the article its row, or its batch.
    for name in list(item.keys()):
        item[name] = storable(item[name])
    return item
