"""Unit tests for newscrawl.extract.authors (pure functions, no network)."""
from __future__ import annotations

import random
import unicodedata

import pytest

from newscrawl.extract.authors import AGENCIES, Byline, looks_like_byline, parse_byline, split_photo_credit

# (byline as printed, authors, authors_raw, source)
BYLINES = [
    ("Thu Hằng", ["Thu Hằng"], ["Thu Hằng"], None),
    ("XUÂN LONG", ["Xuân Long"], ["XUÂN LONG"], None),
    ("ĐỨC HÙNG", ["Đức Hùng"], ["ĐỨC HÙNG"], None),
    ("NGUYỄN THỊ ÁNH TUYẾT", ["Nguyễn Thị Ánh Tuyết"], ["NGUYỄN THỊ ÁNH TUYẾT"], None),
    ("Minh Anh - Quốc Hùng", ["Minh Anh", "Quốc Hùng"], ["Minh Anh", "Quốc Hùng"], None),
    ("Minh Anh – Quốc Hùng", ["Minh Anh", "Quốc Hùng"], ["Minh Anh", "Quốc Hùng"], None),
    ("Minh Anh — Quốc Hùng", ["Minh Anh", "Quốc Hùng"], ["Minh Anh", "Quốc Hùng"], None),
    ("Minh Anh, Quốc Hùng", ["Minh Anh", "Quốc Hùng"], ["Minh Anh", "Quốc Hùng"], None),
    ("Minh Anh và Quốc Hùng", ["Minh Anh", "Quốc Hùng"], ["Minh Anh", "Quốc Hùng"], None),
    ("MINH ANH VÀ QUỐC HÙNG", ["Minh Anh", "Quốc Hùng"], ["MINH ANH", "QUỐC HÙNG"], None),
    ("Minh Anh, Quốc Hùng và Thu Hằng", ["Minh Anh", "Quốc Hùng", "Thu Hằng"],
     ["Minh Anh", "Quốc Hùng", "Thu Hằng"], None),
    ("Nguyễn Văn A và Trần Thị B", ["Nguyễn Văn A", "Trần Thị B"], ["Nguyễn Văn A", "Trần Thị B"], None),
    ("Nhóm phóng viên", ["Nhóm phóng viên"], ["Nhóm phóng viên"], None),
    ("Nhóm PV", ["Nhóm PV"], ["Nhóm PV"], None),
    ("PV", ["PV"], ["PV"], None),
    ("Phóng viên", ["Phóng viên"], ["Phóng viên"], None),
    ("PV Thu Hằng", ["Thu Hằng"], ["Thu Hằng"], None),
    ("Theo TTXVN", [], [], "TTXVN"),
    ("theo ttxvn", [], [], "TTXVN"),
    ("(Nguồn: VOV)", [], [], "VOV"),
    ("Nguồn: VOV", [], [], "VOV"),
    ("(TTXVN/Vietnam+)", [], [], "TTXVN/Vietnam+"),
    ("TTXVN", [], [], "TTXVN"),
    ("Thu Hằng (TTXVN)", ["Thu Hằng"], ["Thu Hằng"], "TTXVN"),
    ("THU HẰNG (TTXVN)", ["Thu Hằng"], ["THU HẰNG"], "TTXVN"),
    ("Thu Hằng/TTXVN", ["Thu Hằng"], ["Thu Hằng"], "TTXVN"),
    ("Thu Hằng - TTXVN", ["Thu Hằng"], ["Thu Hằng"], "TTXVN"),
    ("PV/VOV", ["PV"], ["PV"], "VOV"),
    ("Minh Anh (theo Reuters)", ["Minh Anh"], ["Minh Anh"], "Reuters"),
    ("Bài và ảnh: Ngọc Mai", ["Ngọc Mai"], ["Ngọc Mai"], None),
    ("Bài, ảnh: Ngọc Mai", ["Ngọc Mai"], ["Ngọc Mai"], None),
    ("Bài - ảnh: Ngọc Mai", ["Ngọc Mai"], ["Ngọc Mai"], None),
    ("Bài: Ngọc Mai", ["Ngọc Mai"], ["Ngọc Mai"], None),
    ("Tác giả: Ngọc Mai", ["Ngọc Mai"], ["Ngọc Mai"], None),
    ("Bài: Minh Anh - Ảnh: Quốc Hùng", ["Minh Anh"], ["Minh Anh"], None),
    ("Bài: Minh Anh; Đồ họa: Quốc Hùng", ["Minh Anh"], ["Minh Anh"], None),
    ("Bài và ảnh: NGUYỄN VĂN MINH, TRẦN THỊ HỒNG NHUNG và LÊ QUỐC HÙNG.",
     ["Nguyễn Văn Minh", "Trần Thị Hồng Nhung", "Lê Quốc Hùng"],
     ["NGUYỄN VĂN MINH", "TRẦN THỊ HỒNG NHUNG", "LÊ QUỐC HÙNG"], None),
    ("THU HẰNG (tổng hợp)", ["Thu Hằng"], ["THU HẰNG"], None),
    ("Minh Anh tổng hợp", ["Minh Anh"], ["Minh Anh"], None),
    ("Thu Hằng.", ["Thu Hằng"], ["Thu Hằng"], None),
    ("V.D", ["V.D"], ["V.D"], None),
    ("H.Giang", ["H.Giang"], ["H.Giang"], None),
    ("By Jane Doe and John Smith", ["Jane Doe", "John Smith"], ["Jane Doe", "John Smith"], None),
    ("by Jane Doe", ["Jane Doe"], ["Jane Doe"], None),
    ("Von Hans Müller und Eva Schmidt", ["Hans Müller", "Eva Schmidt"], ["Hans Müller", "Eva Schmidt"], None),
    ("Par Jean-Pierre Martin", ["Jean-Pierre Martin"], ["Jean-Pierre Martin"], None),
    ("Jane Doe, Reuters", ["Jane Doe"], ["Jane Doe"], "Reuters"),
    ("Ludwig van Beethoven", ["Ludwig van Beethoven"], ["Ludwig van Beethoven"], None),
    ("Theo Báo Nhân Dân", [], [], "Báo Nhân Dân"),
    ("Theo báo Tuổi Trẻ", [], [], "báo Tuổi Trẻ"),
    ("Theo AFP, Reuters", [], [], "AFP, Reuters"),
    ("AFP/TTXVN", [], [], "AFP/TTXVN"),
    ("Reuters", [], [], "Reuters"),
    ("Thu Hằng&nbsp;-&nbsp;Quốc Hùng", ["Thu Hằng", "Quốc Hùng"], ["Thu Hằng", "Quốc Hùng"], None),
    # a date, time or reading time after a separator is not a name
    ("Jane Doe | 3 March 2024", ["Jane Doe"], ["Jane Doe"], None),
    ("// By Arun Example • Nov 11, 2020 • 5 min read", ["Arun Example"], ["Arun Example"], None),
    # role words are not part of the name
    ("Jane Doe, reporter", ["Jane Doe"], ["Jane Doe"], None),
    ("Jane Doe, Washington correspondent", ["Jane Doe"], ["Jane Doe"], None),
    ("Von Eva Schmidt, Redakteurin", ["Eva Schmidt"], ["Eva Schmidt"], None),
    ("Redakteurin Eva Schmidt", ["Eva Schmidt"], ["Eva Schmidt"], None),
    ("Thu Hằng, phóng viên", ["Thu Hằng"], ["Thu Hằng"], None),
    # a label with a colon
    ("Von: Bill Example, Mara Example", ["Bill Example", "Mara Example"], ["Bill Example", "Mara Example"], None),
    # an agency with its dateline; an agency's desk credited for the translation
    ("AFP, MANILA", [], [], "AFP"),
    ("Übersetzung und Adaptierung: AFP Deutschland", [], [], "AFP Deutschland"),
    # a signature after a closing salutation
    ("Deine Mady", ["Mady"], ["Mady"], None),
    ("Liebe Grüße, Anna Beispiel", ["Anna Beispiel"], ["Anna Beispiel"], None),
    # the full stop of an initial or a suffix is part of the name
    ("Perry Example Jr.", ["Perry Example Jr."], ["Perry Example Jr."], None),
    ("Nicolas Gutierrez C.", ["Nicolas Gutierrez C."], ["Nicolas Gutierrez C."], None),
    # a date after "on" / "am" / "le"
    ("VON ERNA BEISPIEL am 21. April 2020", ["Erna Beispiel"], ["ERNA BEISPIEL"], None),
    ("By Jane Doe on March 3, 2024", ["Jane Doe"], ["Jane Doe"], None),
    # an outlet's acronym after a full name is the source; a credit such as BBT is not,
    # and a role such as PV is dropped beside a name
    ("Nathan Example | KUT", ["Nathan Example"], ["Nathan Example"], "KUT"),
    ("Thu Hằng, BBT", ["Thu Hằng", "BBT"], ["Thu Hằng", "BBT"], None),
    ("Thu Hằng, PV", ["Thu Hằng"], ["Thu Hằng"], None),
    # an agency word makes a name an agency's
    ("SID Nachrichtenagentur", [], [], "SID Nachrichtenagentur"),
    ("Jane Doe, Agence France-Presse", ["Jane Doe"], ["Jane Doe"], "Agence France-Presse"),
]


@pytest.mark.parametrize(("text", "authors", "raw", "source"), BYLINES)
def test_parse_byline(text, authors, raw, source):
    byline = parse_byline(text)
    assert byline == Byline(authors=authors, authors_raw=raw, source=source)


@pytest.mark.parametrize(("text", "authors", "raw", "source"), BYLINES)
def test_every_byline_form_looks_like_a_byline(text, authors, raw, source):
    assert looks_like_byline(text)


@pytest.mark.parametrize("agency", AGENCIES)
def test_each_known_agency_alone_is_a_source_not_an_author(agency):
    byline = parse_byline(agency)
    assert byline.authors == []
    assert byline.source == agency


def test_agency_list_has_one_spelling_per_name():
    keys = [a.casefold() for a in AGENCIES]
    assert len(keys) == len(set(keys))


def test_agency_names_are_canonicalised():
    assert parse_byline("Theo REUTERS").source == "Reuters"
    assert parse_byline("(theo Ttxvn)").source == "TTXVN"


def test_proper_case_is_unicode_correct_and_nfc():
    decomposed = unicodedata.normalize("NFD", "ĐỨC HÙNG")
    byline = parse_byline(decomposed)
    assert byline.authors == ["Đức Hùng"]
    assert unicodedata.is_normalized("NFC", byline.authors[0])
    assert unicodedata.is_normalized("NFC", byline.authors_raw[0])
    assert parse_byline("ỨNG QUỐC ĐẠT").authors == ["Ứng Quốc Đạt"]


@pytest.mark.parametrize(
    "text",
    [
        "Hội nghị kết thúc lúc 17 giờ.",
        "Bộ Y tế cho biết số ca mắc mới đã giảm mạnh trong tuần qua so với tuần trước đó ở nhiều tỉnh thành phía Bắc.",
        "Ông Minh Anh, Giám đốc Sở, cho biết.",
        "Theo kế hoạch, Minh Anh và Quốc Hùng sẽ đi công tác.",
        "Theo thông tin từ Bộ Y tế, ngày 13/3 có 500 ca mắc mới.",
        "Bộ Y Tế Công Bố Kết Quả.",  # title-cased sentence
        "Nguyễn Văn An Bình Minh Trần Quốc Hùng",  # more than six words in one name
        "Minh Anh 2024",
        "Phòng 305",
        "Xem thêm",
        "Video",
        "tổng hợp",
        "Minh Anh?",
        "",
        "   ",
        "Tags: kinh tế, xã hội",
    ],
)
def test_not_a_byline(text):
    assert not looks_like_byline(text)
    byline = parse_byline(text)
    assert byline.authors == [] and byline.authors_raw == []


def test_twenty_word_paragraph_is_not_a_byline():
    paragraph = " ".join(["Quang"] * 20)
    assert not looks_like_byline(paragraph)
    assert parse_byline(paragraph).authors == []


def test_photo_credit_line_looks_like_a_byline_but_has_no_author():
    assert looks_like_byline("Ảnh: Minh Đức")
    assert parse_byline("Ảnh: Minh Đức") == Byline()


def test_non_string_and_random_input_never_raise():
    assert parse_byline(None) == Byline()  # type: ignore[arg-type]
    assert looks_like_byline(None) is False  # type: ignore[arg-type]
    rng = random.Random(7)
    alphabet = "ABCĐẠỨaăâbcđêôơư ()[]/:-–—,;.&+'\"0123456789TheoBàiảnhNguồnPVvàand\u00a0\u0301"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        byline = parse_byline(text)
        assert isinstance(byline, Byline)
        assert len(byline.authors) == len(byline.authors_raw)
        assert all(isinstance(a, str) and a for a in byline.authors)
        assert isinstance(looks_like_byline(text), bool)
        caption, credit = split_photo_credit(text)
        assert isinstance(caption, str) and (credit is None or isinstance(credit, str))


# (caption as printed, caption without the credit, credit)
CAPTIONS = [
    ("Quang cảnh buổi lễ. Ảnh: Minh Đức", "Quang cảnh buổi lễ.", "Minh Đức"),
    ("Quang cảnh buổi lễ (Ảnh: TTXVN)", "Quang cảnh buổi lễ", "TTXVN"),
    ("Quang cảnh buổi lễ. (Ảnh: Minh Đức/TTXVN)", "Quang cảnh buổi lễ.", "Minh Đức/TTXVN"),
    ("Quang cảnh buổi lễ - Ảnh: V.D", "Quang cảnh buổi lễ", "V.D"),
    ("Quang cảnh buổi lễ. Ảnh: V.D.", "Quang cảnh buổi lễ.", "V.D"),
    ("Quang cảnh buổi lễ. (Ảnh minh họa)", "Quang cảnh buổi lễ.", None),
    ("Quang cảnh buổi lễ. Ảnh minh hoạ", "Quang cảnh buổi lễ.", None),
    ("Quang cảnh buổi lễ. Ảnh minh họa: Internet", "Quang cảnh buổi lễ.", "Internet"),
    ("Ảnh minh họa", "Ảnh minh họa", None),
    ("A view of the city. Photo: Jane Doe", "A view of the city.", "Jane Doe"),
    ("A view of the city. Photo by Jane Doe/Reuters", "A view of the city.", "Jane Doe/Reuters"),
    ("Ein Blick auf die Stadt. Foto: Hans Müller", "Ein Blick auf die Stadt.", "Hans Müller"),
    ("Toàn cảnh trận đấu. Video: Minh Anh", "Toàn cảnh trận đấu.", "Minh Anh"),
    ("Biểu đồ tăng trưởng. Nguồn: GSO", "Biểu đồ tăng trưởng.", "GSO"),
    ("Ảnh: Minh Đức", "", "Minh Đức"),
    ("Quang cảnh buổi lễ.", "Quang cảnh buổi lễ.", None),
    ("Quang cảnh buổi lễ khai mạc tại Hà Nội", "Quang cảnh buổi lễ khai mạc tại Hà Nội", None),
    ("", "", None),
]


@pytest.mark.parametrize(("caption", "text", "credit"), CAPTIONS)
def test_split_photo_credit(caption, text, credit):
    assert split_photo_credit(caption) == (text, credit)


def test_long_text_after_photo_label_is_not_a_credit():
    caption = "Ảnh: Các đại biểu dự hội nghị tại Hà Nội sáng nay cùng nhiều khách mời quốc tế"
    assert split_photo_credit(caption) == (caption, None)


def test_photo_credit_is_nfc_and_unescaped():
    caption = unicodedata.normalize("NFD", "Quang cảnh&nbsp;lễ. Ảnh: Minh Đức")
    text, credit = split_photo_credit(caption)
    assert (text, credit) == ("Quang cảnh lễ.", "Minh Đức")


def test_photo_credit_in_brackets_followed_by_a_full_stop():
    from newscrawl.extract.authors import split_photo_credit

    assert split_photo_credit("Cầu mới khánh thành (Ảnh: Thành Đông).") == ("Cầu mới khánh thành", "Thành Đông")
