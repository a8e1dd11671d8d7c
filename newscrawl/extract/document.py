"""A parsed page: decoded text, a parsel selector and the lxml root, built once."""
from __future__ import annotations

import codecs
from functools import cached_property

import parsel
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, read_bom


def decode_html(data: bytes | str, content_type: str | None = None) -> str:
    """Decode page bytes the way a careful browser would.

    Trust order: the HTTP header's charset, the page's meta charset, a BOM, then
    detection. One exception: bytes that are valid UTF-8 and not plain ASCII are
    UTF-8 whatever a header says, because a Vietnamese page in a single-byte
    charset (windows-1258, latin-1) practically never forms valid UTF-8
    sequences, while mislabelled UTF-8 pages are common.
    """
    if isinstance(data, str):
        return data
    if not data:
        return ""
    bom_encoding, bom = read_bom(data)
    declared = None
    if content_type:
        declared = http_content_type_encoding(content_type)
    if not declared:
        declared = html_body_declared_encoding(data[:4096])
    if not declared and bom_encoding:
        declared = bom_encoding
    body = data[len(bom):] if bom else data
    if not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            codecs.lookup(declared)
            return body.decode(declared, errors="replace")
        except LookupError:
            pass
    # Nothing usable declared: let w3lib detect (it also handles BOMs).
    _, text = html_to_unicode(None, data)
    return text


class Document:
    """One page to extract from. Parsing happens once and is shared by every layer."""

    def __init__(self, html: bytes | str, url: str, content_type: str | None = None):
        self.url = url
        self.text = decode_html(html, content_type)
        # lxml chokes on NUL bytes and on an XML declaration inside a str.
        self.text = self.text.replace("\x00", "")

    @cached_property
    def sel(self) -> parsel.Selector:
        text = self.text if self.text.strip() else "<html></html>"
        try:
            return parsel.Selector(text=text, type="html", base_url=self.url)
        except Exception:  # parsel/lxml raise on some binary garbage
            return parsel.Selector(text="<html></html>", type="html", base_url=self.url)

    @property
    def root(self):
        return self.sel.root
