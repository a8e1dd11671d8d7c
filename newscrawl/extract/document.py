"""A parsed page: decoded text, a parsel selector and the lxml root, built once."""
from __future__ import annotations

import codecs
from functools import cached_property

import lxml.html
import parsel
from lxml import etree
from parsel.selector import create_root_node
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom

from newscrawl.extract.errors import ExtractionErrors
from newscrawl.extract.structured import StructuredData


def decode_html(data: bytes | str, content_type: str | None = None, fallback_encoding: str = "windows-1258") -> str:
    """Decode page bytes the way a careful browser would.

    Trust order: the HTTP header's charset, the page's meta charset, a BOM; each
    is used only if the bytes really decode in it. Bytes that are valid UTF-8
    and not plain ASCII are UTF-8 whatever a header says, because a Vietnamese
    page in a single-byte charset practically never forms valid UTF-8
    sequences, while mislabelled UTF-8 pages are common. Bytes that fit none of
    the declared charsets are read in the site's legacy code page
    (``fallback_encoding``: windows-1258 for Vietnamese sites) before anything
    is replaced by U+FFFD.
    """
    if isinstance(data, str):
        return data
    if not data:
        return ""
    bom_encoding, bom = read_bom(data)
    body = data[len(bom):] if bom else data
    if not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    declared = [
        http_content_type_encoding(content_type) if content_type else None,
        html_body_declared_encoding(data[:4096]),
        bom_encoding,
    ]
    for encoding in dict.fromkeys(e for e in declared if e):
        try:
            codecs.lookup(encoding)
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    if fallback_encoding:
        try:
            return body.decode(fallback_encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    for encoding in dict.fromkeys(e for e in declared if e):
        try:
            return body.decode(encoding, errors="replace")
        except LookupError:
            continue
    # Nothing usable declared: let w3lib detect.
    _, text = html_to_unicode(None, data)
    return text


class _HTMLParser(lxml.html.HTMLParser):
    """lxml.html's parser with its element classes assigned in C.

    lxml.html picks each element's class (form, input, label...) in a Python
    callback, run whenever an element is touched from Python: thousands of times
    per page in the generic layer and trafilatura. Every element here is a plain
    HtmlElement (``text_content()``, ``drop_tree()``, what trafilatura expects),
    without the form helpers nobody here uses.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))


class Document:
    """One page to extract from. Parsing happens once and is shared by every layer, and so does the
    structured data (JSON-LD is parsed once per page) and the record of failed extractors (``errors``)."""

    def __init__(self, html: bytes | str, url: str, content_type: str | None = None, *, strict: bool = False):
        self.url = url
        self.errors = ExtractionErrors(url, strict)
        self.text = decode_html(html, content_type)
        # lxml chokes on NUL bytes and on an XML declaration inside a str.
        self.text = self.text.replace("\x00", "")

    @cached_property
    def sel(self) -> parsel.Selector:
        text = self.text if self.text.strip() else "<html></html>"
        try:
            root = create_root_node(text, _HTMLParser, base_url=self.url)
            return parsel.Selector(root=root, type="html", base_url=self.url)
        except (etree.LxmlError, ValueError):  # lxml refuses some binary garbage: it is read as an empty page
            return parsel.Selector(text="<html></html>", type="html", base_url=self.url)

    @property
    def root(self):
        return self.sel.root

    @cached_property
    def structured(self) -> StructuredData:
        return StructuredData(self)
