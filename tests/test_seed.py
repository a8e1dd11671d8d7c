"""The user's own example: ../shared/seed/page.html must extract exactly as expected.json says."""
import json
import unicodedata

from conftest import shared_path

from newscrawl import extract_article


def nfc_words(s):
    return " ".join(unicodedata.normalize("NFC", s or "").split())


def test_seed_page_extracts_as_expected():
    seed = shared_path("seed")
    expected = json.loads((seed / "expected.json").read_text(encoding="utf-8"))
    item = extract_article((seed / "page.html").read_bytes(), expected["url"])

    assert item["site"] == "tuyengiao"
    assert item["title"] == expected["title"]
    assert item["section"] == expected["section"]
    assert item["published"] == expected["published"]  # not the 'today' banner date
    assert item["authors"] == expected["authors"]
    assert [c["text"] for c in item["captions"]] == expected["captions"]  # each once, in order
    assert item["body"] == [nfc_words(p) for p in expected["body_paragraphs"]]
    body = " ".join(item["body"])
    for boilerplate in expected["boilerplate_not_in_body"]:
        assert boilerplate not in body
    assert item["language"] == expected["language"]
    assert item["canonical_url"] == expected["url"]
    assert item["missing"] == []
    assert item["extraction"]["title"] == "site" and item["extraction"]["body"] == "site"
    for caption in item["captions"]:
        assert caption["image_url"].startswith("https://tuyengiao.vn/Uploads/2024/3/13/")
    for text in [item["title"], *item["body"]]:
        assert unicodedata.normalize("NFC", text) == text


def test_seed_page_item_is_schema_valid(article_schema):
    seed = shared_path("seed")
    expected = json.loads((seed / "expected.json").read_text(encoding="utf-8"))
    item = extract_article((seed / "page.html").read_bytes(), expected["url"])
    assert not list(article_schema.iter_errors(item))


def test_seed_page_nfd_copy_gives_the_same_item():
    """Vietnamese text arriving decomposed (NFD) must give the same NFC item and the same content hash."""
    seed = shared_path("seed")
    expected = json.loads((seed / "expected.json").read_text(encoding="utf-8"))
    html = (seed / "page.html").read_text(encoding="utf-8")
    nfc_item = extract_article(html, expected["url"])
    nfd_item = extract_article(unicodedata.normalize("NFD", html), expected["url"])
    for field in ("title", "section", "published", "authors", "captions", "body", "content_hash"):
        assert nfd_item[field] == nfc_item[field], field
