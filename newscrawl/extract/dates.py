"""Date and time parsing for Vietnamese (and other) news pages.

Pure functions, no Scrapy.  The fast path is a table of regular expressions
(``_RULES``), tried on every call; dateparser is used only as a fallback when
no rule recognises anything date-like in the text.

* ``parse_datetime(text, tz=..., now=...)`` -> aware ``datetime`` or ``None``
* ``parse_datetime_ex(...)`` -> :class:`ParsedDate` (value, has_time, has_offset, ...)
* ``find_dates(text)`` -> every date(time) in a longer string, in order

Conventions: numeric ``d/m/y`` is day first (Vietnamese usage); ``y-m-d`` is
ISO order.  An offset printed in the text (``GMT+7``, ``+07:00``, ``Z``,
``UTC``) becomes a fixed-offset tzinfo; otherwise the value is localised to
``tz`` with :mod:`zoneinfo`.  A date without a time is midnight local time with
``has_time=False``.  Weekday names are ignored, never checked.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newscrawl.model.item import DEFAULT_TIMEZONE

__all__ = ["ParsedDate", "parse_datetime", "parse_datetime_ex", "find_dates"]


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime  # always timezone-aware
    has_time: bool  # False: the text gave a date only (value is local midnight)
    has_offset: bool  # True: the text itself gave the UTC offset / zone
    rule: str  # name of the rule that matched ("dateparser" for the fallback)
    text: str = ""  # the matched substring (of the normalised text)
    span: tuple[int, int] = (0, 0)  # its position in the normalised text

    def isoformat(self) -> str:
        return self.value.isoformat()


# --------------------------------------------------------------------------- data

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

# Named zones accepted after a time (RFC 822 names plus Indochina Time).
_ZONE_NAMES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "ict": 7 * 60,
    "est": -5 * 60, "edt": -4 * 60, "cst": -6 * 60, "cdt": -5 * 60,
    "mst": -7 * 60, "mdt": -6 * 60, "pst": -8 * 60, "pdt": -7 * 60,
}

# Relative units -> (kind, amount per unit).  kind "td" is a timedelta in seconds,
# "months" calendar months.  Units of a day or more give a date only.
_UNITS = {
    "giây": ("td", 1), "phút": ("td", 60), "giờ": ("td", 3600), "tiếng": ("td", 3600),
    "ngày": ("td", 86400), "tuần": ("td", 7 * 86400), "tháng": ("months", 1), "năm": ("months", 12),
    "second": ("td", 1), "seconds": ("td", 1), "sec": ("td", 1), "secs": ("td", 1),
    "minute": ("td", 60), "minutes": ("td", 60), "min": ("td", 60), "mins": ("td", 60),
    "hour": ("td", 3600), "hours": ("td", 3600), "hr": ("td", 3600), "hrs": ("td", 3600),
    "day": ("td", 86400), "days": ("td", 86400), "week": ("td", 7 * 86400), "weeks": ("td", 7 * 86400),
    "month": ("months", 1), "months": ("months", 1), "year": ("months", 12), "years": ("months", 12),
}

# Day words -> offset in days from today.
_DAY_WORDS = {"hôm nay": 0, "today": 0, "hôm qua": -1, "yesterday": -1, "hôm kia": -2}

_PM = {"pm", "p.m.", "ch", "chiều", "tối"}
_AM = {"am", "a.m.", "sa", "sáng"}


def _alt(words) -> str:
    """Regex alternation of ``words``, longest first, spaces matching any whitespace."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


# Fragments.  Every rule uses each fragment at most once, so group names are unique.
_F = {
    "DMY": r"(?<!\d)(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)",
    # 25.04.24: a two-digit year, dotted only (German, Nordic, Slavic usage; 25/04/24 could be any order),
    # and only followed by a time (rule "dmy2")
    "DMY2": r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y2>\d{2})(?![\d.])",
    # 4. 2. 2022: day and month dotted, with a space after each dot (German usage)
    "DMYSP": r"(?<![\d.])(?P<d>\d{1,2})\.\s(?P<m>\d{1,2})\.\s(?P<y>\d{4})(?!\d)",
    "YMD": r"(?<!\d)(?P<y>\d{4})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)",
    "VIDMY": r"(?<!\d)(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*(?:năm|,)\s*|\s+)(?P<y>\d{4})(?!\d)",
    "DMONY": r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<mon>" + _alt(_MONTHS)
             + r")\b\.?,?\s+(?P<y>\d{4})(?!\d)",
    "MONDY": r"\b(?P<mon>" + _alt(_MONTHS) + r")\b\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)",
    # 14:31, 14:31:05.123, 14h31, 14 giờ 31 (phút); seconds of one digit too ("23:15:0Z", a CMS that does
    # not pad them): else the time stops at the minutes and its "Z" is lost, the UTC time read as local
    "TIME": r"(?<![\d:])(?P<H>\d{1,2})\s*(?::|h|\s*giờ\s*)\s*(?P<M>\d{2})"
            r"(?::(?P<S>\d{1,2})(?:[.,](?P<f>\d{1,9}))?)?(?!\d)(?:\s*phút\b)?",
    "AP": r"(?:\s*(?P<ap>a\.m\.|p\.m\.|am|pm|sa|ch|sáng|chiều|tối)(?!\w))?",
    # ' (GMT+7)  +07:00  Z  UTC  (GMT+07:00)
    "TZ": r"(?:\s*['’]?\s*\(?\s*(?P<tz>(?:(?:GMT|UTC|UT)\s*[+\-−]\s*\d{1,2}(?::?\d{2})?"
          r"|[+\-−]\d{2}(?::?\d{2})?)(?![\d/.])|(?:" + _alt(_ZONE_NAMES) + r")(?![\w+\-−]))\)?)?",
    # between a date and a following time
    "SEP": r"(?:T|\s*[,|\-–—@]?\s*(?:(?:vào\s+)?lúc\s+|at\s+|um\s+)?)",
    # between a time and a following date
    "SEP2": r"\s*[,|\-–—]?\s*(?:(?:ngày|on)\s+)?",
    "DW": r"(?P<dw>" + _alt(_DAY_WORDS) + r")(?!\w)",
    "UNIT": r"(?P<unit>" + _alt(_UNITS) + r")\b",
}
_F["TZ2"] = _F["TZ"].replace("(?P<tz>", "(?P<tz2>")
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


def _expand(template: str) -> str:
    """Replace ``{NAME}`` placeholders with fragments (regex quantifiers like ``{1,2}`` are left alone)."""
    return _PLACEHOLDER.sub(lambda m: _expand(_F[m.group(1)]), template)


_F["T"] = "{TIME}{AP}{TZ}"
_F["OPT_T"] = "(?:{SEP}{T})?"
_F["T_FIRST"] = "{TIME}{AP}{TZ}{SEP2}"

# The rules: (name, builder, pattern, guard).  Every rule whose guard matches is
# run over the whole text; of all matches the earliest, then the longest, then
# the first rule wins.  builder: "abs" absolute date, "dmy" the same with the
# d/m order switchable, "ago" n units before now, "day" today/yesterday, "now".
# guard: substrings (any case) of which one must be present for
# the rule to be tried at all (None: always) - it only saves time.
# A new date form is one line here.
_MON3 = tuple(sorted({k[:3] for k in _MONTHS}))
_RULE_SPECS: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("iso", "abs", "{YMD}{OPT_T}", None),
    ("dmy", "dmy", "{DMY}{OPT_T}", None),
    ("dmy2", "dmy", "{DMY2}{SEP}{T}", (":", "h")),
    ("dmy_spaced", "abs", "{DMYSP}{OPT_T}", (". ",)),  # with a time only: "3.11.12" alone is a version number
    ("time_dmy", "dmy", "{T_FIRST}{DMY}{TZ2}", (":", "h", "giờ")),
    ("vi_long", "abs", "{VIDMY}{OPT_T}", ("tháng",)),
    ("time_vi_long", "abs", "{T_FIRST}{VIDMY}{TZ2}", ("tháng",)),
    ("d_month_y", "abs", "{DMONY}{OPT_T}", _MON3),
    ("month_d_y", "abs", "{MONDY}{OPT_T}", _MON3),
    ("ago", "ago", r"(?<!\d)(?P<n>\d{1,3})\s*{UNIT}\s*(?:trước|ago)(?!\w)", ("trước", "ago")),
    ("ago_vi", "ago", r"cách\s+đây\s+(?P<n>\d{1,3})\s*{UNIT}", ("đây",)),
    ("day_word", "day", "{DW}{OPT_T}", ("hôm", "today", "yesterday")),
    ("time_day_word", "day", "{T_FIRST}{DW}", ("hôm", "today", "yesterday")),
    ("just_now", "now", r"(?<!\w)(?:vừa\s+xong|vừa\s+mới|just\s+now)(?!\w)", ("vừa", "just")),
)

_RULES = tuple(
    (
        name,
        builder,
        re.compile(_expand(pattern), re.IGNORECASE),
        re.compile("|".join(map(re.escape, guard)), re.IGNORECASE) if guard else None,
    )
    for name, builder, pattern, guard in _RULE_SPECS
)

# Cheap pre-check: text without a digit or any of these words cannot hold a date.
_HINT = re.compile(r"\d|hôm|today|yesterday|vừa|just", re.IGNORECASE)

_OFFSET = re.compile(r"(?:GMT|UTC|UT)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_TIME_HINT = re.compile(r"\d{1,2}\s*(?::|h)\s*\d{2}|\d\s*(?:am|pm)\b", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]{3,}")
# an explicit zone in text that only dateparser understood (it converts it to ``tz``)
_ZONE_HINT = re.compile(r"\b(?:GMT|UTC|[A-Z]{2,4}T)\b|[+\-−]\d{2}:?\d{2}\b")

# Spaces of all kinds to " ", invisible characters removed, full-width colon.
_TRANSLATE = {c: " " for c in (0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))}
_TRANSLATE.update({c: None for c in (0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF)})
_TRANSLATE[0xFF1A] = ":"

_MIN_YEAR, _MAX_YEAR = 1900, 2100
_DATEPARSER_MAX_LEN = 120


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _resolve_tz(tz) -> tzinfo:
    """``tz`` as a tzinfo; a name goes through zoneinfo (unknown name -> ValueError)."""
    if isinstance(tz, tzinfo):
        return tz
    try:
        return _zone(tz or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


@lru_cache(maxsize=256)
def _fixed(minutes: int) -> timezone:
    return timezone.utc if minutes == 0 else timezone(timedelta(minutes=minutes))


def _normalise(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    text = text.translate(_TRANSLATE)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _offset(token: str) -> timezone | None:
    """tzinfo for an offset token; None when it is out of range."""
    key = token.replace(" ", "").lower()
    if key in _ZONE_NAMES:
        return _fixed(_ZONE_NAMES[key])
    m = _OFFSET.match(token.strip())
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    total = hours * 60 + minutes
    return _fixed(-total if m.group(1) in "-−" else total)


def _clock(gd: dict) -> tuple[int, int, int, int] | None:
    """(hour, minute, second, microsecond) from the time groups, None when invalid."""
    hour, minute = int(gd["H"]), int(gd["M"])
    second = int(gd["S"]) if gd.get("S") else 0
    micro = int((gd["f"] + "00000")[:6]) if gd.get("f") else 0
    ap = (gd.get("ap") or "").lower()
    if ap and hour <= 12:  # a stray SA/CH after a 24-hour time (14:31 CH) is ignored
        if ap in _PM and hour < 12:
            hour += 12
        elif ap in _AM and hour == 12:
            hour = 0
    if hour > 23 or minute > 59 or second > 60:
        return None
    return hour, minute, min(second, 59), micro


def _localise(naive: datetime, zone: tzinfo) -> datetime:
    return naive.replace(tzinfo=zone)


def _now_in(zone: tzinfo, now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(zone)
    if now.tzinfo is None:
        return now.replace(tzinfo=zone)
    return now.astimezone(zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _minus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):  # clamp the day to the month's length
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError("unreachable")


# --------------------------------------------------------------------------- builders
# Each returns (value, has_time, has_offset) or None when the match is not a real date.


def _build_abs(gd: dict, zone: tzinfo, now, dayfirst: bool, swappable: bool):
    # a two-digit year is of this century: news pages do not print last century's dates that way
    year = int(gd["y"]) if gd.get("y") else 2000 + int(gd["y2"])
    if gd.get("mon"):
        month = _MONTHS[gd["mon"].lower()]
        day = int(gd["d"])
    else:
        day, month = int(gd["d"]), int(gd["m"])
        if swappable and not dayfirst:
            day, month = month, day
    if not (_MIN_YEAR <= year <= _MAX_YEAR):
        return None
    try:
        day_value = date(year, month, day)
    except ValueError:
        return None
    return _with_time(day_value, gd, zone)


def _with_time(day_value: date, gd: dict, zone: tzinfo):
    if gd.get("H") is None:
        return _midnight(day_value, zone), False, False
    clock = _clock(gd)
    if clock is None:
        return None
    naive = datetime(day_value.year, day_value.month, day_value.day, *clock)
    token = gd.get("tz") or gd.get("tz2")
    if token:
        fixed = _offset(token)
        if fixed is None:
            return None
        return naive.replace(tzinfo=fixed), True, True
    return _localise(naive, zone), True, False


def _build_ago(gd: dict, zone: tzinfo, now, dayfirst, swappable):
    kind, size = _UNITS[re.sub(r"\s+", " ", gd["unit"].lower())]
    n = int(gd["n"])
    current = _now_in(zone, now)
    if kind == "months":
        return _midnight(_minus_months(current.date(), n * size), zone), False, False
    seconds = n * size
    if seconds >= 86400:  # "3 ngày trước": the day is known, the time of day is not
        return _midnight((current - timedelta(seconds=seconds)).date(), zone), False, False
    value = (current.astimezone(timezone.utc) - timedelta(seconds=seconds)).astimezone(zone)
    return value, True, False


def _build_day(gd: dict, zone: tzinfo, now, dayfirst, swappable):
    offset = _DAY_WORDS[re.sub(r"\s+", " ", gd["dw"].lower())]
    day_value = _now_in(zone, now).date() + timedelta(days=offset)
    return _with_time(day_value, gd, zone)


def _build_now(gd: dict, zone: tzinfo, now, dayfirst, swappable):
    return _now_in(zone, now), True, False


_BUILDERS = {"abs": _build_abs, "dmy": _build_abs, "ago": _build_ago, "day": _build_day, "now": _build_now}


# --------------------------------------------------------------------------- core


def _time_range(m, text: str) -> bool:
    """Whether the "offset" after a time is the end of a time range ("19.1.23, 10:00-11:30 Uhr").

    A bare numeric offset glued to a time of minutes only is a range's end, except after an ISO "T"
    ("2023-11-08T21:11-05:00"); after seconds ("14:01:37-04:00") or a space ("14:31 +07:00") it is an offset."""
    token = m.groupdict().get("tz")
    if not token or token[0] not in "+-−" or m.groupdict().get("S"):
        return False
    at = m.start("tz")
    if at == 0 or not text[at - 1].isdigit():
        return False
    hour_at = m.start("H")
    return not (hour_at > 0 and text[hour_at - 1] in "Tt")


def _candidates(text: str, zone: tzinfo, now, dayfirst: bool):
    """Non-overlapping rule matches in text order: (start, end, ParsedDate | None).

    None marks a match that looked like a date but is not one (45/13/2024): it
    still claims its span, so that a shorter rule cannot rescue part of it.
    """
    found = []
    for order, (name, builder, regex, guard) in enumerate(_RULES):
        if guard is not None and guard.search(text) is None:
            continue
        for m in regex.finditer(text):
            start, end = m.span()
            gd = m.groupdict()
            if _time_range(m, text):
                gd["tz"] = None  # "10:00-11:30 Uhr": the end of a time range, not an offset
            try:
                built = _BUILDERS[builder](gd, zone, now, dayfirst, builder == "dmy")
            except (ValueError, OverflowError, KeyError):
                built = None
            parsed = None
            if built is not None:
                value, has_time, has_offset = built
                parsed = ParsedDate(value, has_time, has_offset, name, m.group(0), (start, end))
            found.append((start, -(end - start), order, end, parsed))
    found.sort(key=lambda c: c[:3])
    chosen, last_end = [], -1
    for start, _, _, end, parsed in found:
        if start >= last_end:
            chosen.append((start, end, parsed))
            last_end = end
    return chosen


def _dateparser(text: str, zone: tzinfo, now, languages, dayfirst: bool) -> ParsedDate | None:
    import dateparser  # here, not at the top: its import takes a third of a second, and most pages never need it

    settings = {
        "RETURN_AS_TIMEZONE_AWARE": True,
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PREFER_DATES_FROM": "past",
    }
    zone_name = getattr(zone, "key", None)
    if zone_name:
        settings["TIMEZONE"] = zone_name
    if dayfirst:
        settings["DATE_ORDER"] = "DMY"
    if now is not None:
        settings["RELATIVE_BASE"] = _now_in(zone, now).replace(tzinfo=None)
    try:
        value = dateparser.parse(text, languages=list(languages) if languages else None, settings=settings)
    except (ValueError, OverflowError, TypeError, KeyError, IndexError):
        # dateparser's errors on odd input ("year out of range", a failed lookup in its tables); anything
        # else is a bug, for the field's error accounting.
        return None
    if value is None:
        return None
    offset = value.utcoffset()
    naive = value.replace(tzinfo=None)
    if offset is None:
        value = _localise(naive, zone)
    else:
        local = _localise(naive, zone)
        # keep zoneinfo when the offset is the local one, else a fixed offset
        value = local if local.utcoffset() == offset else naive.replace(tzinfo=_fixed(int(offset.total_seconds() // 60)))
    if not (_MIN_YEAR <= value.year <= _MAX_YEAR):
        return None
    has_time = bool(_TIME_HINT.search(text))
    has_offset = has_time and bool(_ZONE_HINT.search(text))
    return ParsedDate(value, has_time, has_offset, "dateparser", text.strip(), (0, len(text)))


def parse_datetime_ex(
    text: str,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    now: datetime | None = None,
    languages=("vi", "en"),
    *,
    dayfirst: bool = True,
    fallback: bool = True,
) -> ParsedDate | None:
    """Parse the first date(time) in ``text``; ``None`` when there is none.

    ``now`` anchors relative forms ("5 phút trước", "Hôm qua 10:15"); naive
    ``now`` is taken as local time in ``tz``.  ``languages`` and ``dayfirst``
    are passed on to the dateparser fallback (``dayfirst`` also governs numeric
    ``d/m/y``).  ``fallback=False`` disables dateparser.  Never raises on any
    string (an unknown ``tz`` name is a ValueError).
    """
    zone = _resolve_tz(tz)
    if not isinstance(text, str) or not text:
        return None
    text = _normalise(text)
    if not _HINT.search(text):
        if not fallback or not _LETTERS.search(text):
            return None
        candidates = []
    else:
        candidates = _candidates(text, zone, now, dayfirst)
    for _, _, parsed in candidates:
        if parsed is not None:
            return parsed
    if candidates:  # something date-shaped, but invalid: do not let dateparser guess
        return None
    if fallback and len(text) <= _DATEPARSER_MAX_LEN and _LETTERS.search(text):
        return _dateparser(text, zone, now, languages, dayfirst)
    return None


def parse_datetime(
    text: str,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    now: datetime | None = None,
    languages=("vi", "en"),
    *,
    dayfirst: bool = True,
    fallback: bool = True,
) -> datetime | None:
    """Timezone-aware datetime for the first date(time) in ``text``, or ``None``."""
    parsed = parse_datetime_ex(text, tz, now, languages, dayfirst=dayfirst, fallback=fallback)
    return parsed.value if parsed is not None else None


def find_dates(
    text: str,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    now: datetime | None = None,
    *,
    dayfirst: bool = True,
) -> list[ParsedDate]:
    """All date(time)s the rules find in ``text``, in text order (no dateparser)."""
    zone = _resolve_tz(tz)
    if not isinstance(text, str) or not text:
        return []
    text = _normalise(text)
    if not _HINT.search(text):
        return []
    return [parsed for _, _, parsed in _candidates(text, zone, now, dayfirst) if parsed is not None]
