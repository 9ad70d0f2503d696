"""build-deck: YAML fact cards → validated → tagged by theme → an Anki package.

One pipeline, read top to bottom:

    load (YAML → nodes with positions) → validate (rules → problems) → select (theme/type filters)
    → compile (cards → genanki objects) → write (atomic, reproducible .apkg)

Plain data passes between the stages; only the click commands at the end print or exit.
"""

from __future__ import annotations

import base64
import bisect
import calendar
import contextlib
import dataclasses
import datetime as dt
import difflib
import gc
import hashlib
import html
import itertools
import json
import os
import pickle
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import click
import genanki
import yaml

__version__ = "0.1.0"

# ---------------------------------------------------------------------------------------------------------------------
# 1. Constants. Note-type ids were generated once (random.randrange(1 << 30, 1 << 31)) and must never change: Anki
#    matches note types by id, and a new id would make every learner's notes conflict on the next import.
# ---------------------------------------------------------------------------------------------------------------------

CARD_TYPES = ("date", "person", "treaty", "quote")
NOTE_TYPE_IDS = {"date": 1607392319, "person": 1536925017, "treaty": 1429187133, "quote": 1771062248}
NOTE_TYPE_NAMES = {t: f"build-deck {t.capitalize()}" for t in CARD_TYPES}

# Every field a note type will ever need, in Anki's order. Adding or removing one later makes Anki import a copy of the
# note type and refuse to update any learner's notes, so this list is frozen. The first field is the sort field.
NOTE_FIELDS = {
    "date": ("Event", "Date", "End", "Source", "Notes", "Themes", "Id", "Retired"),
    "person": ("Name", "Role", "Born", "Died", "Source", "Notes", "Themes", "Id", "Retired"),
    "treaty": ("Name", "Date", "Parties", "Terms", "Source", "Notes", "Themes", "Id", "Retired"),
    "quote": ("Text", "Speaker", "Context", "Date", "Source", "Notes", "Themes", "Id", "Retired"),
}

COMMON_REQUIRED = ("id", "type", "themes", "source")
COMMON_OPTIONAL = ("notes", "retired", "lint")
TYPE_REQUIRED = {
    "date": ("event", "date"),
    "person": ("name", "role"),
    "treaty": ("name", "date", "parties", "terms"),
    "quote": ("text", "speaker", "context"),
}
TYPE_OPTIONAL = {"date": ("end",), "person": ("born", "died"), "treaty": (), "quote": ("date",)}
LIST_FIELDS = ("themes", "parties")  # lists of text; `source` and `lint` have shapes of their own
DATE_FIELDS = ("date", "end", "born", "died")

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ID_MAX_LENGTH = 64
TAG_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
DATE_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
ASCII_NUMBER = re.compile(r"[0-9]+")  # str.isdigit() also takes '²' and '١٢٣'
LATEST_TIME = 253402300799  # 9999-12-31T23:59:59Z: the last time a calendar date can show
EARLIEST_TIME = 946684800  # 2000-01-01T00:00:00Z: earlier build times make note ids that Anki cannot hold (0)
HTML_PATTERN = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?\s*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab and line breaks
MAX_NESTING = 16
YAML_BOOLEANS = frozenset(["true", "false", "yes", "no", "on", "off", "y", "n"])
NULL_WORDS = frozenset({"~", "null", "Null", "NULL"})  # plain YAML nulls: an empty value, not the word "null"

# Every rule a problem can name, with what it checks: the contract behind `[rule-id]` in every message.
RULES = {
    "yaml-syntax": "the file is YAML that parses",
    "yaml-encoding": "the file is UTF-8",
    "seed-encoding": "a source text in seeds/ is UTF-8",
    "yaml-empty": "the file is not empty",
    "yaml-duplicate-key": "no key appears twice in a mapping",
    "yaml-alias": "no anchors (&name) or aliases (*name)",
    "yaml-multi-doc": "one YAML document per file",
    "yaml-tag": "no explicit tags such as !!python/object",
    "yaml-key": "mapping keys are plain text",
    "text-control": "no control characters in the text (Anki would split a note on them)",
    "file-unreadable": "the file can be read",
    "file-name": "card files end in .yaml (a .yml file would never be read)",
    "top-level": "a card file is a list of cards",
    "card-shape": "each card is a mapping of fields",
    "field-required": "every required field is there",
    "field-unknown": "no field the card type does not have",
    "field-empty": "no empty value",
    "field-shape": "text where text belongs, a list where a list does",
    "id-format": "ids are kebab-case, at most 64 characters",
    "id-unique": "no id is used twice",
    "type-known": "the type is date, person, treaty or quote",
    "theme-known": "every theme is one of deck.yaml's",
    "theme-unused": "every theme of deck.yaml has cards (warning)",
    "date-format": "dates are real calendar dates as YYYY, YYYY-MM or YYYY-MM-DD",
    "date-order": "an end or a death is not before its start or birth",
    "source-seed": "a source names a file in seeds/",
    "source-quote": "a source's excerpt occurs in its seed",
    "left-out": "a line under `## Left out` in seeds/README.md reads and names a passage of a seed (warning)",
    "quote-text": "a quote card's quotation occurs in a cited seed",
    "html-markup": "text that looks like HTML will show literally (warning)",
    "duplicate-prompt": "no two cards of a type ask the same question",
    "deck-missing": "cards/deck.yaml exists",
    "deck-format": "deck.yaml has a deck id, name, tag prefix and themes",
    "released-id": "a released card is never removed and never changes type",
    "released-format": "cards/released.json reads",
    "lint-known": "a lint exception names a lint rule",
    "lint-reason": "a lint exception gives its reason",
    # Card lint: warnings a card may silence with `lint: {<rule>: <reason>}`.
    "near-duplicate": "no card asks nearly what another asks",
    "answer-leak": "the question does not give the answer away",
    "prompt-pronoun": "a prompt does not start with a pronoun",
    "prompt-short": "a prompt has enough words to have one right answer",
    "date-precision": "a date is no more precise than its excerpts",
    "year-not-in-source": "a card's years appear in its excerpts",
    "list-too-long": "no list longer than three",
    "answer-too-long": "an answer is one short sentence",
}
DECK_FILE = "deck.yaml"
RELEASED_FILE = "released.json"
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

# ---------------------------------------------------------------------------------------------------------------------
# 2. Data
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    rule: str
    message: str

    def __post_init__(self):
        if self.rule not in RULES:  # a programming error: every rule is documented in RULES
            raise ValueError(f"unknown rule {self.rule!r}")

    def sort_key(self):
        return (self.path, self.line, self.col, self.rule, self.message)

    @classmethod
    def error(cls, path: str, node, rule: str, message: str) -> Problem:
        """An error at a node (anything with a line and a column)."""
        return cls(path, node.line, node.col, "error", rule, message)

    @classmethod
    def warning(cls, path: str, node, rule: str, message: str) -> Problem:
        return cls(path, node.line, node.col, "warning", rule, message)


class Text(NamedTuple):
    """A YAML scalar, always read as text, with its 1-based position. (Tuples: a large deck has millions.)"""

    value: str
    line: int
    col: int
    plain: bool = False  # written without quotes: `~` and `null` then mean "empty"


class Items(NamedTuple):
    items: list
    line: int
    col: int


class Fields(NamedTuple):
    """A YAML mapping: key → (key node, value node), in file order."""

    entries: dict
    line: int
    col: int

    def get(self, key):
        entry = self.entries.get(key)
        return entry[1] if entry else None


@dataclass(frozen=True)
class Card:
    path: str  # as shown in messages
    node: Fields

    @property
    def line(self):
        return self.node.line

    @property
    def col(self):
        return self.node.col

    @cached_property
    def _texts(self) -> dict[str, str]:
        return {key: text_of(value) for key, (_, value) in self.node.entries.items()}

    def text(self, key: str) -> str:
        """The field's text, stripped; "" when it is missing, empty or not text."""
        return self._texts.get(key, "")

    def texts(self, key: str) -> list[str]:
        value = self.node.get(key)
        if isinstance(value, Items):
            return [text_of(item) for item in value.items if text_of(item)]
        return [self.text(key)] if self.text(key) else []

    @property
    def id(self):
        return text_of(self.node.get("id"))

    @property
    def type(self):
        return text_of(self.node.get("type"))

    @cached_property
    def themes(self):
        return self.texts("themes")

    @property
    def retired(self):
        return self.text("retired")

    def sources(self) -> list[tuple[Fields, str, str]]:
        """(node, seed, excerpt) for every well-formed source entry."""
        return self._sources

    @cached_property
    def _sources(self):
        value = self.node.get("source")
        entries = value.items if isinstance(value, Items) else [value]
        return [
            (entry, text_of(entry.get("seed")), text_of(entry.get("quote")))
            for entry in entries
            if isinstance(entry, Fields)
        ]

    @cached_property
    def folded_excerpts(self) -> list[str]:
        """Each source's excerpt folded for matching (white space, quotes, dashes), in source order."""
        return [fold(excerpt) for _, _, excerpt in self.sources()]

    def lint_exceptions(self) -> dict[str, str]:
        value = self.node.get("lint")
        if not isinstance(value, Fields):
            return {}
        return {key: text_of(node) for key, (_, node) in value.entries.items() if text_of(node)}


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str
    keywords: tuple[str, ...]
    line: int
    col: int


@dataclass(frozen=True)
class Deck:
    id: int
    name: str
    description: str
    tag_prefix: str
    themes: tuple[Theme, ...]
    path: str
    id_line: int = 1  # where deck.yaml gives the id, for messages about it
    id_col: int = 1

    def theme(self, theme_id) -> Theme | None:
        return self._themes_by_id.get(theme_id)

    @cached_property
    def vocabularies(self):
        """What suggest matches a passage against, per theme (see theme_vocabularies)."""
        return theme_vocabularies(self)

    @cached_property
    def _themes_by_id(self):
        return {theme.id: theme for theme in self.themes}


@dataclass(frozen=True)
class Record:
    """What the last release recorded of a card or note type: its content hash and modification time."""

    hash: str
    mod: int
    type: str = ""
    line: int = 0


@dataclass(frozen=True)
class Released:
    path: str
    deck_id: int  # 0 before the first release
    cards: dict  # card id → Record
    note_types: dict  # card type → Record


@dataclass(frozen=True)
class Selection:
    themes: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def is_full(self):
        return not self.themes and not self.types


@dataclass
class Project:
    """Everything `load_project` read: the deck, its cards, its seeds, its release record and the load problems."""

    deck: Deck | None
    cards: list[Card]
    seeds: dict | None  # seed file name → folded text; None without a seeds folder
    released: Released
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0


# ---------------------------------------------------------------------------------------------------------------------
# 3. Loading: YAML → nodes with positions. Bad input becomes a Problem, never an exception.
# ---------------------------------------------------------------------------------------------------------------------

try:  # libyaml keeps the marks and is several times faster; the pure-Python parser gives the same problems (tested)
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.SafeLoader


def is_empty(node) -> bool:
    """A scalar with nothing in it: blank, or a plain YAML null (`~`, `null`)."""
    return type(node) is Text and not text_of(node)


def text_of(node) -> str:
    if type(node) is not Text:
        return ""
    value = node.value.strip()
    return "" if node.plain and value in NULL_WORDS else value


def shown_path(path: Path) -> str:
    """Paths in messages are relative to the current directory, as a user typed them."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def parse_yaml(
    data: bytes, path: str, expected: str = "a list of cards"
) -> tuple[Text | Items | Fields | None, list[Problem]]:
    """Compose a YAML document into nodes, reading every scalar as text.

    We build the nodes from parser events ourselves instead of using PyYAML's constructor: it keeps every position,
    never guesses types (`no`, `1956`, `1955-05-14` stay text), and stops at the first anchor or alias, so an alias
    bomb costs nothing.
    """

    def problem(mark, rule, message):
        return Problem(path, mark.line + 1, mark.column + 1, "error", rule, message)

    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        col = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1  # in characters
        return None, [
            Problem(
                path,
                line,
                col,
                "error",
                "yaml-encoding",
                f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8",
            )
        ]

    problems: list[Problem] = []
    stack: list[list] = []  # [node, pending key node] frames for open lists and mappings
    root = None
    documents = 0
    parser = None
    try:
        parser = _Parser(source)  # the pure-Python reader checks characters here already
        get_event = parser.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                mark = event.start_mark
                if event.anchor:
                    problems.append(
                        problem(
                            mark,
                            "yaml-alias",
                            f"YAML anchor '&{event.anchor}' is not allowed; write the value out in full",
                        )
                    )
                    return None, problems
                if event.tag not in (None, "!"):
                    problems.append(
                        problem(mark, "yaml-tag", f"explicit tag '{event.tag}' is not allowed; write plain values")
                    )
                if kind is yaml.ScalarEvent:
                    node = Text(event.value, mark.line + 1, mark.column + 1, not event.style)
                    control = CONTROL_CHARACTER.search(event.value)
                    if control:  # written as an escape ("\x1f"): Anki would split the note's fields on it
                        problems.append(
                            problem(
                                mark,
                                "text-control",
                                f"the control character U+{ord(control.group()):04X} is not allowed in text; remove it",
                            )
                        )
                elif len(stack) >= MAX_NESTING:
                    problems.append(
                        problem(
                            mark,
                            "yaml-syntax",
                            f"lists and mappings nested more than {MAX_NESTING} deep; a card needs three",
                        )
                    )
                    return None, problems
                else:
                    container = (
                        Items([], mark.line + 1, mark.column + 1)
                        if kind is yaml.SequenceStartEvent
                        else Fields({}, mark.line + 1, mark.column + 1)
                    )
                    stack.append([container, None])
                    continue
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                node = stack.pop()[0]
            elif kind is yaml.AliasEvent:
                problems.append(
                    problem(
                        event.start_mark,
                        "yaml-alias",
                        f"YAML alias '*{event.anchor}' is not allowed; write the value out in full",
                    )
                )
                return None, problems
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    problems.append(
                        problem(
                            event.start_mark,
                            "yaml-multi-doc",
                            "a second YAML document ('---'); keep one document per file",
                        )
                    )
                    return None, problems
                continue
            elif kind is yaml.StreamEndEvent:
                break
            else:  # stream start, document end
                continue
            if not stack:
                root = node
                continue
            frame = stack[-1]
            container = frame[0]
            if type(container) is Items:
                container.items.append(node)
            elif frame[1] is None:
                frame[1] = node  # a key; its value comes next
            else:
                key, frame[1] = frame[1], None
                if type(key) is not Text:
                    problems.append(
                        Problem(path, key.line, key.col, "error", "yaml-key", "a mapping key must be plain text")
                    )
                elif key.value in container.entries:
                    first = container.entries[key.value][0]
                    problems.append(
                        Problem.error(
                            path,
                            key,
                            "yaml-duplicate-key",
                            f"duplicate key '{key.value}', first given at line {first.line}; keep one of them",
                        )
                    )
                else:
                    container.entries[key.value] = (key, node)
    except yaml.MarkedYAMLError as error:
        # An unclosed quote or bracket is found at the end of the file; where it was opened is more use.
        at_end = "end of stream" in (error.problem or "")
        mark = (error.context_mark if at_end else None) or error.problem_mark or error.context_mark
        what = " ".join(part for part in (error.context, error.problem) if part)
        problems.append(
            problem(
                mark,
                "yaml-syntax",
                f"YAML does not parse: {what}; check the indentation and quote text that contains ': ' or ' #'",
            )
        )
        return None, problems
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        # libyaml counts bytes of the UTF-8 text, the pure-Python reader characters.
        if _Parser.__module__ == "yaml.cyaml":
            before = source.encode("utf-8")[: error.position].decode("utf-8", errors="ignore")
        else:
            before = source[: error.position]
        line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
        code = error.character if isinstance(error.character, int) else ord(error.character)
        message = f"the control character U+{code:04X} is not allowed in YAML; remove it"
        problems.append(Problem(path, line, col, "error", "text-control", message))
        return None, problems
    except yaml.YAMLError as error:  # anything else the parser refuses, without a position
        problems.append(
            Problem(path, 1, 1, "error", "yaml-syntax", f"YAML does not parse: {str(error).splitlines()[0]}")
        )
        return None, problems
    finally:
        if parser is not None:
            parser.dispose()
    if root is None:
        # The caller knows what the file holds; the parser does not guess it from the file name (D9).
        problems.append(Problem(path, 1, 1, "error", "yaml-empty", f"the file is empty; write {expected}"))
    return root, problems


def read_yaml_file(path: Path, expected: str = "a list of cards") -> tuple[Text | Items | Fields | None, list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [
            Problem(shown_path(path), 1, 1, "error", "file-unreadable", f"cannot read the file: {error.strerror}")
        ]
    return parse_yaml(data, shown_path(path), expected)


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector: the pipeline makes millions of small acyclic objects, and the collector
    would rescan every one of them again and again as they accumulate (a superlinear cost on large decks)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def is_input(path: Path, folder: Path) -> bool:
    """False for what editors and file managers leave beside inputs: dot-files and dot-folders (.DS_Store, Emacs's
    .#x.yaml lock link, Vim's .x.yaml.swp), backups (x.yaml~) and Emacs's #x.yaml#."""
    parts = path.relative_to(folder).parts
    return not any(part.startswith(".") for part in parts) and not path.name.endswith("~") and path.name[:1] != "#"


def card_files(cards_dir: Path) -> list[Path]:
    """Every `*.yaml` under cards_dir but deck.yaml, in path order. A dangling link is listed so that it is
    reported, not silently skipped."""
    return sorted(
        p
        for p in cards_dir.rglob("*.yaml")
        if (p.is_file() or p.is_symlink()) and p != cards_dir / DECK_FILE and is_input(p, cards_dir)
    )


def misnamed_card_files(cards_dir: Path) -> list[Problem]:
    """A card file under another ending (.yml, .YAML) would silently never ship."""
    return [
        Problem(
            shown_path(path),
            1,
            1,
            "error",
            "file-name",
            f"card files end in .yaml; rename this one to {path.stem}.yaml or it is not read",
        )
        for path in sorted(cards_dir.rglob("*"))
        if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml"
    ]


def read_card_files(files: list[Path]) -> tuple[list[Card], list[Problem]]:
    cards, problems = [], []
    with gc_paused():
        for path in files:
            root, file_problems = read_yaml_file(path)
            problems += file_problems
            shown = shown_path(path)
            if root is None:
                continue
            if not isinstance(root, Items):
                problems.append(
                    Problem.error(
                        shown, root, "top-level", "a card file must be a list of cards: start each card with '- id: …'"
                    )
                )
                continue
            for node in root.items:
                if isinstance(node, Fields):
                    cards.append(Card(shown, node))
                else:
                    problems.append(
                        Problem.error(
                            shown,
                            node,
                            "card-shape",
                            "a card must be a mapping of fields such as 'id: …' and 'type: …'",
                        )
                    )
    return cards, problems


def load_cards(cards_dir: Path) -> tuple[list[Card], list[Problem], int]:
    """The cards of every card file: (cards, problems, files read)."""
    files = card_files(cards_dir)
    cards, problems = read_card_files(files)
    return cards, misnamed_card_files(cards_dir) + problems, len(files)


def load_deck(cards_dir: Path) -> tuple[Deck | None, list[Problem]]:
    path = cards_dir / DECK_FILE
    shown = shown_path(path)
    if not path.is_file():
        return None, [
            Problem(
                shown,
                1,
                1,
                "error",
                "deck-missing",
                f"no {DECK_FILE} in {shown_path(cards_dir)}; create it with a 'deck:' and a 'themes:' section",
            )
        ]
    root, problems = read_yaml_file(path, "a 'deck:' and a 'themes:' section")
    if root is None:
        return None, problems
    return read_deck(root, shown, problems)


def read_deck(root, shown: str, problems: list[Problem]) -> tuple[Deck | None, list[Problem]]:
    def error(node, message):
        problems.append(Problem(shown, node.line, node.col, "error", "deck-format", message))

    def text_field(mapping, key, required=True):
        node = mapping.get(key)
        if node is None:
            if required:
                error(mapping, f"missing '{key}'")
            return ""
        if not isinstance(node, Text) or is_empty(node):
            error(node, f"'{key}' must be a line of text")
            return ""
        return node.value.strip()

    def unknown_keys(mapping, allowed):
        for key, (key_node, _) in mapping.entries.items():
            if key not in allowed:
                error(key_node, f"unknown key '{key}'{did_you_mean(key, allowed)}")

    if not isinstance(root, Fields):
        error(root, "deck.yaml must be a mapping with 'deck:' and 'themes:'")
        return None, problems
    unknown_keys(root, ("deck", "themes"))
    deck_node, themes_node = root.get("deck"), root.get("themes")
    if not isinstance(deck_node, Fields):
        error(deck_node or root, "'deck' must be a mapping with id, name, description and tag_prefix")
        deck_node = Fields({}, root.line, root.col)
    unknown_keys(deck_node, ("id", "name", "description", "tag_prefix"))
    deck_id_text = text_field(deck_node, "id")
    deck_id = int(deck_id_text) if ASCII_NUMBER.fullmatch(deck_id_text) else 0
    if deck_id_text and not 0 < deck_id < 2**63:
        error(deck_node.get("id"), f"deck id '{deck_id_text}' must be a positive whole number, generated once")
    name = text_field(deck_node, "name")
    description = text_field(deck_node, "description", required=False)
    tag_prefix = text_field(deck_node, "tag_prefix")
    if tag_prefix and not TAG_PREFIX_PATTERN.fullmatch(tag_prefix):
        error(deck_node.get("tag_prefix"), f"tag_prefix '{tag_prefix}' may hold only letters, digits, '-' and '_'")

    themes: list[Theme] = []
    if not isinstance(themes_node, Items) or not themes_node.items:
        error(themes_node or root, "'themes' must be a non-empty list of themes with id, title and description")
    else:
        seen: dict[str, Theme] = {}
        for node in themes_node.items:
            if not isinstance(node, Fields):
                error(node, "a theme must be a mapping with id, title and description")
                continue
            unknown_keys(node, ("id", "title", "description", "keywords"))
            theme_id = text_field(node, "id")
            id_node = node.get("id")
            if theme_id and not ID_PATTERN.fullmatch(theme_id):
                error(id_node, f"theme id '{theme_id}' must be kebab-case, e.g. '{slugify(theme_id)}'")
            elif theme_id in seen:
                error(id_node, f"theme id '{theme_id}' is used twice, first at line {seen[theme_id].line}")
            keywords_node = node.get("keywords")
            keywords: tuple[str, ...] = ()
            if keywords_node is not None:
                if isinstance(keywords_node, Items) and all(isinstance(k, Text) for k in keywords_node.items):
                    keywords = tuple(k.value.strip() for k in keywords_node.items if k.value.strip())
                else:
                    error(keywords_node, "'keywords' must be a list of words")
            theme = Theme(
                theme_id,
                text_field(node, "title"),
                text_field(node, "description", required=False),
                keywords,
                id_node.line if id_node else node.line,
                id_node.col if id_node else node.col,
            )
            if theme_id and theme_id not in seen:
                seen[theme_id] = theme
                themes.append(theme)
    if any(p.severity == "error" for p in problems):
        return None, problems
    id_node = deck_node.get("id")
    return Deck(deck_id, name, description, tag_prefix, tuple(themes), shown, id_node.line, id_node.col), problems


def read_seeds(seeds_dir: Path) -> tuple[dict[str, str] | None, list[Problem]]:
    """The texts cards may cite: every file directly in the seeds folder but its README, by file name (None when
    there is no such folder: one problem then says so, instead of one for every source)."""
    shown = shown_path(seeds_dir)
    if not seeds_dir.is_dir():
        return None, [
            Problem(shown, 1, 1, "error", "source-seed", f"there is no seeds folder {shown}; point --seeds at it")
        ]
    texts, problems = {}, []
    for path in sorted(seeds_dir.iterdir()):
        if not path.is_file() or path.name == "README.md" or not is_input(path, seeds_dir):
            continue
        try:
            data = path.read_bytes()
            texts[path.name] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line_start = data.rfind(b"\n", 0, error.start) + 1
            line = data.count(b"\n", 0, error.start) + 1
            col = len(data[line_start : error.start].decode("utf-8", "replace")) + 1
            problems.append(
                Problem(
                    shown_path(path),
                    line,
                    col,
                    "error",
                    "seed-encoding",
                    f"byte {error.start} is not UTF-8; open the text in an editor and save it as UTF-8",
                )
            )
        except OSError as error:
            problems.append(
                Problem(shown_path(path), 1, 1, "error", "file-unreadable", f"cannot read the file: {error.strerror}")
            )
    return texts, problems


def load_released(cards_dir: Path) -> tuple[Released, list[Problem]]:
    """The committed record of released cards (see `release`); an absent file means nothing was released yet."""
    path = cards_dir / RELEASED_FILE
    shown = shown_path(path)
    empty = Released(shown, 0, {}, {})
    if not path.is_file():
        return empty, []
    try:
        text = path.read_bytes().decode("utf-8")
        data = json.loads(text)
        lines = {
            key: number
            for number, line in enumerate(text.splitlines(), 1)
            for key in re.findall(r'^\s*"([^"]+)": \{"hash"', line)
        }
        cards = {
            card_id: Record(entry["hash"], int(entry["mod"]), entry["type"], lines.get(card_id, 1))
            for card_id, entry in data["cards"].items()
        }
        note_types = {name: Record(entry["hash"], int(entry["mod"])) for name, entry in data["note_types"].items()}
        deck_id = int(data["deck_id"])
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError) as error:
        problem = Problem(
            shown,
            1,
            1,
            "error",
            "released-format",
            f"the release record does not read ({error}); restore it from git, never edit it by hand",
        )
        return empty, [problem]
    return Released(shown, deck_id, cards, note_types), []


def load_project(cards_dir: Path, seeds_dir: Path) -> Project:
    deck, deck_problems = load_deck(cards_dir)
    cards, card_problems, files = load_cards(cards_dir)
    released, released_problems = load_released(cards_dir)
    seed_texts, seed_problems = read_seeds(seeds_dir)
    seeds = None if seed_texts is None else {name: fold(text) for name, text in seed_texts.items()}
    problems = deck_problems + card_problems + released_problems + seed_problems
    return Project(deck, cards, seeds, released, problems, files + 1)


# ---------------------------------------------------------------------------------------------------------------------
# 4. Validation: small named rules, each yielding Problems with a kebab-case rule id.
# ---------------------------------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    return WHITESPACE.sub(" ", text.translate(FOLD_TABLE)).strip()


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def slugify(text: str) -> str:
    """'Khrushchev's Foreign Policy, 1953–1964' → 'khrushchevs-foreign-policy-1953-1964'."""
    letters = "".join(
        c for c in unicodedata.normalize("NFKD", text.translate(LATIN_LETTERS)) if not unicodedata.combining(c)
    )
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['\u2019]", "", letters.lower())).strip("-")


def parse_date(text: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date of the form YYYY, YYYY-MM or YYYY-MM-DD covers, or None if it is not one."""
    match = DATE_PATTERN.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(part) if part is not None else None for part in match.groups())
    try:
        if day is not None:
            return dt.date(year, month, day), dt.date(year, month, day)
        if month is not None:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except (ValueError, calendar.IllegalMonthError):  # month 13, day 30 of February, year 0
        return None


def allowed_fields(card_type: str) -> tuple[str, ...]:
    return COMMON_REQUIRED + TYPE_REQUIRED.get(card_type, ()) + TYPE_OPTIONAL.get(card_type, ()) + COMMON_OPTIONAL


def rule_card_fields(card: Card, deck: Deck | None, seeds: dict) -> Iterator[Problem]:
    """field-required, field-unknown, field-empty, field-shape, type-known."""

    type_node = card.node.get("type")
    card_type = card.type
    known_type = card_type in CARD_TYPES
    if isinstance(type_node, Text) and card_type and not known_type:
        yield Problem.error(
            card.path,
            type_node,
            "type-known",
            f"unknown type '{card_type}'{did_you_mean(card_type, CARD_TYPES)}; use one of {', '.join(CARD_TYPES)}",
        )
    allowed = allowed_fields(card_type) if known_type else COMMON_REQUIRED + COMMON_OPTIONAL
    required = COMMON_REQUIRED + TYPE_REQUIRED.get(card_type, ())
    for key in required:
        if key not in card.node.entries:
            example = (
                f" ({', '.join(TYPE_REQUIRED[card_type])} are required for a {card_type} card)"
                if key in TYPE_REQUIRED.get(card_type, ())
                else ""
            )
            yield Problem.error(card.path, card.node, "field-required", f"card has no '{key}'{example}")
    for key, (key_node, value) in card.node.entries.items():
        if key not in allowed:
            if known_type or key not in {f for t in CARD_TYPES for f in allowed_fields(t)}:
                yield Problem.error(
                    card.path,
                    key_node,
                    "field-unknown",
                    f"unknown field '{key}'{did_you_mean(key, allowed)}; a {card_type + ' card' if known_type else 'card'} has "
                    f"{', '.join(allowed)}",
                )
            continue
        yield from check_shape(card, key_node, value)


def check_shape(card: Card, key_node: Text, value) -> Iterator[Problem]:
    """The value of one field has the shape its key asks for. An empty value is reported at its key."""
    key = key_node.value

    if key in LIST_FIELDS:
        if isinstance(value, Text) and not is_empty(value):
            yield Problem.error(
                card.path, value, "field-shape", f"'{key}' must be a list, e.g. {key}: [{value.value.strip()}]"
            )
        elif isinstance(value, Fields):
            yield Problem.error(card.path, value, "field-shape", f"'{key}' must be a list of text, not a mapping")
        elif is_empty(value) or not value.items:
            yield Problem.error(card.path, key_node, "field-empty", f"'{key}' is empty; give at least one")
        else:
            seen = set()
            for item in value.items:
                if not isinstance(item, Text):
                    yield Problem.error(
                        card.path, item, "field-shape", f"each item of '{key}' must be text, not a list or mapping"
                    )
                elif is_empty(item):
                    yield Problem.error(card.path, item, "field-empty", f"an item of '{key}' is empty")
                elif item.value.strip() in seen:
                    yield Problem.error(
                        card.path, item, "field-shape", f"'{item.value.strip()}' is listed twice in '{key}'; keep one"
                    )
                seen.add(text_of(item))
    elif key == "source":
        entries = value.items if isinstance(value, Items) else [value]
        if (isinstance(value, Items) and not value.items) or is_empty(value):  # `source: []` or `source:`
            entries = []
            yield Problem.error(
                card.path, value, "field-empty", "'source' is empty; cite at least one {seed: …, quote: …}"
            )
        for entry in entries:
            if not isinstance(entry, Fields):
                yield Problem.error(
                    card.path,
                    entry,
                    "field-shape",
                    "a source must be a mapping: {seed: <file in seeds/>, quote: <excerpt>}",
                )
                continue
            for sub_key, (sub_key_node, sub_value) in entry.entries.items():
                if sub_key not in ("seed", "quote"):
                    yield Problem.error(
                        card.path,
                        sub_key_node,
                        "field-unknown",
                        f"unknown source field '{sub_key}'{did_you_mean(sub_key, ('seed', 'quote'))}; "
                        "a source has seed and quote",
                    )
                elif not isinstance(sub_value, Text):
                    yield Problem.error(
                        card.path, sub_value, "field-shape", f"source '{sub_key}' must be text, not a list or mapping"
                    )
                elif is_empty(sub_value):
                    yield Problem.error(card.path, sub_key_node, "field-empty", f"source '{sub_key}' is empty")
            for sub_key in ("seed", "quote"):
                if sub_key not in entry.entries:
                    yield Problem.error(card.path, entry, "field-required", f"source has no '{sub_key}'")
    elif key == "lint":
        if not isinstance(value, Fields):
            yield Problem.error(
                card.path, value, "field-shape", "'lint' must be a mapping: {<rule-id>: <why the rule does not apply>}"
            )
            return
        for rule, (rule_node, reason) in value.entries.items():
            if rule not in LINT_RULES:
                yield Problem.error(
                    card.path, rule_node, "lint-known", f"unknown lint rule '{rule}'{did_you_mean(rule, LINT_RULES)}"
                )
            if not isinstance(reason, Text) or is_empty(reason):
                where = rule_node if is_empty(reason) else reason
                yield Problem.error(
                    card.path,
                    where,
                    "lint-reason",
                    f"say why '{rule}' does not apply to this card: the reason is required",
                )
    elif isinstance(value, Items | Fields):
        kind = "a list" if isinstance(value, Items) else "a mapping"
        yield Problem.error(
            card.path, value, "field-shape", f"'{key}' must be text, not {kind}; write it on one line, in quotes"
        )
    elif is_empty(value):
        yield Problem.error(card.path, key_node, "field-empty", f"'{key}' is empty; write a value or remove the field")
    elif key == "retired" and value.plain and value.value.strip().lower() in YAML_BOOLEANS:
        yield Problem.error(
            card.path,
            value,
            "field-shape",
            f"'retired' takes the reason, not '{value.value.strip()}': "
            'write e.g. retired: "merged into warsaw-pact", or remove the field',
        )


def rule_id_format(card: Card, deck, seeds) -> Iterator[Problem]:
    node = card.node.get("id")
    value = card.id
    if value and (not ID_PATTERN.fullmatch(value) or len(value) > ID_MAX_LENGTH):
        hint = f"e.g. '{slugify(value)[:ID_MAX_LENGTH].strip('-')}'" if slugify(value) else "e.g. 'warsaw-pact'"
        yield Problem.error(
            card.path,
            node,
            "id-format",
            f"'{value}' is not a valid id; use at most {ID_MAX_LENGTH} lower-case letters and digits in "
            f"words joined by hyphens, {hint}",
        )


def rule_dates(card: Card, deck, seeds) -> Iterator[Problem]:
    """date-format for every date field; date-order for end before date and died before born."""
    ranges = {}
    for key in DATE_FIELDS:
        node = card.node.get(key)
        if not isinstance(node, Text) or is_empty(node):
            continue
        value = node.value.strip()
        parsed = parse_date(value)
        if parsed is None:
            what = "is not a calendar date" if DATE_PATTERN.fullmatch(value) else "is not a date"
            yield Problem.error(card.path, node, "date-format", f"'{value}' {what}; write YYYY, YYYY-MM or YYYY-MM-DD")
        else:
            ranges[key] = (parsed, node)
    for first, last in (("date", "end"), ("born", "died")):
        if first in ranges and last in ranges and ranges[last][0][1] < ranges[first][0][0]:
            node = ranges[last][1]
            yield Problem.error(
                card.path,
                node,
                "date-order",
                f"{last} '{node.value.strip()}' is before {first} '{ranges[first][1].value.strip()}'",
            )


def rule_themes_known(card: Card, deck: Deck | None, seeds) -> Iterator[Problem]:
    node = card.node.get("themes")
    if deck is None or not isinstance(node, Items):
        return
    known = [t.id for t in deck.themes]
    for item in node.items:
        if isinstance(item, Text) and not is_empty(item) and item.value.strip() not in known:
            value = item.value.strip()
            hint = did_you_mean(value, known) or f" (themes are: {', '.join(known)})"
            yield Problem(card.path, item.line, item.col, "error", "theme-known", f"unknown theme '{value}'{hint}")


def rule_sources(card: Card, deck, seeds: dict | None) -> Iterator[Problem]:
    """source-seed, source-quote, quote-text. Without a seeds folder at all, load_project has said so once."""
    if seeds is None:
        return
    cited_texts = []
    for (entry, seed, excerpt), folded in zip(card.sources(), card.folded_excerpts, strict=True):
        seed_node = entry.get("seed")
        if not seed:
            continue
        if "/" in seed or "\\" in seed or seed in (".", "..") or os.path.isabs(seed):
            yield Problem.error(
                card.path,
                seed_node,
                "source-seed",
                f"seed '{seed}' must be a file name in seeds/, not a path; write e.g. "
                f"'{os.path.basename(seed.rstrip('/')) or 'text.txt'}'",
            )
            continue
        if seed not in seeds:
            hint = did_you_mean(seed, seeds) or (f" (seeds are: {', '.join(sorted(seeds))})" if seeds else "")
            yield Problem(
                card.path, seed_node.line, seed_node.col, "error", "source-seed", f"no seed '{seed}' in seeds/{hint}"
            )
            continue
        seed_text = seeds[seed]
        cited_texts.append(seed_text)
        if excerpt and folded not in seed_text:
            quote_node = entry.get("quote")
            yield Problem.error(
                card.path,
                quote_node,
                "source-quote",
                f"excerpt not found in {seed}{matched_hint(folded, seed_text)}; copy it exactly "
                "from the text (case, spelling and punctuation must match)",
            )
    if card.type == "quote" and cited_texts and card.text("text"):
        quotation = fold(card.text("text"))
        if not any(quotation in text for text in cited_texts):
            node = card.node.get("text")
            yield Problem.error(
                card.path,
                node,
                "quote-text",
                "the quotation is not in any cited seed; quote it exactly as the seed does, and cite the "
                "seed that contains it",
            )


def matched_hint(excerpt: str, seed_text: str) -> str:
    """Where an excerpt stops matching: the longest prefix found in the seed, by binary search."""
    low, high = 0, len(excerpt)
    while low < high:
        middle = (low + high + 1) // 2
        if excerpt[:middle] in seed_text:
            low = middle
        else:
            high = middle - 1
    if low < 8:
        return ""
    return f" (it matches up to '…{excerpt[max(0, low - 30) : low]}', then differs)"


def rule_html(card: Card, deck, seeds) -> Iterator[Problem]:
    for node in text_nodes(card.node):
        match = HTML_PATTERN.search(node.value)
        if match:
            yield Problem.warning(
                card.path,
                node,
                "html-markup",
                f"'{match.group()}' looks like HTML; it will be shown literally, as typed, not rendered",
            )


def text_nodes(node) -> Iterator[Text]:
    if isinstance(node, Text):
        yield node
    elif isinstance(node, Items):
        for item in node.items:
            yield from text_nodes(item)
    elif isinstance(node, Fields):
        for key, (_, value) in node.entries.items():
            if key not in ("id", "type", "themes", "seed", "lint"):
                yield from text_nodes(value)


CARD_RULES = (rule_card_fields, rule_id_format, rule_dates, rule_themes_known, rule_sources, rule_html)


def rule_ids_unique(cards: list[Card]) -> Iterator[Problem]:
    first: dict[str, Card] = {}
    for card in cards:
        if not card.id:
            continue
        if card.id in first:
            node, other = card.node.get("id"), first[card.id]
            where = f"{other.path}:{other.node.get('id').line}:{other.node.get('id').col}"
            yield Problem.error(
                card.path,
                node,
                "id-unique",
                f"duplicate id '{card.id}', first defined at {where}; give this card an id of its own",
            )
        else:
            first[card.id] = card


PROMPT_FIELDS_BY_TYPE = {"date": "event", "person": "name", "treaty": "name", "quote": "text"}
MIN_NEAR_WORDS = 4  # shorter prompts (names) differ by one word for good reasons: "Imre Nagy", "Imre Pozsgay"


def prompt_words(text: str) -> list[str]:
    """A prompt compared as learners read it: case, white space and punctuation ignored."""
    return re.findall(r"[^\W_]+", text.lower())


def rule_prompts_distinct(cards: list[Card]) -> Iterator[Problem]:
    """duplicate-prompt: two cards of one type that ask the same question; near-duplicate: the same content words,
    or all but one of them. Keys in a dictionary, never all pairs: linear in the number of cards."""
    exact: dict[tuple, Card] = {}
    near: dict[tuple, Card] = {}
    for card in cards:
        if card.retired:  # a retired card's replacement may ask the very same question
            continue
        key_field = PROMPT_FIELDS_BY_TYPE.get(card.type)
        words = prompt_words(card.text(key_field)) if key_field else []
        if not words:
            continue
        node = card.node.get(key_field)
        first = exact.setdefault((card.type, " ".join(words)), card)
        if first is not card:
            where = f"{first.path}:{first.node.get(key_field).line}:{first.node.get(key_field).col}"
            yield Problem.error(
                card.path,
                node,
                "duplicate-prompt",
                f"another {card.type} card asks the same: '{first.id}' at {where}; merge the two cards",
            )
            continue
        content = frozenset(words) - STOPWORDS
        # Only the keys' hashes are kept: at 50k cards the word sets themselves would take 200 MB.
        keys = [hash((card.type, content))]
        if len(content) >= MIN_NEAR_WORDS:
            keys += [hash((card.type, content - {word})) for word in content]
        other = next((near[key] for key in keys if key in near and near[key] is not card), None)
        if other is not None and "near-duplicate" not in card.lint_exceptions():
            yield Problem.warning(
                card.path,
                node,
                "near-duplicate",
                f"asks nearly what '{other.id}' asks ({other.path}:{other.line}); merge them, or "
                "say why both are needed with 'lint: {near-duplicate: <reason>}'",
            )
        for key in keys:
            near.setdefault(key, card)


def rule_themes_used(deck: Deck | None, cards: list[Card]) -> Iterator[Problem]:
    if deck is None:
        return
    used = {theme for card in cards for theme in card.themes}
    live = {theme for card in cards if not card.retired for theme in card.themes}
    for theme in deck.themes:
        if theme.id not in used:
            yield Problem.warning(
                deck.path, theme, "theme-unused", f"theme '{theme.id}' has no cards; add cards to it or remove it"
            )
        elif theme.id not in live:  # its theme deck would be empty: --each-theme writes none
            yield Problem.warning(
                deck.path,
                theme,
                "theme-unused",
                f"every card of theme '{theme.id}' is retired, so it has no deck of its own; add cards to it or remove it",
            )


def rule_released_kept(released: Released, cards: list[Card], deck: Deck | None = None) -> Iterator[Problem]:
    """A released id must never disappear or change type, nor the deck id: learners' notes hang on them."""
    if deck is not None and released.deck_id and deck.id != released.deck_id:
        yield Problem(
            deck.path,
            deck.id_line,
            deck.id_col,
            "error",
            "released-id",
            f"the deck id was released as {released.deck_id}; every note's id derives from it, so changing "
            "it would make every learner start over: put it back",
        )
    by_id = {card.id: card for card in cards}
    for card_id, record in released.cards.items():
        card = by_id.get(card_id)
        if card is None:
            yield Problem(
                released.path,
                record.line,
                1,
                "error",
                "released-id",
                f"card '{card_id}' was released and is gone; put it back and retire it instead "
                "(keep it with 'retired: <why>')",
            )
        elif card.type in CARD_TYPES and card.type != record.type:
            node = card.node.get("type")
            yield Problem.error(
                card.path,
                node,
                "released-id",
                f"card '{card_id}' was released as a {record.type} card and cannot change type; retire it "
                "and write a new card with a new id",
            )


def validate(project: Project) -> list[Problem]:
    """Every problem in the project, sorted by file, line and column."""
    problems = list(project.problems)
    for card in project.cards:
        for rule in CARD_RULES:
            problems.extend(rule(card, project.deck, project.seeds))
        problems.extend(lint_card(card))
    problems.extend(rule_ids_unique(project.cards))
    problems.extend(rule_prompts_distinct(project.cards))
    problems.extend(rule_themes_used(project.deck, project.cards))
    problems.extend(rule_released_kept(project.released, project.cards, project.deck))
    return sorted(problems, key=Problem.sort_key)


# Card lint: the rules of good flashcards. Warnings; a card silences one with `lint: {<rule>: <reason>}`.
PRONOUNS = frozenset(["he", "she", "it", "they", "this", "these", "those", "his", "her", "its", "their", "him", "them"])
# The fields a card's front shows as its question (TEMPLATES' fronts; a test keeps the two in step), less names and
# quotations: a name is short by nature and a quotation keeps its words. A treaty's terms and a quote's context are
# answers, not prompts (D5).
PROMPT_FIELDS = ("event", "role")
ANSWER_FIELDS = ("role", "terms", "context", "name", "speaker")
MONTH_WORDS = {number: (name, name[:3]) + (("Sept",) if number == 9 else ()) for number, name in enumerate(MONTHS, 1)}
MONTH_NUMBERS = {word: number for number, words in MONTH_WORDS.items() for word in words}
ANY_MONTH = re.compile(r"\b(?:" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + r")\b")
YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
# A month word counts as a date only beside a day or a year ("Jan Masaryk … 1948" is not January), and a number
# counts as a day only beside its month (a mission number or a count elsewhere in the sentence is not a day).
_MONTH = ANY_MONTH.pattern.removeprefix(r"\b")
_DAY = r"([0-3]?[0-9])(?:st|nd|rd|th)?"
_YEAR = r"(1[0-9]{3}|20[0-9]{2})\b"
DATED_MONTH = re.compile(
    rf"\b{_DAY}\s+(?:of\s+)?({_MONTH})(?:\.?,?\s*{_YEAR})?"  # 17 April 1894, 17th of April, 17 April,1894
    rf"|\b({_MONTH})\.?\s+{_DAY}(?!\d)\b(?:,?\s*{_YEAR})?"  # April 17, 1894
    rf"|\b({_MONTH})\.?,?\s+(?:of\s+)?(?:{_YEAR}|(?:the\s+)?(?:same|that|following|next|previous)\s+year\b)"
)  # April 1894, April of the same year


def dated_months(text: str) -> Iterator[tuple[int, int | None, str | None]]:
    """(month, day or None, year or None) for each month the text names as part of a date."""
    for match in DATED_MONTH.finditer(text):
        day1, month1, year1, month2, day2, year2, month3, year3 = match.groups()
        month = month1 or month2 or month3
        day = day1 or day2
        yield MONTH_NUMBERS[month], int(day) if day else None, year1 or year2 or year3


SENTENCE_BREAK = re.compile(
    r"(?<!\b[A-Z])(?<!\b(?:Mr|Dr|St|Jr))[.!?]\s+[A-Z]"
)  # not after an initial: "John F. Kennedy"
MIN_PROMPT_WORDS = 4
MAX_ANSWER_WORDS = 30
MAX_LIST_ITEMS = 3


def lint_card(card: Card) -> Iterator[Problem]:
    """The rules of good flashcards, as warnings. A card silences one with `lint: {<rule>: <reason>}`."""
    silenced = card.lint_exceptions()
    for rule, check in LINT_CHECKS.items():
        if rule in silenced:
            continue
        for node, rule_id, message in check(card):
            yield Problem(
                card.path,
                node.line,
                node.col,
                "warning",
                rule_id,
                f"{message}; fix the card, or explain with 'lint: {{{rule_id}: <reason>}}'",
            )


WORD = re.compile(r"[^\W\d_]+")


def name_words(name: str) -> list[str]:
    """The parts of a name worth looking for: 'Nikita S. Khrushchev' → Nikita, Khrushchev."""
    return [word for word in WORD.findall(name) if len(word) >= 3 and word[0].isupper()]


def lint_answer_leak(card: Card):
    """The answer stands in the question: the year in a date card's event, the name in a person's role..."""
    years = [year for key in ("date", "end") for year in YEAR.findall(card.text(key))]
    checks = {
        "date": [("event", years, YEAR.findall, "the event states its own year")],
        "treaty": [("name", years, YEAR.findall, "the treaty's name states its year")],
        "person": [("role", name_words(card.text("name")), WORD.findall, "the role names the person")],
        "quote": [("context", name_words(card.text("speaker")), WORD.findall, "the context names the speaker")],
    }.get(card.type, [])
    for key, answers, words_of, message in checks:
        said = {word.lower() for word in words_of(card.text(key))}
        leaked = next((answer for answer in answers if answer.lower() in said), None)
        if leaked:
            yield card.node.get(key), "answer-leak", f"{message} ('{leaked}'), which is what the card asks"


def lint_prompt_pronoun(card: Card):
    for key in PROMPT_FIELDS:
        words = card.text(key).split()
        if words and words[0].lower().strip(",.'\"") in PRONOUNS:
            yield (
                card.node.get(key),
                "prompt-pronoun",
                f"'{key}' starts with '{words[0]}', which means nothing out of context; name who or what",
            )


def lint_prompt_short(card: Card):
    for key in PROMPT_FIELDS:
        value = card.text(key)
        if value and len(value.split()) < MIN_PROMPT_WORDS:
            yield (
                card.node.get(key),
                "prompt-short",
                f"'{key}' has fewer than {MIN_PROMPT_WORDS} words: too little to have exactly one right answer",
            )


def card_dates(card: Card) -> Iterator[tuple[str, re.Match]]:
    """(field, match) for each well-formed date on the card; date-format reports the others."""
    for key in DATE_FIELDS:
        value = card.text(key)
        match = value and DATE_PATTERN.fullmatch(value)
        if match and parse_date(value):
            yield key, match


def lint_date_precision(card: Card):
    """A date more precise than any cited excerpt: the month or day came from somewhere the card does not cite."""
    excerpts = [excerpt for excerpt in card.folded_excerpts if excerpt]
    for key, match in card_dates(card):
        if not match.group(2) or not excerpts:
            continue
        month, day = int(match.group(2)), match.group(3)
        stated = [list(dated_months(e)) for e in excerpts]
        month_named = [dates for dates in stated if any(named == month for named, _, _ in dates)]
        day_named = [dates for dates in month_named if day and (month, int(day)) in {(m, d) for m, d, _ in dates}]
        if not month_named or (day and not day_named):
            what = "day" if month_named else "month"
            yield (
                card.node.get(key),
                "date-precision",
                f"{key} '{match.group()}' gives a {what} that no cited excerpt states",
            )


def lint_year_not_in_source(card: Card):
    excerpts = " ".join(card.folded_excerpts)
    if not excerpts:
        return
    for key, match in card_dates(card):
        if match.group(1) not in excerpts:
            yield (
                card.node.get(key),
                "year-not-in-source",
                f"{key} '{match.group()}': the year {match.group(1)} is in none of the cited excerpts",
            )


def lint_list_too_long(card: Card):
    node = card.node.get("parties")
    if isinstance(node, Items) and len(node.items) > MAX_LIST_ITEMS:
        yield (
            node,
            "list-too-long",
            f"{len(node.items)} parties: a list longer than {MAX_LIST_ITEMS} is hard to recall; group them (e.g. 'seven Eastern European states')",
        )
    for key in ("role", "terms"):
        if card.text(key).count(",") >= MAX_LIST_ITEMS:
            yield (
                card.node.get(key),
                "list-too-long",
                f"'{key}' lists more than {MAX_LIST_ITEMS} things; keep one fact per card",
            )


def lint_answer_too_long(card: Card):
    for key in ANSWER_FIELDS:
        value = card.text(key)
        if SENTENCE_BREAK.search(value) or len(value.split()) > MAX_ANSWER_WORDS:
            yield (
                card.node.get(key),
                "answer-too-long",
                f"'{key}' is longer than one short sentence; move the rest to notes",
            )


LINT_CHECKS = {  # rule id → the check; each yields (node, rule id, message)
    "answer-leak": lint_answer_leak,
    "prompt-pronoun": lint_prompt_pronoun,
    "prompt-short": lint_prompt_short,
    "date-precision": lint_date_precision,
    "year-not-in-source": lint_year_not_in_source,
    "list-too-long": lint_list_too_long,
    "answer-too-long": lint_answer_too_long,
}
# The rules a card may silence: near-duplicate is checked across cards, in rule_prompts_distinct.
LINT_RULES = ("near-duplicate", *LINT_CHECKS)


# ---------------------------------------------------------------------------------------------------------------------
# 4b. JSON Schemas of the two file kinds, for editors (completion, early errors); validate stays the authority.
# ---------------------------------------------------------------------------------------------------------------------

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILES = {"cards": "card.schema.json", "deck": "deck.schema.json"}


def card_schema(deck: Deck | None, seed_names: list[str]) -> dict:
    """A card file: a list of cards. Themes and seeds are the project's own, so an editor can complete them."""
    text = {"type": "string", "pattern": r"\S"}
    date = {
        "anyOf": [
            {"type": "string", "pattern": r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"},
            {"type": "integer", "minimum": 1000, "maximum": 9999},  # an editor reads `date: 1956` as a number
        ],
        "description": "YYYY, YYYY-MM or YYYY-MM-DD",
    }
    seed = {**text, "enum": seed_names} if seed_names else text
    source = {
        "type": "object",
        "required": ["seed", "quote"],
        "additionalProperties": False,
        "properties": {
            "seed": {**seed, "description": "a file name in seeds/"},
            "quote": {**text, "description": "an excerpt that occurs in the seed, copied exactly"},
        },
    }
    theme_ids = [theme.id for theme in deck.themes] if deck else []
    fields = {
        "id": {
            "type": "string",
            "pattern": ID_PATTERN.pattern.join("^$"),
            "maxLength": ID_MAX_LENGTH,
            "description": "kebab-case, unique, never changed once released",
        },
        "type": {"enum": list(CARD_TYPES)},
        "themes": {"type": "array", "minItems": 1, "items": {"enum": theme_ids} if theme_ids else text},
        "source": {
            "anyOf": [{"$ref": "#/$defs/source"}, {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/source"}}]
        },
        "notes": text,
        "retired": {**text, "description": "why the card was retired; it then leaves every subset deck"},
        "lint": {
            "type": "object",
            "propertyNames": {"enum": list(LINT_RULES)},
            "additionalProperties": text,
            "description": "{<lint rule>: <why it does not apply to this card>}",
        },
        "parties": {"type": "array", "minItems": 1, "items": text},
    }
    for key in {key for card_type in CARD_TYPES for key in allowed_fields(card_type)} - set(fields):
        fields[key] = date if key in DATE_FIELDS else text
    by_type = [
        {
            "if": {"properties": {"type": {"const": card_type}}, "required": ["type"]},
            "then": {
                "required": list(COMMON_REQUIRED + TYPE_REQUIRED[card_type]),
                "propertyNames": {"enum": list(allowed_fields(card_type))},
            },
        }
        for card_type in CARD_TYPES
    ]
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "build-deck card file",
        "description": "A list of cards; see CONTRIBUTING.md. `build-deck validate` checks what a schema cannot.",
        "type": "array",
        "items": {"$ref": "#/$defs/card"},
        "$defs": {
            "source": source,
            "card": {
                "type": "object",
                "required": list(COMMON_REQUIRED),
                "properties": dict(sorted(fields.items())),
                "additionalProperties": False,
                "allOf": by_type,
            },
        },
    }


def deck_schema() -> dict:
    text = {"type": "string", "pattern": r"\S"}
    kebab = {"type": "string", "pattern": ID_PATTERN.pattern.join("^$")}
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "build-deck deck.yaml",
        "type": "object",
        "required": ["deck", "themes"],
        "additionalProperties": False,
        "properties": {
            "deck": {
                "type": "object",
                "required": ["id", "name", "tag_prefix"],
                "additionalProperties": False,
                "properties": {
                    "id": {
                        "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^[0-9]+$"}],
                        "description": "generated once, never changed",
                    },
                    "name": text,
                    "description": text,
                    "tag_prefix": {"type": "string", "pattern": TAG_PREFIX_PATTERN.pattern.join("^$")},
                },
            },
            "themes": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["id", "title"],
                    "additionalProperties": False,
                    "properties": {
                        "id": kebab,
                        "title": text,
                        "description": text,
                        "keywords": {"type": "array", "items": text},
                    },
                },
            },
        },
    }


# ---------------------------------------------------------------------------------------------------------------------
# 5. Selection
# ---------------------------------------------------------------------------------------------------------------------


def select(cards: list[Card], selection: Selection) -> list[Card]:
    """Cards with any of the chosen themes AND any of the chosen types; a subset never carries retired cards."""
    if selection.is_full:
        return list(cards)
    return [
        card
        for card in cards
        if not card.retired
        and (not selection.themes or set(card.themes) & set(selection.themes))
        and (not selection.types or card.type in selection.types)
    ]


def subset_deck_name(deck: Deck, selection: Selection) -> str:
    if selection.is_full:
        return deck.name
    parts = [deck.name]
    if selection.themes:
        parts.append(", ".join(deck.theme(t).title for t in sorted(selection.themes)))
    if selection.types:
        parts.append(" and ".join(sorted(selection.types)) + " cards")
    return " — ".join(parts)


def subset_deck_id(deck: Deck, selection: Selection) -> int:
    """Stable for the same selection in any order; in genanki's recommended id range."""
    if selection.is_full:
        return deck.id
    key = json.dumps([deck.id, sorted(set(selection.themes)), sorted(set(selection.types))])
    return (1 << 30) + int(hashlib.sha256(key.encode()).hexdigest(), 16) % (1 << 30)


# ---------------------------------------------------------------------------------------------------------------------
# 5b. Coverage: which fact-bearing passages of the texts the cards cite, and drafts for the rest.
# ---------------------------------------------------------------------------------------------------------------------

FACT_PATTERNS = {
    "year": re.compile(r"\b(?:1[6-9]\d\d|20\d\d)\b"),
    "date": re.compile(
        rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{'|'.join(MONTHS)})|(?:{'|'.join(MONTHS)}) \d{{1,2}}\b)"
    ),
    "quotation": re.compile(r"[“\"][^“”\"\s]+(?:\s+[^“”\"\s]+){3,}[”\"]"),  # four words or more: not a “scare quote”
    "treaty": re.compile(
        r"\b(?:treat(?:y|ies)|pacts?|agreements?|alliances?|accords?|declarations?|conventions?|charters?)\b", re.I
    ),
    "person": re.compile(
        r"\b(?:President|Premier|Chairman|Marshal|General|Secretary|Prime Minister|Mr\.?) [A-Z][a-z]+"
    ),
}
FACT_HINTS = {  # cheap tests that rule a pattern out before its regular expression runs
    "year": lambda text: True,
    "date": lambda text: any(month in text for month in MONTHS),
    "quotation": lambda text: '"' in text or "“" in text,
    "treaty": lambda text: any(
        word in text.lower() for word in ("treat", "pact", "agree", "allian", "accord", "declar", "conven", "charter")
    ),
    "person": lambda text: True,
}
FURNITURE = re.compile(
    r"^(?:Submitted By|Words:|Pages:|Source:|Retrieved|Copyright|©|Image:|File:)|https?://|www\.|\.(?:jpe?g|png|gif)\b",
    re.I,
)
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
MIN_PASSAGE_WORDS = 4


@dataclass(frozen=True)
class Passage:
    """A sentence of a seed that states a fact; its line is the line it starts on."""

    seed: str
    line: int
    start: int  # offsets into the seed's text
    end: int
    text: str  # white space folded
    facts: tuple[str, ...]  # what makes it fact-bearing: year, date, quotation, treaty, person
    names: frozenset = frozenset()  # its words, checked against the deck's people once they are known


@dataclass(frozen=True)
class SeedCoverage:
    seed: str
    passages: list  # every fact-bearing passage, a repeated one once
    cited: list
    left_out: list
    uncited: list  # most fact-dense first


LEFT_OUT_LINE = re.compile(r'- `([^`]+)`: "(.+)" — (.+)')  # - `SEED`: "excerpt" — reason


def left_out_lines(seeds_dir: Path) -> list[tuple[int, str]]:
    """(line number, line) for each list item under `## Left out` in seeds/README.md."""
    path = seeds_dir / "README.md"
    if not path.is_file():
        return []
    items, inside = [], False
    for number, line in enumerate(path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1):
        if line.startswith("## "):
            inside = line.rstrip() == "## Left out"
        elif inside and line.startswith("- "):
            items.append((number, line))
    return items


def load_left_out(seeds_dir: Path) -> list[tuple[str, str, str]]:
    """(seed, excerpt, reason) for each passage `seeds/README.md` lists under `## Left out` as
    - `SEED`: "excerpt" — reason"""
    return [match.groups() for _, line in left_out_lines(seeds_dir) if (match := LEFT_OUT_LINE.fullmatch(line))]


def left_out_problems(seeds_dir: Path, seed_texts: dict[str, str]) -> list[Problem]:
    """Warnings for the `## Left out` lines that would silently leave nothing out: a line that does not read as
    - `SEED`: "excerpt" — reason, names no seed, or quotes words that are not in that seed."""
    shown, problems = shown_path(seeds_dir / "README.md"), []
    folded = {name: fold(text) for name, text in seed_texts.items()}
    for number, line in left_out_lines(seeds_dir):
        match = LEFT_OUT_LINE.fullmatch(line)
        if match is None:
            message = 'this line does not read; write - `SEED`: "the exact words" — why it is left out'
        elif match[1] not in seed_texts:
            message = f"no seed '{match[1]}' in {shown_path(seeds_dir)}{did_you_mean(match[1], seed_texts)}"
        elif fold(match[2]) not in folded[match[1]]:
            message = f"the words in quotes are not in {match[1]}, so nothing is left out; copy them from the text"
        else:
            continue
        problems.append(Problem(shown, number, 1, "warning", "left-out", message))
    return problems


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


def seed_sentences(seed: str, text: str) -> list[Passage]:
    """Every sentence of a seed but page furniture, with the facts found in it before the deck's people are known."""
    newlines = [match.start() for match in NEWLINE.finditer(text)]
    sentences = []
    for start, end in sentence_spans(text):
        sentence = WHITESPACE.sub(" ", text[start:end]).strip()
        if len(sentence.split()) < MIN_PASSAGE_WORDS or FURNITURE.search(sentence):
            continue
        facts = tuple(
            name for name, pattern in FACT_PATTERNS.items() if FACT_HINTS[name](sentence) and pattern.search(sentence)
        )
        names = frozenset() if "person" in facts else frozenset(WORD.findall(sentence))
        sentences.append(Passage(seed, bisect.bisect(newlines, start) + 1, start, end, sentence, facts, names))
    return sentences


def fact_bearing(sentences: list[Passage], people: set[str]) -> list[Passage]:
    """The sentences that state a fact: those seed_sentences found one in, and those naming one of the people."""
    return [
        sentence
        if sentence.names.isdisjoint(people)
        else dataclasses.replace(sentence, facts=(*sentence.facts, "person"))
        for sentence in sentences
        if sentence.facts or not sentence.names.isdisjoint(people)
    ]


def folded_positions(text: str) -> tuple[str, callable]:
    """The text folded as excerpts are matched, and a function from an offset in the text to one in the folded text.

    Folding changes lengths only where a run of two or more white-space characters becomes one space."""
    folded = WHITESPACE.sub(" ", text.translate(FOLD_TABLE))
    runs = [match.span() for match in LONG_WHITESPACE.finditer(text)]
    run_starts = [start for start, _ in runs]
    removed = list(itertools.accumulate(end - start - 1 for start, end in runs))

    def position(offset: int) -> int:
        index = bisect.bisect_right(run_starts, offset) - 1  # the last run that starts at or before the offset
        if index < 0:
            return offset
        start, end = runs[index]
        if offset < end:  # inside the run, which folds to one space
            return start - (removed[index - 1] if index else 0)
        return offset - removed[index]

    return folded, position


def excerpt_spans(folded: str, needle: str) -> Iterator[tuple[int, int]]:
    """Every place a folded excerpt occurs in a folded seed."""
    found = folded.find(needle) if needle else -1
    while found >= 0:
        yield found, found + len(needle)
        found = folded.find(needle, found + 1)


@dataclass(frozen=True)
class Citations:
    """What coverage and suggest need of the cards: small enough to pass between processes."""

    people: dict  # a part of a person's or speaker's name → the full name
    excerpts: dict  # seed → every excerpt that cites it, folded
    ids: frozenset


def citations_of(cards: list[Card]) -> Citations:
    people, excerpts = {}, {}
    for card in cards:
        if card.type in ("person", "quote"):
            for key in ("name", "speaker"):
                people.update(dict.fromkeys(name_words(card.text(key)), card.text(key)))
        for _, seed, excerpt in card.sources():
            excerpts.setdefault(seed, []).append(fold(excerpt))  # folded here: in parallel, on large decks
    return Citations(people, excerpts, frozenset(card.id for card in cards))


def read_for_coverage(cards_dir: Path, seed_texts: dict[str, str]) -> tuple[Citations, dict[str, list[Passage]]]:
    """The cards' citations and the seeds' sentences. On a large deck two processes share the work: the second splits
    the seeds into sentences and reads two fifths of the card files, the first reads the rest."""
    files = card_files(cards_dir)
    split = len(files) * 2 // 5

    def sentences_and_first_files():
        sentences = {seed: seed_sentences(seed, text) for seed, text in seed_texts.items()}
        return sentences, citations_of(read_card_files(files[:split])[0])

    (sentences, first), second = run_beside(
        sentences_and_first_files,
        lambda: citations_of(read_card_files(files[split:])[0]),
        parallel=len(files) >= PARALLEL_FILES,
    )
    if isinstance(second, BaseException):
        raise second
    excerpts = {
        seed: first.excerpts.get(seed, []) + second.excerpts.get(seed, [])
        for seed in first.excerpts.keys() | second.excerpts.keys()
    }
    return Citations(first.people | second.people, excerpts, first.ids | second.ids), sentences


def coverage(
    seed_texts: dict[str, str],
    sentences: dict[str, list[Passage]],
    citations: Citations,
    left_out: list[tuple[str, str, str]],
) -> list[SeedCoverage]:
    """Per seed: its fact-bearing passages, which a card cites (a source excerpt overlaps it), which seeds/README.md
    leaves out, and the rest."""
    people = set(citations.people)
    omitted: dict[str, list[str]] = {}
    for seed, excerpt, _ in left_out:
        omitted.setdefault(seed, []).append(fold(excerpt))
    report = []
    for seed, text in seed_texts.items():
        every = fact_bearing(sentences[seed], people)  # in text order, none overlapping
        folded, position = folded_positions(text)
        starts = [position(passage.start) for passage in every]
        ends = [position(passage.end) for passage in every]

        def overlapped(excerpts, every=every, starts=starts, ends=ends, folded=folded):
            """The passages (by folded text, so that a repeated one counts once) any of the excerpts overlaps."""
            hit = set()
            for excerpt in excerpts:
                for start, end in excerpt_spans(folded, excerpt):
                    index = bisect.bisect_right(ends, start)  # the first passage that ends after the excerpt starts
                    while index < len(every) and starts[index] < end:
                        hit.add(every[index].text.lower())
                        index += 1
            return hit

        cited_keys = overlapped(citations.excerpts.get(seed, []))
        omitted_keys = overlapped(omitted.get(seed, [])) - cited_keys
        passages = list({passage.text.lower(): passage for passage in reversed(every)}.values())[::-1]
        passages.sort(key=lambda passage: passage.start)
        cited = [p for p in passages if p.text.lower() in cited_keys]
        left = [p for p in passages if p.text.lower() in omitted_keys]
        uncited = sorted(
            (p for p in passages if p.text.lower() not in cited_keys and p.text.lower() not in omitted_keys),
            key=lambda p: (-len(p.facts), p.line),
        )
        report.append(SeedCoverage(seed, passages, cited, left, uncited))
    return report


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
        "soviet",
        "union",
        "khrushchev",
    ]
)
TREATY_NAME = re.compile(
    r"(?:[A-Z][\w'’-]*\s+){0,4}(?:Treaty|Pact|Agreement|Alliance|Accords?|Declaration|Convention|Charter)"
    r"(?:\s+of\s+[A-Z][\w'’-]*)?"
)
QUOTED = re.compile(r"[“\"]([^“”\"]+)[”\"]")


def guess_date(text: str) -> str:
    """The most precise date a sentence states: YYYY-MM-DD, YYYY-MM or YYYY; "" when it has no year."""
    first_year = FACT_PATTERNS["year"].search(text)
    if not first_year:
        return ""
    for month, day, year in dated_months(text):  # the first month that is part of a date, with its own year
        year = year or first_year.group()
        if day and parse_date(f"{year}-{month:02}-{day:02}"):
            return f"{year}-{month:02}-{day:02}"
        return f"{year}-{month:02}"
    return first_year.group()


def theme_vocabularies(deck: Deck) -> list[tuple[str, frozenset, tuple[str, ...]]]:
    """Per theme: its id, the words of its id, title, description and keywords, and its keywords."""
    vocabularies = []
    for theme in deck.themes:
        text = " ".join((theme.id.replace("-", " "), theme.title, theme.description, *theme.keywords))
        words = frozenset(w.lower() for w in WORD.findall(text) if len(w) >= 4) - STOPWORDS
        vocabularies.append((theme.id, words, tuple(k.lower() for k in theme.keywords)))
    return vocabularies


def guess_themes(text: str, deck: Deck) -> list[str]:
    """The themes whose title, description and keywords share the most words with the text (a keyword counts 3)."""
    words = {w.lower() for w in WORD.findall(text) if len(w) >= 4} - STOPWORDS
    lowered = text.lower()
    scores = [
        (len(words & vocabulary) + 2 * sum(k in lowered for k in keywords), theme_id)
        for theme_id, vocabulary, keywords in deck.vocabularies
    ]
    best = max(score for score, _ in scores)
    return [theme_id for score, theme_id in scores if score == best and best > 0][:2] or [deck.themes[0].id]


def yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft_card(passage: Passage, deck: Deck, people: dict[str, str], taken: set[str]) -> str:
    """A card for an uncited passage, as YAML to paste and finish: filled where the text says it, marked where a
    human must check (CHECK) or write (TODO)."""
    text, facts = passage.text, passage.facts
    date = guess_date(text)
    named = next((people[word] for word in WORD.findall(text) if word in people), "")
    quoted = next((q for q in QUOTED.findall(text) if len(q.split()) >= MIN_PASSAGE_WORDS), "")
    treaty = TREATY_NAME.search(text)
    if quoted:
        card_type, why = "quote", "a quotation"
        fields = [
            ("text", yaml_text(quoted.strip()), "CHECK: the quoted words, exactly as the text gives them"),
            ("speaker", yaml_text(named), "CHECK: who said it" if named else "TODO: who said it"),
            ("context", '""', "TODO: the occasion, without naming the speaker"),
        ]
        if date:
            fields.append(("date", date, "CHECK: when it was said"))
        speaker = slugify(named.split()[-1]) + "-" if named else ""
        subject = f"quote-{speaker}{slugify(' '.join(quoted.split()[: 4 if named else 5]))}"
    elif "treaty" in facts:
        card_type, why = "treaty", "a treaty word"
        name = treaty.group().strip() if treaty else ""
        fields = [
            ("name", yaml_text(name), "CHECK: the treaty's name" if name else "TODO: the treaty's name"),
            ("date", date or '""', "CHECK: when it was signed" if date else "TODO: when it was signed"),
            ("parties", "[]", "TODO: who signed it, at most three items"),
            ("terms", '""', "TODO: what it established or forbade, in one sentence"),
        ]
        subject = name or " ".join(text.split()[:5])
    elif date:
        card_type, why = "date", "a year"
        fields = [
            ("event", '""', "TODO: what happened, so that 'when?' has one answer; without the year"),
            ("date", date, "CHECK: at the precision the text supports"),
        ]
        words = [w for w in WORD.findall(text) if len(w) >= 3 and w.lower() not in STOPWORDS and w not in MONTHS]
        subject = " ".join(words[:5])
    else:
        card_type, why = "person", "a named person"
        fields = [
            ("name", yaml_text(named), "CHECK: the person's full name" if named else "TODO: the person's full name"),
            ("role", '""', "TODO: who they were in this story, one line, without their name"),
        ]
        subject = named or " ".join(text.split()[:4])
    card_id = slugify(subject)[: ID_MAX_LENGTH - 4].strip("-") or "card"
    base, number = card_id, 2
    while card_id in taken:
        card_id, number = f"{base}-{number}", number + 1
    taken.add(card_id)
    themes = guess_themes(text, deck)
    lines = [
        f"# {passage.seed}:{passage.line} [{', '.join(facts)}]",
        f"- id: {card_id}  # CHECK: a stable id, never changed once released",
        f"  type: {card_type}  # CHECK: guessed from {why}",
        f"  themes: [{', '.join(themes)}]  # CHECK: guessed from the theme descriptions",
        *(f"  {key}: {value}  # {note}" for key, value, note in fields),
        "  source:",
        f"    seed: {passage.seed}",
        f"    quote: {yaml_text(text)}",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# 6. Compiling: cards → genanki objects. No I/O.
# ---------------------------------------------------------------------------------------------------------------------

CSS = """\
.card {
  --ink: #1f1f1f; --muted: #5f5a52; --accent: #8a2b1d; --paper: #fbfaf7; --rule: #d9d3c7; --quote-bg: #f1ede4;
  font-family: "Iowan Old Style", "Palatino Linotype", Georgia, serif;
  font-size: 21px; line-height: 1.45; text-align: left;
  color: var(--ink); background: var(--paper);
  max-width: 36em; margin: 0 auto; padding: 0.8em 1em;
  overflow-wrap: break-word;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --ink: #e8e4dc; --muted: #aaa397; --accent: #f0a58f; --paper: #1e1e1e; --rule: #4a463f; --quote-bg: #2b2925;
}
.kind { font: 600 0.7em system-ui, sans-serif; letter-spacing: 0.08em; text-transform: uppercase; color: var(--accent); }
.prompt { font-size: 1.15em; margin: 0.3em 0 0.2em; }
blockquote.prompt { margin: 0.4em 0; padding: 0.5em 0.8em; border-left: 4px solid var(--accent);
  background: var(--quote-bg); font-style: italic; }
hr#answer { border: 0; border-top: 1px solid var(--rule); margin: 0.8em 0; }
.answer { font-size: 1.15em; font-weight: 600; }
.detail { margin-top: 0.3em; }
.notes { margin-top: 0.8em; font-size: 0.85em; }
.retired { margin-top: 0.8em; font-size: 0.8em; color: var(--accent); }
.sources { margin-top: 0.9em; padding-top: 0.5em; border-top: 1px dotted var(--rule); font-size: 0.75em; color: var(--muted); }
.source + .source { margin-top: 0.4em; }
.seed { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
.themes { margin-top: 0.4em; font: 0.7em system-ui, sans-serif; color: var(--muted); }
@media (max-width: 480px) { .card { font-size: 18px; padding: 0.5em 0.6em; } }
"""

BACK_FOOTER = """\
{{#Notes}}<div class="notes">{{Notes}}</div>{{/Notes}}
{{#Retired}}<div class="retired">Retired: {{Retired}}</div>{{/Retired}}
<div class="sources">{{Source}}</div>
<div class="themes">{{Themes}}</div>"""


def template(name: str, kind: str, prompt: str, answer: str) -> Mapping[str, str]:
    front = f'<div class="kind">{kind}</div>\n{prompt}'
    # Read-only: a table shared by every package of the process must not take in what genanki writes into its dicts.
    return MappingProxyType(
        {"name": name, "qfmt": front, "afmt": f'{{{{FrontSide}}}}\n<hr id="answer">\n{answer}\n{BACK_FOOTER}'}
    )


TEMPLATES = {
    "date": (
        template(
            "When?",
            "When did this happen?",
            '<div class="prompt">{{Event}}</div>',
            '<div class="answer">{{Date}}{{#End}} – {{End}}{{/End}}</div>',
        ),
    ),
    "person": (
        template(
            "Who was…?",
            "Who was this?",
            '<div class="prompt">{{Name}}</div>',
            '<div class="answer">{{Role}}</div>\n'
            '{{#Born}}<div class="detail">Born {{Born}}</div>{{/Born}}\n'
            '{{#Died}}<div class="detail">Died {{Died}}</div>{{/Died}}',
        ),
        template(
            "Who is described?",
            "Who was this?",
            '<div class="prompt">{{Role}}</div>',
            '<div class="answer">{{Name}}</div>',
        ),
    ),
    "treaty": (
        template(
            "What did it establish?",
            "What did it establish?",
            '<div class="prompt">{{Name}}</div>',
            '<div class="answer">{{Terms}}</div>',
        ),
        template(
            "When and between whom?",
            "When, and between whom?",
            '<div class="prompt">{{Name}}</div>',
            '<div class="answer">{{Date}}</div>\n<div class="detail">{{Parties}}</div>',
        ),
    ),
    "quote": (
        template(
            "Who said it?",
            "Who said this, and on what occasion?",
            '<blockquote class="prompt">{{Text}}</blockquote>',
            '<div class="answer">{{Speaker}}</div>\n<div class="detail">{{Context}}{{#Date}}, {{Date}}{{/Date}}</div>',
        ),
    ),
}


class _NoteType(genanki.Model):
    """A note type whose modification time is its own, not the build's: Anki re-imports it only when it changed."""

    def __init__(self, *args, mod: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.mod = mod

    def to_json(self, timestamp, deck_id):
        return super().to_json(self.mod, deck_id)


class _Note(genanki.Note):
    """A note whose modification time is when its content last changed (genanki stamps one time on all notes)."""

    def __init__(self, *args, mod: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.mod = mod

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):
        super().write_to_db(cursor, self.mod, deck_id, id_gen)

    def _check_invalid_html_tags_in_fields(self):
        pass  # every field is escaped by note_fields; genanki's check would only cost time


def note_type_hash(card_type: str) -> str:
    # Only the keys we write: genanki adds its own keys to the template dicts it is handed (D1 of the code review).
    templates = [{key: template[key] for key in ("name", "qfmt", "afmt")} for template in TEMPLATES[card_type]]
    spec = [NOTE_TYPE_NAMES[card_type], NOTE_FIELDS[card_type], templates, CSS]
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def escape(text: str) -> str:
    """Contributors write plain text: shown literally, never run. Line breaks stay line breaks."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def display_date(text: str) -> str:
    match = DATE_PATTERN.fullmatch(text)
    if not match:
        return escape(text)
    year, month, day = match.groups()
    if day:
        return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
    if month:
        return f"{MONTHS[int(month) - 1]} {year}"
    return year


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def source_html(card: Card) -> str:
    return "".join(
        f'<div class="source">“{escape(excerpt)}” <span class="seed">— {escape(seed)}</span></div>'
        for _, seed, excerpt in card.sources()
    )


FIELD_VALUES = {
    "Event": lambda card, deck: escape(card.text("event")),
    "Name": lambda card, deck: escape(card.text("name")),
    "Role": lambda card, deck: escape(card.text("role")),
    "Text": lambda card, deck: escape(card.text("text")),
    "Speaker": lambda card, deck: escape(card.text("speaker")),
    "Context": lambda card, deck: escape(card.text("context")),
    "Terms": lambda card, deck: escape(card.text("terms")),
    "Parties": lambda card, deck: escape(join_words(card.texts("parties"))) if card.texts("parties") else "",
    "Date": lambda card, deck: display_date(card.text("date")),
    "End": lambda card, deck: display_date(card.text("end")),
    "Born": lambda card, deck: display_date(card.text("born")),
    "Died": lambda card, deck: display_date(card.text("died")),
    "Source": lambda card, deck: source_html(card),
    "Notes": lambda card, deck: escape(card.text("notes")),
    "Themes": lambda card, deck: escape(", ".join(deck.theme(t).title for t in card.themes if deck.theme(t))),
    "Id": lambda card, deck: escape(card.id),
    "Retired": lambda card, deck: escape(card.retired),
}


def note_fields(card: Card, deck: Deck) -> list[str]:
    """The note's fields, in NOTE_FIELDS order, every one escaped."""
    return [FIELD_VALUES[name](card, deck) for name in NOTE_FIELDS[card.type]]


def note_tags(card: Card, deck: Deck) -> list[str]:
    tags = [f"{deck.tag_prefix}::theme::{theme}" for theme in card.themes]
    tags.append(f"{deck.tag_prefix}::type::{card.type}")
    if card.retired:
        tags.append(f"{deck.tag_prefix}::retired")
    return tags


def note_hash(card_type: str, fields: list[str], tags: list[str]) -> str:
    """What Anki sees of a note: when this changes, the note's modification time must move."""
    spec = [NOTE_TYPE_IDS[card_type], fields, tags]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]


def card_hash(card: Card, deck: Deck) -> str:
    return note_hash(card.type, note_fields(card, deck), note_tags(card, deck))


def modification_time(record: Record | None, current_hash: str, fallback: int) -> int:
    """The recorded time if the content is what was released; otherwise the build time, always later than the record."""
    if record is None:
        return fallback
    if record.hash == current_hash:
        return record.mod
    return max(fallback, record.mod + 1)


def compile_deck(
    project: Project, cards: list[Card], selection: Selection, fallback_mod: int
) -> tuple[genanki.Deck, int]:
    """(the genanki deck, the package timestamp). The timestamp is the latest modification time, so that the same
    inputs always give the same package."""
    deck = project.deck
    note_types = {
        card_type: _NoteType(
            NOTE_TYPE_IDS[card_type],
            NOTE_TYPE_NAMES[card_type],
            fields=[{"name": name} for name in NOTE_FIELDS[card_type]],
            templates=[dict(template) for template in TEMPLATES[card_type]],  # genanki writes into these dicts
            css=CSS,
            mod=modification_time(project.released.note_types.get(card_type), note_type_hash(card_type), fallback_mod),
        )
        for card_type in CARD_TYPES
    }
    anki_deck = genanki.Deck(
        subset_deck_id(deck, selection), subset_deck_name(deck, selection), escape(deck.description)
    )
    latest = max((note_type.mod for note_type in note_types.values()), default=fallback_mod)
    for card in cards:
        fields, tags = note_fields(card, deck), note_tags(card, deck)
        mod = modification_time(project.released.cards.get(card.id), note_hash(card.type, fields, tags), fallback_mod)
        latest = max(latest, mod)
        anki_deck.add_note(
            _Note(
                model=note_types[card.type],
                fields=fields,
                tags=tags,
                # The GUID hangs on the full deck's id and the card id only: text edits and subset decks keep it.
                guid=genanki.guid_for(deck.id, card.id),
                mod=mod,
            )
        )
    for note_type in note_types.values():
        anki_deck.add_model(note_type)
    return anki_deck, latest


# ---------------------------------------------------------------------------------------------------------------------
# 6b. Previewing: cards → one HTML page that shows every card as Anki will, with filters. No I/O, no network.
# ---------------------------------------------------------------------------------------------------------------------

# Anki's template language, as far as TEMPLATES uses it: {{Field}}, {{#Field}}…{{/Field}}, {{^Field}}…{{/Field}}.
TEMPLATE_TAG = re.compile(r"\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}")
MARKUP = re.compile(r"<[^>]*>")
COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # as in the script
LONG_DECK = 400  # cards; past this the page lays out only the cards in view, or a 10,000-card page takes 20 s to open
TYPE_TITLES = {"date": "Date", "person": "Person", "treaty": "Treaty", "quote": "Quote"}


def render_template(template: str, fields: dict) -> str:
    """A card face from an Anki template, in one pass (a field's value is never read as a template). A section shows
    when its field is not blank; a field the note type lacks is a mistake in TEMPLATES, so it raises KeyError."""
    out, open_sections, shown, position = [], [], True, 0
    for tag in TEMPLATE_TAG.finditer(template):
        if shown:
            out.append(template[position : tag.start()])
        position = tag.end()
        kind, name = tag.groups()
        if kind in ("#", "^"):
            open_sections.append((name, shown))
            filled = bool(fields[name].strip())
            shown = shown and filled == (kind == "#")
        elif kind == "/":
            if not open_sections or open_sections[-1][0] != name:
                raise ValueError(f"template closes {{{{/{name}}}}} that is not open")
            shown = open_sections.pop()[1]
        elif shown:
            out.append(fields[name])
    if open_sections:
        raise ValueError(f"template leaves {{{{#{open_sections[-1][0]}}}}} open")
    if shown:
        out.append(template[position:])
    return "".join(out)


def card_faces(card: Card, deck: Deck) -> list[tuple[str, str, str]]:
    """(template name, front, back) for every Anki card of the note, as Anki renders them. The back's {{FrontSide}} is
    wrapped in <div class="frontside"> so that the printed sheet can leave the question out of the answer."""
    fields = dict(zip(NOTE_FIELDS[card.type], note_fields(card, deck), strict=True))
    faces = []
    for template in TEMPLATES[card.type]:
        front = render_template(template["qfmt"], fields)
        back = render_template(template["afmt"], {**fields, "FrontSide": f'<div class="frontside">{front}</div>'})
        faces.append((template["name"], front, back))
    return faces


def search_fold(text: str) -> str:
    """Text folded for the page's search: lower case, accents and typographic quotes and dashes dropped, white space
    folded. The page's script folds what the teacher types the same way (PREVIEW_FOLD, COMBINING_MARKS)."""
    text = text.translate(FOLD_TABLE).translate(LATIN_LETTERS)
    if not text.isascii():
        text = COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return WHITESPACE.sub(" ", text.lower()).strip()


PREVIEW_FOLD = {chr(code): value for table in (FOLD_TABLE, LATIN_LETTERS) for code, value in table.items()}


def search_text(card: Card, deck: Deck) -> str:
    """Everything the card shows, as plain text (dates as written and as shown, sources, themes, id, type)."""
    shown = [html.unescape(MARKUP.sub(" ", value)) for value in note_fields(card, deck)]
    written = [card.text(key) for key in ("date", "end", "born", "died")]
    return search_fold(" ".join([*shown, *written, card.type]))


def attribute(text: str) -> str:
    return html.escape(text, quote=True)


def script_json(value) -> str:
    """JSON to embed in a <script> element: no '<', '>' or '&' at all, so no `</script>` or `<!--` can end it early."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def preview_note(card: Card, deck: Deck) -> str:
    faces = card_faces(card, deck)
    chips = "".join(f"<li>{escape(deck.theme(t).title)}</li>" for t in card.themes if deck.theme(t))
    retired = f'<span class="pv-retired" title="{attribute(card.retired)}">Retired</span>' if card.retired else ""
    templates = "".join(
        f'<section class="pv-template" aria-label="{attribute(name)}">'
        f'<h3 class="pv-template-name">{escape(name)}'
        f'<span class="pv-template-n">Anki card {number} of {len(faces)}</span></h3>'
        '<div class="pv-faces">'
        '<figure class="pv-face pv-front"><figcaption><span class="pv-screen">Front</span>'
        f'<span class="pv-print">Question</span></figcaption><div class="card">{front}</div></figure>'
        '<figure class="pv-face pv-back"><figcaption><span class="pv-screen">Back</span>'
        f'<span class="pv-print">Answer</span></figcaption><div class="card">{back}</div></figure>'
        "</div></section>"
        for number, (name, front, back) in enumerate(faces, 1)
    )
    return (
        f'<article class="pv-note pv-type-{attribute(card.type)}{" pv-is-retired" if card.retired else ""}" '
        f'id="card-{attribute(card.id)}" data-id="{attribute(card.id)}" data-type="{attribute(card.type)}" '
        f'data-themes="{attribute(" ".join(card.themes))}">'
        '<header class="pv-note-head">'
        f'<span class="pv-type">{escape(TYPE_TITLES.get(card.type, card.type))}</span>'
        f'<h2 class="pv-id">{escape(card.id)}</h2>{retired}'
        f'<ul class="pv-chips" aria-label="Themes">{chips}</ul>'
        f'<span class="pv-where">{escape(card.path)}:{card.line}</span>'
        f"</header>{templates}</article>\n"
    )


def preview_option(name: str, value: str, title: str, count: int) -> str:
    return (
        f'<label class="pv-option"><input type="checkbox" name="{name}" value="{attribute(value)}">'
        f'<span class="pv-option-title">{escape(title)}</span><span class="pv-n">{count}</span></label>'
    )


def render_preview(deck: Deck, cards: list[Card]) -> str:
    """The whole page: same deck and cards, same bytes. Everything is inline; the page fetches nothing."""
    themes = "".join(
        preview_option("theme", theme.id, theme.title, sum(theme.id in card.themes for card in cards))
        for theme in deck.themes
    )
    types = "".join(
        preview_option("type", card_type, TYPE_TITLES[card_type], sum(card.type == card_type for card in cards))
        for card_type in CARD_TYPES
    )
    data = {
        "deck": deck.name,
        "themes": {theme.id: theme.title for theme in deck.themes},
        "fold": PREVIEW_FOLD,
        "cards": [
            {
                "id": card.id,
                "type": card.type,
                "themes": card.themes,
                "retired": bool(card.retired),
                "faces": len(TEMPLATES[card.type]),
                "text": search_text(card, deck),
            }
            for card in cards
        ],
    }
    style = CSS + PREVIEW_CSS
    policy = (
        f"default-src 'none'; script-src {csp_hash(PREVIEW_SCRIPT)}; style-src {csp_hash(style)}; "
        "base-uri 'none'; form-action 'none'"
    )
    faces = sum(len(TEMPLATES[card.type]) for card in cards)
    description = f'<p class="pv-description">{escape(deck.description)}</p>' if deck.description else ""
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{attribute(policy)}">
<meta name="generator" content="build-deck preview">
<title>{escape(deck.name)} — card preview</title>
<style>{style}</style>
</head>
<body{' class="pv-long"' if len(cards) > LONG_DECK else ""}>
<header class="pv-header">
<p class="pv-kicker">Card preview</p>
<h1>{escape(deck.name)}</h1>
{description}
<p class="pv-totals">{plural(len(cards), "card")}, {plural(faces, "Anki card")}: each card below is shown front and \
back, once for every Anki card it makes.</p>
<p class="pv-print-selection" id="pv-print-selection"></p>
</header>
<div class="pv-layout">
<aside class="pv-controls" aria-label="Choose cards">
<div class="pv-search"><label for="pv-search">Search the cards</label>
<input type="search" id="pv-search" placeholder="e.g. Kennedy, 1961, treaty" autocomplete="off" spellcheck="false">
</div>
<details class="pv-filters" id="pv-filters" open>
<summary>Filter by theme and type <span class="pv-filter-summary" id="pv-filter-summary"></span></summary>
<fieldset class="pv-group" id="pv-themes"><legend>Themes <span class="pv-hint">any of</span></legend>
{themes}</fieldset>
<fieldset class="pv-group" id="pv-types"><legend>Types <span class="pv-hint">any of</span></legend>
{types}</fieldset>
</details>
<button type="button" class="pv-button pv-quiet" id="pv-clear">Clear all</button>
</aside>
<main class="pv-main">
<section class="pv-summary" aria-label="Selection">
<p class="pv-count" aria-live="polite">Showing <strong id="pv-shown">{len(cards)}</strong> of {plural(len(cards), "card")}\
<span id="pv-search-note" hidden> matching the search</span></p>
<div class="pv-command-row">
<code class="pv-command" id="pv-command">build-deck build</code>
<button type="button" class="pv-button" id="pv-copy">Copy command</button>
</div>
<p class="pv-command-note" id="pv-command-note">Builds the whole deck.</p>
</section>
<p class="pv-empty" id="pv-empty" hidden>No card matches. Uncheck a filter or change the search.</p>
{"".join(preview_note(card, deck) for card in cards)}</main>
</div>
<script type="application/json" id="pv-data">{script_json(data)}</script>
<script>{PREVIEW_SCRIPT}</script>
</body>
</html>
"""


PREVIEW_CSS = """
/* The page around the cards. Page classes start with pv- so that they never meet the card classes above. */
:root { --pv-ink: #22201c; --pv-muted: #6b655c; --pv-accent: #8a2b1d; --pv-bg: #f4f1eb; --pv-panel: #ffffff;
  --pv-rule: #e2dccf; --pv-soft: #faf8f4; color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--pv-bg); color: var(--pv-ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
[hidden] { display: none !important; }
.pv-header { padding: 22px 32px 16px; border-bottom: 1px solid var(--pv-rule); background: var(--pv-panel); }
.pv-kicker { margin: 0; font-size: 12px; font-weight: 600; letter-spacing: 0.1em; text-transform: uppercase;
  color: var(--pv-accent); }
.pv-header h1 { margin: 4px 0 6px; font: 600 30px/1.2 "Iowan Old Style", "Palatino Linotype", Georgia, serif; }
.pv-description { margin: 0 0 6px; max-width: 60em; color: var(--pv-muted); }
.pv-totals { margin: 0; font-size: 13px; color: var(--pv-muted); }
.pv-print-selection { display: none; }
.pv-layout { display: grid; grid-template-columns: 290px minmax(0, 1fr); gap: 28px; max-width: 1440px;
  margin: 0 auto; padding: 24px 32px 48px; align-items: start; }
.pv-controls { position: sticky; top: 16px; max-height: calc(100vh - 32px); overflow: auto; background: var(--pv-panel);
  border: 1px solid var(--pv-rule); border-radius: 10px; padding: 16px; }
.pv-search label, .pv-group legend { display: block; font-size: 12px; font-weight: 600; letter-spacing: 0.06em;
  text-transform: uppercase; color: var(--pv-muted); margin-bottom: 6px; padding: 0; }
.pv-hint { font-weight: 400; letter-spacing: 0; text-transform: none; }
.pv-search input { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid #cfc7b8; border-radius: 7px;
  background: #fff; color: inherit; }
.pv-search input:focus, .pv-button:focus-visible, .pv-option input:focus-visible { outline: 2px solid var(--pv-accent);
  outline-offset: 1px; }
.pv-filters > summary { display: none; }
.pv-group { border: 0; margin: 18px 0 0; padding: 0; min-width: 0; }
.pv-option { display: flex; align-items: baseline; gap: 8px; padding: 4px 6px; margin: 0 -6px; border-radius: 6px;
  cursor: pointer; }
.pv-option:hover { background: var(--pv-soft); }
.pv-option input { accent-color: var(--pv-accent); margin: 0; transform: translateY(1px); flex: none; }
.pv-option-title { flex: 1; }
.pv-n { font-size: 12px; color: var(--pv-muted); font-variant-numeric: tabular-nums; }
.pv-button { font: inherit; font-size: 14px; font-weight: 600; padding: 7px 14px; border-radius: 7px; cursor: pointer;
  border: 1px solid var(--pv-accent); background: var(--pv-accent); color: #fff; white-space: nowrap; }
.pv-button:hover { filter: brightness(1.1); }
.pv-quiet { margin-top: 16px; background: transparent; color: var(--pv-accent); border-color: #d8c3bd; }
.pv-summary { background: var(--pv-panel); border: 1px solid var(--pv-rule); border-radius: 10px; padding: 14px 16px;
  margin-bottom: 20px; }
.pv-count { margin: 0 0 10px; font-size: 16px; }
.pv-count strong { font-size: 20px; font-variant-numeric: tabular-nums; }
.pv-command-row { display: flex; gap: 10px; align-items: stretch; }
.pv-command { flex: 1; min-width: 0; display: block; padding: 8px 12px; border-radius: 7px; background: #2a2723;
  color: #f6f2ea; font: 14px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere;
  user-select: all; }
.pv-command::before { content: "$ "; color: #a59d90; }
.pv-command-note { margin: 8px 0 0; font-size: 13px; color: var(--pv-muted); }
.pv-command-note.pv-warn { color: var(--pv-accent); font-weight: 600; }
.pv-empty { padding: 24px; text-align: center; color: var(--pv-muted); }
.pv-long .pv-note { content-visibility: auto; contain-intrinsic-size: auto 420px; }  /* lays out only what is seen */
.pv-note { background: var(--pv-panel); border: 1px solid var(--pv-rule); border-radius: 10px; padding: 14px 16px 16px;
  margin-bottom: 16px; }
.pv-note-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin-bottom: 4px; }
.pv-type, .pv-retired { font-size: 11px; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase;
  padding: 2px 8px; border-radius: 999px; }
.pv-type { background: #e8eef6; color: #2d4f7c; }
.pv-type-person .pv-type { background: #e6f1e8; color: #2f6a3d; }
.pv-type-treaty .pv-type { background: #efe8f5; color: #5b3a7e; }
.pv-type-quote .pv-type { background: #f7eedd; color: #7a5413; }
.pv-retired { background: var(--pv-accent); color: #fff; }
.pv-is-retired .card { opacity: 0.75; }
.pv-id { margin: 0; font: 600 14px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.pv-chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; list-style: none; }
.pv-chips li { font-size: 12px; padding: 1px 8px; border: 1px solid var(--pv-rule); border-radius: 999px;
  color: var(--pv-muted); }
.pv-where { margin-left: auto; font-size: 12px; color: #8c857a; }
.pv-template { margin-top: 10px; }
.pv-template-name { margin: 0 0 6px; font-size: 13px; font-weight: 600; color: var(--pv-ink); }
.pv-template-n { margin-left: 8px; font-weight: 400; color: var(--pv-muted); }
.pv-faces { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 12px; }
.pv-faces { align-items: start; }
.pv-face { margin: 0; min-width: 0; }
.pv-face figcaption { font-size: 11px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase;
  color: var(--pv-muted); margin-bottom: 4px; }
.pv-print { display: none; }
.pv-face > .card { width: 100%; max-width: none; margin: 0; font-size: 17px; border: 1px solid var(--pv-rule);
  border-radius: 8px; }
@media (max-width: 860px) {
  .pv-header { padding: 18px 16px 14px; }
  .pv-header h1 { font-size: 24px; }
  .pv-layout { display: block; padding: 12px 12px 32px; }
  .pv-controls { position: static; max-height: none; margin-bottom: 12px; padding: 12px; }
  .pv-filters > summary { display: list-item; margin-top: 10px; font-weight: 600; cursor: pointer; }
  .pv-filter-summary { font-weight: 400; color: var(--pv-accent); }
  .pv-group { margin-top: 10px; }
  .pv-group .pv-option { display: inline-flex; margin: 0 4px 6px 0; padding: 3px 10px; border: 1px solid var(--pv-rule);
    border-radius: 999px; font-size: 14px; }
  .pv-group .pv-option-title { flex: 0 1 auto; }
  .pv-quiet { margin-top: 8px; padding: 4px 12px; font-size: 13px; }
  .pv-summary { padding: 10px 12px; margin-bottom: 12px; }
  .pv-count { margin-bottom: 8px; }
  .pv-command-row { flex-direction: column; align-items: flex-start; gap: 6px; }
  .pv-command { width: 100%; }
  .pv-command { font-size: 13px; }
  .pv-note { padding: 12px; }
  .pv-where { margin-left: 0; width: 100%; }
  .pv-faces { grid-template-columns: minmax(0, 1fr); }
  .pv-face > .card { font-size: 16px; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { background: #fff; font-size: 10pt; }
  .pv-controls, .pv-summary, .pv-empty, .pv-totals, .pv-kicker, .pv-where, .pv-screen, .pv-template-n { display: none !important; }
  .pv-print { display: inline; }
  .pv-header { padding: 0 0 8px; border: 0; }
  .pv-header h1 { font-size: 18pt; }
  .pv-print-selection { display: block; margin: 2px 0 0; font-size: 10pt; color: #444; }
  .pv-layout { display: block; padding: 0; max-width: none; }
  .pv-note { border: 0; border-top: 1px solid #999; border-radius: 0; padding: 6px 0 4px; margin: 0; }
  .pv-note-head { break-after: avoid; }
  .pv-template { break-inside: avoid; margin-top: 4px; }
  .pv-template-name { display: none; }
  .pv-faces { grid-template-columns: 1fr 1fr; gap: 8mm; }
  .pv-face > .card { border: 0; padding: 0; font-size: 11pt; background: #fff; }
  .pv-back .frontside, .pv-back hr#answer { display: none; }
  .card .sources, .card .themes { font-size: 0.7em; }
  .pv-type, .pv-retired, .pv-chips li { border: 1px solid #999; background: #fff !important; color: #000 !important; }
}
"""

PREVIEW_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pv-data").textContent);
  var notes = document.querySelectorAll(".pv-note");
  var search = document.getElementById("pv-search");
  var boxes = document.querySelectorAll(".pv-controls input[type=checkbox]");
  var command = document.getElementById("pv-command");
  var copy = document.getElementById("pv-copy");

  function fold(text) {
    var out = "";
    for (var ch of text) out += Object.prototype.hasOwnProperty.call(data.fold, ch) ? data.fold[ch] : ch;
    return out.normalize("NFKD").replace(/[\\u0300-\\u036f\\u1ab0-\\u1aff\\u1dc0-\\u1dff\\u20d0-\\u20ff\\ufe20-\\ufe2f]/g, "").toLowerCase().replace(/\\s+/g, " ").trim();
  }

  function checked(name) {
    return Array.from(document.querySelectorAll("input[name=" + name + "]:checked"), function (box) {
      return box.value;
    });
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  // The same rules as `select` and `subset_deck_name` in build_deck.py.
  function inSelection(card, themes, types) {
    return (!themes.length || card.themes.some(function (t) { return themes.indexOf(t) >= 0; })) &&
      (!types.length || types.indexOf(card.type) >= 0);
  }

  function deckName(themes, types) {
    var parts = [data.deck];
    if (themes.length) parts.push(themes.slice().sort().map(function (t) { return data.themes[t]; }).join(", "));
    if (types.length) parts.push(types.slice().sort().join(" and ") + " cards");
    return parts.join(" \\u2014 ");
  }

  function update() {
    var themes = checked("theme"), types = checked("type");
    var words = fold(search.value).split(" ").filter(Boolean);
    var full = !themes.length && !types.length;
    var shown = 0, built = 0, faces = 0, retired = 0;
    data.cards.forEach(function (card, i) {
      var selected = inSelection(card, themes, types);
      var visible = selected && words.every(function (w) { return card.text.indexOf(w) >= 0; });
      notes[i].hidden = !visible;
      if (visible) shown += 1;
      if (full || (selected && !card.retired)) { built += 1; faces += card.faces; }
      else if (selected) retired += 1;
    });
    document.getElementById("pv-filter-summary").textContent = full ? "" :
      "(" + [themes.length ? plural(themes.length, "theme") : "", types.length ? plural(types.length, "type") : ""]
        .filter(Boolean).join(", ") + ")";
    document.getElementById("pv-shown").textContent = shown;
    document.getElementById("pv-search-note").hidden = !words.length;
    document.getElementById("pv-empty").hidden = shown > 0;
    command.textContent = ["build-deck build"].concat(
      themes.map(function (t) { return "--theme " + t; }),
      types.map(function (t) { return "--type " + t; })
    ).join(" ");
    var note = document.getElementById("pv-command-note");
    var name = full ? data.deck : deckName(themes, types);
    if (!built) {
      note.textContent = "No card matches this selection: build would write nothing.";
    } else {
      note.textContent = (full ? "Builds the whole deck" : "Builds the deck") + " \\u201c" + name + "\\u201d: " +
        plural(built, "note") + ", " + plural(faces, "Anki card") + "." +
        (retired ? " Retired cards are left out of a subset (" + retired + " here)." : "") +
        (words.length ? " The search only narrows this page, not the deck." : "");
    }
    note.classList.toggle("pv-warn", !built);
    document.getElementById("pv-print-selection").textContent = (full ? "All cards" : name) +
      (words.length ? ", matching \\u201c" + search.value.trim() + "\\u201d" : "") + ": " + plural(shown, "card") + ".";
  }

  function copied(ok) {
    copy.textContent = ok ? "Copied" : "Press Ctrl+C";
    setTimeout(function () { copy.textContent = "Copy command"; }, 1800);
  }

  copy.addEventListener("click", function () {
    var range = document.createRange();
    range.selectNodeContents(command);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(command.textContent).then(function () { copied(true); }, function () {
        copied(document.execCommand("copy"));
      });
    } else {
      copied(document.execCommand("copy"));
    }
  });
  document.getElementById("pv-clear").addEventListener("click", function () {
    boxes.forEach(function (box) { box.checked = false; });
    search.value = "";
    update();
  });
  if (window.matchMedia("(max-width: 860px)").matches) document.getElementById("pv-filters").open = false;
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  search.addEventListener("input", update);
  update();
})();
"""


# ---------------------------------------------------------------------------------------------------------------------
# 7. Writing: the only stage that touches the output folder. Atomic and byte-reproducible.
# ---------------------------------------------------------------------------------------------------------------------

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary file beside path, renamed over it when the block succeeds and removed when it fails: readers see
    the old file or the new one, never half of one, and a failed run leaves no trace (not even a new folder)."""
    created = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        created = []
    finally:
        Path(temporary).unlink(missing_ok=True)
        for folder in created:  # innermost first
            with contextlib.suppress(OSError):
                folder.rmdir()


def write_package(anki_deck: genanki.Deck, path: Path, timestamp: int) -> None:
    """The .apkg: a zip of the SQLite collection and an empty media map, with fixed dates and order."""
    handle, database = tempfile.mkstemp(suffix=".anki2")
    os.close(handle)
    try:
        connection = sqlite3.connect(database)
        genanki.Package(anki_deck).write_to_db(connection.cursor(), timestamp, itertools.count(timestamp * 1000))
        connection.commit()
        connection.close()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in (("collection.anki2", Path(database).read_bytes()), ("media", b"{}")):
                entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                package.writestr(entry, data)
    finally:
        Path(database).unlink(missing_ok=True)


def write_released(project: Project, path: Path, now: int) -> tuple[int, int, int]:
    """Record every current card's hash and modification time; keep records of cards no longer present.

    Returns (new, changed, unchanged) counts."""
    deck, released = project.deck, project.released
    counts = [0, 0, 0]
    cards = {}
    for card in project.cards:
        current = card_hash(card, deck)
        record = released.cards.get(card.id)
        counts[0 if record is None else 1 if record.hash != current else 2] += 1
        cards[card.id] = {"hash": current, "mod": modification_time(record, current, now), "type": card.type}
    for card_id, record in released.cards.items():
        cards.setdefault(card_id, {"hash": record.hash, "mod": record.mod, "type": record.type})
    note_types = {}
    for card_type in CARD_TYPES:
        current = note_type_hash(card_type)
        mod = modification_time(released.note_types.get(card_type), current, now)
        note_types[card_type] = {"hash": current, "mod": mod}
    # One card a line: a release diff shows exactly which cards changed.
    lines = ["{", '  "format": 1,', f'  "deck_id": {deck.id},', '  "note_types": {']
    lines += [f"    {json.dumps(k)}: {json.dumps(v, sort_keys=True)}," for k, v in note_types.items()]
    lines[-1] = lines[-1].rstrip(",")
    lines += ["  },", '  "cards": {']
    lines += [f"    {json.dumps(k)}: {json.dumps(v, sort_keys=True)}," for k, v in sorted(cards.items())]
    if cards:
        lines[-1] = lines[-1].rstrip(",")
    lines += ["  }", "}", ""]
    with atomic_output(path) as temporary:
        temporary.write_text("\n".join(lines), encoding="utf-8")
    return tuple(counts)


# ---------------------------------------------------------------------------------------------------------------------
# 8. The command line: parse arguments, call the stages, print problems, choose the exit code.
# ---------------------------------------------------------------------------------------------------------------------


PARALLEL_FROM = 2000  # cards; below this a second process costs more than it saves
PARALLEL_FILES = 8  # card files, for reading citations in two processes


def run_beside(check, work, parallel: bool, passed=lambda checked: True):
    """Run check() in a forked child while work() runs here: a build checks and compiles on two cores at once.

    Returns (what check returned, what work returned or the exception it raised: work runs on unchecked input and
    may fail, and then the check's result says why). Without fork, or when not parallel, the check runs first and
    work only if passed(check's result)."""

    def attempt():
        try:
            return work()
        except Exception as error:
            return error

    if not parallel or not hasattr(os, "fork"):
        checked = check()
        return checked, attempt() if passed(checked) else None
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child checks, sends its result and leaves without running any of the parent's clean-ups
        code = 0
        try:
            os.close(reader)
            try:
                data = pickle.dumps(check())
            except BaseException as error:
                data = pickle.dumps(RuntimeError(f"the check failed: {error!r}"))
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(writer)
    done = attempt()
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(child, 0)
    if not data or os.waitstatus_to_exitcode(status) != 0:
        raise click.ClickException(
            "the check of the cards stopped before it finished (out of memory?); nothing written"
        )
    checked = pickle.loads(data)
    if isinstance(checked, BaseException):
        raise checked
    return checked, done


@contextlib.contextmanager
def reported_write_errors(path: Path):
    """A file that cannot be written (a folder in the way, no permission, a full disk) is a message, not a traceback."""
    try:
        yield
    except OSError as error:
        raise click.ClickException(f"cannot write {shown_path(path)}: {error.strerror or error}") from error


def deck_or_fail(cards_dir: Path) -> Deck:
    """The deck, for commands that need only it: its problems, if any, and a pointer to `validate`."""
    deck, problems = load_deck(cards_dir)
    if deck is None:
        echo_problems(problems)
        raise click.ClickException(f"cannot read {shown_path(cards_dir / DECK_FILE)}; run `build-deck validate`")
    return deck


def deck_slug(deck: Deck) -> str:
    """The file name of the deck's outputs: dist/<slug>.apkg, dist/<slug>.html."""
    return slugify(deck.name) or "deck"


def fail(message: str):
    click.echo(f"build-deck: {message}", err=True)
    sys.exit(1)


def echo_problems(problems: list[Problem]) -> None:
    for line in format_problems(problems, "text"):
        click.echo(line, err=True)


def format_problems(problems: list[Problem], output_format: str) -> list[str]:
    if output_format == "github":
        return [
            f"::{p.severity} file={github_escape(p.path, True)},line={p.line},col={p.col}::"
            f"{github_escape(f'{p.message} [{p.rule}]')}"
            for p in problems
        ]
    return [f"{p.path}:{p.line}:{p.col}: {p.severity}: {p.message} [{p.rule}]" for p in problems]


def github_escape(text: str, is_property: bool = False) -> str:
    """GitHub's workflow-command escaping: a message quoting a contributor's text stays one annotation."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report(project: Project, problems: list[Problem], output_format: str, strict: bool) -> bool:
    """Print every problem and a summary on stderr; True when the project is good enough to go on."""
    for line in format_problems(problems, output_format):
        click.echo(line, err=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(
        f"{plural(project.files_checked, 'file')} checked, {len(project.cards)} cards, "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}",
        err=True,
    )
    return errors == 0 and not (strict and warnings)


def build_time() -> int:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return int(time.time())
    if not ASCII_NUMBER.fullmatch(value.strip()) or int(value) > LATEST_TIME:
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {value!r}")
    if int(value) < EARLIEST_TIME:
        # genanki numbers notes from time × 1000: at 0 the first note id is 0, which breaks a learner's collection.
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH={value.strip()} is before 2000-01-01; a deck cannot be built then (give the time of "
            "the release, e.g. the last commit's: git log -1 --format=%ct)"
        )
    return int(value)


def folder_options(command):
    command = click.option(
        "--seeds",
        "seeds_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default="seeds",
        show_default=True,
        help="Folder of the source texts that cards cite.",
    )(command)
    command = click.option(
        "--cards",
        "cards_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default="cards",
        show_default=True,
        help="Folder of deck.yaml and the card files.",
    )(command)
    return command


def check_options(command):
    command = click.option("--strict", is_flag=True, help="Treat warnings as errors.")(command)
    command = click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "github"]),
        default="text",
        show_default=True,
        help="How to print problems: file:line:col lines, or GitHub annotations.",
    )(command)
    return command


def choose(values: tuple[str, ...], known: list[str], option: str) -> tuple[str, ...]:
    for value in values:
        if value not in known:
            hint = did_you_mean(value, known) or f" (choose from {', '.join(known)})"
            raise click.BadParameter(f"unknown {option[2:]} '{value}'{hint}", param_hint=option)
    return tuple(dict.fromkeys(values))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="build-deck")
def cli():
    """Build an Anki deck from YAML fact cards that cite their source texts.

    Every command works on the cards/ and seeds/ folders of the current directory; --cards and --seeds point
    elsewhere. Run `build-deck COMMAND --help` for the details of a command.
    """


@cli.command("validate")
@folder_options
@check_options
def validate_command(cards_dir: Path, seeds_dir: Path, output_format: str, strict: bool):
    """Check every card and report every problem at once.

    Problems go to stderr as `path:line:col: error|warning: message [rule-id]`, then a summary line. Exits 0 when
    there are no errors (with --strict: no warnings either), 1 otherwise.
    """
    with gc_paused():
        project = load_project(cards_dir, seeds_dir)
        if not report(project, validate(project), output_format, strict):
            sys.exit(1)


@cli.command()
@folder_options
@check_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the package [default: dist/<slug of the deck name>.apkg].",
)
@click.option(
    "--theme",
    "themes",
    multiple=True,
    metavar="ID",
    help="Only cards with this theme (repeat for any of several themes).",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help=f"Only cards of this type: {', '.join(CARD_TYPES)} (repeatable). Combines with --theme as AND.",
)
@click.option(
    "--each-theme",
    is_flag=True,
    help="Also write one package per theme beside the full deck, as <deck-slug>--<theme-id>.apkg.",
)
def build(cards_dir, seeds_dir, output_format, strict, output, themes, types, each_theme):
    """Validate, then compile the cards into an Anki package (.apkg).

    Writes nothing when there is any error. The package is written atomically and is byte-identical for the same
    inputs and SOURCE_DATE_EPOCH. Each note's modification time comes from cards/released.json (see `release`),
    so that re-importing a new version updates exactly the notes that changed.
    """
    with gc_paused():
        project = load_project(cards_dir, seeds_dir)
        deck = project.deck
        if deck is None:  # nothing to compile: report why
            report(project, validate(project), output_format, strict)
            fail("not built; fix the errors above")
        if each_theme and (themes or types):
            raise click.UsageError(
                "--each-theme builds the full deck and one deck per theme; leave out --theme and --type"
            )
        selection = Selection(
            choose(themes, [t.id for t in deck.themes], "--theme"), choose(types, list(CARD_TYPES), "--type")
        )
        cards = select(project.cards, selection)
        path = output or Path("dist") / f"{deck_slug(deck)}.apkg"
        with reported_write_errors(path), atomic_output(path) as temporary:

            def compile_and_write():
                anki_deck, timestamp = compile_deck(project, cards, selection, build_time())
                write_package(anki_deck, temporary, timestamp)
                return anki_deck.name

            problems, built = run_beside(
                lambda: validate(project),
                compile_and_write,
                parallel=len(cards) >= PARALLEL_FROM,
                passed=lambda problems: not any(p.severity == "error" for p in problems),
            )
            if not report(project, problems, output_format, strict):
                fail("not built; fix the errors above")
            if not cards:
                fail("no card matches that selection; nothing written" if themes or types else "the deck has no cards")
            if isinstance(built, BaseException):
                raise built
        click.echo(f'wrote {shown_path(path)}: {plural(len(cards), "note")}, deck "{built}"')
        for theme in deck.themes if each_theme else ():
            theme_selection = Selection(themes=(theme.id,))
            theme_cards = select(project.cards, theme_selection)
            if not theme_cards:
                click.echo(
                    f"build-deck: no deck for theme '{theme.id}': it has no cards that are not retired", err=True
                )
                continue  # validate has warned too (theme-unused)
            theme_path = path.parent / f"{deck_slug(deck)}--{theme.id}.apkg"
            anki_deck, timestamp = compile_deck(project, theme_cards, theme_selection, build_time())
            with reported_write_errors(theme_path), atomic_output(theme_path) as temporary:
                write_package(anki_deck, temporary, timestamp)
            click.echo(f'wrote {shown_path(theme_path)}: {plural(len(theme_cards), "note")}, deck "{anki_deck.name}"')


@cli.command("preview")
@folder_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the page [default: dist/<slug of the deck name>.html].",
)
def preview_command(cards_dir, seeds_dir, output):
    """Validate, then write the deck as one HTML page to check the cards in a browser.

    The page shows every card front and back as Anki will, with its themes, type and source; filter it by theme and
    type, search it, and copy the `build-deck build` command that makes a deck of what is shown. It is self-contained
    (no network): open it from a USB stick, or print the selection as a question and answer sheet. Writes nothing when
    there is any error; warnings are reported and do not stop it.
    """
    with gc_paused():
        project = load_project(cards_dir, seeds_dir)
        if not report(project, validate(project), "text", strict=False) or project.deck is None:
            fail("no preview written; fix the errors above")
        deck = project.deck
        path = output or Path("dist") / f"{deck_slug(deck)}.html"
        page = render_preview(deck, project.cards)
        with reported_write_errors(path), atomic_output(path) as temporary:
            temporary.write_text(page, encoding="utf-8", newline="\n")
    click.echo(f"wrote {shown_path(path)}: {plural(len(project.cards), 'card')}")


@cli.command()
@folder_options
def themes(cards_dir, seeds_dir):
    """List the deck's themes with their card counts (retired cards not counted)."""
    deck = deck_or_fail(cards_dir)
    cards, problems, _ = load_cards(cards_dir)
    if problems:
        # Counts without the cards of a broken file would be wrong, not partial.
        echo_problems(problems)
        fail("cannot count the cards until every card file reads; fix the problems above")
    live = [card for card in cards if not card.retired]
    width = max(len("(all)"), *(len(theme.id) for theme in deck.themes))
    for theme in deck.themes:
        count = sum(theme.id in card.themes for card in live)
        click.echo(f"{theme.id:<{width}}  {count:>4}  {theme.title}")
    click.echo(f"{'(all)':<{width}}  {len(live):>4}  {deck.name}")


@cli.command()
@folder_options
def release(cards_dir, seeds_dir):
    """Record the current cards in cards/released.json before a release.

    Each card's content hash and modification time (SOURCE_DATE_EPOCH, or now, for new and changed cards) is
    recorded; unchanged cards keep their time, so learners' notes update only when their card changed. Commit the
    file with the release. A released id can never be removed afterwards: retire the card instead.
    """
    with gc_paused():
        project = load_project(cards_dir, seeds_dir)
        if not report(project, validate(project), "text", strict=False):
            fail("nothing recorded; fix the errors above")
        path = cards_dir / RELEASED_FILE
        with reported_write_errors(path):
            new, changed, unchanged = write_released(project, path, build_time())
        click.echo(f"recorded {shown_path(path)}: {new} new, {changed} changed, {unchanged} unchanged")


@cli.command()
@folder_options
@click.option("--deck", "for_deck", is_flag=True, help="The schema of deck.yaml instead of a card file.")
def schema(cards_dir, seeds_dir, for_deck):
    """Print the JSON Schema of a card file (or, with --deck, of deck.yaml).

    Editors use it for completion and early errors: the card files start with
    `# yaml-language-server: $schema=card.schema.json`, the schema written to cards/ by
    `build-deck schema > cards/card.schema.json`. The themes and seed names are this project's.
    """
    if for_deck:
        document = deck_schema()
    else:
        deck, _ = load_deck(cards_dir)
        seed_names = sorted(read_seeds(seeds_dir)[0] or {})
        document = card_schema(deck, seed_names)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def load_for_coverage(cards_dir: Path, seeds_dir: Path):
    deck = deck_or_fail(cards_dir)
    seed_texts, problems = read_seeds(seeds_dir)
    if seed_texts is None or problems:
        # A missing or unreadable text would show as nothing to cover: a wrong answer, not an empty one.
        echo_problems(problems)
        fail("cannot read every text in the seeds folder; fix the problems above")
    echo_problems(left_out_problems(seeds_dir, seed_texts))
    citations, sentences = read_for_coverage(cards_dir, seed_texts)
    return deck, citations, coverage(seed_texts, sentences, citations, load_left_out(seeds_dir))


@cli.command("coverage")
@folder_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table and a list, or JSON for machines.",
)
def coverage_command(cards_dir, seeds_dir, output_format):
    """Show which fact-bearing passages of the texts the cards cite.

    A passage is a sentence with a year or a date, a quotation, a treaty word (treaty, pact, agreement, alliance…)
    or a named person; page furniture is skipped and a passage repeated in a text counts once. A card cites a
    passage when one of its source excerpts overlaps it; passages listed under `## Left out` in seeds/README.md are
    counted apart. Lists the uncited passages as seed:line, most fact-dense first.
    """
    with gc_paused():
        _, _, report = load_for_coverage(cards_dir, seeds_dir)
    if output_format == "json":
        seeds = [
            {
                "seed": r.seed,
                "passages": len(r.passages),
                "cited": len(r.cited),
                "left_out": len(r.left_out),
                "uncited": [{"line": p.line, "text": p.text, "facts": list(p.facts)} for p in r.uncited],
            }
            for r in report
        ]
        total = {key: sum(seed[key] for seed in seeds) for key in ("passages", "cited", "left_out")}
        click.echo(json.dumps({"total": total, "seeds": seeds}, ensure_ascii=False, indent=2))
        return
    width = max([len(r.seed) for r in report] + [5])
    click.echo(f"{'seed':<{width}}  passages  cited  left out  uncited")
    for r in report:
        click.echo(
            f"{r.seed:<{width}}  {len(r.passages):>8}  {len(r.cited):>5}  {len(r.left_out):>8}  {len(r.uncited):>7}"
        )
    totals = [sum(len(getattr(r, key)) for r in report) for key in ("passages", "cited", "left_out", "uncited")]
    click.echo(f"{'total':<{width}}  {totals[0]:>8}  {totals[1]:>5}  {totals[2]:>8}  {totals[3]:>7}")
    uncited = sorted((p for r in report for p in r.uncited), key=lambda p: (-len(p.facts), p.seed, p.line))
    if uncited:
        lines = [f"{p.seed}:{p.line}: [{', '.join(p.facts)}] {p.text}" for p in uncited]
        click.echo("\nuncited, most fact-dense first:\n" + "\n".join(lines))


@cli.command()
@folder_options
@click.argument("seed_names", metavar="[SEED]...", nargs=-1)
def suggest(cards_dir, seeds_dir, seed_names):
    """Print draft cards, as YAML, for the passages no card cites yet.

    SEED is a seed's file name or a path to it; without one, every seed. Each draft has the passage as its source
    excerpt, a guessed type, id and themes, and the date when the text gives one; comments mark what to CHECK and what
    to write (TODO). Paste a draft into a card file, finish it, and run `build-deck validate`.
    """
    with gc_paused():
        deck, citations, report = load_for_coverage(cards_dir, seeds_dir)
    known = [r.seed for r in report]
    wanted = {Path(name).name for name in seed_names}
    unknown = sorted(wanted - set(known))
    if unknown:
        message = f"no seed '{unknown[0]}' in {shown_path(seeds_dir)}{did_you_mean(unknown[0], known)}"
        raise click.BadParameter(message, param_hint="SEED")
    taken = set(citations.ids)
    drafts = [
        draft_card(p, deck, citations.people, taken)
        for r in report
        if not wanted or r.seed in wanted
        for p in r.uncited
    ]
    click.echo("\n".join(drafts) if drafts else "# every fact-bearing passage is cited or left out: nothing to suggest")


if __name__ == "__main__":
    cli()
