"""The expected body *with headings*: where the expected sub-headings go among the paragraphs.

Both corpora give the sub-headings apart from the paragraphs (``subheadings``
beside ``body_paragraphs``), without their positions. The body with headings is
scored with the same 4-token shingles as the body. Shingles do not care about
the order of paragraphs except at the joins, but a sub-heading is short (most
are under 4 tokens), so nearly all its shingles straddle its joins: appended at
the end instead of in place, the headings cost a perfect extraction several
points (measured on extraction-open: trafilatura's body with headings 0.957
with the headings in place, 0.937 appended). So they are put where the page
has them:

* every paragraph and every heading is looked up in the page's visible text (as
  ``\\w+`` tokens, casefolded): a paragraph by its first tokens, each at or after
  the one before (paragraphs keep their order), a heading by all its tokens,
  at or after the heading before it, preferring an occurrence at or after the
  first paragraph (a table of contents above the text repeats the headings);
* words the page glues to a heading's or paragraph's ends (inline elements side
  by side) still match, when nothing matches exactly;
* a heading goes before the first paragraph found after it; a heading the page
  does not show (or one the lookup cannot place) is appended at the end.
"""
from __future__ import annotations

from collections import defaultdict

from newscrawl.extract.document import Document
from newscrawl.extract.generic.dom import clean_element_text
from newscrawl.ops.eval.scoring import tokens

# tokens of a paragraph's start used to find it: enough to be unique on a page, few enough to
# survive a paragraph the page splits or marks up differently further on
_PARAGRAPH_PROBE = 8



def page_tokens(html: bytes | str, encoding: str | None = None) -> list[str]:
    """The page's visible text (blocks apart, no script or style) as casefolded ``\\w+`` tokens, in order.

    ``encoding``: the charset the corpus says the bytes are in (extraction-open2's ``encoding``), if any.
    """
    content_type = f"text/html; charset={encoding}" if encoding else None
    root = Document(html, "", content_type).root
    body = root.find(".//body")
    return [t.casefold() for t in tokens(clean_element_text(body if body is not None else root))]


class _Finder:
    """Token-sequence lookup in one page's tokens."""

    def __init__(self, toks: list[str]):
        self.toks = toks
        self.where: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(toks):
            self.where[t].append(i)

    def find_all(self, seq: list[str]) -> list[int]:
        """Where ``seq`` starts; failing exact matches, matches glued to their neighbours.

        Inline elements side by side (``<span>Heading</span><span>Text``) give
        glued words ("headingtext"): then the first token may end a page token
        and the last one begin one.
        """
        if not seq:
            return []
        n = len(seq)
        exact = [i for i in self.where.get(seq[0], ()) if self.toks[i : i + n] == seq]
        if exact:
            return exact
        first, middle, last = seq[0], seq[1:-1], seq[-1]
        found = []
        for i, tok in enumerate(self.toks):
            if not tok.endswith(first) or i + n > len(self.toks):
                continue
            if n == 1 or (self.toks[i + 1 : i + n - 1] == middle and self.toks[i + n - 1].startswith(last)):
                found.append(i)
        return found


def order_headings(paragraphs: list[str], headings: list[str], toks: list[str]) -> tuple[list[str], int]:
    """``paragraphs`` with ``headings`` interleaved where the page shows them (module docstring).

    Returns the blocks in order and the number of headings that had to be appended.
    """
    if not headings:
        return list(paragraphs), 0
    finder = _Finder(toks)
    para_pos: list[int | None] = []
    after = 0
    for text in paragraphs:
        probe = [t.casefold() for t in tokens(text)][:_PARAGRAPH_PROBE]
        hits = [i for i in finder.find_all(probe) if i >= after]
        if hits:
            after = hits[0]
            para_pos.append(hits[0])
        else:
            para_pos.append(None)
    first_para = next((p for p in para_pos if p is not None), 0)
    placed: list[tuple[int, str]] = []
    appended: list[str] = []
    after = 0
    for text in headings:
        hits = [i for i in finder.find_all([t.casefold() for t in tokens(text)]) if i >= after]
        in_text = [i for i in hits if i >= first_para]
        pos = (in_text or hits or [None])[0]
        if pos is None:
            appended.append(text)
            continue
        placed.append((pos, text))
        after = pos
    out: list[str] = []
    pending = sorted(placed, key=lambda item: item[0])  # already in order; sorted for safety
    last = -1
    for text, pos in zip(paragraphs, para_pos):
        here = last if pos is None else pos
        while pending and pending[0][0] <= here:
            out.append(pending.pop(0)[1])
        out.append(text)
        last = here
    out.extend(text for _pos, text in pending)
    out.extend(appended)
    return out, len(appended)
