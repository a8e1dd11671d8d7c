"""Byline and photo-credit parsing: who wrote it (people) vs where it came from (agency).

Pure functions, no Scrapy.

* ``parse_byline(text)`` -> :class:`Byline` (authors in proper case, authors as
  printed, agency source)
* ``looks_like_byline(text)`` -> is this short line a byline / credit line?
* ``split_photo_credit(caption)`` -> (caption without the credit, credit or None)

A byline is parsed all-or-nothing: when any part of it is not a name, a known
credit, an agency or a labelled credit, the text is taken not to be a byline and
no author is returned (so that a sentence never yields "authors").
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Byline", "parse_byline", "looks_like_byline", "split_photo_credit", "AGENCIES"]


@dataclass
class Byline:
    authors: list[str] = field(default_factory=list)  # people, proper case
    authors_raw: list[str] = field(default_factory=list)  # the same names as printed
    source: str | None = None  # agency / outlet credit ("TTXVN", "Báo Nhân Dân")


# --------------------------------------------------------------------------- data

# News agencies and outlets credited as a source (never as an author), in their usual spelling.
AGENCIES: tuple[str, ...] = (
    "TTXVN", "VNA", "Thông tấn xã Việt Nam", "Vietnam+", "VietnamPlus", "VOV", "VOV.VN",
    "Đài Tiếng nói Việt Nam", "VTV", "VTC", "VTC News", "VnExpress", "Tuổi Trẻ", "Thanh Niên",
    "Dân trí", "Tiền Phong", "Lao Động", "Nhân Dân", "QĐND", "CAND", "VietNamNet", "Zing News",
    "Znews", "Chinhphu.vn", "Baochinhphu.vn", "Vietnam News",
    "AFP", "Reuters", "AP", "Associated Press", "Xinhua", "Tân Hoa Xã", "THX", "Bloomberg", "dpa",
    "ANSA", "EFE", "Kyodo", "Yonhap", "TASS", "RIA Novosti", "Sputnik", "Interfax", "PTI",
    "Bernama", "Antara", "KCNA", "CNA", "UPI", "Prensa Latina", "AAP", "Anadolu", "Jiji", "BBC",
    "CNN", "VOA", "RFI", "DW", "NHK", "Al Jazeera", "ABC", "Nikkei", "SCMP", "AA", "APA", "KNA",
    "epd", "Lusa", "PAP", "CTK", "MTI", "ATS", "Belga", "NTB", "TT", "Ritzau", "STT",
)
_AGENCY_KEYS = {a.casefold(): a for a in AGENCIES}

# Words that begin the name of an outlet ("Báo Nhân Dân", "Tạp chí Cộng sản"), longest first.
_ORG_PREFIXES = (
    "cổng thông tin điện tử", "trang thông tin điện tử", "báo điện tử", "tạp chí điện tử",
    "đài truyền hình", "đài phát thanh", "thông tấn xã", "hãng thông tấn", "cổng thông tin",
    "cổng ttđt", "tạp chí", "hãng tin", "trang tin", "tuần báo", "nhật báo", "báo", "đài", "kênh",
)

# Generic credits that stand in for a name, with their canonical spelling.
_CREDITS = {c.casefold(): c for c in (
    "PV", "Phóng viên", "Nhóm PV", "Nhóm phóng viên", "CTV", "Cộng tác viên", "Nhóm CTV",
    "BTV", "Biên tập viên", "BBT", "Ban Biên tập", "Nhóm tác giả", "Nhóm PV-CTV", "PV-CTV",
    "Staff", "Staff reporter", "Staff writer",
)}
# "Nhóm phóng viên Ban Thời sự": a group credit followed by the desk's name.
_GROUP_CREDIT = re.compile(r"nhóm\s+(?:pv|phóng\s+viên|ctv|cộng\s+tác\s+viên|tác\s+giả)\s+\S", re.IGNORECASE)
# Role words of the people who write a story, in the languages of the pages we read. A role is
# not part of a name: before one it is dropped ("PV Thu Hằng", "Reporter Jane Doe", "Redakteurin
# Eva Schmidt"), and a part that is only a role ("Jane Doe, reporter", "Jane Doe, Washington
# correspondent", "Eva Schmidt, Redakteurin") is dropped beside a name.
_ROLE_WORDS = (
    "pv", "phóng viên", "nhà báo", "btv", "biên tập viên", "ctv", "cộng tác viên",
    "reporter", "correspondent", "staff writer", "writer", "editor", "journalist", "columnist",
    "contributor", "contributing writer", "redakteur", "redakteurin", "korrespondent", "korrespondentin",
    "journalistin", "autor", "autorin", "journaliste", "rédacteur", "rédactrice", "envoyé spécial",
    "envoyée spéciale", "correspondant", "correspondante", "periodista", "redactor", "redactora",
    "corresponsal", "enviado especial", "enviada especial", "redattore", "redattrice", "inviato",
    "giornalista", "corrispondente", "verslaggever", "redacteur", "correspondent", "dziennikarz",
    "dziennikarka", "reporterka", "wartawan", "koresponden",
    "founder", "president", "director", "professor",
)
_ROLE_PREFIX = re.compile(r"(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(
    {w for w in _ROLE_WORDS if w not in ("autor", "autorin", "writer", "editor")}, key=len, reverse=True))
    + r")\s+(?=\S)", re.IGNORECASE)
# A role alone, with up to three qualifying words before it ("senior political correspondent",
# "Europe editor", "Chefredakteurin" is one word and not listed: a qualifier must be a word of its own).
_ROLE_ONLY = re.compile(
    r"(?:[\w.'’-]+\s+){0,3}(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(
        set(_ROLE_WORDS), key=len, reverse=True)) + r")(?:-in-chief|-at-large)?", re.IGNORECASE)

# Lower-case words allowed inside a person's name ("Ludwig van Beethoven").
_PARTICLES = frozenset(
    "van von der den de del della di da das dos du la le ter ten bin binti al el y e zu".split())

# Labels before a colon, by role: writers, other contributors (photo, design), source.
_AUTHOR_LABELS = (
    r"(?:bài|tin)(?:\s*(?:và|,|&|\+|/|-|–)\s*(?:ảnh|video|clip))+",
    "bài viết", "bài", "tin", "tác giả", "nội dung", "nhóm thực hiện", "thực hiện", "ghi chép",
    "text", "texto", "tekst", "words", "authors", "author", "autor", "autore", "auteur",
    "written by", "reporting by", "story",
)
_CREDIT_LABELS = (
    "ảnh", "photos", "photo", "fotos", "foto", "video", "clip", "đồ họa", "đồ hoạ", "thiết kế",
    "trình bày", "graphics", "graphic", "design", "infographic", "quay phim", "dựng phim",
    "kỹ thuật", "biên tập", "edited by", "editor", "illustration", "minh họa", "minh hoạ", "camera",
)
_SOURCE_LABELS = ("nguồn", "sources", "source", "quelle", "fuente", "fonte")
# Translation / adaptation credits: naming an agency's desk ("Übersetzung und Adaptierung: AFP
# Deutschland"), they say where the story came from (the source); naming a person, they are a credit.
_ADAPT_LABELS = ("übersetzung und adaptierung", "übersetzung", "adaptierung", "translation", "translated by",
                 "adaptation", "traduction", "traducción", "traduzione", "vertaling", "biên dịch")

# Annotations after a byline that carry no name: "(tổng hợp)", "lược dịch".
_ANNOTATIONS = ("tổng hợp", "lược dịch", "biên dịch", "dịch", "tổng hợp/dịch", "tổng hợp và dịch",
                "tổng hợp, dịch", "theo dõi", "compiled", "translated")

# Photo-credit markers that are not a credit themselves ("Ảnh minh họa": illustrative photo).
_PHOTO_MARKERS = ("ảnh minh họa", "ảnh minh hoạ", "ảnh: minh họa", "ảnh: minh hoạ", "ảnh tư liệu",
                  "ảnh: tư liệu", "ảnh chụp màn hình")
_PHOTO_LABELS = ("nguồn ảnh", "ảnh", "photo credit", "photos", "photo", "photograph", "fotos", "foto",
                 "bildquelle", "bild", "image", "video", "clip", "credit", "nguồn")


def _alt(words) -> str:
    """Alternation, longest first; entries starting with ``(`` are regexes, others literal words."""
    out = []
    for w in sorted(words, key=len, reverse=True):
        out.append(w if w.startswith("(") else re.escape(w).replace(r"\ ", r"\s+"))
    return "|".join(out)


_LABEL = re.compile(
    r"(?<![^\s,;|(/\-–—.])(?:(?P<author>" + _alt(_AUTHOR_LABELS) + r")|(?P<credit>" + _alt(_CREDIT_LABELS)
    + r")|(?P<source>" + _alt(_SOURCE_LABELS) + r")|(?P<adapt>" + _alt(_ADAPT_LABELS) + r"))\s*:\s*",
    re.IGNORECASE)
_LEADING_SOURCE = re.compile(r"(?:theo|according\s+to|via|" + _alt(_SOURCE_LABELS) + r")\s*[:\-]?\s+(?P<rest>\S.*)",
                             re.IGNORECASE | re.DOTALL)
_BY = re.compile(
    r"(?:(?:written|posted|published|reported|created)\s+by|(?:erstellt|veröffentlicht|geschrieben|verfasst|publiziert)"
    r"\s+von|(?:publié|écrit|rédigé)\s+par|(?:publicado|escrito)\s+por|(?:pubblicato|scritto)\s+da|geplaatst\s+door|"
    r"by|von|par|por|door|av|bởi)\s*:?\s+(?=\S)", re.IGNORECASE)
_PAREN = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_ANNOTATION = re.compile(r"(?:^|\s*[-–—,]?\s+)(?:" + _alt(_ANNOTATIONS) + r")\s*\.?$", re.IGNORECASE)
_SPLIT = re.compile(
    r"\s*(?:[,;|&]|\s[-–]\s|[—–]|\s(?:và|and|und|och|og)\s|\s(?-i:et|y|e|en)\s)\s*", re.IGNORECASE)
_BAD_NAME_CHARS = re.compile(r"[^\w\s.'’\-]|[\d_]")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[^.\s]\s*[.!?…]\s*$")
_STRIP = " \t\n.,;:-–—|*•·\"'“”‘’"

_TRANSLATE = {c: " " for c in (0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))}
_TRANSLATE.update({c: None for c in (0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF)})
_WS = re.compile(r"\s+")

_MAX_CHARS = 200
_MAX_WORDS = 30
_MAX_NAME_WORDS = 6
_MAX_SENTENCE_NAME_WORDS = 4  # a name part ending in . ! ? with more words is a sentence
_MAX_SOURCE_WORDS = 8


# --------------------------------------------------------------------------- helpers


def _normalise(text) -> str:
    if not isinstance(text, str):
        return ""
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text.translate(_TRANSLATE))
    return _WS.sub(" ", text).strip()


def _key(text: str) -> str:
    return _WS.sub(" ", text.strip(_STRIP)).casefold()


def _agency(text: str) -> str | None:
    """Canonical agency name, also for composites like ``TTXVN/Vietnam+`` or ``AFP/TTXVN``."""
    key = _key(text)
    if key in _AGENCY_KEYS:
        return _AGENCY_KEYS[key]
    if "/" in key:
        parts = [_AGENCY_KEYS.get(p.strip()) for p in key.split("/")]
        if all(parts):
            return "/".join(parts)
    return None


def _agency_desk(text: str) -> str | None:
    """An agency or an agency's national desk as printed ("AFP Deutschland", "Reuters España"), else None."""
    clean = text.strip(_STRIP)
    agency = _agency(clean)
    if agency:
        return agency
    words = clean.split()
    for n in (2, 1):
        if len(words) > n and _agency(" ".join(words[:n])) and len(words) - n <= 2 \
                and all(w[:1].isupper() for w in words[n:]):
            return clean
    return None


# A word that makes a name an agency's ("SID Nachrichtenagentur", "Agence France-Presse").
_AGENCY_WORD = re.compile(
    r"nachrichtenagentur|presseagentur|news\s+agency|press\s+agency|newswire|\bagence\b|\bagencia\b|"
    r"\bagenzia\b|\bagentschap\b|nyhetsbyrå|\bhãng\s+tin\b|thông\s+tấn", re.IGNORECASE)


def _org(text: str) -> str | None:
    """An outlet named with a prefix word ("Báo Nhân Dân") or an agency named with an agency
    word ("SID Nachrichtenagentur"), as printed; else None."""
    clean = text.strip(_STRIP)
    if _AGENCY_WORD.search(clean) and len(clean.split()) <= _MAX_SOURCE_WORDS and clean[:1].isupper():
        return clean
    low = clean.casefold()
    for prefix in _ORG_PREFIXES:
        if low.startswith(prefix + " "):
            rest = clean[len(prefix) + 1:].lstrip()
            if rest and (rest[0].isupper() or rest[0].isdigit()) and len(clean.split()) <= _MAX_SOURCE_WORDS:
                return clean
            return None
    return None


def _source(text: str) -> str | None:
    """``text`` as a source credit (canonical agency, outlet or short proper name), else None."""
    clean = text.strip(_STRIP)
    if not clean:
        return None
    found = _agency(clean) or _org(clean)
    if found:
        return found
    if len(clean.split()) > _MAX_SOURCE_WORDS or re.search(r"[?!\"“”;:]", clean):
        return None
    if not clean[0].isupper():
        return None
    return clean


def _proper(name: str) -> str:
    """Title-case an all-caps (or all-lower) name, Unicode-correctly: ``ĐỨC HÙNG`` -> ``Đức Hùng``."""
    return _LETTER_RUN.sub(lambda m: m.group(0)[0].upper() + m.group(0)[1:].lower(), name)


# A full stop that belongs to the name: after an initial ("Nicolas Gutierrez C.") or a
# suffix ("Perry Bacon Jr."), following another word; a full stop after a word is punctuation.
_NAME_FINAL_DOT = re.compile(r"\s(?:[^\W\d_]|jr|sr|jun|sen)$", re.IGNORECASE)
_RSTRIP = _STRIP.replace(".", "")


def _strip_name(part: str) -> str:
    """``part`` without the punctuation around it, but with a full stop that is part of the name."""
    raw = part.strip(_STRIP)
    if raw and part.rstrip(_RSTRIP).endswith(raw + ".") and _NAME_FINAL_DOT.search(raw):
        return raw + "."
    return raw


# A closing salutation before a signature: "Deine Mady", "Yours, Jane", "Liebe Grüße, Anna".
# The name after it may be a first name alone: the salutation says it is a signature.
_SIGN_OFF = re.compile(
    r"(?:deine|dein|eure|euer|yours|love|cheers|xoxo|bisous|bises|besos|abrazos|saludos|"
    r"liebe\s+grüße|viele\s+grüße|herzliche\s+grüße|alles\s+liebe|herzlichst|lg)\s*,?\s+(?=\S)",
    re.IGNORECASE)


def _name(part: str) -> tuple[str, str] | None | bool:
    """(as printed, proper case) for a person or generic credit; ``False`` when the
    part is empty (nothing to judge); ``None`` when it cannot be a name."""
    raw = _strip_name(part)
    if not raw:
        return False
    key = _key(raw)
    if key in _CREDITS:
        return raw, _CREDITS[key]
    if _GROUP_CREDIT.match(raw) and len(raw.split()) <= _MAX_NAME_WORDS + 2 and not _BAD_NAME_CHARS.search(raw):
        return raw, raw
    role = _ROLE_PREFIX.match(raw)
    if role:
        named = _name(raw[role.end():])
        if named:
            return named
    if _BAD_NAME_CHARS.search(raw):
        return None
    words = raw.split()
    if words[0].casefold() == "the":  # "The Garden", "The Editors": a title or a group, not a person
        return None
    if len(words) > _MAX_NAME_WORDS:
        return None
    if len(words) == 1 and "." not in raw:  # one plain word: "Video", "Hà" - not a byline name
        return None
    letters = "".join(_LETTER_RUN.findall(raw))
    if not letters:
        return None
    if letters.isupper() or letters.islower():
        if letters.islower():  # "tổng hợp", "hội nghị": not a name
            return None
        return raw, _proper(raw)
    named_words = 0
    for word in words:
        first = next((c for c in word if c.isalpha()), "")
        if word.casefold() in _PARTICLES:
            continue
        if not first.isupper():
            return None
        named_words += 1
    if not named_words:
        return None
    return raw, raw


@dataclass
class _Analysis:
    authors: list[tuple[str, str]] = field(default_factory=list)  # (raw, proper)
    sources: list[str] = field(default_factory=list)
    credits: int = 0  # labelled non-author credits seen (Ảnh: ..., Đồ họa: ...)
    ok: bool = True  # every part was understood

    def add_source(self, value: str | None) -> None:
        if value is None:
            self.ok = False
        elif value not in self.sources:
            self.sources.append(value)


# Degrees and titles written after a name, as printed: "Brenda Example, MA", "Ryan Example, CEO".
_DEGREE = re.compile(r"(?-i:MA|MD|MS|MSc|MPH|MBA|Ph\.?\s?D\.?|RN|JD|BA|BSc|DDS|CEO|CFO|CTO|COO)")


def _is_role(part: str) -> bool:
    part = part.strip(_STRIP)
    return bool(_ROLE_ONLY.fullmatch(part) or _DEGREE.fullmatch(part))


def _is_dateline_place(part: str) -> bool:
    """One word, no initials: after an agency it is where the story was filed ("AFP, MANILA").
    (After a person's name, "Von Ines Zöttl, Washington", it is left alone: a one-word part
    there may be a name too, and the open corpora list such parts as authors.)"""
    words = part.split()
    return len(words) == 1 and "." not in part and not _BAD_NAME_CHARS.search(part) and part[:1].isupper()


# An outlet's acronym after a person's name: "Nathan Example | KUT", "Jane Doe, NPR".
_ACRONYM = re.compile(r"[A-Z]{2,6}")


def _names(segment: str, out: _Analysis) -> None:
    """Split a writers' segment into names; agency parts go to the sources.

    A part that is only a role ("reporter", "Washington correspondent") is dropped when
    another part names someone; a place after an agency (a dateline) is dropped too; an
    acronym after a full name (not a credit such as "PV") is the outlet, a source."""
    segment = _ANNOTATION.sub("", segment)
    sign_off = _SIGN_OFF.match(segment)
    if sign_off:
        rest = _strip_name(segment[sign_off.end():])
        words = rest.split()
        if 1 <= len(words) <= 3 and not _BAD_NAME_CHARS.search(rest) and all(w[:1].isupper() for w in words):
            out.authors.append((rest, rest))
            return
    parts = [p for p in _SPLIT.split(segment) if p.strip(_STRIP)]
    roles = [_is_role(p) for p in parts]
    drop_roles = not all(roles)
    previous = None  # "agency" / "name" (of two words or more) / None
    for index, part in enumerate(parts):
        if drop_roles and roles[index]:
            continue
        if _SENTENCE_END.search(part) and len(part.split()) > _MAX_SENTENCE_NAME_WORDS:
            out.ok = False  # "Bộ Y Tế Công Bố Kết Quả." - a sentence, not a name
            continue
        part = _strip_name(part)
        if not part:
            continue
        agency = _agency(part) or _org(part)
        if agency:
            out.add_source(agency)
            previous = "agency"
            continue
        if previous == "agency" and _is_dateline_place(part) and _key(part) not in _CREDITS:
            continue
        if previous == "name" and _ACRONYM.fullmatch(part) and _key(part) not in _CREDITS:
            out.add_source(part)
            continue
        previous = "name" if len(part.split()) > 1 else None
        pieces = [part]
        if "/" in part:  # "Minh Anh/TTXVN", "PV/VOV", "Minh Anh/Quốc Hùng"
            pieces = [p.strip() for p in part.split("/")]
            for i in range(1, len(pieces)):
                agency = _agency("/".join(pieces[i:]))
                if agency:
                    out.add_source(agency)
                    pieces = pieces[:i]
                    break
        for piece in pieces:
            named = _name(piece)
            if named is False:
                continue
            if named is None:
                out.ok = False
            else:
                out.authors.append(named)


def _parenthetical(inner: str, out: _Analysis) -> None:
    inner = inner.strip(_STRIP)
    if not inner:
        return
    lead = _LEADING_SOURCE.fullmatch(inner)
    if lead:
        out.add_source(_source(lead.group("rest")))
        return
    agency = _agency(inner) or _org(inner)
    if agency:
        out.add_source(agency)
        return
    label = _LABEL.match(inner)
    if label and not label.group("author"):
        if label.group("source"):
            out.add_source(_source(inner[label.end():]))
        else:
            out.credits += 1
        return
    # anything else in brackets ("tổng hợp", a place name) is an annotation: dropped


# Separators after which a byline gives the date, the time or the reading time:
# "Jane Doe | 3 March 2024", "By Jane Doe • Nov 11, 2020 • 5 min read"; and a date after
# "on" / "am" / "le"...: "Von Jane Doe am 21. April 2020".
_META_SEP = re.compile(r"\s*[|•·]\s*")
_MAX_META_WORDS = 6
_NUMBER = re.compile(r"[(\[]?\d[\d.,:/\-–h]*(?:am|pm|uhr|h)?[)\],.]?", re.IGNORECASE)
_DATE_TAIL = re.compile(
    r"\s+(?:on|am|vom|le|el|il|op|em|den|dne|ngày|lúc|updated|published|aktualisiert|veröffentlicht)\s+"
    r"(?=[^|]*\d)(?:\S+\s*){1,6}$", re.IGNORECASE)


def _without_date_parts(s: str) -> str:
    """``s`` without the separated parts that carry a digit (dates, times, reading times) and
    what follows the first of them: a category, a comment count ("by Jane | Jun 2, 2020 |
    Blogs |"); a dated part before the names ("3 March 2024 | Jane Doe") is dropped too."""
    parts = [p for p in _META_SEP.split(s) if p.strip()]
    if len(parts) < 2:
        return s

    def dated(part: str) -> bool:  # a number of its own: "Jun 2, 2020", "11:27", "5 min read"
        return len(part.split()) <= _MAX_META_WORDS and any(_NUMBER.fullmatch(w) for w in part.split())

    while len(parts) > 1 and dated(parts[0]):
        parts.pop(0)
    first_dated = next((i for i, part in enumerate(parts) if i and dated(part)), None)
    if first_dated is not None:
        parts = parts[:first_dated]
    return " | ".join(parts)


def _without_date_tail(s: str) -> str:
    tail = _DATE_TAIL.search(s)
    return s[:tail.start()] if tail and tail.start() > 0 else s


def _analyse(text) -> _Analysis:
    out = _Analysis()
    # Leading furniture: "// By ...", "» Von ...", "— Jane Doe".
    s = _normalise(text).lstrip("/\\»›>·•|*–—- ")
    if not s or len(s) > _MAX_CHARS or len(s.split()) > _MAX_WORDS:
        out.ok = False
        return out
    s = _without_date_tail(_without_date_parts(s))
    if _PAREN.search(s):
        for m in _PAREN.finditer(s):
            _parenthetical(m.group(1), out)
        s = _strip_name(_PAREN.sub(" ", s))
        if not s:
            return out
    lead = _LEADING_SOURCE.fullmatch(s)
    if lead and not _LABEL.match(s):  # "Theo TTXVN", "Theo Báo Nhân Dân", "Nguồn VOV"
        out.add_source(_source(lead.group("rest")))
        return out
    # Labelled segments: "Bài: A - Ảnh: B"; text before the first label is a writers' segment.
    position, role = 0, "author"
    segments = []
    for m in _LABEL.finditer(s):
        segments.append((role, s[position:m.start()]))
        role = next(g for g in ("author", "credit", "source", "adapt") if m.group(g))
        position = m.end()
    segments.append((role, s[position:]))
    first = True
    for role, segment in segments:
        segment = _strip_name(segment)
        if first:
            first = False
            by = _BY.match(segment)
            if by:
                segment = segment[by.end():]
        if not segment:
            continue
        if role == "author":
            _names(segment, out)
        elif role == "source":
            out.add_source(_source(segment))
        elif role == "adapt" and _agency_desk(segment):
            out.add_source(_agency_desk(segment))
        else:
            out.credits += 1
    return out


# --------------------------------------------------------------------------- API


def parse_byline(text: str) -> Byline:
    """Split a byline into authors (people) and a source (agency); anything not a string gives no one."""
    found = _analyse(text)
    if not found.ok:
        return Byline()
    authors, raw = [], []
    for printed, proper in found.authors:
        if proper not in authors:
            authors.append(proper)
            raw.append(printed)
    return Byline(authors, raw, ", ".join(found.sources) or None)


def looks_like_byline(text: str) -> bool:
    """True for a short line that is wholly a byline or credit ("Thu Hằng", "Theo TTXVN",
    "Bài và ảnh: Ngọc Mai", "Ảnh: Minh Đức"); False for ordinary sentences."""
    found = _analyse(text)
    return found.ok and bool(found.authors or found.sources or found.credits)


_MARKER = re.compile(
    r"(?:^|(?<=[\s.,;!?\-–—|]))[(\[]?\s*(?P<marker>" + _alt(_PHOTO_MARKERS) + r")"
    r"(?:\s*:\s*(?P<credit>[^()\[\]:]{1,80}?))?\s*[)\]]?\s*\.?\s*$",
    re.IGNORECASE)
_CREDIT = re.compile(
    r"(?:^|(?<=[\s.,;!?\-–—|]))[(\[]?\s*(?:" + _alt(_PHOTO_LABELS) + r")\s*(?::|\bby\b)\s*"
    r"(?P<credit>[^()\[\]:]{1,80}?)\s*[)\]]?[.\s]*$",
    re.IGNORECASE)
_CAPTION_TAIL = " \t-–—|,;:/"
_MAX_CREDIT_WORDS = 8


def split_photo_credit(caption: str) -> tuple[str, str | None]:
    """Split a trailing photo/video credit off a caption.

    ``"Quang cảnh buổi lễ. Ảnh: Minh Đức"`` -> ``("Quang cảnh buổi lễ.", "Minh Đức")``.
    "Ảnh minh họa" / "Ảnh tư liệu" markers are removed from the caption but are
    not a credit.  Returns ``(caption, None)`` when there is no credit.
    """
    text = _normalise(caption)
    if not text:
        return text, None
    m = _MARKER.search(text)
    if m:
        credit = _clean_credit(m.group("credit"))
        before = text[:m.start()].rstrip(_CAPTION_TAIL)
        if not before:  # the caption is only the marker: keep the marker as the caption
            return m.group("marker"), credit
        return before, credit
    m = _CREDIT.search(text)
    if m:
        credit = _clean_credit(m.group("credit"))
        if credit:
            return text[:m.start()].rstrip(_CAPTION_TAIL), credit
    return text, None


def _clean_credit(credit: str | None) -> str | None:
    if not credit:
        return None
    credit = credit.strip(" \t.,;-–—|")
    if not credit or len(credit.split()) > _MAX_CREDIT_WORDS:
        return None
    return credit
