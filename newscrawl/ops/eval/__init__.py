"""Score newscrawl's extraction (and trafilatura's) against pages with expected fields.

``newscrawl eval DIR`` reads the pages listed in ``DIR/index.json`` (or every
``*.html.gz`` / ``*.html`` with a ``.json`` beside it), extracts each one with
newscrawl and with trafilatura in the same run, and prints every field side by
side, then a table per group of pages of the same source.

Expected fields (the JSON beside each page): ``url``, ``title``, ``authors``,
``published`` (``YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]``, ISO 8601, or a bare
``YYYY-MM-DD``), ``lead`` (list), ``body_paragraphs`` (list), ``subheadings``
(list), ``captions`` (list), ``must_contain`` / ``must_not_contain`` (lists of
snippets), ``publisher`` (groups the pages). Two folder formats are read the
same way: ../shared/extraction-open (every field given) and
../shared/extraction-open2 (a field its source does not give is null, and is
not scored on that page).

The parts: :mod:`.loading` (the pages, their groups), :mod:`.scoring` (the rule
per field), :mod:`.headings` (the expected body with headings), :mod:`.page`
(which texts are compared, one page's scores), :mod:`.extractors` (the systems),
:mod:`.run` (the run and its sums), :mod:`.output` (the tables), :mod:`.cli`.
"""
from newscrawl.ops.eval.cli import main
from newscrawl.ops.eval.extractors import default_extractor, fallback_extractor, trafilatura_extractor
from newscrawl.ops.eval.headings import order_headings, page_tokens
from newscrawl.ops.eval.loading import group_of, load_pages, read_html
from newscrawl.ops.eval.output import format_failures, format_groups, format_report
from newscrawl.ops.eval.page import (
    expected_texts, extracted_text, extracted_text_with_headings, given, score_page,
)
from newscrawl.ops.eval.run import evaluate, summarise
from newscrawl.ops.eval.scoring import (
    author_key, authors_match, captions_f1, is_outlet, norm_text, offset_match, outlet_keys, parse_when, prf,
    published_match, shingles, snippet_scores, tokens,
)

__all__ = [
    "main", "evaluate", "summarise", "load_pages", "read_html", "group_of",
    "default_extractor", "fallback_extractor", "trafilatura_extractor",
    "order_headings", "page_tokens", "expected_texts", "extracted_text", "extracted_text_with_headings",
    "given", "score_page", "format_report", "format_groups", "format_failures",
    "author_key", "authors_match", "captions_f1", "is_outlet", "norm_text", "offset_match", "outlet_keys",
    "parse_when", "prf", "published_match", "shingles", "snippet_scores", "tokens",
]
