"""The lead (standfirst): lead-classed elements before the body, or the structured description when
the page shows it (:func:`choose_lead`)."""
from __future__ import annotations

import re

from newscrawl.extract.generic.dom import NON_CONTENT_TAGS, all_text, class_and_id, clean_element_text, in_boilerplate, norm_key
from newscrawl.extract.structured import StructuredData


_LEAD_CLASS = re.compile(
    r"(^|[\s_-])(lead|lede|intro|standfirst|sapo|summary|teaser|dek|deck|subtitle|sub-?headline|subhead|"
    r"excerpt|description|abstract|chapeau|kicker-?text|article-?lead|story-?lead|header-?text|strapline|"
    r"vorspann|entradilla|entradeta|ingress|ingr?ess|descricao|occhiello|sommario|standfirst)($|[\s_-])",
    re.IGNORECASE,
)


#: A heading under the headline this many words long is a deck (a standfirst set as a heading), not a kicker.
_DECK_WORDS = 8
_SUB_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def lead_candidates(doc, region, first_el=None) -> list[tuple[str, bool]]:
    """Standfirst-looking texts in the article region, before the body's first paragraph, outside figures
    and boxes, as ``(text, is_deck)``: elements whose class says lead/intro/summary..., and the deck
    (:func:`_deck`)."""
    out: list[tuple[str, bool]] = []
    if region is None:
        return out
    after_h1 = False  # the first sub-heading after the region's h1 is looked at as a deck, once
    for el in region.iter():
        if el is first_el and not (after_h1 and el.tag in _SUB_HEADINGS):
            break  # (a deck that opens with the first paragraph's words is where that paragraph was located)
        if not isinstance(el.tag, str) or el.tag in NON_CONTENT_TAGS or el.tag in ("meta", "link", "img", "a"):
            continue
        if el.tag == "h1":
            # a headline; an h1 that is a link (a site's name in its header, linking home) heads no deck
            after_h1 = sum(len(all_text(a)) for a in el.iter("a")) < 0.5 * len(all_text(el))
        elif after_h1 and el.tag in _SUB_HEADINGS:
            after_h1 = False
            deck = _deck(el, region)
            if deck:
                out.append((deck, True))
            if el is first_el:
                break
            if deck:
                continue
        cls = class_and_id(el)
        if not cls.strip() or not _LEAD_CLASS.search(cls):
            continue
        if in_boilerplate(el, region) and not _LEAD_CLASS.search(el.get("class") or ""):
            continue
        if any(node.tag in ("figure", "figcaption", "aside", "nav", "footer") for node in (el, *el.iterancestors())):
            continue
        blocks = sum(1 for sub in el.iter("p", "div", "li", "h1", "h2", "h3", "figure", "ul") if sub is not el)
        if blocks > 3:
            continue
        text = clean_element_text(el)
        if not text or not 30 <= len(text) <= 1000:
            continue
        links = sum(len(all_text(a)) for a in el.iter("a"))
        if links > 0.5 * len(text):
            continue
        out.append((text, False))
    return list(dict.fromkeys(out))


def _deck(el, region) -> str | None:
    """The text of the first sub-heading under the headline when it is a deck: a standfirst the page sets
    as a heading (``<h1>Headline</h1><h2>Eight words or more saying what the article says ...</h2>``)
    before the body's first paragraph, mostly not link text, outside boxes. A shorter heading there is a
    kicker or a label, not a lead; a heading after the first paragraph is a sub-heading."""
    if in_boilerplate(el, region):
        return None
    text = clean_element_text(el)
    if len(text.split()) < _DECK_WORDS or len(text) > 1000:
        return None
    if sum(len(all_text(a)) for a in el.iter("a")) > 0.5 * len(text):
        return None
    return text

_CREDIT_MARK = re.compile(r"©|\((?:image|photo|foto|bild|picture|credit)s?\s*:|\b(?:foto|photo|bild|image)\s*:\s", re.IGNORECASE)


# A dateline opening a paragraph: a place (and a date, an agency) then a dash or a middle dot, as in
# "HANOI, March 3 (Reuters) - ", "Berlin (dpa) – ", "INDIANAPOLIS (AP) — ", "Neuss · ". Short, and no sentence
# ends inside it.
_DATELINE = re.compile(r"^[^.!?\n]{1,60}?(?:\([^()]{1,30}\)\s*)?[-–—·]\s+")


def repeats_opening(lead: str, body: list[str]) -> bool:
    """Whether ``lead`` only repeats the start of the body: one of its first paragraphs, or their first
    sentences (a teaser cut short, with or without "…"), word for word, the first paragraph perhaps after
    a dateline the lead leaves out, or but for its initial letter (a drop cap the description lost).

    A description (or a standfirst) that says what the body's opening says is not a lead: given as one, it
    is read twice (the lead, then the body).
    """
    key = norm_key(lead.rstrip(" .…"))
    if len(key) < 20:
        return False
    for i, paragraph in enumerate(body[:3]):
        candidates = [norm_key(paragraph)]
        if i == 0:
            match = _DATELINE.match(paragraph)
            if match:
                candidates.append(norm_key(paragraph[match.end():]))
        # c[1:]: the paragraph's initial in a drop cap of its own, which a description made from it lost.
        if any(c.startswith(key) or c[1:].startswith(key) for c in candidates):
            return True
    return False


def choose_lead(doc, data: StructuredData, body: list[str], region, first_el=None, *,
                title: str | None = None, caption_keys: set[str] = frozenset()) -> tuple[str | None, str | None, list[str]]:
    """(lead, layer, body without the lead).

    1. a standfirst candidate printed as one of the body's first paragraphs is moved out of the body
       (a lead-class element or deck: one of the first three; the structured description: the first);
    2. a lead-class element or a deck (:func:`_deck`) of the article region placed before the body;
    3. the structured description, when the article region shows it and it is
       not just the first paragraph cut short.

    A lead of 2. or 3. that repeats the body's opening (:func:`repeats_opening`) is none: the body keeps it;
    so is a first body paragraph that the second one repeats.
    """
    if len(body) > 1 and repeats_opening(body[0], body[1:2]):
        body = body[1:]  # a standfirst the body took, then the first paragraph saying it again (after a dateline)
    first_keys = [norm_key(p) for p in body[:3]]
    body_keys = [norm_key(p) for p in body]
    found = lead_candidates(doc, region, first_el)
    dom = [(text, "generic") for text, _ in found]
    decks = {text for text, is_deck in found if is_deck}
    described = list(data.descriptions())

    title_key = norm_key(title)
    title_words = set(title_key.split())

    def usable(text: str) -> bool:
        key = norm_key(text)
        if len(key) < 20 or (len(key.split()) < 6 and len(text) < 40):
            return False
        if key in caption_keys or _CREDIT_MARK.search(text):
            return False  # an image caption
        if any(len(ck) > 30 and ck in key for ck in caption_keys):
            return False  # a caption with its furniture around it ("Photo ... Credit ...")
        if title_key and title_key in key and len(key) < len(title_key) + 30:
            return False  # the headline with a label
        if text in decks:
            # Shown as a heading of its own above the text, a reader reads it, then the text; unless it says
            # the headline again (a title "Label: Headline" whose h1 is the label, the headline in an h2).
            words = key.split()
            return not title_key or sum(w in title_words for w in words) < 0.8 * len(words)
        return not any(len(bk) > 30 and bk in key and bk != key for bk in body_keys)  # holds body text

    for text, layer in [*dom, *described]:
        if not usable(text):
            continue
        key = norm_key(text)
        for i, fk in enumerate(first_keys):
            # A description saying what the second or third paragraph says is that paragraph where the
            # page shows it, not a standfirst: moved above the first, it changed the text's order. (An
            # element the page marks as the lead is one wherever trafilatura put it.)
            if fk == key and (i == 0 or layer == "generic"):
                return body[i], layer, body[:i] + body[i + 1:]
    for text, layer in dom:
        if usable(text) and not repeats_opening(text, body):
            return text, layer, body
    region_key = None
    for text, layer in described:
        if not usable(text):
            continue
        key = norm_key(text)
        stem = key.rsplit(" ", 1)[0] if text.rstrip().endswith(("…", "...")) else key
        if body_keys and body_keys[0].startswith(stem):
            continue  # a teaser: the first paragraph cut short
        if repeats_opening(text, body):
            continue  # the opening again (after a dateline, or of the second paragraph)
        if region_key is None:
            region_key = norm_key(clean_element_text(region)) if region is not None else ""
        if key and key in region_key:
            return text, layer, body
    return None, None, body
