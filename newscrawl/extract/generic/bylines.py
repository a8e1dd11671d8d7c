"""Authors and source: byline texts on the page (:func:`byline_candidates`), names in them
(:func:`person_names`), and the order of the layers (:func:`choose_authors`)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from lxml import etree

from newscrawl.extract.authors import parse_byline as _parse_byline
from newscrawl.extract.generic.dom import NON_CONTENT_TAGS, class_and_id, clean_element_text, norm_key
from newscrawl.extract.generic.title import is_site_segment, site_name_keys
from newscrawl.extract.structured import StructuredData
from newscrawl.model.text import clean_text


_BYLINE_CLASS = re.compile(
    r"author|by-?line|\bbyl\b|autor|auteur|writer|reporter|journalist|verfasser|firma|signature|contributor",
    re.IGNORECASE,
)


_BYLINE_EXCLUDE_CLASS = re.compile(
    r"bio|avatar|image|img|photo|picture|follow|social|share|related|teaser|card|description|about|thumb|icon|"
    r"comment|newsletter|more-?from|other|recommend",
    re.IGNORECASE,
)


_AUTHOR_HREF = re.compile(
    r"/(?:author|authors|autor|autoren|autorin|autorinnen|auteur|auteurs|autore|autori|autores|journalist|journalists|"
    r"journalisten|reporter|reporters|writer|writers|contributor|contributors|tac-gia|forfatter|av|redakteur|"
    r"redakteure)(?:/|[-_.]|$)",
    re.IGNORECASE,
)


# Words that label a byline, in the languages of the pages we read ("By", "Von:", "Autorin/Autor").
_LABEL_WORDS = (
    r"by|von|par|por|di|door|av|af|przez|oleh|bởi|text|texto|texte|testo|autor|autorin|autoren|autorinnen|"
    r"autor/in|autor\*in|autor:in|autorin/autor|autor/autorin|author|authors|written by|posted by|reported by|"
    r"reporting by|words by|story by|escrito por|redacción|tekst|verfasst von|geschrieben von|tác giả|"
    r"erstellt von|veröffentlicht von|publié par|écrit par|publicado por|pubblicato da|scritto da"
)
# Translation credits open a byline line too: an agency's desk named there is the source
# (newscrawl.extract.authors); the label stays on the text for the parser to read.
_CREDIT_WORDS = r"übersetzung und adaptierung|übersetzung|translated by|translation|traduction|traducción"
# A byline element's own text opening with a label: "By Jane Doe", "Von: <a>..</a>", "// By ..."
# (up to three characters of furniture before it).
_BYLINE_LABEL = re.compile(r"^\s*[^\w\s]{0,3}\s*(?:" + _LABEL_WORDS + "|" + _CREDIT_WORDS + r")\s*:?(?:\s+\S|\s*$)",
                           re.IGNORECASE)
# An element that is only the label ("<strong>Autorin/Autor</strong> Roman Goncharenko",
# "<span>Von</span> <span>Ernst Lohoff</span>"): the byline is what follows it.
_LABEL_ONLY = re.compile(r"^\s*(?:" + _LABEL_WORDS + r")\s*:?\s*$", re.IGNORECASE)
_LABEL_TAGS = ("span", "strong", "b", "em", "i", "small", "label", "dt", "th")
_LABEL_PREFIX = re.compile(r"^\s*[^\w\s]{0,3}\s*(?:" + _LABEL_WORDS + r")\s*:\s*", re.IGNORECASE)


# Containers whose names belong to other content, by what they are (generic words, no site
# names): a figure's photographer, a teaser's or a related article's writer, a share bar's
# handles, a shop or affiliate box, a comment list. ("sidebar" is not one: an article's own
# sidebar often holds its author.)
_FOREIGN_TAGS = ("figure", "figcaption", "nav")
_FOREIGN_CLASS = re.compile(
    r"related|teaser|\bshare|sharing|social|promo|affiliate|commerce|\bshop|recommend|more-?from|more-?stories|"
    r"newsletter|outbrain|taboola|trending|popular|most-?read|read-?more|further-?reading|next-?article|"
    r"prev-?article|"
    # a comment list, by a whole class word ("comments_datetime" is a byline's date)
    r"(?:^|\s)(?:comments?|comment-?list|commentlist|comments?-?area|comment-?body|comment-?content)(?:\s|$)",
    re.IGNORECASE,
)


def _is_author_link(a) -> bool:
    return "author" in (a.get("rel") or "").lower().split() or bool(_AUTHOR_HREF.search(a.get("href") or ""))


# A link that shares this page or acts on it, not one to another page.
_SHARE_HREF = re.compile(r"^(?:#|mailto:|javascript:|whatsapp:|sms:|tel:)|shar(?:e|er|ing)|intent/|/submit\?",
                         re.IGNORECASE)
_SHARE_CLASS = re.compile(r"\bshare|sharing|social", re.IGNORECASE)


def _links_elsewhere(box) -> bool:
    """The box links to another page than an author's (share links do not count): a teaser, a
    related box, an affiliate box does."""
    return any(not _SHARE_HREF.search(a.get("href") or "#") and not _is_author_link(a) for a in box.iter("a"))


def _holds_headline(box) -> bool:
    """The box holds the page's ``<h1>``, or comes right after it and links to nothing but
    author pages: the article's own header, whatever its class says ("teaser-small__metadata"
    under the headline). A related box under the headline links to other articles."""
    if next(box.iter("h1"), None) is not None:
        return True
    previous = box.getprevious()
    return previous is not None and previous.tag == "h1" and not _links_elsewhere(box)


def in_foreign_box(el, scope=None) -> bool:
    """Is ``el`` inside a figure / nav / share bar, or an aside or a related / teaser / promo...
    box that links to other pages?

    Ancestors are looked at up to the article ``scope`` when ``el`` is in it (the classes
    above the article describe the page's layout, not the byline), else up to ``<body>``;
    the element itself is judged by the caller. An aside or a box by class that links to
    no page but an author's ("<aside class=article-aside>von APA, Donnerstag ...</aside>"),
    or that holds the headline (:func:`_holds_headline`), is the article's own."""
    stop = scope if scope is not None and any(anc is scope for anc in el.iterancestors()) else None
    for anc in el.iterancestors():
        if anc is stop or anc.tag in ("body", "html"):
            return False
        if anc.tag in _FOREIGN_TAGS:
            return True
        cls = class_and_id(anc)
        if _SHARE_CLASS.search(cls) and not _holds_headline(anc):
            return True  # a share bar: its names are handles
        if (anc.tag == "aside" or _FOREIGN_CLASS.search(cls)) and _links_elsewhere(anc) and not _holds_headline(anc):
            return True
    return False


# Editor credits ("Editor: Jane Doe", "Biên tập: ...", "责任编辑：..."): the person named edited the
# story. A structured author named only there is the editor, and a visible byline naming
# someone else is the writer.
_EDITOR_LABEL = re.compile(
    r"^\s*(?:editor|editors|edited by|editing|redaktur|penyunting|biên tập|btv|redigiert von|bearbeitet von|"
    r"rédigé par|editado por|a cura di|责任编辑|编辑|編集)(?![^\W\d_]{2})\s*[:：︱|]?\s*(?=\S|$)",
    re.IGNORECASE,
)


def _credited_as_editor(el) -> bool:
    """``el`` follows an editor label ("Editor : <a>Jane Doe</a>"): the editor, not a writer."""
    previous = el.getprevious()
    if previous is not None:
        return bool((previous.tail or "").strip() and _EDITOR_LABEL.match(previous.tail))
    parent = el.getparent()
    return any(node is not None and (node.text or "").strip() and _EDITOR_LABEL.match(node.text)
               for node in (el, parent))


def _block_ancestor(el):
    for anc in el.iterancestors():
        if anc.tag in ("p", "div", "li", "ul", "ol", "section", "header", "footer", "address", "span", "td"):
            return anc
    return None


def _declares_author(el) -> bool:
    """Markup that says "this is the author": ``rel=author`` / ``itemprop=author`` on the
    element, or on its one link."""
    def says(node) -> bool:
        return "author" in (node.get("rel") or "").lower().split() or (node.get("itemprop") or "").lower() == "author"

    if says(el):
        return True
    links = [a for a in el.iter("a")]
    return len(links) == 1 and says(links[0]) and clean_element_text(links[0]) == clean_element_text(el)


def _after_label_element(label) -> str:
    """The text after a label element within its parent: its tail and the following siblings."""
    parts = [label.tail or ""]
    for sib in label.itersiblings():
        if isinstance(sib.tag, str):
            parts.append(clean_element_text(sib))
        parts.append(sib.tail or "")
    return clean_text(" ".join(parts)) or ""


def _without_kicker(el, text: str) -> str:
    """A byline box that holds a label element ("<span>Disko</span> <span>Von</span> <a>Ernst
    Lohoff</a>"): the text after the label; what precedes it is a kicker or a section name."""
    for child in el.iterdescendants(*_LABEL_TAGS):
        if _LABEL_ONLY.match(child.text or "") and len(child) == 0:
            rest = _after_label_element(child)
            if rest and rest != text:
                return rest
    return text


# Elements whose itemprop is "author", as ``//*[@itemprop='author']`` gives them, compiled once and
# reached through the attribute axis (several times faster: only elements with an itemprop are looked at).
_ITEMPROP_AUTHOR = etree.XPath("//@itemprop[. = 'author']/..")

# Tags never searched for a byline element: not content, or the page's and the article's frames.
_NOT_BYLINE_TAGS = frozenset(NON_CONTENT_TAGS | {"body", "html", "article", "main", "meta", "link", "img"})


@lru_cache(maxsize=8192)
def _byline_class(cls: str) -> bool:
    """A class-and-id string that names a byline (not a bio, avatar, teaser...). Cached: the byline
    search asks it of every element of the page, and a page repeats a few class strings."""
    return bool(cls.strip() and _BYLINE_CLASS.search(cls) and not _BYLINE_EXCLUDE_CLASS.search(cls))


def byline_candidates(doc, scope=None) -> list[tuple[str, bool]]:
    """``(text, declared)`` for texts that look like the article's byline, most specific first;
    ``declared``: the markup says it is the author (``rel``/``itemprop=author``, or a label in a
    byline box), so one name alone ("Paddy") is believed.

    Within ``scope`` (the article region) when given: links to author pages
    (``rel=author`` or an author-path href) grouped by their parent, elements
    whose class says author/byline, short texts opening with a byline label
    ("By", "Von", "Par"...) and label elements ("<strong>Autor</strong> Name").
    Class-based elements and label elements are also looked for page-wide. Nothing
    inside a figure, an aside, a nav or a related / teaser / share... box counts
    (:func:`in_foreign_box`).
    """
    out: list[tuple[str, bool]] = []
    root = doc.root
    scopes = [scope] if scope is not None else []
    for sc in scopes:
        groups: dict = {}
        order = []
        for a in sc.iter("a"):
            rel = (a.get("rel") or "").lower().split()
            href = a.get("href") or ""
            if "author" not in rel and not _AUTHOR_HREF.search(href):
                continue
            if _BYLINE_EXCLUDE_CLASS.search(class_and_id(a)) or in_foreign_box(a, sc) or _credited_as_editor(a):
                continue
            text = clean_element_text(a)
            if not text or len(text) > 80:
                continue
            parent = _block_ancestor(a)
            if parent not in groups:
                groups[parent] = ([], [])
                order.append(parent)
            if text not in groups[parent][0]:
                groups[parent][0].append(text)
                groups[parent][1].append("author" in rel)
        for parent in order:
            texts, declared = groups[parent]
            out.append((", ".join(texts), len(texts) == 1 and declared[0]))
    for node in _ITEMPROP_AUTHOR(root):
        if in_foreign_box(node, scope):
            continue
        if node.get("itemscope") is not None:
            names = node.xpath(".//*[@itemprop='name']")
            text = (names[0].get("content") or clean_element_text(names[0])) if names else clean_element_text(node)
        else:
            text = node.get("content") if node.tag in ("meta", "link") else clean_element_text(node)
        text = clean_text(text)
        if text and len(text) < 200 and not text.lower().startswith("http"):
            out.append((text, True))
    for sc in [*scopes, root]:
        found = []
        for el in sc.iter():
            if not isinstance(el.tag, str) or el.tag in _NOT_BYLINE_TAGS:
                continue
            if _byline_class(class_and_id(el)):
                text = clean_element_text(el)
                if text and 2 < len(text) < 200 and not _LABEL_ONLY.match(text) and not in_foreign_box(el, scope) \
                        and not _credited_as_editor(el):
                    label = bool(_BYLINE_LABEL.match(text))
                    found.append((el, _without_kicker(el, text), _declares_author(el) or label))
            elif el.tag in _LABEL_TAGS and len(el) == 0 and _LABEL_ONLY.match(el.text or ""):
                text = _after_label_element(el)
                if text and len(text) < 120 and not in_foreign_box(el, scope):
                    found.append((el, text, False))
            elif sc is not root and el.tag in ("p", "div", "span", "li", "em", "i", "b", "strong", "address"):
                own = (el.text or "").strip()
                if own and _BYLINE_LABEL.match(own):
                    text = clean_element_text(el)
                    if text and len(text) < 120 and not in_foreign_box(el, sc):
                        found.append((el, text, False))
        els = {el for el, _, _ in found}
        for el, text, declared in found:
            if len(text) > 80 and any(child in els for child in el.iterdescendants()):
                continue  # an outer wrapper whose inner parts are listed too
            out.append((_LABEL_PREFIX.sub("", text), declared))
        if found:
            break
    seen: dict[str, bool] = {}
    for text, declared in out:
        seen[text] = seen.get(text, False) or declared
    return list(seen.items())


def editor_names(doc) -> set[str]:
    """Comparison keys of the names the page credits as its editors."""
    out = set()
    for el in doc.root.iter():
        if not isinstance(el.tag, str) or el.tag in NON_CONTENT_TAGS:
            continue
        own = el.text or ""
        m = _EDITOR_LABEL.match(own)
        if not m or len(own.strip()) > 40:
            continue
        text = clean_element_text(el)
        rest = _EDITOR_LABEL.sub("", text, count=1)
        if rest and len(rest) < 80:
            for part in re.split(r"\s*[,;/&|]\s*|\s+(?:and|und|và|y|et|dan)\s+", rest):
                key = norm_key(part.strip(" []()【】"))
                if key:
                    out.add(key)
    return out

_PAREN_SUFFIX = re.compile(r"\s*\((?:[^()]{1,8})\)\s*$")


_CONJUNCTIONS = re.compile(
    r"\s*(?:[,;&/]|\s(?:and|und|y|et|e|og|och|en|i|và|и|ve|dan|ja|és|oraz|ir|un|és)\s)\s*",
    re.IGNORECASE,
)


_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")


_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)


_NAME_PARTICLES = {
    "von", "van", "der", "den", "de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "bin", "binti",
    "al", "el", "ibn", "ter", "ten", "zu", "y", "e", "af", "av", "st", "mc", "o",
}


# What a publishing system calls an account that is no one ("admin", "Unknown") or a section
# ("Nachrichten", "News"): never a person's name, even where the markup declares it a Person.
# A desk credit ("Redaktion", "Newsdesk", "Staff") is not in this list: like the generic
# credits of newscrawl.extract.authors ("PV", "Ban Biên tập"), it stands for the writers.
_ACCOUNT_WORDS = {
    "admin", "administrator", "administrador", "root", "webmaster", "user", "guest", "gast", "invitado",
    "anonymous", "anonym", "anonyme", "anónimo", "unknown", "unbekannt", "inconnu", "desconocido", "author",
    "autor", "auteur", "autore", "publisher", "herausgeber", "news", "nachrichten", "noticias", "notizie",
    "nouvelles", "nieuws", "wiadomości", "tin tức",
}


def is_account_name(text: str) -> bool:
    return clean_text(text).casefold().strip(" .") in _ACCOUNT_WORDS


# A name in a script written without spaces between words (Chinese, Japanese): one run of
# Han / kana characters, a middle dot allowed ("肖春芳", "青网校园崔宁宁").
_CJK_NAME = re.compile(r"^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·・]{2,12}$")


# An address, also written around spam filters: "jane@example.org", "cipha[at]example.net", "example.net".
_ADDRESS = re.compile(r"@|[\[(]\s*at\s*[\])]|\w\.[a-z]{2,6}$", re.IGNORECASE)


_ACRONYM = re.compile(r"[A-Z]{2,6}")


def _single_name(text: str) -> bool:
    """One name alone, believed where the markup declares the author: one word
    ("Paddy", "jesusfreak") or a CJK name; never an account word or an address."""
    text = text.strip()
    if is_account_name(text) or _ADDRESS.search(text):
        return False
    if _CJK_NAME.match(text):
        return True
    return len(text.split()) == 1 and _plausible_name(text, any_case=True)


def _plausible_name(text: str, any_case: bool = False) -> bool:
    """A person's name: 1-5 words, no digits/domains/colons, each word capitalised (or a particle);
    not an account word ("admin", "Redaktion")."""
    words = text.split()
    if is_account_name(text):
        return False
    if not 1 <= len(words) <= 5 or len(text) > 60:
        return False
    if any(ch.isdigit() for ch in text) or "@" in text or ":" in text or _SLUG.match(text) or _DOMAIN.match(text):
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    if any_case:
        return True
    for word in words:
        first = next((ch for ch in word if ch.isalpha()), "")
        if not first:
            continue
        if not first.isupper() and word.lower().strip(".'’") not in _NAME_PARTICLES:
            return False
    return True


def person_names(text: str, declared_person: bool = False, declared: bool = False) -> tuple[list[str], str | None, bool]:
    """(names, agency source, parsed) for one byline / author string.

    :func:`newscrawl.extract.authors.parse_byline` first; when it rejects the
    string, a multilingual split on commas and conjunctions ("und", "y", "et",
    "og"...), keeping the parts that are names. ``declared_person``: the string
    is a schema.org Person's name, so a plausible name is accepted as it is.
    ``declared``: the markup says the string is the author (a meta author tag,
    ``rel=author``), so one name alone is believed (:func:`_single_name`).
    """
    text = clean_text(text) or ""
    if not text:
        return [], None, False
    byline = _parse_byline(text)
    if byline is not None and (byline.authors or byline.source):
        names = [n for n in (_clean_person(x) for x in byline.authors) if n and not is_account_name(n)]
        return names, byline.source, bool(names or byline.source)
    names: list[str] = []
    source = None
    parts = [p for p in _CONJUNCTIONS.split(text) if p and p.strip()]
    if len(parts) == 1 and (declared or declared_person) and _ACRONYM.fullmatch(text):
        return [], text, True  # an acronym declared as the author is an agency or an outlet ("BNS")
    if len(parts) == 1 and (declared or declared_person) and _single_name(text):
        return [text], None, True
    if len(parts) == 1 and not declared_person:
        return [], None, False
    for part in parts:
        part = _clean_person(part)
        if not part:
            continue
        sub = _parse_byline(part) if len(parts) > 1 else None
        if sub is not None and sub.authors:
            names.extend(n for n in (_clean_person(x) for x in sub.authors) if n)
        elif sub is not None and sub.source:
            source = source or sub.source
        elif _plausible_name(part, any_case=declared_person and (len(parts) == 1 or text.islower() or text.isupper())):
            names.append(part)
        elif not declared_person:
            return [], None, False  # a byline is all names or it is not a byline
    return names, source, bool(names or source)


def _clean_person(name: str) -> str | None:
    name = clean_text(name)
    if not name:
        return None
    name = _PAREN_SUFFIX.sub("", name).strip(" ,;:")
    return name or None


_SLASH = re.compile(r"\s*/\s*")


def outlet_credit(text: str, outlet_keys: set[str]) -> str | None:
    """A credit line that opens with the site's own name and names other outlets after a
    slash ("Example Daily / Última Hora"): the partner outlets, as the source. Beside the
    outlet's name they are outlets too, not people."""
    parts = _SLASH.split(clean_text(text) or "")
    if len(parts) < 2 or len(parts) > 4 or not is_site_segment(parts[0], outlet_keys):
        return None
    rest = parts[1:]
    for part in rest:
        words = part.split()
        if not 1 <= len(words) <= 5 or not part[:1].isupper() or any(ch.isdigit() for ch in part) \
                or is_site_segment(part, outlet_keys) or part.endswith((".", "!", "?")):
            return None
    return " / ".join(rest)


def choose_authors(doc, data: StructuredData, scope=None, extra_bylines: Iterable[str] = (),
                   dom: bool = True) -> tuple[list[str], list[str], str | None, str | None]:
    """(authors, authors_raw, source, layer); see the module docstring for the order.

    ``dom=False`` leaves out the byline search in the page (for a known layout, whose own
    byline selector has already looked there): structured data, then meta tags.

    A structured author whom the page credits only as its editor ("Editor: ...") gives
    way to a visible byline naming someone else (:func:`editor_names`). A byline naming the
    meta author comes before the other byline texts. An agency found
    in any of the page's byline texts is the source, also when the names come from
    another of them ("Von: A, B" and "Übersetzung: AFP Deutschland")."""
    publisher_keys = site_name_keys(doc, data.publisher_names())

    def is_outlet(name: str) -> bool:
        return is_site_segment(name, publisher_keys)

    source = None
    candidates = data.author_candidates()
    structured = [(entries, layer) for entries, layer in candidates if layer != "meta"]
    meta = [(entries, layer) for entries, layer in candidates if layer == "meta"]

    def take(entries, declared: bool) -> tuple[list[str], list[str]]:
        """Persons of one candidate list; agencies become the source. ``declared``:
        structured data's author, where an agency stands even on its own site
        (an AP story on apnews.com); a meta tag naming the outlet says nothing."""
        nonlocal source
        persons, raw = [], []
        for name, kind in entries:
            if kind == "org":
                # An organisation is never an author; an agency it names is the source.
                byline = _parse_byline(name) if declared or not is_outlet(name) else None
                if byline is not None and byline.source and not byline.authors:
                    source = source or byline.source
                continue
            names, src, _ = person_names(name, declared_person=(kind == "person"), declared=True)
            if src and (declared or not is_outlet(src)) and not source:
                source = src
            for n in names:
                if not is_outlet(n):  # the outlet's own name is not an author
                    persons.append(n)
            if names:
                raw.append(name)
        return persons, raw

    dom_found: list | None = None

    def dom_bylines() -> list[tuple[list[str], str, str | None]]:
        """(names, text, source) of the page's byline texts, in order (computed once)."""
        nonlocal dom_found
        if dom_found is None:
            dom_found = []
            texts = [*byline_candidates(doc, scope), *((t, False) for t in extra_bylines)] if dom else []
            for text, declared in texts:
                partners = outlet_credit(text, publisher_keys)
                if partners:
                    dom_found.append(([], text, partners))
                    continue
                names, src, _ = person_names(text, declared=declared)
                names = [n for n in names if not is_outlet(n)]
                dom_found.append((names, text, src if src and not is_outlet(src) else None))
        return dom_found

    editors = None
    for entries, layer in structured:
        persons, raw = take(entries, True)
        if persons:
            if dom:
                editors = editor_names(doc) if editors is None else editors
                keys = {norm_key(p) for p in persons}
                if editors and keys <= editors and any(
                        names and not {norm_key(n) for n in names} & keys for names, _, _ in dom_bylines()):
                    continue  # the structured author is the page's editor; the byline names the writer
            return list(dict.fromkeys(persons)), raw, source, layer
    # A meta author that a byline on the page confirms picks that byline among the others
    # (a list of other writers' links may come first).
    meta_keys = {norm_key(n) for entries, _ in meta for name, kind in entries if kind != "org"
                 for n in person_names(name, declared=True)[0] if not is_outlet(n)}
    found = dom_bylines()
    confirmed = [entry for entry in found if meta_keys & {norm_key(n) for n in entry[0]}]
    for names, text, src in [*confirmed[:1], *found]:
        if src and not source:
            source = src
        if names:
            source = source or next((s for _, _, s in found if s), None)
            return list(dict.fromkeys(names)), [text], source, "generic"
    for entries, layer in meta:
        persons, raw = take(entries, False)
        if persons:
            return list(dict.fromkeys(persons)), raw, source, layer
    return [], [], source, None


def tail_byline(body: list[str], outlet_keys: set[str] = frozenset()) -> tuple[str | None, list[str]]:
    """A name alone as the body's last paragraph (a common signature style), or a credit line
    of the site's own name and partner outlets (:func:`outlet_credit`): (byline, body without it)."""
    if not body:
        return None, body
    last = body[-1]
    if len(last) > 60:
        return None, body
    byline = _parse_byline(last)
    if (byline is not None and (byline.authors or byline.source)) or (outlet_keys and outlet_credit(last, outlet_keys)):
        return last, body[:-1]
    return None, body


_MAX_EDGE_BYLINES = 3


def edge_bylines(blocks: list[tuple[str, str, float]], removed: list[str]) -> list[str]:
    """Those of ``removed`` (name-like lines the body dropped) that stand before or after all
    of the body's paragraphs, the last first: signatures and bylines. A name-like line between
    paragraphs ("Store Consumer", a bold sub-heading; a box's title) is not one, unless it
    opens with a byline label ("By", "Par", "Von")."""
    long = [i for i, (kind, text, _) in enumerate(blocks) if kind != "head" and len(text) >= 100]
    first, last = (long[0], long[-1]) if long else (len(blocks), -1)
    labelled = [text for text in reversed(removed) if _BYLINE_LABEL.match(text)]  # "Par Jacques Munier", anywhere
    edges = [text for text in reversed(removed) if text not in labelled
             and any(t == text and (i > last or i < first) for i, (_, t, _) in enumerate(blocks))]
    # More than a few name-like lines at the edges are a list (nominees, a team), not a signature.
    return labelled + (edges if len(edges) <= _MAX_EDGE_BYLINES else [])
