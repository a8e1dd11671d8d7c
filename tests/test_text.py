"""The text cleaning every item goes through: nothing invisible, nothing a database or a UTF-8 file refuses."""
from __future__ import annotations

from newscrawl.extract.normalize import clean_article
from newscrawl.model.text import INVISIBLE, clean_text, storable, unstorable


def test_clean_text_removes_surrogates_nul_controls_and_bidi_isolates():
    assert clean_text("thi\ud800 cử") == "thi cử"  # a lone surrogate stood for a lost character
    assert clean_text("\udfffBài\udc80 viết") == "Bài viết"
    assert clean_text("Hà\x00Nội") == "Hà Nội"  # a control character stood between words
    assert clean_text("a\x01b\x1fc\x7fd") == "a b c d"
    for isolate in "\u2066\u2067\u2068\u2069":
        assert clean_text(f"Tin {isolate}nóng{isolate}") == "Tin nóng"
        assert INVISIBLE.search(isolate)  # one definition of what is invisible, also for the eval (newscrawl/ops/eval)
    assert clean_text("\u2068\ud800\x00") is None


def test_storable_cleans_every_string_of_nested_values_and_keeps_tab_and_newline():
    value = {"image_url": "https://x.vn/a\x00b.jpg", "list": ["ok\ud800", ("t\tu\nv\rw", 3)], "n": None}
    assert storable(value) == {"image_url": "https://x.vn/ab.jpg", "list": ["ok", ("t\tu\nv\rw", 3)], "n": None}
    assert unstorable(value) and not unstorable(storable(value))
    assert unstorable(["fine", {"key\x00": 1}])
    assert not unstorable({"text": "Tiếng Việt \u200b\t"})


def test_clean_article_leaves_no_unstorable_character_in_any_field():
    item = {
        "url": "https://tuyengiao.vn/a\x00b", "canonical_url": "https://tuyengiao.vn/a\ud800b",
        "title": "Tiêu đề\u2066 x\u2069", "tags": ["thi\ud800 cử"], "images": ["https://tuyengiao.vn/i\x00.jpg"],
        "captions": [{"text": "Ảnh\x00 chú thích", "image_url": "https://tuyengiao.vn/c\x00.jpg", "credit": None}],
        "body": ["Đoạn\ud83d văn."], "extraction": {"title\x00": "site"},
    }
    clean_article(item)
    assert not unstorable(item)
    assert item["url"] == "https://tuyengiao.vn/ab" and item["canonical_url"] == "https://tuyengiao.vn/ab"
    assert item["title"] == "Tiêu đề x" and item["tags"] == ["thi cử"]
    assert item["images"] == ["https://tuyengiao.vn/i.jpg"]
    assert item["captions"] == [{"text": "Ảnh chú thích", "image_url": "https://tuyengiao.vn/c.jpg", "credit": None}]
    assert item["body"] == ["Đoạn văn."]


def test_clean_text_is_idempotent_on_entities_encoded_more_than_once():
    # Extraction normalises each value once, so one call must decode what several used to.
    assert clean_text("A &amp;#8220;quote&amp;#8221;") == "A “quote”"
    assert clean_text("Fish &amp;amp;amp; chips") == "Fish & chips"
    for text in ("a &amp;lt;b&amp;gt;", "x &amp;amp;#x200b; y", "&amp;nbsp;Tin &amp;amp; ảnh"):
        once = clean_text(text)
        assert clean_text(once) == once, text
