"""Publish and modified times: the structured candidates, ``<time>`` elements and date-looking texts of
the page, and the rule that chooses (:func:`choose_date`). Parsing is :mod:`newscrawl.extract.dates`'s."""
from __future__ import annotations

import copy
import re
from datetime import date, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

from newscrawl.extract.dates import parse_datetime_ex
from newscrawl.extract.generic.dom import NON_CONTENT_TAGS, class_and_id, clean_element_text


_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline|datum|fecha|data|zeit|meta|timestamp", re.IGNORECASE)


_DATE_ATTR = re.compile(r"date|time|publish", re.IGNORECASE)


def _in_link(el) -> bool:
    return any(anc.tag == "a" for anc in el.iterancestors())


def _nearest_first(found: list[tuple[int, object]], anchor_pos: int | None) -> list:
    if anchor_pos is None:
        return [item for _, item in found]
    return [item for _, item in sorted(found, key=lambda pi: abs(pi[0] - anchor_pos))]


def time_values(doc, scope=None, anchor=None) -> list[tuple[str, str]]:
    """``[(datetime attribute or text, kind)]`` of ``<time>`` elements: those of
    ``scope`` in page order, then the page's others nearest to ``anchor`` (the article's h1)
    first; never one inside a link (a teaser's date)."""
    out = article_time_values(scope)
    seen = set(scope.iter("time")) if scope is not None else set()
    found, anchor_pos = [], None
    for pos, el in enumerate(doc.root.iter()):
        if el is anchor:
            anchor_pos = pos
        if el.tag == "time" and el not in seen and not _in_link(el):
            item = _time_value(el)
            if item:
                found.append((pos, item))
    out.extend(_nearest_first(found, anchor_pos))
    return out


def _time_value(el) -> tuple[str, str] | None:
    value = el.get("datetime") or el.get("content")
    if value:
        return (value.strip(), "attr")
    text = clean_element_text(el)
    return (text, "text") if text else None


def article_time_values(scope) -> list[tuple[str, str]]:
    """``[(datetime attribute or text, kind)]`` of the ``<time>`` elements inside the article region
    ``scope``, in page order, none inside a link (a teaser's date); [] without a region."""
    if scope is None:
        return []
    return [item for el in scope.iter("time") if not _in_link(el) and (item := _time_value(el))]


def date_texts(doc, scope=None, anchor=None, limit: int = 20) -> list[str]:
    """Short texts of date-looking elements (class says date/time/publish...):
    those of ``scope`` in page order, then the page's others nearest to
    ``anchor`` (the article's h1) first; never one inside a link (a teaser's)."""
    def looks_dated(el) -> str | None:
        if not isinstance(el.tag, str) or el.tag in NON_CONTENT_TAGS:
            return None
        cls = class_and_id(el)
        # the class or id says date/time, or an attribute is named so (data-datetime="...": a script's
        # copy of the date the element shows)
        if not (cls.strip() and _DATE_CLASS.search(cls)) and not any(
                name.startswith("data-") and _DATE_ATTR.search(name) for name in el.attrib):
            return None
        text = clean_element_text(el)
        if text and 6 <= len(text) <= 120 and re.search(r"\d", text):
            return text
        return None

    out: list[str] = []
    inside = set()
    if scope is not None:
        for el in scope.iter():
            inside.add(el)
            text = looks_dated(el)
            if text and not _in_link(el):
                out.append(text)
    found, anchor_pos = [], None
    for pos, el in enumerate(doc.root.iter()):
        if el is anchor:
            anchor_pos = pos
        if el in inside:
            continue
        text = looks_dated(el)
        if text and _in_link(el):
            continue  # a teaser's date
        if text:
            found.append((pos, text))
    out.extend(_nearest_first(found, anchor_pos))
    return list(dict.fromkeys(out))[:limit]


def _parse_date(text: str | None, tz, *, fallback: bool = False):
    """ParsedDate or None (no text, or no date in it)."""
    if not text:
        return None
    return parse_datetime_ex(str(text), tz=tz, fallback=fallback)


def _iso(value: datetime) -> str:
    return value.isoformat()


# Rules whose value is a wall-clock date the page wrote (not "5 minutes ago", read against the clock).
_ABSOLUTE_RULES = frozenset({"iso", "dmy", "dmy2", "dmy_spaced", "time_dmy", "vi_long", "time_vi_long", "d_month_y", "month_d_y",
                             "dateparser", "labelled"})


def _zone_of(tz):
    return tz if isinstance(tz, tzinfo) else ZoneInfo(tz)


def _page_offset(offsets, zone) -> tuple[object, str] | None:
    """The zone the page's other dates say it writes in: ``(tzinfo, how)`` or None.

    ``offsets``: aware datetimes the page gave with their own offset (its other structured dates). A
    non-zero offset is the publisher's clock; UTC ("Z") is more often a server's, so it counts only when
    nothing else is known. When the zone inferred from the page's country gives the same offset at that
    date, the zone is kept (it knows summer time), else the offset itself is used."""
    local = [v for v in offsets if v.utcoffset() and v.utcoffset().total_seconds() != 0]
    if local:
        other = local[0]
        if zone is not None and other.astimezone(zone).utcoffset() == other.utcoffset():
            return zone, None
        return other.tzinfo, "offset of another date on the page"
    return None


def _wall_clock_offset(naive: datetime, utc_value: datetime) -> timezone | None:
    """The offset that makes the wall-clock time ``naive`` the same instant as ``utc_value``, or None.

    Pages write the publish time once in UTC and once as the publisher's wall clock without an offset
    ("2023-11-08 22:35:29" beside "2023-11-09T06:35:29Z"): the difference is then the publisher's offset.
    Taken only when it is one (whole quarter hours, -12 to +14 hours, not zero) and the two agree to the
    second on a time whose seconds are not zero: a round time hours apart may be another event."""
    if utc_value.second == 0 and utc_value.microsecond == 0:
        return None
    delta = naive - utc_value.replace(tzinfo=None, microsecond=naive.microsecond)
    seconds = delta.total_seconds()
    if not seconds or seconds % 900 or not -12 * 3600 <= seconds <= 14 * 3600:
        return None
    return timezone(delta)


def _local_day_form(best, others, zone) -> datetime | None:
    """The page's own local form of a UTC value when it falls on another calendar day, else None.

    Pages often write the publish time twice: in UTC ("Z", "+00:00", a server's clock) and in the
    publisher's offset ("-05:00", or a wall-clock time without offset, the page's zone's). Near midnight the
    two are on different days, and the publication day is the publisher's: the local form is kept, the
    same instant as the page wrote it. A wall-clock time without offset counts only read in the zone
    inferred for the page, and only when that gives exactly the same instant (to the minute); or, when the
    page's zone is unknown or wrong (a west-coast page inferred as New York's), when it differs from the UTC
    value by a whole offset to the second (:func:`_wall_clock_offset`)."""
    instant = best.value.replace(second=0, microsecond=0)
    for other, _layer, _text in others:
        if not other.has_time:
            continue
        value = other.value
        if not other.has_offset:
            if other.rule not in _ABSOLUTE_RULES:
                continue
            naive = value.replace(tzinfo=None)
            value = naive.replace(tzinfo=zone) if zone is not None else None
            if value is None or value.replace(second=0, microsecond=0) != instant:
                fixed = _wall_clock_offset(naive, best.value)
                if fixed is None:
                    continue
                value = naive.replace(tzinfo=fixed)
        offset = value.utcoffset()
        if not offset or offset.total_seconds() == 0 or value.replace(second=0, microsecond=0) != instant:
            continue
        if value.date() != best.value.date():
            return value
    return None


def _days_alone(parsed, unread, zone) -> set:
    """The days of the structured candidates that give a date without a time: those our rules read, and
    those only dateparser reads (a month name in the page's language), in any language."""
    days = {p.value.date() for p, _layer, _text in parsed if not p.has_time}
    for text in unread:
        result = parse_datetime_ex(text, tz=zone, languages=None, fallback=True)
        if result is not None and not result.has_time:
            days.add(result.value.date())
    return days


def _older_url_day(best, layer, days, zone) -> datetime | None:
    """The URL's day when it is more than a day before the structured date, as a date alone; else None.

    A URL is minted when an article is first published and never changes; a structured date more than a
    day after the day in the URL is a later save (a CMS migration, an edit that rewrote datePublished).
    One day apart is a zone's difference, left to the rules on local days. Only one day in the URL, and
    never for the page's visible dates (``layer`` "generic"), which have their own rules."""
    if layer == "generic" or len(days) != 1:
        return None
    (day,) = days
    local = best.value.astimezone(zone).date() if zone is not None else best.value.date()
    if (local - day).days <= 1:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=zone or timezone.utc)


def _article_time_over_meta(parsed, article_times, modified, read_in):
    """The first ``<time>`` of the article region, parsed, when it gives another day than structured data
    that is meta tags alone; else None.

    Meta tags without a JSON-LD or microdata description of the article are the page's head, which a CMS
    fills and refills on its own (a build or re-save time, a default date); a ``<time>`` element in the
    article region is the date shown with the article itself, in machine-readable form. When they disagree
    on the day, the article's own wins. Never a relative time ("vor 3 Stunden": read against the clock),
    nor the page's modified date (``modified``: its candidates), which a region shows as "Last updated"."""
    if not parsed or any(layer != "meta" for _p, layer, _t in parsed):
        return None
    updates = [p.value for p in (_parse_date(text, read_in) for text, _layer in modified) if p is not None]
    for text, _kind in (article_times() if callable(article_times) else article_times):
        shown = _parse_date(text, read_in)
        if shown is None or shown.rule not in _ABSOLUTE_RULES:
            continue
        if any(abs((shown.value - update).total_seconds()) < 60 for update in updates):
            continue
        return shown if shown.value.date() != parsed[0][0].value.date() else None
    return None


def _order_the_page_shows(best, text, dom_values, read_in):
    """``best`` read month first when it is a numeric date either way round ("11/01/2023") and the page's
    visible date (the first labelled, ``<time>`` or date-looking text our rules read) is it with day and
    month exchanged ("Erstellt am: 01.11.2023"); else ``best``.

    Day first is the default, but a template may print its meta date in the US order: which order is
    meant, the page's own visible date says. htmldate's value is not asked (it reads the same meta)."""
    if best.rule != "dmy" or best.value.day > 12 or best.value.day == best.value.month:
        return best
    for value, kind in (dom_values() if callable(dom_values) else dom_values):
        if kind == "htmldate":
            continue
        visible = _parse_date(value, read_in, fallback=(kind == "text"))
        if visible is None:
            continue
        if _swapped(best.value, visible.value):
            return parse_datetime_ex(str(text), tz=read_in, fallback=False, dayfirst=False) or best
        return best
    return best


def _offset_most_stated(best, parsed):
    """``best`` in the offset most of the page's descriptions give for the same instant; ties keep its own.

    A page often states its publish time several times (JSON-LD from two plugins, meta tags, microdata),
    the same instant in different offsets ("14:01:37-04:00" and "18:01:37+00:00"). Which offset is the
    page's is then what most of those descriptions say: each layer's statement of an offset counts once
    (one layer repeating itself is one description; a ``<meta itemprop>``, which the meta and the
    microdata layers both read, is one description)."""
    meta_texts = {text for _p, layer, text in parsed if layer == "meta"}
    votes: dict = {}
    for other, layer, text in parsed:
        if other.has_offset and other.has_time and abs((other.value - best.value).total_seconds()) < 1:
            if layer == "microdata" and text in meta_texts:
                layer = "meta"
            votes.setdefault(other.value.utcoffset(), set()).add(layer)
    own = best.value.utcoffset()
    top = max(votes, key=lambda offset: len(votes[offset]), default=own)
    if top == own or len(votes[top]) <= len(votes.get(own, ())):
        return best
    for other, _layer, _text in parsed:
        if other.value.utcoffset() == top and abs((other.value - best.value).total_seconds()) < 1:
            return other
    return best


def _local_midnight(shown: datetime) -> bool:
    """Whether a UTC value, shown in the page's zone, is that zone's midnight to the microsecond.

    A CMS that stores a day picked in a calendar widget as local midnight and prints it in UTC
    ("2021-11-04T23:00Z" for the 5th in Berlin) gives no time of day at all: the day is the zone's.
    A real publication time falls on the exact midnight second too rarely to be worth the other reading."""
    return (shown.hour, shown.minute, shown.second, shown.microsecond) == (0, 0, 0, 0)


def _swapped(first: datetime, second: datetime) -> bool:
    """Whether two dates are the same year with day and month exchanged (and not the same date)."""
    return (first.year == second.year and first.day != first.month
            and (first.month, first.day) == (second.day, second.month))


def choose_date_noted(candidates: list[tuple[str, str]], tz, dom_values=None, *, inferred: str | None = None,
                      others=(), local_days=None, url_day_set=(), article_times=()) -> tuple[str | None, str | None, str | None]:
    """First candidate that parses; a value without offset read in the best zone the page allows.

    ``tz``: the zone a site file names, or the zone inferred from the page (``inferred`` then says how:
    ``"country at"``), or None (nothing known). ``others``: the page's other date candidates (its
    modified dates), looked at only for the offset they carry. Returns ``(iso, layer, zone note)``:
    the note says where the offset of a value that had none came from (None: its own, or the site's).

    A value without offset takes, in order: the offset of another candidate with the same wall-clock
    time (the same instant written twice); the site's zone; the offset the page's other dates carry
    (see :func:`_page_offset`); the inferred zone; UTC from another date of the page; else UTC, noted
    ``"zone unknown, read as UTC"`` - never silently. A date alone keeps its day whatever the zone (it is
    local midnight), and gives way to a candidate of the same day with a time.

    A value in UTC keeps the page's own local form of the same instant when that is another calendar day
    (:func:`_local_day_form`); failing that, when it is exactly midnight in the inferred zone (a day
    stored as local midnight, :func:`_local_midnight`), or another structured date giving a day alone, or
    ``local_days()`` (the days the page's URL and visible text give), holds its day in the inferred zone,
    it is shown in that zone (noted).

    ``article_times``: the ``<time>`` values of the article region (:func:`article_time_values`); when
    the structured data is meta tags alone and the first of them gives another day, it wins
    (:func:`_article_time_over_meta`). A numeric structured date either way round ("11/01/2023") is read
    month first when the page's visible date is it exchanged (:func:`_order_the_page_shows`).

    ``url_day_set``: the days the page's URL gives; a structured date more than a day after the URL's one
    day gives way to it (:func:`_older_url_day`, noted). When htmldate's visible date is our own scan's
    with day and month exchanged, our reading wins (:func:`_swapped`).
    """
    site_zone = tz is not None and inferred is None
    zone = _zone_of(tz) if tz is not None else None
    read_in = zone or timezone.utc
    parsed, unread = [], []
    for text, layer in candidates:
        result = _parse_date(text, read_in)
        if result is not None:
            parsed.append((result, layer, text))
        elif text:
            unread.append(str(text))
    if not parsed and dom_values is not None:
        # The page's visible dates: the first that parses of each kind of search (htmldate's, our own scan),
        # in the order given; a date alone from the first then gives way to the same day with a time.
        kinds_done = []
        for text, kind in (dom_values() if callable(dom_values) else dom_values):
            search = "scan" if kind in ("attr", "text") else kind
            if search in kinds_done:
                continue
            result = _parse_date(text, read_in, fallback=(kind == "text"))
            if result is not None:
                parsed.append((result, "generic", text))
                kinds_done.append(search)
                if len(kinds_done) == 2:
                    break
        if kinds_done[:1] == ["htmldate"] and len(parsed) == 2 and _swapped(parsed[0][0].value, parsed[1][0].value):
            # htmldate reads some day-first dates month first ("4. 2. 2022" as April 2nd): the page's own
            # date text, read by our rules, says which is the day
            parsed.reverse()
    if not parsed:
        return None, None, None
    best, layer, _ = parsed[0]
    shown = _article_time_over_meta(parsed, article_times, others, read_in)
    if shown is not None:
        best, layer = shown, "generic"
    elif layer != "generic" and dom_values is not None:
        best = _order_the_page_shows(best, parsed[0][2], dom_values, read_in)
    older = _older_url_day(best, layer, url_day_set, zone)
    if older is not None:
        return _iso(older), "generic", "the URL's date: the structured date is days later (a re-save)"
    if not best.has_time:
        # A date alone: another candidate of the same day with a time is more precise.
        for other, other_layer, _text in parsed[1:]:
            if other.has_time and other.value.date() == best.value.date():
                best, layer = other, other_layer
                break
    if best.has_offset:
        best = _offset_most_stated(best, parsed)
        if best.value.utcoffset().total_seconds() != 0:
            return _iso(best.value), layer, None
        local = _local_day_form(best, parsed[1:], zone)
        if local is not None:
            return _iso(local), layer, None
        if zone is not None and not site_zone:
            # Only UTC on the page, and the day in the page's zone is another: another structured date that
            # gives the day alone ("06 Dicembre 2020"), or the page's URL or visible date, shows which day the
            # publisher counts. Then the same instant is given in the page's zone.
            shown = best.value.astimezone(zone)
            if shown.date() != best.value.date():
                if _local_midnight(shown):
                    return _iso(shown), layer, f"{inferred}: UTC time is midnight in the page's zone, a day alone"
                if shown.date() in _days_alone(parsed[1:], unread, zone):
                    return _iso(shown), layer, f"{inferred}: UTC time shown in the page's zone, the day another structured date gives"
                if local_days is not None and shown.date() in local_days():
                    return _iso(shown), layer, f"{inferred}: UTC time shown in the page's zone, the day its URL or text gives"
        return _iso(best.value), layer, None
    value, note = best.value, None
    naive = best.value.replace(tzinfo=None)
    same_time = None
    if best.has_time:
        for other, _layer, _text in parsed[1:]:
            if other.has_offset and other.has_time and abs(
                    (naive - other.value.replace(tzinfo=None)).total_seconds()) < 60:
                same_time = other.value.tzinfo
                break
    if same_time is not None:
        value = naive.replace(tzinfo=same_time)
    elif site_zone:
        pass  # read in the site's zone already
    elif best.rule in _ABSOLUTE_RULES:
        offsets = [p.value for p, _l, _t in parsed if p.has_offset and p.has_time]
        for text, _layer in others:
            other = _parse_date(text, read_in)
            if other is not None and other.has_offset and other.has_time:
                offsets.append(other.value)
        found = _page_offset(offsets, zone)
        if found is not None:
            value, note = naive.replace(tzinfo=found[0]), found[1] or inferred
        elif zone is not None:
            note = inferred
        elif offsets:
            value, note = naive.replace(tzinfo=offsets[0].tzinfo), "offset of another date on the page"
        else:
            note = "zone unknown, read as UTC"
    else:
        note = inferred or "zone unknown, read as UTC"
    return _iso(value), layer, note


def choose_date(candidates: list[tuple[str, str]], tz, dom_values=None, **kwargs):
    """:func:`choose_date_noted` without the note: ``(iso string, layer)`` or ``(None, None)``."""
    value, layer, _note = choose_date_noted(candidates, tz, dom_values, **kwargs)
    return value, layer


_URL_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?!\d)")


# /2017/7/12/: a date path with the month and day unpadded
_URL_PATH_DATE = re.compile(r"/(20\d{2}|19\d{2})/(\d{1,2})/(\d{1,2})/")


def url_days(url: str | None) -> set:
    """The days a page's URL gives (``/2023/11/08/``, ``2023-11-08``, ``/2017/7/12/``)."""
    days = set()
    for regex in (_URL_DATE, _URL_PATH_DATE):
        for m in regex.finditer(url or ""):
            try:
                days.add(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
            except ValueError:
                continue
    return days


def shown_days(doc) -> set:
    """The days a page's URL (:func:`url_days`) and htmldate's search of its text give."""
    days = url_days(doc.url)
    found = htmldate_value(doc)
    if found:
        try:
            days.add(date.fromisoformat(found[:10]))
        except ValueError:
            pass
    return days


def htmldate_value(doc) -> str | None:
    """The publish date htmldate finds on the page (its extensive search: markup, then text patterns, then
    the URL; the original date, not the last update), ISO; a date alone when it gives no time.

    Why htmldate: when a page has no structured date, its visible date is written in countless ways
    (labels, languages, layouts); htmldate (installed with trafilatura) is a maintained search for exactly
    that. It cannot say whether a time was given: a midnight without offset is read as a date alone."""
    from htmldate import find_date  # here: its import is slow and most pages have a structured date

    # a copy of the page's tree: htmldate prunes the tree it is given, and parsing the text again costs
    # three times as much
    value = find_date(copy.deepcopy(doc.root), extensive_search=True, original_date=True, url=doc.url or None, deferred_url_extractor=True,
                      outputformat="%Y-%m-%dT%H:%M:%S%z")
    if not value:
        return None
    if value.endswith("T00:00:00"):
        return value[:10]
    return value


# Words that label a publish date in a page's metadata lines ("Datum 28.04.2023", "Published: ...").
_LABELS = (r"(?:datum|date|published(?:\s+on)?|erstellt(?:\s+am)?|posted(?:\s+on)?|veröffentlicht(?:\s+am)?|erschienen(?:\s+am)?|"
           r"publié\s+le|publicado(?:\s+el)?|pubblicato(?:\s+il)?|gepubliceerd(?:\s+op)?|publicerad|publisert|"
           r"opublikowano|ngày\s+đăng)")
# the label alone, then the label followed by a date
_LABEL_WORD = re.compile(r"^\s*" + _LABELS + r"(?!\w)", re.IGNORECASE)
_DATE_LABEL = re.compile(r"^\s*" + _LABELS + r"\s*:?\s*(?=\S*\d)", re.IGNORECASE)


def labelled_dates(doc, scope, anchor=None) -> list[str]:
    """Texts of short elements that start with a date label ("Datum", "Published", "Veröffentlicht am")
    and hold a date: those of ``scope``, then the page's others nearest the headline; never in a link.
    A labelled date is the page saying which date is the publication's, in so many words."""
    def labelled(el) -> str | None:
        if not isinstance(el.tag, str) or el.tag not in _LABEL_TAGS:
            return None
        # the label opens the element (its text, or its first child's): checked before the whole text,
        # which costs a walk of the element
        lead = (el.text or "").strip()
        if not lead and len(el) and isinstance(el[0].tag, str):
            lead = (el[0].text or "").strip()
        if not lead or not _LABEL_WORD.match(lead):
            return None
        text = clean_element_text(el)
        if text and len(text) <= 80 and _DATE_LABEL.match(text) and not _in_link(el):
            return text
        return None

    out, inside = [], set()
    if scope is not None:
        for el in scope.iter():
            inside.add(el)
            text = labelled(el)
            if text:
                out.append(text)
    found, anchor_pos = [], None
    for pos, el in enumerate(doc.root.iter()):
        if el is anchor:
            anchor_pos = pos
        if el not in inside:
            text = labelled(el)
            if text:
                found.append((pos, text))
    out.extend(_nearest_first(found, anchor_pos))
    return list(dict.fromkeys(out))


_LABEL_TAGS = frozenset({"li", "p", "div", "span", "dd", "td", "small"})


# "Karlsruhe, (12.11.2021). ...", "Berlin, 28.10.2021 - ...": a place of one to four words, a comma, then
# the date (in brackets or not) and a stop or dash
_DATELINE = re.compile(r"^\s*[^\W\d_][\w'’.\-]*(?:\s[^\W\d_][\w'’.\-]*){0,3}\s*,\s*\(?(?P<date>[^()]{6,30}?)\)?\s*(?:[.:|]\s|[-–—]\s|\))")


def dateline_date(paragraph: str | None) -> str | None:
    """The date of a dateline opening the article's first paragraph ("Karlsruhe, (12.11.2021). Traditionell
    ..."), or None. Press releases and agency copy date themselves this way, in the text itself; it is the
    article's own statement of its day, so it ranks with a labelled date."""
    m = _DATELINE.match(paragraph or "")
    if not m:
        return None
    text = m.group("date").strip()
    if not re.search(r"\d{4}", text):  # a day without its year is not a date our rules place
        return None
    # the whole bracket or clause is the date (a month name in the page's language: dateparser's)
    found = parse_datetime_ex(text, languages=None, fallback=True)
    if found is None or found.rule not in _ABSOLUTE_RULES or found.span != (0, len(text)):
        return None
    return text


def dom_date_values(doc, scope, anchor=None, first_paragraph: str | None = None):
    """The visible page's date texts: a labelled date or the dateline of ``first_paragraph`` (the body's,
    :func:`dateline_date`), then htmldate's find, then ``<time>`` elements and date-looking texts
    (:func:`time_values`, :func:`date_texts`). A generator: htmldate runs only when structured data
    had no date. Measured on ../shared/extraction-open2: htmldate first 0.901 of dates right, our own
    scan first 0.886, ``<time datetime>`` before htmldate 0.897."""
    dateline = dateline_date(first_paragraph)
    if dateline:
        yield dateline, "labelled"
    yield from ((t, "labelled") for t in labelled_dates(doc, scope, anchor))
    found = htmldate_value(doc)
    if found:
        yield found, "htmldate"
    yield from time_values(doc, scope, anchor)
    yield from ((t, "text") for t in date_texts(doc, scope, anchor))
