"""Text helpers shared by every stage: folding, words, months and years, sentences, dates, did-you-mean."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

DATE_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


ASCII_NUMBER = re.compile(r"[0-9]+")  # str.isdigit() also takes '²' and '١٢٣'


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# The excerpt rule: case-sensitive, white space folded, typographic quotes and dashes match their plain forms.
FOLD_TABLE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


WHITESPACE = re.compile(r"\s+")


LONG_WHITESPACE = re.compile(r"\s{2,}")


NEWLINE = re.compile("\n")


LATIN_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "œ": "oe"}
)


# The ASCII characters str.split() splits at (str.isspace()), each made a space.
ASCII_SPACES = bytes.maketrans(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", b" " * 9)


def fold(text: str) -> str:
    """The text as excerpts are matched: typographic quotes and dashes plain, each run of white space one space,
    none at the ends. (str.split() splits where the regular expression \\s+ matches, three times faster on a book.)
    Most excerpts are ASCII, with nothing to translate (str.isascii() costs nothing; translate looked up each
    character), and with no white space to fold but single spaces between words, none at the ends (a printable ASCII
    text has no other white space): those are their own folded form, without splitting them into words and joining
    the words again. Other ASCII texts (a book) are folded as bytes: splitting a book made a string of each word,
    70 instructions a character, where translating its white space to spaces and halving the runs of spaces until
    none is left take a few."""
    if not text.isascii():
        text = text.translate(FOLD_TABLE)
    elif text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    else:
        spaced = text.encode("ascii").translate(ASCII_SPACES)
        while b"  " in spaced:
            spaced = spaced.replace(b"  ", b" ")
        return spaced.strip(b" ").decode("ascii")
    return " ".join(text.split())


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def slugify(text: str) -> str:
    """'Khrushchev's Foreign Policy, 1953–1964' → 'khrushchevs-foreign-policy-1953-1964'."""
    letters = "".join(
        c for c in unicodedata.normalize("NFKD", text.translate(LATIN_LETTERS)) if not unicodedata.combining(c)
    )
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['\u2019]", "", letters.lower())).strip("-")


class PartialDate(NamedTuple):
    """A date as a card writes it, YYYY, YYYY-MM or YYYY-MM-DD, parsed once (partial_date) for every stage."""

    text: str
    year: int
    month: int | None
    day: int | None

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 1 if self.month is None else self.month, 1 if self.day is None else self.day)

    @property
    def last(self) -> dt.date:
        if self.day is not None:
            return self.first
        if self.month is not None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)


@functools.lru_cache(maxsize=1024)
def partial_date(text: str) -> PartialDate | None:
    """The date of a YYYY, YYYY-MM or YYYY-MM-DD text, or None if it is not one or not in the calendar. Kept for
    the next few cards: the date rules and two lint checks each ask it of one card's dates, one after the other (a
    tuple, shared safely)."""
    match = DATE_PATTERN.fullmatch(text)
    if not match:
        return None
    date = PartialDate(text, int(match[1]), int(match[2]) if match[2] else None, int(match[3]) if match[3] else None)
    try:
        date.first  # noqa: B018 - month 13, day 30 of February and year 0 raise here
    except ValueError:
        return None
    return date


def parse_date(text: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date of the form YYYY, YYYY-MM or YYYY-MM-DD covers, or None if it is not one."""
    date = partial_date(text)
    return (date.first, date.last) if date else None


_LOOSE_DATES = (  # what newcomers write for a date → (year, month, day) groups
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII), (3, 2, 1)),  # 14/07/1789, 14.07.1789
    (re.compile(r"(\d{4})[/.-](\d{1,2})(?:[/.-](\d{1,2}))?", re.ASCII), (1, 2, 3)),  # 1789-7-14, 1789/07/14
)

_WORDY_DATE = re.compile(  # 14 July 1789, 14th of July 1789, July 14, 1789, July 1789
    r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?)?([A-Za-z]+)\.?(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?,?\s+(\d{4})",
    re.ASCII,
)


def iso_date_guess(text: str) -> list[str]:
    """The YYYY-MM-DD (or YYYY-MM) dates a date written another way can mean: '14/07/1789', '14 July 1789',
    'July 14, 1789', '1789-7-14' → ['1789-07-14']; '04/07/1789' → both readings."""
    text = text.strip()
    guesses: list[list[str]] = []
    for pattern, (year_group, month_group, day_group) in _LOOSE_DATES:
        match = pattern.fullmatch(text)
        if match:
            parts = [match[year_group], match[month_group], match[day_group]]
            guesses.append(parts)
            if pattern is _LOOSE_DATES[0][0]:
                guesses.append([match[3], match[1], match[2]])  # month first, as in the United States
    words = _WORDY_DATE.fullmatch(text)
    if words and not (words[1] and words[3]):
        number = MONTH_NUMBERS.get(words[2].capitalize()) or MONTH_NUMBERS.get(words[2].capitalize()[:3])
        if number:
            guesses.append([words[4], str(number), words[1] or words[3]])
    found = []
    for year, month, day in guesses:
        iso = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
        if parse_date(iso) and iso not in found and iso != text:
            found.append(iso)
    return found


MONTH_WORDS = {number: (name, name[:3]) + (("Sept",) if number == 9 else ()) for number, name in enumerate(MONTHS, 1)}


MONTH_NUMBERS = {word: number for number, words in MONTH_WORDS.items() for word in words}


ANY_MONTH = re.compile(r"\b(?:" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + r")\b")


YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")


# A month word counts as a date only beside a day or a year ("Jan Masaryk … 1948" is not January), and a number
# counts as a day only beside its month (a mission number or a count elsewhere in the sentence is not a day).
_MONTH = ANY_MONTH.pattern.removeprefix(r"\b")


_DAY = r"([0-3]?[0-9])(?:st|nd|rd|th)?"


_YEAR = YEAR.pattern.removeprefix(r"\b")  # one year pattern


# Every form starts with a day's digit or a month's capital: the lookahead turns every other word away before the three
# forms are tried there, one after the other (a search takes half the time, with the same matches).
_DATE_START = "[0-9" + "".join(sorted({word[0] for word in MONTH_NUMBERS})) + "]"


DATED_MONTH = re.compile(
    rf"\b(?={_DATE_START})(?:"
    rf"{_DAY}\s+(?:of\s+)?({_MONTH})(?:\.?,?\s*{_YEAR})?"  # 17 April 1894, 17th of April, 17 April,1894
    rf"|({_MONTH})\.?\s+{_DAY}(?!\d)\b(?:,?\s*{_YEAR})?"  # April 17, 1894
    rf"|({_MONTH})\.?,?\s+(?:of\s+)?(?:{_YEAR}|(?:the\s+)?(?:same|that|following|next|previous)\s+year\b)"
    ")"
)  # April 1894, April of the same year


def dated_months(text: str) -> Iterator[tuple[int, int | None, str | None]]:
    """(month, day or None, year or None) for each month the text names as part of a date."""
    for match in DATED_MONTH.finditer(text):
        day1, month1, year1, month2, day2, year2, month3, year3 = match.groups()
        month = month1 or month2 or month3
        day = day1 or day2
        yield MONTH_NUMBERS[month], int(day) if day else None, year1 or year2 or year3


WORD = re.compile(r"[^\W\d_]+")


def name_words(name: str) -> list[str]:
    """The parts of a name worth looking for: 'Nikita S. Khrushchev' → Nikita, Khrushchev."""
    return [word for word in WORD.findall(name) if len(word) >= 3 and word[0].isupper()]


SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘(A-Z0-9])")


ABBREVIATIONS = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "St",
        "Gen",
        "Lt",
        "Col",
        "Capt",
        "Sgt",
        "Jr",
        "Sr",
        "Prof",
        "No",
        "vs",
        "etc",
        "U.S",
        "U.K",
        "U.N",
    ]
)


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """Sentences of a text: blank lines and headings (or captions) end a block too. A heading is a short
    unpunctuated line that starts a block and is followed by a blank line or a capital: a hard-wrapped sentence
    ("… agreed to remove the" / "missiles from Cuba.") goes on in lower case, or from the middle of a block."""
    block_start, position = None, 0
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.strip()
        starts_block = block_start is None
        if stripped and starts_block:
            block_start = position + len(line) - len(line.lstrip())
        position += len(line)
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        heading = (
            starts_block
            and stripped
            and len(stripped) < 60
            and stripped[-1] not in ".!?:,;\"”’'-–—"
            and (not following or not following[0].islower())
        )
        if block_start is not None and (not stripped or heading):
            yield from split_sentences(text, block_start, position)
            block_start = None
    if block_start is not None:
        yield from split_sentences(text, block_start, position)


def split_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for match in SENTENCE_END.finditer(text, start, end):
        word = text[max(start, match.start() - 8) : match.start()].split()[-1:] or [""]
        if word[0].rstrip(".") in ABBREVIATIONS or (len(word[0]) == 1 and word[0].isupper()):
            continue  # "Mr. Nixon", "John F. Kennedy"
        yield start, match.start() + 1
        start = match.end()
    if text[start:end].strip():
        yield start, len(text[:end].rstrip())


STOPWORDS = frozenset(
    [
        "the",
        "and",
        "that",
        "this",
        "with",
        "from",
        "into",
        "were",
        "was",
        "had",
        "have",
        "has",
        "for",
        "its",
        "their",
        "them",
        "they",
        "his",
        "her",
        "which",
        "when",
        "what",
        "after",
        "before",
        "about",
        "also",
        "would",
        "could",
        "over",
        "under",
        "between",
        "against",
        "other",
        "than",
        "then",
        "there",
        "these",
        "those",
        "while",
    ]
)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
